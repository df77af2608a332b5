"""A model whose hooks a Python FakeCharm plays, on FakeSubstrate (no namespaces, no overlays).

Shared by the engine tests (sequencing, operations, interruption, relation scope): the hook
order is Juju's, the charm's relation writes are the fixture charm's requests, and what
follows a successful hook is the runner's own (runner.after_success).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from charmsmith.model import runner
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.sequencer import Model
from charmsmith.model.state import QueuedEvent, Unit
from charmsmith.model.store import ModelStore
from charmsmith.model.substrate import FakeSubstrate, HookPlayer

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


def requests(model: ModelAPI, unit: str) -> dict[str, dict[str, str]]:
    """What the fixture charm sends on each endpoint when a relation is joined."""
    address = model.unit(unit).address
    return {
        "identity-service": {
            "service": "swift",
            "region": "RegionOne",
            "public_url": "http://x:1",
            "internal_url": "http://x:1",
            "admin_url": "http://x:1",
        },
        "shared-db": {"database": "fixture", "username": "fixture", "hostname": address},
        "amqp": {"username": "fixture", "vhost": "openstack"},
        "cluster": {"public-address": address},
    }


class FakeCharm:
    """Plays a charm's hooks: records them, fails those listed in `fail`, sends requests."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, str, str | None]] = []
        self.fail: set[tuple[str, str]] = set()

    def __call__(self, model: ModelAPI, event: QueuedEvent) -> bool:
        unit, hook = event.unit, event.hook
        self.ran.append((unit, hook, event.remote_unit))
        if (unit, hook) in self.fail:
            model.unit(unit).agent = "error"
            return False
        ctx = runner.new_context(
            model,
            unit,
            hook,
            relation_id=event.relation_id,
            remote_unit=event.remote_unit,
        )
        if hook.endswith("-relation-joined") and event.relation_id is not None:
            endpoint = hook.split("-relation-")[0]
            rel = model.relation(event.relation_id)
            current = dict(rel.unit_data.get(unit, {}))
            wanted = requests(model, unit).get(endpoint, {})
            ctx.pending[(rel.id, "unit")] = {**current, **wanted}
        model.contexts.pop(ctx.id, None)
        runner.after_success(model, ctx, model.unit(unit))
        return True


def hooks(charm: FakeCharm, unit: str) -> list[str]:
    """The hooks `unit` ran, `hook(remote)` for those about a remote unit."""
    return [h if r is None else f"{h}({r})" for u, h, r in charm.ran if u == unit]


@contextlib.contextmanager
def model_on(tmp_path: Path, play: HookPlayer) -> Iterator[Model]:
    """An empty model on FakeSubstrate whose hooks `play` runs, held under its lock."""
    store = ModelStore(tmp_path / "m")
    with store.locked(create=True):
        store.state.subnet = "203.0.113.0/24"
        yield Model(store, echo=lambda _l: None, substrate=FakeSubstrate(play))


@contextlib.contextmanager
def fake_model(tmp_path: Path) -> Iterator[tuple[Model, FakeCharm]]:
    """An empty model whose hooks a FakeCharm plays."""
    charm = FakeCharm()
    with model_on(tmp_path, charm) as model:
        yield model, charm


def active_unit(name: str, address: str, netns: str) -> Unit:
    """An installed, active unit record on machine 0, for tests that place one by hand."""
    return Unit(
        name=name,
        app=name.partition("/")[0],
        number=0,
        index=0,
        address=address,
        agent="idle",
        workload={"status": "active", "message": ""},
        ports=[],
        machine="0",
        netns=netns,
    )
