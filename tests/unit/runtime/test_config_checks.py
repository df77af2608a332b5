"""Config validation and truthful status (issue 11 point 3), on the FakeHost seam.

A bad value must block the unit naming the option and its rule and change nothing else; a
service that does not come back after a restart must never leave the unit "Unit is ready".
"""

from __future__ import annotations

import pytest
from reactive_openstack import _config_checks as config_checks
from reactive_openstack._config_checks import ConfigProblem, problems
from reactive_openstack.testing_interfaces import (
    FakeHACluster,
    FakeKeystone,
    FakeMySQLShared,
    keystone_data,
)

from .sample import TEMPLATE, charm_for, ready_host

CONF = "/etc/congress/congress.conf"
GOOD = {
    "openstack-origin": "distro",
    "region": "RegionOne",
    "vip": "10.0.0.100 2001:db8::100",
    "vip_cidr": 24,
    "worker-multiplier": 0.25,
}


@pytest.fixture
def charm_dir(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "congress.conf").write_text(TEMPLATE)
    return str(tmp_path)


# -- the rules --------------------------------------------------------------------------------


def test_good_and_unset_values_pass():
    assert problems(GOOD) == []
    unset = {"vip": "", "vip_cidr": None, "worker-multiplier": None, "region": "RegionTwo"}
    assert problems(unset) == []
    assert problems({}) == []  # a charm without these options has nothing to check
    assert problems({"worker-multiplier": 0, "vip_cidr": "16"}) == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"vip": "10.0.0"}, "config vip: '10.0.0' is not an IP address"),
        (
            {"vip": "10.0.0.100 vip.example.com"},
            "config vip: 'vip.example.com' is not an IP address",
        ),
        ({"vip_cidr": 33}, "config vip_cidr: 33 is not a prefix length (1-32)"),
        ({"vip_cidr": 0}, "config vip_cidr: 0 is not a prefix length (1-32)"),
        ({"vip_cidr": "/24"}, "config vip_cidr: '/24' is not a prefix length (1-32)"),
        ({"worker-multiplier": -1.0}, "config worker-multiplier: -1.0 is not a finite number >= 0"),
        (
            {"worker-multiplier": float("nan")},
            "config worker-multiplier: nan is not a finite number >= 0",
        ),
        (
            {"worker-multiplier": float("inf")},
            "config worker-multiplier: inf is not a finite number >= 0",
        ),
        (
            {"worker-multiplier": "lots"},
            "config worker-multiplier: 'lots' is not a finite number >= 0",
        ),
        ({"region": ""}, "config region: must not be empty"),
        ({"region": "  "}, "config region: must not be empty"),
        ({"region": None}, "config region: must not be empty"),
    ],
)
def test_each_rule_names_the_option_and_the_rule(change, message):
    found = problems({**GOOD, **change})
    assert [p.message for p in found] == [message]
    assert isinstance(found[0], ConfigProblem) and found[0].option in message


def test_prefix_length_range_follows_the_vip_family():
    assert problems({"vip": "2001:db8::100", "vip_cidr": 64}) == []
    assert [p.option for p in problems({"vip": "2001:db8::1 10.0.0.1", "vip_cidr": 64})] == [
        "vip_cidr"
    ]
    assert [p.message for p in problems({"vip": "2001:db8::1", "vip_cidr": 129})] == [
        "config vip_cidr: 129 is not a prefix length (1-128)"
    ]


def test_every_problem_is_reported_in_one_status():
    host = ready_host(config={**GOOD, "vip": "10.0.0", "region": ""})
    assert config_checks.status(charm_for(host)) == (
        "blocked",
        "config vip: '10.0.0' is not an IP address; config region: must not be empty",
    )


# -- a bad value changes nothing else -------------------------------------------------------


