"""Database migrations: leader only, once per model, retried, and followed by peer restarts.

The leader records the release it migrated to in the leader setting ``db-sync-done``; that
marker makes the sync happen once per model and release (not once per unit or per hook: an
OpenStack upgrade to a newer release migrates again, on the leader only), and its changes
are what non-leaders watch to restart their services against the migrated schema exactly once.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from reactive_openstack.host import CommandFailed
from reactive_openstack.workload_status import Status

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

DB_SYNC_MARKER = "db-sync-done"
#: kv: the marker value this unit has already restarted for (non-leaders).
SEEN_KV_KEY = "reactive_openstack.db-sync-seen"
#: kv: the command that failed on the last attempt (drives the blocked status).
FAILED_KV_KEY = "reactive_openstack.db-sync-failed"
#: Seconds slept between attempts; len + 1 attempts in all.
BACKOFF: tuple[float, ...] = (5.0, 15.0, 45.0)
#: Exit codes that no retry can cure (the shell's): the program is missing or not executable.
CANNOT_RUN = {127: "command not found", 126: "command not executable"}


def _run_with_retry(charm: Charm, argv: list[str]) -> str | None:
    """None once ``argv`` succeeded; else a note for the blocked status ("" for a plain exit).

    A program that is missing or not executable fails at once: waiting cannot change that
    within this hook, and the next hook tries again anyway.
    """
    host = charm.host
    for attempt, delay in enumerate((*BACKOFF, None), start=1):
        try:
            host.run(list(argv))
            return None
        except CommandFailed as exc:
            if exc.returncode in CANNOT_RUN:
                reason = CANNOT_RUN[exc.returncode]
                host.log(f"database sync {reason}: {shlex.join(argv)}: {exc.output}", "ERROR")
                return f" ({reason})"
            host.log(
                f"database sync command failed (attempt {attempt}): {shlex.join(argv)}: "
                f"exit {exc.returncode}",
                "WARNING",
            )
            if delay is None:
                return ""
            host.sleep(delay)
    return ""


def run_sync_commands(charm: Charm) -> bool:
    """Run every sync command; on final failure record it and block. True on success."""
    host = charm.host
    for argv in charm.sync_commands:
        note = _run_with_retry(charm, argv)
        if note is not None:
            host.kv_set(FAILED_KV_KEY, shlex.join(argv) + note)
            host.status_set(*failure_status(charm))  # type: ignore[misc]
            return False
    host.kv_unset(FAILED_KV_KEY)
    return True


def failure_status(charm: Charm) -> Status | None:
    command = charm.host.kv_get(FAILED_KV_KEY)
    if command:
        return Status("blocked", f"Database sync failed: {command}")
    return None


def db_sync(charm: Charm) -> bool:
    """Leader: migrate once per model and release. Non-leader: restart once per new marker.

    Returns True if this call migrated the database or restarted services.
    """
    if not charm.sync_commands:
        return False
    if charm.host.is_leader():
        if not needs_migration(charm) or not migrate(charm):
            return False
        charm.restart_all()
        return True
    return restart_after_leader_sync(charm)


def migrated_release(host: Any) -> str | None:
    """The release the leader last migrated the schema to (None: never, or not a codename)."""
    from reactive_openstack.releases import CODENAMES

    marker = host.leader_get(DB_SYNC_MARKER)
    return marker if marker in CODENAMES else None


def needs_migration(charm: Charm) -> bool:
    """No marker yet, or the marker names a release older than the unit's (an upgrade)."""
    from reactive_openstack.releases import newer_than

    marker = charm.host.leader_get(DB_SYNC_MARKER)
    if not marker:
        return True
    done = migrated_release(charm.host)
    return done is not None and newer_than(charm.release, done)


def migrate(charm: Charm) -> bool:
    """Leader: run the migrations and publish the marker (no restart). True on success."""
    host = charm.host
    if not run_sync_commands(charm):
        return False
    host.leader_set({DB_SYNC_MARKER: charm.release})
    host.kv_set(SEEN_KV_KEY, charm.release)
    return True


def restart_after_leader_sync(charm: Charm) -> bool:
    """Non-leader: restart services once for each new marker the leader publishes."""
    host = charm.host
    marker = host.leader_get(DB_SYNC_MARKER)
    if not marker or host.kv_get(SEEN_KV_KEY) == marker:
        return False
    host.kv_set(SEEN_KV_KEY, marker)
    if not charm.paused:
        charm.restart_all()
    return True
