"""Relation scope: a unit takes part in its relations only once its install hook is done.

Why: in Juju the other side learns of a unit only when it enters the relation's scope, which
its agent does only after its install is committed (juju/juju worker/uniter/relation/
resolver.go, statetracker.go `joinRelation` -> RelationUnit.EnterScope). A unit stuck in a
failed install is therefore invisible to its relations. Units of applications played by
charmsmith have no install hook and are always in scope.

Details: docs/model.md, 'Hooks and their order' (relation scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from charmsmith.model import events

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI, ModelView
    from charmsmith.model.state import QueuedEvent, Relation

SCOPE_KEY = "in_scope"  # Relation.in_scope's key in state.json (migrations.py writes it)
ARRIVALS = ("-relation-joined", "-relation-changed")


@dataclass
class RelationScope:
    """The charm units that entered one relation's scope (a view of the persisted list)."""

    members: list[str]

    @classmethod
    def of(cls, rel: Relation) -> RelationScope:
        return cls(rel.in_scope)

    def __contains__(self, unit: str) -> bool:
        return unit in self.members

    def enter(self, unit: str) -> bool:
        """Record `unit` in scope; False if it already was."""
        if unit in self.members:
            return False
        self.members.append(unit)
        return True

    def leave(self, unit: str) -> None:
        if unit in self.members:
            self.members.remove(unit)


def is_installed(model: ModelView, unit: str) -> bool:
    record = model.unit(unit)
    return model.is_peer(record.app) or bool(record.installed)


def in_scope(model: ModelView, rel: Relation, unit: str) -> bool:
    return model.is_peer(model.unit(unit).app) or unit in RelationScope.of(rel)


def remote_units(model: ModelView, rel: Relation, unit: str) -> list[str]:
    """Units on the other side of `rel` in its scope that `unit` can see (container scope:
    only its principal or its own subordinates)."""
    other = model.remote_app(rel, model.unit(unit).app)
    candidates = [u for u in model.app(other).units if u != unit and in_scope(model, rel, u)]
    if rel.scope == "container":
        principal = model.unit(unit).principal
        candidates = [u for u in candidates if u == principal or model.unit(u).principal == unit]
    return sorted(candidates, key=model.unit_sort_key)


def install_done(model: ModelAPI, unit: str) -> None:
    """The unit's install hook succeeded or was resolved without a retry: it enters the
    scope of each live relation of its application (a dying unit enters none)."""
    record = model.unit(unit)
    if record.installed:
        return
    record.installed = True
    if record.dying:
        return
    for rel in model.relations_of(record.app):
        enter(model, rel, unit)


def enter_installed(model: ModelAPI, rel: Relation, side: str) -> None:
    """A new relation: every installed unit enters its scope. The other side's units are
    recorded first, then `side`'s enter one by one, so each pair gets its hooks once."""
    other = model.remote_app(rel, side)
    scope = RelationScope.of(rel)
    for unit in model.charm_units(other):
        if is_installed(model, unit) and not model.unit(unit).dying:
            scope.enter(unit)
            model.set_juju_keys(rel, unit)
    for unit in list(model.app(side).units):
        if is_installed(model, unit):
            enter(model, rel, unit)


def enter(model: ModelAPI, rel: Relation, unit: str) -> None:
    """`unit` enters `rel`'s scope: its settings get its addresses, a subordinate played by
    charmsmith gets its unit (Juju creates subordinates on the principal's EnterScope), then
    -joined/-changed is queued on both sides for each pair of units that now see each other."""
    record = model.unit(unit)
    if rel.dying or record.dying:
        return
    app = record.app
    if not model.is_peer(app) and not RelationScope.of(rel).enter(unit):
        return
    model.set_juju_keys(rel, unit)  # EnterScope writes the unit's address settings
    other = model.remote_app(rel, app)
    if model.is_peer(other) and model.peer_class(other).SUBORDINATE:
        if not any(model.unit(u).principal == unit for u in model.app(other).units):
            model.new_unit(other, principal=unit)
    for remote in remote_units(model, rel, unit):
        if remote not in rel.unit_data:  # a unit in scope keeps the settings it has
            model.set_juju_keys(rel, remote)
        if not model.is_peer(app):
            _queue_arrival(model, rel, unit, remote)
        if not model.is_peer(other):
            _queue_arrival(model, rel, remote, unit)
    if model.is_peer(other):
        for remote in remote_units(model, rel, unit):
            seen = rel.joined.setdefault(remote, [])
            if unit not in seen:
                seen.append(unit)
        model.peer_respond(rel, other)


def _queue_arrival(model: ModelAPI, rel: Relation, unit: str, remote: str) -> None:
    """-joined then -changed on `unit` for `remote`, as the uniter's relation resolver fires."""
    for suffix in ARRIVALS:
        _queue_about(model, rel, unit, remote, suffix)


def _queue_about(
    model: ModelAPI, rel: Relation, unit: str, remote: str, suffix: str, departing: str = ""
) -> None:
    """Queue `unit`'s `<endpoint><suffix>` hook about the unit `remote`."""
    model.enqueue(
        unit,
        f"{model.endpoint_of(rel, model.unit(unit).app)}{suffix}",
        relation_id=rel.id,
        remote_unit=remote,
        remote_app=model.unit(remote).app,
        departing_unit=departing or None,
    )


def tell_departure(model: ModelAPI, rel: Relation, remote: str, name: str) -> None:
    """`name` leaves: `remote` gets -departed if it ran -joined for it; if its -joined is still
    pending, that arrival is dropped instead (Juju never joins a unit gone from scope)."""
    if model.is_peer(model.unit(remote).app):
        return
    if name not in rel.joined.get(remote, []):
        events.keep(
            model.state,
            lambda e: (
                not (
                    e.unit == remote
                    and e.relation_id == rel.id
                    and e.remote_unit == name
                    and e.hook.endswith(ARRIVALS)
                )
            ),
        )
        return
    _queue_about(model, rel, remote, name, "-relation-departed", departing=name)


def queue_goodbyes(model: ModelAPI, name: str) -> None:
    """remove-unit: in each relation `name` entered, -departed on both sides for every pair
    that met, then its -broken; arrivals still pending on it are dropped. Relations it never
    entered get no hook at all (the uniter's resolver knows only relations it joined)."""
    app = model.unit(name).app
    for rel in model.relations_of(app):
        rid = rel.id
        entered = in_scope(model, rel, name)  # if not, e.g. -created behind a failed install

        def stays(event: QueuedEvent, rid: int = rid, entered: bool = entered) -> bool:
            mine = event.unit == name and event.relation_id == rid
            return not mine or (entered and not event.hook.endswith(ARRIVALS))

        events.keep(model.state, stays)
        if not entered:
            continue
        endpoint, other = model.endpoint_of(rel, app), model.remote_app(rel, app)
        for remote in remote_units(model, rel, name):
            tell_departure(model, rel, remote, name)
            if remote in rel.joined.get(name, []):
                _queue_about(model, rel, name, remote, "-relation-departed", departing=name)
        model.enqueue(name, f"{endpoint}-relation-broken", relation_id=rid, remote_app=other)
