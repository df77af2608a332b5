"""Keystone's side of the `keystone` interface (identity-service), and its endpoint catalog.

Wire (DESIGN.md §4, learnt from the requires side): the consumer sends service, region,
public_url, internal_url, admin_url; keystone answers on its unit databag with service/auth
host, protocol and port, the service credentials (tenant 'services', a generated password),
tenant id, domain, api_version 3 and the admin ids. Credentials are only sent once the request
arrived, as keystone does; `'None'` URLs mean a credentials-only consumer (no catalog entry).
A backend with `identity_data(service)` (the real one) has its values merged over that answer.

Refusal (charm-keystone hooks/keystone_utils.py, `ensure_valid_service` then `add_endpoint`): a
request with all five keys and no `'None'` value registers an endpoint, and a `service` missing
from keystone's table (charmsmith.keystone_services) makes the leader's
identity-service-relation-changed hook fail. Juju discards what a failed hook set on the relation
(juju worker/uniter/runner/context/context.go: settings are written only when the hook succeeds),
so the consumer gets nothing, not even the `admin_token=-1` the charm sets before failing, and the
keystone leader shows the hook error. Unlike Juju, the error clears by itself once no request
names an unknown service (a real keystone needs `juju resolved`).
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from charmsmith.keystone_services import catalog_type
from charmsmith.model.peers.base import Backend, PeerApp, PeerView

SERVICE_PORT = 5000
ADMIN_PORT = 35357


def _id(seed: str) -> str:
    """Deterministic 32-hex ids (keystone uses uuid4 hex) so re-runs produce the same data."""
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


class KeystoneBackend(Backend):
    """Identity operations: service users and the catalog."""

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
        requests = [view.remote_data(u) for u in view.remote_units()]
        requests = [r for r in requests if r.get("service")]
        refused = sorted({r["service"] for r in requests if _unknown_registration(r)})
        if self._hook_failed(view, refused) or not requests:
            return
        service_names = sorted({r["service"] for r in requests})
        for request in requests:
            urls = {k: request.get(k, "None") for k in ("public_url", "internal_url", "admin_url")}
            if all(v and v != "None" for v in urls.values()):
                self.backend.register(request["service"], request.get("region", "RegionOne"), urls)
        service = "_".join(service_names)
        real = self.real_identity(service)
        if real:
            username, password = real["service_username"], real["service_password"]
        else:
            username, password = self.backend.service_user(service)
        for unit in view.my_units():
            host = view.address(unit)
            view.publish(unit, {**self.answer(host, username, password), **real})

    def _hook_failed(self, view: PeerView, refused: list[str]) -> bool:
        """Show (or clear) the leader's failed hook for requests naming unknown services."""
        leader = next((u for u in view.my_units() if view.model.is_leader(u)), None)
        unit = view.model.unit(leader) if leader else None
        hook = f'hook failed: "{view.endpoint}-relation-changed"'
        if not refused:
            if unit is not None and unit.get("agent_message") == hook:
                unit["agent"], unit["agent_message"] = "idle", ""
            return False
        reason = (
            f"KeyError {refused[0]!r}: keystone registers only the services it lists "
            f"(charm-keystone valid_services); {view.remote_app} gets no answer"
        )
        if unit is not None and unit.get("agent_message") != hook:
            unit["agent"], unit["agent_message"] = "error", hook
            # reported once, like a charm's failed hook: the command that caused it exits 1
            view.model.echo(f"{leader}: {view.endpoint}-relation-changed FAILED")
            view.model.failures.append(f"{hook} on {leader}: {reason}")
        view.model.store.log(view.app, "ERROR", f"{hook}: {reason}")
        return True

    def forget(self, view: PeerView) -> None:
        """Relation removed: the services its units registered leave the catalog."""
        for unit in view.remote_units():
            service = view.remote_data(unit).get("service")
            if service:
                self.backend.unregister(service)

    def real_identity(self, service: str) -> dict[str, str]:
        """What a real Keystone says about the service user (its ids, domain, ports), or {}.

        The emulated answer makes ids up; merged over it, this makes units render credentials
        that log in to the real Keystone. The backend creates the user in doing so, so the
        separate service_user() call is skipped.
        """
        identity_data = getattr(self.backend, "identity_data", None)
        return dict(identity_data(service)) if callable(identity_data) else {}

    def answer(self, host: str, username: str, password: str) -> dict[str, str]:
        return {
            "service_host": host,
            "service_protocol": "http",
            "service_port": str(SERVICE_PORT),
            "auth_host": host,
            "auth_protocol": "http",
            "auth_port": str(ADMIN_PORT),
            "service_tenant": "services",
            "service_username": username,
            "service_password": password,
            "service_tenant_id": _id("project:services"),
            "service_domain": "service_domain",
            "service_domain_id": _id("domain:service_domain"),
            "admin_domain_id": _id("domain:admin_domain"),
            "admin_user_id": _id("user:admin"),
            "admin_project_id": _id("project:admin"),
            "api_version": "3",
            "region": "RegionOne",
            "internal-auth-url": f"http://{host}:{SERVICE_PORT}/v3",
            "public-auth-url": f"http://{host}:{SERVICE_PORT}/v3",
            "admin-auth-url": f"http://{host}:{ADMIN_PORT}/v3",
        }

    def catalog(self) -> dict[str, Any]:
        return self.backend.catalog()


def _unknown_registration(request: dict[str, str]) -> bool:
    """A request keystone would try to register (all five keys, no 'None') for a service it
    does not list."""
    keys = ("service", "region", "public_url", "internal_url", "admin_url")
    if not all(key in request for key in keys) or "None" in request.values():
        return False
    return catalog_type(request["service"]) is None
