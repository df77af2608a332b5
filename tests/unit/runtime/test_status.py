"""assess_status: deferred to exit, evaluated once, first failing check wins."""

from __future__ import annotations

import pytest
from reactive_openstack import _status as status

from .sample import READY_FLAGS, charm_for, ready_host


def test_ready_unit_is_active_and_version_is_set():
    host = ready_host()
    charm = charm_for(host)
    charm.assess_status()
    assert host.statuses == []  # deferred
    host.run_atexit()
    assert host.status == ("active", "Unit is ready")
    assert host.application_versions == ["15.0.0"]


def test_many_calls_one_evaluation_at_exit():
    host = ready_host()
    charm = charm_for(host)
    for _ in range(5):
        charm.assess_status()
    assert len(host.atexit_callbacks) == 1
    host.services["congress-server"] = False  # state at exit is what counts
    host.run_atexit()
    assert host.statuses == [("blocked", "Services not running that should be: congress-server")]


def test_unchanged_status_is_not_resent_next_hook():
    host = ready_host()
    charm_for(host)._assess_status()
    host.new_hook("config-changed")
    charm_for(host)._assess_status()
    assert host.statuses == []
    assert "status-set" not in host.tool_calls


def test_paused_wins_over_everything():
    host = ready_host(flags=["charm.paused"], config={"openstack-origin": "distro"})
    assert charm_for(host)._assess_status() == (
        "maintenance",
        "Paused. Use 'resume' action to resume normal service.",
    )


def test_custom_check_comes_before_relations():
    host = ready_host(flags=[])
    charm = charm_for(host)
    charm.custom_assess_status_check = lambda: ("blocked", "needs a unicorn")
    assert charm._assess_status() == ("blocked", "needs a unicorn")


def test_relations_missing_and_incomplete_most_severe_wins():
    host = ready_host(flags=["shared-db.connected", "amqp.connected", "amqp.available"])
    assert charm_for(host)._assess_status() == (
        "blocked",
        "'shared-db' incomplete, 'identity-service' missing",
    )
    host = ready_host(flags=["shared-db.connected", "amqp.connected", "identity-service.connected"])
    assert charm_for(host)._assess_status() == (
        "waiting",
        "'shared-db' incomplete, 'amqp' incomplete, 'identity-service' incomplete",
    )


def test_mandatory_config():
    host = ready_host(config={"openstack-origin": "distro", "a": "", "b": None, "c": "x"})
    charm = charm_for(host)
    type(charm).mandatory_config = ["a", "b", "c"]
    assert charm._assess_status() == (
        "blocked",
        "The following mandatory config is unset: a, b",
    )


def test_ports_not_listening():
    host = ready_host(listening={1789})
    assert charm_for(host)._assess_status() == (
        "blocked",
        "Ports which should be open, but are not: 1779",
    )


def test_ports_of_a_service_started_this_hook_get_time_to_open():
    host = ready_host(listening={1789})

    def slow_daemon_binds_after_two_seconds(seconds: float) -> None:
        host.sleeps.append(seconds)
        if sum(host.sleeps) >= 2:
            host.listening = {1789, 1779}

    host.sleep = slow_daemon_binds_after_two_seconds
    host.service_restart("congress-server")
    assert charm_for(host)._assess_status() == ("active", "Unit is ready")
    assert host.sleeps == [0.5] * 4


def test_ports_not_listening_without_a_start_this_hook_do_not_wait():
    host = ready_host(listening={1789})
    assert charm_for(host)._assess_status()[0] == "blocked"
    assert host.sleeps == []


def test_ports_still_closed_after_the_settle_time_block():
    host = ready_host(listening={1789})
    host.service_restart("congress-server")
    assert charm_for(host)._assess_status()[0] == "blocked"
    assert sum(host.sleeps) == 30.0


def test_with_ha_relation_haproxy_is_skipped_and_backend_port_checked():
    host = ready_host(
        flags=READY_FLAGS + ["ha.connected"],
        services={"congress-server": True, "memcached": True, "haproxy": False},
        listening={1779},
    )
    assert charm_for(host)._assess_status() == ("active", "Unit is ready")


def test_without_ha_relation_haproxy_must_run():
    host = ready_host(services={"congress-server": True, "memcached": True, "haproxy": False})
    state, message = charm_for(host)._assess_status()
    assert state == "blocked" and message.endswith("should be: haproxy")


@pytest.mark.parametrize("check", status.CHECKS)
def test_every_check_returns_none_for_a_ready_unit(check):
    assert check(charm_for(ready_host())) is None
