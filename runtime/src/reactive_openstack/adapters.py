"""Template namespaces: what a charm's Jinja templates can see.

Templates are written by charm authors who should not need to know relation databags, hook
tools or address resolution, so :func:`build_adapters` turns the charm and the interface objects
handed to a handler into a few namespaces (``options``, ``shared_db``, ``amqp``,
``identity_service``, ``cluster``). A missing relation renders empty (relations arrive in any
order) and collections are ordered, so the same inputs give byte-identical files. Charms extend
namespaces with :func:`adapter_property` / :func:`config_property`, collected from the class
each time: no global registry. Details: docs/architecture.md, 'Templates: what they see'.
"""

from __future__ import annotations

import inspect
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from reactive_openstack import _netaddrs as netaddrs
from reactive_openstack import ceph
from reactive_openstack._endpoints import bracket, is_ipv6, resolve_address, tls_enabled

__all__ = [
    "AMQPAdapter",
    "Adapters",
    "ClusterAdapter",
    "ConfigAdapter",
    "DeclaredProperty",
    "IdentityServiceAdapter",
    "RelationAdapter",
    "SharedDBAdapter",
    "adapter_property",
    "build_adapters",
    "cluster_hosts",
    "config_property",
    "declared_properties",
    "service_ports",
]

#: kv key holding the generated haproxy stats password (generated once per unit).
STAT_PASSWORD_KEY = "reactive_openstack.haproxy-stat-password"
HAPROXY_STAT_PORT = "8888"
MEMCACHE_PORT = "11211"
AMQP_PORT = "5672"
#: haproxy timeouts (ms) used when the charm has no such config option or it is unset.
HAPROXY_TIMEOUT_DEFAULTS = {"queue": 9000, "connect": 9000, "client": 90000, "server": 90000}
#: Worker count in a container is capped (when the operator did not choose a multiplier) because
#: containers see every host CPU and a dense LXD host would otherwise drown in API workers.
CONTAINER_WORKER_CAP = 4
DEFAULT_WORKER_MULTIPLIER = 2.0
ENDPOINT_TYPE_ORDER: tuple[str, ...] = ("admin", "internal", "public")


# -- declarative properties ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredProperty:
    """A computed property a charm class adds to one template namespace.

    The function receives the namespace's adapter (for ``options`` the config adapter, which also
    exposes ``charm_instance``) and returns the value templates see.
    """

    namespace: str
    name: str
    func: Callable[[Any], Any]

    def __call__(self, adapter: Any) -> Any:
        return self.func(adapter)


def adapter_property(namespace: str) -> Callable[[Callable[[Any], Any]], DeclaredProperty]:
    """Declare, in a charm class body, a computed property of namespace ``namespace``.

    ``namespace`` is the template name (``amqp``, ``shared_db``; dashes are accepted). Declaring
    the same property twice in one class body raises RuntimeError: Python would otherwise
    silently keep only the last one. A subclass redefining a property overrides it (release
    specific classes need that).
    """
    space = namespace.replace("-", "_")

    def decorate(func: Callable[[Any], Any]) -> DeclaredProperty:
        declared = DeclaredProperty(space, func.__name__, func)
        body = sys._getframe(1).f_locals
        if "__module__" in body and "__qualname__" in body:
            for value in body.values():
                if isinstance(value, DeclaredProperty) and (value.namespace, value.name) == (
                    space,
                    declared.name,
                ):
                    raise RuntimeError(
                        f"duplicate adapter property {space}.{declared.name} in "
                        f"{body['__qualname__']}"
                    )
        return declared

    return decorate


def config_property(func: Callable[[Any], Any]) -> DeclaredProperty:
    """Declare a computed property of the ``options`` namespace (see :func:`adapter_property`)."""
    space, name = "options", func.__name__
    body = sys._getframe(1).f_locals
    if "__module__" in body and "__qualname__" in body:
        for value in body.values():
            if isinstance(value, DeclaredProperty) and (value.namespace, value.name) == (
                space,
                name,
            ):
                raise RuntimeError(f"duplicate config property {name} in {body['__qualname__']}")
    return DeclaredProperty(space, name, func)


