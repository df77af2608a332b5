"""A tiny process supervisor for the real peer daemons (MariaDB, RabbitMQ, Keystone).

Why our own: this machine has no systemd and apt never starts services (policy-rc.d), and the
model is driven by short-lived CLI commands — `charmsmith model deploy mysql` starts a daemon and
exits, a later `charmsmith model destroy` must stop it. So a daemon runs detached in its own
session (setsid: no controlling terminal, its own process group that we can signal as a whole),
and a pidfile records its pid *and* kernel start time so a later process can find it again without
ever signalling an unrelated process that happens to reuse the pid.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from charmsmith.errors import CharmsmithError
from charmsmith.model import procs

Progress = Callable[[str], None]
# Daemons get a clean, minimal environment: nothing of the caller's venv, proxies or locale.
BASE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}


class ServiceError(CharmsmithError):
    """A real backend failed to start, answer or stop; the message says which and where to look."""


def stderr_progress(message: str) -> None:
    """Default progress sink: stderr, so it never mixes with a command's machine output."""
    print(message, file=sys.stderr, flush=True)


def _start_time(pid: int) -> str | None:
    """The process start time or None when the pid is gone or a zombie (see model.procs)."""
    return procs.start_time(pid)


def pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (a zombie no longer does anything)."""
    return _start_time(pid) is not None


@dataclass
class Daemon:
    """One supervised daemon: argv, environment, log file and pidfile under a state directory.

    `user`/`group` drop privileges in the child before exec (for daemons that refuse to run as
    root or must own their files); daemons that drop privileges themselves (mariadbd --user,
    uwsgi uid/gid) are started as root.
    """

    name: str
    argv: Sequence[str]
    run_dir: Path
    log_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    user: str | None = None
    group: str | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def pidfile(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def logfile(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        """The recorded pid if that very process (same start time) still runs, else None."""
        try:
            pid_text, started = self.pidfile.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            return None
        if self._proc is not None and self._proc.pid == pid:
            self._proc.poll()  # reap it if it died, so it does not linger as a zombie
        return pid if _start_time(pid) == started else None

    def running(self) -> bool:
        return self.pid() is not None

    def start(self) -> int:
        """Start the daemon detached unless it already runs; returns its pid.

        Output goes to the log file (appended, so a restart keeps the earlier failure for the
        reader), never to our terminal: several daemons print their configuration.
        """
        existing = self.pid()
        if existing is not None:
            return existing
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(BASE_ENV)
        env.update(self.env)
        with open(self.logfile, "ab") as log:
            os.chmod(self.logfile, 0o640)
            self._proc = subprocess.Popen(
                list(self.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.cwd,
                start_new_session=True,
                user=self.user,
                group=_group_of(self.user, self.group),
                extra_groups=[] if self.user else None,
                close_fds=True,
            )
        started = _start_time(self._proc.pid)
        if started is None:
            raise ServiceError(f"{self.name} exited at once; see {self.logfile}")
        tmp = self.pidfile.with_suffix(".tmp")
        tmp.write_text(f"{self._proc.pid} {started}\n")
        os.replace(tmp, self.pidfile)
        return self._proc.pid

    def wait_ready(
        self,
        check: Callable[[], bool],
        timeout: float,
        progress: Progress | None = stderr_progress,
        every: float = 5.0,
        interval: float = 0.25,
    ) -> float:
        """Poll `check` until it is true; returns seconds waited.

        Fails fast (with the log's tail) when the daemon dies instead of waiting out the timeout,
        and prints a progress line every `every` seconds so a slow start is visibly alive.
        """
        begin = time.monotonic()
        next_note = begin + every
        while True:
            if not self.running():
                raise ServiceError(f"{self.name} died while starting:\n{self.log_tail()}")
            try:
                if check():
                    return time.monotonic() - begin
            except Exception:  # noqa: BLE001 - any failure of a probe just means "not ready yet"
                pass
            now = time.monotonic()
            if now - begin > timeout:
                raise ServiceError(
                    f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}"
                )
            if progress is not None and now >= next_note:
                progress(f"{self.name}: waiting for readiness ({now - begin:.0f} s)")
                next_note = now + every
            time.sleep(interval)

    def stop(self, timeout: float = 20.0) -> bool:
        """SIGTERM the daemon, SIGKILL its whole process group if anything is left after `timeout`.

        The group matters: uwsgi workers and Erlang helpers must not survive their leader.
        Returns True if something was running. Idempotent.
        """
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return False
        # SIGTERM to the leader only: it shuts its children down in order (uwsgi's master
        # stops its workers, mariadbd flushes); signalling every worker at once races that.
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._group_alive(pid):
            if self._proc is not None:
                self._proc.poll()
            time.sleep(0.1)
        if self._group_alive(pid):
            self._signal_group(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and self._group_alive(pid):
                if self._proc is not None:
                    self._proc.poll()
                time.sleep(0.1)
        if self._proc is not None:
            try:
                self._proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        self.pidfile.unlink(missing_ok=True)
        return True

    @staticmethod
    def _signal_group(pid: int, sig: int) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        """True while any non-zombie process is in the group (the leader may exit first)."""
        return bool(group_members(pgid))

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return f"(no log at {self.logfile})"
        return "\n".join(text.splitlines()[-lines:]) + f"\n(full log: {self.logfile})"


def _group_of(user: str | None, group: str | None) -> str | int | None:
    """The group to switch to: the given one, else the user's primary group.

    Popen(user=...) alone keeps root's gid, which would leave files group-owned by root.
    """
    if group is not None or user is None:
        return group
    return pwd.getpwnam(user).pw_gid


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) pids whose process group is `pgid`, read from /proc."""
    return procs.group_members(pgid)


def run(
    argv: Sequence[str],
    *,
    what: str,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    user: str | None = None,
    group: str | None = None,
    timeout: float = 300,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a one-shot admin command; on failure raise ServiceError naming `what`.

    Secrets go in via `input_text` (stdin) or `env`, never argv, because argv is world-readable in
    /proc. The error message carries the command's output, which is why callers must not make a
    command echo a secret.
    """
    full_env = dict(BASE_ENV)
    if env:
        full_env.update(env)
    try:
        result = subprocess.run(
            list(argv),
            input=input_text,
            capture_output=True,
            text=True,
            env=full_env,
            user=user,
            group=_group_of(user, group),
            extra_groups=[] if user else None,
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise ServiceError(f"{what}: {argv[0]} not found (run scripts/setup-e2e.sh)") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"{what}: timed out after {timeout:.0f} s") from exc
    if check and result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip())[-2000:]
        raise ServiceError(f"{what} failed (rc={result.returncode}): {output}")
    return result


def can_search(path: Path, user: str) -> bool:
    """Whether `user` can reach and search `path`, asked of the kernel by running test(1) as that
    user: mode bits, ACLs and the path's every parent all count, as they will for the daemon."""
    try:
        pwd.getpwnam(user)
    except KeyError:
        raise ServiceError(f"no user {user!r} on this machine (run scripts/setup-e2e.sh)") from None
    result = run(["test", "-x", str(path)], what=f"test -x as {user}", user=user, check=False)
    return result.returncode == 0


def ensure_traversable(path: Path, user: str) -> None:
    """Fail clearly if `user` cannot reach `path` (e.g. pytest's 0700 temp root).

    The daemons drop to their own users; a parent directory they cannot search makes them fail
    later with a cryptic 'Permission denied' deep in their logs. Only the nearest existing
    directory is tested (one call); on failure the walk from / names the one to fix.
    """
    existing = next((p for p in [path, *path.parents] if p.exists()), Path("/"))
    if can_search(existing, user):
        return
    for parent in reversed([existing, *existing.parents]):
        if not can_search(parent, user):
            mode = parent.stat().st_mode
            raise ServiceError(
                f"{parent} is not traversable by user {user} (mode {oct(mode & 0o777)}); "
                f"the {user} daemon needs search (x) permission on every parent of {path}"
            )
