"""juju-log, action-get/-set/-fail/-log, and the tools a local model only records or refuses.

juju-log follows juju-log.go (levels as loggo parses them, an unknown level logged at INFO
after a warning, the relation id prefixed in relation hooks); action-get follows action-get.go
(dotted keys recurse into nested maps, a missing key prints nil); credential-get answers as
Juju does for an application without trust (credential-get.go + the uniter's CloudSpec).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from charmsmith.model import tool_base as jujuc
from charmsmith.model.formats import render

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView

# loggo.ParseLevel's names (case-insensitive) and the level each stands for
LOG_LEVELS = {
    "TRACE": "TRACE",
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARN": "WARNING",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "CRITICAL": "CRITICAL",
}


def juju_log(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, pos = jujuc.parse(args, {"l", "log-level", "format"}, {"debug"})
    if not pos:
        raise jujuc.ToolError("no message specified", jujuc.USAGE)
    err = b""
    if opts.get("format"):
        err = b'--format flag deprecated for command "juju-log"'
    level = "DEBUG" if opts.get("debug") else "INFO"
    asked = opts.get("l") or opts.get("log-level")
    if not opts.get("debug") and asked:
        level = LOG_LEVELS.get(asked.upper(), "")
        if not level:
            model.store.log(ctx.unit, "WARNING", f'Specified log level of "{asked}" is not valid')
            level = "INFO"
    prefix = ""
    if ctx.relation_id is not None and str(ctx.relation_id) in model.state.relations:
        rel = model.relation(ctx.relation_id)
        prefix = model.relation_key(rel, model.unit(ctx.unit).app) + ": "
    model.store.log(ctx.unit, level, prefix + " ".join(pos))
    return 0, b"", err


def _action(ctx: jujuc.HookContext) -> dict[str, Any]:
    if ctx.action is None:
        raise jujuc.ToolError("not running an action")
    return ctx.action


def action_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, set())
    if pos:
        jujuc.check_empty(pos[1:])
    value: Any = _action(ctx).get("params") or {}
    if pos:
        for part in pos[0].split("."):
            value = value.get(part) if isinstance(value, dict) else None
    return 0, render(value, jujuc.fmt_of(opts)), b""


def action_set(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    _, pos = jujuc.parse(args, set(), set())
    results = _action(ctx).setdefault("results", {})
    for key, value in jujuc.pairs(pos).items():
        node = results
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return 0, b"", b""


def action_fail(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    _, pos = jujuc.parse(args, set(), set())
    action = _action(ctx)
    action["failed"] = True
    action["message"] = " ".join(pos) or "action failed without reason given"
    return 0, b"", b""


def action_log(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    _, pos = jujuc.parse(args, set(), set())
    _action(ctx).setdefault("log", []).append(" ".join(pos))
    model.store.log(ctx.unit, "INFO", "action-log: " + " ".join(pos))
    return 0, b"", b""


def recorded(name: str) -> Callable[..., jujuc.Result]:
    """Tools with no model effect we need (juju-reboot, add-metric): accept and record."""

    def tool(
        model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
    ) -> jujuc.Result:
        unit = model.unit(ctx.unit)
        unit.recorded.append([name, *args])
        return 0, b"", b""

    return tool


def storage_list(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    opts, _ = jujuc.parse(args, jujuc.OUTPUT, set())
    return 0, render([], jujuc.fmt_of(opts)), b""


def storage_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    raise jujuc.ToolError("no storage instance specified (the local model has no storage)")


def credential_get(
    model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
) -> jujuc.Result:
    """A machine charm's application here is never trusted (`juju trust`), so the controller
    refuses its cloud spec as Juju's uniter facade does."""
    opts, pos = jujuc.parse(args, jujuc.OUTPUT, set())
    jujuc.fmt_of(opts)
    jujuc.check_empty(pos)
    raise jujuc.ToolError("cannot access cloud credentials: permission denied")


def unsupported(name: str) -> Callable[..., jujuc.Result]:
    def tool(
        model: ModelView, ctx: jujuc.HookContext, args: list[str], stdin: bytes
    ) -> jujuc.Result:
        raise jujuc.ToolError(f"{name} is not supported by the charmsmith local model")

    return tool
