{% set c = cookiecutter | charmsmith %}
"""Shared set-up: the unit's import paths, in-memory reactive state and a fake unit.

Nothing here touches the machine: the charm talks to a FakeHost (files, packages, services and
hook tools in memory) and to fake relations, so the tests check what a hook would *do*.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest
from charmhelpers.core import unitdata
from reactive_openstack.testing import FakeHost
{% if c.ceph_pools %}
from reactive_openstack.testing_ceph import FakeCephClient
{% endif %}
from reactive_openstack.testing_interfaces import (
    FakeKeystone,
    FakeMySQLShared,
    FakeRabbitMQ,
    keystone_data,
)

from . import CHARM_DIR

CHARM = "{{ c.name }}"
UNIT = f"{CHARM}/0"
RELATIONS = ("shared-db", "amqp", "identity-service")
CONFIG = {
    "openstack-origin": "{{ c.origin }}",
    "debug": False,
    "region": "RegionOne",
}
OS_RELEASE = b"ID=ubuntu\nVERSION_CODENAME={{ c.bundle.series }}\n"
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
def registry():
    return charm_module().registry


@pytest.fixture
def make_host(registry):
    """Build a FakeHost for a unit of this charm and make it the registry's host."""

    def make(leader: bool = True, **kwargs) -> FakeHost:
        host = FakeHost(
            config=dict(CONFIG),
            leader=leader,
            unit_name=UNIT,
            charm_dir=str(CHARM_DIR),
            files={"/etc/os-release": OS_RELEASE},
            **kwargs,
        )
        registry.host = host
{% if c.ceph_pools %}
        # Ceph is ready in every test but test_{{ c.ident }}_ceph.py's, which starts without it.
        ceph = granted_ceph()
        host.endpoints["ceph"] = ceph
        ceph.sync_flags(host)
{% endif %}
        return host

    return make


@pytest.fixture
def host(make_host) -> FakeHost:
    return make_host()


@pytest.fixture
def reactive_state():
    """A fresh, in-memory charms.reactive flag store, in the dispatch phase flag handlers run."""
    unitdata._KV = None
    store = unitdata.kv()
    store.set("reactive.dispatch.phase", "other")
    yield store
    unitdata._KV = None
