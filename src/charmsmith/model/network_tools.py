"""open-port, close-port, opened-ports, unit-get, network-get, goal-state.

Each follows its file in juju/worker/uniter/runner/jujuc (ports.go, opened-ports.go,
unit-get.go, network-get.go, goal-state.go) and, for what the controller answers, the uniter
facade (apiserver/facades/agent/uniter: NetworkInfo, goal-state's units and relations).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from charmsmith.model import network
from charmsmith.model import tool_base as jujuc
from charmsmith.model.formats import render

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView
    from charmsmith.model.state import Unit


def _port_spec(spec: str) -> str:
    if spec.lower() == "icmp":
        return "icmp"
    port, _, proto = spec.partition("/")
    proto = (proto or "tcp").lower()
    if proto not in ("tcp", "udp"):
        raise jujuc.ToolError(
            f'invalid protocol "{proto}", expected "tcp", "udp", or "icmp"', jujuc.USAGE
        )
    lo, _, hi = port.partition("-")
    try:
        numbers = [int(lo)] + ([int(hi)] if hi else [])
    except ValueError as err:
        raise jujuc.ToolError(f'invalid port "{spec}"', jujuc.USAGE) from err
    if not all(1 <= n <= 65535 for n in numbers):
        raise jujuc.ToolError(f'port "{spec}" outside the valid range', jujuc.USAGE)
    return f"{port}/{proto}"


def _port_order(spec: str) -> tuple[int, int, str]:
    """network.PortRange.LessThan: from-port, then to-port, then protocol (icmp has no port)."""
    ports, _, proto = spec.partition("/")
    if not proto:
        return -1, -1, ports
    lo, _, hi = ports.partition("-")
    return int(lo), int(hi or lo), proto


def _one_port(args: list[str]) -> str:
    _, pos = jujuc.parse(args, {"endpoints", "format"}, set())
    if not pos:
        raise jujuc.ToolError("no port or range specified", jujuc.USAGE)
    jujuc.check_empty(pos[1:])
    return _port_spec(pos[0])


def open_port(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    spec = _one_port(args)
    ports = model.unit(ctx.unit).ports
    if spec not in ports:
        ports.append(spec)
    return 0, b"", b""


def close_port(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    spec = _one_port(args)
    ports = model.unit(ctx.unit).ports
    if spec in ports:
        ports.remove(spec)
    return 0, b"", b""


def opened_ports(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """Sorted like Juju's UniquePortRanges; `--endpoints` adds `(*)`: every port here was
    opened for all endpoints (open-port --endpoints is accepted but not modelled)."""
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, {"endpoints"})
    jujuc.check_empty(pos)
    ports = sorted(model.unit(ctx.unit).ports, key=_port_order)
    if opts.get("endpoints"):
        ports = [f"{spec} (*)" for spec in ports]
    return 0, render(ports, jujuc.fmt_of(opts)), b""


def unit_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, set())
    if not pos:
        raise jujuc.ToolError("no setting specified", jujuc.USAGE)
    if pos[0] not in ("private-address", "public-address"):
        raise jujuc.ToolError(f'unknown setting "{pos[0]}"', jujuc.USAGE)
    jujuc.check_empty(pos[1:])
    return 0, render(model.unit(ctx.unit).address, jujuc.fmt_of(opts)), b""


def network_info(model: ModelView, unit: Unit) -> dict[str, Any]:
    """params.NetworkInfoResult for one binding, fields in Go's declared order."""
    addr = unit.address
    mac = network.unit_mac(model.state, unit)
    address = {"hostname": "", "value": addr, "cidr": model.state.subnet, "address": addr}
    return {
        "bind-addresses": [
            {
                "mac-address": mac,
                "interface-name": "eth0",
                "addresses": [address],
                "macaddress": mac,
                "interfacename": "eth0",
            }
        ],
        "egress-subnets": [f"{addr}/32"],
        "ingress-addresses": [addr],
    }


def network_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """network-get.go: the whole NetworkInfo (smart = YAML of the struct), one value for one
    flag, a map for several; --primary-address only alone."""
    keys = ("bind-address", "ingress-address", "egress-subnets")
    opts, pos = jujuc.parse(args, jujuc.OUTPUT | {"r", "relation"}, {"primary-address", *keys})
    if not pos:
        raise jujuc.ToolError("no arguments specified", jujuc.USAGE)
    if not pos[0]:
        raise jujuc.ToolError("no binding name specified", jujuc.USAGE)
    jujuc.check_empty(pos[1:])
    fmt = jujuc.fmt_of(opts)
    unit = model.unit(ctx.unit)
    # Juju gives every charm the implicit `juju-info` endpoint, so its binding always resolves
    # (Juju docs, "Charm metadata: implicit endpoints"; charm-helpers' fallbacks ask for it).
    if pos[0] not in model.bindings(unit.app) | {"juju-info"}:
        raise jujuc.ToolError(f'no network config found for binding "{pos[0]}"')
    info = network_info(model, unit)
    wanted = [key for key in keys if opts.get(key)]
    if opts.get("primary-address"):
        if wanted:
            raise jujuc.ToolError("--primary-address must be the only flag specified")
        return 0, render(unit.address, fmt), b""
    if not wanted:
        return 0, render(info, fmt, ordered=True), b""
    values = {
        "egress-subnets": info["egress-subnets"],
        "ingress-address": info["ingress-addresses"][0],
        "bind-address": unit.address,
    }
    if len(wanted) == 1:
        return 0, render(values[wanted[0]], fmt), b""
    return 0, render({key: values[key] for key in wanted}, fmt), b""


def _since(stamp: float | None) -> str:
    """common.FormatTime(t, true): UTC, `2006-01-02 15:04:05Z`."""
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(stamp or 0))


def _units_goal(model: ModelView, app: str) -> dict[str, dict[str, str]]:
    """goalStateUnits: each unit's workload status (`dying` while it is), and since when."""
    out = {}
    for name in sorted(model.app(app).units):  # a Go map: keys in string order
        unit = model.unit(name)
        workload = unit.workload
        status = "dying" if unit.dying else workload.get("status", "unknown")
        out[name] = {"status": status, "since": _since(workload.get("since"))}
    return out


def goal_state(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """goal-state.go + the uniter facade's goalStateRelations: peer relations are left out; per
    endpoint, the remote application with the relation's status, then its units."""
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, set())
    jujuc.check_empty(pos)
    fmt = jujuc.fmt_of(opts, "yaml", ("yaml", "json"))
    app = jujuc.unit_app(model, ctx)
    relations: dict[str, dict[str, dict[str, str]]] = {}
    for rel in model.relations_of(app):
        other = model.remote_app(rel, app)
        if other == app:
            continue
        status = "broken" if rel.dying else "joined"
        entries = relations.setdefault(model.endpoint_of(rel, app), {})
        entries[other] = {"status": status, "since": _since(rel.since)}
        entries.update(_units_goal(model, other))
    relations = {ep: dict(sorted(entries.items())) for ep, entries in sorted(relations.items())}
    value = {"units": _units_goal(model, app), "relations": relations}
    return 0, render(value, fmt, ordered=True), b""