def declared_properties(charm_class: type) -> dict[str, dict[str, DeclaredProperty]]:
    """namespace -> {property name -> declaration}, collected along the class's MRO.

    A subclass attribute replaces the base's attribute of the same name (an override); two
    different attributes declaring the same namespace property are a conflict and raise.
    """
    by_attr: dict[str, DeclaredProperty] = {}
    for klass in reversed(charm_class.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, DeclaredProperty):
                by_attr[attr] = value
            elif attr in by_attr:
                del by_attr[attr]  # a subclass replaced the declaration with something else
    result: dict[str, dict[str, DeclaredProperty]] = {}
    owners: dict[tuple[str, str], str] = {}
    for attr, declared in by_attr.items():
        key = (declared.namespace, declared.name)
        if key in owners:
            raise RuntimeError(
                f"duplicate adapter property {declared.namespace}.{declared.name} "
                f"(attributes {owners[key]!r} and {attr!r} of {charm_class.__name__})"
            )
        owners[key] = attr
        result.setdefault(declared.namespace, {})[declared.name] = declared
    return result


def _with_properties(base: type, declared: dict[str, DeclaredProperty]) -> type:
    """A throw-away subclass of ``base`` carrying the declared properties as real properties.

    Real properties (rather than a lookup in ``__getattr__``) let a charm override a built-in
    computed value such as ``amqp.transport_url``.
    """
    if not declared:
        return base

    def make(decl: DeclaredProperty) -> property:
        def getter(self: Any) -> Any:
            if isinstance(self, RelationAdapter) and not self:
                return None  # relation absent: render empty rather than crash the property
            return self._cached(f"declared:{decl.name}", lambda: decl(self))

        return property(getter, doc=decl.func.__doc__)

    attrs = {name: make(decl) for name, decl in declared.items()}
    return type(base.__name__, (base,), attrs)


# -- helpers ----------------------------------------------------------------------------------


