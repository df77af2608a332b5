"""Requires side of the ``ceph-client`` interface (relation usually named ``ceph``).

The charm asks ceph-mon's broker for its pools and receives a cephx key and the monitor
addresses, speaking the wire of upstream's charm-interface-ceph-client (``src/lib/
base_requires.py``) and charm-helpers' ``contrib/storage/linux/ceph.py`` (``CephBrokerRq``,
``is_request_complete_for_rid``). Flags as upstream's; stricter than upstream, malformed or
partial data never raises one, and a broker refusal without a request id refuses the current
request, so the unit says it is blocked instead of waiting forever. The key is never logged.
Details: docs/ceph.md, 'The wire'.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any

from charmhelpers.core import hookenv, unitdata
from charms.reactive import Endpoint, clear_flag, is_flag_set, set_flag

API_VERSION = 1
AUTH_METHODS = ("cephx", "none")
#: A host name (RFC 1123 labels) with an optional port; IP literals are checked apart.
_HOSTNAME = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)


@dataclass(frozen=True)
class BrokerResponse:
    """One mon unit's answer to our current request (``exit_code`` 0 means done)."""

    unit: str
    request_id: str
    exit_code: int
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def request_id(ops: list[dict[str, Any]]) -> str:
    """The id charm-helpers gives a request: sha1 of its ops as sorted JSON."""
    return hashlib.sha1(json.dumps(ops, sort_keys=True).encode()).hexdigest()


def replicated_pool_op(
    name: str,
    replicas: int = 3,
    weight: float | None = None,
    pg_num: int | None = None,
    group: str | None = None,
    namespace: str | None = None,
    app_name: str | None = None,
) -> dict[str, Any]:
    """A ``create-pool`` op with every key CephBrokerRq.add_op_create_replicated_pool writes."""
    if pg_num and weight:
        raise ValueError("pg_num and weight are mutually exclusive")
    op: dict[str, Any] = {
        "op": "create-pool",
        "name": name,
        "replicas": replicas,
        "pg_num": pg_num,
        "crush-profile": None,
        "app-name": app_name,
    }
    for key in (
        "compression-algorithm",
        "compression-mode",
        "compression-required-ratio",
        "compression-min-blob-size",
        "compression-min-blob-size-hdd",
        "compression-min-blob-size-ssd",
        "compression-max-blob-size",
        "compression-max-blob-size-hdd",
        "compression-max-blob-size-ssd",
    ):
        op[key] = None
    op.update(
        {
            "group": group,
            "max-bytes": None,
            "max-objects": None,
            "group-namespace": namespace,
            "rbd-mirroring-mode": "pool",
            "weight": weight,
        }
    )
    return op


