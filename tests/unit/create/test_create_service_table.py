"""The one OpenStack service table: create's ports, clash warnings and keystone's names from it."""

from __future__ import annotations

import pytest

from charmsmith import keystone_services, openstack_services
from charmsmith.create import answers, defaults
from charmsmith.openstack_services import SERVICES


def test_names_and_ports_are_unique():
    names = [s.name for s in SERVICES]
    ports = [s.port for s in SERVICES if s.port is not None]
    assert len(set(names)) == len(names)
    assert len(set(ports)) == len(ports)  # else one owner would silently hide the other
    assert all(s.port is not None for s in SERVICES if not s.propose_port)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_create_proposes_the_port_of_the_table_row(service: openstack_services.Service):
    got = answers.resolve_upto({"charm_name": service.name}, "port")
    expected = service.port if service.propose_port and service.port else defaults.DEFAULT_PORT
    assert got["port"] == expected


@pytest.mark.parametrize("service", [s for s in SERVICES if s.port], ids=lambda s: s.name)
def test_every_known_port_warns_of_a_clash_naming_its_owner(service: openstack_services.Service):
    warnings = answers.resolve({"charm_name": "widget", "port": service.port}).warnings
    assert f"port: {service.port} is the well-known port of OpenStack {service.name}" in warnings
    shifted = answers.resolve({"charm_name": "widget", "port": service.port + 10}).warnings
    assert any(f"listens on {service.port}, the well-known port" in w for w in shifted)


def test_keystone_registers_exactly_the_rows_with_a_catalog_type():
    assert keystone_services.SERVICE_TYPES == {
        s.name: s.catalog_type for s in SERVICES if s.catalog_type
    }
    assert keystone_services.catalog_type("cinder") == "volume"
    assert keystone_services.catalog_type("sahara") is None  # a port, not a keystone name


def test_the_codename_table_starts_at_the_rows_anchor():
    octavia = openstack_services.majors("octavia")
    assert octavia == openstack_services.Majors("pike", 1)
    table, known = defaults.codenames("octavia-api", "ocata")
    assert known and table[0] == ("1", "pike")  # nothing before the project existed