def _truthy(value: Any) -> bool:
    """Relation and config booleans arrive as bools or as strings like 'True'/'yes'."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "on")
    return bool(value)


def _unit_number(unit: str) -> int:
    try:
        return int(unit.replace("/", "-").rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return -1


def _host_prefix(address: str) -> str:
    return f"{address}/128" if is_ipv6(address) else f"{address}/32"


def local_address(charm: Any) -> str:
    """The address peers know this unit by: the ``cluster`` binding, else the unit address."""
    host = charm.host
    return host.binding_address("cluster") or host.unit_address()


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


# -- the namespace objects --------------------------------------------------------------------


class _Namespace:
    """Shared behaviour: per-build caching of computed values and 'missing renders empty'."""

    def __init__(self, charm: Any) -> None:
        self.charm = charm
        self._cache: dict[str, Any] = {}

    def _cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


class ConfigAdapter(_Namespace):
    """The ``options`` namespace: config (``-`` -> ``_``) plus values computed for templates."""

    def __init__(self, charm: Any) -> None:
        super().__init__(charm)
        self._config = {
            str(key).replace("-", "_"): value for key, value in charm.host.config().items()
        }

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._config[name]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, name: str) -> bool:
        return name in self._config or hasattr(type(self), name)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name.replace("-", "_"), default)

    # identity of the charm
    @property
    def charm_instance(self) -> Any:
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
        return self._cached("local_address", lambda: local_address(self.charm))

    # logging flags every oslo service understands; absent config means off
    @property
    def debug(self) -> bool:
        return _truthy(self._config.get("debug"))

    @property
    def verbose(self) -> bool:
        return _truthy(self._config.get("verbose"))

    @property
    def use_syslog(self) -> bool:
        return _truthy(self._config.get("use_syslog"))

    @property
    def ipv6_enabled(self) -> bool:
        return _truthy(self._config.get("prefer_ipv6"))

    @property
    def ssl(self) -> bool:
        return self._cached("ssl", lambda: tls_enabled(self.charm))

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
            shift, ip = 10, self.local_address
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

        return self._cached("service_listen_info", compute)

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

        return self._cached("external_endpoints", compute)

    @property
    def service_ports(self) -> dict[str, list[int]]:
        return self._cached("service_ports", lambda: service_ports(self._api_ports()))

    @property
    def workers(self) -> int:
        """API workers: worker-multiplier x CPUs, at least 1; capped in containers by default."""
        raw = self._config.get("worker_multiplier")
        multiplier = DEFAULT_WORKER_MULTIPLIER if raw in (None, "") else float(raw)
        count = max(1, int(_cpu_count(self.charm.host) * multiplier))
        if raw in (None, "") and _in_container(self.charm.host):
            count = min(count, CONTAINER_WORKER_CAP)
        return count

    # memcache (keystonemiddleware token cache, local memcached per unit)
    @property
    def use_memcache(self) -> bool:
        """On when the charm manages a local memcached (API charms from mitaka on)."""
        restart_map = getattr(self.charm, "full_restart_map", None) or {}
        return "/etc/memcached.conf" in restart_map

    @property
    def memcache_server(self) -> str:
        return "::1" if self.ipv6_enabled else "127.0.0.1"

    @property
    def memcache_host(self) -> str:
        return "[::1]" if self.ipv6_enabled else "127.0.0.1"

    @property
    def memcache_port(self) -> str:
        return MEMCACHE_PORT

    @property
    def memcache_url(self) -> str:
        if self.ipv6_enabled:
            return f"inet6:[::1]:{MEMCACHE_PORT}"
        return f"127.0.0.1:{MEMCACHE_PORT}"

    # haproxy
    @property
    def haproxy_stat_port(self) -> str:
        return HAPROXY_STAT_PORT

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
            return stat_password(self.charm.host)

        return self._cached("haproxy_stat_password", compute)

    @property
    def haproxy_queue_timeout(self) -> int:
        return self._timeout("queue")

    @property
    def haproxy_connect_timeout(self) -> int:
        return self._timeout("connect")

    @property
    def haproxy_client_timeout(self) -> int:
        return self._timeout("client")

    @property
    def haproxy_server_timeout(self) -> int:
        return self._timeout("server")

    def _timeout(self, kind: str) -> int:
        value = self._config.get(f"haproxy_{kind}_timeout")
        return int(value) if value not in (None, "") else HAPROXY_TIMEOUT_DEFAULTS[kind]

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


def _cpu_count(host: Any) -> int:
    """CPUs visible to the unit; a Host may provide ``cpu_count()`` (tests pin it)."""
    provider = getattr(host, "cpu_count", None)
    if callable(provider):
        return int(provider())
    return os.cpu_count() or 1


def _in_container(host: Any) -> bool:
    """Whether the unit is a container; a Host may provide ``in_container()`` (tests pin it)."""
    provider = getattr(host, "in_container", None)
    if callable(provider):
        return bool(provider())
    return os.path.exists("/run/container_type") or os.path.exists("/run/systemd/container")


def stat_password(host: Any) -> str:
    """The unit's haproxy stats password, generated on first use and stored in the unit kv.

    Hex keeps it free of characters haproxy's config syntax would need escaped.
    """
    password = host.kv_get(STAT_PASSWORD_KEY)
    if not password:
        password = secrets.token_hex(16)
        host.kv_set(STAT_PASSWORD_KEY, password)
    return str(password)


class RelationAdapter(_Namespace):
    """A relation namespace: attributes call through to the interface's accessor methods.

    Falsy when the relation is absent, so ``{% if amqp %}`` works; any attribute the interface
    cannot provide raises AttributeError, which Jinja renders as empty.
    """

    def __init__(self, charm: Any, interface: Any = None) -> None:
        super().__init__(charm)
        self.interface = interface

    def __bool__(self) -> bool:
        return self.interface is not None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or self.__dict__.get("interface") is None:
            raise AttributeError(name)
        return self._lookup(name)

    def _lookup(self, name: str) -> Any:
        interface = self.interface
        member = getattr(interface, name, None)
        if member is not None:
            if not callable(member):
                return member
            if _callable_without_args(member):
                return member()
        getter = getattr(interface, "get", None)
        if callable(getter):
            for key in (name, name.replace("_", "-")):
                value = getter(key)
                if value is not None:
                    return value
        raise AttributeError(name)

    def _call(self, method: str, *args: Any) -> Any:
        """Call an accessor if the interface has it; None otherwise (missing renders empty)."""
        if self.interface is None:
            return None
        func = getattr(self.interface, method, None)
        return func(*args) if callable(func) else None


def _callable_without_args(func: Callable[..., Any]) -> bool:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not inspect.Parameter.empty
        or p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def _b64_or_raw(value: str) -> bytes:
    """Relation SSL material is base64; tolerate a raw PEM from older providers."""
    import base64
    import binascii

    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode()


class SharedDBAdapter(RelationAdapter):
    """``shared_db``: the MySQL connection, ready to paste into ``[database] connection``."""

    type = "mysql"
    driver = "mysql+pymysql"
    SSL_KEYS = ("ssl_ca", "ssl_cert", "ssl_key")

    @property
    def host(self) -> str | None:
        return self._call("db_host")

    @property
    def port(self) -> str | None:
        return self._call("db_port")

    @property
    def username(self) -> str | None:
        return self._call("username")

    @property
    def password(self) -> str | None:
        return self._call("password")

    @property
    def database(self) -> str | None:
        return self._call("database")

    @property
    def uri(self) -> str | None:
        return self.get_uri()

    def get_password(self, prefix: str | None = None) -> str | None:
        return self._call("password", prefix) if prefix else self.password

    def get_uri(self, prefix: str | None = None) -> str | None:
        """``mysql+pymysql://user:pass@host[:port]/db[?ssl_...]``; None until the data is there.

        User and password are percent-quoted: generated passwords may contain ``@``, ``/`` or
        ``:`` which would otherwise corrupt the URL.
        """
        host = self.host
        if prefix:
            user, password = self._call("username", prefix), self._call("password", prefix)
            database = self._call("database", prefix)
        else:
            user, password, database = self.username, self.password, self.database
        if not (host and user and password and database):
            return None
        netloc = f"{quote(str(user), safe='')}:{quote(str(password), safe='')}@{bracket(host)}"
        if self.port:
            netloc += f":{self.port}"
        uri = f"{self.driver}://{netloc}/{database}"
        query = "&".join(f"{key}={path}" for key, path in self.ssl_paths().items())
        return f"{uri}?{query}" if query else uri

    def ssl_paths(self) -> dict[str, str]:
        """ssl_ca/ssl_cert/ssl_key -> where the client material is written (when present)."""
        base = f"/var/lib/charm/{self.charm.host.application_name}"
        suffix = {"ssl_ca": "ca", "ssl_cert": "cert", "ssl_key": "key"}
        return {key: f"{base}/db-client.{suffix[key]}" for key in self.SSL_KEYS if self._call(key)}

    @property
    def database_ssl_ca(self) -> str | None:
        return self.ssl_paths().get("ssl_ca")

    @property
    def database_ssl_cert(self) -> str | None:
        return self.ssl_paths().get("ssl_cert")

    @property
    def database_ssl_key(self) -> str | None:
        return self.ssl_paths().get("ssl_key")

    def support_files(self) -> dict[str, bytes]:
        """Files the URI refers to; rendering writes them (0640 root:<group>) before configs."""
        return {path: _b64_or_raw(str(self._call(key))) for key, path in self.ssl_paths().items()}


class AMQPAdapter(RelationAdapter):
    """``amqp``: RabbitMQ credentials and the oslo.messaging transport URL."""

    @property
    def username(self) -> str | None:
        return self._call("username")

    @property
    def vhost(self) -> str | None:
        return self._call("vhost")

    @property
    def password(self) -> str | None:
        return self._call("password")

    @property
    def ssl_port(self) -> str | None:
        return self._call("ssl_port")

    @property
    def ssl_ca(self) -> str | None:
        return self._call("ssl_ca")

    @property
    def clustered(self) -> bool:
        return _truthy(self._call("clustered"))

    @property
    def vip(self) -> str | None:
        return self._call("vip")

    @property
    def ha_queues(self) -> bool:
        return _truthy(self._call("ha_queues"))

    @property
    def ready_hosts(self) -> list[str]:
        return list(self._call("rabbitmq_ready_hosts") or [])

    @property
    def host(self) -> str | None:
        if self.clustered and self.vip:
            return self.vip
        hosts = self.ready_hosts
        return hosts[0] if hosts else None

    @property
    def hosts(self) -> str | None:
        """Comma separated ready hosts when there is more than one (legacy rabbit_hosts)."""
        hosts = self.ready_hosts
        return ",".join(bracket(h) for h in hosts) if len(hosts) > 1 else None

    @property
    def port(self) -> str:
        return str(self.ssl_port or AMQP_PORT)

    @property
    def ssl_data_complete(self) -> bool:
        return bool(self.ssl_port and self.ssl_ca)

    @property
    def ssl_ca_file(self) -> str:
        return f"/var/lib/charm/{self.charm.host.application_name}/rabbit-client-ca.pem"

    @property
    def transport_url(self) -> str | None:
        """``rabbit://u:p@h1:port,u:p@h2:port/vhost`` over every ready host; None before that."""
        hosts, user, password, vhost = self.ready_hosts, self.username, self.password, self.vhost
        if not (hosts and user and password and vhost):
            return None
        creds = f"{quote(str(user), safe='')}:{quote(str(password), safe='')}"
        port = self.port
        servers = ",".join(f"{creds}@{bracket(h)}:{port}" for h in hosts)
        return f"rabbit://{servers}/{quote(str(vhost), safe='')}"

    def support_files(self) -> dict[str, bytes]:
        if not self.ssl_data_complete:
            return {}
        return {self.ssl_ca_file: _b64_or_raw(str(self.ssl_ca))}


