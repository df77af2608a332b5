"""reactive_openstack: the runtime framework every charmsmith-built OpenStack charm ships.

Importing this package has no side effects: submodules that touch the system, or that pull in
charmhelpers/charms.reactive, are loaded only when one of their names is first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> submodule that defines it (resolved on first attribute access)
_EXPORTS = {
    "OpenStackCharm": "charm",
    "OpenStackAPICharm": "charm",
    "HAOpenStackCharm": "charm",
    "get_charm_instance": "instance",
    "ReleaseRegistry": "releases",
    "UnsupportedRelease": "releases",
    "discover_registry": "releases",
    "provide_charm_instance": "instance",
    "use_defaults": "defaults",
    "adapter_property": "adapters",
    "config_property": "adapters",
    "CephPool": "ceph",
}

#: submodules reachable as attributes (``ro.host.Host``, ``ro.testing.FakeHost``) on first use
_SUBMODULES = frozenset(
    {
        "actions",
        "adapters",
        "ceph",
        "charm",
        "database",
        "defaults",
        "host",
        "instance",
        "releases",
        "testing",
        "testing_interfaces",
        "update_status",
    }
)

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'reactive_openstack' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)
