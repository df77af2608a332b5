"""The ``options`` template namespace: the charm's config plus the values computed from it.

Every config key is there with dashes as underscores; on top come the charm's identity, the
listen addresses (the API on N-10 behind haproxy, which also terminates TLS), what clients
use, and the haproxy/memcached/worker values of _api_support.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reactive_openstack import _api_support as support
from reactive_openstack._adapter_base import Keyed, Namespace, mapped_attribute
from reactive_openstack._endpoints import bracket, resolve_address, tls_enabled
from reactive_openstack._text import truthy

if TYPE_CHECKING:
    from reactive_openstack.charm import OpenStackCharm

__all__ = ["ConfigAdapter", "local_address"]

#: The API listens this far below the port haproxy serves (upstream's convention).
API_PORT_SHIFT = 10


def local_address(charm: OpenStackCharm) -> str:
    """The address peers know this unit by: the ``cluster`` binding, else the unit address."""
    host = charm.host
    return host.binding_address("cluster") or host.unit_address()


class _ConfigFlag(Keyed["ConfigAdapter", bool]):
    """A boolean option as templates see it (off when unset)."""

    def compute(self, namespace: ConfigAdapter) -> bool:
        return truthy(namespace._config.get(self.key))


class _HaproxyTimeout(Keyed["ConfigAdapter", int]):
    """``haproxy-<key>-timeout`` (ms), else haproxy's default."""

    def compute(self, namespace: ConfigAdapter) -> int:
        return support.haproxy_timeout(namespace._config, self.key)


class ConfigAdapter(Namespace):
    """The ``options`` namespace: config (``-`` -> ``_``) plus values computed for templates."""

    def __init__(self, charm: OpenStackCharm) -> None:
        super().__init__(charm)
        self._config = {
            str(key).replace("-", "_"): value for key, value in charm.host.config().items()
        }

    def __getattr__(self, name: str) -> Any:
        return mapped_attribute(self._config, name)

    def __contains__(self, name: str) -> bool:
        return name in self._config or hasattr(type(self), name) or self.declares(name)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name.replace("-", "_"), default)

    # identity of the charm
    @property
    def charm_instance(self) -> OpenStackCharm:
        return self.charm

    @property
    def service_name(self) -> str:
        return self.charm.name

    @property
    def service_type(self) -> str | None:
        return getattr(self.charm, "service_type", None)

    @property
    def application_name(self) -> str:
        return self.charm.host.application_name

    @property
    def local_unit_name(self) -> str:
        return self.charm.host.unit_name.replace("/", "-")

    @property
    def local_address(self) -> str:
        return str(self._cached("local_address", lambda: local_address(self.charm)))

    # logging flags every oslo service understands; absent config means off
    debug = _ConfigFlag()
    verbose = _ConfigFlag()
    use_syslog = _ConfigFlag()
    ipv6_enabled = _ConfigFlag("prefer_ipv6")

    @property
    def ssl(self) -> bool:
        return bool(self._cached("ssl", lambda: tls_enabled(self.charm)))

    @property
    def local_host(self) -> str:
        return "::1" if self.ipv6_enabled else "127.0.0.1"

    @property
    def haproxy_host(self) -> str:
        return "::" if self.ipv6_enabled else "0.0.0.0"

    # API listeners
    @property
    def port_map(self) -> dict[str, dict[str, int]]:
        return {svc: dict(ports) for svc, ports in sorted(self._api_ports().items())}

    def _api_ports(self) -> Mapping[str, Mapping[str, int]]:
        return getattr(self.charm, "api_ports", None) or {}

    @property
    def service_listen_info(self) -> dict[str, dict[str, Any]]:
        """Where each API service listens: N-10 behind haproxy, which also terminates TLS."""

        def compute() -> dict[str, dict[str, Any]]:
            shift, ip = API_PORT_SHIFT, self.local_address
            info: dict[str, dict[str, Any]] = {}
            for service, ports in sorted(self._api_ports().items()):
                main = int(ports.get("admin", next(iter(ports.values()))))
                info[service.replace("-", "_")] = {
                    "proto": "http",
                    "ip": ip,
                    "port": main - shift,
                    "admin_port": int(ports.get("admin", main)) - shift,
                    "int_port": int(ports.get("internal", main)) - shift,
                    "public_port": int(ports.get("public", main)) - shift,
                    "url": f"http://{bracket(ip)}:{main - shift}",
                }
            return info

        result: dict[str, dict[str, Any]] = self._cached("service_listen_info", compute)
        return result

    @property
    def external_endpoints(self) -> dict[str, dict[str, Any]]:
        """What clients use for each service (admin endpoint): the resolved address and port N."""

        def compute() -> dict[str, dict[str, Any]]:
            proto = "https" if self.ssl else "http"
            ip = resolve_address(self.charm, "admin")
            result: dict[str, dict[str, Any]] = {}
            for service, ports in sorted(self._api_ports().items()):
                port = int(ports.get("admin", next(iter(ports.values()))))
                result[service.replace("-", "_")] = {
                    "proto": proto,
                    "ip": ip,
                    "port": port,
                    "url": f"{proto}://{bracket(ip)}:{port}",
                }
            return result

        result: dict[str, dict[str, Any]] = self._cached("external_endpoints", compute)
        return result

    @property
    def service_ports(self) -> dict[str, list[int]]:
        result: dict[str, list[int]] = self._cached(
            "service_ports", lambda: support.service_ports(self._api_ports())
        )
        return result

    @property
    def workers(self) -> int:
        """API workers: worker-multiplier x CPUs, at least 1; capped in containers by default."""
        return support.worker_count(self.charm.host, self._config.get("worker_multiplier"))

    # memcache (keystonemiddleware token cache, local memcached per unit)
    @property
    def use_memcache(self) -> bool:
        """On when the charm manages a local memcached (API charms from mitaka on)."""
        restart_map = getattr(self.charm, "full_restart_map", None) or {}
        return support.MEMCACHED_CONF in restart_map

    @property
    def memcache_server(self) -> str:
        return support.memcache_server(self.ipv6_enabled)

    @property
    def memcache_host(self) -> str:
        return support.memcache_host(self.ipv6_enabled)

    memcache_port = support.MEMCACHE_PORT

    @property
    def memcache_url(self) -> str:
        return support.memcache_url(self.ipv6_enabled)

    # haproxy
    haproxy_stat_port = support.HAPROXY_STAT_PORT

    @property
    def haproxy_stat_password(self) -> str:
        """Generated once per unit and kept on the unit; only ever written to haproxy.cfg.

        The charm class's own ``haproxy_stat_password`` wins when it has one, so the charm and
        the templates can never disagree about the secret.
        """

        def compute() -> str:
            from_charm = getattr(self.charm, "haproxy_stat_password", None)
            if isinstance(from_charm, str) and from_charm:
                return from_charm
            return support.stat_password(self.charm.host)

        return str(self._cached("haproxy_stat_password", compute))

    haproxy_queue_timeout = _HaproxyTimeout("queue")
    haproxy_connect_timeout = _HaproxyTimeout("connect")
    haproxy_client_timeout = _HaproxyTimeout("client")
    haproxy_server_timeout = _HaproxyTimeout("server")

    @property
    def user_config_flags(self) -> dict[str, str]:
        """``config-flags`` ("a=b, c=d") parsed, for charms that pass raw options through."""
        raw = str(self._config.get("config_flags") or "")
        flags: dict[str, str] = {}
        for item in raw.split(","):
            if "=" in item:
                key, value = item.split("=", 1)
                flags[key.strip()] = value.strip()
        return dict(sorted(flags.items()))