#: keystone keys exposed as attributes (each through the interface accessor of the same name).
KEYSTONE_ATTRIBUTES = frozenset(
    {
        "service_host",
        "service_protocol",
        "service_port",
        "auth_host",
        "auth_protocol",
        "auth_port",
        "service_tenant",
        "service_username",
        "service_password",
        "service_tenant_id",
        "service_domain_id",
        "api_version",
        "admin_token",
        "ca_cert",
        "https_keystone",
        "admin_domain_id",
        "admin_user_id",
        "admin_project_id",
        "service_type",
    }
)


class IdentityServiceAdapter(RelationAdapter):
    """``identity_service``: keystone credentials plus the auth URLs keystonemiddleware needs."""

    def __getattr__(self, name: str) -> Any:
        if name in KEYSTONE_ATTRIBUTES and self.__dict__.get("interface") is not None:
            try:
                return self._lookup(name)
            except AttributeError:
                return None
        return super().__getattr__(name)

    @property
    def service_domain(self) -> str:
        return self._call("service_domain") or "default"

    @staticmethod
    def _url(proto: Any, host: Any, port: Any) -> str | None:
        if not host:
            return None
        return f"{proto or 'http'}://{bracket(str(host))}:{port}" if port else None

    @property
    def auth_url(self) -> str | None:
        """Keystone URL the service authenticates against (auth_protocol/host/port)."""
        return self._url(*(self._call(f"auth_{k}") for k in ("protocol", "host", "port")))

    @property
    def www_authenticate_uri(self) -> str | None:
        """Public keystone URL handed to clients in 401 responses (service_protocol/host/port)."""
        return self._url(*(self._call(f"service_{k}") for k in ("protocol", "host", "port")))


