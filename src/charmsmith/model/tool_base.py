"""What every emulated hook tool shares: the hook context, Juju's error convention, and
go-flag style argument parsing.

Why one place: jujuc (juju/worker/uniter/runner/jujuc, run through juju/cmd's Main) splits a
tool into Init (argument checks: a failure prints `ERROR <msg>` and exits 2) and Run (a failure
prints `ERROR <msg>` and exits 1). Charms tell the two apart, so every tool here raises
ToolError with the code of the phase Juju would have failed in.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView

Result = tuple[int, bytes, bytes]
USAGE = 2  # juju/cmd Main: a flag or Init error
FORMATS = ("smart", "yaml", "json")
OUTPUT = {"format", "o", "output"}  # cmd.Output's flags


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
                        raise ToolError(f"option needs an argument: {arg}", USAGE)
                    value = args[i]
                opts[name] = value
            elif name in flags:
                opts[name] = value.lower() not in ("false", "0") if eq else True
            else:
                raise ToolError(f"option provided but not defined: {arg}", USAGE)
        else:
            positional.append(arg)
        i += 1
    return opts, positional


def fmt_of(opts: dict[str, Any], default: str = "smart", allowed: tuple[str, ...] = FORMATS) -> str:
    fmt = opts.get("format") or default
    if fmt not in allowed:
        raise ToolError(f'invalid value "{fmt}" for option --format: unknown format "{fmt}"', USAGE)
    return fmt


def check_empty(rest: list[str]) -> None:
    """juju/cmd CheckEmpty: extra arguments are a usage error, quoted as Go's %q prints them."""
    if rest:
        quoted = " ".join('"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"' for a in rest)
        raise ToolError(f"unrecognized args: [{quoted}]", USAGE)


def pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise ToolError(f'expected "key=value", got "{item}"', USAGE)
        out[key] = value
    return out


def unit_app(model: ModelView, ctx: HookContext) -> str:
    return model.unit(ctx.unit).app
