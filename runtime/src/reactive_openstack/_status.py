"""Workload status: deferred to hook exit, evaluated once, first failing check wins.

Handlers call ``charm.assess_status()`` freely; only the first call in a hook registers an exit
callback, so the status Juju sees reflects the state after *all* handlers ran and costs one
evaluation (and at most one status-set, which the host skips when nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import reactive_openstack._config_checks as config_checks
import reactive_openstack._policyd as policyd
import reactive_openstack._series_upgrade as series_upgrade
import reactive_openstack._services as services
import reactive_openstack._upgrade as upgrade
import reactive_openstack.ceph as ceph
import reactive_openstack.database as database
from reactive_openstack.workload_status import READY_MESSAGE, Status, WorkloadState

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

PAUSED_MESSAGE = "Paused. Use 'resume' action to resume normal service."

#: Worst first; when several relations are unhappy the most severe state is reported.
SEVERITY: dict[WorkloadState, int] = {"blocked": 4, "waiting": 3, "maintenance": 2, "active": 1}


def assess_status(charm: Charm) -> None:
    """Register the one evaluation for this hook (idempotent per charm instance)."""
    if charm.memo.status_deferred:
        return
    charm.memo.status_deferred = True

    def evaluate_at_exit() -> None:
        evaluate(charm)

    charm.host.atexit(evaluate_at_exit)


def check_paused(charm: Charm) -> Status | None:
    """A prepared series upgrade first (_series_upgrade.py), then the pause action's pause."""
    upgrading = series_upgrade.check(charm)
    if upgrading is not None:
        return upgrading
    if charm.paused:
        return Status("maintenance", PAUSED_MESSAGE)
    return None


def check_custom(charm: Charm) -> Status | None:
    return charm.custom_assess_status_check()


def check_relations(charm: Charm) -> Status | None:
    """``'<rel>' missing`` (blocked) / ``'<rel>' incomplete`` (waiting), most severe wins."""
    host = charm.host
    problems: list[Status] = []
    for relation in charm.required_relations:
        if not host.is_flag_set(f"{relation}.connected"):
            problems.append(Status("blocked", f"'{relation}' missing"))
        elif not host.is_flag_set(f"{relation}.available"):
            problems.append(Status("waiting", f"'{relation}' incomplete"))
    if not problems:
        return None
    state = max((p.state for p in problems), key=SEVERITY.__getitem__)
    return Status(state, ", ".join(p.message for p in problems))


def check_mandatory_config(charm: Charm) -> Status | None:
    config = charm.config
    unset = [key for key in charm.mandatory_config if config.get(key) in (None, "")]
    if unset:
        return Status("blocked", "The following mandatory config is unset: " + ", ".join(unset))
    return None


#: How long a service (re)started in this hook may take to open its ports before the unit is
#: called blocked: API daemons take seconds to import and bind (glance-api: 2-4 s here).
PORT_SETTLE_TIMEOUT = 30.0
PORT_POLL_INTERVAL = 0.5


def closed_ports(charm: Charm, ports: list[int]) -> list[int]:
    """Ports nobody listens on; waits for them only after this hook started a service.

    Without the wait, every hook that restarts a slow-starting daemon ends blocked, and the
    unit stays so until the next update-status. update-status itself starts nothing and never
    waits.
    """
    host = charm.host
    listening = host.listening_ports()
    closed = [p for p in ports if p not in listening]
    waited = 0.0
    while closed and host.services_started() and waited < PORT_SETTLE_TIMEOUT:
        host.sleep(PORT_POLL_INTERVAL)
        waited += PORT_POLL_INTERVAL
        listening = host.listening_ports()
        closed = [p for p in closed if p not in listening]
    return closed


def check_services(charm: Charm) -> Status | None:
    """Failed (re)starts of this hook, stopped services, closed ports - all named."""
    host = charm.host
    failed = services.failed(charm)
    to_check = [s for s in charm.services_to_check() if s not in failed]
    running = host.services_running(to_check)
    stopped = [s for s in to_check if s not in running]
    ports = charm.ports_to_check()
    closed = closed_ports(charm, ports) if ports else []
    messages = []
    failure = services.failure_message(charm)
    if failure:
        messages.append(failure)
    if stopped:
        messages.append("Services not running that should be: " + ", ".join(stopped))
    if closed:
        messages.append(
            "Ports which should be open, but are not: " + ", ".join(str(p) for p in closed)
        )
    if messages:
        return Status("blocked", "; ".join(messages))
    return None


#: The checks in order; the first that returns a status wins.
CHECKS: tuple[Callable[[Any], Status | None], ...] = (
    check_paused,
    config_checks.status,  # a config value that breaks its rule: nothing was applied
    policyd.check,
    database.failure_status,
    upgrade.check_leader_migration,
    check_custom,
    check_relations,
    ceph.check,  # pools the Ceph broker has not granted, for charms that declare pools
    check_mandatory_config,
    check_services,
    upgrade.check_pending_upgrade,
)


def compute(charm: Charm) -> Status:
    """The status the unit should show, without setting it (``PO:`` prefix: _policyd.py)."""
    found = Status("active", READY_MESSAGE)
    for check in CHECKS:
        result = check(charm)
        if result is not None:
            found = Status(*result)
            break
    return Status(found.state, policyd.status_prefix(charm) + found.message)


def evaluate(charm: Charm) -> Status:
    """Compute and set the status (and the application version) now.

    After an OpenStack upgrade in this hook, of the instance that replaced ``charm``: the
    hook-exit evaluation may have been registered through the old one.
    """
    charm = upgrade.current(charm)
    version = charm.application_version
    if version:
        charm.host.application_version_set(version)
    found = compute(charm)
    charm.host.status_set(found.state, found.message)
    return found
