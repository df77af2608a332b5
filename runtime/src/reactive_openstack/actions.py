"""The pause / resume / restart-services / openstack-upgrade actions.

Actions run outside the reactive loop, so nothing would evaluate a deferred status: each action
evaluates it immediately, and a failure is reported with action-fail rather than a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import reactive_openstack._status as status
from reactive_openstack.instance import UnsupportedCharm, get_charm_instance
from reactive_openstack.releases import discover_registry

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm
    from reactive_openstack.host import Host

ACTIONS: dict[str, Callable[[Any], None]] = {
    "pause": lambda charm: charm.pause(),
    "resume": lambda charm: charm.resume(),
    "restart-services": lambda charm: charm.restart_services(),
    "openstack-upgrade": lambda charm: _upgrade(charm),
}


def _upgrade(charm: Charm) -> None:
    import reactive_openstack._upgrade_action as upgrade_action

    upgrade_action.action(charm)


def _fail(host: Host, message: str) -> None:
    host.log(f"action failed: {message}", "ERROR")
    try:
        host.run(["action-fail", message])
    except Exception as exc:  # noqa: BLE001 - reporting must not mask the original failure
        host.log(f"action-fail could not be called: {exc}", "ERROR")


def main(action_name: str, charm_dir: str | None = None, host: Host | None = None) -> bool:
    """Run ``action_name`` on this unit's charm instance; True on success."""
    if host is None:
        from reactive_openstack.host import JujuHost

        host = JujuHost()
    try:
        action = ACTIONS.get(action_name)
        if action is None:
            _fail(host, f"unknown action {action_name!r}; known: {', '.join(sorted(ACTIONS))}")
            return False
        registry = discover_registry(charm_dir or host.charm_dir)
        registry.host = host
        charm = get_charm_instance(registry)
        if isinstance(charm, UnsupportedCharm):
            _fail(host, str(charm.error))
            return False
        try:
            action(charm)
        except Exception as exc:  # noqa: BLE001 - any failure becomes action-fail
            _fail(host, f"{action_name} failed: {exc}")
            status.evaluate(charm)
            return False
        status.evaluate(charm)
        return True
    finally:
        flush = getattr(host, "flush", None)
        if flush is not None:
            flush()
