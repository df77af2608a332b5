"""The event queue and its fan-out: which hooks run next, and what a finished hook queues.

Why a persisted queue: one user action fans out into hooks on both sides of a relation, and a
relation-set queues -changed hooks for the other side. The queue lives in the model state and
is drained until quiescent, so a killed command leaves the remaining hooks for the next one;
a failed hook stays at the head of its unit's queue until `run-hook` retries it.
"""

from __future__ import annotations

from typing import Any

from charmsmith.errors import CharmsmithError
from charmsmith.model import scope
from charmsmith.model.peers.base import PeerView
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.state import QueuedEvent, Relation
from charmsmith.model.tool_base import HookContext

MAX_HOOKS_PER_COMMAND = 2000
COALESCED = ("config-changed", "leader-settings-changed", "update-status")


def enqueue(model: ModelAPI, unit: str, hook: str, **extra: Any) -> None:
    """Queue a hook; an identical pending event is not queued twice (Juju coalesces)."""
    event = QueuedEvent(unit, hook, **{k: v for k, v in extra.items() if v is not None})
    queue = model.state.queue
    if (hook.endswith("-relation-changed") or hook in COALESCED) and event in queue:
        return
    queue.append(event)


def run_queue(model: ModelAPI) -> None:
    """Run pending hooks until none is runnable (quiescent) or every blocked unit errs."""
    ran = 0
    while True:
        event = next_runnable(model)
        if event is None:
            for app in [a for a in model.state.applications if model.is_peer(a)]:
                model.peer(app).step(model)  # peers' later work, e.g. rabbit clustering
            event = next_runnable(model)
        if event is None:
            return
        ran += 1
        if ran > MAX_HOOKS_PER_COMMAND:
            raise CharmsmithError("the model did not settle: too many hooks (relation loop?)")
        model.state.queue.remove(event)
        before_hook(model, event)
        try:
            ok = model.substrate.run_event(model, event)
        except BaseException:
            model.state.queue.insert(0, event)  # interrupted: it runs next time
            raise
        if not ok:
            model.state.queue.insert(0, event)
        model.store.save()


def next_runnable(model: ModelAPI) -> QueuedEvent | None:
    """The first queued event whose unit is neither in error nor down; gone units' drop out."""
    queue = model.state.queue
    for event in list(queue):
        unit = model.state.units.get(event.unit)
        if unit is None:
            queue.remove(event)
            continue
        if unit.agent != "error" and not unit.down:
            return event
    return None


def before_hook(model: ModelAPI, queued: QueuedEvent) -> None:
    """Membership changes Juju makes visible to the hook (relation-list) before it runs."""
    rid, remote = queued.relation_id, queued.remote_unit
    if rid is None or str(rid) not in model.state.relations:
        return
    rel = model.relation(rid)
    joined = rel.joined.setdefault(queued.unit, [])
    if queued.hook.endswith("-relation-joined") and remote and remote not in joined:
        joined.append(remote)
    if queued.hook.endswith("-relation-departed") and remote in joined:
        joined.remove(remote)


def commit(model: ModelAPI, ctx: HookContext) -> None:
    """Apply the hook's relation/leader writes and queue what Juju would fire next."""
    for (rid, bag), data in sorted(ctx.pending.items()):
        if str(rid) not in model.state.relations:
            continue
        rel = model.relation(rid)
        app = model.unit(ctx.unit).app
        if bag == "app":
            if rel.app_data.get(app, {}) != data:
                rel.app_data[app] = data
                changed(model, rel, app, None)
        elif rel.unit_data.get(ctx.unit, {}) != data:
            rel.unit_data[ctx.unit] = data
            changed(model, rel, app, ctx.unit)
    if ctx.pending_leader is not None:
        app = model.unit(ctx.unit).app
        if (model.app(app).leader_settings or {}) != ctx.pending_leader:
            model.app(app).leader_settings = ctx.pending_leader
            for unit in model.charm_units(app):
                if unit != ctx.unit:
                    model.enqueue(unit, "leader-settings-changed")
    if ctx.hook == "install" and ctx.action is None:
        scope.install_done(model, ctx.unit)


def changed(model: ModelAPI, rel: Relation, app: str, unit: str | None) -> None:
    """A databag of `unit` (or of `app` when unit is None) changed: notify the other side."""
    other = model.remote_app(rel, app)
    if model.is_peer(other):
        model.peer_respond(rel, other)
        return
    endpoint = model.endpoint_of(rel, other)
    for target in model.charm_units(other):
        if target == unit:
            continue
        seen = rel.joined.get(target, [])
        if unit is None:
            if seen:
                model.enqueue(
                    target, f"{endpoint}-relation-changed", relation_id=rel.id, remote_app=app
                )
        elif unit in seen:
            model.enqueue(
                target,
                f"{endpoint}-relation-changed",
                relation_id=rel.id,
                remote_unit=unit,
                remote_app=app,
            )


def peer_respond(model: ModelAPI, rel: Relation, peer_app: str) -> None:
    view = PeerView(model, rel, peer_app, model.endpoint_of(rel, peer_app))
    model.peer(peer_app).respond(view)


def peer_publish(
    model: ModelAPI,
    rel: Relation,
    unit: str | None,
    settings: dict[str, str],
    app: str | None = None,
) -> None:
    """A peer writes its databag; charm units that see it get -changed, as from a hook."""
    owner_app = app or model.unit(unit or "").app
    bag = rel.app_data if unit is None else rel.unit_data
    key = owner_app if unit is None else unit
    new = {**bag.get(key, {}), **settings}
    new = {k: v for k, v in new.items() if v != ""}
    if bag.get(key, {}) != new:
        bag[key] = new
        changed(model, rel, owner_app, unit)