def _json_object(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _cephx_key(text: Any) -> str | None:
    """A cephx secret: strict base64 of at least 16 bytes (ceph-authtool's are 28)."""
    if not isinstance(text, str) or not text or text != text.strip():
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return text if len(raw) >= 16 else None


def _mon_address(text: str) -> str | None:
    """An address ceph.conf's ``mon host`` takes: IP (IPv6 bracketed) or host, optional port."""
    host, port = text, None
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed:
            return None
        port = rest[1:] if rest.startswith(":") else (None if not rest else "x")
    elif text.count(":") == 1:
        host, port = text.split(":")
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return text if _HOSTNAME.match(host) and not text.startswith("[") else None
    if address.version == 6:
        return f"[{address}]" + (f":{port}" if port else "")
    return str(address) + (f":{port}" if port else "")


class CephClientRequires(Endpoint):
    """Requirer side of ceph-client: pool requests out, key and mon addresses in."""

    # -- flags ---------------------------------------------------------------------------------

    def manage_flags(self) -> None:
        """Recompute the flags at the start of every hook (charms.reactive calls this)."""
        joined = self.is_joined
        prefix = self.expand_name("{endpoint_name}.")
        complete = joined and bool(self.auth and self.key and self.mon_hosts())
        self._toggle(prefix + "connected", joined)
        self._toggle(prefix + "available", complete)
        self._toggle(prefix + "pools.available", joined and self.pools_available)

    @staticmethod
    def _toggle(flag: str, value: bool) -> None:
        """Set or clear only on change: clear_flag() always forces handler re-tests."""
        if value and not is_flag_set(flag):
            set_flag(flag)
        elif not value and is_flag_set(flag):
            clear_flag(flag)

    # -- what we send --------------------------------------------------------------------------

    def current_ops(self) -> list[dict[str, Any]]:
        """The ops of the request in our databag (the same on every relation), or []."""
        for relation in self.relations:
            sent = _json_object(relation.to_publish_raw.get("broker_req"))
            if sent and isinstance(sent.get("ops"), list):
                return list(sent["ops"])
        return []

    @property
    def request_id(self) -> str | None:
        """Id of the request in our databag; None before any request."""
        for relation in self.relations:
            sent = _json_object(relation.to_publish_raw.get("broker_req"))
            if sent and isinstance(sent.get("request-id"), str):
                return sent["request-id"]
        return None

    def requested_pools(self) -> list[str]:
        return [
            name
            for op in self.current_ops()
            if op.get("op") == "create-pool" and isinstance(name := op.get("name"), str)
        ]

    def create_replicated_pool(self, name: str, replicas: int = 3, **options: Any) -> None:
        """Add a pool to our request (upstream's API); sent only when the request changes.

        ``options``: weight, pg_num, group, namespace, app_name (see replicated_pool_op).
        One op per pool: asking again with other values replaces that pool's op.
        """
        op = replicated_pool_op(name, replicas, **options)
        ops = self.current_ops()
        same = [
            i
            for i, old in enumerate(ops)
            if old.get("op") == "create-pool" and old.get("name") == name
        ]
        if same:
            ops[same[0]] = op
        else:
            ops.append(op)
        self.send_request_if_needed(ops)

    def create_pool(self, name: str, replicas: int = 3, weight: float | None = None) -> None:
        """Deprecated upstream name of create_replicated_pool."""
        self.create_replicated_pool(name, replicas, weight=weight)

    def send_request_if_needed(self, ops: list[dict[str, Any]]) -> bool:
        """Write ``broker_req`` on every relation whose request differs; True if any did."""
        rid = request_id(ops)
        text = json.dumps(
            {"api-version": API_VERSION, "ops": ops, "request-id": rid}, sort_keys=True
        )
        unit = hookenv.local_unit()
        sent = False
        for relation in self.relations:
            raw = relation.to_publish_raw
            if raw.get("broker_req") != text:
                raw["broker_req"] = text
                sent = True
            if raw.get("unit-name") != unit:
                raw["unit-name"] = unit
        if sent:
            # An answer without a request id (the broker's "Unexpected error") that is there now
            # answers an older request: remember it, so it is not taken for this one's.
            before = sorted({str(v) for _u, v in self._received(self.response_key) if v})
            unitdata.kv().set(self._answered_before_key, before)
            names = ", ".join(str(op.get("name")) for op in ops)
            hookenv.log(f"ceph: broker request {rid[:8]} sent (pools: {names})")
            clear_flag(self.expand_name("{endpoint_name}.pools.available"))
        return sent

    # -- what we read --------------------------------------------------------------------------

    def _received(self, key: str) -> list[tuple[str, Any]]:
        return [(unit.unit_name, unit.received_raw.get(key)) for unit in self.all_joined_units]

    @property
    def key(self) -> str | None:
        """The cephx key of client.<our application>; None unless well-formed."""
        for _unit, value in self._received("key"):
            if _cephx_key(value):
                return value
        return None

    @property
    def auth(self) -> str | None:
        for _unit, value in self._received("auth"):
            if value in AUTH_METHODS:
                return value
        return None

    @property
    def rbd_features(self) -> int | None:
        for _unit, value in self._received("rbd-features"):
            if isinstance(value, str) and value.isdigit():
                return int(value)
        return None

    def mon_hosts(self) -> list[str]:
        """Every mon unit's public address (ceph-proxy sends several space-separated), sorted."""
        hosts: set[str] = set()
        for _unit, value in self._received("ceph-public-address"):
            for word in value.split() if isinstance(value, str) else ():
                address = _mon_address(word)
                if address:
                    hosts.add(address)
        return sorted(hosts)

    @property
    def response_key(self) -> str:
        return "broker-rsp-" + hookenv.local_unit().replace("/", "-")

    @property
    def _answered_before_key(self) -> str:
        return self.expand_name("ceph-client.{endpoint_name}.answered-before")

    def broker_response(self) -> BrokerResponse | None:
        """The answer to our current request: a success if any unit gives one, else a refusal.

        Answers to an older request id, and values that are not a JSON object with an integer
        exit code, are no answer. A refusal without a request id (charms.ceph's broker answers
        an exception so, e.g. a pool size Ceph refuses) counts as refusing the current request
        unless it was already there when that request was sent.
        """
        current = self.request_id
        if current is None:
            return None
        before = set(unitdata.kv().get(self._answered_before_key) or [])
        found: list[BrokerResponse] = []
        for unit, value in self._received(self.response_key):
            data = _json_object(value)
            code = data.get("exit-code") if data else None
            if not data or not isinstance(code, int) or isinstance(code, bool):
                continue
            answers_ours = data.get("request-id") == current or (
                "request-id" not in data and code != 0 and value not in before
            )
            if answers_ours:
                stderr = data.get("stderr")
                found.append(BrokerResponse(unit, current, code, str(stderr or "")))
        found.sort(key=lambda rsp: not rsp.ok)
        return found[0] if found else None

    @property
    def pools_available(self) -> bool:
        response = self.broker_response()
        return response is not None and response.ok
