"""The `real` backends for the model's peers: the peer interface, served by real daemons.

Why adapters: the peers (charmsmith.model.peers.{mysql,rabbitmq,keystone}) speak the wire
protocol and call a small backend API (`grant`, `service_user`, `register`, `catalog`); the
`emulated` backends keep results in model state. These subclasses implement the same API with
MariaDB, RabbitMQ and Keystone from Debian packages, so a peer switches backend without knowing.
Any process can start or stop them: their state is in files and pidfiles.

Details: docs/real-services.md, 'Wiring into the model'.
"""

from __future__ import annotations

from pathlib import Path

from charmsmith.keystone_services import catalog_type
from charmsmith.model import network
from charmsmith.model.peers.keystone import KeystoneBackend
from charmsmith.model.peers.mysql import MySQLBackend
from charmsmith.model.peers.rabbitmq import RabbitMQBackend
from charmsmith.model.peers.real.keystone import Keystone
from charmsmith.model.peers.real.mariadb import MariaDB
from charmsmith.model.peers.real.rabbitmq import RabbitMQ
from charmsmith.model.peers.real.server_backend import ServerBackend
from charmsmith.model.peers.real.supervisor import ServiceError

# The emulated keystone answers the legacy admin port; the real one serves the API there too.
ADMIN_PORT = 35357


class RealMySQL(ServerBackend[MariaDB], MySQLBackend):
    """mysql peer on a private MariaDB listening on the peer's address, port 3306."""

    USERS = ("mysql",)

    def make_server(self, state_dir: Path, address: str) -> MariaDB:
        return MariaDB(state_dir, address=address, port=3306)

    def grant(self, database: str, username: str, hostnames: list[str]) -> str:
        """Database + user for each asking host (the units' addresses), one stable password."""
        self.live()
        password = super().grant(database, username, hostnames)
        hosts = sorted({h for h in hostnames if h}) or ["%"]
        self.server.ensure_database(database, username, password, hosts)
        return password


class RealRabbitMQ(ServerBackend[RabbitMQ], RabbitMQBackend):
    """rabbitmq peer on a private RabbitMQ node, AMQP on the peer's address, port 5672."""

    USERS = ("rabbitmq",)

    def make_server(self, state_dir: Path, address: str) -> RabbitMQ:
        return RabbitMQ(state_dir, address=address, port=5672)

    def start(self) -> float:
        """Start the node; refuse in one line when another node holds the fixed loopback ports
        (Erlang would fail with a crash dump instead)."""
        if not self.server.running():
            ports = [self.server.dist_port]
            if not self.server.epmd.running():
                ports.append(self.server.epmd_port)
            busy = [port for port in sorted(ports) if network.accepts("127.0.0.1", port, 1)]
            if busy:
                raise ServiceError(
                    f"rabbitmq: 127.0.0.1 port(s) {', '.join(map(str, busy))} already in use, "
                    "probably by the real rabbitmq of another model: one per machine"
                )
        return self.server.start()

    def grant(self, username: str, vhost: str) -> str:
        self.live()
        password = super().grant(username, vhost)
        self.server.ensure_user(username, password, vhost)
        return password


class RealKeystone(ServerBackend[Keystone], KeystoneBackend):
    """keystone peer on a real Keystone (uwsgi, ports 5000 and 35357 on the peer's address).

    Keystone's own database is a socket-only MariaDB in its state directory, so it never
    competes with the mysql peer for port 3306. Service users live in domain `service_domain`,
    project `services`, role admin — what the peer's answer tells consumers.
    """

    USERS = ("keystone", "mysql")  # uwsgi and its private MariaDB
    service_domain = "service_domain"

    def make_server(self, state_dir: Path, address: str) -> Keystone:
        self.database = MariaDB(state_dir / "mysql", networking=False)
        return Keystone(
            state_dir / "keystone", self.database, address=address, admin_port=ADMIN_PORT
        )

    def start(self) -> float:
        return self.database.start() + self.server.start()

    def stop(self) -> bool:
        stopped = self.server.stop()
        return self.database.stop() or stopped

    def running(self) -> bool:
        return self.database.running() and self.server.running()

    def database_ready(self) -> bool:
        """Keystone's own database exists and db_sync/bootstrap ran (start() does both once)."""
        return self.server.bootstrapped_marker.exists()

    def service_user(self, service: str) -> tuple[str, str]:
        self.live()
        creds = self.server.ensure_service_user(service, domain=self.service_domain)
        return creds.username, creds.password

    def identity_data(self, service: str) -> dict[str, str]:
        """Real ids/ports for the identity-service answer (the emulated answer has made-up ids);
        a peer that knows this method merges it over its own answer."""
        self.live()
        creds = self.server.ensure_service_user(service, domain=self.service_domain)
        data = self.server.identity_service_data(creds)
        data["auth_port"] = str(ADMIN_PORT)
        return data

    def register(self, service: str, region: str, urls: dict[str, str]) -> None:
        self.live()
        super().register(service, region, urls)
        self.server.register_endpoints(
            service,
            catalog_type(service) or service,  # the peer refused unknown names already
            region,
            urls["public_url"],
            urls["internal_url"],
            urls["admin_url"],
        )

    def catalog(self) -> dict[str, dict[str, str]]:
        """service -> {region, public_url, internal_url, admin_url}, read from real Keystone."""
        self.live()
        result: dict[str, dict[str, str]] = {}
        for entry in self.server.catalog():
            if entry.get("type") == "identity":
                continue
            row: dict[str, str] = {}
            for endpoint in entry.get("endpoints", []):
                row["region"] = endpoint.get("region_id") or endpoint.get("region", "")
                row[f"{endpoint['interface']}_url"] = endpoint["url"]
            result[entry["name"]] = row
        return result


BACKENDS = {"mysql": RealMySQL, "rabbitmq": RealRabbitMQ, "keystone": RealKeystone}
