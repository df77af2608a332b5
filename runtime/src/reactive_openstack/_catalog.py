"""Registering the charm's endpoints in keystone's service catalog.

Apart from _endpoints.py (which only computes addresses and URLs) because registering first
configures TLS, and tls.py itself needs those addresses: one direction of import each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import reactive_openstack._config_checks as config_checks
import reactive_openstack.tls as tls

if TYPE_CHECKING:
    from reactive_openstack._charm_view import APICharm


def register(charm: APICharm, keystone: Any) -> None:
    """Send keystone the catalog entry; the interface only sends keys whose value changed.

    TLS is configured first (tls.configure acts once per hook, in whichever handler calls it
    first), so the scheme follows the certificates in the very hook they arrive or go.
    """
    if not config_checks.usable(charm):
        return
    tls.configure(charm)
    urls = charm.endpoint_urls()  # a charm class may override it
    keystone.register_endpoints(
        charm.service_name or charm.name,
        str(charm.config.get("region") or "RegionOne"),
        urls["public"],
        urls["internal"],
        urls["admin"],
    )
