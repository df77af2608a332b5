"""Series upgrades: pre-series-upgrade pauses, post-series-upgrade re-renders and resumes.

As layer-openstack's default handlers and charm-helpers do it: before the operator upgrades the
machine's OS, the unit records that it is upgrading, stops its services and reports blocked with
charm-helpers' "Ready for do-release-upgrade ..." message (which stays until complete). After the
upgrade (the base layer has already rebuilt the venv for the new Python) the configs are
rendered from the relation data while the services are still stopped, then the services start
once and the status is assessed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reactive_openstack.workload_status import Status

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

#: Set between pre- and post-series-upgrade (charm-helpers keeps "unit-upgrading" in the kv).
UPGRADING_FLAG = "charm.series-upgrading"
#: charm-helpers' status text while a series upgrade is prepared (check_if_paused).
READY_MESSAGE = "Ready for do-release-upgrade and reboot. Set complete when finished."


def prepare(charm: Charm) -> None:
    """pre-series-upgrade: mark the unit upgrading and pause it."""
    host = charm.host
    host.log("Preparing for series upgrade", "INFO")
    host.set_flag(UPGRADING_FLAG)
    charm.pause()
    host.status_set("blocked", READY_MESSAGE)


def complete(charm: Charm) -> None:
    """post-series-upgrade: render from the relations while stopped, then resume and assess."""
    host = charm.host
    host.log("Completing series upgrade", "INFO")
    host.clear_flag(UPGRADING_FLAG)
    interfaces = [
        endpoint
        for endpoint in (host.endpoint(name) for name in charm.required_relations)
        if endpoint is not None
    ]
    charm.render_with_interfaces(interfaces)  # paused: no restarts, resume starts them
    charm.resume()
    charm.assess_status()


def check(charm: Charm) -> Status | None:
    if charm.host.is_flag_set(UPGRADING_FLAG):
        return Status("blocked", READY_MESSAGE)
    return None
