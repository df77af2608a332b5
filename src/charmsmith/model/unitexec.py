"""The command line that runs a program inside a unit: its network namespace and filesystem.

Why apart: hooks (runner.py), service start scripts (services.py) and `model ssh` all enter a
unit the same way, through the C launcher; it recreates a namespace lost to a host reboot.
"""

from __future__ import annotations

import os

from charmsmith.model import network
from charmsmith.model import units as unitfs
from charmsmith.model.protocols import ModelView


def unit_command(model: ModelView, unit_name: str, argv: list[str], cwd: str = "/") -> list[str]:
    """argv wrapped by the launcher: enter the unit's netns and filesystem view."""
    unit = model.unit(unit_name)
    if unit.netns and not unit.down and not os.path.exists(unit.netns):
        # after a reboot or a command killed mid-add-unit: namespaces are not persistent
        network.create_unit_network(model.state, unit)
    spec = unitfs.mount_spec(model.store.path, model.state, unit)
    enter = model.store.path / "run" / "bin" / "charmsmith-enter"
    return [str(enter), unit.netns or "-", str(spec), cwd, "--", *argv]
