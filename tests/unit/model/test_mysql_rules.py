"""percona-cluster's and mysql-router's shared-db rules (peers/mysql_rules.py) and their peers."""

from __future__ import annotations

from pathlib import Path

from charmsmith.model.harness import tool_session
from charmsmith.model.peers.mysql_rules import (
    allowed_units,
    percona_requests,
    router_requests,
)

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
PLAIN = {"database": "fixture", "username": "fixture", "hostname": "198.18.0.5"}
NOVA = {"nova_database": "nova", "nova_username": "nova", "nova_hostname": "198.18.0.5"}


def _described(requests):
    return [(r.prefix, r.database, r.username, r.hosts) for r in requests]


def test_percona_serves_only_the_plain_request_when_there_is_one():
    assert _described(percona_requests({**PLAIN, **NOVA})) == [
        ("", "fixture", "fixture", ("198.18.0.5",))
    ]
    assert _described(percona_requests(NOVA)) == [("nova", "nova", "nova", ("198.18.0.5",))]


def test_prefix_ends_at_the_first_underscore():
    odd = {f"nova_api_{k}": v for k, v in PLAIN.items()}
    assert percona_requests(odd) == [] and router_requests(odd) == []


def test_no_hostname_no_service():
    bare = {"database": "fixture", "username": "fixture", "private-address": "198.18.0.5"}
    assert percona_requests(bare) == [] and router_requests(bare) == []


def test_hostname_may_be_a_json_list():
    (request,) = percona_requests({**PLAIN, "hostname": '["198.18.0.5", "10.0.0.5"]'})
    assert request.hosts == ("198.18.0.5", "10.0.0.5")


def test_router_serves_plain_and_prefixed_together():
    assert sorted(r.prefix for r in router_requests({**PLAIN, **NOVA})) == ["", "nova"]


def test_allowed_units_need_a_grant_for_their_host_of_record():
    databags = {
        "a/0": {"hostname": "198.18.0.5"},
        "a/1": {"private-address": "198.18.0.6"},  # never sent a hostname: its address counts
        "a/2": {"fixture_hostname": "198.18.0.7", "hostname": "198.18.0.99"},
        "a/3": {"hostname": "198.18.0.8"},
    }
    granted = {"198.18.0.5", "198.18.0.6", "198.18.0.7"}
    assert allowed_units(databags, granted, "fixture") == ["a/0", "a/1", "a/2"]


def _session(tmp_path: Path, monkeypatch, peer: str, units: int = 2):
    session = tool_session(tmp_path / "m", CHARM, units=units)
    s = session.__enter__()
    s.model.deploy_peer(peer, None, 1, "emulated")
    rel = s.model.relate("fixture-api", peer)
    return session, s, rel


def _send(s, rel, unit: str, data: dict[str, str]) -> None:
    rel.unit_data[unit] = {**rel.unit_data[unit], **data}
    s.model._changed(rel, "fixture-api", unit)


def test_a_unit_whose_hostname_is_not_granted_is_not_listed(tmp_path: Path, monkeypatch):
    session, s, rel = _session(tmp_path, monkeypatch, "mysql")
    try:
        _send(s, rel, "fixture-api/0", PLAIN)
        # fixture-api/1 asks without a hostname: percona serves nothing for it
        _send(s, rel, "fixture-api/1", {"database": "fixture", "username": "fixture"})
        assert rel.unit_data["mysql/0"]["allowed_units"] == "fixture-api/0"
        _send(s, rel, "fixture-api/1", {"hostname": "198.18.0.6"})
        assert rel.unit_data["mysql/0"]["allowed_units"] == "fixture-api/0 fixture-api/1"
    finally:
        session.__exit__(None, None, None)


def test_router_answers_its_principal_only_on_loopback(tmp_path: Path, monkeypatch):
    session, s, rel = _session(tmp_path, monkeypatch, "mysql-router")
    try:
        routers = s.model.app("mysql-router").units
        assert len(routers) == 2  # one subordinate per principal unit
        _send(s, rel, "fixture-api/1", {**PLAIN, **NOVA})
        router = next(u for u in routers if s.model.unit(u).principal == "fixture-api/1")
        data = rel.unit_data[router]
        assert (data["db_host"], data["db_port"]) == ("127.0.0.1", "3306")
        assert data["allowed_units"] == data["nova_allowed_units"] == "fixture-api/1"
        assert data["password"] and data["nova_password"]
        other = next(u for u in routers if u != router)
        assert "password" not in rel.unit_data[other]
        assert s.model.unit(other).workload["status"] == "waiting"
    finally:
        session.__exit__(None, None, None)


def test_router_has_no_real_backend(tmp_path: Path, monkeypatch):
    import pytest

    from charmsmith.errors import CharmsmithError

    with tool_session(tmp_path / "m", CHARM) as s, pytest.raises(CharmsmithError) as caught:
        s.model.deploy_peer("mysql-router", None, 1, "real")
    assert "mysql-router: backend 'real' is not available here" in str(caught.value)
