"""What a peer application is: endpoints with interfaces, and a reaction to relation data.

Why two layers (peer + backend): the peer speaks the wire protocol of DESIGN.md §4 (keys, values,
when to answer); the backend does the service-side work (create a user, a database, a catalog
entry). `emulated` backends keep that in model state; `real` backends (Keystone, MariaDB,
RabbitMQ from Debian packages) plug in behind the same interface — see docs/model.md.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from charmsmith.errors import CharmsmithError

if TYPE_CHECKING:
    from charmsmith.model.sequencer import Model


@dataclass
class PeerView:
    """One relation as a peer sees it: remote (charm) databags in, its own databags out."""

    model: Model
    relation: dict[str, Any]
    app: str  # the peer application's name
    endpoint: str

    @property
    def remote_app(self) -> str:
        return self.model.remote_app(self.relation, self.app)

    def remote_units(self) -> list[str]:
        units = self.model.app(self.remote_app)["units"]
        return sorted(units, key=self.model.unit_sort_key)

    def remote_data(self, unit: str) -> dict[str, str]:
        return dict(self.relation["unit_data"].get(unit, {}))

    def remote_app_data(self) -> dict[str, str]:
        return dict(self.relation["app_data"].get(self.remote_app, {}))

    def my_units(self) -> list[str]:
        return list(self.model.app(self.app)["units"])

    def address(self, unit: str) -> str:
        return self.model.unit(unit)["address"]

    def publish(self, unit: str, settings: dict[str, str]) -> None:
        """Merge settings into a peer unit's databag; the model queues -changed if it differs."""
        self.model.peer_publish(self.relation, unit, settings)

    def publish_app(self, settings: dict[str, str]) -> None:
        self.model.peer_publish(self.relation, None, settings, app=self.app)


class Backend:  # noqa: B024 - a base with shared helpers; subclasses add the operations
    """Service-side operations of a peer; `emulated` keeps results in the peer's state."""

    name: ClassVar[str] = "emulated"

    def __init__(self, peer_state: dict[str, Any]) -> None:
        self.state = peer_state

    def secret(self, key: str) -> str:
        """A generated password, stable per key, kept only in the 0600 model state."""
        store = self.state.setdefault("secrets", {})
        if key not in store:
            store[key] = secrets.token_urlsafe(18)
        return store[key]


class PeerApp(ABC):
    """A peer application. Subclasses declare ENDPOINTS and answer in `respond`."""

    kind: ClassVar[str]
    # endpoint -> (role, interface)
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]]
    SUBORDINATE: ClassVar[bool] = False
    BACKENDS: ClassVar[dict[str, type[Backend]]]

    def __init__(self, app_state: dict[str, Any]) -> None:
        self.app_state = app_state
        peer_state = app_state.setdefault("peer_state", {})
        backend = app_state.get("backend", "emulated")
        if backend not in self.BACKENDS:
            raise CharmsmithError(
                f"{self.kind}: backend {backend!r} is not available here "
                f"(have: {', '.join(sorted(self.BACKENDS))}); see docs/model.md"
            )
        self.backend = self.BACKENDS[backend](peer_state)

    @classmethod
    def metadata(cls) -> dict[str, Any]:
        meta: dict[str, Any] = {"provides": {}, "requires": {}, "peers": {}}
        for name, (role, interface) in cls.ENDPOINTS.items():
            entry: dict[str, Any] = {"interface": interface}
            if cls.SUBORDINATE:
                entry["scope"] = "container"
            meta[role][name] = entry
        meta["subordinate"] = cls.SUBORDINATE
        return meta

    @abstractmethod
    def respond(self, view: PeerView) -> None:
        """React to the current remote data of one relation (called after every change)."""

    def status(self) -> tuple[str, str]:
        return "active", "Unit is ready"
