"""Peer applications played by charmsmith, and the daemons their real backends run.

Why apart: a peer (mysql, keystone, rabbitmq, vault...) has no charm and no hooks; deploying
one records the application and its units and, for a daemon backend, starts its servers on
the unit's bridge address. A marker file lets a later `destroy` find and stop those daemons
even if the deploying command died before saving; a failed deploy leaves nothing behind.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from charmsmith.errors import CharmsmithError
from charmsmith.model.deploy import check_new_app
from charmsmith.model.peers import PEERS
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.state import Application
from charmsmith.model.store import PEER_MARKER, write_atomic


def deploy_peer(
    model: ModelAPI,
    kind: str,
    app_name: str | None,
    count: int,
    backend: str,
    config: dict[str, str] | None = None,
) -> str:
    """A peer application; with a daemon backend (real) its servers are started here.

    A deploy that fails part way (a daemon that does not start, Ctrl-C) is rolled back:
    no application, unit or running daemon is left behind.
    """
    cls = PEERS[kind]
    name = app_name or kind
    check_new_app(model, name)
    backend_cls = cls.backend_class(backend)  # refused before the model records anything
    if backend_cls.DAEMONS and count > 1:
        raise CharmsmithError(
            f"{kind}: the {backend} backend runs one server; deploy it with one unit"
        )
    app = Application(
        name=name,
        kind="peer",
        peer=kind,
        charm=kind,
        backend=backend,
        metadata=cls.metadata(),
        options=cls.OPTIONS,
        config={},
        units=[],
        leader=None,
        version="",
        subordinate=cls.SUBORDINATE,
    )
    model.state.applications[name] = app
    try:
        app.config = model.coerce_config(name, config or {})
        cls.check_config(model.config_values(name), backend)
        if not cls.SUBORDINATE:
            for _ in range(max(count, 1)):
                unit = model.new_unit(name)
                model.substrate.add_bridge_address(model.state, model.unit(unit).address)
            app.leader = app.units[0]
        if backend_cls.DAEMONS:
            start_peer_backend(model, name)
        status = dict(zip(("status", "message"), model.peer(name).status(), strict=True))
        for unit in app.units:
            model.unit(unit).workload = dict(status)
    except BaseException as exc:
        kept = forget_peer(model, name)
        if kept is not None and isinstance(exc, CharmsmithError):
            raise CharmsmithError(f"{exc}\n(the failed backend's files: {kept})") from exc
        raise
    return name


def peer_dir(model: ModelAPI, app: str) -> Path:
    """Where a daemon backend keeps its data, logs, pidfiles and secrets."""
    return model.store.path / "peers" / app


def start_peer_backend(model: ModelAPI, name: str) -> None:
    """configure + start on the peer unit's bridge address; a marker lets any later process
    (destroy) find and stop the daemons even if this one dies before saving the state."""
    from charmsmith.model.peers.real.access import reach_state_dir

    a = model.app(name)
    backend = a.backend or ""
    backend_cls = model.peer_class(name).backend_class(backend)
    state_dir = peer_dir(model, name)
    address = model.unit(a.units[0]).address
    reach_state_dir(state_dir, model.store.path, backend_cls.USERS)
    backend_cls.configure(a.peer_state, state_dir, address)  # fills it in place
    public = {k: v for k, v in a.peer_state.items() if k != "secrets"}
    marker = {"peer": a.peer, "backend": backend, "peer_state": public}
    write_atomic(state_dir / PEER_MARKER, json.dumps(marker, sort_keys=True).encode())
    model.echo(f"{name}: starting the {backend} {a.peer} backend on {address}")
    seconds = model.peer(name).backend.start()
    model.echo(f"{name}: {backend} backend ready in {seconds:.1f} s ({state_dir})")


def forget_peer(model: ModelAPI, name: str) -> Path | None:
    """Undo a failed deploy_peer: stop what started, drop app, units and bridge addresses.

    A daemon backend's directory is moved aside to `<app>.failed` (its logs explain the
    failure, and a new deploy must not inherit a half-initialised datadir); returns it.
    """
    a = model.state.applications.pop(name)
    for unit in a.units:
        record = model.state.units.pop(unit, None)
        if record:
            model.substrate.del_bridge_address(model.state, record.address)
    state_dir = peer_dir(model, name)
    if not state_dir.exists():
        return None
    if a.peer_state and a.peer:
        try:
            PEERS[a.peer](a).backend.stop()
        except CharmsmithError as err:
            # left in place with its marker, so that `destroy` tries again
            model.echo(f"{name}: could not stop the failed backend: {err}")
            return state_dir
    (state_dir / PEER_MARKER).unlink(missing_ok=True)
    if not any(state_dir.iterdir()):
        state_dir.rmdir()  # failed before writing anything: nothing to keep
        return None
    kept = state_dir.with_name(f"{name}.failed")
    shutil.rmtree(kept, ignore_errors=True)
    state_dir.rename(kept)
    return kept
