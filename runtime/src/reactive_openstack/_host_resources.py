"""Charm resources and file removal on the Host seam, for policy overrides (_policyd.py).

Kept out of host.py and testing.py (both past their size budget) as one mixin per host:
:class:`JujuResources` asks Juju's ``resource-get`` for the file's path on the unit,
:class:`FakeResources` answers from a dict the test seeds and records removals.
"""

from __future__ import annotations

import os
from typing import Any

from reactive_openstack._hook_tools import CommandFailed, HookToolCaller


class JujuResources(HookToolCaller):
    """Mixed into JujuHost: ``resource-get`` and file removal."""

    def resource_get(self, name: str) -> str | None:
        """The path of resource ``name`` on the unit, or None when Juju has none to give.

        resource-get exits non-zero when the charm declares no such resource or nothing was
        attached and there is no default (Juju's uniter resource-get command).
        """

        def load() -> str | None:
            try:
                path = self._call(["resource-get", name]).strip()
            except CommandFailed:
                return None
            return path or None

        return self._cached(f"resource-get {name}", load)

    def remove_file(self, path: str) -> bool:
        """Remove ``path``; False if it was not there."""
        try:
            os.remove(path)
        except FileNotFoundError:
            return False
        return True


class FakeResources:
    """Mixed into FakeHost: seed ``host.resources[name] = path`` and ``host.files[path]``."""

    def resource_get(self, name: str) -> str | None:
        host: Any = self
        host.tool_calls.append("resource-get")
        return getattr(host, "resources", {}).get(name)

    def remove_file(self, path: str) -> bool:
        host: Any = self
        if not hasattr(host, "removed"):
            host.removed = []
        if host.files.pop(path, None) is None:
            return False
        host.removed.append(path)
        return True
