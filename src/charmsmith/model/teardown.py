"""Taking host objects down: `destroy`, and undoing an operation that failed half way.

Why best effort, step by step: destroy is the user's way out of any state, including one a
killed command or an older charmsmith left inconsistent (a unit record without an index, an
unreadable state file). Each step is tried on its own; what fails is reported, never allowed
to stop the rest, and the model's host objects are also found by the model id in their names,
so one missing from the state is still removed.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import fcntl
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from charmsmith.errors import CharmsmithError
from charmsmith.model import network, procs, shims
from charmsmith.model import units as unitfs
from charmsmith.model.state import ModelState, Unit
from charmsmith.model.store import (
    DEBUG_LOG,
    HISTORY_FILE,
    LOCK_FILE,
    PEER_MARKER,
    STATE_FILE,
    ModelStore,
)

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView


class Problems(list[str]):
    """What could not be done, one line each; `attempt` runs a step and records its failure."""

    def attempt(self, what: str, step: Callable[..., Any], *args: Any) -> None:
        try:
            step(*args)
        except Exception as exc:  # noqa: BLE001 - any failure of one step is reported, not fatal
            self.append(f"{what}: {exc or type(exc).__name__}")


def stop_peer_backends(model_dir: Path, echo: Callable[[str], None], problems: Problems) -> None:
    """Stop every daemon backend found by its marker file (the state may not list it)."""
    from charmsmith.model.peers import PEERS  # the peers' modules load only when needed

    def stop(marker: Path) -> None:
        record = json.loads(marker.read_text())
        backend_cls = PEERS[record["peer"]].backend_class(record["backend"])
        if backend_cls(record["peer_state"]).stop():
            echo(f"{marker.parent.name}: stopped the {record['backend']} backend")

    for marker in sorted((model_dir / "peers").glob(f"*/{PEER_MARKER}")):
        problems.attempt(f"peer backend {marker.parent.name}", stop, marker)


@dataclasses.dataclass(frozen=True)
class UnitHostObjects:
    """What of a unit lives outside the model directory: listeners, namespace, pinned view."""

    name: str
    index: int | None  # names its namespace and veth, with the model id
    netns: str  # "" when it has none (a subordinate, a peer, a fake substrate)
    services: dict[str, Any]

    @classmethod
    def of(cls, unit: Unit) -> UnitHostObjects:
        return cls(unit.name, unit.index, unit.netns or "", unit.services)

    @classmethod
    def from_document(cls, key: str, doc: dict[str, Any]) -> UnitHostObjects:
        """Whatever a unit's JSON object holds, even one the records cannot load."""
        index, netns, services = doc.get("index"), doc.get("netns"), doc.get("services")
        return cls(
            str(doc.get("name") or key),
            index if isinstance(index, int) else None,
            netns if isinstance(netns, str) else "",
            services if isinstance(services, dict) else {},
        )


def teardown_unit(model_dir: Path, model_id: str | None, unit: UnitHostObjects) -> None:
    """Stop a unit's listeners and processes, remove its namespace/veth, unpin its view."""
    for service in unit.services.values():
        shims.stop_listener(service)
    if unit.netns:
        procs.kill_netns(unit.netns)  # each pid checked against the namespace via a pidfd
        if model_id is None or unit.index is None:
            raise CharmsmithError("no model id or unit index: its namespace is left to the sweep")
        network.remove_unit_network(model_id, unit.index)
    unitfs.release_view(model_dir, unit.name)


def sweep_host_objects(model_id: str) -> None:
    """Namespaces and links named after the model id that no unit record accounts for."""
    if not re.fullmatch(r"[0-9a-f]+", model_id):
        raise CharmsmithError(f"model id {model_id!r} is not a model id")
    for ns in sorted(network.NETNS_DIR.glob(f"cs{model_id}-*")):
        procs.kill_netns(str(ns))
        subprocess.run(["ip", "netns", "del", ns.name], capture_output=True, check=False)
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    for line in links.splitlines():
        parts = line.split(":")
        name = parts[1].strip().split("@")[0] if len(parts) > 1 else ""
        if name.startswith((f"csv{model_id}", f"csbr{model_id}")):
            subprocess.run(["ip", "link", "del", name], capture_output=True, check=False)


