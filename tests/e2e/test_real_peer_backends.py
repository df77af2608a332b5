"""The model peers' `real` backends (adapters over MariaDB/RabbitMQ/Keystone) on loopback.

Why: the peers call only the backend API (grant, service_user, register, catalog); this proves
the real adapters honour it — and the answers a consumer gets work against the real servers —
before the model wires them into deploys.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from model_cli import listening
from real_host import private_dir, require_host

from charmsmith.model.peers.real.supervisor import group_members, pid_alive

pytestmark = pytest.mark.e2e

PORTS = (3306, 4370, 5000, 5672, 25673, 35357)


@pytest.fixture(scope="module")
def backends() -> Iterator[dict[str, Any]]:
    require_host(("/usr/bin/keystone-manage", "/usr/sbin/mariadbd"))
    busy = [port for port in PORTS if listening("127.0.0.1", port)]
    if busy:
        pytest.skip(f"loopback ports in use, the real backends' fixed ports: {busy}")
    from charmsmith.model.peers.real.backends import BACKENDS

    with private_dir("charmsmith-e2e-peers-") as root:
        made: dict[str, Any] = {}
        try:
            for kind, cls in BACKENDS.items():
                state: dict[str, Any] = {}
                cls.configure(state, root / kind, "127.0.0.1")
                made[kind] = cls(state)
                made[kind].start()
            yield made
        finally:
            for backend in made.values():
                backend.stop()


def test_real_backends_answer_like_emulated_ones(backends: dict[str, Any]) -> None:
    mysql, rabbit, keystone = backends["mysql"], backends["rabbitmq"], backends["keystone"]

    password = mysql.grant("glance", "glance", ["127.0.0.1"])
    assert password == mysql.grant("glance", "glance", ["127.0.0.1"])
    assert "glance" in mysql.server.databases()

    amqp = rabbit.grant("glance", "openstack")
    assert rabbit.server.permissions("openstack")["glance"] == (".*", ".*", ".*")
    assert rabbit.server.ctl("authenticate_user", "glance", amqp, check=False).returncode == 0

    username, secret = keystone.service_user("glance")
    assert keystone.server.token(username, secret, "services", domain="service_domain")
    urls = {f"{i}_url": "http://127.0.0.1:9292" for i in ("public", "internal", "admin")}
    keystone.register("glance", "RegionOne", urls)
    assert keystone.catalog()["glance"] == {"region": "RegionOne", **urls}
    data = keystone.identity_data("glance")
    assert data["service_domain"] == "service_domain" and data["auth_port"] == "35357"
    # The legacy admin port serves the same API.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open("http://127.0.0.1:35357/v3", timeout=10) as response:
        assert json.loads(response.read())["version"]["status"] == "stable"


def test_real_backends_stop_cleanly(backends: dict[str, Any]) -> None:
    pids = []
    for backend in backends.values():
        for daemon in vars(backend.server).values():
            if hasattr(daemon, "pidfile") and daemon.pid():
                pids.extend(group_members(daemon.pid()))
    db = backends["keystone"].database.daemon
    pids.extend(group_members(db.pid()))
    for backend in backends.values():
        assert backend.stop()
    assert not [pid for pid in pids if pid_alive(pid)]
    assert not [port for port in PORTS if listening("127.0.0.1", port)]
