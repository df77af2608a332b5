"""Processes the model starts are signalled only while they are provably the ones it started.

No namespaces here: a stand-in `charmsmith-enter` runs the listener on the host, so these tests
need neither root nor the C launcher; the listener itself is the real one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_charm import active_unit
from model_cli import free_port, listening

from charmsmith.model import procs, runner, services
from charmsmith.model import units as unitfs
from charmsmith.model.sequencer import Model
from charmsmith.model.store import ModelStore

UNIT = "fixture-api/0"
SERVICE = "fixture-api"


@pytest.fixture()
def model(tmp_path: Path):
    store = ModelStore(tmp_path / "m")
    with store.locked(create=True):
        store.state.units[UNIT] = active_unit(UNIT, "203.0.113.2", "ns")
        bin_dir = store.path / "run" / "bin"
        bin_dir.mkdir(parents=True)
        enter = bin_dir / "charmsmith-enter"
        # `charmsmith-enter NETNS SPEC CWD -- CMD...` minus the namespaces
        enter.write_text('#!/bin/sh\nshift 4\nexec "$@"\n')
        enter.chmod(0o755)
        yield Model(store, echo=lambda _l: None)


def _bind_port(model: Model, port: int) -> None:
    conf = unitfs.upper(model.store.path, UNIT, "/etc") / "fixture" / "fixture.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[DEFAULT]\nbind_port = {port}\n")


def _listening(port: int) -> bool:
    return listening("127.0.0.1", port, timeout=2)


def _entry(model: Model) -> dict:
    return (model.unit(UNIT).services or {})[SERVICE]


STRANGER = (
    "import signal, sys, time\n"
    "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})\n"
    "print('ready', flush=True)\n"
    "time.sleep(300)\n"
)


@pytest.fixture()
def stranger():
    """An unrelated process leading its own group, as a pid reused after a wrap would be.

    It blocks SIGTERM/SIGINT, so a signal sent to it stays pending where /proc shows it: the
    test sees "never signalled" without waiting for anything.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", STRANGER], stdout=subprocess.PIPE, start_new_session=True
    )
    assert proc.stdout.readline() == b"ready\n"
    yield proc
    proc.kill()
    proc.wait()


def _signalled(proc: subprocess.Popen) -> bool:
    """Whether any signal is pending for the process, or it is gone."""
    if proc.poll() is not None:
        return True
    status = Path(f"/proc/{proc.pid}/status").read_text()
    pending = [
        line.split()[1] for line in status.splitlines() if line.startswith(("ShdPnd", "SigPnd"))
    ]
    return any(int(mask, 16) for mask in pending)


@pytest.mark.parametrize("verb", ["restart", "stop"])
def test_reused_pid_is_never_signalled(model: Model, stranger: subprocess.Popen, verb: str):
    """Issue 11.1's repro: the recorded listener is long gone and its pid is someone else's."""
    model.unit(UNIT).services = {
        SERVICE: {"running": True, "enabled": True, "pid": stranger.pid, "start": "1", "ports": []}
    }
    rc, _, _ = services._control(model, UNIT, verb, SERVICE)
    assert rc == 0
    assert not _signalled(stranger)  # not ours: never signalled
    assert _entry(model)["pid"] is None  # and forgotten


def test_bare_pid_from_older_state_is_never_signalled(model: Model, stranger: subprocess.Popen):
    model.unit(UNIT).services = {
        SERVICE: {"running": True, "enabled": True, "pid": stranger.pid, "ports": []}
    }
    services._control(model, UNIT, "stop", SERVICE)
    assert not _signalled(stranger)


def test_listener_that_exits_at_once_is_recorded_not_running(model: Model):
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        _bind_port(model, taken.getsockname()[1])
        rc, _, _ = services._control(model, UNIT, "start", SERVICE)
    assert rc == 0  # a simple service's start succeeds once forked (systemd.service(5))
    entry = _entry(model)
    assert entry["running"] is False and entry["pid"] is None
    rc, out, _ = services._control(model, UNIT, "is-active", SERVICE)
    assert (rc, out) == (3, b"failed\n")


