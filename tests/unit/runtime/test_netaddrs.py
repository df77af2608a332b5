"""Local interface addresses: which interface carries a network, and peer addresses that
honour os-<type>-network as charm-helpers' get_relation_ip(binding, cidr) does."""

from __future__ import annotations

from typing import Any

from reactive_openstack import _netaddrs as netaddrs
from reactive_openstack.adapters import cluster_hosts
from reactive_openstack.charm import HAOpenStackCharm
from reactive_openstack.testing import FakeHost
from reactive_openstack.testing_interfaces import FakeOpenStackHAPeers

IF_INET6 = (
    "20010db8000000000000000000000010 02 40 00 80     ens3\n"
    "fe800000000000000000000000000001 02 40 20 80     ens3\n"
    "00000000000000000000000000000001 01 80 10 80       lo\n"
    "garbage\n"
)
ADDRESSES = [("ens3", "10.0.0.10", 24), ("ens4", "192.0.2.10", 26), ("ens3", "2001:db8::10", 64)]


class CongressCharm(HAOpenStackCharm):
    release = "yoga"
    name = "congress"
    api_ports = {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
    default_service = "congress-server"


def make_charm(config: dict[str, Any], **host_args: Any) -> CongressCharm:
    host = FakeHost(unit_name="congress/0", config=config, **host_args)
    return CongressCharm(release="yoga", host=host)


def test_if_inet6_keeps_global_and_loopback_addresses_not_link_local() -> None:
    assert netaddrs.parse_if_inet6(IF_INET6) == [("ens3", "2001:db8::10", 64), ("lo", "::1", 128)]


def test_interface_for_finds_the_interface_and_prefix_of_the_network() -> None:
    assert netaddrs.interface_for(ADDRESSES, "192.0.2.50") == ("ens4", 26)
    assert netaddrs.interface_for(ADDRESSES, "192.0.2.100") is None  # outside the /26
    assert netaddrs.interface_for(ADDRESSES, "2001:db8::100") == ("ens3", 64)
    assert netaddrs.interface_for(ADDRESSES, "not-an-ip") is None


def test_local_addresses_of_this_machine_include_loopback() -> None:
    assert netaddrs.interface_for(netaddrs.local_addresses(), "127.0.0.2") is not None


def test_update_peers_publishes_the_address_on_os_network() -> None:
    charm = make_charm(
        {"os-public-network": "192.0.2.0/24"},
        bindings={"public": ("10.0.0.10", "10.0.0.0/24"), "admin": ("10.0.0.10", "10.0.0.0/24")},
        interfaces={"ens3": ["10.0.0.10/24"], "ens4": ["192.0.2.10/24"]},
    )
    peers = FakeOpenStackHAPeers()
    charm.update_peers(peers)
    assert peers.sent == {"public-address": "192.0.2.10", "admin-address": "10.0.0.10"}


def test_os_network_without_a_local_interface_keeps_the_binding_address() -> None:
    charm = make_charm(
        {"os-public-network": "198.51.100.0/24"},
        bindings={"public": ("10.0.0.10", "10.0.0.0/24")},
    )
    peers = FakeOpenStackHAPeers()
    charm.update_peers(peers)
    assert peers.sent == {"public-address": "10.0.0.10"}


def test_haproxy_backends_on_os_network_use_the_local_address_there() -> None:
    charm = make_charm(
        {"os-public-network": "192.0.2.0/24"},
        bindings={"cluster": ("10.0.0.10", "10.0.0.0/24"), "public": ("10.0.0.10", "10.0.0.0/24")},
        interfaces={"ens3": ["10.0.0.10/24"], "ens4": ["192.0.2.10/24"]},
    )
    peers = FakeOpenStackHAPeers(
        peers={"congress/1": {"private-address": "10.0.0.11", "public-address": "192.0.2.11"}}
    )
    hosts = cluster_hosts(charm, peers)
    assert hosts["192.0.2.10"] == {
        "network": "192.0.2.0/24",
        "backends": {"congress-0": "192.0.2.10", "congress-1": "192.0.2.11"},
    }


def test_catalog_address_without_vip_is_the_local_address_on_os_network() -> None:
    from reactive_openstack._endpoints import resolve_address

    charm = make_charm(
        {"os-admin-network": "192.0.2.0/24"},
        bindings={"admin": ("10.0.0.10", "10.0.0.0/24"), "public": ("10.0.0.10", "10.0.0.0/24")},
        interfaces={"ens3": ["10.0.0.10/24"], "ens4": ["192.0.2.10/24"]},
    )
    assert resolve_address(charm, "admin") == "192.0.2.10"
    assert resolve_address(charm, "public") == "10.0.0.10"
