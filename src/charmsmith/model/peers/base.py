"""What a peer application is: endpoints with interfaces, and a reaction to relation data.

Why two layers (peer + backend): the peer speaks the interface's wire protocol (keys, values, when
to answer); the backend does the service-side work (create a user, a database, a catalog
entry). `emulated` backends keep that in model state; `real` backends (Keystone, MariaDB,
RabbitMQ from Debian packages) plug in behind the same interface — see docs/model.md.

Why the real backends are named, not imported: peers/real/backends.py subclasses the peers'
backends, so importing it from the peer modules would be a cycle; a peer names its real backend
(`REAL_BACKEND = "module:Class"`) and `backend_class("real")` imports it on first use.
"""

from __future__ import annotations

import importlib
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from charmsmith.errors import CharmsmithError
from charmsmith.model.scope import in_scope

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI
    from charmsmith.model.state import Application, Relation


@dataclass
class PeerView:
    """One relation as a peer sees it: remote (charm) databags in, its own databags out."""

    model: ModelAPI
    relation: Relation
    app: str  # the peer application's name
    endpoint: str

    @property
    def remote_app(self) -> str:
        return self.model.remote_app(self.relation, self.app)

    def remote_units(self) -> list[str]:
        """The remote charm units in the relation's scope (model/scope.py): a unit whose
        install is not done is not listed, as relation-list in the real charm's hook."""
        units = [
            u
            for u in self.model.app(self.remote_app).units
            if in_scope(self.model, self.relation, u)
        ]
        return sorted(units, key=self.model.unit_sort_key)

    def remote_data(self, unit: str) -> dict[str, str]:
        return dict(self.relation.unit_data.get(unit, {}))

    def remote_app_data(self) -> dict[str, str]:
        return dict(self.relation.app_data.get(self.remote_app, {}))

    def my_units(self) -> list[str]:
        return list(self.model.app(self.app).units)

    def address(self, unit: str) -> str:
        return self.model.unit(unit).address

    def publish(self, unit: str, settings: dict[str, str]) -> None:
        """Merge settings into a peer unit's databag; the model queues -changed if it differs."""
        self.model.peer_publish(self.relation, unit, settings)

    def publish_app(self, settings: dict[str, str]) -> None:
        self.model.peer_publish(self.relation, None, settings, app=self.app)


@dataclass
class ActionResult:
    """What `juju run` shows: results (action-set), and a failure message (action-fail)."""

    results: dict[str, str]
    failed: str = ""


class Backend:  # noqa: B024 - a base with shared helpers; subclasses add the operations
    """Service-side operations of a peer; `emulated` keeps results in the peer's state."""

    name: ClassVar[str] = "emulated"
    # Backends that run daemons (the real ones) need a state directory and an address before
    # they can be built, and must be started at deploy and stopped at destroy.
    DAEMONS: ClassVar[bool] = False
    # System users those daemons run as: each must be able to reach the state directory.
    USERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, peer_state: dict[str, Any]) -> None:
        self.state = peer_state

    @staticmethod
    def configure(peer_state: dict[str, Any], state_dir: str | Path, address: str) -> None:
        """Record where the backend keeps its files and listens (nothing to record here)."""

    def start(self) -> float:
        """Start the service side; seconds taken (emulated: nothing to start)."""
        return 0.0

    def stop(self) -> bool:
        """Stop the service side; True if something was running (emulated: never)."""
        return False

    def running(self) -> bool:
        return True

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
    # "module:Class" of this peer's real backend, imported by backend_class("real") on first use.
    REAL_BACKEND: ClassVar[str] = ""
    # The real charm's options this peer honours, in config.yaml form (type, default).
    OPTIONS: ClassVar[dict[str, dict[str, Any]]] = {}
    # The real charm's actions this peer plays (name -> description, as its actions.yaml).
    ACTIONS: ClassVar[dict[str, str]] = {}

    def __init__(self, application: Application) -> None:
        self.application = application
        backend = "emulated" if application.backend is None else application.backend
        self.backend = self.backend_class(backend)(application.peer_state)

    @classmethod
    def backend_class(cls, name: str) -> type[Backend]:
        """The backend called `name`, registering the real one lazily; one-line error if none."""
        if name == "real" and "real" not in cls.BACKENDS and cls.REAL_BACKEND:
            module, _, attr = cls.REAL_BACKEND.partition(":")
            cls.BACKENDS["real"] = getattr(importlib.import_module(module), attr)
        if name not in cls.BACKENDS:
            raise CharmsmithError(
                f"{cls.kind}: backend {name!r} is not available here "
                f"(have: {', '.join(sorted(cls.BACKENDS))}); see docs/model.md"
            )
        return cls.BACKENDS[name]

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

    def forget(self, view: PeerView) -> None:  # noqa: B027 - optional: most keep nothing
        """The relation is being removed: drop what its remote units asked for (nothing here).

        Juju hook reference, "<endpoint>-relation-broken": the side that served a relation
        cleans up what it set up for it; a new relation asks again from scratch.
        """

    def status(self) -> tuple[str, str]:
        return "active", "Unit is ready"

    def step(self, model: ModelAPI) -> None:  # noqa: B027 - optional: most peers act at once
        """Time passes (the model's hooks have all run): what the real charm does later."""

    def run_action(
        self, model: ModelAPI, unit: str, name: str, params: dict[str, str]
    ) -> ActionResult:
        """Run one of ACTIONS on `unit` by its method `action_<name>` (dashes as underscores);
        Juju refuses an action the charm does not define."""
        method = getattr(self, "action_" + name.replace("-", "_"), None)
        if name not in self.ACTIONS or method is None:
            raise CharmsmithError(f'action "{name}" not defined on unit "{unit}"')
        result: ActionResult = method(model, unit, params)
        return result

    def config(self) -> dict[str, Any]:
        """The application's option values: the operator's, else OPTIONS' defaults."""
        values = {k: o.get("default") for k, o in self.OPTIONS.items()}
        values.update(self.application.config)
        return values

    @classmethod  # noqa: B027
    def check_config(cls, values: dict[str, Any], backend: str) -> None:
        """Refuse values the real charm (or this backend) cannot serve: one line, option named.

        Optional: a peer without rules accepts every value of the right type.
        """


def fail_hook(view: PeerView, unit: str, hook: str, reason: str) -> None:
    """The real charm's `hook` fails on `unit`: Juju shows the error, keeps nothing it set.

    Reported once to the command that caused it (exit 1, like a charm's failed hook), then
    only logged. Juju worker/uniter: a failed hook's relation settings are not committed.
    """
    record = view.model.unit(unit)
    message = f'hook failed: "{hook}"'
    if record.agent_message != message:
        record.agent, record.agent_message = "error", message
        view.model.echo(f"{unit}: {hook} FAILED")
        view.model.failures.append(f"{message} on {unit}: {reason}")
    view.model.store.log(view.app, "ERROR", f"{unit} {message}: {reason}")


def clear_hook_failure(view: PeerView, unit: str, hook: str) -> None:
    """The cause went away: the hook would now succeed (a real charm needs `juju resolved`)."""
    record = view.model.unit(unit)
    if record.agent_message == f'hook failed: "{hook}"':
        record.agent, record.agent_message = "idle", ""