def test_restart_replaces_the_listener_and_stop_ends_it(model: Model):
    port = free_port()
    _bind_port(model, port)
    services._control(model, UNIT, "start", SERVICE)
    first = {"pid": _entry(model)["pid"], "start": _entry(model)["start"]}
    assert procs.alive(first) and _listening(port)
    services._control(model, UNIT, "restart", SERVICE)
    second = {"pid": _entry(model)["pid"], "start": _entry(model)["start"]}
    assert not procs.alive(first)  # gone before the new one bound the port
    assert procs.alive(second) and _listening(port)
    assert services._control(model, UNIT, "is-active", SERVICE)[:2] == (0, b"active\n")
    services._control(model, UNIT, "stop", SERVICE)
    assert not procs.alive(second) and not _listening(port)


def test_listener_that_died_since_reports_failed(model: Model):
    _bind_port(model, free_port())
    services._control(model, UNIT, "start", SERVICE)
    rec = {"pid": _entry(model)["pid"], "start": _entry(model)["start"]}
    assert procs.send(rec, signal.SIGKILL)
    assert procs._wait_exit(os.pidfd_open(rec["pid"]), 5.0)
    rc, out, _ = services._control(model, UNIT, "is-active", SERVICE)
    assert (rc, out) == (3, b"failed\n")
    assert _entry(model)["running"] is False


TREE = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen(['sleep', '300'])\n"
    "open(sys.argv[1], 'w').write(str(child.pid))\n"
    "time.sleep(300)\n"
)


def _hook_tree(ready: Path, new_session: bool = False) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", TREE, str(ready)], start_new_session=new_session)
    while not ready.exists() or not ready.read_text():
        assert proc.poll() is None
        time.sleep(0.01)
    return proc


def test_hook_left_by_a_killed_command_is_killed_before_the_next_hook(model: Model, tmp_path):
    """SIGKILL gives a command no chance to clean up: the next one kills the hook's tree."""
    ready = tmp_path / "child"
    hook = _hook_tree(ready, new_session=True)
    child = procs.record(int(ready.read_text()))
    marker = model.store.path / "run" / runner.RUNNING_HOOK
    marker.write_text(f'{{"pid": {hook.pid}, "start": "{procs.start_time(hook.pid)}"}}')
    runner.reap_interrupted_hook(model)
    assert hook.wait(timeout=10) == -signal.SIGKILL
    assert not procs.alive(child)
    assert not marker.exists()


def test_interrupted_hook_leaves_no_process(model: Model, tmp_path, monkeypatch):
    """Ctrl-C or SIGTERM (raised as KeyboardInterrupt) while a hook runs: hook and child go."""
    ready = tmp_path / "child"
    started: list[int] = []
    original = subprocess.Popen.communicate

    def interrupted(self, *args, **kwargs):
        while not ready.exists() or not ready.read_text():
            time.sleep(0.01)
        started.append(int(ready.read_text()))
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess.Popen, "communicate", interrupted)
    argv = [sys.executable, "-c", TREE, str(ready)]
    with pytest.raises(KeyboardInterrupt):
        runner._run_hook_process(model, argv, dict(os.environ), UNIT)
    monkeypatch.setattr(subprocess.Popen, "communicate", original)
    assert procs.start_time(started[0]) is None  # the hook's child is gone too
    assert not (model.store.path / "run" / runner.RUNNING_HOOK).exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root for a network namespace")
def test_kill_netns_kills_only_what_is_inside(stranger: subprocess.Popen):
    """`fail`, remove-unit and destroy end a unit's processes: all in its namespace, no other."""
    name = f"cstest{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        inside = subprocess.Popen(
            ["ip", "netns", "exec", name, sys.executable, "-c", STRANGER],
            stdout=subprocess.PIPE,
        )
        assert inside.stdout.readline() == b"ready\n"
        assert procs.kill_netns(f"/run/netns/{name}") == 1
        assert inside.poll() == -signal.SIGKILL  # gone by the time kill_netns returned
        assert not _signalled(stranger)
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def test_a_hook_past_the_timeout_is_killed_and_the_knob_named(model: Model, monkeypatch):
    """Juju has no hook timeout; the model's safety net says how to raise it."""
    monkeypatch.setattr(runner, "HOOK_TIMEOUT", 0.5)
    argv = [sys.executable, "-c", "import time; print('compiling', flush=True); time.sleep(30)"]
    started = time.monotonic()
    code, output = runner._run_hook_process(model, argv, dict(os.environ), UNIT)
    assert time.monotonic() - started < 20
    assert code == 124
    assert output.startswith("compiling\n")
    assert "raise CHARMSMITH_HOOK_TIMEOUT" in output
