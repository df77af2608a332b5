"""MySQL's side of `mysql-shared` (shared-db), played as percona-cluster plays it.

Which requests are served and which units are listed in `allowed_units` follows
peers/mysql_rules.py (percona-cluster hooks/percona_hooks.py `shared_db_changed`, charm-helpers
contrib/database/mysql.py `get_allowed_units`): the plain request alone when a unit sends one,
else each prefix (text before the first '_') with database, username and hostname; a unit is
listed only if a grant exists for its host of record. The answer (`db_host`, passwords,
allowed units) is the same on every mysql unit, as percona's non-leaders copy the leader's.
The consumer only turns `.available` once its own unit is listed.
"""

from __future__ import annotations

from typing import ClassVar

import charmsmith.model.peers.mysql_rules as rules
from charmsmith.model.peers.base import Backend, PeerApp, PeerView


class MySQLBackend(Backend):
    def grant(self, database: str, username: str, hostnames: list[str]) -> str:
        """Create database + user, allow it from hostnames; return the password."""
        grants = self.state.setdefault("databases", {}).setdefault(database, {})
        grants[username] = sorted(set(grants.get(username, [])) | set(hostnames))
        return self.secret(f"db:{database}:{username}")

    def granted_hosts(self, database: str, username: str) -> set[str]:
        """Hosts the user may connect from to the database (what SHOW GRANTS would list)."""
        return set(self.state.get("databases", {}).get(database, {}).get(username, []))

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
    def requests(view: PeerView) -> list[rules.DatabaseRequest]:
        """Every request percona-cluster serves, remote unit by remote unit."""
        return [
            request
            for unit in view.remote_units()
            for request in rules.percona_requests(view.remote_data(unit))
        ]

    def forget(self, view: PeerView) -> None:
        """Relation removed: the grants it asked for are dropped."""
        for request in self.requests(view):
            self.backend.revoke(request.database, request.username)

    def respond(self, view: PeerView) -> None:
        requests = self.requests(view)
        if not requests:
            return
        passwords = {
            request: self.backend.grant(request.database, request.username, list(request.hosts))
            for request in requests
        }
        databags = {unit: view.remote_data(unit) for unit in view.remote_units()}
        answer: dict[str, str] = {}
        for request, password in passwords.items():
            granted = self.backend.granted_hosts(request.database, request.username)
            allowed = rules.allowed_units(databags, granted, request.database)
            answer[request.key("password")] = password
            answer[request.key("allowed_units")] = " ".join(allowed)
        for unit in view.my_units():
            view.publish(unit, {**answer, "db_host": view.address(unit)})
