"""The ``ceph`` template namespace: what a service's config needs to use its Ceph pools.

Kept apart from ceph.py so the status path (update-status) never imports the adapters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import reactive_openstack.ceph as ceph
from reactive_openstack._adapter_base import RelationAdapter

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm
    from reactive_openstack.interfaces import CephClientEndpoint

__all__ = ["CephAdapter", "adapter_classes"]


class CephAdapter(RelationAdapter):
    """``ceph`` in templates: what a service's config needs to use the pools.

    ``pools_available`` is true once the broker granted the pools and the files are written;
    the other values are there from the class alone, so templates need no guards around them.
    """

    interface: CephClientEndpoint | None

    @property
    def pools_available(self) -> bool:
        host = self.charm.host
        return host.is_flag_set(ceph.POOLS_AVAILABLE) and ceph.client_data(self.charm) is not None

    @property
    def pool(self) -> str | None:
        """The first declared pool (the one a single-store service uses)."""
        declared = ceph.pools(self.charm)
        return declared[0].name if declared else None

    @property
    def pool_names(self) -> list[str]:
        return [pool.name for pool in ceph.pools(self.charm)]

    @property
    def user(self) -> str:
        """The cephx user without ``client.``: what ``rbd_store_user`` and friends take."""
        return self.charm.host.application_name

    @property
    def conf_path(self) -> str:
        return ceph.CONF_PATH

    @property
    def keyring_path(self) -> str:
        return ceph.keyring_path(self.charm)


def adapter_classes(charm: Charm) -> dict[str, type[RelationAdapter]]:
    """Template namespaces this module adds: ``ceph`` for a charm that declares pools."""
    return {ceph.ENDPOINT: CephAdapter} if ceph.pools(charm) else {}