class ClusterAdapter(RelationAdapter):
    """``cluster``: the haproxy backends, always present (a single unit lists itself)."""

    def __bool__(self) -> bool:
        return True

    @property
    def local_address(self) -> str:
        return self._cached("local_address", lambda: local_address(self.charm))

    @property
    def local_unit_name(self) -> str:
        return self.charm.host.unit_name.replace("/", "-")

    @property
    def cluster_hosts(self) -> dict[str, dict[str, Any]]:
        return self._cached("cluster_hosts", lambda: cluster_hosts(self.charm, self.interface))

    @property
    def internal_addresses(self) -> list[str]:
        """Addresses of every unit on the internal network (the peer network without split)."""
        hosts = self.cluster_hosts
        internal = self.charm.host.binding_address("internal")
        entry = hosts.get(internal) if internal else None
        if entry is None:
            entry = next(iter(hosts.values()))
        return list(entry["backends"].values())


def cluster_hosts(charm: Any, peers: Any = None) -> dict[str, dict[str, Any]]:
    """local address -> {network, backends: unit-name (``-``) -> address}, deterministically.

    The peer (``cluster``) network comes first, then every endpoint binding on a different
    network with the peers' published ``<type>-address``. Backends are ordered by unit number so
    adding a unit only adds lines to haproxy.cfg; the local unit is always included.
    """
    host = charm.host
    me = host.unit_name.replace("/", "-")

    def entry(address: str, network: str | None, key: str) -> dict[str, Any]:
        found = dict(peers.ip_map(key)) if peers is not None else {}
        found[me] = address
        ordered = sorted(found.items(), key=lambda item: (_unit_number(item[0]), item[0]))
        return {"network": network or _host_prefix(address), "backends": dict(ordered)}

    main = local_address(charm)
    hosts = {main: entry(main, host.binding_network("cluster"), "private-address")}
    for endpoint_type in ENDPOINT_TYPE_ORDER:
        address, network = netaddrs.endpoint_address(host, endpoint_type)
        if address and address not in hosts:
            hosts[address] = entry(address, network, f"{endpoint_type}-address")
    return hosts


