"""The hook tools' behaviour, as charmhelpers and charms.reactive rely on it (Juju 3.x CLI).

Each tool is a function (model, ctx, args, stdin) -> (rc, stdout, stderr). Relation and leader
writes go into the hook context and are committed only when the hook succeeds, like Juju; status,
ports and logs apply at once. Error texts follow Juju's `ERROR ...` one-liners.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from charmsmith.model.formats import render
from charmsmith.model.operations import broken_for

if TYPE_CHECKING:
    from charmsmith.model.sequencer import Model

Result = tuple[int, bytes, bytes]
STATUSES = ("maintenance", "blocked", "waiting", "active")

RELATION_SET_HELP = """Usage: relation-set [options] key=value [key=value ...]

Summary:
set relation settings

Options:
--app  (= false)
    pick whether you are setting "application" settings or "unit" settings
--file  (= )
    file containing key-value pairs
--format (= "")
    deprecated format flag
-r, --relation  (= %s)
    specify a relation by id

Details:
"relation-set" writes the local unit's settings for some relation.
If no relation is specified then the current relation is used. The
setting values are not inspected and are stored as strings. Setting
an empty string causes the setting to be removed. Duplicate settings
are not allowed.

If --file is provided, it is used as a source of key-value pairs, which
are applied before any key=value pairs are applied. The file must be a
YAML map of string keys to string values. Use "-" to read from stdin.
"""


@dataclasses.dataclass
class HookContext:
    """What Juju's context for one hook (or action, or `ssh`) session knows."""

    id: str
    unit: str
    hook: str
    relation_id: int | None = None
    remote_unit: str | None = None
    remote_app: str | None = None
    departing_unit: str | None = None
    action: dict[str, Any] | None = None
    calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # (relation id, "unit"|"app") -> full new databag, applied on success
    pending: dict[tuple[int, str], dict[str, str]] = dataclasses.field(default_factory=dict)
    pending_leader: dict[str, str] | None = None


