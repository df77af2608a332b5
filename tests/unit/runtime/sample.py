"""A small but realistic charm used by the runtime tests (one registry per call, no globals)."""

from __future__ import annotations

import reactive_openstack as ro
from reactive_openstack.testing import FakeHost

TEMPLATE = """\
[DEFAULT]
debug = {{ options.debug }}
bind_port = {{ options.service_listen_info.congress_server.port }}
{% include "parts/section-database" %}
"""


def make_registry() -> tuple[ro.ReleaseRegistry, type, type]:
    registry = ro.ReleaseRegistry()

    @registry.register
    class CongressCharm(ro.HAOpenStackCharm):
        release = "yoga"
        name = "congress"
        service_type = "policy"
        packages = ["congress-server", "congress-common"]
        purge_packages = ["python-congress"]
        services = ["congress-server"]
        api_ports = {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
        default_service = "congress-server"
        required_relations = ["shared-db", "amqp", "identity-service"]
        mandatory_config: list[str] = []
        restart_map = {"/etc/congress/congress.conf": ["congress-server"]}
        sync_commands = [
            [
                "congress-db-manage",
                "--config-file",
                "/etc/congress/congress.conf",
                "upgrade",
                "head",
            ]
        ]
        release_package = "congress-common"
        package_codenames = {"15": "yoga", "16": "zed", "17": "antelope", "19": "caracal"}
        ha_resources = ["vips", "haproxy"]
        group = "congress"

    @registry.register
    class CongressCharmCaracal(CongressCharm):
        release = "caracal"
        packages = ["congress-server", "congress-common", "python3-congress-extra"]

    return registry, CongressCharm, CongressCharmCaracal


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
