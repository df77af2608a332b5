"""relation-ids, relation-list, relation-get, relation-set.

Each follows its file in juju/worker/uniter/runner/jujuc (relation-ids.go, relation-list.go,
relation-get.go, relation-set.go). Reading another unit's settings follows the uniter facade's
ReadRemoteSettings and state's RelationUnit.ReadSettings: a unit whose application is not in
the relation is refused (`permission denied`); a unit that left the relation keeps its
settings readable until the relation itself is removed (state leaves the settings document
behind on LeaveScope), which is what a -departed hook relies on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from charmsmith.model import scope
from charmsmith.model import tool_base as jujuc
from charmsmith.model.formats import render
from charmsmith.model.operations import broken_for

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView
    from charmsmith.model.state import Relation

RELATION = {"r", "relation"}

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


def _relation(model: ModelView, ctx: jujuc.HookContext, opts: dict[str, Any]) -> Relation:
    ref = opts.get("r") or opts.get("relation")
    if ref is None:
        if ctx.relation_id is None:
            raise jujuc.ToolError("no relation id specified", jujuc.USAGE)
        return model.relation(ctx.relation_id)
    rid_text = ref.rpartition(":")[2]
    try:
        rel = model.state.relations.get(str(int(rid_text)))
    except ValueError:
        rel = None
    if rel is None or jujuc.unit_app(model, ctx) not in [ep.app for ep in rel.endpoints]:
        raise jujuc.ToolError(
            f'invalid value "{ref}" for option -r: relation not found', jujuc.USAGE
        )
    return rel


def relation_key(rel: Relation, model: ModelView) -> str:
    """state's relation key: `app:endpoint` per side, requirers before providers."""
    order = {"requires": 0, "provides": 1, "peers": 2}
    ends = []
    for ep in rel.endpoints:
        role = model.endpoints(ep.app).get(ep.endpoint, {}).get("role", "peers")
        ends.append((order.get(role, 2), f"{ep.app}:{ep.endpoint}"))
    return " ".join(name for _, name in sorted(ends))


def relation_ids(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """Ids of live relations on an endpoint, string-sorted; an unknown name lists nothing.
    Only relations whose scope the unit entered: Juju's hook context knows no other (in the
    install hook, none)."""
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, set())
    app = jujuc.unit_app(model, ctx)
    if pos:
        name = pos[0]
    elif ctx.relation_id is not None:
        name = model.endpoint_of(model.relation(ctx.relation_id), app)
    else:
        raise jujuc.ToolError("no relation name specified", jujuc.USAGE)
    jujuc.check_empty(pos[1:])
    ids = sorted(
        f"{name}:{rel.id}"
        for rel in model.relations_of(app)
        if model.endpoint_of(rel, app) == name
        and not broken_for(rel, ctx)
        and scope.in_scope(model, rel, ctx.unit)
    )
    return 0, render(ids, jujuc.fmt_of(opts)), b""


def relation_list(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, pos = jujuc.parse(args, jujuc.OUTPUT | RELATION, {"app"})
    rel = _relation(model, ctx, opts)
    jujuc.check_empty(pos)
    if opts.get("app"):
        return 0, render(model.remote_app(rel, jujuc.unit_app(model, ctx)), jujuc.fmt_of(opts)), b""
    members = sorted(rel.joined.get(ctx.unit, []), key=model.unit_sort_key)
    return 0, render(members, jujuc.fmt_of(opts)), b""


def _target(
    model: ModelView, ctx: jujuc.HookContext, rest: list[str], app_bag: bool
) -> tuple[str, bool]:
    """determineUnitOrAppName: a given name wins (a unit name under --app means its app);
    else the hook's remote unit, else the hook's remote application's databag."""
    if rest:
        given = rest[0]
        return (given.partition("/")[0] if app_bag else given), app_bag
    if app_bag:
        if not ctx.remote_app:
            raise jujuc.ToolError("no unit or application specified", jujuc.USAGE)
        return ctx.remote_app, True
    if ctx.remote_unit:
        return ctx.remote_unit, False
    if ctx.remote_app:
        return ctx.remote_app, True
    raise jujuc.ToolError("no unit or application specified", jujuc.USAGE)


def _read(
    model: ModelView, ctx: jujuc.HookContext, rel: Relation, target: str, app_bag: bool
) -> dict[str, str]:
    """The databag as this hook sees it (its own uncommitted writes included)."""
    my_app = jujuc.unit_app(model, ctx)
    apps = [ep.app for ep in rel.endpoints]
    if app_bag:
        if target not in apps:
            raise jujuc.ToolError("permission denied")
        if target == my_app:
            peer = model.remote_app(rel, my_app) == my_app
            if not model.is_leader(ctx.unit) and not peer:
                raise jujuc.ToolError("permission denied")  # only the leader reads its own app bag
            pending = ctx.pending.get((rel.id, "app"))
            if pending is not None and model.is_leader(ctx.unit):
                return dict(pending)
        return dict(rel.app_data.get(target, {}))
    if target == ctx.unit:
        pending = ctx.pending.get((rel.id, "unit"))
        return dict(pending if pending is not None else rel.unit_data.get(target, {}))
    app, slash, number = target.partition("/")
    if not (slash and number.isdigit()):
        raise jujuc.ToolError(f'"{target}" is not a valid unit name')
    if app not in apps:
        raise jujuc.ToolError("permission denied")
    for bag in (rel.unit_data, rel.departed_data):
        if target in bag:
            return dict(bag[target])
    raise jujuc.ToolError(
        f'cannot read settings for unit "{target}" in relation '
        f'"{relation_key(rel, model)}": settings not found'
    )


def relation_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, pos = jujuc.parse(args, jujuc.OUTPUT | RELATION, {"app"})
    rel = _relation(model, ctx, opts)
    key = pos[0] if pos and pos[0] != "-" else ""
    target, app_bag = _target(model, ctx, pos[1:], bool(opts.get("app")))
    jujuc.check_empty(pos[2:])
    data = _read(model, ctx, rel, target, app_bag)
    return 0, render(data.get(key) if key else data, jujuc.fmt_of(opts)), b""


def relation_set(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    if "--help" in args or "-h" in args:
        rid = f"{ctx.relation_id}" if ctx.relation_id is not None else ""
        return 0, (RELATION_SET_HELP % rid).encode(), b""
    opts, pos = jujuc.parse(args, {"format", "file"} | RELATION, {"app"})
    rel = _relation(model, ctx, opts)
    settings: dict[str, str] = {}
    if "file" in opts:
        try:
            loaded = yaml.safe_load(stdin.decode() or "{}") or {}
        except yaml.YAMLError as err:
            raise jujuc.ToolError(f"cannot parse --file: {err}") from err
        if not isinstance(loaded, dict):
            raise jujuc.ToolError("--file must hold a YAML map")
        settings.update({str(k): "" if v is None else str(v) for k, v in loaded.items()})
    settings.update(jujuc.pairs(pos))
    bag = "app" if opts.get("app") else "unit"
    if bag == "app" and not model.is_leader(ctx.unit):
        raise jujuc.ToolError("cannot write relation settings: unit is not the leader")
    current = ctx.pending.get((rel.id, bag))
    if current is None:
        owner = jujuc.unit_app(model, ctx) if bag == "app" else ctx.unit
        current = dict((rel.app_data if bag == "app" else rel.unit_data).get(owner, {}))
    for key, value in settings.items():
        if value == "":
            current.pop(key, None)
        else:
            current[key] = value
    ctx.pending[(rel.id, bag)] = current
    return 0, b"", b""
