"""Run one hook of one unit the way Juju's unit agent does.

The hook runs inside the unit (its network namespace + a private mount namespace with the
overlays) via the C launcher, with an explicit environment (the equivalent of `env -i` plus
Juju 3.x's hook variables), cwd = the charm dir, and its output captured. Every hook is
recorded in the history with wall time, exit code, output and its hook-tool calls.

A running hook is recorded in run/hook.json (pid + start time): an interrupted command
(SIGINT/SIGTERM) kills the hook and its descendants before it exits, and the next hook of a
later command first kills what a command killed outright (SIGKILL) left running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import TYPE_CHECKING, Any

from charmsmith.model import network, procs
from charmsmith.model import units as unitfs
from charmsmith.model.operations import after_hook
from charmsmith.model.state import QueuedEvent, Unit
from charmsmith.model.tool_base import HookContext

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI

JUJU_VERSION = "3.4.0"
# Juju never kills a hook for its duration; the model does, so that a stuck hook cannot hang a
# test run. A first install that compiles its wheelhouse (layer-basic on a loaded machine) may
# need more: CHARMSMITH_HOOK_TIMEOUT=<seconds>.
HOOK_TIMEOUT = float(os.environ.get("CHARMSMITH_HOOK_TIMEOUT", "900"))
OUTPUT_LIMIT = 200_000


def new_context(model: ModelAPI, unit: str, hook: str, **extra: Any) -> HookContext:
    number = model.state.next_context
    model.state.next_context = number + 1
    ctx = HookContext(id=f"{unit}-{hook}-{number}", unit=unit, hook=hook, **extra)
    model.contexts[ctx.id] = ctx
    return ctx


def hook_env(model: ModelAPI, ctx: HookContext) -> dict[str, str]:
    """Juju 3.x's hook environment; nothing inherited from the caller (env -i).

    Follows juju/worker/uniter/runner/context/context.go (HookVars) and env.go (the Ubuntu
    variables), and runner.go, which adds JUJU_DISPATCH_PATH: `hooks/<hook>`, or
    `actions/<name>` for an action, whose context has no hook name. Not set, as on a machine
    charm without them: legacy proxy variables (no proxy here), JUJU_STORAGE_* (no storage),
    JUJU_SECRET_* (no secrets), JUJU_TARGET_BASE/SERIES (no upgrade-series), JUJU_WORKLOAD_NAME
    and JUJU_NOTICE_* (Kubernetes only).
    """
    state = model.state
    unit = model.unit(ctx.unit)
    charm = unitfs.charm_dir_in_unit(ctx.unit)
    dispatch = f"actions/{ctx.hook}" if ctx.action is not None else f"hooks/{ctx.hook}"
    env = {
        "PATH": unitfs.hook_path(unitfs.unit_mode(state, unit) == "real"),
        "HOME": "/root",
        "USER": "root",
        "LANG": "C.UTF-8",
        "TERM": "tmux-256color",
        "APT_LISTCHANGES_FRONTEND": "none",
        "DEBIAN_FRONTEND": "noninteractive",
        "PIP_CONFIG_FILE": "/dev/null",
        "CHARMSMITH_SOCKET": f"{unitfs.TOOLS_MOUNT}/hooktools.sock",
        "JUJU_UNIT_NAME": ctx.unit,
        "JUJU_CHARM_DIR": charm,
        "CHARM_DIR": charm,
        "JUJU_HOOK_NAME": "" if ctx.action is not None else ctx.hook,
        "JUJU_DISPATCH_PATH": dispatch,
        "CLOUD_API_VERSION": "",
        "JUJU_MODEL_NAME": state.name,
        "JUJU_MODEL_UUID": state.uuid,
        "JUJU_MACHINE_ID": unit.machine,
        "JUJU_PRINCIPAL_UNIT": unit.principal or "",
        "JUJU_AVAILABILITY_ZONE": "zone1",
        "JUJU_CONTEXT_ID": ctx.id,
        "JUJU_VERSION": JUJU_VERSION,
        "JUJU_AGENT_SOCKET_ADDRESS": f"@{unitfs.charm_dir_in_unit(ctx.unit)[:-6]}/agent.socket",
        "JUJU_AGENT_SOCKET_NETWORK": "unix",
        "JUJU_API_ADDRESSES": f"{network.gateway(state)}:17070",
        "JUJU_SLA": "unsupported",
        "JUJU_METER_STATUS": "AMBER",
        "JUJU_METER_INFO": "not set",
        "JUJU_CHARM_HTTP_PROXY": "",
        "JUJU_CHARM_HTTPS_PROXY": "",
        "JUJU_CHARM_FTP_PROXY": "",
        "JUJU_CHARM_NO_PROXY": "127.0.0.1,localhost,::1",
    }
    if ctx.relation_id is not None:
        rel = model.relation(ctx.relation_id)
        app = unit.app
        env["JUJU_RELATION"] = model.endpoint_of(rel, app)
        env["JUJU_RELATION_ID"] = model.relation_key(rel, app)
        env["JUJU_REMOTE_APP"] = ctx.remote_app or model.remote_app(rel, app)
        env["JUJU_REMOTE_UNIT"] = ctx.remote_unit or ""
        if ctx.departing_unit:
            env["JUJU_DEPARTING_UNIT"] = ctx.departing_unit
    if ctx.action is not None:
        env["JUJU_ACTION_NAME"] = ctx.action["name"]
        env["JUJU_ACTION_UUID"] = ctx.action["uuid"]
        env["JUJU_ACTION_TAG"] = f"action-{ctx.action['uuid']}"
    return env


RUNNING_HOOK = "hook.json"  # in <model>/run/


def reap_interrupted_hook(model: ModelAPI) -> None:
    """Kill the process tree of a hook whose command was killed before it could (SIGKILL)."""
    path = model.store.path / "run" / RUNNING_HOOK
    try:
        rec = json.loads(path.read_text())
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return
    if procs.kill_tree(rec):
        model.store.log(rec.get("unit", "?"), "WARNING", "killed a hook left by a killed command")
    path.unlink(missing_ok=True)


def _run_hook_process(
    model: ModelAPI, argv: list[str], env: dict[str, str], unit: str
) -> tuple[int, str]:
    """Run the hook; whichever way this command ends, no process of the hook stays behind."""
    reap_interrupted_hook(model)
    marker = model.store.path / "run" / RUNNING_HOOK
    proc = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    rec = procs.record(proc.pid)
    if rec is not None:
        marker.write_text(json.dumps({**rec, "unit": unit}))
    try:
        out, _ = proc.communicate(timeout=HOOK_TIMEOUT)
        return proc.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        procs.kill_tree(rec)
        out, _ = proc.communicate()
        note = f"\n(hook timed out after {HOOK_TIMEOUT:.0f}s; raise CHARMSMITH_HOOK_TIMEOUT)"
        return 124, out.decode(errors="replace") + note
    except BaseException:
        procs.kill_tree(rec)  # interrupted: take the hook and its children down with us
        proc.kill()
        proc.wait()
        raise
    finally:
        marker.unlink(missing_ok=True)


def execute(model: ModelAPI, ctx: HookContext, path_in_unit: str) -> dict[str, Any]:
    """Run `path_in_unit` in the unit for this context; returns the history record."""
    unit = model.unit(ctx.unit)
    charm = unitfs.charm_dir_in_unit(ctx.unit)
    argv = model.substrate.enter_unit(model, ctx.unit, [path_in_unit], charm)
    unit.agent = "executing"
    start = time.perf_counter()
    model.current = ctx
    try:
        rc, output = _run_hook_process(model, argv, hook_env(model, ctx), ctx.unit)
    except BaseException:
        unit.agent = "idle"  # interrupted: the hook did not run, it is queued again
        raise
    finally:
        model.current = None
        model.contexts.pop(ctx.id, None)
    wall = time.perf_counter() - start
    return {
        "unit": ctx.unit,
        "hook": ctx.hook,
        "relation_id": ctx.relation_id,
        "remote_unit": ctx.remote_unit,
        "started": time.time() - wall,
        "wall": round(wall, 4),
        "rc": rc,
        "output": output[-OUTPUT_LIMIT:],
        "calls": ctx.calls,
    }


def run_event(model: ModelAPI, queued: QueuedEvent) -> bool:
    """Run one queued hook; commit its writes on success; mark the unit in error on failure."""
    name, hook = queued.unit, queued.hook
    unit = model.unit(name)
    ctx = new_context(
        model,
        name,
        hook,
        relation_id=queued.relation_id,
        remote_unit=queued.remote_unit,
        remote_app=queued.remote_app,
        departing_unit=queued.departing_unit,
    )
    charm_host = (
        unitfs.upper(model.store.path, name, "/var/lib")
        / (unitfs.charm_dir_in_unit(name)[len("/var/lib/") :])
    )
    if not (charm_host / "hooks" / hook).exists():
        model.contexts.pop(ctx.id, None)
        after_success(model, ctx, unit)
        return True  # Juju skips hooks the charm does not implement
    label = hook if not queued.remote_unit else f"{hook} ({queued.remote_unit})"
    record = execute(model, ctx, f"{unitfs.charm_dir_in_unit(name)}/hooks/{hook}")
    model.store.append_history(record)
    tools = sum(1 for c in record["calls"] if not c["shim"])
    if record["rc"] == 0:
        model.echo(f"{name}: {label} ok ({record['wall']:.2f}s, {tools} tool calls)")
        after_success(model, ctx, unit)
        return True
    unit.agent = "error"
    unit.agent_message = f'hook failed: "{hook}"'
    last = next((ln for ln in reversed(record["output"].splitlines()) if ln.strip()), "")
    message = (
        f'hook "{hook}" failed on {name} ({exit_text(record["rc"])}): {last.strip()[:200]}'
        f" — see `charmsmith model hooks {name}`; retry with "
        f"`charmsmith model run-hook {name}`"
    )
    model.echo(f"{name}: {label} FAILED ({record['wall']:.2f}s)")
    model.failures.append(message)
    model.store.log(name, "ERROR", f'hook "{hook}" failed ({exit_text(record["rc"])})')
    return False


def exit_text(rc: int) -> str:
    """`exit N`, or the name of the signal that killed the hook (Popen reports -signum)."""
    if rc >= 0:
        return f"exit {rc}"
    try:
        return f"killed by {signal.Signals(-rc).name}"
    except ValueError:
        return f"killed by signal {-rc}"


def after_success(model: ModelAPI, ctx: HookContext, unit: Unit) -> None:
    """What follows a hook that succeeded (or that the charm lacks): commit, removal, -broken."""
    unit.agent = "idle"
    unit.agent_message = None
    model.commit(ctx)
    if ctx.hook == "remove" and unit.dying:
        model.finish_removal(ctx.unit)
    after_hook(model, ctx)
