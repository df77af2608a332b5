"""The charm under test, found from where pytest runs, and its process set up like a unit's.

A charm directory holds ``metadata.yaml`` and ``reactive/``. Its hooks run with ``lib/`` and
``reactive/`` importable, ``CHARM_DIR`` set and charmhelpers on Ubuntu; tests get the same.
Names follow charmsmith's layout: the class module ``charm.openstack.<ident>`` and the
handlers module ``<ident>_handlers``, where ident is the charm's name with ``_`` for ``-``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class CharmUnderTest:
    """A source charm directory and what its unit tests need to know about it."""

    directory: Path
    name: str
    series: tuple[str, ...]

    @classmethod
    def find(cls, *starts: Path) -> CharmUnderTest | None:
        """The nearest charm directory at or above one of ``starts`` (the first found)."""
        for start in starts:
            for folder in (start.resolve(), *start.resolve().parents):
                if (folder / "metadata.yaml").is_file() and (folder / "reactive").is_dir():
                    return cls.load(folder)
        return None

    @classmethod
    def load(cls, directory: Path) -> CharmUnderTest:
        metadata = yaml.safe_load((directory / "metadata.yaml").read_text()) or {}
        return cls(directory, str(metadata["name"]), tuple(metadata.get("series") or ()))

    @property
    def ident(self) -> str:
        return self.name.replace("-", "_")

    @property
    def unit_name(self) -> str:
        return f"{self.name}/0"

    @property
    def handlers_module(self) -> str:
        return f"{self.ident}_handlers"

    @property
    def charm_module(self) -> str:
        return f"charm.openstack.{self.ident}"

    def config_defaults(self) -> dict[str, Any]:
        """The options' defaults from the charm's own config.yaml (layers add theirs at build)."""
        path = self.directory / "config.yaml"
        options = (yaml.safe_load(path.read_text()) or {}).get("options") if path.exists() else {}
        return {
            name: option["default"]
            for name, option in (options or {}).items()
            if isinstance(option, dict) and "default" in option
        }

    def prepare_process(self) -> None:
        """Make this process look like the charm's unit before anything imports charmhelpers."""
        for folder in (self.directory / "lib", self.directory / "reactive"):
            if str(folder) not in sys.path:
                sys.path.insert(0, str(folder))
        os.environ.setdefault("CHARM_DIR", str(self.directory))
        os.environ.setdefault("UNIT_STATE_DB", ":memory:")
        assume_ubuntu()


def assume_ubuntu() -> None:
    """charmhelpers refuses to import on hosts it does not know (Debian workstations, CI
    images); units run Ubuntu, so tell it that when the real host is not one it knows."""
    from charmhelpers import osplatform

    try:
        osplatform.get_platform()
    except (RuntimeError, OSError, KeyError):
        osplatform.get_platform = lambda: "ubuntu"
