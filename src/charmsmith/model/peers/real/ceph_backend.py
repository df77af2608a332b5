"""The ceph-mon peer's `real` backend: the broker's pool work and keys done by a real Ceph.

Why its own module: peers/real/backends.py holds the mysql/rabbitmq/keystone adapters; this one
adapts peers/real/ceph.py (a single-node Ceph) to the Cluster protocol of peers/ceph_rules.py,
running the commands charm-helpers' ReplicatedPool runs (contrib/storage/linux/ceph.py
`_create`, `_post_create`, `update_pool`, `set_app_name_for_pool`) and charms.ceph's
`get_named_key` (`ceph auth get-or-create` with the default caps).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from charmsmith.model.peers import ceph_rules as rules
from charmsmith.model.peers.ceph_mon import EmulatedCeph
from charmsmith.model.peers.real.ceph import Ceph
from charmsmith.model.peers.real.server_backend import ServerBackend
from charmsmith.model.peers.real.supervisor import ServiceError

AUTOSCALER_DEFAULT_PGS = 32
DEFAULT_CAPS = (
    'allow r; allow command "osd blacklist"; allow command "osd blocklist"',
    "allow rwx",
)


class RealCeph(ServerBackend[Ceph], EmulatedCeph):
    """ceph-mon peer on a private single-node Ceph (mon on the peer's address)."""

    def make_server(self, state_dir: Path, address: str) -> Ceph:
        return Ceph(state_dir, address=address)

    def osd_count(self) -> int:
        self.live()
        return self.server.osd_count()

    def pool_exists(self, name: str) -> bool:
        self.live()
        return name in self.server.pools()

    def create_pool(self, pool: rules.PoolRequest) -> None:
        """ReplicatedPool.create on the real cluster; a refused command raises CephRefused."""
        pg_num = pool.pg_num or 8  # get_pgs' minimum on a cluster this small
        steps = [
            [
                "osd",
                "pool",
                "create",
                f"--pg-num-min={min(AUTOSCALER_DEFAULT_PGS, pg_num)}",
                pool.name,
                str(pg_num),
                pool.crush_profile,
            ],
            ["osd", "pool", "set", pool.name, "size", str(pool.replicas)],
            ["osd", "pool", "set", pool.name, "target_size_ratio", str(pool.weight / 100.0)],
        ]
        for args in steps:
            try:
                self.server.ceph(*args)
            except ServiceError as err:
                raise rules.CephRefused(str(err)) from err
        try:  # set_app_name_for_pool: a failure is only a warning upstream
            self.server.ceph("osd", "pool", "application", "enable", pool.name, pool.app_name)
        except ServiceError:
            pass

    def pools(self) -> dict[str, dict[str, Any]]:
        return {name: {} for name in self.server.pools()}

    def make_key(self, client: str) -> str:
        """`ceph auth get-or-create client.<name>` with get_named_key's default caps."""
        self.live()
        mon_caps, osd_caps = DEFAULT_CAPS
        out = self.server.ceph(
            "auth", "get-or-create", f"client.{client}", "mon", mon_caps, "osd", osd_caps
        ).stdout
        return out.split("key = ", 1)[1].split()[0]
