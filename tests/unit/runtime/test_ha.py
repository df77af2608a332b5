"""hacluster CRM resources as upstream builds them: VIPs on the interface of their network,
the vip_iface/vip_cidr fallback, IPv6, persisted deletions, names, all eleven sections."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reactive_openstack._ha import (
    CRM_SECTIONS,
    DELETIONS_KV_KEY,
    LEGACY_VIPS_KV_KEY,
    api_ports_to_check,
    configure_ha_resources,
    corosync_bind,
    crm_resources,
    hacluster_resources,
    haproxy_enabled,
    vip_settings,
)
from reactive_openstack.charm import HAOpenStackCharm
from reactive_openstack.testing import FakeHost
from reactive_openstack.testing_interfaces import FakeHACluster

META = 'meta migration-threshold="INFINITY" failure-timeout="5s"'
VIP_OP = 'op monitor timeout="20s" interval="10s" depth="0"'
EMPTY = {section: [] if section.endswith("services") else {} for section in CRM_SECTIONS}
EMPTY["delete_resources"] = []
HAPROXY_ONLY = {
    **EMPTY,
    "resources": {"res_congress_haproxy": "lsb:haproxy"},
    "resource_params": {"res_congress_haproxy": f'{META} op monitor interval="5s"'},
    "clones": {"cl_res_congress_haproxy": "res_congress_haproxy"},
    "init_services": ["haproxy"],
}
# a MAAS-like unit: no eth0, one interface per network
INTERFACES = {"ens3": ["10.5.100.10/24"], "ens4": ["192.0.2.10/24"], "ens5": ["2001:db8::10/64"]}


def sha(vip: str) -> str:
    return hashlib.sha1(vip.encode()).hexdigest()[:7]


class CongressCharm(HAOpenStackCharm):
    release = "yoga"
    name = "congress"
    api_ports = {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
    default_service = "congress-server"


class HyphenCharm(CongressCharm):
    name = "congress-api"


def make_charm(
    config: dict[str, Any] | None = None, cls: type = CongressCharm, **host_args: Any
) -> CongressCharm:
    host_args.setdefault("interfaces", INTERFACES)
    return cls(
        release="yoga", host=FakeHost(unit_name="congress/0", config=config or {}, **host_args)
    )


def test_vip_on_a_local_network_sends_only_ip_under_its_hash_name() -> None:
    charm = make_charm({"vip": "10.5.100.1", "vip_iface": "eth0", "vip_cidr": 16})
    assert vip_settings(charm, "10.5.100.1") == ("ens3", 24, False)
    crm = hacluster_resources(charm)
    name = f"res_congress_{sha('10.5.100.1')}_vip"
    assert crm["resources"][name] == "ocf:heartbeat:IPaddr2"
    assert crm["resource_params"][name] == f'params ip="10.5.100.1" {META} {VIP_OP}'
    assert crm["groups"] == {"grp_congress_vips": name}
    # the interface-named resource of older charms goes
    assert crm["delete_resources"] == ["res_congress_ens3_vip"]


def test_vip_on_no_local_network_falls_back_to_vip_iface_and_vip_cidr() -> None:
    charm = make_charm({"vip": "172.16.0.1", "vip_iface": "bond0", "vip_cidr": 22})
    assert vip_settings(charm, "172.16.0.1") == ("bond0", 22, True)
    crm = hacluster_resources(charm)
    assert crm["resources"]["res_congress_bond0_vip"] == "ocf:heartbeat:IPaddr2"
    assert crm["resource_params"]["res_congress_bond0_vip"] == (
        f'params ip="172.16.0.1" nic="bond0" cidr_netmask="22" {META} {VIP_OP}'
    )
    assert crm["delete_resources"] == []


def test_fallback_without_options_uses_eth0_and_24() -> None:
    crm = hacluster_resources(make_charm({"vip": "172.16.0.1"}))
    assert 'nic="eth0" cidr_netmask="24"' in crm["resource_params"]["res_congress_eth0_vip"]


def test_several_vips_on_different_networks_each_get_their_own_resource() -> None:
    crm = hacluster_resources(make_charm({"vip": "192.0.2.100 10.5.100.1"}))
    first, second = (
        f"res_congress_{sha('192.0.2.100')}_vip",
        f"res_congress_{sha('10.5.100.1')}_vip",
    )
    assert 'params ip="192.0.2.100" meta' in crm["resource_params"][first]
    assert 'params ip="10.5.100.1" meta' in crm["resource_params"][second]
    assert crm["groups"]["grp_congress_vips"] == " ".join(sorted([first, second]))
    assert crm["delete_resources"] == ["res_congress_ens4_vip", "res_congress_ens3_vip"]


def test_ipv6_vips_use_ipv6addr_detected_and_fallback() -> None:
    crm = hacluster_resources(make_charm({"vip": "2001:db8::100 2001:db9::1"}))
    detected = f"res_congress_{sha('2001:db8::100')}_vip"
    assert crm["resources"][detected] == "ocf:heartbeat:IPv6addr"
    assert crm["resource_params"][detected] == f'params ipv6addr="2001:db8::100" {META} {VIP_OP}'
    assert crm["resources"]["res_congress_eth0_ipv6addr_vip"] == "ocf:heartbeat:IPv6addr"
    assert crm["resource_params"]["res_congress_eth0_ipv6addr_vip"] == (
        f'params ipv6addr="2001:db9::1" nic="eth0" cidr_netmask="64" {META} {VIP_OP}'
    )
    assert crm["delete_resources"] == ["res_congress_ens5_ipv6addr_vip"]


def test_all_eleven_sections_are_sent_even_empty() -> None:
    assert hacluster_resources(make_charm()) == HAPROXY_ONLY
    ha = FakeHACluster()
    configure_ha_resources(make_charm(), ha)
    assert sorted(k for k in ha.sent if k.startswith("json_")) == sorted(
        f"json_{section}" for section in CRM_SECTIONS
    )
    assert ha.sent["json_ms"] == "{}" and ha.sent["json_systemd_services"] == "[]"


def test_upstream_names_for_a_hyphenated_charm() -> None:
    charm = make_charm(
        {
            "vip": "10.5.100.1",
            "dns-ha": True,
            "os-internal-hostname": "int.example.com",
            "os-access-hostname": "access.example.com",
            "access-network": "192.0.2.0/24",
        },
        cls=HyphenCharm,
    )
    crm = hacluster_resources(charm)
    assert crm["clones"] == {"cl_res_congress_api_haproxy": "res_congress_api_haproxy"}
    # VIP and group names keep the charm name as upstream's VirtualIP and add_vip write it
    assert f"res_congress-api_{sha('10.5.100.1')}_vip" in crm["resources"]
    assert crm["groups"]["grp_congress-api_hostnames"] == (
        "res_congress_api_access_hostname res_congress_api_int_hostname"
    )
    assert crm["resource_params"]["res_congress_api_access_hostname"] == (
        'params fqdn="access.example.com" ip_address="192.0.2.10"'
    )
    assert crm["resource_params"]["res_congress_api_int_hostname"] == (
        'params fqdn="int.example.com" ip_address="10.0.0.10"'
    )


def test_dns_ha_points_each_hostname_at_its_binding_address() -> None:
    charm = make_charm(
        {
            "dns-ha": True,
            "os-public-hostname": "congress.example.com",
            "os-admin-hostname": "congress-admin.example.com",
        },
        bindings={"public": ("192.0.2.10", "192.0.2.0/24"), "admin": ("10.0.0.10", "10.0.0.0/24")},
    )
    crm = hacluster_resources(charm)
    assert crm["resource_params"]["res_congress_public_hostname"] == (
        'params fqdn="congress.example.com" ip_address="192.0.2.10"'
    )
    assert crm["resources"]["res_congress_admin_hostname"] == "ocf:maas:dns"
    assert crm["groups"] == {
        "grp_congress_hostnames": "res_congress_admin_hostname res_congress_public_hostname"
    }


def test_deletions_persist_in_every_publish_until_the_name_is_wanted_again() -> None:
    charm = make_charm({"vip": "10.5.100.1", "vip_iface": "eth1"})
    ha = FakeHACluster()
    first = f"res_congress_{sha('10.5.100.1')}_vip"
    configure_ha_resources(charm, ha)
    assert ha.sent["corosync_bindiface"] == "eth1"
    assert ha.sent["corosync_mcastport"] == "4440"
    assert json.loads(ha.sent["json_groups"]) == {"grp_congress_vips": first}
    sends = len(ha.sends)
    configure_ha_resources(charm, ha)  # nothing changed: nothing re-sent
    assert len(ha.sends) == sends

    charm.host.config_values["vip"] = "10.5.100.2"
    configure_ha_resources(charm, ha)
    assert ha.resources()["delete_resources"] == ["res_congress_ens3_vip", first]
    for _ in range(2):  # later hooks: the deletion is still on the relation
        configure_ha_resources(charm, ha)
        assert first in ha.resources()["delete_resources"]
    assert first in charm.host.kv[DELETIONS_KV_KEY]

    charm.host.config_values["vip"] = ""  # the set changes again: both old names are deleted
    configure_ha_resources(charm, ha)
    second = f"res_congress_{sha('10.5.100.2')}_vip"
    assert {first, second} <= set(ha.resources()["delete_resources"])
    assert ha.resources()["groups"] == {}

    charm.host.config_values["vip"] = "10.5.100.1"  # wanted again: no longer deleted
    configure_ha_resources(charm, ha)
    assert first not in ha.resources()["delete_resources"]
    assert first in ha.resources()["resources"]


def test_names_published_by_earlier_versions_are_deleted_once_after_upgrade() -> None:
    charm = make_charm(
        {"vip": "10.5.100.1"}, cls=HyphenCharm, kv={LEGACY_VIPS_KV_KEY: ["10.5.100.1"]}
    )
    crm = crm_resources(charm)
    assert "cl_res_congress-api_haproxy" in crm["delete_resources"]
    assert "res_congress-api_eth0_vip" in crm["delete_resources"]
    assert crm["delete_resources"].index("cl_res_congress-api_haproxy") < crm[
        "delete_resources"
    ].index("res_congress-api_haproxy")
    assert LEGACY_VIPS_KV_KEY not in charm.host.kv


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
    charm.host.set_flag("ssl.enabled")  # haproxy terminates TLS: the API stays on N-10
    assert api_ports_to_check(charm, ha_related=False) == [1779, 1789]
