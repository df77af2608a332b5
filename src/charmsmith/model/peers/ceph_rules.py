"""How ceph-mon's broker reads a `ceph-client` request and answers it, as pure rules.

Every rule by which the model's ceph-mon peer reads a `broker_req`, runs its ops and refuses
them lives here, testable without a model; peers/ceph_mon.py applies them and the cluster
(emulated, or the real single-node Ceph) does the pool work behind the `Cluster` protocol.
Upstream: charms.ceph charms_ceph/broker.py (`process_requests`, `process_requests_v1`,
`handle_replicated_pool`) and charm-helpers contrib/storage/linux/ceph.py (`BasePool`,
`ReplicatedPool`, `validator`, `get_pgs`). The rules, one by one: docs/model.md, "ceph-mon".
"""

from __future__ import annotations

import base64
import json
import os
import struct
import time
from dataclasses import dataclass
from typing import Any, Protocol

# BasePool.op_validation_map: key -> (type, allowed values or None)
VALIDATED_OPS: dict[str, tuple[type, tuple[str, ...] | None]] = {
    "compression-algorithm": (str, ("lz4", "snappy", "zlib", "zstd")),
    "compression-mode": (str, ("none", "passive", "aggressive", "force")),
    "compression-required-ratio": (float, None),
    "compression-min-blob-size": (int, None),
    "compression-min-blob-size-hdd": (int, None),
    "compression-min-blob-size-ssd": (int, None),
    "compression-max-blob-size": (int, None),
    "compression-max-blob-size-hdd": (int, None),
    "compression-max-blob-size-ssd": (int, None),
    "rbd-mirroring-mode": (str, ("image", "pool")),
}
# process_requests_v1's other ops: known to the real broker, not played by the model.
UNPLAYED_OPS = frozenset(
    {
        "create-cephfs",
        "create-cache-tier",
        "remove-cache-tier",
        "create-erasure-profile",
        "delete-pool",
        "rename-pool",
        "snapshot-pool",
        "remove-pool-snapshot",
        "set-pool-value",
        "rgw-region-set",
        "rgw-zone-set",
        "rgw-regionmap-update",
        "rgw-regionmap-default",
        "rgw-create-user",
        "move-osd-to-bucket",
        "add-permissions-to-key",
        "set-key-permissions",
        "create-cephfs-client",
    }
)
DEFAULT_WEIGHT = 10.0  # BasePool: percent_data defaults to 10
DEFAULT_APP = "unknown"  # BasePool: app_name defaults to 'unknown'


class CephRefused(Exception):
    """A ceph command the broker ran failed (CalledProcessError upstream): the CLI's words."""


@dataclass(frozen=True)
class PoolRequest:
    """One replicated create-pool op, as ReplicatedPool reads it."""

    name: str
    replicas: int
    pg_num: int | None
    weight: float  # percent of the cluster's data (target_size_ratio = weight / 100)
    app_name: str
    crush_profile: str


class Cluster(Protocol):
    """What the broker asks of the cluster (the `ceph` CLI upstream)."""

    def osd_count(self) -> int: ...

    def pool_exists(self, name: str) -> bool: ...

    def create_pool(self, pool: PoolRequest) -> None:
        """Create, set size/target ratio, enable the application; CephRefused on refusal."""


@dataclass(frozen=True)
class BrokerResponse:
    """What the broker answers: exit code, stderr, and the request id when it echoes one."""

    exit_code: int
    stderr: str = ""
    request_id: str | None = None

    def encode(self) -> str:
        """json.dumps of upstream's dict, in its key order (exit-code, stderr, request-id)."""
        out: dict[str, Any] = {"exit-code": self.exit_code}
        if self.exit_code:
            out["stderr"] = self.stderr
        if self.request_id:
            out["request-id"] = self.request_id
        return json.dumps(out)


def request_id(raw: str) -> str | None:
    """`_get_broker_req_id`: the request's id, or None when the mon would ignore it."""
    try:
        found = json.loads(raw)["request-id"]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    return found if found else None


def response_key(remote_unit: str, data: dict[str, str]) -> str:
    """`broker-rsp-` + the requester's `unit-name` setting (else its unit), '/' as '-'."""
    return "broker-rsp-" + data.get("unit-name", remote_unit).replace("/", "-")


def key_name(remote_app: str, data: dict[str, str]) -> str:
    """`_get_client_application_name`: the unit's `application-name`, else its application."""
    return data.get("application-name", remote_app)


