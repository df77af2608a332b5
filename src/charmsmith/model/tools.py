"""The hook tools' behaviour, as charmhelpers, charms.reactive and ops rely on it (Juju 3.x).

Each tool is a function (model, ctx, args, stdin) -> (rc, stdout, stderr), kept by concern in
status_tools, relation_tools, network_tools and action_tools; this module is their registry.
Relation and leader writes go into the hook context and are committed only when the hook
succeeds, like Juju; status, ports and logs apply at once. Errors print `ERROR ...` and exit 2
for argument errors, 1 for refusals, as jujuc does (tool_base.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from charmsmith.model import (
    action_tools,
    network_tools,
    relation_tools,
    resource_tools,
    status_tools,
)
from charmsmith.model.tool_base import HookContext, Result, ToolError

if TYPE_CHECKING:
    from charmsmith.model.sequencer import Model

__all__ = ["TOOLS", "HookContext", "Result", "ToolError"]

TOOLS: dict[str, Callable[[Model, HookContext, list[str], bytes], Result]] = {
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
