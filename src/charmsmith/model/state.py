"""The model state as types: model, application, unit, relation, queued event (schema 3).

Why: the state is one JSON document (store.py); these dataclasses name its fields and
their types, and convert both ways without loss (keys they do not name stay in `extra`),
so a reader sees the shape here (migrations.py brings an older document to it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

SCHEMA = 3  # 2: relation scopes and installed units (scope.py); 3: the typed form below

R = TypeVar("R", bound="Record")
OPTIONAL = {"optional": True}  # a key the document holds only when it has a value
OMIT_EMPTY = {"omit_empty": True}  # a list or dict the document holds only when not empty


def optional(default: Any = None) -> Any:
    return dataclasses.field(default=default, metadata=OPTIONAL)


def container(factory: Callable[[], Any]) -> Any:
    """A list or dict field that is always there to fill, and absent from the document empty."""
    return dataclasses.field(default_factory=factory, metadata=OMIT_EMPTY)


@dataclasses.dataclass
class Record:
    """A JSON object with named fields; `extra` keeps every key the class does not name."""

    NESTED: ClassVar[dict[str, Any]] = {}  # field -> (container, record class)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict, kw_only=True)

    @classmethod
    def from_json(cls: type[R], doc: dict[str, Any]) -> R:
        names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        values = {key: _load(cls.NESTED.get(key), doc[key]) for key in names if key in doc}
        extra = {key: value for key, value in doc.items() if key not in names}
        return cls(**values, extra=extra)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "extra" or (f.metadata.get("optional") and value is None):
                continue
            if f.metadata.get("omit_empty") and not value:
                continue
            out[f.name] = _dump(value)
        out.update(self.extra)
        return out


def _load(nested: Any, value: Any) -> Any:
    if nested is None:
        return value
    container, cls = nested
    if container is list:
        return [cls.from_json(item) for item in value]
    return {key: cls.from_json(item) for key, item in value.items()}


def _dump(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_json()
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {key: _dump(item) for key, item in value.items()}
    return value


@dataclasses.dataclass
class QueuedEvent(Record):
    """A hook waiting in the queue, with what its hook context will say about the relation."""

    unit: str
    hook: str
    relation_id: int | None = optional()
    remote_unit: str | None = optional()
    remote_app: str | None = optional()
    departing_unit: str | None = optional()


@dataclasses.dataclass
class Unit(Record):
    """A unit: its address and machine, agent and workload status, opened ports."""

    name: str
    app: str
    number: int
    index: int
    address: str
    agent: str
    workload: dict[str, Any]
    ports: list[Any]
    machine: str
    principal: str | None = optional()  # a subordinate's principal unit
    netns: str | None = optional()  # its network namespace ("" on a fake substrate)
    revision: int | None = optional()
    # where it is in its life: install done (scope.py), being removed, machine down
    installed: bool | None = optional()
    dying: bool | None = optional()
    down: bool | None = optional()
    agent_message: str | None = optional()  # why the agent is in error (a failed hook)
    series_upgrade: str | None = optional()  # "prepared" between prepare and complete
    services: dict[str, Any] = container(dict)  # name -> its listener (services.py)
    service_log: list[list[str]] = container(list)  # [verb, service] as the shim ran them
    # the emulated archive (shims.py): installed packages (name -> version), apt-get and
    # add-apt-repository calls, and the stand-in package commands run
    packages: dict[str, str] = container(dict)
    apt_log: list[list[str]] = container(list)
    commands: list[list[str]] = container(list)
    recorded: list[list[str]] = container(list)  # juju-reboot, add-metric calls (action_tools)


@dataclasses.dataclass
class Application(Record):
    """An application: its charm's metadata and options, the operator's config, its units."""

    name: str
    kind: str  # "charm" or "peer" (played by charmsmith, peers/)
    charm: str
    metadata: dict[str, Any]
    options: dict[str, Any]
    config: dict[str, Any]
    units: list[str]
    leader: str | None
    version: str
    next_unit: int | None = optional()
    leader_settings: dict[str, str] | None = optional()
    # a charm application: its built charm, revision and mode (emulated or real)
    charm_dir: str | None = optional()
    revision: int | None = optional()
    mode: str | None = optional()
    # a peer application (peers/): which peer, its backend, and the backend's own state
    peer: str | None = optional()
    backend: str | None = optional()
    subordinate: bool | None = optional()
    peer_state: dict[str, Any] = container(dict)
    status: dict[str, Any] | None = optional()  # set by the leader's status-set --application
    resources: dict[str, Any] | None = optional()  # attached resources (day2.py)


@dataclasses.dataclass
class Endpoint(Record):
    """One side of a relation: an application and its endpoint name."""

    app: str
    endpoint: str


@dataclasses.dataclass
class Relation(Record):
    """A relation: both endpoints, the databags, and which units joined and are in scope."""

    NESTED: ClassVar[dict[str, Any]] = {"endpoints": (list, Endpoint)}

    id: int
    interface: str
    scope: str  # "global" or "container"
    endpoints: list[Endpoint]
    unit_data: dict[str, dict[str, str]]
    app_data: dict[str, dict[str, str]]
    joined: dict[str, list[str]]
    since: float
    in_scope: list[str] = container(list)
    broken: list[str] = container(list)  # units whose -broken hook has run
    departed_data: dict[str, dict[str, str]] = container(dict)  # removed units' last bags
    dying: bool | None = optional()  # remove-relation ran; retired once its hooks ran


@dataclasses.dataclass
class ModelState(Record):
    """The whole document: host objects' names, counters, records and the hook queue."""

    NESTED: ClassVar[dict[str, Any]] = {
        "applications": (dict, Application),
        "units": (dict, Unit),
        "relations": (dict, Relation),
        "queue": (list, QueuedEvent),
    }

    schema: int
    name: str
    uuid: str
    id: str
    subnet: str
    bridge: str
    next_host: int
    mode: str
    next_relation_id: int
    next_context: int
    next_unit_index: int
    applications: dict[str, Application]
    units: dict[str, Unit]
    relations: dict[str, Relation]  # keyed by the relation id as text (JSON keys)
    queue: list[QueuedEvent]
    leader_settings: dict[str, Any]
    removing: list[str] = container(list)  # units being removed, their hooks still queued
    archive: dict[str, str] = container(dict)  # the package archive's pockets (archive.py)

    @classmethod
    def empty(cls) -> ModelState:
        """A placeholder until a store is loaded (ModelStore.locked)."""
        return cls(SCHEMA, "", "", "", "", "", 0, "", 0, 0, 0, {}, {}, {}, [], {})
