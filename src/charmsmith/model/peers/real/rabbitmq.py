"""A private RabbitMQ node (Debian's rabbitmq-server) for the real rabbitmq peer backend.

Why so many settings: an Erlang node touches more than its AMQP port. It registers with epmd
(port 4369, normally auto-started on all interfaces and left running forever), opens a
distribution port (25672, all interfaces), and the CLI tools open their own distribution ports.
To keep the rule "listen only on loopback or the model bridge" and to leave no process behind,
this backend runs its own epmd on loopback on a private port (so a system RabbitMQ's epmd is never
shared or killed), pins distribution to loopback, and points every RABBITMQ_* path (config, env
file, mnesia, logs, plugins, cookie via HOME) at the state directory so /etc/rabbitmq and
/var/lib/rabbitmq are never read or written.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from charmsmith.model.peers.real.server import PrivateServer, check_names, userinfo
from charmsmith.model.peers.real.supervisor import Daemon, Progress, run, stderr_progress

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,128}$")
_VHOST = re.compile(r"^[A-Za-z0-9_./-]{1,128}$")
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


class RabbitMQ(PrivateServer):
    """One RabbitMQ node `charmsmith@localhost` under `state_dir`, run as the `rabbitmq` user.

    `address` is where AMQP listens (loopback or a model bridge address); Erlang's own ports stay
    on loopback whatever `address` is, because only the CLI on this host needs them.
    """

    user = "rabbitmq"
    START_TIMEOUT = 90

    def __init__(
        self,
        state_dir: str | Path,
        address: str = "127.0.0.1",
        port: int = 5672,
        nodename: str = "charmsmith@localhost",
        epmd_port: int = 4370,
        dist_port: int = 25673,
        progress: Progress | None = stderr_progress,
    ) -> None:
        super().__init__(state_dir, address, port, progress)
        self.nodename = nodename
        self.epmd_port = epmd_port
        self.dist_port = dist_port
        self.home = self.state_dir / "home"
        self.mnesia = self.state_dir / "mnesia"
        self.config = self.state_dir / "rabbitmq.conf"
        self.env_file = self.state_dir / "rabbitmq-env.conf"
        self.plugins_file = self.state_dir / "enabled_plugins"
        self.epmd = Daemon(
            name="epmd",
            argv=["/usr/bin/epmd", "-port", str(epmd_port), "-address", "127.0.0.1"],
            run_dir=self.run_dir,
            log_dir=self.log_dir,
            user=self.user,
            cwd=self.state_dir,
        )
        self.daemon = Daemon(
            name="rabbitmq-server",
            argv=[str(RABBITMQ_BIN / "rabbitmq-server")],
            run_dir=self.run_dir,
            log_dir=self.log_dir,
            env=self.environment(),
            user=self.user,
            cwd=self.home,
        )

    def environment(self) -> dict[str, str]:
        """The variables the server and every CLI call need to find this node and only it."""
        loopback_dist = "-kernel inet_dist_use_interface {127,0,0,1}"
        return {
            "HOME": str(self.home),
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_CONF_ENV_FILE": str(self.env_file),
            "RABBITMQ_CONFIG_FILE": str(self.config),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.state_dir / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.plugins_file),
            "RABBITMQ_MNESIA_BASE": str(self.mnesia),
            "RABBITMQ_LOG_BASE": str(self.log_dir),
            "RABBITMQ_PID_FILE": str(self.run_dir / "rabbitmq-server.erlang.pid"),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": loopback_dist,
            "RABBITMQ_CTL_ERL_ARGS": loopback_dist,
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    # -- lifecycle -----------------------------------------------------------------------------

    def _prepare(self) -> None:
        self._own_dirs(
            {path: 0o700 for path in (self.home, self.mnesia, self.run_dir, self.log_dir)}
        )
        self.config.write_text(
            f"listeners.tcp.1 = {self.address}:{self.port}\n"
            # No management UI, no guest user beyond its default loopback-only restriction.
            "loopback_users.guest = true\n"
            "log.file.level = info\n"
            "log.console = false\n"
        )
        # Empty files on purpose: they replace /etc/rabbitmq/rabbitmq-env.conf and the
        # system-wide plugin list, which could move ports or enable the management listener.
        self.env_file.write_text("# charmsmith: environment comes from the process, not /etc\n")
        self.plugins_file.write_text("[].\n")
        for path in (self.config, self.env_file, self.plugins_file):
            path.chmod(0o644)

    def launch(self, timeout: float) -> None:
        """Start epmd and the node, wait for `rabbitmqctl await_startup`."""
        self._prepare()
        self.epmd.start()
        self.epmd.wait_ready(self._epmd_listening, 10, self.progress)
        self.daemon.start()
        self.daemon.wait_ready(self.ready, timeout, self.progress, every=5, interval=0.5)

    def _epmd_listening(self) -> bool:
        return self._accepts("127.0.0.1", self.epmd_port, 1)

    def ready(self) -> bool:
        """True once the broker has booted and its AMQP port accepts connections."""
        result = self.ctl("await_startup", "--timeout", "10", check=False, timeout=30)
        if result.returncode != 0:
            return False
        return self._accepts(self.address, self.port, 2)

    def stop(self, timeout: float = 30) -> bool:
        """Stop the node, then our epmd (which would otherwise outlive it); True if it ran."""
        was_running = self.daemon.stop(timeout)
        self.epmd.stop(5)
        return was_running

    # -- administration ------------------------------------------------------------------------

    def ctl(
        self, *args: str, input_text: str | None = None, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run the real `rabbitmqctl` against this node (as the rabbitmq user, our cookie)."""
        return run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.nodename, *args],
            what=f"rabbitmqctl {args[0] if args else ''}".strip(),
            env=self.environment(),
            input_text=input_text,
            user=self.user,
            check=check,
            timeout=timeout,
        )

    def ensure_user(self, username: str, password: str, vhost: str = "/") -> None:
        """Create (or re-password) the user and vhost and give the user full rights on it.

        Idempotent, like the rabbitmq charm answering a repeated access request. The password
        reaches rabbitmqctl on stdin, never in argv.
        """
        check_names("RabbitMQ user or vhost", (_NAME, username), (_VHOST, vhost))
        if vhost not in self.vhosts():
            self.ctl("add_vhost", vhost)
        if username in self.users():
            self.ctl("change_password", username, input_text=password + "\n")
        else:
            self.ctl("add_user", username, input_text=password + "\n")
        self.ctl("set_permissions", "-p", vhost, username, ".*", ".*", ".*")

    def vhosts(self) -> list[str]:
        return self._names(self.ctl("list_vhosts", "--quiet", "--no-table-headers").stdout)

    def users(self) -> list[str]:
        return self._names(self.ctl("list_users", "--quiet", "--no-table-headers").stdout)

    def permissions(self, vhost: str) -> dict[str, tuple[str, str, str]]:
        """user -> (configure, write, read) on `vhost`, from `rabbitmqctl list_permissions`."""
        out = self.ctl("list_permissions", "-p", vhost, "--quiet", "--no-table-headers").stdout
        perms: dict[str, tuple[str, str, str]] = {}
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) == 4:
                perms[parts[0]] = (parts[1], parts[2], parts[3])
        return perms

    def transport_url(self, username: str, password: str, vhost: str) -> str:
        """The oslo.messaging transport URL a charm renders from the amqp relation."""
        from urllib.parse import quote

        return (
            f"rabbit://{userinfo(username, password)}"
            f"@{self.address}:{self.port}/{quote(vhost.lstrip('/'), safe='')}"
        )

    @staticmethod
    def _names(output: str) -> list[str]:
        return [line.split("\t")[0] for line in output.splitlines() if line.strip()]
