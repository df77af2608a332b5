"""Hook-tool transport: compile the C client once per model, link it under every tool name, and
serve its requests from a thread of the `charmsmith model` process that runs the hooks.

Why a server thread: the tools act on the model state this process holds in memory (under the
model lock), so a call is one socket round trip and a dict lookup, not a state reload.
Requests are served one at a time: hooks are sequential, and this keeps tool semantics simple.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import struct
import subprocess
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from charmsmith.errors import CharmsmithError

HOOK_TOOLS = [
    "config-get",
    "relation-ids",
    "relation-list",
    "relation-get",
    "relation-set",
    "leader-get",
    "leader-set",
    "is-leader",
    "status-get",
    "status-set",
    "application-version-set",
    "open-port",
    "close-port",
    "opened-ports",
    "unit-get",
    "network-get",
    "juju-log",
    "action-get",
    "action-set",
    "action-fail",
    "action-log",
    "goal-state",
    "juju-reboot",
    "storage-list",
    "storage-get",
    "storage-add",
    "add-metric",
    "credential-get",
    "resource-get",
    "pod-spec-set",
]
SHIM_TOOLS = ["apt-get", "apt-cache", "dpkg-query", "service", "systemctl", "add-apt-repository"]
ENTER = "charmsmith-enter"

# (context id, cwd, stdin, argv) -> (exit code, stdout, stderr)
Handler = Callable[[str, str, bytes, list[str]], tuple[int, bytes, bytes]]

_served = threading.local()


def caller_pid() -> int | None:
    """The pid of the tool process being served (its peer credentials), or None.

    The package shims act in that process's filesystem view (model/unitview.py).
    """
    return getattr(_served, "pid", None)


def _peer_pid(conn: socket.socket) -> int | None:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid = struct.unpack("3i", creds)[0]
    return pid or None


def client_source() -> bytes:
    return resources.files("charmsmith.model").joinpath("native/hooktool.c").read_bytes()


def _link_all(directory: Path, target: str, names: list[str]) -> None:
    for name in names:
        link = directory / name
        if link.is_symlink() and os.readlink(link) == target:
            continue
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        link.symlink_to(target)


def ensure_client(run_dir: Path) -> Path:
    """Compile the client into <model>/run/bin (rebuilt when the source changes) and link names.

    bin/ holds the hook tools and the package/service shims (emulated units); bin-real/ only
    the hook tools, so real-mode units run the real apt-get and service.
    """
    bin_dir = run_dir / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    source = client_source()
    digest = hashlib.sha256(source + b"static").hexdigest()[:16]
    binary = bin_dir / f"hooktool-{digest}"
    if not binary.exists():
        src = run_dir / "hooktool.c"
        src.write_bytes(source)
        tmp = binary.with_suffix(".tmp")
        # static: no dynamic loader work per call (the tool is exec'd hundreds of times a hook)
        proc = subprocess.run(
            ["gcc", "-O2", "-static", "-Wall", "-o", str(tmp), str(src)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:  # no static libc: a dynamic binary still meets the budget
            proc = subprocess.run(
                ["gcc", "-O2", "-Wall", "-o", str(tmp), str(src)], capture_output=True, text=True
            )
        if proc.returncode != 0:
            raise CharmsmithError(f"cannot compile the hook-tool client: {proc.stderr.strip()}")
        os.replace(tmp, binary)
    _link_all(bin_dir, binary.name, HOOK_TOOLS + [ENTER] + SHIM_TOOLS)
    # real-mode units get a tools dir without the package/service shims
    real_dir = run_dir / "bin-real"
    real_dir.mkdir(exist_ok=True)
    _link_all(real_dir, f"../bin/{binary.name}", HOOK_TOOLS)
    return bin_dir


def _recv_exact(conn: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = conn.recv(min(size, 1 << 20))
        if not chunk:
            raise ConnectionError("client went away")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class HookToolServer:
    """Accept loop on <model>/run/hooktools.sock; the socket is 0600-equivalent via a 0700 dir."""

    def __init__(self, run_dir: Path, handler: Handler) -> None:
        self.path = run_dir / "hooktools.sock"
        self.handler = handler
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> HookToolServer:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        if len(str(self.path)) > 100:
            raise CharmsmithError(f"model path too long for a unix socket: {self.path}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(self.path))
        sock.listen(64)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="hooktools", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _serve(self) -> None:
        assert self._sock is not None
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                try:
                    _served.pid = _peer_pid(conn)
                    self._handle(conn)
                except Exception as err:  # noqa: BLE001 - one bad call must not kill the server
                    with contextlib.suppress(OSError):
                        msg = f"ERROR charmsmith model: {err}\n".encode()
                        conn.sendall(struct.pack("=iI", 1, 0) + struct.pack("=I", len(msg)) + msg)

    def _handle(self, conn: socket.socket) -> None:
        (count,) = struct.unpack("=I", _recv_exact(conn, 4))
        items = []
        for _ in range(count):
            (size,) = struct.unpack("=I", _recv_exact(conn, 4))
            items.append(_recv_exact(conn, size))
        context_id, cwd, stdin = items[0].decode(), items[1].decode(), items[2]
        argv = [item.decode(errors="surrogateescape") for item in items[3:]]
        rc, out, err = self.handler(context_id, cwd, stdin, argv)
        conn.sendall(struct.pack("=iI", rc, len(out)) + out + struct.pack("=I", len(err)) + err)
