"""config-get, is-leader, leader-get/-set, status-get/-set, application-version-set.

Each follows its file in juju/worker/uniter/runner/jujuc (config-get.go, is-leader.go,
leader-get.go, leader-set.go, status-get.go, status-set.go, application-version-set.go):
argument errors exit 2 in Init, runtime refusals exit 1 in Run, and the texts are Juju's.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from charmsmith.model import tool_base as jujuc
from charmsmith.model.formats import render

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView

STATUSES = ("maintenance", "blocked", "waiting", "active")
NOT_LEADER = "this unit is not the leader"  # ErrIsNotLeader, runner/context/context.go


def config_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """Juju's config-get: every declared option is a setting, null when unset and no default.

    Follows config-get.go: without a key, null settings are left out unless `--all` is given;
    a key together with `--all` is refused; an unknown or unset key prints as nil (nothing in
    smart format, `null` in json).
    """
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, {"a", "all"})
    everything = bool(opts.get("a") or opts.get("all"))
    if everything and pos:
        raise jujuc.ToolError("cannot use argument --all together with key " + pos[0], jujuc.USAGE)
    jujuc.check_empty(pos[1:])
    app = jujuc.unit_app(model, ctx)
    settings: dict[str, Any] = dict.fromkeys(model.app(app).options)
    settings.update(model.config_values(app))
    if pos:
        return 0, render(settings.get(pos[0]), jujuc.fmt_of(opts)), b""
    if not everything:
        settings = {key: value for key, value in settings.items() if value is not None}
    return 0, render(settings, jujuc.fmt_of(opts)), b""


def is_leader(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, set())
    jujuc.check_empty(pos)
    return 0, render(model.is_leader(ctx.unit), jujuc.fmt_of(opts)), b""


def leader_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """leader-get.go: `-` or no key prints all; a missing key prints nil (json `null`)."""
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, set())
    key = pos[0] if pos and pos[0] != "-" else ""
    if "=" in key:
        raise jujuc.ToolError(f'invalid key "{key}"', jujuc.USAGE)
    jujuc.check_empty(pos[1:])
    fmt = jujuc.fmt_of(opts)
    settings = dict(model.app(jujuc.unit_app(model, ctx)).leader_settings or {})
    if ctx.pending_leader is not None:
        settings = dict(ctx.pending_leader)
    return 0, render(settings.get(key) if key else settings, fmt), b""


def leader_set(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    _, pos = jujuc.parse(args, {"format"}, set())
    settings = jujuc.pairs(pos)
    if not model.is_leader(ctx.unit):
        raise jujuc.ToolError(
            "cannot write leadership settings: cannot write settings: not the leader"
        )
    if ctx.pending_leader is None:
        ctx.pending_leader = dict(model.app(jujuc.unit_app(model, ctx)).leader_settings or {})
    for key, value in settings.items():
        if value == "":
            ctx.pending_leader.pop(key, None)
        else:
            ctx.pending_leader[key] = value
    return 0, b"", b""


def status_set(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """status-set.go: `<status> [message]`, one message argument; --application leader only."""
    opts, pos = jujuc.parse(args, set(), {"application"})
    if not pos:
        raise jujuc.ToolError("invalid args, require <status> [message]", jujuc.USAGE)
    if pos[0] not in STATUSES:
        raise jujuc.ToolError(
            f'invalid status "{pos[0]}", expected one of [{" ".join(STATUSES)}]', jujuc.USAGE
        )
    jujuc.check_empty(pos[2:])
    status = {"status": pos[0], "message": pos[1] if len(pos) > 1 else "", "since": time.time()}
    if opts.get("application"):
        if not model.is_leader(ctx.unit):
            raise jujuc.ToolError(NOT_LEADER)
        model.app(jujuc.unit_app(model, ctx)).status = status
    else:
        model.unit(ctx.unit).workload = status
    return 0, b"", b""


def _details(status: dict[str, Any], include_data: bool) -> dict[str, Any]:
    """toDetails in status-get.go: the status alone, or with its message and data."""
    details: dict[str, Any] = {"status": status.get("status", "unknown")}
    if include_data:
        details["message"] = status.get("message", "")
        details["status-data"] = {}
    return details


def status_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, {"include-data", "application"})
    jujuc.check_empty(pos)
    fmt = jujuc.fmt_of(opts)
    data = bool(opts.get("include-data"))
    unit = model.unit(ctx.unit)
    if opts.get("application"):
        if not model.is_leader(ctx.unit):
            raise jujuc.ToolError("finding application status: " + NOT_LEADER)
        app = model.app(unit.app)
        status = app.status or model.app_status(unit.app)
        if not data and fmt == "smart":
            return 0, render(status.get("status", "unknown"), fmt), b""
        units = {u: _details(model.unit(u).workload, data) for u in app.units}
        value = {"application-status": {**_details(status, data), "units": units}}
        return 0, render(value, fmt), b""
    workload = unit.workload
    if not data and fmt == "smart":
        return 0, render(workload.get("status", "unknown"), fmt), b""
    return 0, render(_details(workload, data), fmt), b""


def application_version_set(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    _, pos = jujuc.parse(args, set(), set())
    if not pos:
        raise jujuc.ToolError("no version specified", jujuc.USAGE)
    jujuc.check_empty(pos[1:])
    model.app(jujuc.unit_app(model, ctx)).version = pos[0]
    return 0, b"", b""
