"""Subnet choice: the model's bridge must never shadow a network or address the host relies on."""

from __future__ import annotations

import ipaddress

import pytest

from charmsmith.errors import CharmsmithError
from charmsmith.model import network


@pytest.fixture()
def host(monkeypatch: pytest.MonkeyPatch):
    """A host whose routes and egress addresses the test sets."""
    seen = {"routes": [], "egress": []}
    monkeypatch.delenv("CHARMSMITH_SUBNET", raising=False)
    monkeypatch.setattr(
        network, "host_networks", lambda: [ipaddress.ip_network(n) for n in seen["routes"]]
    )
    monkeypatch.setattr(
        network, "egress_addresses", lambda: [ipaddress.ip_address(a) for a in seen["egress"]]
    )
    return seen


def test_first_free_documentation_range_wins(host):
    host["routes"] = ["192.0.2.0/24", "10.255.255.0/24"]
    assert network.pick_subnet() == "198.51.100.0/24"


def test_range_holding_the_package_proxy_is_skipped(host):
    # this sandbox resolves pypi.org to 203.0.113.80 and routes it via the default gateway
    host["routes"] = ["192.0.2.0/24", "198.51.100.0/24"]
    host["egress"] = ["203.0.113.80", "10.255.255.53"]
    assert network.pick_subnet() == "198.18.0.0/24"


def test_every_range_taken_is_one_clear_error(host):
    host["routes"] = [*network.CANDIDATE_SUBNETS]
    with pytest.raises(CharmsmithError, match="CHARMSMITH_SUBNET"):
        network.pick_subnet()


def test_egress_addresses_reads_nameservers(monkeypatch: pytest.MonkeyPatch, tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("# comment\nnameserver 10.255.255.53\nnameserver fd00::1\nsearch x\n")
    real_path = network.Path
    monkeypatch.setattr(
        network, "Path", lambda p: resolv if p == "/etc/resolv.conf" else real_path(p)
    )
    monkeypatch.setattr(network, "EGRESS_HOSTS", ())
    assert network.egress_addresses() == [ipaddress.IPv4Address("10.255.255.53")]
