"""The whole update-status hook, without the charms.reactive main loop.

update-status runs every few minutes on every unit; upstream it re-rendered every file, ran apt
and re-sent relation data. Here it only evaluates the status from what the unit already knows
(config, flags in the unit state, running services, listening ports), so its cost is a handful of
hook-tool calls that does not grow with the number of peers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import reactive_openstack._status as status
from reactive_openstack.instance import UnsupportedCharm, get_charm_instance
from reactive_openstack.releases import discover_registry
from reactive_openstack.workload_status import Status

if TYPE_CHECKING:
    from reactive_openstack.host import Host


def main(charm_dir: str | None = None, host: Host | None = None) -> Status | None:
    """Evaluate and set the unit's status now; return it (None if the release is unsupported)."""
    if host is None:
        from reactive_openstack.host import JujuHost

        host = JujuHost()
    registry = discover_registry(charm_dir or host.charm_dir)
    registry.host = host
    try:
        charm = get_charm_instance(registry)
        if isinstance(charm, UnsupportedCharm):
            return None
        return status.evaluate(charm)
    finally:
        flush = getattr(host, "flush", None)
        if flush is not None:
            flush()
