"""Day-2 verbs of the local model: attach-resource and upgrade-series.

attach-resource follows `juju attach-resource APP NAME=FILE`, with Juju's refusals (undeclared
resource, wrong file extension), then fires upgrade-charm and config-changed on every live unit
as the uniter does when a resource changes. upgrade-series UNIT prepare|complete follows the two
steps of `juju upgrade-series` (Juju 3: upgrade-machine), refusing them out of order.

Details: docs/day2.md, 'Series upgrade' and 'Policy overrides'.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from charmsmith.errors import CharmsmithError

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI


def parse_resource_spec(spec: list[str]) -> tuple[str, Path]:
    """``["NAME=FILE"]`` (Juju's form) or ``["NAME", "FILE"]``."""
    if len(spec) == 1 and "=" in spec[0]:
        name, _, file = spec[0].partition("=")
    elif len(spec) == 2 and "=" not in spec[0]:
        name, file = spec
    else:
        raise CharmsmithError("attach-resource: expected NAME=FILE (or NAME FILE)")
    if not name or not file:
        raise CharmsmithError("attach-resource: expected NAME=FILE with both parts set")
    return name, Path(file)


def attach_resource(model: ModelAPI, app_name: str, name: str, file: Path) -> int:
    """Store ``file`` as the application's resource ``name``; returns its new revision."""
    app = model.app(app_name)
    if app.kind == "peer":
        raise CharmsmithError(f"attach-resource: {app_name} is played by charmsmith")
    declared = (app.metadata or {}).get("resources") or {}
    if name not in declared:
        known = ", ".join(sorted(declared)) or "none"
        raise CharmsmithError(
            f'attach-resource: charm {app_name} declares no resource "{name}" (declared: {known})'
        )
    meta = declared[name] or {}
    if meta.get("type", "file") != "file":
        raise CharmsmithError(f'attach-resource: resource "{name}" is not a file resource')
    filename = meta.get("filename") or name
    _, wanted_ext = os.path.splitext(filename)
    if os.path.splitext(file.name)[1] != wanted_ext:
        raise CharmsmithError(
            f'attach-resource: resource "{name}" takes a "{wanted_ext}" file like {filename}, '
            f"not {file.name}"
        )
    if not file.is_file():
        raise CharmsmithError(f"attach-resource: {file} is not a readable file")
    store = model.store.path / "resources" / app_name
    store.mkdir(parents=True, exist_ok=True, mode=0o700)
    kept = store / name
    tmp = store / f".{name}.tmp"
    shutil.copyfile(file, tmp)
    tmp.chmod(0o600)
    os.replace(tmp, kept)
    if app.resources is None:
        app.resources = {}
    resources = app.resources
    revision = (resources.get(name) or {}).get("revision", 0) + 1
    resources[name] = {
        "file": str(kept),
        "filename": filename,
        "revision": revision,
        "fingerprint": hashlib.sha384(kept.read_bytes()).hexdigest(),
    }
    for unit in app.units:
        if not model.unit(unit).down:
            model.enqueue(unit, "upgrade-charm")
            model.enqueue(unit, "config-changed")
    return revision


SERIES_PHASES = ("prepare", "complete")


def upgrade_series(model: ModelAPI, unit_name: str, phase: str) -> None:
    """Queue the unit's pre- or post-series-upgrade hook, in Juju's prepare/complete order."""
    unit = model.unit(unit_name)
    if model.is_peer(unit.app):
        raise CharmsmithError(
            f"upgrade-series: {unit_name} is played by charmsmith and runs no hooks"
        )
    prepared = unit.series_upgrade == "prepared"
    if phase == "prepare":
        if prepared:
            raise CharmsmithError(
                f"upgrade-series: {unit_name} is already prepared; run 'complete' after the "
                "OS upgrade"
            )
        unit.series_upgrade = "prepared"
        model.enqueue(unit_name, "pre-series-upgrade")
    elif phase == "complete":
        if not prepared:
            raise CharmsmithError(
                f"upgrade-series: {unit_name} was not prepared; run 'upgrade-series "
                f"{unit_name} prepare' first"
            )
        unit.series_upgrade = None
        model.enqueue(unit_name, "post-series-upgrade")
    else:
        raise CharmsmithError(
            f"upgrade-series: phase must be one of {', '.join(SERIES_PHASES)}, got {phase!r}"
        )
