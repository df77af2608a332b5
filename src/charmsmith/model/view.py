"""Look-ups over the model state: applications, units, relations and Juju's derived views.

Why a class of its own: every hook tool, peer and operation reads the model through these few
questions (who leads, which endpoint, which config values, what status), and none of them
changes anything, so they sit apart from the queue and the operations that write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from charmsmith.errors import CharmsmithError
from charmsmith.model import scope
from charmsmith.model.peers import PEERS, PeerApp
from charmsmith.model.state import Application, ModelState, Relation, Unit
from charmsmith.model.store import ModelStore

STATUS_ORDER = ["error", "blocked", "maintenance", "waiting", "active", "unknown"]


class StateView:
    """Read access to the state a ModelStore holds (protocols.ModelView)."""

    def __init__(self, store: ModelStore, echo: Callable[[str], None] = print) -> None:
        self.store = store
        self.echo = echo

    @property
    def state(self) -> ModelState:
        return self.store.state

    def app(self, name: str) -> Application:
        try:
            return self.state.applications[name]
        except KeyError:
            raise CharmsmithError(f'application "{name}" not found in the model') from None

    def unit(self, name: str) -> Unit:
        try:
            return self.state.units[name]
        except KeyError:
            raise CharmsmithError(f'unit "{name}" not found in the model') from None

    def relation(self, rid: int) -> Relation:
        return self.state.relations[str(rid)]

    @staticmethod
    def unit_sort_key(name: str) -> tuple[str, int]:
        app, _, num = name.partition("/")
        return app, int(num) if num.isdigit() else 0

    def relations_of(self, app: str) -> list[Relation]:
        rels = [r for r in self.state.relations.values() if app in (ep.app for ep in r.endpoints)]
        return sorted(rels, key=lambda r: r.id)

    def endpoint_of(self, rel: Relation, app: str) -> str:
        return next(ep.endpoint for ep in rel.endpoints if ep.app == app)

    def remote_app(self, rel: Relation, app: str) -> str:
        others = [ep.app for ep in rel.endpoints if ep.app != app]
        return others[0] if others else app  # peer relation: the app itself

    def relation_key(self, rel: Relation, app: str) -> str:
        return f"{self.endpoint_of(rel, app)}:{rel.id}"

    def endpoints(self, app: str) -> dict[str, dict[str, Any]]:
        meta = self.app(app).metadata
        out: dict[str, dict[str, Any]] = {}
        for role in ("provides", "requires", "peers"):
            for name, spec in (meta.get(role) or {}).items():
                spec = spec if isinstance(spec, dict) else {"interface": spec}
                out[name] = {**spec, "role": role}
        return out

    def bindings(self, app: str) -> set[str]:
        meta = self.app(app).metadata
        return set(self.endpoints(app)) | set(meta.get("extra-bindings") or {})

    def config_values(self, app: str) -> dict[str, Any]:
        a = self.app(app)
        values = {k: o["default"] for k, o in a.options.items() if o.get("default") is not None}
        values.update(a.config)
        return values

    def is_leader(self, unit: str) -> bool:
        return self.app(self.unit(unit).app).leader == unit

    def is_peer(self, app: str) -> bool:
        return self.app(app).kind == "peer"

    def charm_units(self, app: str) -> list[str]:
        return [] if self.is_peer(app) else list(self.app(app).units)

    def peer(self, app: str) -> PeerApp:
        a = self.app(app)
        return PEERS[self.peer_name(a)](a)

    def peer_class(self, app: str) -> type[PeerApp]:
        return PEERS[self.peer_name(self.app(app))]

    @staticmethod
    def peer_name(app: Application) -> str:
        if app.peer is None:
            raise CharmsmithError(f'application "{app.name}" is not played by charmsmith')
        return app.peer

    def app_status(self, app: str) -> dict[str, Any]:
        """Juju's derived application status: the most severe unit status."""
        a = self.app(app)
        if a.status:
            return a.status
        for unit_name in a.units:
            if self.unit(unit_name).agent == "error":
                return {"status": "error", "message": self.unit(unit_name).agent_message or ""}
        statuses = [self.unit(u).workload for u in a.units]
        if not statuses:
            return {"status": "unknown", "message": ""}
        return min(statuses, key=_severity)

    def remote_units(self, rel: Relation, unit: str) -> list[str]:
        """Units on the other side of `rel`, in its scope, that `unit` can see (scope.py)."""
        return scope.remote_units(self, rel, unit)


def _severity(status: dict[str, Any]) -> int:
    name = status.get("status")
    return STATUS_ORDER.index(name) if name in STATUS_ORDER else len(STATUS_ORDER)
