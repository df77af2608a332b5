#!/usr/bin/python3 -S
"""One fake Juju hook tool, dispatched on its file name (the tests symlink it per tool).

Deliberately small (the full local model is elsewhere): it answers the calls charmhelpers and
charms.reactive make in install / update-status hooks from one JSON state file, guarded by
flock, and appends every call to a JSONL log so tests can count them. Standard library only,
run with ``-S`` so a call costs as little as a Python start can.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time

HELP_RELATION_SET = "usage: relation-set [options] key=value ...\n  --file  file with settings\n"


def _args(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Positional arguments and the options this fake understands."""
    positional: list[str] = []
    opts: dict[str, str] = {}
    it = iter(argv)
    for arg in it:
        if arg.startswith("--format="):
            opts["format"] = arg.split("=", 1)[1]
        elif arg in ("--format", "-r", "--file", "-l", "--log-level"):
            opts[arg.lstrip("-")] = next(it, "")
        elif arg.startswith("-r") and len(arg) > 2:
            opts["r"] = arg[2:]
        elif arg in ("--all", "--include-data", "--primary-address", "--app", "--help"):
            opts[arg.lstrip("-")] = "1"
        else:
            positional.append(arg)
    return positional, opts


def _kv(items: list[str]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in items if "=" in item)


def main() -> int:
    tool = os.path.basename(sys.argv[0])
    positional, opts = _args(sys.argv[1:])
    if tool == "relation-set" and "help" in opts:
        sys.stdout.write(HELP_RELATION_SET)
        return 0
    state_path = os.environ["FAKE_JUJU_STATE"]
    with open(state_path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(state_path) as handle:
            state = json.load(handle)
        with open(os.environ["FAKE_JUJU_CALLS"], "a") as log:
            log.write(json.dumps([time.time(), tool, *sys.argv[1:]]) + "\n")
        out, code = _dispatch(tool, positional, opts, state)
        tmp = state_path + ".tmp"
        with open(tmp, "w") as handle:
            json.dump(state, handle, indent=1, sort_keys=True)
        os.replace(tmp, state_path)
    if out is not None:
        sys.stdout.write(json.dumps(out) + "\n")
    return code


def _dispatch(tool: str, pos: list[str], opts: dict[str, str], state: dict) -> tuple[object, int]:
    unit = os.environ.get("JUJU_UNIT_NAME", "unit/0")
    rels = state.setdefault("relations", {})
    address = state.get("address", "10.0.0.10")
    if tool == "config-get":
        config = state.get("config", {})
        return (config.get(pos[0]) if pos else config), 0
    if tool == "juju-log":
        state.setdefault("log", []).append([opts.get("l", "INFO"), " ".join(pos)])
        return None, 0
    if tool == "status-set":
        state.setdefault("status", []).append(pos[:2])
        return None, 0
    if tool == "status-get":
        last = (state.get("status") or [["unknown", ""]])[-1]
        return {"status": last[0], "message": last[1] if len(last) > 1 else ""}, 0
    if tool == "application-version-set":
        state["application-version"] = pos[0] if pos else ""
        return None, 0
    if tool == "is-leader":
        return bool(state.get("leader", True)), 0
    if tool == "leader-get":
        data = state.setdefault("leader-data", {})
        return (data.get(pos[0]) if pos else data), 0
    if tool == "leader-set":
        state.setdefault("leader-data", {}).update(_kv(pos))
        return None, 0
    if tool in ("open-port", "close-port"):
        ports = set(state.get("ports", []))
        port = pos[0].lower()
        ports.add(port) if tool == "open-port" else ports.discard(port)
        state["ports"] = sorted(ports)
        return None, 0
    if tool == "opened-ports":
        return state.get("ports", []), 0
    if tool == "unit-get":
        return address, 0
    if tool == "network-get":
        if "primary-address" in opts:
            return address, 0
        cidr = address.rsplit(".", 1)[0] + ".0/24"
        return {
            "bind-addresses": [
                {"interface-name": "eth0", "addresses": [{"address": address, "cidr": cidr}]}
            ],
            "ingress-addresses": [address],
            "egress-subnets": [address + "/32"],
        }, 0
    if tool == "relation-ids":
        return sorted(r for r, v in rels.items() if v.get("endpoint") == (pos[0] if pos else "")), 0
    if tool == "relation-list":
        rel = rels.get(opts.get("r") or os.environ.get("JUJU_RELATION_ID", ""), {})
        return sorted(rel.get("units", {})), 0
    if tool == "relation-get":
        rel = rels.get(opts.get("r") or os.environ.get("JUJU_RELATION_ID", ""), {})
        key = pos[0] if pos else "-"
        who = pos[1] if len(pos) > 1 else os.environ.get("JUJU_REMOTE_UNIT", "")
        data = rel.get("local", {}) if who == unit else rel.get("units", {}).get(who, {})
        return (data if key == "-" else data.get(key)), 0
    if tool == "relation-set":
        rel = rels.setdefault(opts.get("r") or os.environ.get("JUJU_RELATION_ID", ""), {})
        values = _kv(pos)
        if opts.get("file"):
            with open(opts["file"]) as handle:
                text = handle.read()
            try:
                values.update(json.loads(text))
            except ValueError:  # charmhelpers writes YAML; flat "key: value" lines suffice
                for line in text.splitlines():
                    if ":" in line:
                        k, v = line.split(":", 1)
                        values[k.strip()] = v.strip().strip("'\"")
        rel.setdefault("local", {}).update(values)
        return None, 0
    if tool == "goal-state":
        return {"units": {unit: {"status": "active"}}, "relations": {}}, 0
    if tool == "action-get":
        return state.get("action-params", {}), 0
    if tool in ("action-set", "action-log", "action-fail"):
        state.setdefault("action-results", []).append([tool, *pos])
        return None, 0
    sys.stderr.write(f"{tool}: not faked\n")
    return None, 1


if __name__ == "__main__":
    sys.exit(main())
