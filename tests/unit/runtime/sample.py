"""The runtime tests' sample: the congress charm (sample_charm.py), a ready unit, its templates."""

from __future__ import annotations

from reactive_openstack.testing import FakeHost

from .sample_charm import make_registry

TEMPLATE = """\
[DEFAULT]
debug = {{ options.debug }}
bind_port = {{ options.service_listen_info.congress_server.port }}
{% include "parts/section-database" %}
"""


READY_FLAGS = [
    "shared-db.connected",
    "shared-db.available",
    "amqp.connected",
    "amqp.available",
    "identity-service.connected",
    "identity-service.available",
]


def ready_host(**kwargs) -> FakeHost:
    """A unit with everything installed, related and running: status should be active."""
    settings = dict(
        config={"openstack-origin": "distro", "region": "RegionOne"},
        unit_name="congress/0",
        files={"/etc/os-release": b"VERSION_CODENAME=jammy\n"},
        flags=list(READY_FLAGS),
        packages={"congress-common": "2:15.0.0-0ubuntu1", "congress-server": "2:15.0.0-0ubuntu1"},
        services={"congress-server": True, "memcached": True, "haproxy": True},
        listening={1789, 1779},
    )
    settings.update(kwargs)
    return FakeHost(**settings)


def charm_for(host: FakeHost):
    """This hook's instance of the sample charm on ``host`` (a fresh registry each call)."""
    registry, _, _ = make_registry()
    registry.host = host
    return registry.instance()


def write_templates(path) -> str:
    """A charm dir holding the sample charm's one config template; returns its path."""
    (path / "templates").mkdir()
    (path / "templates" / "congress.conf").write_text(TEMPLATE)
    return str(path)
