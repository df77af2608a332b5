"""Endpoint address resolution: hostname override, VIP per network, binding address."""

from __future__ import annotations

from typing import Any

import pytest
from reactive_openstack._endpoints import (
    bracket,
    endpoint_url,
    endpoint_urls,
    is_ipv6,
    resolve_address,
)
from reactive_openstack.charm import HAOpenStackCharm
from reactive_openstack.testing import FakeHost


class CongressCharm(HAOpenStackCharm):
    release = "yoga"
    name = "congress"
    service_type = "policy"
    api_ports = {"congress-server": {"public": 1789, "admin": 1790, "internal": 1791}}
    default_service = "congress-server"


BINDINGS = {
    "public": ("192.0.2.10", "192.0.2.0/24"),
    "internal": ("10.0.0.10", "10.0.0.0/24"),
    "admin": ("10.0.0.10", "10.0.0.0/24"),
}


def make_charm(config: dict[str, Any] | None = None, **host_args: Any) -> CongressCharm:
    """A unit whose hacluster reports the cluster formed (VIPs count), unless flags say not."""
    host_args.setdefault("flags", ["ha.connected", "ha.available"])
    return CongressCharm(
        release="yoga", host=FakeHost(unit_name="congress/0", config=config or {}, **host_args)
    )


def test_without_vip_each_type_uses_its_binding_address() -> None:
    charm = make_charm(bindings=BINDINGS)
    assert endpoint_urls(charm) == {
        "public": "http://192.0.2.10:1789",
        "internal": "http://10.0.0.10:1791",
        "admin": "http://10.0.0.10:1790",
    }


def test_without_binding_the_unit_address_is_used() -> None:
    assert resolve_address(make_charm(), "public") == "10.0.0.10"


def test_vip_on_the_binding_network_wins() -> None:
    charm = make_charm({"vip": "10.0.0.100 192.0.2.100"}, bindings=BINDINGS)
    assert endpoint_urls(charm) == {
        "public": "http://192.0.2.100:1789",
        "internal": "http://10.0.0.100:1791",
        "admin": "http://10.0.0.100:1790",
    }


def test_os_network_option_selects_the_vip() -> None:
    charm = make_charm(
        {"vip": "10.0.0.100 198.51.100.100", "os-admin-network": "198.51.100.0/24"},
        bindings=BINDINGS,
    )
    assert resolve_address(charm, "admin") == "198.51.100.100"
    assert resolve_address(charm, "internal") == "10.0.0.100"


def test_first_vip_when_none_lies_in_the_network() -> None:
    charm = make_charm({"vip": "172.16.0.100 172.17.0.100"}, bindings=BINDINGS)
    assert resolve_address(charm, "public") == "172.16.0.100"
    assert resolve_address(make_charm({"vip": "172.16.0.100"}), "public") == "172.16.0.100"


def test_hostname_override_beats_the_vip_but_not_when_override_is_off() -> None:
    charm = make_charm(
        {"vip": "192.0.2.100", "os-public-hostname": "{service_name}.example.com"},
        bindings=BINDINGS,
    )
    assert endpoint_url(charm, "public") == "http://congress.example.com:1789"
    assert resolve_address(charm, "public", override=False) == "192.0.2.100"
    assert endpoint_url(charm, "internal") == "http://192.0.2.100:1791"


def test_endpoints_move_to_the_vip_and_back() -> None:
    charm = make_charm(bindings=BINDINGS)
    assert endpoint_url(charm, "internal") == "http://10.0.0.10:1791"
    charm.host.config_values["vip"] = "10.0.0.100"
    assert endpoint_url(charm, "internal") == "http://10.0.0.100:1791"
    charm.host.config_values["vip"] = ""
    assert endpoint_url(charm, "internal") == "http://10.0.0.10:1791"


def test_vip_is_advertised_only_once_hacluster_reports_the_cluster_formed() -> None:
    config = {"vip": "10.0.0.100"}
    assert resolve_address(make_charm(config, flags=[]), "internal") == "10.0.0.10"
    joined = make_charm(config, flags=["ha.connected"], bindings=BINDINGS)
    assert endpoint_url(joined, "internal") == "http://10.0.0.10:1791"
    joined.host.set_flag("ha.available")
    assert endpoint_url(joined, "internal") == "http://10.0.0.100:1791"


def test_ipv6_is_bracketed_and_tls_gives_https() -> None:
    charm = make_charm(bindings={"public": ("2001:db8::10", "2001:db8::/64")})
    assert endpoint_url(charm, "public") == "http://[2001:db8::10]:1789"
    charm.host.set_flag("ssl.enabled")
    assert endpoint_url(charm, "public") == "https://[2001:db8::10]:1789"
    configured = make_charm({"ssl_cert": "Y2VydA==", "ssl_key": "a2V5"})
    assert endpoint_url(configured, "admin").startswith("https://")


def test_ipv6_vip_selected_by_network() -> None:
    charm = make_charm(
        {"vip": "10.0.0.100 2001:db8::100"},
        bindings={"public": ("2001:db8::10", "2001:db8::/64")},
    )
    assert endpoint_url(charm, "public") == "http://[2001:db8::100]:1789"


def test_unknown_endpoint_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown endpoint type"):
        resolve_address(make_charm(), "private")


def test_bracket_helpers() -> None:
    assert bracket("fd00::1") == "[fd00::1]"
    assert bracket("[fd00::1]") == "[fd00::1]"
    assert bracket("10.0.0.1") == "10.0.0.1"
    assert bracket("host.example.com") == "host.example.com"
    assert is_ipv6("[fd00::1]") and not is_ipv6("") and not is_ipv6(None)
