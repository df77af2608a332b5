"""A stand-in for the ``ceph-client`` requirer endpoint, for unit tests with FakeHost.

It offers the part of the interface layer's API the runtime reads (``relations``,
``create_replicated_pool``, ``key``, ``auth``, ``mon_hosts``, ``rbd_features``,
``broker_response``) and records the pools asked for, so a test answers what was asked:
``ceph = FakeCephClient(); host.endpoints["ceph"] = ceph``, then ``ceph.grant()`` or
``ceph.refuse("why")``, and ``ceph.sync_flags(host)`` to raise the flags the layer would.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FakeBrokerResponse", "FakeCephClient", "TEST_KEY"]

#: A well-formed cephx key (base64 of 28 bytes, as ceph-authtool makes them).
TEST_KEY = base64.b64encode(bytes(range(100, 128))).decode()


@dataclass(frozen=True)
class FakeBrokerResponse:
    """What the layer's ``broker_response()`` gives (``ok``, ``exit_code``, ``stderr``)."""

    unit: str
    request_id: str
    exit_code: int
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass
class FakeCephClient:
    """A joined ``ceph`` relation; ``joined=False`` plays one that has gone.

    Without ``key`` / ``mons`` the mons have not answered yet (ceph-mon sends nothing before
    its cluster has quorum and OSDs).
    """

    key: str | None = None
    auth: str | None = "cephx"
    mons: list[str] = field(default_factory=list)
    rbd_features: int | None = None
    joined: bool = True
    #: pool name -> (replicas, app name), in the order asked; ``requests_sent`` counts changes
    pools: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    requests_sent: int = 0
    response: FakeBrokerResponse | None = None

    @property
    def relations(self) -> list[str]:
        return ["ceph:1"] if self.joined else []

    @property
    def request_id(self) -> str | None:
        return f"req-{self.requests_sent}" if self.requests_sent else None

    def create_replicated_pool(
        self, name: str, replicas: int = 3, app_name: str | None = None, **_: Any
    ) -> None:
        if self.pools.get(name) != (replicas, app_name):
            self.pools[name] = (replicas, app_name)
            self.requests_sent += 1

    def mon_hosts(self) -> list[str]:
        return sorted(self.mons)

    def broker_response(self) -> FakeBrokerResponse | None:
        """The answer, only while it is for the current request (as the layer checks ids)."""
        if self.response is None or self.response.request_id != self.request_id:
            return None
        return self.response

    # -- the provider's side ---------------------------------------------------------------------

    def answer_keys(self, mons: list[str], key: str = TEST_KEY) -> None:
        self.key, self.mons = key, list(mons)

    def grant(self) -> None:
        """The broker created the pools of the current request."""
        self.response = FakeBrokerResponse("ceph-mon/0", str(self.request_id), 0)

    def refuse(self, stderr: str) -> None:
        self.response = FakeBrokerResponse("ceph-mon/0", str(self.request_id), 1, stderr)

    def sync_flags(self, host: Any) -> None:
        """Set or clear ceph.connected / .available / .pools.available as the layer would."""
        response = self.broker_response()
        wanted = {
            "ceph.connected": self.joined,
            "ceph.available": self.joined and bool(self.auth and self.key and self.mons),
            "ceph.pools.available": self.joined and response is not None and response.ok,
        }
        for flag, value in wanted.items():
            if value:
                host.set_flag(flag)
            else:
                host.clear_flag(flag)
