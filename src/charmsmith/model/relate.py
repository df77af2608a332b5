"""Relations: creating them with `juju integrate`'s endpoint matching, and peer relations.

Why apart: endpoint resolution (interface and opposite roles, explicit endpoints, ambiguity)
is its own set of rules; a new relation then queues relation-created on both sides and enters
the installed units into its scope (scope.py), which queues -joined and -changed.
"""

from __future__ import annotations

import time

from charmsmith.errors import CharmsmithError
from charmsmith.model import scope
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.state import Endpoint, Relation


def set_juju_keys(model: ModelAPI, rel: Relation, unit: str) -> None:
    addr = model.unit(unit).address
    bag = rel.unit_data.setdefault(unit, {})
    bag.update({"private-address": addr, "ingress-address": addr, "egress-subnets": f"{addr}/32"})


def new_relation(
    model: ModelAPI,
    apps: tuple[str, str],
    endpoints: tuple[str, str],
    interface: str,
    scope: str = "global",
) -> Relation:
    rid = model.state.next_relation_id
    model.state.next_relation_id = rid + 1
    sides = [Endpoint(app, name) for app, name in zip(apps, endpoints, strict=True)]
    rel = Relation(
        id=rid,
        interface=interface,
        scope=scope,
        endpoints=sides[:1] if apps[0] == apps[1] else sides,
        unit_data={},
        app_data={},
        joined={},
        since=time.time(),  # goal-state's relation `since`
    )
    model.state.relations[str(rid)] = rel
    return rel


def ensure_peer_relations(model: ModelAPI, app: str) -> None:
    """Peer relations (metadata `peers:`) exist from deploy on, as in Juju."""
    for name, spec in (model.app(app).metadata.get("peers") or {}).items():
        if not any(
            model.endpoint_of(r, app) == name and model.remote_app(r, app) == app
            for r in model.relations_of(app)
        ):
            interface = spec["interface"] if isinstance(spec, dict) else spec
            new_relation(model, (app, app), (name, name), interface)


def relate(model: ModelAPI, left: str, right: str) -> Relation:
    (a, ea), (b, eb) = resolve_endpoints(model, left, right)
    for rel in model.state.relations.values():
        pairs = {(ep.app, ep.endpoint) for ep in rel.endpoints}
        if pairs == {(a, ea), (b, eb)}:
            raise CharmsmithError(f"relation {a}:{ea} {b}:{eb} already exists")
    spec_a, spec_b = model.endpoints(a)[ea], model.endpoints(b)[eb]
    container = "container" in (spec_a.get("scope"), spec_b.get("scope"))
    rel = new_relation(
        model, (a, b), (ea, eb), spec_a["interface"], "container" if container else "global"
    )
    for app, other in ((a, b), (b, a)):
        for unit in model.charm_units(app):
            model.enqueue(
                unit,
                f"{model.endpoint_of(rel, app)}-relation-created",
                relation_id=rel.id,
                remote_app=other,
            )
    for app in (a, b):
        for unit in model.app(app).units if model.is_peer(app) else []:
            model.set_juju_keys(rel, unit)  # charm units' come with their scope entry
    scope.enter_installed(model, rel, a if not model.is_peer(a) else b)
    return rel


def resolve_endpoints(
    model: ModelAPI, left: str, right: str
) -> tuple[tuple[str, str], tuple[str, str]]:
    """Match `A[:ep] B[:ep]` by interface and opposite roles, like `juju integrate`."""

    def split(text: str) -> tuple[str, str | None]:
        app, _, ep = text.partition(":")
        model.app(app)
        if ep and ep not in model.endpoints(app):
            raise CharmsmithError(f'application "{app}" has no endpoint "{ep}"')
        return app, ep or None

    (a, ea), (b, eb) = split(left), split(right)
    if a == b:
        raise CharmsmithError("cannot relate an application to itself (peers are automatic)")
    candidates = []
    for name_a, spec_a in model.endpoints(a).items():
        for name_b, spec_b in model.endpoints(b).items():
            if ea and name_a != ea or eb and name_b != eb:
                continue
            roles = {spec_a["role"], spec_b["role"]}
            if spec_a["interface"] == spec_b["interface"] and roles == {"provides", "requires"}:
                candidates.append(((a, name_a), (b, name_b)))
    if not candidates:
        want_a = f"{a}:{ea}" if ea else a
        want_b = f"{b}:{eb}" if eb else b
        if ea and eb:
            ia, ib = model.endpoints(a)[ea], model.endpoints(b)[eb]
            raise CharmsmithError(
                f"incompatible endpoints {want_a} ({ia['role']} {ia['interface']}) and "
                f"{want_b} ({ib['role']} {ib['interface']})"
            )
        raise CharmsmithError(f"no compatible endpoints between {want_a} and {want_b}")
    if len(candidates) > 1:
        names = ", ".join(f"{x[0]}:{x[1]} {y[0]}:{y[1]}" for x, y in candidates)
        raise CharmsmithError(f"ambiguous relation, specify endpoints: {names}")
    return candidates[0]
