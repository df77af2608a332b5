"""`charmsmith model ...`: the local model's command line.

Every mutating command: take the model lock, load the state, make the change, start the
hook-tool server, run the hook queue until quiescent (printing one progress line per hook),
save. A failed hook is reported as one line pointing at `hooks`, and the command exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from charmsmith import charmfiles, dirs
from charmsmith.errors import CharmsmithError
from charmsmith.model import configops, hooktools, names, operations, teardown
from charmsmith.model.peers import PEERS
from charmsmith.model.sequencer import Model
from charmsmith.model.store import ModelStore, default_model_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="model directory (default: $CHARMSMITH_MODEL or ./.charmsmith-model)",
    )
    sub = parser.add_subparsers(dest="model_command", metavar="ACTION", required=True)

    p = sub.add_parser("deploy", help="deploy a built charm dir, or a peer: " + ", ".join(PEERS))
    p.add_argument("charm")
    p.add_argument("app", nargs="?")
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("-n", "--num-units", type=int, default=1)
    p.add_argument(
        "--mode",
        choices=["emulated", "real"],
        default=None,
        help="package/service control in units: emulated shims (default) or real",
    )
    p.add_argument(
        "--backend",
        choices=["emulated", "real"],
        default="emulated",
        help="peer backend: emulated (default), or real Debian daemons for keystone, mysql, "
        "rabbitmq (docs/model.md, Peer backends)",
    )
    p.add_argument(
        "--archive",
        action="append",
        default=[],
        metavar="PKG=VERSION",
        help="add or override a package version in the fake archive",
    )

    p = sub.add_parser("relate", help="relate two applications: A[:endpoint] B[:endpoint]")
    p.add_argument("left")
    p.add_argument("right")

    p = sub.add_parser("config", help="show, set or reset an application's config")
    p.add_argument("app")
    p.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
    p.add_argument(
        "--reset",
        action=configops.ResetAction,
        nargs="+",
        default=[],
        metavar="KEY[,KEY]",
        help="return options to their charm defaults (unset when there is none)",
    )

    p = sub.add_parser("add-unit", help="add units to an application")
    p.add_argument("app")
    p.add_argument("-n", "--num-units", type=int, default=1)

    p = sub.add_parser("remove-unit", help="remove units (departed/broken, stop, remove)")
    p.add_argument("units", nargs="+")
    p.add_argument(
        "--force", action="store_true", help="remove now, without running the unit's hooks"
    )

    p = sub.add_parser(
        "remove-relation", help="remove a relation: A[:endpoint] B[:endpoint], or its id"
    )
    p.add_argument("left")
    p.add_argument("right", nargs="?")

    p = sub.add_parser("resolved", help="retry a unit's failed hook, or skip it (--no-retry)")
    p.add_argument("unit")
    p.add_argument("--no-retry", action="store_true", help="mark it resolved, do not run it")

    p = sub.add_parser("run-hook", help="retry a unit's failed hook, or run HOOK now")
    p.add_argument("unit")
    p.add_argument("hook", nargs="?")

    p = sub.add_parser("run-action", help="run an action on a unit")
    p.add_argument("unit")
    p.add_argument("action")
    p.add_argument("params", nargs="*", metavar="KEY=VALUE")

    p = sub.add_parser(
        "attach-resource", help="attach a file as an application's resource: APP NAME=FILE"
    )
    p.add_argument("app")
    p.add_argument("resource", nargs="+", metavar="NAME=FILE")

    p = sub.add_parser(
        "upgrade-series", help="fire a unit's pre- (prepare) or post-series-upgrade (complete)"
    )
    p.add_argument("unit")
    p.add_argument("phase", choices=["prepare", "complete"])

    p = sub.add_parser("update-status", help="fire update-status on one or all units")
    p.add_argument("unit", nargs="?")

    p = sub.add_parser(
        "upgrade-charm", help="replace an application's charm and fire upgrade-charm"
    )
    p.add_argument("app")
    p.add_argument("--path", type=Path, default=None)

    p = sub.add_parser("fail", help="a unit goes down (no hooks, no traffic; VIPs move)")
    p.add_argument("unit")

    p = sub.add_parser("recover", help="a failed unit comes back (start fires again)")
    p.add_argument("unit")

    p = sub.add_parser("status", help="juju status-like table")
    p.add_argument("--format", choices=["tabular", "json"], default="tabular")

    p = sub.add_parser("debug-log", help="juju-log output and model events")
    p.add_argument("-n", "--lines", type=int, default=0, help="only the last N lines")

    p = sub.add_parser("hooks", help="hook history: wall time, exit code, hook-tool calls")
    p.add_argument("unit", nargs="?")
    p.add_argument("--format", choices=["tabular", "json"], default="tabular")
    p.add_argument("--calls", action="store_true", help="list each hook's tool calls")
    p.add_argument("--output", action="store_true", help="show each hook's output")

    p = sub.add_parser("ssh", help="a shell or a command inside a unit's view")
    p.add_argument("unit")
    p.add_argument("command", nargs=argparse.REMAINDER)

    p = sub.add_parser("catalog", help="keystone's endpoint catalog")
    p.add_argument("--format", choices=["tabular", "json"], default="tabular")

    sub.add_parser("destroy", help="kill unit processes, remove namespaces, bridge and the model")


def run(args: argparse.Namespace) -> int:
    model_dir = dirs.writable_dir(args.model or default_model_dir(), "--model")
    store = ModelStore(model_dir)
    command = args.model_command
    handler = globals()["cmd_" + command.replace("-", "_")]
    return handler(store, args) or 0


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CharmsmithError(f'expected KEY=VALUE, got "{item}"')
        out[key] = value
    return out


@contextlib.contextmanager
def _session(store: ModelStore, create: bool = False) -> Iterator[Model]:
    """Lock + load, serve hook tools while the body and the hook queue run, save."""
    with store.locked(create=create):
        model = Model(store)
        run_dir = store.path / "run"
        run_dir.mkdir(mode=0o700, exist_ok=True)
        hooktools.ensure_client(run_dir)
        with hooktools.HookToolServer(run_dir, model.handle_tool):
            before = copy.deepcopy(store.state)
            try:
                try:
                    yield model
                except BaseException:
                    teardown.undo(model, before)  # a failed operation records nothing
                    raise
                model.run_queue()
            finally:
                store.save()


def _finish(model: Model) -> int:
    for message in model.failures:
        print(f"charmsmith: error: {message}", file=sys.stderr)
    return 1 if model.failures else 0


def _num_units(args: argparse.Namespace) -> int:
    # juju deploy and juju add-unit refuse the same way (Juju's cmd/juju/application
    # deploy.go and addunit.go: "--num-units must be a positive integer").
    if args.num_units < 1:
        raise CharmsmithError(f"-n/--num-units must be a positive integer, got {args.num_units}")
    return args.num_units


def cmd_deploy(store: ModelStore, args: argparse.Namespace) -> int:
    names.check_model_dir(store.path)  # before a model is created there
    if args.app is not None:
        names.check_app_name(args.app)
    _num_units(args)
    is_peer = args.charm in PEERS and not Path(args.charm).is_dir()
    if not is_peer:  # refuse a bad charm before a new model is created for it
        charm = charmfiles.built_charm(args.charm)
        charmfiles.read_metadata(charm)
        charmfiles.read_options(charm)
    with _session(store, create=True) as model:
        if is_peer:
            name = model.deploy_peer(
                args.charm, args.app, args.num_units, args.backend, _pairs(args.config)
            )
            print(f"deployed {name} (played by charmsmith, {args.backend} backend)")
        else:
            name = model.deploy(
                Path(args.charm),
                args.app,
                _pairs(args.config),
                args.num_units,
                mode=args.mode,
                archive=_pairs(args.archive),
            )
            print(f"deployed {name} from {Path(args.charm).resolve()}")
        store.save()
    return _finish(model)


def cmd_relate(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        rel = model.relate(args.left, args.right)
        eps = " ".join(f"{e['app']}:{e['endpoint']}" for e in rel["endpoints"])
        print(f"related {eps} ({rel['interface']}, id {rel['id']})")
        store.save()
    return _finish(model)


def cmd_config(store: ModelStore, args: argparse.Namespace) -> int:
    reset = configops.parse_reset(args.reset)
    pairs = _pairs(args.pairs + getattr(args, "reset_pairs", []))
    with _session(store) as model:
        if not pairs and not reset:
            model.app(args.app)
            print(json.dumps(model.config_values(args.app), indent=2, sort_keys=True))
            return 0
        configops.update_config(model, args.app, pairs, reset)
        store.save()
    return _finish(model)


def cmd_add_unit(store: ModelStore, args: argparse.Namespace) -> int:
    _num_units(args)
    with _session(store) as model:
        for _ in range(args.num_units):
            print(f"added {model.add_unit(args.app)}")
        store.save()
    return _finish(model)


def cmd_remove_unit(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        for name in args.units:
            model.unit(name)
            if args.force:
                operations.force_remove_unit(model, name)
                print(f"removed {name} (forced)")
            else:
                model.remove_unit(name)
        store.save()
    return _finish(model)


def cmd_run_hook(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        unit = model.unit(args.unit)
        if model.is_peer(unit["app"]):
            raise CharmsmithError(f"{args.unit} is played by charmsmith and runs no hooks")
        if args.hook is not None:
            names.check_hook_name(model.app(unit["app"])["metadata"], args.unit, args.hook)
        pending = [e for e in model.state["queue"] if e["unit"] == args.unit]
        if unit.get("agent") == "error":
            head = pending[0]
            if args.hook and args.hook != head["hook"]:
                raise CharmsmithError(
                    f'{args.unit} is in error on hook "{head["hook"]}": retry that one first'
                )
            print(f"{args.unit}: retrying {head['hook']}")
            unit["agent"] = "idle"
        elif args.hook:
            event = _event_for(model, args.unit, args.hook)
            model.state["queue"].insert(0, event)
        elif not pending:
            raise CharmsmithError(f"{args.unit} has no failed or pending hook; name a HOOK to run")
    return _finish(model)


def _event_for(model: Model, unit_name: str, hook: str) -> dict[str, Any]:
    """An event for a hook named by the user; relation hooks pick the first matching relation."""
    event: dict[str, Any] = {"unit": unit_name, "hook": hook}
    if "-relation-" in hook:
        endpoint = hook.split("-relation-")[0]
        app = model.unit(unit_name)["app"]
        rels = [r for r in model.relations_of(app) if model.endpoint_of(r, app) == endpoint]
        if not rels:
            raise CharmsmithError(f'{unit_name} has no "{endpoint}" relation')
        rel = rels[0]
        event["relation_id"] = rel["id"]
        event["remote_app"] = model.remote_app(rel, app)
        remotes = model.remote_units(rel, unit_name)
        if remotes and not hook.endswith(("-created", "-broken")):
            event["remote_unit"] = remotes[0]
    return event


def cmd_remove_relation(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        rel = operations.remove_relation(model, args.left, args.right)
        eps = " ".join(f"{e['app']}:{e['endpoint']}" for e in rel["endpoints"])
        print(f"removing relation {eps} (id {rel['id']})")
    return _finish(model)


def cmd_resolved(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        print(operations.resolved(model, args.unit, retry=not args.no_retry))
    return _finish(model)


def cmd_run_action(store: ModelStore, args: argparse.Namespace) -> int:
    import uuid

    if _is_peer_unit(store, args.unit):
        return _run_peer_action(store, args)

    from charmsmith.model import runner
    from charmsmith.model import units as unitfs

    with _session(store) as model:
        model.unit(args.unit)
        action = {
            "name": args.action,
            "uuid": str(uuid.uuid4().int)[:8],
            "params": _pairs(args.params),
        }
        ctx = runner.new_context(model, args.unit, args.action, action=action)
        path = f"{unitfs.charm_dir_in_unit(args.unit)}/actions/{args.action}"
        record = runner.execute(model, ctx, path, {})
        model.unit(args.unit)["agent"] = "idle"
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
    return 1 if failed else _finish(model)


def cmd_attach_resource(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model import day2

    name, file = day2.parse_resource_spec(args.resource)
    with _session(store) as model:
        revision = day2.attach_resource(model, args.app, name, file)
        print(f"attached {name} revision {revision} to {args.app}")
    return _finish(model)


def _is_peer_unit(store: ModelStore, unit: str) -> bool:
    with store.locked():
        model = Model(store)
        return model.is_peer(model.unit(unit)["app"])


def _run_peer_action(store: ModelStore, args: argparse.Namespace) -> int:
    """An action of a peer charmsmith plays (its ACTIONS): answered in-process, then the hooks
    its new relation data causes run, as after the real charm's action."""
    with _session(store) as model:
        app = model.unit(args.unit)["app"]
        outcome = model.peer(app).run_action(model, args.unit, args.action, _pairs(args.params))
        store.log(app, "INFO", f"{args.unit}: action {args.action} ran")
        output = {
            "status": "failed" if outcome.failed else "completed",
            "results": outcome.results,
            "message": outcome.failed,
        }
        print(json.dumps(output, indent=2))
    return 1 if outcome.failed else _finish(model)


