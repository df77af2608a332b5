"""MySQL's side of `mysql-shared` (shared-db).

Wire: consumers send database/username/hostname, or `<prefix>_database` etc. for several
databases. We answer db_host, db_port, and per database a password and `allowed_units` (space
separated names of the units that asked for it) — plain keys, or `<prefix>_password` /
`<prefix>_allowed_units`. The consumer only turns `.available` once its own unit is listed.
"""

from __future__ import annotations

from typing import ClassVar

from charmsmith.model.peers.base import Backend, PeerApp, PeerView


class MySQLBackend(Backend):
    def grant(self, database: str, username: str, hostnames: list[str]) -> str:
        """Create database + user, allow it from hostnames; return the password."""
        grants = self.state.setdefault("databases", {}).setdefault(database, {})
        grants[username] = sorted(set(grants.get(username, [])) | set(hostnames))
        return self.secret(f"db:{database}:{username}")

    def revoke(self, database: str, username: str) -> None:
        """Drop the user's grant on the database (the database itself stays, as in MySQL)."""
        self.state.get("databases", {}).get(database, {}).pop(username, None)


class EmulatedMySQL(MySQLBackend):
    name = "emulated"


class MySQL(PeerApp):
    kind = "mysql"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {"shared-db": ("provides", "mysql-shared")}
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": EmulatedMySQL}
    REAL_BACKEND = "charmsmith.model.peers.real.backends:RealMySQL"
    backend: MySQLBackend

    @staticmethod
    def requests(view: PeerView) -> dict[str, dict[tuple[str, str], dict[str, str]]]:
        """prefix ("" for the plain keys) -> (database, username) -> units/hostnames asking."""
        wanted: dict[str, dict[tuple[str, str], dict[str, str]]] = {}
        for unit in view.remote_units():
            data = view.remote_data(unit)
            for key, database in data.items():
                if not key.endswith("database"):
                    continue
                prefix = key[: -len("database")]
                if prefix and not prefix.endswith("_"):
                    continue
                username = data.get(f"{prefix}username")
                if not username:
                    continue
                hostname = data.get(f"{prefix}hostname") or data.get("private-address", "")
                wanted.setdefault(prefix, {}).setdefault((database, username), {})[unit] = hostname
        return wanted

    def forget(self, view: PeerView) -> None:
        """Relation removed: the grants it asked for are dropped."""
        for requests in self.requests(view).values():
            for database, username in requests:
                self.backend.revoke(database, username)

    def respond(self, view: PeerView) -> None:
        wanted = self.requests(view)
        if not wanted:
            return
        answer = {"db_port": "3306"}
        for prefix, requests in sorted(wanted.items()):
            for (database, username), units in sorted(requests.items()):
                password = self.backend.grant(database, username, list(units.values()))
                answer[f"{prefix}password"] = password
                answer[f"{prefix}allowed_units"] = " ".join(
                    sorted(units, key=view.model.unit_sort_key)
                )
        for unit in view.my_units():
            view.publish(unit, {**answer, "db_host": view.address(unit)})
