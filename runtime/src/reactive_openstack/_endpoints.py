"""Which address and URL a unit advertises for each endpoint type (public, internal, admin).

Keystone's catalog is what clients follow, so the URL we register must survive the loss of this
unit whenever the operator made that possible: ``os-<type>-hostname`` wins, then a VIP (only
once hacluster reports the cluster formed: before that nothing answers on it), and only then
this unit's own address. The same resolution feeds the templates and the hacluster DNS
resources, so the catalog, the templates and pacemaker never disagree.
Details: docs/architecture.md, 'Endpoint addresses'.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from reactive_openstack._netaddrs import endpoint_address
from reactive_openstack.wire_keys import ENDPOINT_TYPES

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

__all__ = [
    "CLUSTERED_FLAG",
    "ENDPOINT_TYPES",
    "bracket",
    "endpoint_url",
    "endpoint_urls",
    "is_ipv6",
    "resolve_address",
    "tls_enabled",
    "vips",
]

#: Set by the hacluster interface while the subordinate reports the cluster formed.
CLUSTERED_FLAG = "ha.available"


def is_ipv6(address: str | None) -> bool:
    """True for an IPv6 literal (with or without brackets); hostnames are not IPv6."""
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.strip("[]")).version == 6
    except ValueError:
        return False


def bracket(address: str) -> str:
    """Bracket an IPv6 literal so it can be followed by ``:port`` in a URL or host list."""
    if is_ipv6(address) and not address.startswith("["):
        return f"[{address}]"
    return address


def vips(charm: Charm) -> list[str]:
    """The configured VIPs (config ``vip`` is a space separated list), in configured order."""
    return str(charm.host.config().get("vip") or "").split()


def tls_enabled(charm: Charm) -> bool:
    """Whether this unit serves its API over TLS.

    Either the TLS machinery has finished (flag ``ssl.enabled``) or the operator supplied both a
    certificate and a key in config; in both cases clients must be told ``https``.
    """
    host = charm.host
    if host.is_flag_set("ssl.enabled"):
        return True
    config = host.config()
    return bool(config.get("ssl_cert") and config.get("ssl_key"))


def _in_network(address: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def resolve_address(charm: Charm, endpoint_type: str, override: bool = True) -> str:
    """The bare host (name or IP, never bracketed) to advertise for ``endpoint_type``.

    ``override=False`` skips ``os-<type>-hostname``: the hacluster DNS resource needs the address
    the hostname should point at, not the hostname itself.
    """
    if endpoint_type not in ENDPOINT_TYPES:
        raise ValueError(f"unknown endpoint type {endpoint_type!r}; expected {ENDPOINT_TYPES}")
    host = charm.host
    config = host.config()
    if override:
        hostname = config.get(f"os-{endpoint_type}-hostname")
        if hostname:
            return str(hostname).replace("{service_name}", host.application_name)
    configured = vips(charm) if host.is_flag_set(CLUSTERED_FLAG) else []
    if configured:
        network = config.get(f"os-{endpoint_type}-network") or host.binding_network(endpoint_type)
        if network:
            for vip in configured:
                if _in_network(vip, str(network)):
                    return vip
        return configured[0]
    # as upstream's resolve_address: the local address on os-<type>-network, else the binding's
    return endpoint_address(host, endpoint_type)[0] or host.unit_address()


def endpoint_url(charm: Charm, endpoint_type: str) -> str:
    """``scheme://host:port`` for keystone's catalog; port from the default service's api_ports."""
    scheme = "https" if tls_enabled(charm) else "http"
    address = bracket(resolve_address(charm, endpoint_type))
    port = charm.api_ports[str(charm.default_service)][endpoint_type]
    return f"{scheme}://{address}:{port}"


def endpoint_urls(charm: Charm) -> dict[str, str]:
    """The three catalog URLs keyed ``public``/``internal``/``admin`` (register_endpoints input)."""
    return {endpoint_type: endpoint_url(charm, endpoint_type) for endpoint_type in ENDPOINT_TYPES}
