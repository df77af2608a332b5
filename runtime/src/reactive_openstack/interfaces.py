"""What the runtime calls on each relation endpoint the charm class consumes, as Protocols.

The interface layers (hooks/relations/<name>/ in a built charm) and the test fakes
(testing_interfaces.py, testing_tls.py, testing_ceph.py) both satisfy these, so charm code and
the runtime can be typed against the endpoint rather than ``Any`` and a fake cannot drift from
the layer unnoticed. Values are as the layers return them: text, or an int for ports (the fakes
hand back the raw text; templates render both alike).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "AMQPEndpoint",
    "BrokerAnswer",
    "CephClientEndpoint",
    "CertificatesEndpoint",
    "ClusterPeers",
    "HAClusterEndpoint",
    "IssuedCertificate",
    "KeystoneEndpoint",
    "SharedDBEndpoint",
]


@runtime_checkable
class SharedDBEndpoint(Protocol):
    """``shared-db`` (interface mysql-shared): databases and users from a MySQL server."""

    def configure(
        self, database: str, username: str, hostname: str | None = None, prefix: str | None = None
    ) -> None: ...
    def db_host(self) -> str | None: ...
    def db_port(self) -> int | str | None: ...
    def password(self, prefix: str | None = None) -> str | None: ...
    def database(self, prefix: str | None = None) -> str | None: ...
    def username(self, prefix: str | None = None) -> str | None: ...
    def ssl_ca(self) -> str | None: ...
    def ssl_cert(self) -> str | None: ...
    def ssl_key(self) -> str | None: ...


@runtime_checkable
class AMQPEndpoint(Protocol):
    """``amqp`` (interface rabbitmq): a user and vhost on the brokers."""

    def request_access(self, username: str, vhost: str, hostname: str | None = None) -> None: ...
    def username(self) -> str | None: ...
    def vhost(self) -> str | None: ...
    def password(self) -> str | None: ...
    def ssl_port(self) -> int | str | None: ...
    def ssl_ca(self) -> str | None: ...
    def ha_queues(self) -> object: ...
    def clustered(self) -> object: ...
    def vip(self) -> str | None: ...
    def rabbitmq_ready_hosts(self) -> list[str]: ...


@runtime_checkable
class KeystoneEndpoint(Protocol):
    """``identity-service`` (interface keystone): the catalog entry and service credentials.

    Besides these, one accessor method per key of wire_keys.KEYSTONE_KEYS (``auth_host()``
    ...), which the layer and FakeKeystone both build from that list.
    """

    def register_endpoints(
        self,
        service: str,
        region: str,
        public_url: str,
        internal_url: str,
        admin_url: str,
        requested_roles: list[str] | None = None,
        add_role_to_admin: list[str] | None = None,
    ) -> None: ...
    def get(self, key: str) -> Any: ...
    def base_data_complete(self) -> bool: ...


@runtime_checkable
class HAClusterEndpoint(Protocol):
    """``ha`` (interface hacluster): corosync's binding and the CRM resources."""

    def bind_on(self, iface: str | None = None, mcastport: int = 4440) -> None: ...
    def publish_resources(self, crm: dict[str, Any]) -> None: ...
    def is_clustered(self) -> bool: ...


@runtime_checkable
class ClusterPeers(Protocol):
    """``cluster`` (interface openstack-ha): the peers' addresses for haproxy's backends."""

    def set_address(self, address_type: str, address: str) -> None: ...
    def ip_map(self, address_key: str = "private-address") -> list[tuple[str, str]]: ...


class IssuedCertificate(Protocol):
    """One answer of the certificate authority (``.cert`` and ``.key``, PEM)."""

    @property
    def cert(self) -> str: ...
    @property
    def key(self) -> str: ...


@runtime_checkable
class CertificatesEndpoint(Protocol):
    """``certificates`` (interface tls-certificates): server certificates for the API."""

    @property
    def relations(self) -> Sized: ...
    @property
    def server_certs_map(self) -> Mapping[str, IssuedCertificate]: ...
    def request_server_cert(self, cn: str, sans: list[str] | None = None) -> None: ...
    def get_ca(self) -> str | None: ...
    def get_chain(self) -> str | None: ...


class BrokerAnswer(Protocol):
    """The ceph broker's answer to the current request."""

    @property
    def ok(self) -> bool: ...
    @property
    def request_id(self) -> str: ...
    @property
    def stderr(self) -> str: ...


@runtime_checkable
class CephClientEndpoint(Protocol):
    """``ceph`` (interface ceph-client): pools from ceph-mon, the key and the mons."""

    @property
    def relations(self) -> Sized: ...
    @property
    def key(self) -> str | None: ...
    @property
    def auth(self) -> str | None: ...
    @property
    def rbd_features(self) -> int | None: ...
    def create_replicated_pool(
        self, name: str, replicas: int = 3, app_name: str | None = None, **options: Any
    ) -> None: ...
    def mon_hosts(self) -> Sequence[str]: ...
    def broker_response(self) -> BrokerAnswer | None: ...