# -- the mapping templates receive -----------------------------------------------------------

#: namespace -> adapter class for the relations every API charm has.
DEFAULT_ADAPTER_CLASSES: Mapping[str, type[RelationAdapter]] = {
    "shared_db": SharedDBAdapter,
    "amqp": AMQPAdapter,
    "identity_service": IdentityServiceAdapter,
    "cluster": ClusterAdapter,
}


class Adapters(Mapping[str, Any]):
    """namespace -> adapter; pass ``dict(adapters)`` (or the mapping) as the Jinja context.

    Attribute access (``adapters.amqp``) works too, for charm code that inspects values.
    """

    def __init__(self, namespaces: Mapping[str, Any]) -> None:
        self._namespaces = dict(namespaces)

    def __getitem__(self, key: str) -> Any:
        return self._namespaces[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._namespaces)

    def __len__(self) -> int:
        return len(self._namespaces)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._namespaces[name]
        except KeyError:
            raise AttributeError(name) from None

    def support_files(self) -> dict[str, bytes]:
        """Side files (DB/RabbitMQ client TLS material) templates point at, path -> content."""
        files: dict[str, bytes] = {}
        for adapter in self._namespaces.values():
            provider = getattr(type(adapter), "support_files", None)
            if provider is not None and adapter:
                files.update(adapter.support_files())
        return dict(sorted(files.items()))


def _namespace_of(interface: Any) -> str:
    name = (
        getattr(interface, "endpoint_name", None)
        or getattr(interface, "relation_name", None)
        or type(interface).__name__
    )
    return str(name).replace("-", "_")


def build_adapters(charm: Any, interfaces: Iterable[Any] | None = None) -> Adapters:
    """Build the template namespaces for ``charm`` from the interface objects passed.

    Interfaces are keyed by their endpoint name (dashes as underscores). The standard namespaces
    (``shared_db``, ``amqp``, ``identity_service``, ``cluster``) always exist, empty (falsy) when
    the relation is absent, so templates can test them without guarding against undefined names.
    A charm may map extra namespaces to its own RelationAdapter subclasses with a class attribute
    ``relation_adapters = {"my_rel": MyAdapter}``.
    """
    declared = declared_properties(type(charm))
    classes = {**DEFAULT_ADAPTER_CLASSES, **ceph.adapter_classes(charm)}
    classes.update(getattr(charm, "relation_adapters", None) or {})

    namespaces: dict[str, Any] = {
        "options": _with_properties(ConfigAdapter, declared.get("options", {}))(charm)
    }
    given: dict[str, Any] = {}
    for interface in interfaces or ():
        if interface is not None:
            given.setdefault(_namespace_of(interface), interface)
    for name in ("cluster", *ceph.adapter_classes(charm)):
        # Handlers that render are triggered by the service relations, not by the peers or
        # ceph, yet haproxy.cfg lists every peer: take those endpoints from the host.
        found = given[name] if name in given else charm.host.endpoint(name)
        if found is not None:
            given[name] = found
    for name in [*given, *(n for n in classes if n not in given)]:
        base = classes.get(name, RelationAdapter)
        namespaces[name] = _with_properties(base, declared.get(name, {}))(charm, given.get(name))
    return Adapters(namespaces)
