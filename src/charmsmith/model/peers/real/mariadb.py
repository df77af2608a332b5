"""A private MariaDB server (Debian's mariadb-server) for the real mysql peer backend.

Why private: the host's MariaDB (if any) has its own datadir, socket and port; the model must not
touch them nor depend on them. This instance reads only its own option file (--defaults-file, so
/etc/mysql is ignored), keeps its datadir, socket, pid and log under the state directory, listens
on one chosen address (loopback or a model bridge address) and is administered as root over its
own unix socket (unix_socket auth: no root password exists to leak).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from charmsmith.model.peers.real.server import PrivateServer, check_names, userinfo
from charmsmith.model.peers.real.supervisor import Daemon, Progress, run, stderr_progress

# Charms name databases and users after themselves (`sample-api`): hyphens are fine inside
# the backquotes / string literals we always use; backquotes and quotes are not allowed.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HOST = re.compile(r"^[A-Za-z0-9_.%:-]{1,255}$")


def _literal(value: str) -> str:
    """Quote a value as an SQL string literal (passwords may hold quotes and backslashes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class MariaDB(PrivateServer):
    """One MariaDB server under `state_dir`, owned by the `mysql` user.

    Lifecycle: `start()` (initialises the datadir on first use, idempotent), `ensure_database()`
    any number of times, `stop()`. A later process can construct the same object on the same
    state_dir and stop or query the running server: everything is found through files.
    """

    user = "mysql"

    def __init__(
        self,
        state_dir: str | Path,
        address: str = "127.0.0.1",
        port: int = 3306,
        progress: Progress | None = stderr_progress,
        networking: bool = True,
    ) -> None:
        """`networking=False` gives a socket-only server (a private database for Keystone that
        needs no TCP port and so cannot clash with the model's mysql peer on 3306)."""
        super().__init__(state_dir, address, port, progress)
        self.networking = networking
        self.datadir = self.state_dir / "data"
        self.socket = self.run_dir / "mysqld.sock"
        self.config = self.state_dir / "my.cnf"
        self.daemon = Daemon(
            name="mariadbd",
            argv=["/usr/sbin/mariadbd", f"--defaults-file={self.config}"],
            run_dir=self.run_dir,
            log_dir=self.log_dir,
        )

    # -- lifecycle -----------------------------------------------------------------------------

    def _write_config(self) -> None:
        """The option file: everything the server and our client calls need, nothing from /etc."""
        if self.networking:
            listen = f"bind-address = {self.address}\nport = {self.port}\n"
        else:
            listen = "skip-networking\n"
        self.config.write_text(
            "[mariadbd]\n"
            f"user = {self.user}\n"
            f"datadir = {self.datadir}\n"
            f"socket = {self.socket}\n"
            f"pid-file = {self.run_dir / 'mariadbd.server.pid'}\n"
            f"log-error = {self.log_dir / 'error.log'}\n"
            f"{listen}"
            # The model's units are trusted test clients; skip name resolution (no DNS here).
            "skip-name-resolve\n"
            "innodb_buffer_pool_size = 64M\n"
            "innodb_log_file_size = 16M\n"
            "character-set-server = utf8mb4\n"
            "collation-server = utf8mb4_general_ci\n"
            "[client]\n"
            f"socket = {self.socket}\n"
        )
        self.config.chmod(0o644)

    def _prepare(self) -> None:
        """Create the directory tree (mysql-owned where the server writes) and the datadir."""
        # The socket's directory is traversable so that other daemons' users (keystone) can
        # connect; the log directory stays private.
        self._own_dirs({self.run_dir: 0o755, self.log_dir: 0o750})
        self._write_config()
        if (self.datadir / "mysql").is_dir():
            return
        if self.progress:
            self.progress("mariadb: initialising datadir")
        self.datadir.mkdir(exist_ok=True)
        shutil.chown(self.datadir, self.user, self.user)
        self.datadir.chmod(0o750)
        run(
            [
                "mariadb-install-db",
                f"--defaults-file={self.config}",
                f"--datadir={self.datadir}",
                f"--user={self.user}",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            what="mariadb-install-db",
        )

    def up(self) -> bool:
        return self.running()

    def launch(self, timeout: float) -> None:
        """Initialise on first use, start the server and wait until it answers."""
        self._prepare()
        self.daemon.start()
        self.daemon.wait_ready(self.ping, timeout, self.progress)

    def ready(self) -> bool:
        return self.ping()

    def ping(self) -> bool:
        """True when the server accepts a socket login and the TCP port accepts connections."""
        result = run(
            ["mariadb-admin", f"--defaults-file={self.config}", "--connect-timeout=2", "ping"],
            what="mariadb-admin ping",
            check=False,
            timeout=10,
        )
        if result.returncode != 0:
            return False
        if not self.networking:
            return True
        return self._accepts(self.address, self.port, 2)

    def stop(self, timeout: float = 30) -> bool:
        """Stop the server (SIGTERM is mariadbd's clean shutdown); True if it was running."""
        return self.daemon.stop(timeout)

    # -- administration ------------------------------------------------------------------------

    def sql(self, statements: str, database: str | None = None) -> str:
        """Run SQL as root over the private socket; returns tab-separated output, no headers.

        Statements go through stdin, so passwords in them never appear in a process list.
        """
        argv = ["mariadb", f"--defaults-file={self.config}", "--batch", "--skip-column-names"]
        if database:
            argv.append(database)
        return run(argv, what="mariadb (sql)", input_text=statements).stdout

    def ensure_database(
        self,
        name: str,
        username: str,
        password: str,
        hosts: list[str] | tuple[str, ...] = ("%",),
    ) -> None:
        """Create the database and user (one account per host) with ALL on that database.

        Idempotent and convergent: a second call with a new password or more hosts updates the
        accounts, as the mysql charm does when a unit re-requests access.
        """
        check_names("database or user name", (_NAME, name), (_NAME, username))
        for host in hosts:
            check_names("host for a MariaDB account", (_HOST, host))
        lines = [f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4;"]
        for host in hosts:
            account = f"{_literal(username)}@{_literal(host)}"
            lines.append(f"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {_literal(password)};")
            lines.append(f"ALTER USER {account} IDENTIFIED BY {_literal(password)};")
            lines.append(f"GRANT ALL PRIVILEGES ON `{name}`.* TO {account};")
        lines.append("FLUSH PRIVILEGES;")
        self.sql("\n".join(lines) + "\n")

    def databases(self) -> list[str]:
        return self.sql("SHOW DATABASES;").split()

    def tables(self, database: str) -> list[str]:
        """Table names of one database (how tests prove a service's db sync really ran)."""
        check_names("database name", (_NAME, database))
        return sorted(self.sql("SHOW TABLES;", database=database).split())

    def connection_url(self, database: str, username: str, password: str) -> str:
        """SQLAlchemy URL an OpenStack service puts in [database] connection."""
        who = userinfo(username, password)
        if not self.networking:
            return (
                f"mysql+pymysql://{who}@localhost/{database}"
                f"?unix_socket={self.socket}&charset=utf8mb4"
            )
        return f"mysql+pymysql://{who}@{self.address}:{self.port}/{database}?charset=utf8mb4"
