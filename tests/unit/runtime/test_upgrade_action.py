"""OpenStack upgrades: the openstack-upgrade action, its refusals, the leader's one migration."""

from __future__ import annotations

import pytest
import reactive_openstack as ro
from reactive_openstack import _upgrade as upgrade
from reactive_openstack import _upgrade_action as upgrade_action
from reactive_openstack import actions
from reactive_openstack.releases import KV_RELEASE_KEY

from . import test_charm
from .sample import make_registry, ready_host

CONF = "/etc/congress/congress.conf"
SYNC = ["congress-db-manage", "--config-file", CONF, "upgrade", "head"]
MANAGED = {"openstack-origin": "cloud:jammy-caracal", "action-managed-upgrade": True}


#: the sample charm's templates with a caracal directory (test_charm's fixture)
charm_dir = test_charm.charm_dir


def _unit(charm_dir, leader=True, marker="yoga", **config):
    """A yoga unit that is ready, with openstack-origin already moved (action-managed)."""
    host = ready_host(charm_dir=charm_dir, kv={KV_RELEASE_KEY: "yoga"}, leader=leader)
    host.leader_settings["db-sync-done"] = marker
    host.config_values.update({**MANAGED, **config})
    registry, _, _ = make_registry()
    registry.host = host
    return host, registry.instance()


def _handler(charm):
    """What a generated charm's render handler does in the hook the action dispatches."""

    @ro.provide_charm_instance(charm.registry, upgrade=True)
    def render_config(charm, *interfaces):
        charm.render_with_interfaces(interfaces)
        charm.db_sync()

    return render_config


def test_config_change_only_records_the_target_in_the_status(charm_dir):
    host, charm = _unit(charm_dir)
    assert charm.upgrade_if_available([]) is False
    charm._assess_status()
    assert host.installs == [] and host.writes == [] and host.commands == []
    assert host.status == (
        "active",
        "Unit is ready; openstack-upgrade action pending (yoga -> caracal)",
    )


def test_action_upgrades_leader_migrates_once_and_restarts_once(charm_dir):
    host, charm = _unit(charm_dir)
    outcome = upgrade_action.action(charm, dispatch=_handler(charm))
    assert outcome == "upgraded from yoga to caracal"
    upgraded = charm.registry.instance()
    assert upgraded.release == "caracal" and host.kv[KV_RELEASE_KEY] == "caracal"
    assert host.sources == ["cloud:jammy-caracal"]
    assert "python3-congress-extra" in host.installs[-1]
    assert host.file_text(CONF).startswith("# caracal\n")
    assert host.commands == [SYNC, ["action-set", "outcome=upgraded from yoga to caracal"]]
    assert host.leader_settings["db-sync-done"] == "caracal"
    assert host.restarted().count("congress-server") == 1
    upgraded._assess_status()
    assert host.status == ("active", "Unit is ready")


def test_migration_runs_before_the_restart(charm_dir):
    host, charm = _unit(charm_dir)
    order = []
    real_run, real_restart = host.run, host.service_restart
    host.run = lambda argv: (order.append("sync"), real_run(argv))[1]
    host.service_restart = lambda name: (order.append(f"restart {name}"), real_restart(name))[1]
    upgrade_action.action(charm, dispatch=_handler(charm))
    assert order[0] == "sync" and order[1] == "restart congress-server"


def test_non_leader_first_waits_for_the_leader_without_failing(charm_dir):
    host, charm = _unit(charm_dir, leader=False)
    upgrade_action.action(charm, dispatch=_handler(charm))
    upgraded = charm.registry.instance()
    assert upgraded.release == "caracal"
    assert SYNC not in host.commands  # migrations are the leader's
    assert host.restarted().count("congress-server") == 1
    upgraded._assess_status()
    assert host.status == ("waiting", "Waiting for the leader to migrate the database to caracal")

    # the leader migrates; this unit's leader-settings-changed restarts once and is ready
    hook = host.new_hook("leader-settings-changed")
    hook.leader_settings["db-sync-done"] = "caracal"
    registry, _, _ = make_registry()
    registry.host = hook
    later = registry.instance()
    later.render_all_configs()
    later.db_sync()
    later._assess_status()
    assert hook.restarted() == ["congress-server"]
    assert hook.status == ("active", "Unit is ready")


