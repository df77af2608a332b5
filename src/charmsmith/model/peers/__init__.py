"""Peer applications charmsmith plays itself (no hooks): keystone, mysql, mysql-router,
rabbitmq, hacluster, the certificates providers vault and self-signed-certificates, and
ceph-mon (the ceph-client broker).

`PEERS` maps the name given to `charmsmith model deploy NAME` to its class.
"""

from __future__ import annotations

from charmsmith.model.peers.base import PeerApp
from charmsmith.model.peers.ceph_mon import CephMon
from charmsmith.model.peers.certificates import SelfSignedCertificates, Vault
from charmsmith.model.peers.hacluster import HACluster
from charmsmith.model.peers.keystone import Keystone
from charmsmith.model.peers.mysql import MySQL
from charmsmith.model.peers.mysql_router import MySQLRouter
from charmsmith.model.peers.rabbitmq import RabbitMQ

PEERS: dict[str, type[PeerApp]] = {
    "keystone": Keystone,
    "mysql": MySQL,
    "mysql-router": MySQLRouter,
    "rabbitmq": RabbitMQ,
    "hacluster": HACluster,
    "vault": Vault,
    "self-signed-certificates": SelfSignedCertificates,
    "ceph-mon": CephMon,
}

__all__ = ["PEERS", "PeerApp"]
