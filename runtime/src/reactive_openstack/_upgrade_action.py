"""The openstack-upgrade action: check the request, then let the charm's own handlers upgrade.

Apart from _upgrade.py because it reports the unit's status when the upgrade did not run, and
the status checks themselves ask _upgrade.py about pending upgrades.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import reactive_openstack._status as status
from reactive_openstack._upgrade import ACTION_NAME, UpgradeRefused, current, plan

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

__all__ = ["ACTION_NAME", "UpgradeRefused", "action"]


def action(charm: Charm, dispatch: Callable[[], None] | None = None) -> str:
    """The openstack-upgrade action: check, then run the handlers that perform the upgrade.

    The request is noted on ``charm``, the registry's instance, which the handlers receive; the
    handler that upgrades leaves the target release's instance in its place (_upgrade.perform).
    Returns the outcome for ``action-set``; raises UpgradeRefused when nothing was changed.
    """
    target = plan(charm)
    charm.requested_upgrade = target
    try:
        (dispatch or _reactive_dispatch)()
    finally:
        charm.requested_upgrade = None
    if current(charm).release != target:
        state, message = status.compute(charm)
        raise UpgradeRefused(
            f"the upgrade to {target} did not run: the unit is {state} ({message})"
        )
    outcome = f"upgraded from {charm.release} to {target}"
    charm.host.run(["action-set", f"outcome={outcome}"])
    return outcome


def _reactive_dispatch() -> None:
    """The charm's reactive handlers, run once inside the action with their relation data."""
    from charms.reactive import main

    main()
