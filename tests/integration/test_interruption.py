"""Commands killed half way, redone, and a failed unit rebooted — on a real model (root).

The fixture charm's `hold-hook` option makes one hook sleep (once per unit, with a child
process), so each test kills the command at a known point: after the hook said "holding" in
the debug log.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI
from model_cli import host_objects, listening

from charmsmith.model import procs

pytestmark = pytest.mark.netns

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "model-charm"

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)


def _start(cli: CLI, *args: str) -> subprocess.Popen:
    """A model command in its own process group, so a test can kill it or its whole group."""
    return subprocess.Popen(
        [sys.executable, "-m", "charmsmith.cli", "model", "--model", str(cli.model), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_hold(cli: CLI, proc: subprocess.Popen, unit: str, hook: str) -> None:
    """Until the held hook has logged that it holds (the command must still be running)."""
    log = cli.model / "debug-log.txt"
    needle = re.compile(rf"{re.escape(unit)}: (\S+: )?holding {hook}")  # relation hooks: rel id
    while not (log.exists() and needle.search(log.read_text())):
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)


def _netns_processes(state_id: str, index: int) -> list[procs.Record]:
    out = subprocess.run(
        ["ip", "netns", "pids", f"cs{state_id}-{index}"], capture_output=True, text=True
    ).stdout
    return [r for r in (procs.record(int(p)) for p in out.split()) if r]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_add_unit_leaves_no_hook_process(cli: CLI, sig: signal.Signals):
    cli("deploy", str(FIXTURE))
    cli("config", "fixture-api", "hold-hook=install")
    model_id = cli.records().id
    proc = _start(cli, "add-unit", "fixture-api")
    _wait_for_hold(cli, proc, "fixture-api/1", "install")
    held = _netns_processes(model_id, 1)
    assert len(held) >= 2  # the hook and its child
    os.kill(proc.pid, sig)  # the command alone, not its group
    proc.wait()
    if sig == signal.SIGTERM:
        assert proc.returncode == 143
        assert proc.stderr.read().strip().splitlines()[-1] == "charmsmith: interrupted"
        assert not any(procs.alive(r) for r in held)  # gone before the command exited
    cli("update-status")  # a SIGKILLed command's hook is killed before the next hook runs
    assert not any(procs.alive(r) for r in held)
    status = cli.status()
    assert status["pending-hooks"] == 0
    assert {u["agent-status"] for u in status["applications"]["fixture-api"]["units"].values()} == {
        "idle"
    }


def test_redone_remove_unit_runs_each_hook_once(cli: CLI):
    cli("deploy", str(FIXTURE), "-n", "2")
    cli("config", "fixture-api", "hold-hook=cluster-relation-broken")
    proc = _start(cli, "remove-unit", "fixture-api/0")
    _wait_for_hold(cli, proc, "fixture-api/0", "cluster-relation-broken")
    os.killpg(proc.pid, signal.SIGKILL)  # the whole command, hook included
    proc.wait()

    status = cli.status()
    units = status["applications"]["fixture-api"]["units"]
    assert units["fixture-api/0"]["life"] == "dying" and "life" not in units["fixture-api/1"]
    row = next(r for r in cli("status").stdout.splitlines() if r.startswith("fixture-api/0"))
    assert "dying" in row.split()

    cli("remove-unit", "fixture-api/0")  # the redo finishes the removal
    history = json.loads(cli("hooks", "--format", "json").stdout)
    ran = [(h["unit"], h["hook"], h.get("remote_unit")) for h in history]
    assert ran.count(("fixture-api/1", "cluster-relation-departed", "fixture-api/0")) == 1
    assert ran.count(("fixture-api/0", "cluster-relation-departed", "fixture-api/1")) == 1
    assert ran.count(("fixture-api/0", "cluster-relation-broken", None)) == 1
    assert ran.count(("fixture-api/0", "remove", None)) == 1
    status = cli.status()
    units = status["applications"]["fixture-api"]["units"]
    assert list(units) == ["fixture-api/1"] and units["fixture-api/1"]["agent-status"] == "idle"
    assert status["pending-hooks"] == 0


def _relate_peers(cli: CLI, app: str) -> None:
    for peer in ("keystone", "mysql", "rabbitmq"):
        cli("deploy", peer)
        cli("relate", app, peer)


def test_recover_boots_enabled_services(cli: CLI):
    """Issue 11.7: the enabled service listens again even though the start hook fails."""
    cli("deploy", str(FIXTURE))
    _relate_peers(cli, "fixture-api")
    unit = cli.status()["applications"]["fixture-api"]["units"]["fixture-api/0"]
    assert unit["workload-status"] == "active" and listening(unit["address"], 8080)
    cli("fail", "fixture-api/0")
    assert not listening(unit["address"], 8080)
    cli("config", "fixture-api", "fail-hook=start")
    proc = cli("recover", "fixture-api/0", check=False)
    assert proc.returncode == 1 and 'hook "start" failed' in proc.stderr
    assert listening(unit["address"], 8080)  # started at boot, not by the failed hook
    cli("config", "fixture-api", "fail-hook=")
    cli("run-hook", "fixture-api/0")
    unit = cli.status()["applications"]["fixture-api"]["units"]["fixture-api/0"]
    assert (unit["workload-status"], unit["agent-status"]) == ("active", "idle")


def test_truncated_state_is_reported_and_destroy_still_works(cli: CLI):
    cli("deploy", str(FIXTURE))
    model_id = cli.records().id
    state = cli.model / "state.json"
    state.write_bytes(state.read_bytes()[:200])
    proc = cli("status", check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert str(state) in proc.stderr and "destroy" in proc.stderr
    proc = cli("destroy", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert host_objects(model_id) == []
    assert not cli.model.exists()


def test_restart_spares_a_process_that_took_the_recorded_pid(cli: CLI):
    """Issue 11.1's repro: the listener recorded in state.json is gone and its pid reused."""
    cli("deploy", str(FIXTURE))
    _relate_peers(cli, "fixture-api")
    # blocks SIGTERM: a signal sent to it stays pending where /proc shows it, no waiting
    blocker = "import signal, time; signal.pthread_sigmask(signal.SIG_BLOCK, {15}); time.sleep(300)"
    stranger = subprocess.Popen([sys.executable, "-c", blocker], start_new_session=True)
    try:
        state = cli.state()
        entry = state["units"]["fixture-api/0"]["services"]["fixture-api"]
        procs.send({"pid": entry["pid"], "start": entry["start"]}, signal.SIGKILL, wait=5)
        entry["pid"], entry["start"] = stranger.pid, "1"  # what a pid wrap makes of the record
        (cli.model / "state.json").write_text(json.dumps(state))
        cli("config", "fixture-api", "port=8081")  # re-rendered config: `service restart`
        status = Path(f"/proc/{stranger.pid}/status").read_text().splitlines()
        pending = [line.split()[1] for line in status if line.startswith(("ShdPnd", "SigPnd"))]
        assert stranger.poll() is None and not any(int(mask, 16) for mask in pending)
        address = cli.status()["applications"]["fixture-api"]["units"]["fixture-api/0"]["address"]
        assert listening(address, 8081)
    finally:
        stranger.kill()
        stranger.wait()
