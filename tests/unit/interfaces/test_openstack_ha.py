"""openstack-ha peer interface: flags raised and keys sent, driven through real hooks."""

from __future__ import annotations

import json

import pytest

from .harness import FakeJuju

EP = "cluster"


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit="congress/0", peers={EP: "openstack-ha"})


def test_single_unit_has_no_flags(juju: FakeJuju) -> None:
    juju.relate(EP, "congress")  # a peer relation exists from the start, with no peers
    juju.run("install")
    assert juju.flags_of(EP) == set()


def test_peer_with_address_is_available(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "congress")
    juju.join(rid, "congress/1", {"private-address": "10.5.0.11"})
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}


@pytest.mark.parametrize("data", [{}, {"private-address": ""}, {"private-address": " "}])
def test_peer_without_address_is_only_connected(juju: FakeJuju, data: dict) -> None:
    rid = juju.relate(EP, "congress")
    juju.join(rid, "congress/1", data)
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_departures_recompute(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "congress")
    juju.join(rid, "congress/1", {"private-address": "10.5.0.11"})
    juju.join(rid, "congress/2", {})
    juju.depart(rid, "congress/1")
    assert juju.flags_of(EP) == {f"{EP}.connected"}
    juju.depart(rid, "congress/2")
    assert juju.flags_of(EP) == set()


def test_ip_map_sorted_by_unit_number(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "congress")
    juju.join(rid, "congress/10", {"private-address": "10.5.0.20", "public-address": "192.0.2.20"})
    juju.join(rid, "congress/2", {"private-address": "10.5.0.12"})
    juju.join(rid, "congress/3", {"private-address": json.dumps("10.5.0.13")})
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.ip_map() == [
            ("congress-2", "10.5.0.12"),
            ("congress-3", "10.5.0.13"),
            ("congress-10", "10.5.0.20"),
        ]
        assert ep.ip_map(address_key="public-address") == [("congress-10", "192.0.2.20")]
        assert ep.peer_addresses("private-address") == ["10.5.0.12", "10.5.0.13", "10.5.0.20"]
        assert ep.peer_addresses("admin-address") == []


def test_set_address_only_when_changed(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "congress")
    juju.join(rid, "congress/1", {"private-address": "10.5.0.11"})

    def publish(h) -> None:
        h.endpoint(EP).set_address("public", "192.0.2.10")
        h.endpoint(EP).set_address("internal", "10.5.0.10")

    juju.run("cluster-relation-changed", rid, "congress/1", publish)
    juju.run("config-changed", body=publish)
    assert len(juju.sent(rid)) == 1
    local = juju.local_data(rid)
    assert local["public-address"] == "192.0.2.10"
    assert local["internal-address"] == "10.5.0.10"
    juju.run("config-changed", body=lambda h: h.endpoint(EP).set_address("public", "192.0.2.11"))
    assert len(juju.sent(rid)) == 2
    assert juju.local_data(rid)["public-address"] == "192.0.2.11"


def test_set_address_without_peers_is_harmless(juju: FakeJuju) -> None:
    juju.run("install", body=lambda h: h.endpoint(EP).set_address("public", "192.0.2.10"))
    assert juju.relation_set_calls == []


def test_broken_clears_everything(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "congress")
    juju.join(rid, "congress/1", {"private-address": "10.5.0.11"})
    juju.break_(rid)
    assert juju.flags_of(EP) == set()
