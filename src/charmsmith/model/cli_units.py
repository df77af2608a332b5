"""`charmsmith model` verbs that act on a unit's life: hooks, actions, failure and recovery.

resolved, run-hook, run-action, upgrade-series, update-status, fail and recover; each runs in a
session (cli_session). An action of a peer charmsmith plays is answered in-process.
"""

from __future__ import annotations

import argparse
import json

from charmsmith.errors import CharmsmithError
from charmsmith.model import names, operations
from charmsmith.model.cli_session import finish, is_peer_unit, pairs, session
from charmsmith.model.sequencer import Model
from charmsmith.model.state import QueuedEvent
from charmsmith.model.store import ModelStore


def cmd_resolved(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        print(operations.resolved(model, args.unit, retry=not args.no_retry))
    return finish(model)


def cmd_run_hook(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        unit = model.unit(args.unit)
        if model.is_peer(unit.app):
            raise CharmsmithError(f"{args.unit} is played by charmsmith and runs no hooks")
        if args.hook is not None:
            names.check_hook_name(model.app(unit.app).metadata, args.unit, args.hook)
        pending = [e for e in model.state.queue if e.unit == args.unit]
        if unit.agent == "error":
            head = pending[0]
            if args.hook and args.hook != head.hook:
                raise CharmsmithError(
                    f'{args.unit} is in error on hook "{head.hook}": retry that one first'
                )
            print(f"{args.unit}: retrying {head.hook}")
            unit.agent = "idle"
        elif args.hook:
            event = _event_for(model, args.unit, args.hook)
            model.state.queue.insert(0, event)
        elif not pending:
            raise CharmsmithError(f"{args.unit} has no failed or pending hook; name a HOOK to run")
    return finish(model)


def _event_for(model: Model, unit_name: str, hook: str) -> QueuedEvent:
    """An event for a hook named by the user; relation hooks pick the first matching relation."""
    event = QueuedEvent(unit_name, hook)
    if "-relation-" in hook:
        endpoint = hook.split("-relation-")[0]
        app = model.unit(unit_name).app
        rels = [r for r in model.relations_of(app) if model.endpoint_of(r, app) == endpoint]
        if not rels:
            raise CharmsmithError(f'{unit_name} has no "{endpoint}" relation')
        rel = rels[0]
        event.relation_id = rel.id
        event.remote_app = model.remote_app(rel, app)
        remotes = model.remote_units(rel, unit_name)
        if remotes and not hook.endswith(("-created", "-broken")):
            event.remote_unit = remotes[0]
    return event


def cmd_run_action(store: ModelStore, args: argparse.Namespace) -> int:
    import uuid

    if is_peer_unit(store, args.unit):
        return _run_peer_action(store, args)

    from charmsmith.model import runner
    from charmsmith.model import units as unitfs

    with session(store) as model:
        model.unit(args.unit)
        action = {
            "name": args.action,
            "uuid": str(uuid.uuid4().int)[:8],
            "params": pairs(args.params),
        }
        ctx = runner.new_context(model, args.unit, args.action, action=action)
        path = f"{unitfs.charm_dir_in_unit(args.unit)}/actions/{args.action}"
        record = runner.execute(model, ctx, path)
        model.unit(args.unit).agent = "idle"
        record["action"] = action
        store.append_history(record)
        model.commit(ctx)
        failed = record["rc"] != 0 or action.get("failed")
        print(
            json.dumps(
                {
                    "status": "failed" if failed else "completed",
                    "results": action.get("results", {}),
                    "message": action.get("message", ""),
                    "output": record["output"],
                },
                indent=2,
            )
        )
    return 1 if failed else finish(model)


def _run_peer_action(store: ModelStore, args: argparse.Namespace) -> int:
    """An action of a peer charmsmith plays (its ACTIONS): answered in-process, then the hooks
    its new relation data causes run, as after the real charm's action."""
    with session(store) as model:
        app = model.unit(args.unit).app
        outcome = model.peer(app).run_action(model, args.unit, args.action, pairs(args.params))
        store.log(app, "INFO", f"{args.unit}: action {args.action} ran")
        output = {
            "status": "failed" if outcome.failed else "completed",
            "results": outcome.results,
            "message": outcome.failed,
        }
        print(json.dumps(output, indent=2))
    return 1 if outcome.failed else finish(model)


def cmd_upgrade_series(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model import day2

    with session(store) as model:
        day2.upgrade_series(model, args.unit, args.phase)
    return finish(model)


def cmd_fail(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        model.fail_unit(args.unit)
        print(f"{args.unit} is down")
    return finish(model)


def cmd_recover(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        model.recover_unit(args.unit)
        print(f"{args.unit} is back")
    return finish(model)


def cmd_update_status(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        model.update_status(args.unit)
    return finish(model)
