"""In-memory stand-ins for the five interface layers' requires/peers objects.

Adapters, endpoint registration and HA code only ever call the accessor methods documented in
docs/architecture.md, so tests (ours and every generated charm's ``unit_tests/``) can hand these
fakes to the charm instead of building charms.reactive Endpoints and relation databags. Each fake
keeps the remote data in a plain dict and records what the charm sent, sending only on change
as the real interfaces do, so tests can assert that unchanged data is not re-sent.
Details and an example: docs/architecture.md, 'The Host seam'.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from reactive_openstack._text import unit_number
from reactive_openstack.wire_keys import KEYSTONE_BASE_KEYS, KEYSTONE_KEYS

if TYPE_CHECKING:
    from reactive_openstack.interfaces import (
        AMQPEndpoint,
        CephClientEndpoint,
        CertificatesEndpoint,
        ClusterPeers,
        HAClusterEndpoint,
        KeystoneEndpoint,
        SharedDBEndpoint,
    )
    from reactive_openstack.testing_ceph import FakeCephClient
    from reactive_openstack.testing_tls import FakeCertificates

__all__ = [
    "KEYSTONE_KEYS",
    "FakeHACluster",
    "FakeKeystone",
    "FakeMySQLShared",
    "FakeOpenStackHAPeers",
    "FakeRabbitMQ",
    "keystone_data",
]


def keystone_data(**overrides: Any) -> dict[str, Any]:
    """A complete, realistic keystone databag (override any key) for tests."""
    data: dict[str, Any] = {
        "service_host": "10.0.0.50",
        "service_protocol": "http",
        "service_port": "5000",
        "auth_host": "10.0.0.50",
        "auth_protocol": "http",
        "auth_port": "35357",
        "service_tenant": "services",
        "service_username": "congress",
        "service_password": "keystone-secret",
        "service_tenant_id": "a1b2c3",
        "service_domain": "service_domain",
        "api_version": "3",
    }
    data.update(overrides)
    return data


class _Remote:
    """An accessor method answering the remote value of the attribute's own name."""

    key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    def __get__(self, fake: _FakeInterface, owner: type | None = None) -> Callable[[], Any]:
        key = self.key
        return lambda: fake.get(key)


class _FakeInterface:
    """Common part: a remote databag and the endpoint (relation) name flags are keyed on."""

    endpoint_name = ""

    def __init__(self, endpoint_name: str | None = None, data: dict[str, Any] | None = None):
        if endpoint_name:
            self.endpoint_name = endpoint_name
        self.data: dict[str, Any] = dict(data or {})
        #: relation data this unit published, as the real interface would hold it
        self.sent: dict[str, Any] = {}
        #: one entry per call that actually changed published data (a relation-set)
        self.sends: list[dict[str, Any]] = []

    def _send(self, values: dict[str, Any]) -> None:
        changed = {k: v for k, v in values.items() if self.sent.get(k) != v}
        if changed:
            self.sent.update(changed)
            self.sends.append(changed)

    def get(self, key: str) -> Any:
        """Remote value by key (underscore or dash spelling), None when absent."""
        value = self.data.get(key)
        if value is None:
            value = self.data.get(key.replace("_", "-"))
        return value


class FakeKeystone(_FakeInterface):
    """Stand-in for ``KeystoneRequires`` (endpoint ``identity-service``)."""

    endpoint_name = "identity-service"

    def __init__(self, endpoint_name: str | None = None, **data: Any) -> None:
        super().__init__(endpoint_name, data)

    def register_endpoints(
        self,
        service: str,
        region: str,
        public_url: str,
        internal_url: str,
        admin_url: str,
        requested_roles: list[str] | None = None,
        add_role_to_admin: list[str] | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "service": service,
            "region": region,
            "public_url": public_url,
            "internal_url": internal_url,
            "admin_url": admin_url,
        }
        if requested_roles:
            values["requested_roles"] = ",".join(requested_roles)
        if add_role_to_admin:
            values["add_role_to_admin"] = ",".join(add_role_to_admin)
        self._send(values)

    def base_data_complete(self) -> bool:
        return all(self.get(key) for key in KEYSTONE_BASE_KEYS)

    def all_data(self) -> dict[str, Any]:
        return dict(self.data)


def _add_keystone_accessors() -> None:
    """One accessor per key of the shared list, as the keystone layer builds its own."""
    for key in KEYSTONE_KEYS:
        accessor = _Remote()
        accessor.key = key
        setattr(FakeKeystone, key, accessor)


_add_keystone_accessors()


