"""RabbitMQ's side of the `rabbitmq` interface (amqp), as charm-rabbitmq-server answers it.

The leader answers once the rabbit cluster is complete; the other units join the cluster and copy
its answer a step later (PeerApp.step). Followed: charm-rabbitmq-server
hooks/rabbitmq_server_relations.py (`amqp_changed`), hooks/rabbit_utils.py
(`leader_node_is_ready`, `cluster_ready`, `client_node_is_ready`, `clustered`,
`assess_cluster_status`) and hooks/ssl_utils.py (`configure_client_ssl`).

Details: docs/model.md, 'Peers' (rabbitmq) and 'Fidelity' ('rabbitmq').
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from charmsmith.errors import CharmsmithError
from charmsmith.model.peers.base import Backend, PeerApp, PeerView

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI, ModelView

SSL_MODES = ("off", "on", "only")


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

    def ca_bundle(self) -> str:
        """The PEM CA the broker's certificates would be signed with (ServiceCA upstream).

        Made once with openssl and kept in the peer state; its key is thrown away, since no
        emulated broker serves TLS.
        """
        if "ca" not in self.state:
            with tempfile.TemporaryDirectory() as tmp:
                cert = Path(tmp) / "ca.pem"
                subprocess.run(
                    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650"]
                    + ["-subj", "/CN=charmsmith rabbitmq CA", "-keyout", str(Path(tmp) / "k")]
                    + ["-out", str(cert)],
                    check=True,
                    capture_output=True,
                )
                self.state["ca"] = cert.read_text()
        return self.state["ca"]


class EmulatedRabbitMQ(RabbitMQBackend):
    name = "emulated"


def requests(data: dict[str, str]) -> dict[str, tuple[str, str]]:
    """What one consumer unit asks for: {answer key: (username, vhost)} (amqp_changed)."""
    if "username" in data and "vhost" in data:
        if not (data["username"] and data["vhost"]):
            return {}  # "Relation not ready."
        return {"password": (data["username"], data["vhost"])}
    queues: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        prefix, _, rest = key.partition("_")
        queues.setdefault(prefix, {})[rest] = value
    return {
        f"{prefix}_password": (asked["username"], asked["vhost"])
        for prefix, asked in sorted(queues.items())
        if asked.get("username") and asked.get("vhost")
    }


class RabbitMQ(PeerApp):
    kind = "rabbitmq"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {"amqp": ("provides", "rabbitmq")}
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": EmulatedRabbitMQ}
    REAL_BACKEND = "charmsmith.model.peers.real.backends:RealRabbitMQ"
    OPTIONS: ClassVar[dict[str, dict[str, Any]]] = {
        "ssl": {"type": "string", "default": "off", "description": "off, on or only"},
        "ssl_port": {"type": "int", "default": 5671, "description": "SSL port"},
        "min-cluster-size": {"type": "int", "default": None, "description": "units to wait for"},
    }
    backend: RabbitMQBackend

    @classmethod
    def check_config(cls, values: dict[str, Any], backend: str) -> None:
        if values["ssl"] not in SSL_MODES:
            raise CharmsmithError(f"option ssl must be one of off, on, only, got {values['ssl']!r}")
        if values["ssl"] != "off" and backend == "real":
            raise CharmsmithError("option ssl: the real rabbitmq backend serves plain AMQP only")

    # -- the rabbit cluster ----------------------------------------------------------------------

    def _members(self, model: ModelView) -> list[str]:
        """Units in the rabbit cluster: the leader from the start, the others after a step."""
        leader = self.application.leader
        members = self.backend.state.setdefault("members", [])
        if leader and leader not in members:
            members.append(leader)
        return [u for u in members if u in model.state.units]

    def _cluster_ready(self, model: ModelView) -> bool:
        """cluster_ready(): enough units, and all of them (or min-cluster-size) clustered."""
        units = self.application.units
        wanted = self.config()["min-cluster-size"] or len(units)
        if len(units) < wanted:
            return False
        return wanted <= 1 or len(self._members(model)) >= max(wanted, len(units))

    def step(self, model: ModelAPI) -> None:
        """Time passes: the other units join the cluster, then answer what the leader did."""
        members = self.backend.state.setdefault("members", [])
        for unit in self.application.units:
            if unit not in members:
                members.append(unit)
        self._show_status(model)
        name = self.application.name
        for rel in model.relations_of(name):
            self._answer(PeerView(model, rel, name, model.endpoint_of(rel, name)), followers=True)

    def _show_status(self, model: ModelView) -> None:
        """assess_cluster_status(): who waits for the cluster, who is ready."""
        members = self._members(model)
        wanted = self.config()["min-cluster-size"]
        units = self.application.units
        for unit in units:
            if wanted and len(units) < wanted:
                status = ("waiting", f"Waiting for all {wanted} peers to complete the cluster.")
            elif len(units) > 1 and (unit not in members or len(members) < 2):
                status = ("waiting", "Unit has peers, but RabbitMQ not clustered")
            elif not self._cluster_ready(model):
                status = ("waiting", "RabbitMQ is clustered, but not all charms are ready")
            else:
                status = ("active", "Unit is ready")
            model.unit(unit).workload = dict(zip(("status", "message"), status, strict=True))

    def _password(self, username: str, vhost: str, again: bool) -> str:
        """The user's password; a step does not redo a grant already made (configure_amqp
        keeps what it set in the unit's kv store for the same reason: rabbitmqctl is slow)."""
        if again and vhost in self.backend.state.get("users", {}).get(username, []):
            return self.backend.secret(f"amqp:{username}")
        return self.backend.grant(username, vhost)

    # -- the amqp relation -----------------------------------------------------------------------

    def forget(self, view: PeerView) -> None:
        """Relation removed: the users it asked for lose their vhost (and go if left bare)."""
        for unit in view.remote_units():
            for username, vhost in requests(view.remote_data(unit)).values():
                self.backend.revoke(username, vhost)
        self.backend.state.get("answers", {}).pop(str(view.relation.id), None)

    def respond(self, view: PeerView) -> None:
        self._answer(view, followers=False)

    def _answer(self, view: PeerView, followers: bool) -> None:
        """The leader's answer now; the other members' copies only on a later step."""
        self._show_status(view.model)
        leader = self.application.leader
        if not leader or not self._cluster_ready(view.model):
            return
        answers = self.backend.state.setdefault("answers", {})
        rid = str(view.relation.id)
        answer = {"hostname": view.address(leader), "private-address": view.address(leader)}
        for unit in view.remote_units():
            for key, (username, vhost) in requests(view.remote_data(unit)).items():
                answer[key] = self._password(username, vhost, again=followers)
        config = self.config()
        tls = config["ssl"] != "off"  # off: blanked, as reconfigure_client_ssl does
        answer["ssl_port"] = str(config["ssl_port"]) if tls else ""
        answer["ssl_ca"] = (
            base64.b64encode(self.backend.ca_bundle().encode()).decode() if tls else ""
        )
        answered_before = answers.get(rid) == answer
        view.publish(leader, answer)
        answers[rid] = answer  # what the leader stores for its peers (leader_set upstream)
        members = self._members(view.model)
        if not (followers and answered_before and len(members) > 1 and answer.get("password")):
            return
        for unit in members:
            if unit != leader:
                own = {"hostname": view.address(unit), "private-address": view.address(unit)}
                view.publish(unit, {**answer, **own})
