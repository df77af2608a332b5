"""What the real backends' servers share: a state directory, a listening address, a timed start.

Each server (MariaDB, RabbitMQ, Keystone, Ceph) keeps all it has under its own state directory,
`run/` and `log/` included, so a later process finds it again through those files. Starting is
idempotent: a server already up costs nothing; otherwise it prepares its files, launches its
daemons and waits until they answer, and start() returns the seconds that took.
"""

from __future__ import annotations

import re
import shutil
import socket
import time
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

from charmsmith.model.peers.real.supervisor import (
    Daemon,
    Progress,
    ServiceError,
    ensure_traversable,
)


class PrivateServer:
    """A server under `state_dir` listening on `address:port`, run as `user`."""

    user: ClassVar[str] = "root"
    START_TIMEOUT: ClassVar[float] = 60
    daemon: Daemon  # the main daemon, unless running() is overridden

    def __init__(
        self, state_dir: str | Path, address: str, port: int, progress: Progress | None
    ) -> None:
        self.state_dir = Path(state_dir).absolute()
        self.address = address
        self.port = port
        self.progress = progress
        self.run_dir = self.state_dir / "run"
        self.log_dir = self.state_dir / "log"

    def start(self, timeout: float | None = None) -> float:
        """Start (first-time set-up included) and wait until it answers; seconds taken."""
        begin = time.monotonic()
        if self.up():
            return 0.0
        self.launch(self.START_TIMEOUT if timeout is None else timeout)
        return time.monotonic() - begin

    def up(self) -> bool:
        """Already serving, so that start() has nothing to do."""
        return self.running() and self.ready()

    def launch(self, timeout: float) -> None:
        """Prepare the files, start the daemons, wait at most `timeout` s for readiness."""
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    def running(self) -> bool:
        return self.daemon.running()

    def _own_dirs(self, modes: dict[Path, int]) -> None:
        """The state directory (0711: the server's user may pass) and, inside it, the
        directories the server's user owns, with their modes."""
        ensure_traversable(self.state_dir.parent, self.user)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o711)
        for path, mode in modes.items():
            path.mkdir(exist_ok=True)
            shutil.chown(path, self.user, self.user)
            path.chmod(mode)

    @staticmethod
    def _accepts(address: str, port: int, timeout: float) -> bool:
        """True when `address:port` takes a TCP connection; raises OSError when it does not."""
        with socket.create_connection((address, port), timeout=timeout):
            return True


def check_names(what: str, *checks: tuple[re.Pattern[str], str]) -> None:
    """Refuse values that could escape the quoting of a statement or a command: one line."""
    if not all(pattern.match(value) for pattern, value in checks):
        shown = " / ".join(repr(value) for _, value in checks)
        raise ServiceError(f"invalid {what}: {shown}")


def userinfo(username: str, password: str) -> str:
    """`user:password` for a URL, both percent-encoded (passwords may hold @, : and /)."""
    return f"{quote(username, safe='')}:{quote(password, safe='')}"
