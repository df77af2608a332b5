"""mysql-router's side of `mysql-shared` (shared-db): a subordinate beside each principal unit.

In a real deployment the consumer talks to a mysql-router subordinate on its own machine, which
forwards the request to mysql-innodb-cluster and answers with the local router's address. What
the consumer sees (peers/mysql_rules.py, after charm-mysql-router
src/lib/charm/openstack/mysql_router.py `proxy_db_and_user_responses`): `db_host` 127.0.0.1,
`db_port` 3306, the password per database, and its own unit alone in `allowed_units`; the plain
request and prefixed ones are served together. The cluster behind the router is emulated here
(grants kept in this peer's state); there is no real backend, since nothing would listen on
the unit's 127.0.0.1.
"""

from __future__ import annotations

from typing import ClassVar

import charmsmith.model.peers.mysql_rules as rules
from charmsmith.model.peers.base import Backend, PeerApp, PeerView
from charmsmith.model.peers.mysql import EmulatedMySQL, MySQLBackend


class MySQLRouter(PeerApp):
    kind = "mysql-router"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {"shared-db": ("provides", "mysql-shared")}
    SUBORDINATE = True
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": EmulatedMySQL}
    backend: MySQLBackend

    def respond(self, view: PeerView) -> None:
        for router in view.my_units():
            principal = view.model.unit(router).principal
            if principal is None or principal not in view.remote_units():
                continue
            requests = rules.router_requests(view.remote_data(principal))
            if not requests:
                view.model.unit(router).workload = {
                    "status": "waiting",
                    "message": "'shared-db' incomplete",
                }
                continue
            answer = {"db_host": rules.ROUTER_DB_HOST, "db_port": rules.ROUTER_DB_PORT}
            for request in requests:
                hosts = list(request.hosts)
                answer[request.key("password")] = self.backend.grant(
                    request.database, request.username, hosts
                )
                answer[request.key("allowed_units")] = principal
            view.publish(router, answer)
            view.model.unit(router).workload = {"status": "active", "message": "Unit is ready"}

    def forget(self, view: PeerView) -> None:
        """Relation removed: the grants its principals asked for are dropped."""
        for unit in view.remote_units():
            for request in rules.router_requests(view.remote_data(unit)):
                self.backend.revoke(request.database, request.username)
