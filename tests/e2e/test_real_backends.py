"""The real peer backends against the real daemons: MariaDB, RabbitMQ and Keystone from Debian.

Why: the emulated peers can only agree with our own reading of the protocols; these tests prove
the real backends hand out credentials that the real servers and the real CLIs (`mariadb`,
`rabbitmqctl`, `openstack`) accept, and that stopping leaves nothing running.
The services run once per module (Keystone's first start costs ~15 s) and the tests run in order.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_cli import free_port, listening
from real_host import private_dir, require_host

from charmsmith.model.peers.real import Keystone, MariaDB, RabbitMQ
from charmsmith.model.peers.real.supervisor import group_members, pid_alive

pytestmark = pytest.mark.e2e

NEEDED = {
    "mariadb-server": "/usr/sbin/mariadbd",
    "mariadb-client": "/usr/bin/mariadb",
    "rabbitmq-server": "/usr/lib/rabbitmq/bin/rabbitmq-server",
    "keystone": "/usr/bin/keystone-manage",
    "uwsgi": "/usr/bin/uwsgi",
    "uwsgi-plugin-python3": "/usr/lib/uwsgi/plugins/python3_plugin.so",
    "python3-openstackclient": "/usr/bin/openstack",
}


class Services:
    """The three backends of one test module, and the timings of their starts.

    Free loopback ports rather than the usual ones, so a system instance never clashes.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mariadb = MariaDB(root / "mysql", port=free_port())
        self.rabbitmq = RabbitMQ(
            root / "rabbitmq",
            port=free_port(),
            epmd_port=free_port(),
            dist_port=free_port(),
        )
        keystone_port = 5000 if not listening("127.0.0.1", 5000) else free_port()
        self.keystone = Keystone(root / "keystone", self.mariadb, port=keystone_port)
        self.timings: dict[str, float] = {}
        self.pids: list[int] = []

    def ports(self) -> list[int]:
        return [self.mariadb.port, self.rabbitmq.port, self.keystone.port]

    def daemons(self):
        return [self.mariadb.daemon, self.rabbitmq.daemon, self.rabbitmq.epmd, self.keystone.daemon]

    def stop(self) -> None:
        self.keystone.stop()
        self.rabbitmq.stop()
        self.mariadb.stop()


@pytest.fixture(scope="module")
def services() -> Iterator[Services]:
    require_host(NEEDED.values())
    with private_dir("charmsmith-e2e-") as root:
        yield from _started(Services(root))


def _started(svc: Services) -> Iterator[Services]:
    """The services started (timed, their pids noted), stopped again after the module."""
    try:
        for name, backend in (
            ("mariadb", svc.mariadb),
            ("rabbitmq", svc.rabbitmq),
            ("keystone", svc.keystone),
        ):
            begin = time.monotonic()
            backend.start()
            svc.timings[name] = time.monotonic() - begin
        for daemon in svc.daemons():
            pid = daemon.pid()
            assert pid is not None, f"{daemon.name} has no live pid after start"
            svc.pids.extend(group_members(pid))
        summary = ", ".join(f"{name} {secs:.1f} s" for name, secs in svc.timings.items())
        print(f"\nreal backend start times: {summary}")
        yield svc
    finally:
        svc.stop()


