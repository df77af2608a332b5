"""charm-keystone's identity-service rules (peers/keystone_rules.py) and the peer applying them."""

from __future__ import annotations

from pathlib import Path

from charmsmith.model.harness import tool_session
from charmsmith.model.peers.keystone_rules import decide

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
URL = "http://203.0.113.2:8080"
FULL = {"service": "glance", "region": "RegionOne"} | {
    f"{kind}_url": URL for kind in ("public", "internal", "admin")
}
JUJU = {"private-address": "198.18.0.9", "ingress-address": "198.18.0.9"}


def test_complete_request_registers_and_gets_credentials_with_the_listed_type():
    decision = decide({**FULL, **JUJU, "requested_roles": "member,reader"})
    assert decision.credentials and decision.service_username == "glance"
    assert decision.service_type == "image" and decision.requested_roles == ("member", "reader")
    assert [e.service for e in decision.endpoints] == ["glance"]


def test_none_value_gets_addresses_only_and_no_registration():
    decision = decide({**FULL, "admin_url": "None"})
    assert not decision.credentials and decision.addresses_only and not decision.endpoints
    assert decision.service_type == "image"
    # the type is looked up by the text before the first '_' and an unknown name is no error
    assert decide({**FULL, "service": "glance_v2", "public_url": "None"}).service_type == "image"
    assert not decide({**FULL, "service": "mystery", "public_url": "None"}).refused


def test_missing_one_of_the_five_keys_gets_nothing():
    for key in FULL:
        partial = {k: v for k, v in FULL.items() if k != key}
        decision = decide({**partial, **JUJU})
        assert not decision.answers and not decision.endpoints and not decision.refused, key


def test_prefixed_groups_split_at_the_first_underscore():
    both = {f"{svc}_{key}": v for svc in ("nova", "ec2") for key, v in FULL.items()}
    both["nova_service"], both["ec2_service"] = "nova", "ec2"
    decision = decide(both)
    assert decision.service_username == "ec2_nova" and decision.service_type == "ec2"
    # a prefix holding '_' is cut at its first '_': the group is incomplete, nothing is sent
    odd = {f"nova_api_{key}": v for key, v in FULL.items()}
    assert not decide(odd).answers


def test_a_none_value_beside_complete_groups_registers_but_sends_no_credentials():
    groups = {f"nova_{key}": v for key, v in FULL.items()} | {"nova_service": "nova"}
    decision = decide({**groups, "requested_roles": "None", "nova_admin_url": "None"})
    assert [e.service for e in decision.endpoints] == ["nova"] and not decision.answers


def test_unlisted_service_is_refused():
    assert decide({**FULL, "service": "fixture"}).refused == ("fixture",)


def _session(tmp_path: Path, monkeypatch, units: int = 1):
    session = tool_session(tmp_path / "m", CHARM)
    s = session.__enter__()
    s.model.deploy_peer("keystone", None, units, "emulated")
    rel = s.model.relate("fixture-api", "keystone")
    return session, s, rel


def _send(s, rel, data: dict[str, str]) -> None:
    rel.unit_data["fixture-api/0"] = {**rel.unit_data["fixture-api/0"], **data}
    s.model._changed(rel, "fixture-api", "fixture-api/0")


def test_only_the_leader_answers_with_the_real_key_set(tmp_path: Path, monkeypatch):
    session, s, rel = _session(tmp_path, monkeypatch, units=2)
    try:
        _send(s, rel, FULL)
        leader = rel.unit_data["keystone/0"]
        assert s.model.is_leader("keystone/0")
        assert set(rel.unit_data["keystone/1"]) == {
            "private-address",
            "ingress-address",
            "egress-subnets",
        }
        for key in ("internal_host", "internal_port", "internal_protocol", "service_type"):
            assert leader[key], key
        assert leader["service_user_id"] and leader["admin_role"] == "Admin"
        assert leader["service_type"] == "image"
        assert not {"region", "public-auth-url", "internal-auth-url", "admin-auth-url"} & set(
            leader
        )
    finally:
        session.__exit__(None, None, None)


def test_credentials_only_consumer_gets_no_password(tmp_path: Path, monkeypatch):
    session, s, rel = _session(tmp_path, monkeypatch)
    try:
        _send(s, rel, {**FULL, "public_url": "None"})
        data = rel.unit_data["keystone/0"]
        assert data["region"] == "RegionOne" and data["service_host"]
        assert "service_password" not in data and "service_username" not in data
        assert s.model.peer("keystone").catalog() == {}
    finally:
        session.__exit__(None, None, None)


def test_nothing_before_the_database_is_ready_then_every_consumer(tmp_path: Path, monkeypatch):
    from charmsmith.model.peers.keystone import EmulatedKeystone

    ready = {"now": False}
    monkeypatch.setattr(EmulatedKeystone, "database_ready", lambda self: ready["now"])
    session, s, rel = _session(tmp_path, monkeypatch)
    try:
        _send(s, rel, FULL)
        assert "service_password" not in rel.unit_data["keystone/0"]
        assert s.model.peer("keystone").catalog() == {}
        ready["now"] = True  # db-initialised: the next keystone hook answers everyone
        s.model.peer_respond(rel, "keystone")
        assert rel.unit_data["keystone/0"]["service_password"]
    finally:
        session.__exit__(None, None, None)
