"""A private Keystone (Debian's `keystone`, Zed) under uwsgi, for the real keystone peer backend.

Why this shape: Debian's package expects systemd and /etc/keystone, neither of which we may use,
so our own keystone.conf and uwsgi ini live in the state directory (OS_KEYSTONE_CONFIG_DIR);
uwsgi runs in the foreground of its own session under our supervisor, with its log and pid in a
keystone-owned directory. Users, roles and endpoints go through the REST API (keystone_client).

Details: docs/real-services.md, 'Service classes'.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from charmsmith.model.peers.real.keystone_client import KeystoneClient, ServiceCredentials
from charmsmith.model.peers.real.mariadb import MariaDB
from charmsmith.model.peers.real.server import PrivateServer
from charmsmith.model.peers.real.supervisor import (
    Daemon,
    Progress,
    ServiceError,
    run,
    stderr_progress,
)

__all__ = ["Keystone", "ServiceCredentials"]


class Keystone(PrivateServer, KeystoneClient):
    """One Keystone API on `address:port`, its database in `mariadb`, its files in `state_dir`."""

    user = "keystone"
    START_TIMEOUT = 120

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
        super().__init__(state_dir, address, port, progress)
        self.url = f"http://{address}:{port}"
        self.auth_url = f"{self.url}/v3"
        self.admin_port = admin_port
        self.mariadb = mariadb
        self.region = region
        self.conf = self.state_dir / "keystone.conf"
        self.uwsgi_ini = self.state_dir / "keystone-uwsgi.ini"
        self.secrets_file = self.state_dir / "secrets.json"
        self.openrc = self.state_dir / "admin-openrc"
        # run/ and log/ are keystone-owned: uwsgi writes its pid and logs there after setuid
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

    # -- secrets -------------------------------------------------------------------------------

    def _secrets(self) -> dict[str, Any]:
        try:
            return json.loads(self.secrets_file.read_text())
        except FileNotFoundError:
            return {}

    def _secret(self, *path: str) -> str:
        """Get a stored password, generating and storing it on first use (stable across runs)."""
        data = self._secrets()
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if path[-1] not in node:
            node[path[-1]] = secrets.token_urlsafe(24)
            self._write_private(self.secrets_file, json.dumps(data, indent=2, sort_keys=True))
        return node[path[-1]]

    @property
    def admin_password(self) -> str:
        return self._secret("admin_password")

    def service_password(self, service: str) -> str:
        return self._secret("services", service)

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
        owned = (self.run_dir, self.log_dir, self.fernet_dir, self.credential_dir)
        self._own_dirs({path: 0o700 for path in owned})
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

    def launch(self, timeout: float) -> None:
        """Configure, bootstrap (first time) and start uwsgi; wait for GET /v3."""
        if not self.mariadb.running():
            raise ServiceError("keystone needs its MariaDB running; start it first")
        self._prepare()
        self._bootstrap()
        self.daemon.start()
        self.daemon.wait_ready(self.ready, timeout, self.progress)

    def ready(self) -> bool:
        status, _, body = self._request("GET", "/v3", timeout=3)
        return status == 200 and body.get("version", {}).get("status") == "stable"

    def stop(self, timeout: float = 20) -> bool:
        """Stop uwsgi (die-on-term makes SIGTERM a shutdown, not a reload); True if it ran."""
        self._admin_token = None
        return self.daemon.stop(timeout)


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"
