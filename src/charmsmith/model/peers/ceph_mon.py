"""ceph-mon's side of the `ceph-client` interface: keys, monitor addresses and the pool broker.

After charm-ceph-mon src/ceph_client.py (`CephClientProvides`) and charms.ceph's
`get_named_key`: every mon unit sends `auth`, its own `ceph-public-address` and the key of
`client.<application>`; only the leader runs `broker_req` (rules: peers/ceph_rules.py) and
answers `broker-rsp-<unit>` and `broker_rsp`. The cluster is ready for service from deploy on.
The emulated cluster plays 3 OSDs and keeps pools in the model state; the real backend
(peers/real/ceph_backend.py) is a single-node Ceph. Fidelity: docs/model.md, "ceph-mon".
"""

from __future__ import annotations

from typing import Any, ClassVar

import charmsmith.model.peers.ceph_rules as rules
from charmsmith.model.peers.base import Backend, PeerApp, PeerView

EMULATED_OSDS = 3  # ready_for_service's minimum when expected-osd-count is unset


class EmulatedCeph(Backend):
    """Pools in the peer state, keys under its `secrets` (the 0600 model state)."""

    name = "emulated"

    def osd_count(self) -> int:
        return EMULATED_OSDS

    def pool_exists(self, name: str) -> bool:
        return name in self.state.get("pools", {})

    def create_pool(self, pool: rules.PoolRequest) -> None:
        """`osd pool create` (pool made with the default size 3), then `osd pool set size`,
        which Ceph may refuse after the pool exists, then the target ratio and application."""
        pools = self.state.setdefault("pools", {})
        pools[pool.name] = {"size": 3, "application": ""}
        refusal = rules.size_refusal(pool.replicas)
        if refusal:
            raise rules.CephRefused(refusal)
        pools[pool.name] = {
            "size": pool.replicas,
            "application": pool.app_name,
            "target_size_ratio": pool.weight / 100.0,
        }

    def pools(self) -> dict[str, dict[str, Any]]:
        return dict(self.state.get("pools", {}))

    def named_key(self, client: str) -> str:
        """`ceph auth get-or-create client.<name>`: made once, then the same key, kept with
        the peer's secrets (a real cluster is asked once: each `ceph` call costs a second)."""
        store = self.state.setdefault("secrets", {})
        name = f"cephx:client.{client}"
        if name not in store:
            store[name] = self.make_key(client)
        return store[name]

    def make_key(self, client: str) -> str:
        return rules.cephx_key()


class CephMon(PeerApp):
    kind = "ceph-mon"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {"client": ("provides", "ceph-client")}
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": EmulatedCeph}
    REAL_BACKEND = "charmsmith.model.peers.real.ceph_backend:RealCeph"
    backend: EmulatedCeph

    def status(self) -> tuple[str, str]:
        return "active", "Unit is ready and clustered"

    def respond(self, view: PeerView) -> None:
        leader = next((u for u in view.my_units() if view.model.is_leader(u)), None)
        for unit in view.my_units():
            answer = {"auth": "cephx", "ceph-public-address": view.address(unit)}
            for remote in view.remote_units():
                data = view.remote_data(remote)
                answer["key"] = self.backend.named_key(rules.key_name(view.remote_app, data))
                if unit == leader and "broker_req" in data:
                    answer.update(self._broker(view, remote, data))
            view.publish(unit, answer)

    def _broker(self, view: PeerView, remote: str, data: dict[str, str]) -> dict[str, str]:
        """The leader's answer to one unit's request; {} for one it cannot read the id of."""
        raw = data["broker_req"]
        rid = rules.request_id(raw)
        if rid is None:
            view.model.store.log(
                view.app, "WARNING", f"Not able to decode request id for broker request {raw}"
            )
            return {}
        processed = self.backend.state.setdefault("processed", {})
        if rid not in processed:  # the real broker runs it again per hook: pools are idempotent
            response = rules.process(raw, self.backend)
            if response.exit_code:
                view.model.store.log(view.app, "ERROR", f"broker {rid}: {response.stderr}")
            processed[rid] = response.encode()
        encoded = processed[rid]
        return {rules.response_key(remote, data): encoded, "broker_rsp": encoded}
