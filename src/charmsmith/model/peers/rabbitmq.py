"""RabbitMQ's side of the `rabbitmq` interface (amqp).

Wire: consumers send username and vhost; every rabbitmq unit answers with the user's password
and its own private-address (Juju already puts that key in each databag). The consumer builds
`rabbit://user:pass@host:5672/vhost` from the units that sent a password.
"""

from __future__ import annotations

from typing import ClassVar

from charmsmith.model.peers.base import Backend, PeerApp, PeerView


class RabbitMQBackend(Backend):
    def grant(self, username: str, vhost: str) -> str:
        """Create the vhost and user with full permissions on it; return the password."""
        self.state.setdefault("users", {}).setdefault(username, [])
        if vhost not in self.state["users"][username]:
            self.state["users"][username].append(vhost)
        return self.secret(f"amqp:{username}")

    def revoke(self, username: str, vhost: str) -> None:
        """Take the user's permissions on vhost away; a user left with none is deleted."""
        users = self.state.get("users", {})
        if vhost in users.get(username, []):
            users[username].remove(vhost)
        if username in users and not users[username]:
            del users[username]


class EmulatedRabbitMQ(RabbitMQBackend):
    name = "emulated"


class RabbitMQ(PeerApp):
    kind = "rabbitmq"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {"amqp": ("provides", "rabbitmq")}
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": EmulatedRabbitMQ}
    REAL_BACKEND = "charmsmith.model.peers.real.backends:RealRabbitMQ"
    backend: RabbitMQBackend

    def forget(self, view: PeerView) -> None:
        """Relation removed: the users it asked for lose their vhost (and go if left bare)."""
        for unit in view.remote_units():
            data = view.remote_data(unit)
            if data.get("username") and data.get("vhost"):
                self.backend.revoke(data["username"], data["vhost"])

    def respond(self, view: PeerView) -> None:
        requests = {}
        for unit in view.remote_units():
            data = view.remote_data(unit)
            if data.get("username") and data.get("vhost"):
                requests[data["username"]] = data["vhost"]
        if not requests:
            return
        # the classic interface carries one user per relation; the last asked wins, as upstream
        username, vhost = sorted(requests.items())[-1]
        password = self.backend.grant(username, vhost)
        for unit in view.my_units():
            view.publish(unit, {"password": password, "private-address": view.address(unit)})