class ToolError(Exception):
    """A tool failure: printed as `ERROR <msg>` with exit code 1 (2 for usage errors)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def parse(args: list[str], values: set[str], flags: set[str]) -> tuple[dict[str, Any], list[str]]:
    """Go-flag style parsing: `--x=v`, `--x v`, `-r v`, booleans, positionals anywhere."""
    opts: dict[str, Any] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional.extend(args[i + 1 :])
            break
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.lstrip("-").partition("=")
            if name in values:
                if not eq:
                    i += 1
                    if i >= len(args):
                        raise ToolError(f"option needs an argument: {arg}", 2)
                    value = args[i]
                opts[name] = value
            elif name in flags:
                opts[name] = value.lower() not in ("false", "0") if eq else True
            else:
                raise ToolError(f"option provided but not defined: {arg}", 2)
        else:
            positional.append(arg)
        i += 1
    return opts, positional


def fmt_of(opts: dict[str, Any], default: str = "smart") -> str:
    fmt = opts.get("format") or default
    if fmt not in ("smart", "yaml", "json"):
        raise ToolError(f'invalid value "{fmt}" for option --format: unknown format "{fmt}"', 2)
    return fmt


# -- config / leadership / status -------------------------------------------------------------


def config_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    """Juju's config-get: every declared option is a setting, null when unset and no default.

    Follows juju/worker/uniter/runner/jujuc/config-get.go: without a key, null settings are
    left out unless `--all` is given; a key together with `--all` is refused; an unknown or
    unset key prints as nil (nothing in smart format, `null` in json).
    """
    opts, pos = parse(args, {"format", "o", "output"}, {"a", "all"})
    everything = bool(opts.get("a") or opts.get("all"))
    if everything and pos:
        raise ToolError("cannot use argument --all together with key " + pos[0], 2)
    app = model.unit(ctx.unit)["app"]
    settings: dict[str, Any] = dict.fromkeys(model.app(app).get("options", {}))
    settings.update(model.config_values(app))
    if pos:
        return 0, render(settings.get(pos[0]), fmt_of(opts)), b""
    if not everything:
        settings = {key: value for key, value in settings.items() if value is not None}
    return 0, render(settings, fmt_of(opts)), b""


def is_leader(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, _ = parse(args, {"format", "o", "output"}, set())
    return 0, render(model.is_leader(ctx.unit), fmt_of(opts)), b""


def leader_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, {"format", "o", "output"}, set())
    app = model.unit(ctx.unit)["app"]
    settings = dict(model.app(app).get("leader_settings", {}))
    if ctx.pending_leader is not None:
        settings = dict(ctx.pending_leader)
    if not pos or pos[0] == "-":
        return 0, render(settings, fmt_of(opts)), b""
    return (
        0,
        render(settings.get(pos[0], "" if fmt_of(opts) == "json" else None), fmt_of(opts)),
        b"",
    )


def leader_set(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    _, pos = parse(args, {"format"}, set())
    if not model.is_leader(ctx.unit):
        raise ToolError("cannot write leadership settings: cannot write settings: not the leader")
    app = model.unit(ctx.unit)["app"]
    if ctx.pending_leader is None:
        ctx.pending_leader = dict(model.app(app).get("leader_settings", {}))
    for key, value in _pairs(pos).items():
        if value == "":
            ctx.pending_leader.pop(key, None)
        else:
            ctx.pending_leader[key] = value
    return 0, b"", b""


def status_set(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, set(), {"application"})
    if not pos or pos[0] not in STATUSES:
        got = pos[0] if pos else ""
        raise ToolError(f'invalid status "{got}", expected one of [{" ".join(STATUSES)}]')
    status = {"status": pos[0], "message": " ".join(pos[1:]), "since": time.time()}
    if opts.get("application"):
        if not model.is_leader(ctx.unit):
            raise ToolError('setting status: "application-status" is only allowed for the leader')
        model.app(model.unit(ctx.unit)["app"])["status"] = status
    else:
        model.unit(ctx.unit)["workload"] = status
    return 0, b"", b""


def status_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, {"format", "o", "output"}, {"include-data", "application"})
    unit = model.unit(ctx.unit)

    def entry(status: dict[str, Any]) -> dict[str, Any]:
        return {
            "message": status.get("message", ""),
            "status": status.get("status", "unknown"),
            "status-data": {},
        }

    if opts.get("application"):
        if not model.is_leader(ctx.unit):
            raise ToolError("finding application status: this unit is not the leader")
        app = model.app(unit["app"])
        value = {
            "application-status": dict(
                entry(app.get("status") or model.app_status(unit["app"])),
                units={u: entry(model.unit(u).get("workload", {})) for u in app["units"]},
            )
        }
        return 0, render(value, fmt_of(opts)), b""
    value = entry(unit.get("workload", {}))
    if pos:
        return 0, render(value.get(pos[0], ""), fmt_of(opts)), b""
    if not opts.get("include-data") and fmt_of(opts) == "smart":
        return 0, render(value["status"], "smart"), b""
    return 0, render(value, fmt_of(opts)), b""


def application_version_set(
    model: Model, ctx: HookContext, args: list[str], stdin: bytes
) -> Result:
    _, pos = parse(args, set(), set())
    if len(pos) != 1:
        raise ToolError("no version specified" if not pos else f"unrecognized args: {pos[1:]}", 2)
    model.app(model.unit(ctx.unit)["app"])["version"] = pos[0]
    return 0, b"", b""


# -- ports / network -----------------------------------------------------------------------------


def _port_spec(spec: str) -> str:
    if spec.lower() == "icmp":
        return "icmp"
    port, _, proto = spec.partition("/")
    proto = (proto or "tcp").lower()
    if proto not in ("tcp", "udp"):
        raise ToolError(f'invalid protocol "{proto}", expected "tcp", "udp", or "icmp"')
    lo, _, hi = port.partition("-")
    try:
        numbers = [int(lo)] + ([int(hi)] if hi else [])
    except ValueError as err:
        raise ToolError(f'invalid port "{spec}"') from err
    if not all(1 <= n <= 65535 for n in numbers):
        raise ToolError(f'port "{spec}" outside the valid range')
    return f"{port}/{proto}"


def open_port(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    _, pos = parse(args, {"endpoints", "format"}, set())
    if len(pos) != 1:
        raise ToolError("no port or range specified", 2)
    ports = model.unit(ctx.unit).setdefault("ports", [])
    spec = _port_spec(pos[0])
    if spec not in ports:
        ports.append(spec)
    return 0, b"", b""


def close_port(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    _, pos = parse(args, {"endpoints", "format"}, set())
    if len(pos) != 1:
        raise ToolError("no port or range specified", 2)
    ports = model.unit(ctx.unit).setdefault("ports", [])
    spec = _port_spec(pos[0])
    if spec in ports:
        ports.remove(spec)
    return 0, b"", b""


def opened_ports(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, _ = parse(args, {"format", "o", "output"}, {"endpoints"})
    return 0, render(list(model.unit(ctx.unit).get("ports", [])), fmt_of(opts)), b""


def unit_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, {"format", "o", "output"}, set())
    if len(pos) != 1 or pos[0] not in ("private-address", "public-address"):
        raise ToolError("unknown setting " + (pos[0] if pos else '""'), 2)
    return 0, render(model.unit(ctx.unit)["address"], fmt_of(opts)), b""


def network_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    keys = {"primary-address", "bind-address", "ingress-address", "egress-subnets"}
    opts, pos = parse(args, {"format", "o", "output", "r", "relation"}, keys)
    unit = model.unit(ctx.unit)
    # Juju gives every charm the implicit `juju-info` endpoint, so its binding always resolves
    # (Juju docs, "Charm metadata: implicit endpoints"; charm-helpers' fallbacks ask for it).
    bindings = model.bindings(unit["app"]) | {"juju-info"}
    if not pos:
        raise ToolError("no arguments specified", 2)
    if pos[0] not in bindings:
        raise ToolError(f'no network config found for binding "{pos[0]}"')
    addr = unit["address"]
    cidr = model.state["subnet"]
    info = {
        "bind-addresses": [
            {
                "mac-address": unit.get("mac", ""),
                "interface-name": "eth0",
                "addresses": [{"hostname": "", "value": addr, "cidr": cidr, "address": addr}],
                "macaddress": unit.get("mac", ""),
                "interfacename": "eth0",
            }
        ],
        "egress-subnets": [f"{addr}/32"],
        "ingress-addresses": [addr],
    }
    wanted = [
        k
        for k in ("primary-address", "bind-address", "ingress-address", "egress-subnets")
        if opts.get(k)
    ]
    single = {
        "primary-address": addr,
        "bind-address": addr,
        "ingress-address": addr,
        "egress-subnets": f"{addr}/32",
    }
    if len(wanted) == 1:
        return 0, render(single[wanted[0]], fmt_of(opts)), b""
    if wanted:
        return 0, render({k: single[k] for k in wanted}, fmt_of(opts)), b""
    return 0, render(info, fmt_of(opts, "yaml")), b""


def goal_state(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, _ = parse(args, {"format", "o", "output"}, set())
    app = model.unit(ctx.unit)["app"]
    since = "2026-01-01 00:00:00Z"
    units = {u: {"status": "active", "since": since} for u in model.app(app)["units"]}
    relations: dict[str, dict[str, Any]] = {}
    for rel in model.relations_of(app):
        endpoint = model.endpoint_of(rel, app)
        entries = relations.setdefault(endpoint, {})
        other = model.remote_app(rel, app)
        entries[other] = {"status": "joined", "since": since}
        for remote in model.app(other)["units"]:
            if remote != ctx.unit:
                entries[remote] = {"status": "active", "since": since}
    return 0, render({"units": units, "relations": relations}, fmt_of(opts, "yaml")), b""


# -- relations -------------------------------------------------------------------------------


def _relation(model: Model, ctx: HookContext, opts: dict[str, Any]) -> dict[str, Any]:
    ref = opts.get("r") or opts.get("relation")
    if ref is None:
        if ctx.relation_id is None:
            raise ToolError("no relation id specified", 2)
        return model.relation(ctx.relation_id)
    rid_text = ref.rpartition(":")[2]
    try:
        rel = model.state["relations"].get(str(int(rid_text)))
    except ValueError:
        rel = None
    app = model.unit(ctx.unit)["app"]
    if rel is None or app not in [ep["app"] for ep in rel["endpoints"]]:
        raise ToolError(f'invalid value "{ref}" for option -r: relation not found', 2)
    return rel


def relation_ids(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, {"format", "o", "output"}, set())
    app = model.unit(ctx.unit)["app"]
    name = pos[0] if pos else None
    if name is None:
        if ctx.relation_id is None:
            raise ToolError("no endpoint name specified", 2)
        name = model.endpoint_of(model.relation(ctx.relation_id), app)
    if name not in model.endpoints(app):
        raise ToolError(f'invalid value "{name}" for option endpoint: relation not found', 2)
    ids = [
        f"{name}:{rel['id']}"
        for rel in model.relations_of(app)
        if model.endpoint_of(rel, app) == name and not broken_for(rel, ctx)
    ]
    return 0, render(ids, fmt_of(opts)), b""


def relation_list(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, _ = parse(args, {"format", "o", "output", "r", "relation"}, {"app"})
    rel = _relation(model, ctx, opts)
    app = model.unit(ctx.unit)["app"]
    if opts.get("app"):
        return 0, render(model.remote_app(rel, app), fmt_of(opts)), b""
    members = sorted(rel.get("joined", {}).get(ctx.unit, []), key=model.unit_sort_key)
    return 0, render(members, fmt_of(opts)), b""


def relation_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, {"format", "o", "output", "r", "relation"}, {"app"})
    rel = _relation(model, ctx, opts)
    key = pos[0] if pos else "-"
    fmt = fmt_of(opts)
    if len(pos) > 1:
        target = pos[1]
    elif opts.get("app"):
        target = ctx.remote_app if ctx.relation_id == rel["id"] and ctx.remote_app else None
        target = target or model.remote_app(rel, model.unit(ctx.unit)["app"])
    elif ctx.remote_unit and ctx.relation_id == rel["id"]:
        target = ctx.remote_unit
    else:
        raise ToolError("no unit or application specified", 2)
    data = model.read_databag(rel, target, ctx, app_bag=bool(opts.get("app")) or "/" not in target)
    if data is None:
        raise ToolError(
            f'cannot read settings for unit "{target}" in relation '
            f'"{model.relation_key(rel, model.unit(ctx.unit)["app"])}": permission denied'
        )
    if key == "-":
        return 0, render(data, fmt), b""
    value = data.get(key)
    if value is None and fmt == "json":
        value = ""  # Juju's settings.Get yields "" for a missing key
    return 0, render(value, fmt), b""


def relation_set(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    if "--help" in args or "-h" in args:
        rid = f"{ctx.relation_id}" if ctx.relation_id is not None else ""
        return 0, (RELATION_SET_HELP % rid).encode(), b""
    opts, pos = parse(args, {"format", "r", "relation", "file"}, {"app"})
    rel = _relation(model, ctx, opts)
    settings: dict[str, str] = {}
    if "file" in opts:
        try:
            loaded = yaml.safe_load(stdin.decode() or "{}") or {}
        except yaml.YAMLError as err:
            raise ToolError(f"cannot parse --file: {err}") from err
        if not isinstance(loaded, dict):
            raise ToolError("--file must hold a YAML map")
        settings.update({str(k): "" if v is None else str(v) for k, v in loaded.items()})
    settings.update(_pairs(pos))
    bag = "app" if opts.get("app") else "unit"
    if bag == "app" and not model.is_leader(ctx.unit):
        raise ToolError("cannot write relation settings: unit is not the leader")
    current = ctx.pending.get((rel["id"], bag))
    if current is None:
        owner = model.unit(ctx.unit)["app"] if bag == "app" else ctx.unit
        source = rel["app_data" if bag == "app" else "unit_data"].get(owner, {})
        current = dict(source)
    for key, value in settings.items():
        if value == "":
            current.pop(key, None)
        else:
            current[key] = value
    ctx.pending[(rel["id"], bag)] = current
    return 0, b"", b""


def _pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise ToolError(f'expected "key=value", got "{item}"', 2)
        out[key] = value
    return out


# -- logging / actions / misc ---------------------------------------------------------------


def juju_log(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, {"l", "log-level", "format"}, {"debug"})
    level = "DEBUG" if opts.get("debug") else (opts.get("l") or opts.get("log-level") or "INFO")
    model.store.log(ctx.unit, level.upper(), " ".join(pos))
    return 0, b"", b""


def _action(ctx: HookContext) -> dict[str, Any]:
    if ctx.action is None:
        raise ToolError("not running an action")
    return ctx.action


def action_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, pos = parse(args, {"format", "o", "output"}, set())
    value: Any = _action(ctx).get("params", {})
    if pos:
        for part in pos[0].split("."):
            value = value.get(part) if isinstance(value, dict) else None
    return 0, render(value, fmt_of(opts)), b""


def action_set(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    _, pos = parse(args, set(), set())
    results = _action(ctx).setdefault("results", {})
    for key, value in _pairs(pos).items():
        node = results
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return 0, b"", b""


def action_fail(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    _, pos = parse(args, set(), set())
    action = _action(ctx)
    action["failed"] = True
    action["message"] = " ".join(pos) or "action failed without reason given"
    return 0, b"", b""


def action_log(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    _, pos = parse(args, set(), set())
    _action(ctx).setdefault("log", []).append(" ".join(pos))
    model.store.log(ctx.unit, "INFO", "action-log: " + " ".join(pos))
    return 0, b"", b""


def recorded(name: str) -> Callable[..., Result]:
    """Tools with no model effect we need (juju-reboot, add-metric): accept and record."""

    def tool(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
        model.unit(ctx.unit).setdefault("recorded", []).append([name, *args])
        return 0, b"", b""

    return tool


def storage_list(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    opts, _ = parse(args, {"format", "o", "output"}, set())
    return 0, render([], fmt_of(opts)), b""


def storage_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    raise ToolError("no storage instance specified (the local model has no storage)")


def unsupported(name: str) -> Callable[..., Result]:
    def tool(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
        raise ToolError(f"{name} is not supported by the charmsmith local model")

    return tool


TOOLS: dict[str, Callable[[Model, HookContext, list[str], bytes], Result]] = {
    "config-get": config_get,
    "is-leader": is_leader,
    "leader-get": leader_get,
    "leader-set": leader_set,
    "status-set": status_set,
    "status-get": status_get,
    "application-version-set": application_version_set,
    "open-port": open_port,
    "close-port": close_port,
    "opened-ports": opened_ports,
    "unit-get": unit_get,
    "network-get": network_get,
    "goal-state": goal_state,
    "relation-ids": relation_ids,
    "relation-list": relation_list,
    "relation-get": relation_get,
    "relation-set": relation_set,
    "juju-log": juju_log,
    "action-get": action_get,
    "action-set": action_set,
    "action-fail": action_fail,
    "action-log": action_log,
    "juju-reboot": recorded("juju-reboot"),
    "add-metric": recorded("add-metric"),
    "storage-list": storage_list,
    "storage-get": storage_get,
    "storage-add": unsupported("storage-add"),
    "credential-get": unsupported("credential-get"),
    "pod-spec-set": unsupported("pod-spec-set"),
}