class FakeMySQLShared(_FakeInterface):
    """Stand-in for ``MySQLSharedRequires`` (endpoint ``shared-db``).

    ``database``/``username`` seed what the charm would have requested with :meth:`configure`;
    remote keys (``db_host``, ``password``, ``<prefix>_password``, ``allowed_units``, ``ssl_ca``
    ...) go in ``data``.
    """

    endpoint_name = "shared-db"

    def __init__(
        self,
        endpoint_name: str | None = None,
        *,
        database: str | None = None,
        username: str | None = None,
        **data: Any,
    ) -> None:
        super().__init__(endpoint_name, data)
        self.requests: dict[str | None, dict[str, str | None]] = {}
        if database:
            self.requests[None] = {"database": database, "username": username, "hostname": None}

    def configure(
        self, database: str, username: str, hostname: str | None = None, prefix: str | None = None
    ) -> None:
        self.requests[prefix] = {"database": database, "username": username, "hostname": hostname}
        key = f"{prefix}_" if prefix else ""
        self._send(
            {f"{key}database": database, f"{key}username": username, f"{key}hostname": hostname}
        )

    def _remote(self, name: str, prefix: str | None) -> str | None:
        return cast("str | None", self.get(f"{prefix}_{name}" if prefix else name))

    def _local(self, name: str, prefix: str | None) -> str | None:
        return (self.requests.get(prefix) or {}).get(name)

    db_host = _Remote()
    db_port = _Remote()
    ssl_ca = _Remote()
    ssl_cert = _Remote()
    ssl_key = _Remote()

    def password(self, prefix: str | None = None) -> str | None:
        return self._remote("password", prefix)

    def allowed_units(self, prefix: str | None = None) -> list[str]:
        return str(self._remote("allowed_units", prefix) or "").split()

    def database(self, prefix: str | None = None) -> str | None:
        return self._local("database", prefix)

    def username(self, prefix: str | None = None) -> str | None:
        return self._local("username", prefix)

    def hostname(self, prefix: str | None = None) -> str | None:
        return self._local("hostname", prefix)

    def prefixes(self) -> list[str]:
        return sorted(p for p in self.requests if p)

    def base_data_complete(self) -> bool:
        return bool(self.db_host() and self.password())


class FakeRabbitMQ(_FakeInterface):
    """Stand-in for ``RabbitMQRequires`` (endpoint ``amqp``).

    ``hosts`` are the ready hosts (remote units that sent a password); the other remote keys
    (``password``, ``ssl_port``, ``ssl_ca``, ``ha_queues``, ``clustered``, ``vip``) go in data.
    """

    endpoint_name = "amqp"
    password = _Remote()
    ssl_port = _Remote()
    ssl_ca = _Remote()

    def __init__(
        self,
        endpoint_name: str | None = None,
        username: str | None = "congress",
        vhost: str | None = "openstack",
        hosts: list[str] | None = None,
        **data: Any,
    ) -> None:
        super().__init__(endpoint_name, data)
        self._username = username
        self._vhost = vhost
        self.hosts = list(hosts or [])

    def request_access(self, username: str, vhost: str, hostname: str | None = None) -> None:
        self._username, self._vhost = username, vhost
        self._send({"username": username, "vhost": vhost, "private-address": hostname})

    def username(self) -> str | None:
        return self._username

    def vhost(self) -> str | None:
        return self._vhost

    # how the brokers run: mirrored queues, a cluster behind a VIP
    ha_queues = _Remote()
    clustered = _Remote()
    vip = _Remote()

    def rabbitmq_ready_hosts(self) -> list[str]:
        return sorted(self.hosts) if self.password() else []


class FakeHACluster(_FakeInterface):
    """Stand-in for ``HAClusterRequires`` (endpoint ``ha``); ``sent`` holds the json_* keys."""

    endpoint_name = "ha"

    def __init__(self, endpoint_name: str | None = None, clustered: Any = None) -> None:
        super().__init__(endpoint_name, {"clustered": clustered} if clustered is not None else {})

    def bind_on(self, iface: str | None = None, mcastport: int = 4440) -> None:
        values: dict[str, Any] = {"corosync_mcastport": str(mcastport)}
        if iface:
            values["corosync_bindiface"] = iface
        self._send(values)

    def publish_resources(self, crm: dict[str, Any]) -> None:
        self._send({f"json_{k}": json.dumps(v, sort_keys=True) for k, v in crm.items()})

    def resources(self) -> dict[str, Any]:
        """The CRM sections as last published, decoded (a convenience for assertions)."""
        return {
            key[len("json_") :]: json.loads(value)
            for key, value in self.sent.items()
            if key.startswith("json_")
        }

    def is_clustered(self) -> bool:
        """As the layer reads ``clustered``: ``true``/``yes`` in any case (not ``1``/``on``)."""
        value = self.get("clustered")
        return value is True or str(value).lower() in ("true", "yes")


class FakeOpenStackHAPeers(_FakeInterface):
    """Stand-in for ``OpenStackHAPeers`` (peer endpoint ``cluster``).

    ``peers`` maps peer unit names (``congress/1``) to their databags, e.g.
    ``{"congress/1": {"private-address": "10.0.0.11", "public-address": "192.0.2.11"}}``.
    """

    endpoint_name = "cluster"

    def __init__(
        self, endpoint_name: str | None = None, peers: dict[str, dict[str, str]] | None = None
    ) -> None:
        super().__init__(endpoint_name)
        self.peers: dict[str, dict[str, str]] = {k: dict(v) for k, v in (peers or {}).items()}

    def set_address(self, address_type: str, address: str) -> None:
        self._send({f"{address_type}-address": address})

    def ip_map(self, address_key: str = "private-address") -> list[tuple[str, str]]:
        found = [
            (unit.replace("/", "-"), data[address_key])
            for unit, data in self.peers.items()
            if data.get(address_key)
        ]
        return sorted(found, key=lambda item: unit_number(item[0]))

    def peer_addresses(self, address_key: str = "private-address") -> list[str]:
        return [address for _, address in self.ip_map(address_key)]


if TYPE_CHECKING:  # each fake offers what the runtime calls on the endpoint it stands in for

    def _conforms() -> tuple[
        KeystoneEndpoint,
        SharedDBEndpoint,
        AMQPEndpoint,
        HAClusterEndpoint,
        ClusterPeers,
        CertificatesEndpoint,
        CephClientEndpoint,
    ]:
        return (
            FakeKeystone(),
            FakeMySQLShared(),
            FakeRabbitMQ(),
            FakeHACluster(),
            FakeOpenStackHAPeers(),
            FakeCertificates(),
            FakeCephClient(),
        )
