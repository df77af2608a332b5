"""hacluster CRM resources: VIPs (IPv4/IPv6), haproxy clone, removed VIPs, dns-ha."""

from __future__ import annotations

import json
from typing import Any

from reactive_openstack.charm import HAOpenStackCharm
from reactive_openstack.ha import (
    VIPS_KV_KEY,
    api_ports_to_check,
    configure_ha_resources,
    corosync_bind,
    crm_resources,
    hacluster_resources,
    haproxy_enabled,
    vip_resource_names,
)
from reactive_openstack.testing import FakeHost
from reactive_openstack.testing_interfaces import FakeHACluster

META = 'meta migration-threshold="INFINITY" failure-timeout="5s"'
VIP_OP = 'op monitor timeout="20s" interval="10s" depth="0"'
HAPROXY_ONLY = {
    "resources": {"res_congress_haproxy": "lsb:haproxy"},
    "resource_params": {"res_congress_haproxy": f'{META} op monitor interval="5s"'},
    "groups": {},
    "clones": {"cl_res_congress_haproxy": "res_congress_haproxy"},
    "init_services": ["haproxy"],
    "delete_resources": [],
}


class CongressCharm(HAOpenStackCharm):
    release = "yoga"
    name = "congress"
    api_ports = {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
    default_service = "congress-server"


def make_charm(config: dict[str, Any] | None = None, **host_args: Any) -> CongressCharm:
    return CongressCharm(
        release="yoga", host=FakeHost(unit_name="congress/0", config=config or {}, **host_args)
    )


def test_ipv4_vip_and_haproxy_clone() -> None:
    charm = make_charm({"vip": "10.5.100.1", "vip_iface": "eth1", "vip_cidr": 24})
    crm = hacluster_resources(charm, [])
    assert crm == {
        "resources": {
            "res_congress_eth1_vip": "ocf:heartbeat:IPaddr2",
            "res_congress_haproxy": "lsb:haproxy",
        },
        "resource_params": {
            "res_congress_eth1_vip": (
                f'params ip="10.5.100.1" nic="eth1" cidr_netmask="24" {META} {VIP_OP}'
            ),
            "res_congress_haproxy": f'{META} op monitor interval="5s"',
        },
        "groups": {"grp_congress_vips": "res_congress_eth1_vip"},
        "clones": {"cl_res_congress_haproxy": "res_congress_haproxy"},
        "init_services": ["haproxy"],
        "delete_resources": [],
    }


def test_ipv6_vip_uses_ipv6addr() -> None:
    crm = hacluster_resources(make_charm({"vip": "2001:db8::100"}), [])
    assert crm["resources"]["res_congress_eth0_ipv6addr_vip"] == "ocf:heartbeat:IPv6addr"
    assert crm["resource_params"]["res_congress_eth0_ipv6addr_vip"] == (
        f'params ipv6addr="2001:db8::100" nic="eth0" cidr_netmask="64" {META} {VIP_OP}'
    )
    assert crm["groups"] == {"grp_congress_vips": "res_congress_eth0_ipv6addr_vip"}


def test_without_vip_only_haproxy_and_no_stale_sections() -> None:
    assert hacluster_resources(make_charm(), []) == HAPROXY_ONLY


def test_cleared_vip_is_deleted() -> None:
    crm = hacluster_resources(make_charm({"vip": ""}), ["10.5.100.1"])
    assert crm == {**HAPROXY_ONLY, "delete_resources": ["res_congress_eth0_vip"]}


def test_changed_vip_keeps_the_name_and_does_not_delete_it() -> None:
    crm = hacluster_resources(make_charm({"vip": "10.5.100.2"}), ["10.5.100.1"])
    assert crm["delete_resources"] == []
    assert 'ip="10.5.100.2"' in crm["resource_params"]["res_congress_eth0_vip"]


def test_second_vip_on_the_same_nic_gets_an_address_derived_name() -> None:
    names = vip_resource_names("congress", ["10.5.100.1", "10.6.100.1", "fd00::1"], "eth0")
    assert names["10.5.100.1"] == "res_congress_eth0_vip"
    assert names["fd00::1"] == "res_congress_eth0_ipv6addr_vip"
    assert names["10.6.100.1"].startswith("res_congress_") and names["10.6.100.1"].endswith("_vip")
    assert len(set(names.values())) == 3
    # dropping the first VIP renames the survivor, so its old name must be deleted
    crm = hacluster_resources(make_charm({"vip": "10.6.100.1"}), ["10.5.100.1", "10.6.100.1"])
    assert crm["delete_resources"] == [names["10.6.100.1"]]


def test_dns_ha_resources_from_hostname_options() -> None:
    charm = make_charm(
        {
            "dns-ha": True,
            "os-public-hostname": "congress.example.com",
            "os-admin-hostname": "congress-admin.example.com",
        },
        bindings={"public": ("192.0.2.10", "192.0.2.0/24"), "admin": ("10.0.0.10", "10.0.0.0/24")},
    )
    crm = hacluster_resources(charm, [])
    assert crm["resources"]["res_congress_public_hostname"] == "ocf:maas:dns"
    assert crm["resource_params"]["res_congress_public_hostname"] == (
        'params fqdn="congress.example.com" ip_address="192.0.2.10"'
    )
    assert crm["resource_params"]["res_congress_admin_hostname"] == (
        'params fqdn="congress-admin.example.com" ip_address="10.0.0.10"'
    )
    assert crm["groups"] == {
        "grp_congress_hostnames": "res_congress_public_hostname res_congress_admin_hostname"
    }


def test_configure_publishes_json_once_and_deletes_a_changed_vip() -> None:
    charm = make_charm({"vip": "10.5.100.1", "vip_iface": "eth1"})
    ha = FakeHACluster()
    configure_ha_resources(charm, ha)
    assert ha.sent["corosync_bindiface"] == "eth1"
    assert ha.sent["corosync_mcastport"] == "4440"
    assert json.loads(ha.sent["json_groups"]) == {"grp_congress_vips": "res_congress_eth1_vip"}
    assert ha.sent["json_init_services"] == '["haproxy"]'
    sends = len(ha.sends)

    configure_ha_resources(charm, ha)  # nothing changed: nothing re-sent
    assert len(ha.sends) == sends

    charm.host.config_values["vip"] = ""
    configure_ha_resources(charm, ha)
    assert ha.resources()["delete_resources"] == ["res_congress_eth1_vip"]
    assert ha.resources()["groups"] == {}
    assert charm.host.kv[VIPS_KV_KEY] == []

    configure_ha_resources(charm, ha)  # the deletion was delivered; the next publish clears it
    assert ha.resources()["delete_resources"] == []


def test_crm_resources_tracks_published_vips() -> None:
    charm = make_charm({"vip": "10.5.100.1"})
    assert crm_resources(charm)["delete_resources"] == []
    charm.host.config_values["vip"] = "10.5.100.7 10.9.0.1"
    crm = crm_resources(charm)
    assert crm["delete_resources"] == []  # same name, new address
    charm.host.config_values["vip"] = ""
    assert crm_resources(charm)["delete_resources"] == [
        "res_congress_eth0_vip",
        vip_resource_names("congress", ["10.5.100.7", "10.9.0.1"], "eth0")["10.9.0.1"],
    ]


def test_corosync_bind_and_haproxy_helpers() -> None:
    assert corosync_bind(make_charm()) == (None, 4440)
    assert corosync_bind(make_charm({"ha-bindiface": "ens3", "ha-mcastport": 5405})) == (
        "ens3",
        5405,
    )
    charm = make_charm()
    assert haproxy_enabled(charm)
    assert api_ports_to_check(charm, ha_related=False) == [1779, 1789]
    assert api_ports_to_check(charm, ha_related=True) == [1779]
