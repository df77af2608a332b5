"""A unit's later life: removal, a machine that fails and recovers, update-status.

Why apart: these change membership after deploy. A removed unit says goodbye in its
relations first (scope.py), then its data, network and processes go; a failed machine stops
its services and link; either way leadership moves and hacluster re-places its VIPs.
"""

from __future__ import annotations

import shutil

from charmsmith.errors import CharmsmithError
from charmsmith.model import events, procs, reboot, scope, shims
from charmsmith.model import units as unitfs
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.state import Unit


def remove_unit(model: ModelAPI, name: str) -> None:
    unit = model.unit(name)
    app = unit.app
    if model.is_peer(app):
        raise CharmsmithError(f"{name} is played by charmsmith; remove-unit applies to charms")
    if unit.dying:
        # a redo after a kill: Juju does nothing for a unit no longer alive
        # (juju/juju state/unit.go, DestroyUnitOperation: errAlreadyDying, no operations)
        return
    scope.queue_goodbyes(model, name)
    model.enqueue(name, "stop")
    model.enqueue(name, "remove")
    unit.dying = True
    model.state.removing.append(name)


def finish_removal(model: ModelAPI, name: str) -> None:
    """After the unit's last hook: drop it, its data, network, and elect a new leader."""
    unit = model.unit(name)
    app = unit.app
    for service in unit.services.values():
        shims.stop_listener(service)
    kill_unit_processes(model, unit)
    model.substrate.remove_unit_network(model.state, unit)
    unitfs.release_view(model.store.path, name)
    for rel in model.state.relations.values():
        if name in rel.unit_data:  # readable by relation-get until the relation goes
            rel.departed_data[name] = rel.unit_data.pop(name)
        rel.joined.pop(name, None)
        scope.RelationScope.of(rel).leave(name)
        for seen in rel.joined.values():
            if name in seen:
                seen.remove(name)
        for sub in [u for u, d in model.state.units.items() if d.principal == name]:
            model.drop_unit(sub)
    model.drop_unit(name)
    shutil.rmtree(unitfs.unit_dir(model.store.path, name), ignore_errors=True)
    a = model.app(app)
    if a.leader == name:
        live = [u for u in a.units if not model.unit(u).down]
        a.leader = live[0] if live else None
        if a.leader:
            model.enqueue(a.leader, "leader-elected")
    after_membership_change(model, app, gone=None)
    for rel in model.relations_of(app):
        other = model.remote_app(rel, app)
        if model.is_peer(other):
            model.peer_respond(rel, other)


def fail_unit(model: ModelAPI, name: str) -> None:
    """The unit's machine goes down: no hooks, no traffic; VIPs and leadership move."""
    unit = model.unit(name)
    if model.is_peer(unit.app):
        raise CharmsmithError(f"{name} is played by charmsmith; fail applies to charm units")
    unit.down = True
    unit.agent = "lost"
    for service in unit.services.values():
        shims.stop_listener(service)
        service["running"] = False
    kill_unit_processes(model, unit)
    model.substrate.set_link(model.state, unit, up=False)
    after_membership_change(model, unit.app, gone=name)


def recover_unit(model: ModelAPI, name: str) -> None:
    unit = model.unit(name)
    if not unit.down:
        raise CharmsmithError(f"{name} is not down")
    unit.down = None
    unit.agent = "idle"
    model.substrate.set_link(model.state, unit, up=True)
    reboot.boot_services(model, name)  # enabled services start, as at a machine's boot
    model.enqueue(name, "start")
    after_membership_change(model, unit.app, gone=None)


def after_membership_change(model: ModelAPI, app: str, gone: str | None) -> None:
    """Leadership moves off a gone/down unit; hacluster re-places VIPs."""
    a = model.app(app)
    if gone is not None and a.leader == gone:
        live = [u for u in a.units if u != gone and not model.unit(u).down]
        a.leader = live[0] if live else None
        if a.leader:
            model.enqueue(a.leader, "leader-elected")
    from charmsmith.model.peers.hacluster import place_vips

    for other in model.state.applications.values():
        if other.peer == "hacluster":
            place_vips(model, other.name)


def drop_unit(model: ModelAPI, name: str) -> None:
    unit = model.state.units.pop(name, None)
    if unit is not None:
        model.app(unit.app).units.remove(name)
    events.keep(model.state, lambda e: e.unit != name)


def kill_unit_processes(model: ModelAPI, unit: Unit) -> None:
    """Everything left in the unit's namespace, each process checked through a pidfd."""
    if unit.netns:
        procs.kill_netns(unit.netns)


def update_status(model: ModelAPI, unit: str | None) -> None:
    names = [unit] if unit else [u for a in model.state.applications for u in model.charm_units(a)]
    for name in names:
        if model.is_peer(model.unit(name).app):
            raise CharmsmithError(f"{name} is played by charmsmith and runs no hooks")
        if not model.unit(name).down:
            model.enqueue(name, "update-status")
