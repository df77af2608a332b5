"""Peers' side of DESIGN.md §4 — what they hand out and when."""

from __future__ import annotations

import json
from pathlib import Path

from charmsmith.model.harness import tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
KEYSTONE_BASE = [
    "service_host",
    "service_protocol",
    "service_port",
    "auth_host",
    "auth_protocol",
    "auth_port",
    "service_tenant",
    "service_username",
    "service_password",
    "service_tenant_id",
]


def _related(tmp_path: Path, peer: str, units: int = 1):
    session = tool_session(tmp_path / "m", CHARM, units=units)
    s = session.__enter__()
    s.model.deploy_peer(peer, None, 1, "emulated")
    rel = s.model.relate("fixture-api", peer)
    return session, s, rel


def _send(s, rel, unit: str, data: dict[str, str]) -> None:
    rel["unit_data"][unit] = {**rel["unit_data"].get(unit, {}), **data}
    s.model._changed(rel, "fixture-api", unit)


def test_keystone(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("charmsmith.model.network.add_bridge_address", lambda *a: None)
    session, s, rel = _related(tmp_path, "keystone")
    try:
        assert set(rel["unit_data"]["keystone/0"]) == {
            "private-address",
            "ingress-address",
            "egress-subnets",
        }  # nothing before asked
        _send(
            s,
            rel,
            "fixture-api/0",
            {
                "service": "fixture",
                "region": "RegionOne",
                "public_url": "http://203.0.113.2:8080",
                "internal_url": "http://203.0.113.2:8080",
                "admin_url": "http://203.0.113.2:8080",
            },
        )
        data = rel["unit_data"]["keystone/0"]
        assert all(data.get(k) for k in KEYSTONE_BASE)
        assert data["service_tenant"] == "services" and data["api_version"] == "3"
        assert data["service_host"] == s.model.unit("keystone/0")["address"]
        password = data["service_password"]
        catalog = s.model.peer("keystone").catalog()
        assert catalog["fixture"]["admin_url"] == "http://203.0.113.2:8080"
        # the password is in the 0600 state only, never in logs
        s.model.store.save()
        assert password in (s.model.store.path / "state.json").read_text()
        log = s.model.store.path / "debug-log.txt"
        assert not log.exists() or password not in log.read_text()
        # credentials-only consumers get no catalog entry
        _send(s, rel, "fixture-api/0", {"public_url": "None"})
        assert rel["unit_data"]["keystone/0"]["service_password"] == password
    finally:
        session.__exit__(None, None, None)


def test_mysql_allowed_units_and_prefixes(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("charmsmith.model.network.add_bridge_address", lambda *a: None)
    session, s, rel = _related(tmp_path, "mysql", units=2)
    try:
        _send(
            s,
            rel,
            "fixture-api/0",
            {
                "database": "fixture",
                "username": "fixture",
                "nova_database": "nova",
                "nova_username": "nova",
            },
        )
        data = rel["unit_data"]["mysql/0"]
        assert data["allowed_units"] == "fixture-api/0"
        assert data["nova_allowed_units"] == "fixture-api/0" and data["nova_password"]
        assert data["db_host"] == s.model.unit("mysql/0")["address"]
        _send(s, rel, "fixture-api/1", {"database": "fixture", "username": "fixture"})
        assert rel["unit_data"]["mysql/0"]["allowed_units"] == "fixture-api/0 fixture-api/1"
        assert rel["unit_data"]["mysql/0"]["password"] == data["password"]
    finally:
        session.__exit__(None, None, None)


def test_rabbitmq(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("charmsmith.model.network.add_bridge_address", lambda *a: None)
    session, s, rel = _related(tmp_path, "rabbitmq")
    try:
        assert "password" not in rel["unit_data"]["rabbitmq/0"]
        _send(s, rel, "fixture-api/0", {"username": "fixture", "vhost": "openstack"})
        data = rel["unit_data"]["rabbitmq/0"]
        assert data["password"] and data["private-address"] == s.model.unit("rabbitmq/0")["address"]
    finally:
        session.__exit__(None, None, None)


def test_hacluster(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("charmsmith.model.network.add_bridge_address", lambda *a: None)
    session, s, rel = _related(tmp_path, "hacluster")
    try:
        resources = {"res_fixture_eth0_vip": "ocf:heartbeat:IPaddr2"}
        _send(
            s,
            rel,
            "fixture-api/0",
            {
                "corosync_bindiface": "eth0",
                "corosync_mcastport": "4440",
                "json_resources": json.dumps(resources, sort_keys=True),
            },
        )
        assert rel["unit_data"]["hacluster/0"]["clustered"] == "yes"
        recorded = s.model.app("hacluster")["peer_state"]["resources"]["fixture-api/0"]
        assert recorded["resources"] == resources and recorded["corosync_mcastport"] == "4440"
    finally:
        session.__exit__(None, None, None)


def test_requested_vips_parses_crm_params():
    from charmsmith.model.peers.hacluster import requested_vips

    sections = {
        "resources": {"res_x_eth0_vip": "ocf:heartbeat:IPaddr2", "res_x_haproxy": "lsb:haproxy"},
        "resource_params": {
            "res_x_eth0_vip": 'params ip="198.51.100.250" nic="eth0" cidr_netmask="24" '
            'op monitor timeout="20s" interval="10s" depth="0"',
            "res_x_haproxy": 'op monitor interval="5s"',
        },
    }
    assert requested_vips(sections) == {"198.51.100.250": 24}