def test_non_leader_after_the_leader_restarts_once_and_is_ready(charm_dir):
    host, charm = _unit(charm_dir, leader=False, marker="caracal")
    upgrade_action.action(charm, dispatch=_handler(charm))
    assert SYNC not in host.commands
    assert host.restarted().count("congress-server") == 1
    charm.registry.instance()._assess_status()
    assert host.status == ("active", "Unit is ready")


def test_new_leader_on_the_migrated_release_does_not_migrate_again(charm_dir):
    host, charm = _unit(charm_dir, marker="caracal")
    upgrade_action.action(charm, dispatch=_handler(charm))
    assert SYNC not in host.commands


@pytest.mark.parametrize(
    ("config", "flags", "reason"),
    [
        (
            {"openstack-origin": "cloud:jammy-yoga"},
            [],
            "nothing to upgrade to: openstack-origin selects yoga, which the unit runs",
        ),
        (
            {"openstack-origin": "cloud:focal-xena"},
            [],
            "openstack-origin selects xena, older than the unit's yoga: "
            "OpenStack releases cannot be downgraded",
        ),
        ({}, ["charm.paused"], "the unit is paused: run the resume action first"),
        (
            {"action-managed-upgrade": False},
            [],
            "action-managed-upgrade is false: changing openstack-origin upgrades the unit "
            "in its config-changed hook",
        ),
        ({"openstack-origin": "cloud:jammy-bogus"}, [], "unknown OpenStack release 'bogus'"),
    ],
)
def test_action_refuses_and_leaves_the_unit_unchanged(charm_dir, config, flags, reason):
    host, charm = _unit(charm_dir, **config)
    for flag in flags:
        host.set_flag(flag)
    ran = []
    with pytest.raises(upgrade.UpgradeRefused) as refused:
        upgrade_action.action(charm, dispatch=lambda: ran.append(True))
    assert str(refused.value).startswith(reason)
    assert ran == [] and charm.release == "yoga"
    assert host.installs == [] and host.writes == [] and host.commands == []
    assert host.service_calls == []


def test_action_reports_a_handler_that_could_not_upgrade(charm_dir):
    host, charm = _unit(charm_dir)
    host.clear_flag("shared-db.available")
    with pytest.raises(upgrade.UpgradeRefused) as refused:
        upgrade_action.action(charm, dispatch=lambda: None)  # the render handler did not fire
    assert str(refused.value) == (
        "the upgrade to caracal did not run: the unit is waiting ('shared-db' incomplete)"
    )
    assert host.installs == [] and charm.release == "yoga"
    # the request does not outlive the action: config-changed still leaves it to the action
    assert charm.upgrade_if_available([]) is False


def test_action_main_reports_the_upgraded_units_status(charm_dir, monkeypatch):
    """actions.main evaluates the status through the instance it started with: the old one."""
    host, charm = _unit(charm_dir)
    monkeypatch.setattr(actions, "discover_registry", lambda _: charm.registry)
    monkeypatch.setattr(upgrade_action, "_reactive_dispatch", _handler(charm))
    assert actions.main("openstack-upgrade", host=host) is True
    assert host.commands[-1] == ["action-set", "outcome=upgraded from yoga to caracal"]
    assert host.status == ("active", "Unit is ready")  # not "... action pending (yoga -> ...)"


def test_action_failure_reaches_action_fail(charm_dir, monkeypatch):
    host, charm = _unit(charm_dir, **{"openstack-origin": "cloud:jammy-yoga"})
    monkeypatch.setattr(actions, "discover_registry", lambda _: charm.registry)
    assert actions.main("openstack-upgrade", host=host) is False
    assert host.commands == [
        [
            "action-fail",
            "openstack-upgrade failed: nothing to upgrade to: openstack-origin selects yoga, "
            "which the unit runs",
        ]
    ]


def test_without_action_managed_the_config_change_upgrades_with_one_restart(charm_dir):
    host, charm = _unit(charm_dir, **{"action-managed-upgrade": False})
    assert charm.upgrade_if_available([]) is True
    upgraded = charm.registry.instance()
    upgraded.db_sync()
    assert upgraded.release == "caracal" and host.commands == [SYNC]
    assert host.restarted().count("congress-server") == 1