def cmd_upgrade_series(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model import day2

    with _session(store) as model:
        day2.upgrade_series(model, args.unit, args.phase)
    return _finish(model)


def cmd_fail(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        model.fail_unit(args.unit)
        print(f"{args.unit} is down")
    return _finish(model)


def cmd_recover(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        model.recover_unit(args.unit)
        print(f"{args.unit} is back")
    return _finish(model)


def cmd_update_status(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        model.update_status(args.unit)
    return _finish(model)


def cmd_upgrade_charm(store: ModelStore, args: argparse.Namespace) -> int:
    with _session(store) as model:
        model.upgrade_charm(args.app, args.path)
    return _finish(model)


def cmd_status(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model import status

    with store.locked():
        model = Model(store)
        text = status.render_json(model) if args.format == "json" else status.render_table(model)
    sys.stdout.write(text)
    return 0


def cmd_debug_log(store: ModelStore, args: argparse.Namespace) -> int:
    path = store.path / "debug-log.txt"
    if args.lines < 0:
        raise CharmsmithError(f"-n/--lines must be 0 (all) or more, got {args.lines}")
    if not store.exists:
        raise CharmsmithError(f"no model at {store.path}")
    lines = path.read_text().splitlines() if path.exists() else []
    if args.lines:
        lines = lines[-args.lines :]
    for line in lines:
        print(line)
    return 0


def cmd_hooks(store: ModelStore, args: argparse.Namespace) -> int:
    if not store.exists:
        raise CharmsmithError(f"no model at {store.path}")
    records = [r for r in store.history() if not args.unit or r["unit"] == args.unit]
    if args.format == "json":
        print(json.dumps(records, indent=1, sort_keys=True))
        return 0
    for r in records:
        tools = [c for c in r["calls"] if not c.get("shim")]
        shim = len(r["calls"]) - len(tools)
        started = time.strftime("%H:%M:%S", time.localtime(r["started"]))
        label = r["hook"] + (f" ({r['remote_unit']})" if r.get("remote_unit") else "")
        print(
            f"{started}  {r['unit']:<16} {label:<48} rc={r['rc']:<3} {r['wall']:7.3f}s  "
            f"{len(tools):3d} tool calls" + (f", {shim} shim calls" if shim else "")
        )
        if args.calls:
            for c in r["calls"]:
                print(f"      {c['ms']:7.3f} ms  rc={c['rc']}  {c['tool']} {' '.join(c['args'])}")
        if args.output or r["rc"] != 0:
            for line in r["output"].rstrip().splitlines()[-40:]:
                print(f"    | {line}")
    return 0


def cmd_ssh(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model import runner

    with store.locked():
        model = Model(store)
        unit = model.unit(args.unit)
        if model.is_peer(unit["app"]):
            raise CharmsmithError(f"{args.unit} is played by charmsmith in-process; no shell")
        command = ["/bin/sh", "-c", " ".join(args.command)] if args.command else ["/bin/bash", "-l"]
        argv = runner.unit_command(model, args.unit, command, cwd="/root")
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "TERM": os.environ.get("TERM", "xterm"),
        "PIP_CONFIG_FILE": "/dev/null",
        "PS1": f"{args.unit}# ",
    }
    return subprocess.call(argv, env=env)


def cmd_catalog(store: ModelStore, args: argparse.Namespace) -> int:
    with store.locked():
        model = Model(store)
        catalog: dict[str, Any] = {}
        for name, app in model.state["applications"].items():
            if app.get("peer") == "keystone":
                catalog.update(model.peer(name).catalog())  # type: ignore[attr-defined]
    if args.format == "json":
        print(json.dumps(catalog, indent=2, sort_keys=True))
        return 0
    if not catalog:
        print("no endpoints registered (is keystone deployed and related?)")
        return 0
    rows = [["Service", "Region", "Interface", "URL"]]
    for service, entry in sorted(catalog.items()):
        for iface in ("public", "internal", "admin"):
            rows.append([service, entry.get("region", ""), iface, entry.get(f"{iface}_url", "")])
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0


def cmd_destroy(store: ModelStore, args: argparse.Namespace) -> int:
    problems = teardown.destroy_model(store)
    for line in problems:
        print(f"charmsmith: could not remove: {line}", file=sys.stderr)
    if store.path.exists():
        raise CharmsmithError(f"model {store.path} is only partly destroyed (see above)")
    print(f"destroyed model {store.path}" + (" (see the lines above)" if problems else ""))
    return 0
