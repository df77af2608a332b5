"""`charmsmith model` verbs that change the model's shape: applications, units, relations.

deploy, relate, config, add-unit, remove-unit, remove-relation, attach-resource, upgrade-charm
and destroy; each runs in a session (cli_session) and prints one line per change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from charmsmith import charmfiles
from charmsmith.errors import CharmsmithError
from charmsmith.model import configops, names, operations, teardown
from charmsmith.model.cli_session import finish, num_units, pairs, session
from charmsmith.model.peers import PEERS
from charmsmith.model.store import ModelStore


def cmd_deploy(store: ModelStore, args: argparse.Namespace) -> int:
    names.check_model_dir(store.path)  # before a model is created there
    if args.app is not None:
        names.check_app_name(args.app)
    num_units(args)
    is_peer = args.charm in PEERS and not Path(args.charm).is_dir()
    if not is_peer:  # refuse a bad charm before a new model is created for it
        charm = charmfiles.built_charm(args.charm)
        charmfiles.read_metadata(charm)
        charmfiles.read_options(charm)
    with session(store, create=True) as model:
        if is_peer:
            name = model.deploy_peer(
                args.charm, args.app, args.num_units, args.backend, pairs(args.config)
            )
            print(f"deployed {name} (played by charmsmith, {args.backend} backend)")
        else:
            name = model.deploy(
                Path(args.charm),
                args.app,
                pairs(args.config),
                args.num_units,
                mode=args.mode,
                archive=pairs(args.archive),
            )
            print(f"deployed {name} from {Path(args.charm).resolve()}")
        store.save()
    return finish(model)


def cmd_relate(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        rel = model.relate(args.left, args.right)
        eps = " ".join(f"{e.app}:{e.endpoint}" for e in rel.endpoints)
        print(f"related {eps} ({rel.interface}, id {rel.id})")
        store.save()
    return finish(model)


def cmd_config(store: ModelStore, args: argparse.Namespace) -> int:
    reset = configops.parse_reset(args.reset)
    changes = pairs(args.pairs + getattr(args, "reset_pairs", []))
    with session(store) as model:
        if not changes and not reset:
            model.app(args.app)
            print(json.dumps(model.config_values(args.app), indent=2, sort_keys=True))
            return 0
        configops.update_config(model, args.app, changes, reset)
        store.save()
    return finish(model)


def cmd_add_unit(store: ModelStore, args: argparse.Namespace) -> int:
    num_units(args)
    with session(store) as model:
        for _ in range(args.num_units):
            print(f"added {model.add_unit(args.app)}")
        store.save()
    return finish(model)


def cmd_remove_unit(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        for name in args.units:
            model.unit(name)
            if args.force:
                operations.force_remove_unit(model, name)
                print(f"removed {name} (forced)")
            else:
                model.remove_unit(name)
        store.save()
    return finish(model)


def cmd_remove_relation(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        rel = operations.remove_relation(model, args.left, args.right)
        eps = " ".join(f"{e.app}:{e.endpoint}" for e in rel.endpoints)
        print(f"removing relation {eps} (id {rel.id})")
    return finish(model)


def cmd_attach_resource(store: ModelStore, args: argparse.Namespace) -> int:
    from charmsmith.model import day2

    name, file = day2.parse_resource_spec(args.resource)
    with session(store) as model:
        revision = day2.attach_resource(model, args.app, name, file)
        print(f"attached {name} revision {revision} to {args.app}")
    return finish(model)


def cmd_upgrade_charm(store: ModelStore, args: argparse.Namespace) -> int:
    with session(store) as model:
        model.upgrade_charm(args.app, args.path)
    return finish(model)


def cmd_destroy(store: ModelStore, args: argparse.Namespace) -> int:
    problems = teardown.destroy_model(store)
    for line in problems:
        print(f"charmsmith: could not remove: {line}", file=sys.stderr)
    if store.path.exists():
        raise CharmsmithError(f"model {store.path} is only partly destroyed (see above)")
    print(f"destroyed model {store.path}" + (" (see the lines above)" if problems else ""))
    return 0
