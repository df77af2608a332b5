"""What every `charmsmith model` verb shares: the session around a change, and the exit code.

A mutating verb takes the model lock, loads the state, makes its change, serves hook tools while
the hook queue runs until quiescent, and saves; a failed operation records nothing. A failed
hook is reported as one line pointing at `hooks`, and the verb exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
from collections.abc import Iterator

from charmsmith.errors import CharmsmithError
from charmsmith.model import hooktools, teardown
from charmsmith.model.sequencer import Model
from charmsmith.model.store import ModelStore


def pairs(items: list[str]) -> dict[str, str]:
    """KEY=VALUE arguments as a dict; one-line error for anything else."""
    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CharmsmithError(f'expected KEY=VALUE, got "{item}"')
        out[key] = value
    return out


@contextlib.contextmanager
def session(store: ModelStore, create: bool = False) -> Iterator[Model]:
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


def finish(model: Model) -> int:
    """Report the hooks that failed during the session; the verb's exit code."""
    for message in model.failures:
        print(f"charmsmith: error: {message}", file=sys.stderr)
    return 1 if model.failures else 0


def num_units(args: argparse.Namespace) -> int:
    # juju deploy and juju add-unit refuse the same way (Juju's cmd/juju/application
    # deploy.go and addunit.go: "--num-units must be a positive integer").
    if args.num_units < 1:
        raise CharmsmithError(f"-n/--num-units must be a positive integer, got {args.num_units}")
    return args.num_units


def is_peer_unit(store: ModelStore, unit: str) -> bool:
    """Whether `unit` belongs to a peer charmsmith plays (read under the lock, no session)."""
    with store.locked():
        model = Model(store)
        return model.is_peer(model.unit(unit).app)