def process(raw: str, cluster: Cluster) -> BrokerResponse:
    """`process_requests` on a decodable request (request_id() was not None)."""
    reqs = json.loads(raw)
    rid = reqs.get("request-id")
    version = reqs.get("api-version")
    if version == 1:
        try:
            result = _process_v1(reqs["ops"], cluster)
        except Exception:  # noqa: BLE001 - upstream catches everything here
            return BrokerResponse(
                1, f"Unexpected error occurred while processing requests: {reqs!r}"
            )
        return BrokerResponse(result.exit_code, result.stderr, rid)
    return BrokerResponse(1, f"Missing or invalid api version ({version})", rid)


def _process_v1(ops: list[dict[str, Any]], cluster: Cluster) -> BrokerResponse:
    last: BrokerResponse | None = None
    for req in ops:
        op = req.get("op")
        if op == "create-pool":
            if req.get("pool-type") == "erasure":
                last = _erasure_pool(req)
            else:
                last = _replicated_pool(req, cluster)
        elif op in UNPLAYED_OPS:
            last = BrokerResponse(1, f"charmsmith model: broker op '{op}' is not played")
        else:
            return BrokerResponse(1, f"Unknown operation '{op}'")
    return last or BrokerResponse(0)


def _erasure_pool(req: dict[str, Any]) -> BrokerResponse:
    profile = req.get("erasure-profile") or "default-canonical"
    return BrokerResponse(
        1,
        f"erasure-profile {profile} does not exist.  Please create it with: create-erasure-profile",
    )


def _replicated_pool(req: dict[str, Any], cluster: Cluster) -> BrokerResponse | None:
    """handle_replicated_pool; None on success (upstream returns nothing). Raises as upstream."""
    replicas = req.get("replicas")
    pg_num = req.get("pg_num")
    if pg_num:
        # without replicas: TypeError, as upstream; with 0: ZeroDivisionError
        pg_num = min(pg_num, cluster.osd_count() * 100 // replicas)  # type: ignore[operator]
    if "name" not in req or "replicas" not in req:
        return BrokerResponse(1, "Missing parameter.")
    pool = PoolRequest(
        name=req["name"],
        replicas=replicas,  # type: ignore[arg-type]  # checked below, as get_pgs does
        pg_num=pg_num,
        weight=req.get("weight") or DEFAULT_WEIGHT,
        app_name=req.get("app-name") or DEFAULT_APP,
        crush_profile=req.get("crush-profile") or "replicated_rule",
    )
    if not isinstance(pool.name, str):
        raise TypeError(f"pool name {pool.name!r}")  # the ceph argv cannot hold it
    if not cluster.pool_exists(pool.name):
        validate(req)
        if not isinstance(replicas, int):
            raise AssertionError(f"{replicas} is not a {int}")  # get_pgs' validator
        if replicas == 0 and not pg_num:
            raise ZeroDivisionError("get_pgs: pool size 0")
        cluster.create_pool(pool)
    validate(req)  # pool.update()
    return None


def validate(req: dict[str, Any]) -> None:
    """BasePool.validate: ValueError("'<key>': ...") for a value of the wrong type or range."""
    for key, value in req.items():
        if key not in VALIDATED_OPS or value is None:
            continue
        kind, allowed = VALIDATED_OPS[key]
        if not isinstance(value, kind):
            raise ValueError(f"'{key}': {value} is not a {kind}")
        if allowed is not None and value not in allowed:
            raise ValueError(f"'{key}': {value} is not in the list {list(allowed)}")


def size_refusal(replicas: int) -> str | None:
    """What Ceph 16's `osd pool set <pool> size N` says to a size it refuses, else None (ceph
    src/mon/OSDMonitor.cc prepare_command_pool_set; mon_max_pool_size 10). Size 1 is refused
    even where `mon allow pool size one` is on, since update_pool never passes
    --yes-i-really-mean-it: the default cluster's words are given."""
    if replicas <= 0 or replicas > 10:
        return "Error EINVAL: pool size must be between 1 and 10"
    if replicas == 1:
        return "Error EPERM: configuring pool size as 1 is disabled by default."
    return None


def cephx_key(secret: bytes | None = None, created: float | None = None) -> str:
    """A cephx secret as `ceph-authtool --gen-print-key` prints it: base64 of type 1 (AES),
    creation time (u32 sec, u32 nsec), length 16 and the 16 secret bytes, little-endian
    (ceph src/auth/Crypto.cc CryptoKey::encode)."""
    secret = os.urandom(16) if secret is None else secret
    when = time.time() if created is None else created
    header = struct.pack("<HIIH", 1, int(when), int((when % 1) * 1e9), len(secret))
    return base64.b64encode(header + secret).decode()
