"""Time the real peer backends: cold and warm start, one provisioning round, stop.

Why: the e2e suite's run time is mostly these daemons; bench/results/real-services.md records
what this prints. Needs root and scripts/setup-e2e.sh. Uses non-default loopback ports so a
running model or system instance is not disturbed.
Run: .venv/bin/python bench/real_services_timing.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from typing import Protocol

from charmsmith.model.peers.real import Keystone, MariaDB, RabbitMQ

URL = "http://127.0.0.1:9292"


class _Service(Protocol):
    def start(self) -> object: ...
    def stop(self) -> object: ...


def timed(results: dict[str, float], name: str, action: Callable[[], object]) -> None:
    begin = time.monotonic()
    action()
    results[name] = round(time.monotonic() - begin, 2)


def main() -> None:
    root = tempfile.mkdtemp(prefix="cs-bench-")
    os.chmod(root, 0o711)
    mariadb = MariaDB(f"{root}/mysql", port=3307, progress=None)
    rabbit = RabbitMQ(f"{root}/rabbit", port=5673, epmd_port=4371, dist_port=25674, progress=None)
    keystone = Keystone(f"{root}/keystone", mariadb, port=5001, progress=None)
    services: dict[str, _Service] = {"mariadb": mariadb, "rabbitmq": rabbit, "keystone": keystone}
    try:
        for label in ("cold", "warm"):
            starts: dict[str, float] = {}
            for name, service in services.items():
                timed(starts, name, service.start)
            timed(starts, "ensure_service_user", lambda: keystone.ensure_service_user("glance"))
            timed(
                starts,
                "register_endpoints",
                lambda: keystone.register_endpoints("glance", "image", "RegionOne", URL, URL, URL),
            )
            timed(starts, "rabbit ensure_user", lambda: rabbit.ensure_user("g", "pw", "os"))
            timed(starts, "ensure_database", lambda: mariadb.ensure_database("g", "g", "pw", ["%"]))
            stops: dict[str, float] = {}
            for name, service in reversed(services.items()):
                timed(stops, name, service.stop)
            print(label, "start/provision:", starts, "stop:", stops)
    finally:
        for service in reversed(services.values()):
            service.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
