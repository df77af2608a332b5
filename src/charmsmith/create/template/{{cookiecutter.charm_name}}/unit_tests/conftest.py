{% set c = cookiecutter | charmsmith %}
"""What the {{ c.name }} tests share: its relations as the peers fill them, its config.

The unit itself (a FakeHost made the charm's host, in-memory reactive flags, which handlers
run) comes from the runtime's pytest plugin, reactive_openstack.testing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest
{% if c.ceph_pools %}
from reactive_openstack.testing_ceph import FakeCephClient
{% endif %}
from reactive_openstack.testing_interfaces import (
    FakeKeystone,
    FakeMySQLShared,
    FakeRabbitMQ,
    keystone_data,
)

CHARM = "{{ c.name }}"
UNIT = f"{CHARM}/0"
RELATIONS = ("shared-db", "amqp", "identity-service")
DB_HOST = "10.0.0.20"
RABBIT_HOST = "10.0.0.30"
{% if c.ceph_pools %}
CEPH_MONS = ["10.0.0.42", "10.0.0.40", "10.0.0.41"]
{% endif %}


def charm_module() -> ModuleType:
    return importlib.import_module("charm.openstack.{{ c.ident }}")


def handlers_module() -> ModuleType:
    return importlib.import_module("{{ c.ident }}_handlers")


def make_relations() -> dict[str, object]:
    """Complete relation data, as the peers send it once they have done their part."""
    return {
        "shared-db": FakeMySQLShared(
            database=CHARM,
            username=CHARM,
            db_host=DB_HOST,
            password="db-secret",
            allowed_units=UNIT,
        ),
        "amqp": FakeRabbitMQ(
            username=CHARM, vhost="openstack", hosts=[RABBIT_HOST], password="rabbit-secret"
        ),
        "identity-service": FakeKeystone(**keystone_data(service_username=CHARM)),
    }


{% if c.ceph_pools %}
def granted_ceph() -> FakeCephClient:
    """A ceph relation whose mons answered and whose broker created every pool."""
    ceph = FakeCephClient()
    for pool in charm_module().{{ c.class_name }}.ceph_pools:
        ceph.create_replicated_pool(pool.name, replicas=pool.replicas, app_name=pool.app_name)
    ceph.answer_keys(CEPH_MONS)
    ceph.grant()
    return ceph


{% endif %}
def relation_flags(*relations: str) -> set[str]:
    """The flags the interface layers raise for fully joined, complete relations."""
    return {f"{rel}.{state}" for rel in relations for state in ("connected", "available")}


@pytest.fixture
def unit_config(unit_config):
    """config.yaml's defaults and the options of the layers the templates read."""
    return {**unit_config, "debug": False, "region": "RegionOne"}


@pytest.fixture
def unit_series():
    return "{{ c.bundle.series }}"
{% if c.ceph_pools %}


@pytest.fixture
def make_unit_host(make_unit_host):
    """Ceph is ready in every test but test_{{ c.ident }}_ceph.py's, which starts without it."""

    def make(**kwargs):
        host = make_unit_host(**kwargs)
        ceph = granted_ceph()
        host.endpoints["ceph"] = ceph
        ceph.sync_flags(host)
        return host

    return make
{% endif %}
