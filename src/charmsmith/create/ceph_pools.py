"""The ``ceph_pools`` answer: Ceph pools the charm asks ceph-mon's broker for.

Each pool is ``NAME[:REPLICAS[:APP]]`` as text (``glance``, ``glance:3:rbd``), or a mapping
``{name, replicas, app_name}`` in an answers file; replicas default to 3 and the application
to ``rbd``, as charm-helpers' replicated pool request does for the OpenStack services that
store images and volumes in RBD. No pools (the default) means no ceph relation at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from charmsmith.create import parsing
from charmsmith.create import validation as v

# A pool name safe in ceph.conf, service configs and shell arguments: Ceph itself takes almost
# any text, but these names end up unquoted in config files.
_POOL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
# Ceph application tags in use are short lowercase words (rbd, rgw, cephfs).
_APP = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
#: Ceph refuses a pool size above 10 (the monitor's `osd pool set size` rule), and since Pacific
#: a size of 1 unless `--yes-i-really-mean-it` is given, which ceph-mon's broker never passes.
MIN_REPLICAS = 2
MAX_REPLICAS = 10
_KEYS = ("name", "replicas", "app_name")


@dataclass(frozen=True)
class PoolAnswer:
    """One pool: its name, replica count and Ceph application tag."""

    name: str
    replicas: int = 3
    app_name: str = "rbd"

    def text(self) -> str:
        return f"{self.name}:{self.replicas}:{self.app_name}"


def parse(value: Any, key: str) -> list[Any]:
    """A YAML list (of texts or mappings), a flow list as text, or space-separated text."""
    if isinstance(value, list | tuple):
        return list(value)
    return parsing.as_list(value, key)


def validate(items: list[Any], key: str, got: Any = None) -> tuple[PoolAnswer, ...]:
    """Every pool well-formed, none listed twice."""
    pools = tuple(_pool(item, key) for item in items)
    seen: set[str] = set()
    for pool in pools:
        if pool.name in seen:
            raise v.fail(key, f"pool {pool.name!r} is listed twice")
        seen.add(pool.name)
    return pools


def _pool(item: Any, key: str) -> PoolAnswer:
    if isinstance(item, PoolAnswer):
        return item
    if isinstance(item, Mapping):
        unknown = sorted(str(k) for k in item if str(k).replace("-", "_") not in _KEYS)
        if unknown:
            raise v.fail(
                key, f"unknown pool key(s) {', '.join(unknown)}; use name, replicas, app_name"
            )
        fields = {str(k).replace("-", "_"): val for k, val in item.items()}
    elif isinstance(item, str):
        parts = item.strip().split(":")
        if len(parts) > 3:
            raise v.fail(key, f"{item!r} must be NAME[:REPLICAS[:APP]], e.g. glance:3:rbd")
        fields = dict(zip(_KEYS, parts, strict=False))
    else:
        raise v.fail(key, f"{item!r} must be NAME[:REPLICAS[:APP]], e.g. glance:3:rbd")
    name = fields.get("name")
    if not isinstance(name, str) or not _POOL.match(name):
        raise v.fail(
            key,
            f"pool name {name!r} must be lowercase letters, digits, '.', '_' or '-', starting "
            "with a letter or digit, at most 63 characters",
        )
    return PoolAnswer(
        name, _replicas(fields.get("replicas", 3), name, key), _app(fields, name, key)
    )


def _replicas(value: Any, name: str, key: str) -> int:
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not text.isdigit() or not MIN_REPLICAS <= int(text) <= MAX_REPLICAS:
        raise v.fail(
            key,
            f"pool {name}: replicas {value!r} must be a whole number "
            f"{MIN_REPLICAS}-{MAX_REPLICAS} (ceph-mon's broker cannot make a size-1 pool on "
            "Ceph 16 and later; 10 is Ceph's limit)",
        )
    return int(text)


def _app(fields: Mapping[str, Any], name: str, key: str) -> str:
    value = fields.get("app_name", "rbd")
    if not isinstance(value, str) or not _APP.match(value):
        raise v.fail(
            key,
            f"pool {name}: application {value!r} must be a lowercase word (letters, digits, "
            "'_' or '-', e.g. rbd, rgw, cephfs)",
        )
    return value


def text(pools: Any) -> str:
    """The form a prompt or ``--set`` accepts and parses back: ``glance:3:rbd cache:2:rbd``."""
    return " ".join(pool.text() for pool in pools)


def record(pools: Any) -> list[str]:
    return [pool.text() for pool in pools]
