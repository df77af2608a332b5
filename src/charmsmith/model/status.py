"""`charmsmith model status`: a `juju status`-like table, or JSON for scripts and tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView
    from charmsmith.model.state import Unit


def status_data(model: ModelView) -> dict[str, Any]:
    state = model.state
    apps: dict[str, Any] = {}
    for name, app in sorted(state.applications.items()):
        app_status = model.app_status(name)
        units: dict[str, Any] = {}
        for unit_name in sorted(app.units, key=model.unit_sort_key):
            unit = model.unit(unit_name)
            if unit.principal:
                continue
            units[unit_name] = _unit(model, unit)
        apps[name] = {
            "charm": app.charm,
            "kind": app.kind,
            "backend": app.backend,
            "version": app.version,
            "scale": len(app.units),
            "status": app_status.get("status", "unknown"),
            "message": app_status.get("message", ""),
            "leader": app.leader,
            "units": units,
            "relations": {
                model.endpoint_of(r, name): model.remote_app(r, name)
                for r in model.relations_of(name)
            },
        }
        if app.peer == "hacluster":
            peer_state = app.peer_state
            apps[name]["resources"] = peer_state.get("resources", {})
            apps[name]["vips"] = peer_state.get("vips", {})
    return {
        "model": {
            "name": state.name,
            "uuid": state.uuid,
            "subnet": state.subnet,
            "mode": state.mode,
        },
        "applications": apps,
        "pending-hooks": len(state.queue),
    }


def _unit(model: ModelView, unit: Unit) -> dict[str, Any]:
    workload = unit.workload
    agent = unit.agent
    principal = unit.principal
    machine = model.state.units.get(principal) if principal else None
    if machine is not None and machine.down:
        agent = "lost"  # a subordinate's agent runs on its principal's machine
    if agent == "lost":
        # Juju's status for a unit whose agent stopped answering: the last workload status
        # cannot be vouched for (juju/core/status: "agent lost, see 'juju show-status-log'")
        workload = {
            "status": "unknown",
            "message": f"agent lost, see 'charmsmith model recover {principal or unit.name}'",
        }
    entry = {
        "workload-status": workload.get("status", "unknown"),
        "message": workload.get("message", ""),
        "agent-status": agent,
        "agent-message": unit.agent_message or "",
        "address": unit.address,
        "ports": list(unit.ports),
        "leader": model.is_leader(unit.name),
    }
    if unit.dying:
        # Juju's life value, shown only when not "alive": removal queued or under way
        entry["life"] = "dying"
    subs = {
        name: _unit(model, sub)
        for name, sub in sorted(model.state.units.items())
        if sub.principal == unit.name
    }
    if subs:
        entry["subordinates"] = subs
    return entry


def render_table(model: ModelView) -> str:
    data = status_data(model)
    m = data["model"]
    header = [
        ["Model", "Subnet", "Mode", "Pending hooks"],
        [m["name"], m["subnet"], m["mode"], str(data["pending-hooks"])],
    ]
    lines = _table(header) + [""]
    rows = [["App", "Version", "Status", "Scale", "Charm", "Message"]]
    for name, app in data["applications"].items():
        rows.append(
            [
                name,
                app["version"] or "",
                app["status"],
                str(app["scale"]),
                app["charm"] + (" (charmsmith)" if app["kind"] == "peer" else ""),
                app["message"],
            ]
        )
    lines += _table(rows) + [""]
    rows = [["Unit", "Workload", "Agent", "Address", "Ports", "Message"]]
    for app in data["applications"].values():
        for unit_name, unit in app["units"].items():
            rows.append(_unit_row(unit_name, unit, ""))
            for sub_name, sub in unit.get("subordinates", {}).items():
                rows.append(_unit_row(sub_name, sub, "  "))
    lines += _table(rows)
    return "\n".join(lines).rstrip() + "\n"


def _unit_row(name: str, unit: dict[str, Any], indent: str) -> list[str]:
    agent = unit["agent-status"]
    workload = "error" if agent == "error" else unit["workload-status"]
    message = unit["agent-message"] if agent == "error" else unit["message"]
    if unit.get("life") == "dying" and agent not in ("error", "lost"):
        agent = "dying"  # what needs a hand (error, lost) outranks a removal under way
    return [
        indent + name + ("*" if unit["leader"] else ""),
        workload,
        agent,
        unit["address"],
        ",".join(unit["ports"]),
        message,
    ]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [_row([c.ljust(w) for c, w in zip(r, widths, strict=True)]) for r in rows]


def _row(cells: list[str]) -> str:
    return "  ".join(cells).rstrip()


def render_json(model: ModelView) -> str:
    return json.dumps(status_data(model), indent=2, sort_keys=True) + "\n"