def test_mariadb_database_user_can_log_in(services: Services) -> None:
    db = services.mariadb
    password = secrets.token_urlsafe(16) + "'\\x"  # quotes and backslashes must survive
    db.ensure_database("e2e_app", "e2e_user", password, ["%", "localhost"])
    db.ensure_database("e2e_app", "e2e_user", password, ["%", "localhost"])  # idempotent

    # Log in over TCP like a unit would, password in a private option file (never in argv).
    creds = services.root / "client.cnf"
    fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    escaped = password.replace("\\", "\\\\").replace('"', '\\"')
    with os.fdopen(fd, "w") as handle:
        handle.write(f'[client]\nuser = e2e_user\npassword = "{escaped}"\n')
    result = subprocess.run(
        [
            "mariadb",
            f"--defaults-extra-file={creds}",
            "--host=127.0.0.1",
            f"--port={db.port}",
            "--batch",
            "--skip-column-names",
            "e2e_app",
            "-e",
            "CREATE TABLE probe (id INT PRIMARY KEY); SELECT CURRENT_USER();",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "e2e_user@%"
    assert db.tables("e2e_app") == ["probe"]
    assert "e2e_app" in db.databases()


def test_rabbitmq_user_and_vhost_permissions(services: Services) -> None:
    rabbit = services.rabbitmq
    password = secrets.token_urlsafe(16)
    rabbit.ensure_user("e2e-user", password, "e2e-vhost")
    rabbit.ensure_user("e2e-user", password, "e2e-vhost")  # idempotent: re-password, same rights

    listing = rabbit.ctl("list_permissions", "-p", "e2e-vhost").stdout
    rows = [line.split("\t") for line in listing.splitlines()]
    assert ["e2e-user", ".*", ".*", ".*"] in rows, listing
    assert rabbit.permissions("e2e-vhost")["e2e-user"] == (".*", ".*", ".*")
    # The stdin-fed password is the one the broker stores (argv is fine for a throwaway test one).
    assert rabbit.ctl("authenticate_user", "e2e-user", password, check=False).returncode == 0
    assert rabbit.ctl("authenticate_user", "e2e-user", "wrong", check=False).returncode != 0
    assert rabbit.transport_url("e2e-user", password, "e2e-vhost").endswith(
        f"@127.0.0.1:{rabbit.port}/e2e-vhost"
    )


def test_keystone_service_user_and_catalog(services: Services) -> None:
    keystone = services.keystone
    base = "http://192.0.2.10:9292"
    first = keystone.ensure_service_user("glance", role="admin")
    again = keystone.ensure_service_user("glance", role="admin")
    assert (first.user_id, first.password) == (again.user_id, again.password)
    assert "password=***" in repr(first) and first.password not in repr(first)

    ids = {
        keystone.register_endpoints("glance", "image", "RegionOne", base, base, base)
        for _ in range(2)
    }
    assert len(ids) == 1
    # The unit's internal address changed: the endpoint is updated, not duplicated.
    internal = "http://192.0.2.11:9292"
    keystone.register_endpoints("glance", "image", "RegionOne", base, internal, base)

    token = keystone.token(first.username, first.password, first.project_name)
    assert token.startswith("gAAAA")
    data = keystone.identity_service_data(first)
    assert data["service_tenant"] == "services" and data["service_username"] == "glance"
    assert all(data[key] for key in ("service_host", "auth_port", "service_tenant_id"))

    [entry] = [s for s in keystone.catalog() if s["name"] == "glance"]
    urls = {e["interface"]: e["url"] for e in entry["endpoints"]}
    assert urls == {"public": base, "internal": internal, "admin": base}

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **keystone.admin_env()}
    result = subprocess.run(
        ["openstack", "catalog", "show", "glance", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["type"] == "image"
    text = json.dumps(shown["endpoints"])
    for url in (base, internal):
        assert url in text
    assert len(entry["endpoints"]) == 3


def test_secrets_are_private(services: Services) -> None:
    keystone = services.keystone
    for path in (keystone.secrets_file, keystone.openrc):
        assert path.stat().st_mode & 0o077 == 0, path
    assert keystone.conf.stat().st_mode & 0o007 == 0
    secret_values = [keystone.admin_password, keystone.ensure_service_user("glance").password]
    for path in services.root.rglob("*"):
        if not path.is_file() or path in (keystone.secrets_file, keystone.openrc, keystone.conf):
            continue
        if path.parent.name == "data" or "mnesia" in path.parts:
            continue  # database files hold hashes, not our plain values, but skip binary stores
        content = path.read_bytes()
        for value in secret_values:
            assert value.encode() not in content, f"a password leaked into {path}"


def test_stop_leaves_no_process(services: Services) -> None:
    assert services.pids, "no daemon pids were recorded at start"
    services.stop()
    for daemon in services.daemons():
        assert not daemon.running(), daemon.name
        assert not daemon.pidfile.exists(), daemon.pidfile
    left = [pid for pid in services.pids if pid_alive(pid)]
    assert not left, f"processes left after stop: {left}"
    assert not [port for port in services.ports() if listening("127.0.0.1", port)]
    # Stopping again is a no-op, as the model's `destroy` may run after a failed start.
    services.stop()
