"""JujuHost against fake hook tools on PATH, and FakeHost's recording contract."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest
from reactive_openstack.host import (
    CommandFailed,
    Host,
    JujuHost,
    cloud_archive_line,
)
from reactive_openstack.testing import FakeHost


def test_import_runtime_has_no_charmhelpers_host():
    code = (
        "import sys, reactive_openstack, reactive_openstack.host, reactive_openstack.testing\n"
        "bad = [m for m in sys.modules if m.startswith(('charmhelpers', 'charms.reactive'))]\n"
        "print(bad)\n"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "origin,line",
    [
        ("distro", None),
        ("yoga", None),
        (
            "cloud:focal-yoga",
            "deb http://ubuntu-cloud.archive.canonical.com/ubuntu focal-updates/yoga main",
        ),
        (
            "cloud:jammy-zed/proposed",
            "deb http://ubuntu-cloud.archive.canonical.com/ubuntu jammy-proposed/zed main",
        ),
        (
            "deb http://example.invalid/ubuntu jammy main",
            "deb http://example.invalid/ubuntu jammy main",
        ),
    ],
)
def test_cloud_archive_line(origin, line):
    assert cloud_archive_line(origin) == line


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """Fake hook tools that log each call to calls.log and answer from fixed data."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "calls.log"
    answers = {
        "config-get": json.dumps({"openstack-origin": "distro", "debug": False}),
        "is-leader": "true",
        "leader-get": json.dumps({"db-sync-done": "1"}),
        "unit-get": "10.1.2.3",
        "network-get": json.dumps(
            {
                "bind-addresses": [
                    {"addresses": [{"address": "192.0.2.7", "cidr": "192.0.2.0/24"}]}
                ],
                "ingress-addresses": ["192.0.2.7"],
            }
        ),
        "opened-ports": json.dumps(["80/tcp", "53/udp"]),
    }
    for name in [
        "config-get",
        "is-leader",
        "leader-get",
        "leader-set",
        "unit-get",
        "network-get",
        "opened-ports",
        "open-port",
        "close-port",
        "status-set",
        "application-version-set",
        "juju-log",
    ]:
        script = bindir / name
        answer = answers.get(name, "")
        script.write_text(f"#!/bin/sh\necho \"{name} $*\" >> {log}\ncat <<'JSON'\n{answer}\nJSON\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("UNIT_STATE_DB", str(tmp_path / "state.db"))
    import charmhelpers.core.unitdata as unitdata

    monkeypatch.setattr(unitdata, "_KV", None)
    return log


def _calls(log):
    return log.read_text().splitlines() if log.exists() else []


def test_juju_host_caches_reads_and_skips_unchanged_writes(tools):
    host = JujuHost({"JUJU_UNIT_NAME": "congress/1", "CHARM_DIR": "/c", "JUJU_HOOK_NAME": "x"})
    assert isinstance(host, Host)
    assert host.application_name == "congress"
    for _ in range(3):
        assert host.config()["openstack-origin"] == "distro"
        assert host.is_leader() is True
        assert host.leader_get("db-sync-done") == "1"
        assert host.unit_address() == "10.1.2.3"
        assert host.binding_address("public") == "192.0.2.7"
        assert host.binding_network("public") == "192.0.2.0/24"
        assert host.opened_ports() == {80}
    host.leader_set({"db-sync-done": "1"})  # unchanged: no call
    host.open_port(80)  # already open: no call
    host.open_port(8080)
    host.status_set("active", "Unit is ready")
    host.status_set("active", "Unit is ready")
    host.application_version_set("15.0.0")
    host.application_version_set("15.0.0")
    names = [line.split()[0] for line in _calls(tools)]
    assert sorted(names) == sorted(
        [
            "config-get",
            "is-leader",
            "leader-get",
            "unit-get",
            "network-get",
            "opened-ports",
            "open-port",
            "status-set",
            "application-version-set",
        ]
    )
    assert "open-port 8080/tcp" in _calls(tools)
    assert "status-set active Unit is ready" in _calls(tools)


def test_juju_host_flags_read_from_unit_state(tools):
    from charmhelpers.core import unitdata

    unitdata.kv().set("reactive.states.charm.installed", None)
    unitdata.kv().set("reactive.states.haproxy.stat.password", "s3")
    host = JujuHost({})
    assert host.is_flag_set("charm.installed")
    assert not host.is_flag_set("charm.paused")
    assert host.get_flag_value("haproxy.stat.password") == "s3"
    host.kv_set("a", {"b": 1})
    assert host.kv_get("a") == {"b": 1}
    host.kv_unset("a")
    assert host.kv_get("a", "gone") == "gone"


def test_juju_host_write_file_atomic_and_change_detection(tmp_path):
    import grp
    import pwd

    host = JujuHost({})
    owner = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    path = str(tmp_path / "etc" / "svc" / "svc.conf")
    assert host.write_file(path, b"a=1\n", 0o640, owner, group) is True
    assert host.read_file(path) == b"a=1\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o755
    assert host.write_file(path, b"a=1\n", 0o600, owner, group) is False
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert host.write_file(path, b"a=2\n", 0o640, owner, group) is True
    assert os.listdir(os.path.dirname(path)) == ["svc.conf"]
    assert host.read_file(str(tmp_path / "missing")) is None


def test_juju_host_run_raises_command_failed():
    host = JujuHost({})
    with pytest.raises(CommandFailed) as err:
        host.run([sys.executable, "-c", "print('nope'); raise SystemExit(3)"])
    assert err.value.returncode == 3
    assert "nope" in err.value.output
    host.run([sys.executable, "-c", "pass"])


def test_fake_host_records_effects_and_runs_atexit_last_first():
    host = FakeHost(config={"debug": True}, unit_name="congress/0", services={"svc": False})
    assert isinstance(host, Host)
    order = []
    host.atexit(lambda: order.append("first"))
    host.atexit(lambda: order.append("second"))
    host.status_set("active", "x")
    host.status_set("active", "x")
    host.config()
    host.config()
    assert host.write_file("/etc/x", b"1", 0o600, "root", "svc") is True
    assert host.write_file("/etc/x", b"1", 0o600, "root", "svc") is False
    host.service_restart("svc")
    host.fail_command(["sync"], times=1)
    with pytest.raises(CommandFailed):
        host.run(["sync"])
    host.run(["sync"])
    host.run_atexit()
    assert order == ["second", "first"]
    assert host.statuses == [("active", "x")]
    assert host.tool_calls == ["status-set", "config-get"]
    assert host.files["/etc/x"].group == "svc"
    assert host.restarted() == ["svc"] and host.services["svc"] is True
    assert host.commands == [["sync"], ["sync"]]
    with pytest.raises(TypeError):
        host.write_file("/etc/y", "text")  # type: ignore[arg-type]


def test_public_api_is_reexported():
    import reactive_openstack as ro
    import reactive_openstack.host
    import reactive_openstack.testing

    assert ro.__version__ == "0.1.0"
    for name in ro.__all__:
        assert getattr(ro, name) is not None
    assert ro.host.Host is Host
    assert ro.testing.FakeHost is FakeHost
    with pytest.raises(AttributeError):
        ro.no_such_name  # noqa: B018


def test_juju_host_endpoint_not_declared_is_none_without_asking_reactive(monkeypatch):
    """A charm without a `certificates` relation must not make charms.reactive log an ERROR."""
    import charms.reactive
    from charmhelpers.core import hookenv

    monkeypatch.setattr(hookenv, "metadata", lambda: {"requires": {"shared-db": {}}})
    asked: list[str] = []
    monkeypatch.setattr(charms.reactive, "endpoint_from_name", lambda n: asked.append(n) or n)
    host = JujuHost({})
    assert host.endpoint("certificates") is None
    assert host.endpoint("shared-db") == "shared-db"
    assert asked == ["shared-db"]
