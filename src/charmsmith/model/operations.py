"""Juju verbs that take things away or get a unit out of error: remove-relation, resolved,
remove-unit --force; and the bookkeeping that retires a removed relation once its hooks ran.

Why the relation lingers as "dying": Juju removes a relation only after every unit on both
sides has said goodbye (-departed per remote unit, then -broken); a unit in error holds that
up until it is resolved. Peers played by charmsmith forget what the relation asked of them
(catalog entries, grants, users) when it is finally gone, so relating again starts clean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from charmsmith.errors import CharmsmithError
from charmsmith.model import events, scope
from charmsmith.model.peers.base import PeerView

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI
    from charmsmith.model.state import Relation
    from charmsmith.model.tool_base import HookContext


def find_relation(model: ModelAPI, left: str, right: str | None) -> Relation:
    """The relation named as `A[:ep] B[:ep]`, or by its id alone (`juju remove-relation 4`)."""
    relations = model.state.relations
    if right is None:
        if left.isdigit() and left in relations:
            return relations[left]
        raise CharmsmithError(f'relation "{left}" not found (give its id, or A[:ep] B[:ep])')
    wanted = []
    for text in (left, right):
        app, _, endpoint = text.partition(":")
        model.app(app)
        wanted.append((app, endpoint or None))
    (a, ea), (b, eb) = wanted
    if a == b:
        raise CharmsmithError(f"{a}: peer relations cannot be removed (they live with the app)")
    found = []
    for rel in relations.values():
        ends = {ep.app: ep.endpoint for ep in rel.endpoints}
        if set(ends) == {a, b} and ea in (None, ends[a]) and eb in (None, ends[b]):
            found.append(rel)
    if not found:
        raise CharmsmithError(f"no relation between {left} and {right}")
    if len(found) > 1:
        names = ", ".join(
            " ".join(f"{ep.app}:{ep.endpoint}" for ep in rel.endpoints) for rel in found
        )
        raise CharmsmithError(f"ambiguous relation, specify endpoints: {names}")
    return found[0]


def remove_relation(model: ModelAPI, left: str, right: str | None) -> Relation:
    """Queue Juju's goodbye on both sides: per unit, -departed for each remote unit it saw,
    then -broken (Juju hook reference: "<endpoint>-relation-departed", "-relation-broken")."""
    rel = find_relation(model, left, right)
    if rel.dying:
        raise CharmsmithError(f"relation {rel.id} is already being removed")
    rel.dying = True
    rid = rel.id
    # arrivals not yet announced are never announced: Juju drops them for a dying relation,
    # and a unit not yet installed never runs its -created (the relation is no longer alive)
    events.keep(
        model.state,
        lambda e: (
            e.relation_id != rid
            or not e.hook.endswith(("-relation-joined", "-relation-changed", "-relation-created"))
            or (e.hook.endswith("-created") and scope.in_scope(model, rel, e.unit))
        ),
    )
    for app in sorted({ep.app for ep in rel.endpoints}):
        other = model.remote_app(rel, app)
        endpoint = model.endpoint_of(rel, app)
        for unit in model.charm_units(app):
            if not scope.in_scope(model, rel, unit):
                continue  # never entered (its install is not done): the relation ends unseen
            seen = sorted(rel.joined.get(unit, []), key=model.unit_sort_key)
            for remote in seen:
                model.enqueue(
                    unit,
                    f"{endpoint}-relation-departed",
                    relation_id=rid,
                    remote_unit=remote,
                    remote_app=other,
                )
            model.enqueue(unit, f"{endpoint}-relation-broken", relation_id=rid, remote_app=other)
    settle(model)
    return rel


def broken_for(rel: Relation, ctx: HookContext) -> bool:
    """Is `rel` broken as `ctx`'s unit sees it? (relation-ids then leaves it out, as in Juju:
    "Only relation ids for relations which are not broken are included.")"""
    if ctx.unit in rel.broken:
        return True
    return ctx.relation_id == rel.id and ctx.hook.endswith("-relation-broken")


def mark_broken(model: ModelAPI, unit: str, rid: int | None) -> None:
    """`unit` has run (or skipped) its -broken hook: it no longer takes part in the relation."""
    rel = model.state.relations.get(str(rid))
    dying = unit in model.state.units and model.unit(unit).dying
    if rel is None or not (rel.dying or dying):
        return  # a -broken run by hand (run-hook) breaks nothing
    if unit not in rel.broken:
        rel.broken.append(unit)
    if rel.dying:
        events.keep(model.state, lambda e: e.unit != unit or e.relation_id != rid)


def after_hook(model: ModelAPI, ctx: HookContext) -> None:
    """Called after each successful hook: record -broken, retire relations whose hooks ran."""
    if ctx.relation_id is not None and ctx.hook.endswith("-relation-broken"):
        mark_broken(model, ctx.unit, ctx.relation_id)
    settle(model)


def settle(model: ModelAPI) -> None:
    """Remove every dying relation none of whose hooks is still pending."""
    pending = {e.relation_id for e in events.queued(model.state)}
    for key, rel in list(model.state.relations.items()):
        if rel.broken:
            rel.broken = [u for u in rel.broken if u in model.state.units]
        if rel.dying and rel.id not in pending:
            _retire(model, key, rel)


def _retire(model: ModelAPI, key: str, rel: Relation) -> None:
    """The relation is gone: peers forget what it asked for, subordinates it created go."""
    for ep in rel.endpoints:
        app = ep.app
        if app not in model.state.applications or not model.is_peer(app):
            continue
        peer = model.peer(app)
        peer.forget(PeerView(model, rel, app, ep.endpoint))
        if model.peer_class(app).SUBORDINATE:
            other = model.remote_app(rel, app)
            remote = model.state.applications.get(other)
            principals = set(remote.units if remote is not None else [])
            for sub in list(model.app(app).units):
                if model.unit(sub).principal in principals:
                    model.drop_unit(sub)
    del model.state.relations[key]
    ends = " ".join(f"{ep.app}:{ep.endpoint}" for ep in rel.endpoints)
    model.store.log("model", "INFO", f"relation {rel.id} ({ends}) removed")
    model.echo(f"relation {rel.id} ({ends}) removed")


def resolved(model: ModelAPI, name: str, retry: bool = True) -> str:
    """`juju resolved`: retry the failed hook, or with --no-retry count it as done and move on."""
    unit = model.unit(name)
    if model.is_peer(unit.app):
        raise CharmsmithError(f"{name} is played by charmsmith and runs no hooks")
    if unit.agent != "error":
        raise CharmsmithError(f'unit "{name}" is not in an error state')
    head = events.first_of(model.state, name)
    unit.agent = "idle"
    unit.agent_message = None
    hook = head.hook if head else "(no pending hook)"
    if retry or head is None:
        return f"{name}: retrying {hook}"
    events.take_first(model.state, name)
    model.store.log(name, "INFO", f'hook "{hook}" resolved without a retry')
    if hook == "remove" and unit.dying:
        model.finish_removal(name)
    elif hook == "install":
        scope.install_done(model, name)  # Juju commits the skipped install: it is installed
    elif hook.endswith("-relation-broken"):
        mark_broken(model, name, head.relation_id)
    settle(model)
    return f"{name}: {hook} marked resolved, not run again"


def force_remove_unit(model: ModelAPI, name: str) -> None:
    """`juju remove-unit --force`: the unit goes now, whatever its hooks would say.

    Its own pending hooks (a failed install, stop, remove) are not run — the machine is gone,
    as with `--force --no-wait`; the remote units that saw it still get -departed.
    """
    unit = model.unit(name)
    app = unit.app
    if model.is_peer(app):
        raise CharmsmithError(f"{name} is played by charmsmith; remove-unit applies to charms")
    for rel in model.relations_of(app):
        for remote in model.remote_units(rel, name):
            scope.tell_departure(model, rel, remote, name)
    events.keep(model.state, lambda e: e.unit != name)
    if name in model.state.removing:
        model.state.removing.remove(name)
    unit.dying = True
    model.finish_removal(name)
    model.store.log(name, "INFO", "removed with --force (its pending hooks were not run)")
    settle(model)
