"""What every interface layer does alike, checked once for all of them through real hooks.

A unit whose metadata declares the relation but that is not related raises none of its flags
and sends nothing, whichever hook runs; a requirer whose remote unit has joined with nothing but
its address is connected and no more.
"""

from __future__ import annotations

import pytest

from .harness import FakeJuju

# endpoint -> interface, as the charms that use each layer declare them
REQUIRES = {
    "identity-service": "keystone",
    "shared-db": "mysql-shared",
    "amqp": "rabbitmq",
    "ha": "hacluster",
    "ceph": "ceph-client",
    "certificates": "tls-certificates",
}
PEERS = {"cluster": "openstack-ha"}
DECLARED = [("requires", name) for name in REQUIRES] + [("peers", name) for name in PEERS]
# requirers that ask for nothing until the charm's handler does (ceph-client asks at once)
REMOTE_APP = {"identity-service": "keystone", "shared-db": "mysql", "amqp": "rabbitmq-server"}


@pytest.mark.parametrize("hook", ["install", "update-status"])
@pytest.mark.parametrize(("role", "endpoint"), DECLARED)
def test_no_relation_no_flags_and_nothing_sent(make_juju, hook, role, endpoint):
    interface = {**REQUIRES, **PEERS}[endpoint]
    juju: FakeJuju = make_juju(unit="congress/0", **{role: {endpoint: interface}})
    juju.run(hook)
    assert juju.flags_of(endpoint) == set()
    assert juju.relation_set_calls == []


@pytest.mark.parametrize("endpoint", sorted(REMOTE_APP))
def test_a_joined_remote_unit_makes_the_relation_connected_only(make_juju, endpoint):
    juju: FakeJuju = make_juju(unit="congress/0", requires={endpoint: REQUIRES[endpoint]})
    juju.joined(endpoint, REMOTE_APP[endpoint], "10.5.0.40")
    assert juju.flags_of(endpoint) == {f"{endpoint}.connected"}
