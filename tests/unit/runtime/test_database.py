"""Database sync: leader only, once per model, retried with backoff, non-leaders restart once."""

from __future__ import annotations

from reactive_openstack import database

from .sample import charm_for, ready_host

SYNC = ["congress-db-manage", "--config-file", "/etc/congress/congress.conf", "upgrade", "head"]


def test_leader_syncs_once_per_model():
    host = ready_host()
    assert charm_for(host).db_sync() is True
    assert host.commands == [SYNC]
    assert host.leader_settings["db-sync-done"] == "yoga"
    assert host.restarted() == ["congress-server"]
    host.new_hook("config-changed")
    assert charm_for(host).db_sync() is False
    assert host.commands == [] and host.service_calls == []


def test_non_leader_never_syncs_and_restarts_once_after_marker():
    host = ready_host(leader=False)
    assert charm_for(host).db_sync() is False
    assert host.commands == [] and host.service_calls == []
    host.leader_settings["db-sync-done"] = "yoga"  # the leader migrated
    host.new_hook("leader-settings-changed")
    assert charm_for(host).db_sync() is True
    assert host.commands == []
    assert host.restarted() == ["congress-server"]
    for hook in ("leader-settings-changed", "config-changed"):
        host.new_hook(hook)
        assert charm_for(host).db_sync() is False
        assert host.service_calls == []
    host.leader_settings["db-sync-done"] = "caracal"  # migrated again after an upgrade
    host.new_hook("leader-settings-changed")
    assert charm_for(host).db_sync() is True
    assert host.restarted() == ["congress-server"]


def test_failing_sync_is_retried_with_backoff_then_succeeds():
    host = ready_host()
    host.fail_command(SYNC, times=2)
    assert charm_for(host).db_sync() is True
    assert host.commands == [SYNC, SYNC, SYNC]
    assert host.sleeps == list(database.BACKOFF[:2])
    assert host.leader_settings["db-sync-done"] == "yoga"


def test_failing_sync_blocks_naming_the_command_and_retries_next_hook():
    host = ready_host()
    host.fail_command(SYNC, times=len(database.BACKOFF) + 1)
    charm = charm_for(host)
    charm.assess_status()
    assert charm.db_sync() is False
    assert len(host.commands) == len(database.BACKOFF) + 1
    assert host.sleeps == list(database.BACKOFF)
    assert "db-sync-done" not in host.leader_settings
    assert host.service_calls == []
    host.run_atexit()  # the exit evaluation keeps the failure visible
    assert host.status == (
        "blocked",
        "Database sync failed: congress-db-manage --config-file "
        "/etc/congress/congress.conf upgrade head",
    )
    host.new_hook("update-status")
    charm = charm_for(host)
    assert charm.db_sync() is True
    charm._assess_status()
    assert host.status == ("active", "Unit is ready")


def test_charm_without_sync_commands_does_nothing():
    host = ready_host()
    charm = charm_for(host)
    type(charm).sync_commands = []
    assert charm.db_sync() is False
    assert host.commands == [] and host.leader_settings == {}
