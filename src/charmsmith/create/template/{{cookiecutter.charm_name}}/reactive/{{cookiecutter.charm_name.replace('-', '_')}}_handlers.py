{% set c = cookiecutter | charmsmith %}
"""Reactive handlers of the {{ c.name }} charm.

The runtime's default handlers install the packages, request the database, message queue and
keystone endpoints, and run HA. This module adds the one step specific to the charm: once all
three relations are complete, render the config files, sync the database (leader only) and
report status. Every handler skips update-status, which only re-assesses status.
{% if c.certificates %}

With certificates from the ``certificates`` relation (or the ``ssl_*`` options) haproxy serves
HTTPS on the API port of every unit, and keystone gets https URLs (reactive_openstack.tls).
{% endif %}
{% if c.ceph_pools %}

The ``ceph`` relation asks ceph-mon's broker for the pools as it joins; the render writes
/etc/ceph/ceph.conf and the client keyring before the config that uses them
(reactive_openstack.ceph).
{% endif %}
"""

from __future__ import annotations

import charms.reactive as reactive
import reactive_openstack as ro

from charm.openstack.{{ c.ident }} import registry

ro.use_defaults(
    registry,
    "charm.installed",
    "config.changed",
    "upgrade-charm",
    "update-status",
    "amqp.connected",
    "shared-db.connected",
    "identity-service.connected",
    "cluster.available",
    "ha.connected",
{% if c.certificates %}
    "certificates.available",
{% endif %}
{% if c.ceph_pools %}
    "ceph.connected",
{% endif %}
)


@reactive.when("shared-db.available", "identity-service.available", "amqp.available")
@reactive.when_not("is-update-status-hook")
@ro.provide_charm_instance(registry, upgrade=True)
def render_config(charm: ro.HAOpenStackCharm, *interfaces: object) -> None:
    """Write every config file from the relation data and bring the service up to date.

    When openstack-origin moved to a newer release, the runtime upgrades first and ``charm`` is
    already the new release's instance.
    """
    charm.render_with_interfaces(interfaces)
    charm.db_sync()
    charm.assess_status()
    charm.host.set_flag("config.rendered")