def test_bad_vip_blocks_and_nothing_is_rendered_restarted_or_sent(charm_dir):
    host = ready_host(charm_dir=charm_dir, config={**GOOD, "vip": "10.0.0"})
    charm = charm_for(host)
    db = FakeMySQLShared(db_host="10.0.0.30", password="dbpass", allowed_units="congress/0")
    keystone = FakeKeystone(**keystone_data())
    hacluster = FakeHACluster()

    assert charm.upgrade_if_available([db]) is False
    assert charm.render_with_interfaces([db]) == []
    assert charm.db_sync() is False
    charm.register_endpoints(keystone)
    charm.configure_ha_resources(hacluster)
    charm.enable_services()
    charm.assess_status()
    host.run_atexit()

    assert host.writes == [] and host.service_calls == [] and host.commands == []
    assert keystone.sends == [] and hacluster.sent == {}
    assert host.status == ("blocked", "config vip: '10.0.0' is not an IP address")
    warnings = [m for level, m in host.logs if level == "WARNING"]
    assert len(warnings) == 1 and "config vip" in warnings[0]


def test_fixing_the_value_applies_the_config_again(charm_dir):
    host = ready_host(charm_dir=charm_dir, config={**GOOD, "worker-multiplier": float("nan")})
    db = FakeMySQLShared(db_host="10.0.0.30", password="dbpass", allowed_units="congress/0")
    assert charm_for(host).render_with_interfaces([db]) == []
    host.config_values["worker-multiplier"] = 2.0
    charm = charm_for(host.new_hook("config-changed"))
    assert CONF in charm.render_with_interfaces([db])
    charm.assess_status()
    host.run_atexit()
    assert host.status == ("active", "Unit is ready")


def test_config_problem_is_reported_before_missing_relations():
    host = ready_host(config={**GOOD, "vip_cidr": 40}, flags=[])
    assert charm_for(host)._assess_status() == (
        "blocked",
        "config vip_cidr: 40 is not a prefix length (1-32)",
    )


# -- a service that does not come back -------------------------------------------------------


def test_failed_restart_blocks_naming_the_service_and_the_hook_goes_on(charm_dir):
    host = ready_host(charm_dir=charm_dir, services={}, listening={1779})
    host.fail_service("haproxy", "restart")
    charm = charm_for(host)
    db = FakeMySQLShared(db_host="10.0.0.30", password="dbpass", allowed_units="congress/0")
    changed = charm.render_with_interfaces([db])  # no exception: later handlers still run
    assert "/etc/haproxy/haproxy.cfg" in changed
    assert host.restarted() == ["congress-server", "memcached"]
    assert ("restart-failed", "haproxy") in host.service_calls
    charm.assess_status()
    host.run_atexit()
    assert host.status == (
        "blocked",
        "haproxy restart failed; Ports which should be open, but are not: 1789",
    )
    logged = "service haproxy restart failed with exit code 1; see the service's own log"
    assert ("ERROR", logged) in host.logs
    assert all("failed to restart" not in message for _, message in host.logs)  # no output


def test_failed_start_of_a_stopped_service_is_named_too():
    host = ready_host(
        services={"congress-server": True, "memcached": True, "haproxy": False}, listening={1779}
    )
    host.fail_service("haproxy", "start")
    charm = charm_for(host)
    charm.enable_services()
    assert charm._assess_status() == (
        "blocked",
        "haproxy start failed; Ports which should be open, but are not: 1789",
    )


def test_a_restart_that_fails_while_the_old_process_still_answers_is_not_ready():
    """A real `reload` with a bad config can leave the old haproxy serving the old config."""
    host = ready_host()
    host.fail_service("haproxy", "restart")
    charm = charm_for(host)
    charm.restart_on_change(["/etc/haproxy/haproxy.cfg"])
    host.services["haproxy"] = True  # the old process is still there and listening
    state, message = charm._assess_status()
    assert (state, message) == ("blocked", "haproxy restart failed")


def test_the_next_successful_restart_clears_the_failure():
    host = ready_host()
    host.fail_service("haproxy", "restart")
    charm = charm_for(host)
    charm.restart_on_change(["/etc/haproxy/haproxy.cfg"])
    charm.restart_on_change(["/etc/haproxy/haproxy.cfg"])
    assert charm._assess_status() == ("active", "Unit is ready")
