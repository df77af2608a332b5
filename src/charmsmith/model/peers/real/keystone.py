"""A private Keystone (Debian's `keystone`, Zed) under uwsgi, for the real keystone peer backend.

Why this shape: Debian's package expects systemd and /etc/keystone, neither of which we may use,
so our own keystone.conf and uwsgi ini live in the state directory (OS_KEYSTONE_CONFIG_DIR);
uwsgi runs in the foreground of its own session under our supervisor, with its log and pid in a
keystone-owned directory. Users, roles and endpoints are made through Keystone's REST API
(urllib only), idempotently, because the model replays relation hooks.

Details: docs/real-services.md, 'Service classes'.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from charmsmith.model.peers.real.mariadb import MariaDB
from charmsmith.model.peers.real.supervisor import (
    Daemon,
    Progress,
    ServiceError,
    ensure_traversable,
    run,
    stderr_progress,
)

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


class Keystone:
    """One Keystone API on `address:port`, its database in `mariadb`, its files in `state_dir`."""

    user = "keystone"

    def __init__(
        self,
        state_dir: str | Path,
        mariadb: MariaDB,
        address: str = "127.0.0.1",
        port: int = 5000,
        region: str = "RegionOne",
        progress: Progress | None = stderr_progress,
        admin_port: int | None = None,
    ) -> None:
        """`admin_port` adds a second listener (e.g. 35357) serving the same API, for consumers
        told the legacy admin port by the keystone charm's relation data."""
        self.admin_port = admin_port
        self.state_dir = Path(state_dir).absolute()
        self.mariadb = mariadb
        self.address = address
        self.port = port
        self.region = region
        self.progress = progress
        self.conf = self.state_dir / "keystone.conf"
        self.uwsgi_ini = self.state_dir / "keystone-uwsgi.ini"
        self.secrets_file = self.state_dir / "secrets.json"
        self.openrc = self.state_dir / "admin-openrc"
        self.run_dir = self.state_dir / "run"  # keystone-owned: uwsgi writes here after setuid
        self.log_dir = self.state_dir / "log"  # keystone-owned: keystone.log, uwsgi.log
        self.fernet_dir = self.state_dir / "fernet-keys"
        self.credential_dir = self.state_dir / "credential-keys"
        self.bootstrapped_marker = self.state_dir / "bootstrapped"
        self.daemon = Daemon(
            name="keystone-uwsgi",
            argv=["/usr/bin/uwsgi", "--ini", str(self.uwsgi_ini)],
            run_dir=self.state_dir / "supervisor",
            log_dir=self.state_dir / "supervisor",
        )
        self._admin_token: str | None = None

    # -- addresses and secrets -----------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/v3"

    def _secrets(self) -> dict[str, Any]:
        try:
            return json.loads(self.secrets_file.read_text())
        except FileNotFoundError:
            return {}

    def _save_secrets(self, data: dict[str, Any]) -> None:
        """Atomic 0600 write: the file is created private, never world-readable for an instant."""
        tmp = self.secrets_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
        os.replace(tmp, self.secrets_file)

    def _secret(self, *path: str) -> str:
        """Get a stored password, generating and storing it on first use (stable across runs)."""
        data = self._secrets()
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if path[-1] not in node:
            node[path[-1]] = secrets.token_urlsafe(24)
            self._save_secrets(data)
        return node[path[-1]]

    @property
    def admin_password(self) -> str:
        return self._secret("admin_password")

    def admin_env(self) -> dict[str, str]:
        """OS_* variables for the real `openstack` CLI as the bootstrap admin."""
        return {
            "OS_AUTH_URL": self.auth_url,
            "OS_IDENTITY_API_VERSION": "3",
            "OS_USERNAME": "admin",
            "OS_PASSWORD": self.admin_password,
            "OS_PROJECT_NAME": "admin",
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": self.region,
            "OS_INTERFACE": "public",
        }

    # -- lifecycle -----------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Directories, keystone.conf, uwsgi ini, admin-openrc (the secret-bearing ones private)."""
        ensure_traversable(self.state_dir.parent, self.user)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o711)
        for path in (self.run_dir, self.log_dir, self.fernet_dir, self.credential_dir):
            path.mkdir(exist_ok=True)
            shutil.chown(path, self.user, self.user)
            path.chmod(0o700)
        (self.state_dir / "supervisor").mkdir(mode=0o700, exist_ok=True)
        db_password = self._secret("db_password")
        self.mariadb.ensure_database("keystone", "keystone", db_password, ["%", "localhost"])
        db_url = self.mariadb.connection_url("keystone", "keystone", db_password)
        self._write_private(
            self.conf,
            "[DEFAULT]\n"
            f"log_dir = {self.log_dir}\n"
            "log_file = keystone.log\n"
            "use_stderr = false\n"
            "[database]\n"
            f"connection = {db_url}\n"
            "[token]\n"
            "provider = fernet\n"
            "[fernet_tokens]\n"
            f"key_repository = {self.fernet_dir}\n"
            "[credential]\n"
            f"key_repository = {self.credential_dir}\n"
            "[cache]\n"
            "enabled = false\n",
            group=self.user,
        )
        self.uwsgi_ini.write_text(
            "[uwsgi]\n"
            "plugins = python3\n"
            f"http-socket = {self.address}:{self.port}\n"
            + (f"http-socket = {self.address}:{self.admin_port}\n" if self.admin_port else "")
            + "wsgi-file = /usr/bin/keystone-wsgi-public\n"
            f"env = OS_KEYSTONE_CONFIG_DIR={self.state_dir}\n"
            "master = true\n"
            "processes = 2\n"
            "threads = 2\n"
            "enable-threads = true\n"
            "lazy-apps = true\n"
            "die-on-term = true\n"
            "no-orphans = true\n"
            # Bound shutdown: a worker still importing keystone would otherwise get 60 s.
            "worker-reload-mercy = 5\n"
            "reload-mercy = 5\n"
            "buffer-size = 65535\n"
            # http-socket closes after each response; say so, or clients (requests in the
            # openstack CLI) reuse the dead connection and fail with 'Connection reset by peer'.
            "add-header = Connection: close\n"
            "name = charmsmith-keystone\n"
            f"uid = {self.user}\n"
            f"gid = {self.user}\n"
            f"chdir = {self.run_dir}\n"
            f"logto = {self.log_dir / 'uwsgi.log'}\n"
            f"pidfile = {self.run_dir / 'uwsgi.pid'}\n"
        )
        self.uwsgi_ini.chmod(0o644)
        self._write_private(
            self.openrc,
            "".join(f"export {k}={_shell_quote(v)}\n" for k, v in self.admin_env().items()),
        )

    @staticmethod
    def _write_private(path: Path, content: str, group: str | None = None) -> None:
        """Write a secret-bearing file 0600 (or 0640 to `group`), private from its creation."""
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        if group is not None:
            shutil.chown(tmp, "root", group)
            tmp.chmod(0o640)
        os.replace(tmp, path)

    def _manage(self, *args: str, env: dict[str, str] | None = None) -> None:
        """keystone-manage as the keystone user, so every file it creates stays keystone's."""
        run(
            ["keystone-manage", "--config-file", str(self.conf), *args],
            what=f"keystone-manage {args[0]}",
            user=self.user,
            env=env,
            timeout=300,
        )

    def _bootstrap(self) -> None:
        """Schema, key repositories and the admin/catalog entry; once per state directory."""
        if self.bootstrapped_marker.exists():
            return
        owner = ("--keystone-user", self.user, "--keystone-group", self.user)
        steps = [("db_sync", ()), ("fernet_setup", owner), ("credential_setup", owner)]
        for label, args in steps:
            begin = time.monotonic()
            self._manage(label, *args)
            if self.progress:
                self.progress(f"keystone: {label} done in {time.monotonic() - begin:.1f} s")
        begin = time.monotonic()
        self._manage(
            "bootstrap",
            "--bootstrap-username", "admin",
            "--bootstrap-project-name", "admin",
            "--bootstrap-role-name", "admin",
            "--bootstrap-service-name", "keystone",
            "--bootstrap-region-id", self.region,
            "--bootstrap-admin-url", f"{self.auth_url}/",
            "--bootstrap-internal-url", f"{self.auth_url}/",
            "--bootstrap-public-url", f"{self.auth_url}/",
            env={"OS_BOOTSTRAP_PASSWORD": self.admin_password},
        )  # fmt: skip
        if self.progress:
            self.progress(f"keystone: bootstrap done in {time.monotonic() - begin:.1f} s")
        self.bootstrapped_marker.write_text("ok\n")

    def start(self, timeout: float = 120) -> float:
        """Configure, bootstrap (first time) and start uwsgi; wait for GET /v3; seconds taken."""
        begin = time.monotonic()
        if self.daemon.running() and self.ready():
            return 0.0
        if not self.mariadb.running():
            raise ServiceError("keystone needs its MariaDB running; start it first")
        self._prepare()
        self._bootstrap()
        self.daemon.start()
        self.daemon.wait_ready(self.ready, timeout, self.progress)
        return time.monotonic() - begin

    def ready(self) -> bool:
        status, _, body = self._request("GET", "/v3", timeout=3)
        return status == 200 and body.get("version", {}).get("status") == "stable"

    def running(self) -> bool:
        return self.daemon.running()

    def stop(self, timeout: float = 20) -> bool:
        """Stop uwsgi (die-on-term makes SIGTERM a shutdown, not a reload); True if it ran."""
        self._admin_token = None
        return self.daemon.stop(timeout)

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
            if self._admin_token is None:
                self._admin_token = self.token("admin", self.admin_password, "admin")
            status, _, parsed = self._request(method, path, body, self._admin_token)
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
        return ServiceCredentials(
            username=name,
            password=password,
            user_id=user_id,
            project_name=project,
            project_id=project_id,
            domain_name=domain_name,
            domain_id=domain_id,
            role=role,
            auth_url=self.auth_url,
        )

    def ensure_service_user(
        self, service: str, project: str = "services", role: str = "admin", domain: str = "default"
    ) -> ServiceCredentials:
        """The service's user (named after it) with a password generated once and kept private.

        The keystone charm gives each service a user in the `services` project with the admin
        role (or `service` where requested); the password is stable across calls so re-running
        a relation hook does not invalidate what a unit already rendered.
        """
        password = self._secret("services", service)
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
        if self._admin_token is None:
            self._admin_token = self.token("admin", self.admin_password, "admin")
        return self._request(method, path, token=self._admin_token)

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


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"
