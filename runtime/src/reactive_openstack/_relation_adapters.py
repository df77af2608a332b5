"""The relation namespaces of every API charm's templates (shared_db, amqp, identity_service,
cluster): each turns one interface's accessors into what a service's config needs (the DB URI, the
transport URL, keystone's auth URLs, the haproxy backends), None until the data is there.
User names and passwords are percent-quoted in URLs: generated ones may contain ``@``, ``/``
or ``:``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reactive_openstack import _netaddrs as netaddrs
from reactive_openstack._adapter_base import (
    InterfacePort,
    InterfaceValue,
    RelationAdapter,
    b64_or_raw,
)
from reactive_openstack._endpoints import ENDPOINT_TYPES, bracket, is_ipv6
from reactive_openstack._options_adapter import local_address
from reactive_openstack._text import truthy, unit_number
from reactive_openstack.wire_keys import KEYSTONE_KEYS, MYSQL_SSL_KEYS

if TYPE_CHECKING:
    from reactive_openstack.charm import OpenStackCharm
    from reactive_openstack.interfaces import (
        AMQPEndpoint,
        ClusterPeers,
        KeystoneEndpoint,
        SharedDBEndpoint,
    )

__all__ = [
    "AMQPAdapter",
    "ClusterAdapter",
    "IdentityServiceAdapter",
    "SharedDBAdapter",
    "cluster_hosts",
]

AMQP_PORT = "5672"
_KEYSTONE_ATTRIBUTES = frozenset(KEYSTONE_KEYS)


def _credentials(user: object, password: object) -> str:
    return f"{quote(str(user), safe='')}:{quote(str(password), safe='')}"


class SharedDBAdapter(RelationAdapter):
    """``shared_db``: the MySQL connection, ready to paste into ``[database] connection``."""

    interface: SharedDBEndpoint | None

    type = "mysql"
    driver = "mysql+pymysql"
    SSL_KEYS = MYSQL_SSL_KEYS

    host = InterfaceValue("db_host")
    username = InterfaceValue()
    password = InterfaceValue()
    database = InterfaceValue()
    port = InterfacePort("db_port")

    @property
    def uri(self) -> str | None:
        return self.get_uri()

    def get_password(self, prefix: str | None = None) -> str | None:
        return self._call("password", prefix) if prefix else self.password

    def get_uri(self, prefix: str | None = None) -> str | None:
        """``mysql+pymysql://user:pass@host[:port]/db[?ssl_...]``; None until the data is there."""
        host = self.host
        if prefix:
            user, password = self._call("username", prefix), self._call("password", prefix)
            database = self._call("database", prefix)
        else:
            user, password, database = self.username, self.password, self.database
        if not (host and user and password and database):
            return None
        netloc = f"{_credentials(user, password)}@{bracket(host)}"
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
        return {path: b64_or_raw(str(self._call(key))) for key, path in self.ssl_paths().items()}


class AMQPAdapter(RelationAdapter):
    """``amqp``: RabbitMQ credentials and the oslo.messaging transport URL."""

    interface: AMQPEndpoint | None

    username = InterfaceValue()
    vhost = InterfaceValue()
    password = InterfaceValue()
    ssl_ca = InterfaceValue()
    vip = InterfaceValue()
    ssl_port = InterfacePort()

    @property
    def clustered(self) -> bool:
        return truthy(self._call("clustered"))

    @property
    def ha_queues(self) -> bool:
        return truthy(self._call("ha_queues"))

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
        creds, port = _credentials(user, password), self.port
        servers = ",".join(f"{creds}@{bracket(h)}:{port}" for h in hosts)
        return f"rabbit://{servers}/{quote(str(vhost), safe='')}"

    def support_files(self) -> dict[str, bytes]:
        if not self.ssl_data_complete:
            return {}
        return {self.ssl_ca_file: b64_or_raw(str(self.ssl_ca))}


class IdentityServiceAdapter(RelationAdapter):
    """``identity_service``: keystone credentials plus the auth URLs keystonemiddleware needs.

    Every key of wire_keys.KEYSTONE_KEYS is an attribute (None until keystone sent it).
    """

    interface: KeystoneEndpoint | None

    def __getattr__(self, name: str) -> Any:
        if name in _KEYSTONE_ATTRIBUTES and self.__dict__.get("interface") is not None:
            try:
                return self._lookup(name)
            except AttributeError:
                return None
        return super().__getattr__(name)

    @property
    def service_domain(self) -> str:
        return self._call("service_domain") or "default"

    @staticmethod
    def _url(proto: object, host: object, port: object) -> str | None:
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

    interface: ClusterPeers | None

    def __bool__(self) -> bool:
        return True

    @property
    def local_address(self) -> str:
        return str(self._cached("local_address", lambda: local_address(self.charm)))

    @property
    def local_unit_name(self) -> str:
        return self.charm.host.unit_name.replace("/", "-")

    @property
    def cluster_hosts(self) -> dict[str, dict[str, Any]]:
        hosts: dict[str, dict[str, Any]] = self._cached(
            "cluster_hosts", lambda: cluster_hosts(self.charm, self.interface)
        )
        return hosts

    @property
    def internal_addresses(self) -> list[str]:
        """Addresses of every unit on the internal network (the peer network without split)."""
        hosts = self.cluster_hosts
        internal = self.charm.host.binding_address("internal")
        entry = hosts.get(internal) if internal else None
        if entry is None:
            entry = next(iter(hosts.values()))
        return list(entry["backends"].values())


def cluster_hosts(
    charm: OpenStackCharm, peers: ClusterPeers | None = None
) -> dict[str, dict[str, Any]]:
    """local address -> {network, backends: unit-name (``-``) -> address}, deterministically.

    The peer (``cluster``) network comes first, then every endpoint binding on a different
    network (admin, internal, public) with the peers' published ``<type>-address``. Backends are
    ordered by unit number so adding a unit only adds lines to haproxy.cfg; the local unit is
    always included.
    """
    host = charm.host
    me = host.unit_name.replace("/", "-")

    def entry(address: str, network: str | None, key: str) -> dict[str, Any]:
        found = dict(peers.ip_map(key)) if peers is not None else {}
        found[me] = address
        ordered = sorted(found.items(), key=lambda item: (unit_number(item[0]), item[0]))
        network = network or (f"{address}/128" if is_ipv6(address) else f"{address}/32")
        return {"network": network, "backends": dict(ordered)}

    main = local_address(charm)
    hosts = {main: entry(main, host.binding_network("cluster"), "private-address")}
    for endpoint_type in sorted(ENDPOINT_TYPES):
        address, network = netaddrs.endpoint_address(host, endpoint_type)
        if address and address not in hosts:
            hosts[address] = entry(address, network, f"{endpoint_type}-address")
    return hosts
