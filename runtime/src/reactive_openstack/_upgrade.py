"""OpenStack release upgrades: the ordered steps, the openstack-upgrade action, their statuses.

The steps follow charms.openstack's ``run_upgrade`` (new source and packages, configs of the new
release, the database migration on the leader only), but the services restart once, after the
migration, instead of once per changed file and again after it. With ``action-managed-upgrade``
the ``openstack-upgrade`` action runs the charm's own handlers in-process, so the upgrade
renders from the real relation data.

Details: docs/day2.md, 'Rolling OpenStack upgrade'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import reactive_openstack._config_checks as config_checks
import reactive_openstack._rendering as rendering
import reactive_openstack.database as database
from reactive_openstack.releases import (
    KV_RELEASE_KEY,
    RELEASE_ERRORS,
    compare_releases,
)
from reactive_openstack.workload_status import READY_MESSAGE, Status

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

ACTION_NAME = "openstack-upgrade"
#: kv: the release a non-leader upgraded to before the leader migrated the schema to it.
AWAITING_KV_KEY = "reactive_openstack.awaiting-migration"


class UpgradeRefused(Exception):
    """The action cannot upgrade this unit; the message says why (the unit is left as it was)."""


def action_managed(charm: Charm) -> bool:
    return config_checks.option_on(charm.config, "action-managed-upgrade")


def plan(charm: Charm) -> str:
    """The release the action would upgrade this unit to; UpgradeRefused says why not."""
    if charm.paused:
        raise UpgradeRefused("the unit is paused: run the resume action first")
    if not action_managed(charm):
        raise UpgradeRefused(
            "action-managed-upgrade is false: changing openstack-origin upgrades the unit "
            "in its config-changed hook"
        )
    try:
        target = charm.origin_release()
    except RELEASE_ERRORS as exc:
        raise UpgradeRefused(str(exc)) from None
    if target is None:
        raise UpgradeRefused("openstack-origin is not set: nothing to upgrade to")
    order = compare_releases(target, charm.release)
    if order == 0:
        raise UpgradeRefused(
            f"nothing to upgrade to: openstack-origin selects {target}, which the unit runs"
        )
    if order < 0:
        raise UpgradeRefused(
            f"openstack-origin selects {target}, older than the unit's {charm.release}: "
            "OpenStack releases cannot be downgraded"
        )
    if charm.registry is not None:
        try:
            charm.registry.select(target)
        except RELEASE_ERRORS as exc:
            raise UpgradeRefused(str(exc)) from None
    return target


def perform(charm: Charm, target: str, interfaces: Sequence[Any] = ()) -> Charm:
    """Upgrade this unit to ``target``: packages, configs, leader migration, one restart.

    The steps run on a new instance of the target release's class (``charm.successor``), which
    the registry hands out from now on and which this returns, so the handler's next calls use
    the new release's templates and packages. ``charm`` itself keeps its class and release.
    """
    host = charm.host
    host.status_set("maintenance", f"Upgrading to OpenStack {target}")
    charm.requested_upgrade = None
    upgraded = charm.successor(target)
    host.kv_set(KV_RELEASE_KEY, target)
    origin = upgraded.config.get("openstack-origin")
    if origin and not str(origin).startswith("distro"):
        host.add_source(str(origin))
    host.install_packages(upgraded.all_packages)
    obsolete = [p for p in upgraded.purge_packages if host.installed_version(p) is not None]
    if obsolete:
        host.purge_packages(obsolete)
    changed: list[str] = []
    if config_checks.usable(upgraded):
        adapters = upgraded.build_adapters(interfaces)
        changed = list(rendering.render_configs(upgraded, adapters) or [])
    _migrate_or_defer(upgraded)
    if not upgraded.paused:
        import reactive_openstack._services as services

        for service in _unique([*upgraded.services_for(changed), *upgraded.services]):
            services.restart(upgraded, service)
    return upgraded


def current(charm: Charm) -> Charm:
    """The instance that describes the unit now: ``charm``, or what an upgrade replaced it with.

    A hook-exit status registered through the old instance, or an action holding it, asks here
    so the status is the upgraded release's.
    """
    while charm.memo.upgraded_to is not None:
        charm = charm.memo.upgraded_to
    return charm


def _migrate_or_defer(charm: Charm) -> None:
    """Leader: migrate to the unit's release once. Others: defer, noting a finished one."""
    host = charm.host
    if not charm.sync_commands:
        return
    if host.is_leader():
        if database.needs_migration(charm):
            database.migrate(charm)
        return
    host.log(f"Deferring the database migration to {charm.release} to the leader", "INFO")
    marker = host.leader_get(database.DB_SYNC_MARKER)
    if marker:
        # the restart below is the one this unit owes every migration published so far
        host.kv_set(database.SEEN_KV_KEY, marker)
    if database.migrated_release(host) != charm.release:
        host.kv_set(AWAITING_KV_KEY, charm.release)


def allowed_now(charm: Charm, target: str) -> bool:
    """May ``upgrade_if_available`` upgrade to ``target`` in this process?"""
    if not action_managed(charm):
        return True
    if getattr(charm, "requested_upgrade", None) == target:
        return True
    charm.host.log(
        f"openstack-origin asks for {target}; action-managed-upgrade is set, "
        f"waiting for the {ACTION_NAME} action",
        "INFO",
    )
    return False


# -- status checks ---------------------------------------------------------------------------


def check_leader_migration(charm: Charm) -> Status | None:
    """A non-leader upgraded before the leader migrated the schema to its release.

    Read from the unit kv first, so a unit that awaits nothing pays no hook-tool call.
    """
    host = charm.host
    awaited = host.kv_get(AWAITING_KV_KEY)
    if not awaited:
        return None
    done = database.migrated_release(host)
    if done is not None and compare_releases(awaited, done) <= 0:
        host.kv_unset(AWAITING_KV_KEY)
        return None
    return Status("waiting", f"Waiting for the leader to migrate the database to {awaited}")


def pending_upgrade(charm: Charm) -> str | None:
    """The release an action-managed upgrade waits for, if any."""
    if not action_managed(charm):
        return None
    try:
        return charm.upgrade_available()
    except RELEASE_ERRORS:
        return None


def check_pending_upgrade(charm: Charm) -> Status | None:
    """Ready, but openstack-origin asks for a newer release the action has not installed."""
    target = pending_upgrade(charm)
    if target is None:
        return None
    return Status(
        "active", f"{READY_MESSAGE}; {ACTION_NAME} action pending ({charm.release} -> {target})"
    )


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))
