"""`charmsmith model` verbs that only look: status, debug-log, hooks, catalog, ssh.

They read the model under its lock (or its files without it) and change nothing, so none runs
the hook queue or serves hook tools.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from charmsmith.errors import CharmsmithError
from charmsmith.model.sequencer import Model
from charmsmith.model.store import ModelStore


def cmd_status(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model import status

    with store.locked():
        model = Model(store)
        text = status.render_json(model) if args.format == "json" else status.render_table(model)
    sys.stdout.write(text)
    return 0


def _require_model(store: ModelStore) -> None:
    if not store.exists:
        raise CharmsmithError(f"no model at {store.path}")


def cmd_debug_log(store: ModelStore, args: argparse.Namespace) -> int:
    path = store.path / "debug-log.txt"
    if args.lines < 0:
        raise CharmsmithError(f"-n/--lines must be 0 (all) or more, got {args.lines}")
    _require_model(store)
    lines = path.read_text().splitlines() if path.exists() else []
    if args.lines:
        lines = lines[-args.lines :]
    for line in lines:
        print(line)
    return 0


def cmd_hooks(store: ModelStore, args: argparse.Namespace) -> int:
    _require_model(store)
    records = [r for r in store.history() if not args.unit or r["unit"] == args.unit]
    if args.format == "json":
        print(json.dumps(records, indent=1, sort_keys=True))
        return 0
    for r in records:
        tools = [c for c in r["calls"] if not c.get("shim")]
        shim = len(r["calls"]) - len(tools)
        started = time.strftime("%H:%M:%S", time.localtime(r["started"]))
        label = r["hook"] + (f" ({r['remote_unit']})" if r.get("remote_unit") else "")
        print(
            f"{started}  {r['unit']:<16} {label:<48} rc={r['rc']:<3} {r['wall']:7.3f}s  "
            f"{len(tools):3d} tool calls" + (f", {shim} shim calls" if shim else "")
        )
        if args.calls:
            for c in r["calls"]:
                print(f"      {c['ms']:7.3f} ms  rc={c['rc']}  {c['tool']} {' '.join(c['args'])}")
        if args.output or r["rc"] != 0:
            for line in r["output"].rstrip().splitlines()[-40:]:
                print(f"    | {line}")
    return 0


def cmd_ssh(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model.unitexec import unit_command

    with store.locked():
        model = Model(store)
        unit = model.unit(args.unit)
        if model.is_peer(unit.app):
            raise CharmsmithError(f"{args.unit} is played by charmsmith in-process; no shell")
        command = ["/bin/sh", "-c", " ".join(args.command)] if args.command else ["/bin/bash", "-l"]
        argv = unit_command(model, args.unit, command, cwd="/root")
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "TERM": os.environ.get("TERM", "xterm"),
        "PIP_CONFIG_FILE": "/dev/null",
        "PS1": f"{args.unit}# ",
    }
    return subprocess.call(argv, env=env)


def cmd_catalog(store: ModelStore, args: argparse.Namespace) -> int:
    with store.locked():
        model = Model(store)
        catalog: dict[str, Any] = {}
        for name, app in model.state.applications.items():
            if app.peer == "keystone":
                catalog.update(model.peer(name).catalog())  # type: ignore[attr-defined]
    if args.format == "json":
        print(json.dumps(catalog, indent=2, sort_keys=True))
        return 0
    if not catalog:
        print("no endpoints registered (is keystone deployed and related?)")
        return 0
    rows = [["Service", "Region", "Interface", "URL"]]
    for service, entry in sorted(catalog.items()):
        for iface in ("public", "internal", "admin"):
            rows.append([service, entry.get("region", ""), iface, entry.get(f"{iface}_url", "")])
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0
