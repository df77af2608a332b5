"""The hook tools' behaviour, as charmhelpers, charms.reactive and ops rely on it (Juju 3.x).

Each tool is a function (model, ctx, args, stdin) -> (rc, stdout, stderr), kept by concern in
status_tools, relation_tools, network_tools and action_tools; this module is their registry
and the server's dispatch, which logs each call (secret values redacted).
Relation and leader writes go into the hook context and are committed only when the hook
succeeds, like Juju; status, ports and logs apply at once. Errors print `ERROR ...` and exit 2
for argument errors, 1 for refusals, as jujuc does (tool_base.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from charmsmith.errors import CharmsmithError
from charmsmith.model import (
    action_tools,
    network_tools,
    relation_tools,
    resource_tools,
    shims,
    status_tools,
)
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.tool_base import HookContext, Result, ToolError

__all__ = ["TOOLS", "HookContext", "Result", "ToolError", "handle_tool", "redact"]

SECRET_WORDS = ("pass", "secret", "token", "key", "cert")

TOOLS: dict[str, Callable[[ModelAPI, HookContext, list[str], bytes], Result]] = {
    "config-get": status_tools.config_get,
    "is-leader": status_tools.is_leader,
    "leader-get": status_tools.leader_get,
    "leader-set": status_tools.leader_set,
    "status-set": status_tools.status_set,
    "status-get": status_tools.status_get,
    "application-version-set": status_tools.application_version_set,
    "open-port": network_tools.open_port,
    "close-port": network_tools.close_port,
    "opened-ports": network_tools.opened_ports,
    "unit-get": network_tools.unit_get,
    "network-get": network_tools.network_get,
    "goal-state": network_tools.goal_state,
    "relation-ids": relation_tools.relation_ids,
    "relation-list": relation_tools.relation_list,
    "relation-get": relation_tools.relation_get,
    "relation-set": relation_tools.relation_set,
    "juju-log": action_tools.juju_log,
    "action-get": action_tools.action_get,
    "action-set": action_tools.action_set,
    "action-fail": action_tools.action_fail,
    "action-log": action_tools.action_log,
    "juju-reboot": action_tools.recorded("juju-reboot"),
    "add-metric": action_tools.recorded("add-metric"),
    "storage-list": action_tools.storage_list,
    "storage-get": action_tools.storage_get,
    "storage-add": action_tools.unsupported("storage-add"),
    "credential-get": action_tools.credential_get,
    "resource-get": resource_tools.resource_get,
    "pod-spec-set": action_tools.unsupported("pod-spec-set"),
}


def redact(tool: str, args: list[str]) -> list[str]:
    """Call logs keep keys, not secret values (relation-set/leader-set/action-set k=v)."""
    if tool not in ("relation-set", "leader-set", "action-set"):
        return list(args)
    out = []
    for arg in args:
        key, eq, _ = arg.partition("=")
        secret = eq and any(word in key.lower() for word in SECRET_WORDS)
        out.append(f"{key}=<redacted>" if secret else arg)
    return out


def handle_tool(
    model: ModelAPI, context_id: str, cwd: str, stdin: bytes, argv: list[str]
) -> Result:
    """Server entry: run one tool in its hook context and log the call (tool, args, time)."""
    start = time.perf_counter()
    ctx = model.contexts.get(context_id) or model.current
    tool = argv[0]
    if ctx is None:
        return 1, b"", f"ERROR {tool}: not running in a hook context\n".encode()
    func = TOOLS.get(tool) or shims.SHIMS.get(tool)
    if func is None and shims.is_stand_in(tool):
        rc, out, err = shims.stand_in_command(model, ctx, argv)
    elif func is None:
        rc, out, err = 1, b"", f"ERROR unknown hook tool {tool}\n".encode()
    else:
        try:
            rc, out, err = func(model, ctx, argv[1:], stdin)
        except ToolError as exc:
            rc, out, err = exc.code, b"", f"ERROR {exc}\n".encode()
        except CharmsmithError as exc:
            rc, out, err = 1, b"", f"ERROR {exc}\n".encode()
    ctx.calls.append(
        {
            "tool": tool,
            "args": redact(tool, argv[1:]),
            "rc": rc,
            "ms": round((time.perf_counter() - start) * 1000, 3),
            "shim": tool not in TOOLS,
        }
    )
    return rc, out, err