def destroy_host_objects(
    model_dir: Path, state: dict[str, Any], echo: Callable[[str], None]
) -> Problems:
    """Everything of the model outside its directory: daemons, processes, namespaces, bridge.

    `state` is the JSON document, not the typed records: destroy must also take down a model
    whose document the records cannot load (cut short, hand-edited, or from an older release).
    """
    problems = Problems()
    stop_peer_backends(model_dir, echo, problems)
    units = state.get("units")
    model_id = state.get("id")
    known_id = model_id if isinstance(model_id, str) else None
    for key, unit in units.items() if isinstance(units, dict) else []:
        if not isinstance(unit, dict):
            problems.append(f"unit entry {key!r} is not a unit record: skipped")
            continue
        objects = UnitHostObjects.from_document(key, unit)
        problems.attempt(f"unit {key}", teardown_unit, model_dir, known_id, objects)
    if isinstance(model_id, str):
        bridge = state.get("bridge")
        if isinstance(bridge, str):
            problems.attempt("bridge", network.remove_bridge, bridge)
        problems.attempt("host objects", sweep_host_objects, model_id)
    else:
        problems.append("the state has no model id: namespaces and bridge not searched for")
    return problems


@contextlib.contextmanager
def _raw_lock(model_dir: Path) -> Iterator[None]:
    """The model lock without loading the state (which may be what is broken)."""
    fd = os.open(model_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# What a model directory holds; anything else is not ours and stays (a model pointed at a
# directory with other files in it must not take them along).
MODEL_ENTRIES = {STATE_FILE, LOCK_FILE, HISTORY_FILE, DEBUG_LOG}
MODEL_ENTRIES |= {"run", "units", "peers", "resources"}  # resources: attach-resource (day2.py)


def _ours(name: str) -> bool:
    return name in MODEL_ENTRIES or name.lstrip(".").startswith(STATE_FILE)


def _remove_files(model_dir: Path, problems: Problems) -> None:
    def failed(_func: Any, path: str, exc: Any) -> None:
        error = exc[1] if isinstance(exc, tuple) else exc
        problems.append(f"{path}: {getattr(error, 'strerror', None) or error}")

    for child in sorted(model_dir.iterdir()):
        if child.name == LOCK_FILE:
            continue
        if not _ours(child.name):
            problems.append(f"{child}: not a model file, left in place")
        elif child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, onerror=failed)
        else:
            problems.attempt(str(child), child.unlink)


def destroy_model(store: ModelStore, echo: Callable[[str], None] = print) -> Problems:
    """Remove the model: host objects first, then its directory. Returns what could not go."""
    if not store.exists:
        raise CharmsmithError(f"no model at {store.path} (nothing to destroy)")
    problems = Problems()
    with _raw_lock(store.path):
        state: Any
        try:
            state = store.load_document()
        except CharmsmithError:
            echo(f"{store.path / STATE_FILE} is unreadable: removing what can be found without it")
            try:
                text = (store.path / STATE_FILE).read_text(errors="replace")
            except OSError:
                text = ""
            found = re.search(r'"id":\s*"([0-9a-f]+)"', text)
            state = {"id": found.group(1)} if found else {}
        if not isinstance(state, dict):
            state = {}
        problems.extend(destroy_host_objects(store.path, state, echo))
        _remove_files(store.path, problems)
    with contextlib.suppress(OSError):
        (store.path / LOCK_FILE).unlink()
        store.path.rmdir()  # only if empty: what is not ours stays
    return problems


def undo(model: ModelView, before: ModelState) -> None:
    """An operation failed half way: take down the units it created and restore the state.

    Only what the failed operation added goes (units absent from `before`); the model is left
    as it was before the command, so nothing is recorded for an operation that failed.
    """
    problems = Problems()
    state = model.state
    for name, unit in state.units.items():
        if name in before.units:
            continue
        objects = UnitHostObjects.of(unit)
        problems.attempt(name, teardown_unit, model.store.path, state.id, objects)
        if not unit.netns and not unit.principal:
            problems.attempt(name, network.del_bridge_address, state.bridge, unit.address)
        shutil.rmtree(unitfs.unit_dir(model.store.path, name), ignore_errors=True)
    model.store.state = copy.deepcopy(before)
    for line in problems:
        model.echo(f"could not undo: {line}")
