"""The fast update-status hook: status only, a handful of hook-tool calls, no side effects."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from reactive_openstack import actions, update_status

from . import sample_charm
from .sample import READY_FLAGS, ready_host

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-api"


@pytest.fixture
def charm_dir(tmp_path, monkeypatch):
    """A charm tree with the class module; charm.* modules are isolated per test."""
    pkg = tmp_path / "lib" / "charm" / "openstack"
    pkg.mkdir(parents=True)
    charm_module = Path(sample_charm.__file__).read_text()
    (pkg / "congress.py").write_text(charm_module + "\nregistry, _, _ = make_registry()\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in [m for m in sys.modules if m == "charm" or m.startswith("charm.")]:
        monkeypatch.delitem(sys.modules, name)
    yield str(tmp_path)
    for name in [m for m in sys.modules if m == "charm" or m.startswith("charm.")]:
        del sys.modules[name]


def _peer_flags(count):
    return (
        READY_FLAGS
        + ["cluster.connected", "cluster.available"]
        + [f"peer.{i}" for i in range(count)]
    )


@pytest.mark.parametrize("peers", [0, 9])
def test_update_status_only_sets_status(charm_dir, peers):
    host = ready_host(charm_dir=charm_dir, flags=_peer_flags(peers), hook_name="update-status")
    assert update_status.main(host=host) == ("active", "Unit is ready")
    assert host.status == ("active", "Unit is ready")
    assert host.writes == [] and host.installs == [] and host.sources == []
    assert host.service_calls == [] and host.commands == [] and host.port_calls == []
    assert host.atexit_callbacks == []
    assert len(host.tool_calls) <= 5
    # steady state: the next update-status sends nothing at all
    host.new_hook("update-status")
    update_status.main(host=host)
    assert "status-set" not in host.tool_calls
    assert len(host.tool_calls) <= 3


def test_update_status_reports_missing_relation(charm_dir):
    host = ready_host(charm_dir=charm_dir, flags=["amqp.connected", "amqp.available"])
    assert update_status.main(host=host) == (
        "blocked",
        "'shared-db' missing, 'identity-service' missing",
    )


def test_update_status_unsupported_release(charm_dir):
    host = ready_host(charm_dir=charm_dir, config={"openstack-origin": "cloud:focal-xena"})
    assert update_status.main(host=host) is None
    assert host.status[0] == "blocked" and "xena" in host.status[1]


def test_update_status_with_the_sample_fixture(tmp_path, monkeypatch):
    if not (FIXTURE / "lib" / "charm" / "openstack").is_dir():
        pytest.skip("sample-api fixture not present")
    target = tmp_path / "sample-api"
    shutil.copytree(FIXTURE / "lib", target / "lib")
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in [m for m in sys.modules if m == "charm" or m.startswith("charm.")]:
        monkeypatch.delitem(sys.modules, name)
    host = ready_host(charm_dir=str(target), flags=[])
    state, message = update_status.main(host=host)
    assert state == "blocked" and "'shared-db' missing" in message
    for name in [m for m in sys.modules if m == "charm" or m.startswith("charm.")]:
        del sys.modules[name]


def test_pause_and_resume_actions(charm_dir):
    host = ready_host(charm_dir=charm_dir)
    assert actions.main("pause", host=host) is True
    assert host.is_flag_set("charm.paused")
    assert host.status == ("maintenance", "Paused. Use 'resume' action to resume normal service.")
    assert ("stop", "congress-server") in host.service_calls
    assert actions.main("resume", host=host) is True
    assert not host.is_flag_set("charm.paused")
    assert host.status == ("active", "Unit is ready")


def test_restart_services_action(charm_dir):
    host = ready_host(charm_dir=charm_dir)
    assert actions.main("restart-services", host=host) is True
    assert host.service_calls[0] == ("stop", "congress-server")
    assert host.service_calls[-1] == ("start", "haproxy")


def test_failing_action_calls_action_fail(charm_dir, monkeypatch):
    host = ready_host(charm_dir=charm_dir)

    def boom(service):
        raise RuntimeError("service refused to stop")

    host.service_stop = boom
    assert actions.main("pause", host=host) is False
    assert host.commands == [["action-fail", "pause failed: service refused to stop"]]
    assert actions.main("dance", host=host) is False
    assert host.commands[-1][0] == "action-fail" and "dance" in host.commands[-1][1]


def test_real_update_status_with_juju_host_and_fake_tools(charm_dir, tmp_path):
    """The real path in a fresh interpreter: few hook-tool calls, no heavy imports."""
    import json
    import os
    import subprocess

    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "calls.log"
    answers = {
        "config-get": json.dumps({"openstack-origin": "cloud:jammy-yoga"}),
        "unit-get": "10.0.0.10",
    }
    failing = {"dpkg-query", "service", "apt-get", "network-get", "relation-get", "relation-set"}
    for name in [
        "config-get",
        "unit-get",
        "status-set",
        "application-version-set",
        "juju-log",
        "network-get",
        "is-leader",
        "leader-get",
        "relation-get",
        "relation-set",
        "dpkg-query",
        "service",
        "apt-get",
    ]:
        script = bindir / name
        script.write_text(
            f'#!/bin/sh\necho "{name} $*" >> {log}\n'
            + (f"cat <<'EOF'\n{answers[name]}\nEOF\n" if name in answers else "")
            + ("exit 1\n" if name in failing else "")
        )
        script.chmod(0o755)
    code = (
        "import sys\n"
        "from reactive_openstack import update_status\n"
        "print(tuple(update_status.main()))\n"
        "heavy = [m for m in ('distutils', 'setuptools', 'charms.reactive', "
        "'charmhelpers.core.host', 'charmhelpers.core.hookenv', 'jinja2') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    env = dict(
        os.environ,
        PATH=f"{bindir}:{os.environ['PATH']}",
        CHARM_DIR=charm_dir,
        JUJU_UNIT_NAME="congress/0",
        JUJU_HOOK_NAME="update-status",
        UNIT_STATE_DB=str(tmp_path / "state.db"),
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert (
        out[0] == "('blocked', \"'shared-db' missing, 'amqp' missing, 'identity-service' missing\")"
    )
    assert out[1] == "[]"
    calls = [line.split()[0] for line in log.read_text().splitlines()]
    hook_tools = [c for c in calls if c not in ("dpkg-query", "service")]
    assert hook_tools == ["config-get", "status-set"]
    assert "apt-get" not in calls and "relation-set" not in calls
