"""The emulated keystone refuses a service it does not list, as charm-keystone does."""

from __future__ import annotations

from pathlib import Path

from charmsmith.model.harness import tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
URLS = {f"{kind}_url": "http://203.0.113.2:8080" for kind in ("public", "internal", "admin")}
BASE = {"private-address", "ingress-address", "egress-subnets"}


def _send(s, rel, data: dict[str, str]) -> None:
    rel.unit_data["fixture-api/0"] = {**rel.unit_data.get("fixture-api/0", {}), **data}
    s.model._changed(rel, "fixture-api", "fixture-api/0")


def test_unknown_service_gets_nothing_and_the_keystone_leader_shows_the_hook_error(
    tmp_path: Path, monkeypatch
):
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.deploy_peer("keystone", None, 1, "emulated")
        rel = s.model.relate("fixture-api", "keystone")
        _send(s, rel, {"service": "fixture", "region": "RegionOne", **URLS})
        # Juju drops what a failed hook set: not even admin_token=-1 arrives
        assert set(rel.unit_data["keystone/0"]) == BASE
        assert s.model.peer("keystone").catalog() == {}
        unit = s.model.unit("keystone/0")
        assert unit.agent == "error"
        assert unit.agent_message == 'hook failed: "identity-service-relation-changed"'
        log = (s.model.store.path / "debug-log.txt").read_text()
        assert "'fixture'" in log and "valid_services" in log
        # reported once to the command that caused it (which then exits 1)
        assert [f for f in s.model.failures if "keystone/0" in f and "'fixture'" in f]
        reported = len(s.model.failures)
        _send(s, rel, {"region": "RegionTwo"})  # still refused: not reported again
        assert len(s.model.failures) == reported

        # a name keystone lists is registered (under its own type) and the error clears
        _send(s, rel, {"service": "glance"})
        assert rel.unit_data["keystone/0"]["service_username"] == "glance"
        assert "glance" in s.model.peer("keystone").catalog()
        assert s.model.unit("keystone/0").agent != "error"


def test_credentials_only_request_is_not_checked(tmp_path: Path, monkeypatch):
    """With a 'None' URL keystone takes its other path, which only logs an unknown name."""
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.deploy_peer("keystone", None, 1, "emulated")
        rel = s.model.relate("fixture-api", "keystone")
        _send(s, rel, {"service": "fixture", "region": "RegionOne", **URLS, "public_url": "None"})
        assert s.model.unit("keystone/0").agent != "error"
        assert s.model.peer("keystone").catalog() == {}
