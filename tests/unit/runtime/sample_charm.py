"""The congress API charm of the runtime tests; it imports nothing but the runtime.

test_update_status installs this file as a charm's lib/charm/openstack module, so it stays
importable on its own; sample.py gives it to the other tests.
"""

from __future__ import annotations

import reactive_openstack as ro

CONF = "/etc/congress/congress.conf"


class CongressAPI(ro.HAOpenStackCharm):
    """What every congress charm of the tests declares: the name, the one API service, its port."""

    release = "yoga"
    name = "congress"
    service_type = "policy"
    services = ["congress-server"]
    api_ports = {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
    default_service = "congress-server"
    group = "congress"


def make_registry() -> tuple[ro.ReleaseRegistry, type, type]:
    registry = ro.ReleaseRegistry()

    @registry.register
    class CongressCharm(CongressAPI):
        packages = ["congress-server", "congress-common"]
        purge_packages = ["python-congress"]
        required_relations = ["shared-db", "amqp", "identity-service"]
        mandatory_config: list[str] = []
        restart_map = {CONF: ["congress-server"]}
        sync_commands = [
            [
                "congress-db-manage",
                "--config-file",
                CONF,
                "upgrade",
                "head",
            ]
        ]
        release_package = "congress-common"
        package_codenames = {"15": "yoga", "16": "zed", "17": "antelope", "19": "caracal"}
        ha_resources = ["vips", "haproxy"]

    @registry.register
    class CongressCharmCaracal(CongressCharm):
        release = "caracal"
        packages = ["congress-server", "congress-common", "python3-congress-extra"]

    return registry, CongressCharm, CongressCharmCaracal
