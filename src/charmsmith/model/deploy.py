"""Deploying charm applications and adding units, as `juju deploy`, `add-unit`, `refresh`.

Why apart: these are the operations that create things (an application record from the
charm's metadata and config.yaml, a unit with its address, filesystem and network) and queue
the hooks Juju fires for a new unit: install, relation-created, leader-elected, config-changed
and start. Peer applications (played by charmsmith) are deployed by peerdaemons.py.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from charmsmith import charmfiles
from charmsmith.errors import CharmsmithError
from charmsmith.model import network
from charmsmith.model import units as unitfs
from charmsmith.model.names import check_app_name
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.relate import ensure_peer_relations
from charmsmith.model.state import Application, Unit


def new_unit(model: ModelAPI, app: str, principal: str | None = None) -> str:
    a = model.app(app)
    number = a.next_unit or 0
    a.next_unit = number + 1
    name = f"{app}/{number}"
    index = model.state.next_unit_index
    model.state.next_unit_index = index + 1
    address = model.unit(principal).address if principal else network.allocate_address(model.state)
    model.state.units[name] = Unit(
        name=name,
        app=app,
        number=number,
        index=index,
        address=address,
        agent="idle",
        workload={"status": "waiting", "message": "agent initialising", "since": time.time()},
        ports=[],
        machine=str(index),
        principal=principal,
    )
    a.units.append(name)
    return name


def deploy(
    model: ModelAPI,
    charm_dir: Path,
    app_name: str | None,
    config: dict[str, str],
    count: int,
    mode: str | None = None,
    archive: dict[str, str] | None = None,
) -> str:
    charm_dir = charmfiles.built_charm(charm_dir)
    metadata = charmfiles.read_metadata(charm_dir)
    options = charmfiles.read_options(charm_dir)
    name = app_name or metadata["name"]
    check_new_app(model, name)
    app = charm_app(name, charm_dir, metadata, options, mode or model.state.mode or "emulated")
    model.state.applications[name] = app
    try:
        app.config = model.coerce_config(name, config)
        if metadata.get("subordinate"):
            raise CharmsmithError("deploying subordinate charms is not supported here")
    except CharmsmithError:
        del model.state.applications[name]  # a rejected deploy leaves no trace
        raise
    if archive:
        model.state.archive.update(archive)
    if metadata.get("subordinate"):
        raise CharmsmithError("deploying subordinate charms is not supported by the local model")
    ensure_peer_relations(model, name)
    for _ in range(max(count, 1)):
        add_unit(model, name)
    return name


def charm_app(
    name: str, charm_dir: Path, metadata: dict[str, Any], options: dict[str, Any], mode: str
) -> Application:
    """A charm application's record: no units, no leader, no config set yet (revision 0)."""
    return Application(
        name=name,
        kind="charm",
        charm=metadata["name"],
        charm_dir=str(charm_dir),
        metadata=metadata,
        options=options,
        config={},
        units=[],
        leader=None,
        revision=0,
        mode=mode,
        version="",
    )


def check_new_app(model: ModelAPI, name: str) -> None:
    check_app_name(name)
    if name in model.state.applications:
        raise CharmsmithError(f'application "{name}" already exists')


def add_unit(model: ModelAPI, app: str) -> str:
    a = model.app(app)
    if a.kind == "peer" or a.charm_dir is None:
        raise CharmsmithError(f"{app} is played by charmsmith; add-unit applies to charms")
    charmfiles.built_charm(a.charm_dir)  # as deploy does: it may have been rebuilt away
    name = model.new_unit(app)
    unit = model.unit(name)
    unit.revision = a.revision or 0
    real = a.mode == "real"
    model.substrate.prepare_unit(model.store.path, unit, Path(a.charm_dir), real)
    unit.netns = model.substrate.create_unit_network(model.state, unit)
    model.enqueue(name, "install")
    first = a.leader is None
    for rel in model.relations_of(app):
        endpoint = model.endpoint_of(rel, app)
        model.enqueue(
            name,
            f"{endpoint}-relation-created",
            relation_id=rel.id,
            remote_app=model.remote_app(rel, app),
        )
    if first:
        a.leader = name
        model.enqueue(name, "leader-elected")
    else:
        model.enqueue(name, "leader-settings-changed")
    model.enqueue(name, "config-changed")
    model.enqueue(name, "start")
    return name  # it enters its relations' scope once installed (scope.install_done)


def upgrade_charm(model: ModelAPI, app: str, charm_dir: Path | None) -> None:
    a = model.app(app)
    if a.kind == "peer" or a.charm_dir is None:
        raise CharmsmithError(f"{app} is played by charmsmith")
    src = charmfiles.built_charm(charm_dir or a.charm_dir)
    meta, options = charmfiles.read_metadata(src), charmfiles.read_options(src)
    a.charm_dir = str(src)
    a.revision = (a.revision or 0) + 1
    a.metadata = meta
    a.options = options
    for unit in a.units:
        model.unit(unit).revision = a.revision
        unitfs.install_charm(model.store.path, model.unit(unit), src)
        model.enqueue(unit, "upgrade-charm")
        model.enqueue(unit, "config-changed")
