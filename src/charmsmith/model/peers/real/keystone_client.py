"""Keystone's REST API as the keystone charm drives it: users, projects, roles, the catalog.

Why apart from the server: what a service is given (ServiceCredentials, the identity-service
relation values) and how endpoints are registered is the API's business, not uwsgi's; every
call is idempotent because the model replays relation hooks. urllib only, never through a proxy.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, urlencode

from charmsmith.model.peers.real.supervisor import ServiceError

INTERFACES = ("public", "internal", "admin")
# Loopback and the model bridge only: never let an http_proxy setting route our calls elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class ServiceCredentials:
    """What the keystone charm hands a service on identity-service: who it is and where."""

    username: str
    password: str
    user_id: str
    project_name: str
    project_id: str
    domain_name: str
    domain_id: str
    role: str
    auth_url: str

    def __repr__(self) -> str:  # never show the password in logs or test failure output
        shown = {k: v for k, v in asdict(self).items() if k != "password"}
        return f"ServiceCredentials({shown}, password=***)"


class KeystoneClient:
    """Admin calls to the Keystone API at `url`; the server side supplies passwords."""

    address: str
    port: int
    url: str  # the API's root: plain HTTP, on loopback or the model bridge only
    auth_url: str  # Keystone v3, where services authenticate
    _admin_token: str | None = None

    @property
    def admin_password(self) -> str:
        """The bootstrap admin's password."""
        raise NotImplementedError

    def service_password(self, service: str) -> str:
        """The password a service's user gets, stable across calls."""
        raise NotImplementedError

    # -- REST ----------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        token: str | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """One HTTP call; returns (status, headers, json body or {}) for every HTTP status."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("X-Auth-Token", token)
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                status, headers, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            status, headers, raw = exc.code, dict(exc.headers), exc.read()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {}
        return status, headers, parsed

    def _api(
        self, method: str, path: str, body: dict[str, Any] | None = None, ok: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        """An admin-token call; re-authenticates once on 401 (tokens expire) and raises on error."""
        for attempt in (0, 1):
            status, _, parsed = self._request(method, path, body, self._admin())
            if status == 401 and attempt == 0:
                self._admin_token = None
                continue
            if 200 <= status < 300 or status in ok:
                return parsed
            message = parsed.get("error", {}).get("message", "") if parsed else ""
            raise ServiceError(f"keystone {method} {path.split('?')[0]} -> HTTP {status} {message}")
        raise AssertionError("unreachable")

    def token(self, user: str, password: str, project: str, domain: str = "Default") -> str:
        """A project-scoped token for a password user (as a service would get one)."""
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {"name": user, "domain": {"name": domain}, "password": password}
                    },
                },
                "scope": {"project": {"name": project, "domain": {"name": domain}}},
            }
        }
        status, headers, parsed = self._request("POST", "/v3/auth/tokens", body)
        if status != 201:
            message = parsed.get("error", {}).get("message", "") if parsed else ""
            raise ServiceError(f"keystone: authentication of {user!r} failed: {status} {message}")
        token = headers.get("X-Subject-Token") or headers.get("x-subject-token")
        if not token:
            raise ServiceError("keystone: token response without X-Subject-Token")
        return token

    def _admin(self) -> str:
        """The bootstrap admin's token, fetched on first use and kept until it is refused."""
        if self._admin_token is None:
            self._admin_token = self.token("admin", self.admin_password, "admin")
        return self._admin_token

    def _find(self, collection: str, **filters: str) -> list[dict[str, Any]]:
        return self._api("GET", f"/v3/{collection}?{urlencode(filters)}")[collection]

    # -- identity objects ----------------------------------------------------------------------

    def ensure_domain(self, name: str) -> str:
        """Domain id for `name` ('default' and 'Default' both mean the default domain)."""
        if name.lower() == "default":
            return "default"
        found = self._find("domains", name=name)
        if found:
            return found[0]["id"]
        return self._api("POST", "/v3/domains", {"domain": {"name": name}})["domain"]["id"]

    def ensure_project(self, name: str, domain: str = "default") -> str:
        domain_id = self.ensure_domain(domain)
        found = self._find("projects", name=name, domain_id=domain_id)
        if found:
            return found[0]["id"]
        body = {"project": {"name": name, "domain_id": domain_id, "description": "charmsmith"}}
        return self._api("POST", "/v3/projects", body)["project"]["id"]

    def ensure_role(self, name: str) -> str:
        found = self._find("roles", name=name)
        if found:
            return found[0]["id"]
        return self._api("POST", "/v3/roles", {"role": {"name": name}})["role"]["id"]

    def ensure_user(
        self, name: str, password: str, project: str, role: str, domain: str = "default"
    ) -> ServiceCredentials:
        """User with `password` and `role` on `project`; converges on every call."""
        domain_id = self.ensure_domain(domain)
        project_id = self.ensure_project(project, domain)
        role_id = self.ensure_role(role)
        found = self._find("users", name=name, domain_id=domain_id)
        if found:
            user_id = found[0]["id"]
            body = {"user": {"password": password, "enabled": True}}
            self._api("PATCH", f"/v3/users/{user_id}", body)
        else:
            body = {
                "user": {
                    "name": name,
                    "password": password,
                    "domain_id": domain_id,
                    "default_project_id": project_id,
                    "enabled": True,
                }
            }
            user_id = self._api("POST", "/v3/users", body)["user"]["id"]
        self._api("PUT", f"/v3/projects/{project_id}/users/{user_id}/roles/{role_id}")
        domain_name = "Default" if domain_id == "default" else domain
        where = (project, project_id, domain_name, domain_id)  # ServiceCredentials' field order
        return ServiceCredentials(name, password, user_id, *where, role, self.auth_url)

    def ensure_service_user(
        self, service: str, project: str = "services", role: str = "admin", domain: str = "default"
    ) -> ServiceCredentials:
        """The service's user (named after it) with a password generated once and kept private.

        The keystone charm gives each service a user in the `services` project with the admin
        role (or `service` where requested); the password is stable across calls so re-running
        a relation hook does not invalidate what a unit already rendered.
        """
        password = self.service_password(service)
        return self.ensure_user(service, password, project, role, domain)

    def identity_service_data(self, credentials: ServiceCredentials) -> dict[str, str]:
        """The identity-service relation values keystone sends for these credentials."""
        admin = self._find("users", name="admin", domain_id="default")[0]
        admin_project = self._find("projects", name="admin", domain_id="default")[0]
        return {
            "service_host": self.address,
            "service_port": str(self.port),
            "service_protocol": "http",
            "auth_host": self.address,
            "auth_port": str(self.port),
            "auth_protocol": "http",
            "service_tenant": credentials.project_name,
            "service_tenant_id": credentials.project_id,
            "service_username": credentials.username,
            "service_password": credentials.password,
            "service_domain": credentials.domain_name,
            "service_domain_id": credentials.domain_id,
            "service_user_id": credentials.user_id,
            "api_version": "3",
            "admin_domain_id": "default",
            "admin_user_id": admin["id"],
            "admin_project_id": admin_project["id"],
            "internal_host": self.address,
            "internal_port": str(self.port),
            "internal_protocol": "http",
        }

    # -- catalog -------------------------------------------------------------------------------

    def ensure_region(self, region: str) -> None:
        status, _, _ = self._request_admin_status("GET", f"/v3/regions/{quote(region, safe='')}")
        if status == 404:
            self._api("POST", "/v3/regions", {"region": {"id": region}})

    def _request_admin_status(self, method: str, path: str) -> tuple[int, dict[str, str], Any]:
        return self._request(method, path, token=self._admin())

    def register_endpoints(
        self,
        service_name: str,
        service_type: str,
        region: str,
        public_url: str,
        internal_url: str,
        admin_url: str,
    ) -> str:
        """Service and its three endpoints in `region`; returns the service id.

        Idempotent: an existing endpoint with another URL is updated in place (the unit's address
        or port changed), duplicates from an interrupted earlier run are removed.
        """
        self.ensure_region(region)
        found = self._find("services", type=service_type)
        services = [s for s in found if s["name"] == service_name]
        if services:
            service_id = services[0]["id"]
        else:
            body = {"service": {"name": service_name, "type": service_type, "enabled": True}}
            service_id = self._api("POST", "/v3/services", body)["service"]["id"]
        urls = {"public": public_url, "internal": internal_url, "admin": admin_url}
        for interface in INTERFACES:
            existing = self._find(
                "endpoints", service_id=service_id, interface=interface, region_id=region
            )
            for extra in existing[1:]:
                self._api("DELETE", f"/v3/endpoints/{extra['id']}")
            if not existing:
                body = {
                    "endpoint": {
                        "service_id": service_id,
                        "interface": interface,
                        "region_id": region,
                        "url": urls[interface],
                        "enabled": True,
                    }
                }
                self._api("POST", "/v3/endpoints", body)
            elif existing[0]["url"] != urls[interface]:
                body = {"endpoint": {"url": urls[interface]}}
                self._api("PATCH", f"/v3/endpoints/{existing[0]['id']}", body)
        return service_id

    def catalog(self) -> list[dict[str, Any]]:
        """The catalog as the admin project sees it: [{type, name, id, endpoints: [...]}, ...]."""
        return self._api("GET", "/v3/auth/catalog")["catalog"]
