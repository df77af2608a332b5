"""Keystone's side of the `keystone` interface (identity-service), and its endpoint catalog.

The rules deciding whether and what keystone answers are in peers/keystone_rules.py; this module
applies them: the leader unit publishes, the backend creates users and catalog entries (a real
backend's `identity_data` is merged over the emulated answer). A refused `service` (charm-keystone
hooks/keystone_utils.py `ensure_valid_service`, `add_endpoint`) fails the leader's hook, and Juju
keeps nothing that hook set (juju worker/uniter/runner/context/context.go).

Details: docs/model.md, 'Peers' (keystone) and 'Fidelity' ('keystone').
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import charmsmith.model.peers.keystone_rules as rules
from charmsmith.model.peers.base import (
    Backend,
    PeerApp,
    PeerView,
    clear_hook_failure,
    fail_hook,
)


def _id(seed: str) -> str:
    """Deterministic 32-hex ids (keystone uses uuid4 hex) so re-runs produce the same data."""
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


class KeystoneBackend(Backend):
    """Identity operations: service users and the catalog."""

    def database_ready(self) -> bool:
        """keystone's database is related, granted and initialised (emulated: from deploy on)."""
        return True

    def service_user(self, service: str) -> tuple[str, str]:
        """(username, password) for a consumer's service name(s)."""
        return service, self.secret(f"service:{service}")

    def register(self, service: str, region: str, urls: dict[str, str]) -> None:
        self.state.setdefault("catalog", {})[service] = {"region": region, **urls}

    def unregister(self, service: str) -> None:
        """Delete the service's endpoints from the catalog (its relation is gone)."""
        self.state.get("catalog", {}).pop(service, None)

    def catalog(self) -> dict[str, dict[str, str]]:
        return dict(self.state.get("catalog", {}))


class EmulatedKeystone(KeystoneBackend):
    name = "emulated"


class Keystone(PeerApp):
    kind = "keystone"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {
        "identity-service": ("provides", "keystone"),
    }
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": EmulatedKeystone}
    REAL_BACKEND = "charmsmith.model.peers.real.backends:RealKeystone"
    backend: KeystoneBackend

    def respond(self, view: PeerView) -> None:
        """The leader answers each remote unit in turn, into its one databag, as the charm's
        update_all_identity_relation_units does; other keystone units publish nothing."""
        leader = next((u for u in view.my_units() if view.model.is_leader(u)), None)
        if leader is None or not self.backend.database_ready():
            return
        decisions = [rules.decide(view.remote_data(u)) for u in view.remote_units()]
        refused = sorted({name for d in decisions for name in d.refused})
        if self._hook_failed(view, leader, refused):
            return
        host = view.address(leader)
        answer: dict[str, str] = {}
        for decision in decisions:
            for endpoint in decision.endpoints:
                self.backend.register(endpoint.service, endpoint.region, endpoint.urls())
            if decision.addresses_only:
                admin_domain = _id("domain:admin_domain")
                answer.update(rules.addresses_only_answer(host, decision, admin_domain))
            elif decision.credentials:
                answer.update(self.credentials(host, decision))
        if answer:
            view.publish(leader, answer)

    def _hook_failed(self, view: PeerView, leader: str, refused: list[str]) -> bool:
        """Show (or clear) the leader's failed hook for requests naming unknown services."""
        hook = f"{view.endpoint}-relation-changed"
        if not refused:
            clear_hook_failure(view, leader, hook)
            return False
        reason = (
            f"KeyError {refused[0]!r}: keystone registers only the services it lists "
            f"(charm-keystone valid_services); {view.remote_app} gets no answer"
        )
        fail_hook(view, leader, hook, reason)
        return True

    def forget(self, view: PeerView) -> None:
        """Relation removed: the services its units registered leave the catalog."""
        for unit in view.remote_units():
            for endpoint in rules.decide(view.remote_data(unit)).endpoints:
                self.backend.unregister(endpoint.service)

    def credentials(self, host: str, decision: rules.Decision) -> dict[str, str]:
        """The full answer: addresses, the service user and the ids (real ones when known)."""
        service = decision.service_username
        real = self.real_identity(service)
        if real:
            username, password = real["service_username"], real["service_password"]
        else:
            username, password = self.backend.service_user(service)
        answer = {
            **rules.addresses(host),
            "service_tenant": rules.SERVICE_TENANT,
            "service_username": username,
            "service_password": password,
            "service_user_id": _id(f"user:{username}"),
            "service_tenant_id": _id(f"project:{rules.SERVICE_TENANT}"),
            "service_domain": rules.SERVICE_DOMAIN,
            "service_domain_id": _id(f"domain:{rules.SERVICE_DOMAIN}"),
            "admin_domain_id": _id("domain:admin_domain"),
            "admin_user_id": _id("user:admin"),
            "admin_project_id": _id("project:admin"),
            "admin_role": rules.ADMIN_ROLE,
            "created_roles": ",".join(decision.requested_roles),
            "api_version": "3",
            **real,
        }
        if decision.service_type:
            answer["service_type"] = decision.service_type
        return answer

    def real_identity(self, service: str) -> dict[str, str]:
        """What a real Keystone says about the service user (its ids, domain, ports), or {}.

        The emulated answer makes ids up; merged over it, this makes units render credentials
        that log in to the real Keystone. The backend creates the user in doing so, so the
        separate service_user() call is skipped.
        """
        identity_data = getattr(self.backend, "identity_data", None)
        return dict(identity_data(service)) if callable(identity_data) else {}

    def catalog(self) -> dict[str, Any]:
        return self.backend.catalog()
