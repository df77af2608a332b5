"""hacluster interface: flags raised and keys sent, driven through real hooks."""

from __future__ import annotations

import json

import pytest

from .harness import FakeJuju

EP = "ha"

CRM = {
    "resources": {
        "res_congress_eth0_vip": "ocf:heartbeat:IPaddr2",
        "res_congress_haproxy": "lsb:haproxy",
    },
    "resource_params": {
        "res_congress_eth0_vip": 'params ip="10.5.0.100" nic="eth0" cidr_netmask="24"',
        "res_congress_haproxy": 'op monitor interval="5s"',
    },
    "clones": {"cl_res_congress_haproxy": "res_congress_haproxy"},
    "init_services": ["haproxy"],
}


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit="congress/0", requires={EP: "hacluster"})


def related(juju: FakeJuju, data: dict | None = None) -> str:
    rid = juju.relate(EP, "hacluster")
    juju.join(rid, "hacluster/0", {"private-address": "10.5.0.10", **(data or {})})
    return rid


def test_joined_is_connected(juju: FakeJuju) -> None:
    related(juju)
    assert juju.flags_of(EP) == {f"{EP}.connected"}


@pytest.mark.parametrize("value", ["true", "True", "yes", "YES", " Yes ", json.dumps("true")])
def test_clustered_values(juju: FakeJuju, value: str) -> None:
    related(juju, {"clustered": value})
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}


@pytest.mark.parametrize("value", ["false", "no", "", "1", "maybe", "{", "null", "truthy"])
def test_not_clustered_values(juju: FakeJuju, value: str) -> None:
    related(juju, {"clustered": value})
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_cluster_lost_and_departed(juju: FakeJuju) -> None:
    rid = related(juju, {"clustered": "yes"})
    juju.change(rid, "hacluster/0", {"clustered": None})
    assert juju.flags_of(EP) == {f"{EP}.connected"}
    juju.change(rid, "hacluster/0", {"clustered": "yes"})
    juju.depart(rid, "hacluster/0")
    assert juju.flags_of(EP) == set()


def test_broken_clears_everything(juju: FakeJuju) -> None:
    rid = related(juju, {"clustered": "yes"})
    juju.break_(rid)
    assert juju.flags_of(EP) == set()


def test_bind_on_defaults_and_change_detection(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.run("config-changed", body=lambda h: h.endpoint(EP).bind_on(iface="eth0"))
    local = juju.local_data(rid)
    assert local["corosync_bindiface"] == "eth0"
    assert local["corosync_mcastport"] == "4440"
    juju.run("config-changed", body=lambda h: h.endpoint(EP).bind_on(iface="eth0"))
    assert len(juju.sent(rid)) == 1
    juju.run("config-changed", body=lambda h: h.endpoint(EP).bind_on(mcastport=4441))
    local = juju.local_data(rid)
    assert "corosync_bindiface" not in local
    assert local["corosync_mcastport"] == "4441"


def test_publish_resources_sorted_json_only_when_changed(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.run(
        "ha-relation-changed", rid, "hacluster/0", lambda h: h.endpoint(EP).publish_resources(CRM)
    )
    local = juju.local_data(rid)
    for section, value in CRM.items():
        assert local[f"json_{section}"] == json.dumps(value, sort_keys=True)
        assert json.loads(local[f"json_{section}"]) == value
    assert "json_groups" not in local
    # same content in another key order: byte-equal encoding, so nothing is sent
    reordered = {key: CRM[key] for key in reversed(list(CRM))}
    reordered["resources"] = dict(reversed(list(CRM["resources"].items())))
    juju.run("config-changed", body=lambda h: h.endpoint(EP).publish_resources(reordered))
    assert len(juju.sent(rid)) == 1
    # one changed section: one relation-set carrying the new value
    juju.run(
        "config-changed",
        body=lambda h: h.endpoint(EP).publish_resources({"delete_resources": ["res_old"]}),
    )
    assert len(juju.sent(rid)) == 2
    assert juju.local_data(rid)["json_delete_resources"] == '["res_old"]'
    assert juju.local_data(rid)["json_resources"] == json.dumps(CRM["resources"], sort_keys=True)


def test_publish_resources_rejects_unknown_section(juju: FakeJuju) -> None:
    rid = related(juju)
    with pytest.raises(ValueError, match="resourcez"):
        juju.run(
            "config-changed", body=lambda h: h.endpoint(EP).publish_resources({"resourcez": {}})
        )
    assert juju.sent(rid) == []


def test_is_clustered_accessor_on_empty_data(juju: FakeJuju) -> None:
    related(juju)
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).is_clustered() is False
