"""Requires side of the ``mysql-shared`` interface (relation usually named ``shared-db``).

The charm asks a MySQL server (percona-cluster, mysql-innodb-cluster via mysql-router, ...) for
one or more databases and users; the server answers with its address, the passwords and the
units allowed to connect. ``.available`` waits until our unit is among the allowed units (a
server lists a unit only once its grants exist, so connecting earlier would fail). What we
asked for is read back from our own unit databag, so request and server view never disagree.

Details (wire keys, prefixes, flags): docs/architecture.md, 'Interface layer APIs'.
"""

from __future__ import annotations

import json

from charmhelpers.core import hookenv
from charms.layer.charmsmith_endpoint import (
    FlagEndpoint,
    RelationValue,
    toggle_flag,
    wire_port,
    wire_text,
)

FLAG_SUFFIXES: tuple[str, ...] = ("connected", "available", "available.ssl")

# A prefixed request is recognised in our own databag by this suffix.
_DATABASE_SUFFIX = "_database"


def _unit_list(value: str | None) -> list[str]:
    """Parse ``allowed_units``: space-separated names, tolerating any whitespace or a JSON list."""
    if value is None:
        return []
    stripped = value.strip()
    if stripped.startswith("["):
        try:
            decoded = json.loads(stripped)
        except ValueError:
            decoded = None
        if isinstance(decoded, list):
            return [str(item).strip() for item in decoded if str(item).strip()]
    return stripped.split()


def _check_prefix(prefix: str | None, plain_sent: bool, prefixed_sent: bool) -> None:
    """Refuse requests the MySQL charms would never serve (charm-percona-cluster
    hooks/percona_hooks.py shared_db_changed; charm-helpers contrib/database/mysql.py
    get_db_data): the prefix is the text before the first '_', and percona-cluster serves only
    the plain request when one is present, so mixing the two loses the prefixed databases."""
    if prefix is not None and not prefix:
        raise ValueError("database prefix must be None or a non-empty string")
    if prefix and "_" in prefix:
        raise ValueError(
            f"database prefix {prefix!r} must not contain '_': the MySQL charms take the text "
            "before the first '_' as the prefix"
        )
    if (prefix and plain_sent) or (prefix is None and prefixed_sent):
        raise ValueError(
            "database requests must be all plain or all prefixed: percona-cluster serves only "
            "the plain request when one is present"
        )


def _key(name: str, prefix: str | None) -> str:
    return f"{prefix}_{name}" if prefix else name


class MySQLSharedRequires(FlagEndpoint):
    """Consumer side of the mysql-shared interface."""

    # -- flags ---------------------------------------------------------------------------------

    def update_flags(self) -> None:
        joined = self.is_joined
        available = joined and not self._series_upgrading() and self._access_granted()
        toggle_flag(self.flag("connected"), joined)
        toggle_flag(self.flag("available"), available)
        toggle_flag(self.flag("available.ssl"), available and self.ssl_ca() is not None)

    def _series_upgrading(self) -> bool:
        value = self.remote("cluster-series-upgrading")
        return value is not None and value.strip().lower() == "true"

    def _requested(self) -> list[str | None]:
        """Prefixes we asked for (None = the unprefixed request); unprefixed if none yet."""
        requested: list[str | None] = []
        if self.local("database") is not None:
            requested.append(None)
        requested.extend(self.prefixes())
        return requested or [None]

    def _access_granted(self) -> bool:
        if not self.base_data_complete():
            return False
        me = hookenv.local_unit()
        return all(me in self.allowed_units(prefix) for prefix in self._requested())

    # -- what we send --------------------------------------------------------------------------

    def configure(
        self,
        database: str,
        username: str,
        hostname: str | None = None,
        prefix: str | None = None,
    ) -> None:
        """Ask for ``database`` owned by ``username``, connecting from ``hostname``.

        ``hostname`` defaults to this relation's binding address (the address the server sees
        us connect from), else the unit's private address.  Values go out as raw strings,
        only when they differ from what was already sent.
        """
        _check_prefix(prefix, self.local("database") is not None, bool(self.prefixes()))
        host = hostname or self.own_address()
        settings = {
            _key("database", prefix): database,
            _key("username", prefix): username,
            _key("hostname", prefix): host,
        }
        self.publish_raw({key: value for key, value in settings.items() if value is not None})
        self.update_flags()

    # -- what we read --------------------------------------------------------------------------

    db_host = RelationValue("Address of the database server (or its VIP / router).")
    ssl_ca = RelationValue("Base64 CA the server's certificate is signed with.")
    ssl_cert = RelationValue("Base64 client certificate, when the server hands one out.")
    ssl_key = RelationValue("Base64 client key, when the server hands one out.")

    def db_port(self) -> int | None:
        """Server port when sent and numeric (mysql-router uses a non-default one)."""
        return wire_port(self.remote("db_port"))

    def password(self, prefix: str | None = None) -> str | None:
        """Password for the (prefixed) user."""
        return self.remote(_key("password", prefix))

    def allowed_units(self, prefix: str | None = None) -> list[str]:
        """Units granted access to the (prefixed) database; empty when not sent."""
        return _unit_list(self.remote(_key("allowed_units", prefix)))

    def database(self, prefix: str | None = None) -> str | None:
        """The database name we asked for."""
        return self.local(_key("database", prefix))

    def username(self, prefix: str | None = None) -> str | None:
        """The user name we asked for."""
        return self.local(_key("username", prefix))

    def hostname(self, prefix: str | None = None) -> str | None:
        """The address we said we would connect from."""
        return self.local(_key("hostname", prefix))

    def prefixes(self) -> list[str]:
        """Prefixes of the databases we asked for under ``<prefix>_database``, sorted."""
        found: set[str] = set()
        for relation in self.relations:
            local = relation.to_publish_raw
            for key in local.data or {}:
                prefix = key[: -len(_DATABASE_SUFFIX)]
                if key.endswith(_DATABASE_SUFFIX) and prefix and wire_text(local.get(key)):
                    found.add(prefix)
        return sorted(found)

    def base_data_complete(self) -> bool:
        """``db_host`` plus, for each requested database, its password and allowed units."""
        if self.db_host() is None:
            return False
        return all(
            self.password(prefix) is not None and self.allowed_units(prefix)
            for prefix in self._requested()
        )
