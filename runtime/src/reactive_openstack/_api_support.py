"""The support services an API unit runs next to its service: haproxy, memcached, the workers.

One place for the values the ``options`` namespace hands templates about them (ports, the
haproxy stats password and timeouts, memcached's address, the API worker count), so the
bundled haproxy.cfg and memcached.conf templates and the charm class never disagree.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reactive_openstack.host import Host

__all__ = [
    "HAPROXY_CFG",
    "HAPROXY_STAT_PORT",
    "MEMCACHED_CONF",
    "MEMCACHE_PORT",
    "STAT_PASSWORD_KEY",
    "haproxy_timeout",
    "memcache_host",
    "memcache_server",
    "memcache_url",
    "service_ports",
    "stat_password",
    "worker_count",
]

#: kv key holding the generated haproxy stats password (generated once per unit).
STAT_PASSWORD_KEY = "reactive_openstack.haproxy-stat-password"
HAPROXY_STAT_PORT = "8888"
#: haproxy timeouts (ms) used when the charm has no such config option or it is unset.
HAPROXY_TIMEOUT_DEFAULTS: Mapping[str, int] = {
    "queue": 9000,
    "connect": 9000,
    "client": 90000,
    "server": 90000,
}
MEMCACHE_PORT = "11211"
MEMCACHED_CONF = "/etc/memcached.conf"
HAPROXY_CFG = "/etc/haproxy/haproxy.cfg"
#: Worker count in a container is capped (when the operator did not choose a multiplier) because
#: containers see every host CPU and a dense LXD host would otherwise drown in API workers.
CONTAINER_WORKER_CAP = 4
DEFAULT_WORKER_MULTIPLIER = 2.0


# -- haproxy ----------------------------------------------------------------------------------


def stat_password(host: Host) -> str:
    """The unit's haproxy stats password, generated on first use and stored in the unit kv.

    Hex keeps it free of characters haproxy's config syntax would need escaped.
    """
    password = host.kv_get(STAT_PASSWORD_KEY)
    if not password:
        password = secrets.token_hex(16)
        host.kv_set(STAT_PASSWORD_KEY, password)
    return str(password)


def haproxy_timeout(config: Mapping[str, Any], kind: str) -> int:
    """``haproxy-<kind>-timeout`` (ms) from config (underscored keys), else the default."""
    value: Any = config.get(f"haproxy_{kind}_timeout")
    return int(value) if value not in (None, "") else HAPROXY_TIMEOUT_DEFAULTS[kind]


def service_ports(api_ports: Mapping[str, Mapping[str, int]]) -> dict[str, list[int]]:
    """haproxy input: ``<service>_<type>`` -> ``[N, N-10]``, sorted, each port N used once.

    A service with one port for all endpoint types thus yields only ``<service>_admin``: haproxy
    cannot bind the same port twice.
    """
    result: dict[str, list[int]] = {}
    used: set[int] = set()
    for service in sorted(api_ports):
        ports = api_ports[service]
        for endpoint_type in sorted(ports):
            port = int(ports[endpoint_type])
            if port in used:
                continue
            used.add(port)
            result[f"{service}_{endpoint_type}"] = [port, port - 10]
    return result


# -- memcached (keystonemiddleware's token cache, one local memcached per unit) ----------------


def memcache_server(ipv6: bool) -> str:
    """The address memcached listens on (loopback)."""
    return "::1" if ipv6 else "127.0.0.1"


def memcache_host(ipv6: bool) -> str:
    """The loopback address as a URL host (IPv6 bracketed)."""
    return "[::1]" if ipv6 else "127.0.0.1"


def memcache_url(ipv6: bool) -> str:
    """keystonemiddleware's ``memcached_servers`` entry."""
    return f"inet6:[::1]:{MEMCACHE_PORT}" if ipv6 else f"127.0.0.1:{MEMCACHE_PORT}"


# -- API workers ------------------------------------------------------------------------------


def worker_count(host: Host, multiplier: object) -> int:
    """API workers: ``worker-multiplier`` x CPUs, at least 1; capped in containers by default."""
    unset = multiplier in (None, "")
    factor = DEFAULT_WORKER_MULTIPLIER if unset else float(str(multiplier))
    count = max(1, int(_cpu_count(host) * factor))
    if unset and _in_container(host):
        count = min(count, CONTAINER_WORKER_CAP)
    return count


def _cpu_count(host: Host) -> int:
    """CPUs visible to the unit; a Host may provide ``cpu_count()`` (tests pin it)."""
    provider = getattr(host, "cpu_count", None)
    if callable(provider):
        return int(provider())
    return os.cpu_count() or 1


def _in_container(host: Host) -> bool:
    """Whether the unit is a container; a Host may provide ``in_container()`` (tests pin it)."""
    provider = getattr(host, "in_container", None)
    if callable(provider):
        return bool(provider())
    return os.path.exists("/run/container_type") or os.path.exists("/run/systemd/container")
