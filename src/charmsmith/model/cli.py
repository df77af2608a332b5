"""`charmsmith model ...`: the local model's command line, one handler per verb.

Arguments are declared in cli_args (in help order); the handlers live by group: cli_change
(applications, units, relations), cli_units (hooks, actions, failure), cli_inspect (read-only
views), all sharing cli_session (lock, hook-tool server, hook queue, save, exit code).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from charmsmith import dirs
from charmsmith.model import cli_change, cli_inspect, cli_units
from charmsmith.model.cli_args import add_arguments
from charmsmith.model.store import ModelStore, default_model_dir

Handler = Callable[[ModelStore, argparse.Namespace], int]

VERBS: dict[str, Handler] = {
    "deploy": cli_change.cmd_deploy,
    "relate": cli_change.cmd_relate,
    "config": cli_change.cmd_config,
    "add-unit": cli_change.cmd_add_unit,
    "remove-unit": cli_change.cmd_remove_unit,
    "remove-relation": cli_change.cmd_remove_relation,
    "attach-resource": cli_change.cmd_attach_resource,
    "upgrade-charm": cli_change.cmd_upgrade_charm,
    "destroy": cli_change.cmd_destroy,
    "resolved": cli_units.cmd_resolved,
    "run-hook": cli_units.cmd_run_hook,
    "run-action": cli_units.cmd_run_action,
    "upgrade-series": cli_units.cmd_upgrade_series,
    "update-status": cli_units.cmd_update_status,
    "fail": cli_units.cmd_fail,
    "recover": cli_units.cmd_recover,
    "status": cli_inspect.cmd_status,
    "debug-log": cli_inspect.cmd_debug_log,
    "hooks": cli_inspect.cmd_hooks,
    "ssh": cli_inspect.cmd_ssh,
    "catalog": cli_inspect.cmd_catalog,
}

__all__ = ["VERBS", "add_arguments", "run"]


def run(args: argparse.Namespace) -> int:
    model_dir = dirs.writable_dir(args.model or default_model_dir(), "--model")
    store = ModelStore(model_dir)
    return VERBS[args.model_command](store, args) or 0
