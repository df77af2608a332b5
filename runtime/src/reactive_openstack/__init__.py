"""reactive_openstack: the runtime framework every charmsmith-built OpenStack charm ships.

The names below are the API a charm's class, handlers and unit tests use. Importing the package
touches nothing outside the interpreter: no hook tool, file or charmhelpers/charms.reactive
import (those are deferred to the functions that need them). Other public modules (``host``,
``tls``, ``database``, ``testing`` ...) are imported by name; ``_``-modules are internal.
"""

from __future__ import annotations

from reactive_openstack._declared import adapter_property, config_property
from reactive_openstack.ceph import CephPool
from reactive_openstack.charm import HAOpenStackCharm, OpenStackAPICharm, OpenStackCharm
from reactive_openstack.defaults import use_defaults
from reactive_openstack.instance import get_charm_instance, provide_charm_instance
from reactive_openstack.releases import ReleaseRegistry, UnsupportedRelease, discover_registry
from reactive_openstack.workload_status import Status, WorkloadState

__version__ = "0.1.0"

__all__ = [
    "CephPool",
    "HAOpenStackCharm",
    "OpenStackAPICharm",
    "OpenStackCharm",
    "ReleaseRegistry",
    "Status",
    "UnsupportedRelease",
    "WorkloadState",
    "__version__",
    "adapter_property",
    "config_property",
    "discover_registry",
    "get_charm_instance",
    "provide_charm_instance",
    "use_defaults",
]
