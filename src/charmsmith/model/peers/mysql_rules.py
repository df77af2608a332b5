"""How percona-cluster and mysql-router read shared-db requests and grant access, as pure rules.

Why one module: the emulated mysql and mysql-router peers (and the real MariaDB backend behind
mysql) must be exactly as strict as the charms they stand for, or a requirer bug passes the local
model and fails on Juju. Followed: charm-percona-cluster hooks/percona_hooks.py
`shared_db_changed`; charm-helpers contrib/database/mysql.py `get_allowed_units`, `get_db_data`;
charm-mysql-router src/lib/charm/openstack/mysql_router.py; each rule names its function.

Details: docs/model.md, 'Fidelity' ('mysql (percona-cluster) and mysql-router').
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from charmsmith.model.peers.wire import group_by_prefix

REQUEST_FIELDS: tuple[str, ...] = ("database", "username", "hostname")
# Keys Juju puts in every databag; get_db_data drops them before splitting.
JUJU_KEYS: tuple[str, ...] = ("private-address", "ingress-address", "egress-subnets")
# The prefix mysql-router gives the plain request internally (MySQLRouterCharm._unprefixed).
ROUTER_UNPREFIXED = "MRUP"
ROUTER_DB_HOST = "127.0.0.1"
ROUTER_DB_PORT = "3306"  # mysql-router's base-port default


@dataclass(frozen=True)
class DatabaseRequest:
    """One database asked for; `prefix` is "" for the plain keys."""

    prefix: str
    database: str
    username: str
    hosts: tuple[str, ...]

    def key(self, name: str) -> str:
        """`password` / `allowed_units` under this request's prefix, as the server sends it."""
        return f"{self.prefix}_{name}" if self.prefix else name


def hosts(value: str) -> tuple[str, ...]:
    """A `hostname` value: a JSON list of hosts, or one host."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return (value,)
    if isinstance(parsed, list):
        return tuple(str(host) for host in parsed)
    return (value,)


def _request(prefix: str, fields: dict[str, str]) -> DatabaseRequest:
    database, username, hostname = (fields[name] for name in REQUEST_FIELDS)
    return DatabaseRequest(prefix, database, username, hosts(hostname))


def percona_requests(settings: dict[str, str]) -> list[DatabaseRequest]:
    """What percona-cluster serves from one remote unit's databag (`shared_db_changed`)."""
    if all(field in settings for field in REQUEST_FIELDS):
        return [_request("", settings)]
    return [
        _request(prefix, fields)
        for prefix, fields in group_by_prefix(settings).items()
        if all(field in fields for field in REQUEST_FIELDS)
    ]


def router_requests(settings: dict[str, str]) -> list[DatabaseRequest]:
    """What mysql-router forwards of its principal's request (`proxy_db_and_user_requests`)."""
    data = {k: v for k, v in settings.items() if k not in JUJU_KEYS}
    if all(field in data for field in REQUEST_FIELDS):
        for field in REQUEST_FIELDS:
            data[f"{ROUTER_UNPREFIXED}_{field}"] = data.pop(field)
    served = []
    for prefix, fields in group_by_prefix(data).items():
        if all(field in fields for field in REQUEST_FIELDS):
            plain = "" if prefix == ROUTER_UNPREFIXED else prefix
            served.append(_request(plain, fields))
    return served


def hosts_of_record(settings: dict[str, str], database: str) -> tuple[str, ...]:
    """The hosts get_allowed_units checks a unit's grant for (note: keyed by database name)."""
    for key in (f"{database}_hostname", "hostname"):
        if settings.get(key):
            return hosts(settings[key])
    return (settings.get("private-address", ""),)


def allowed_units(
    databags: dict[str, dict[str, str]], granted: set[str], database: str
) -> list[str]:
    """Units (in order) whose host of record holds a grant on the database (`get_allowed_units`)."""
    return [
        unit
        for unit, settings in databags.items()
        if any(host in granted for host in hosts_of_record(settings, database))
    ]
