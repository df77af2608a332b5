"""The emulated `service haproxy reload` is graceful, as Debian's init script's reload is.

The unit's real haproxy serves a request whose backend answers slowly; a reload happens while
that request is in flight. The old process must finish it (haproxy -sf), the new one must own
the port, and a config haproxy rejects must fail the reload and leave the old process serving.
A stand-in `charmsmith-enter` gives the processes a private mount namespace where the unit's
/etc/haproxy and an empty /run are mounted: the host's own files are never read or written.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fake_charm import active_unit

from charmsmith.model import procs, services
from charmsmith.model import units as unitfs
from charmsmith.model.sequencer import Model
from charmsmith.model.store import ModelStore

UNIT = "fixture-api/0"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not Path(services.HAPROXY).exists() or not shutil.which("unshare"),
    reason="needs root (a mount namespace), unshare and the haproxy binary",
)

ENTER = """#!/bin/sh
# charmsmith-enter NETNS SPEC CWD -- CMD...: the unit's /etc/haproxy and a private /run only
shift 4
exec unshare --mount --propagation private /bin/sh -c \
  'mount --bind "$0/haproxy" /etc/haproxy && mount -t tmpfs tmpfs /run && exec "$@"' \
  "{etc}" "$@"
"""


class SlowBackend(BaseHTTPRequestHandler):
    """The API behind haproxy: answers after a second, long enough to reload meanwhile."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        time.sleep(1.0)
        body = b"slow answer\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def backend() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowBackend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture()
def model(tmp_path: Path) -> Iterator[Model]:
    store = ModelStore(tmp_path / "m")
    with store.locked(create=True):
        # a namespace that exists (the stand-in launcher does not enter it): the host's
        store.state.units[UNIT] = active_unit(UNIT, "127.0.0.1", "/proc/self/ns/net")
        etc = unitfs.upper(store.path, UNIT, "/etc")
        (etc / "haproxy").mkdir(parents=True)
        enter = store.path / "run" / "bin" / "charmsmith-enter"
        enter.parent.mkdir(parents=True)
        enter.write_text(ENTER.format(etc=etc))
        enter.chmod(0o755)
        model = Model(store, echo=lambda _line: None)
        yield model
        for entry in (model.unit(UNIT).services or {}).values():
            services.stop_listener(entry)


def _configure(model: Model, port: int, backend: int, extra: str = "") -> None:
    cfg = unitfs.upper(model.store.path, UNIT, "/etc") / "haproxy" / "haproxy.cfg"
    cfg.write_text(
        "global\n    maxconn 64\n"
        "defaults\n    mode http\n    timeout connect 5s\n"
        "    timeout client 30s\n    timeout server 30s\n"
        f"frontend api\n    bind *:{port}\n    default_backend api\n{extra}"
        f"backend api\n    server local 127.0.0.1:{backend}\n"
    )


def _start(model: Model) -> None:
    started = services._control(model, UNIT, "start", "haproxy")
    assert started == (0, b"", b""), started


def _haproxy(model: Model) -> dict:
    return (model.unit(UNIT).services or {})["haproxy"]


def _send(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
    return sock


def _answer(sock: socket.socket) -> bytes:
    reply = b""
    with sock:
        while chunk := sock.recv(4096):
            reply += chunk
    return reply


def test_reload_lets_the_old_process_finish_its_request(model: Model, backend: int) -> None:
    port = _free_port()
    _configure(model, port, backend)
    _start(model)
    old = dict(_haproxy(model))

    in_flight = _send(port)
    time.sleep(0.2)  # haproxy has passed it on; the backend answers in a second
    assert services._control(model, UNIT, "reload", "haproxy") == (0, b"", b"")
    new = _haproxy(model)
    assert new["pid"] != old["pid"] and procs.alive({"pid": new["pid"], "start": new["start"]})
    assert new["running"] and (model.unit(UNIT).service_log or [])[-1] == ["reload", "haproxy"]

    reply = _answer(in_flight)
    assert reply.startswith(b"HTTP/1.0 200 OK") and reply.endswith(b"slow answer\n"), reply
    assert _answer(_send(port)).startswith(b"HTTP/1.0 200 OK")  # the new process serves
    deadline = time.monotonic() + 10
    while procs.alive({"pid": old["pid"], "start": old["start"]}):  # done: the old one leaves
        assert time.monotonic() < deadline, "the old haproxy did not exit"
        time.sleep(0.05)


def test_a_rejected_config_fails_the_reload_and_the_old_process_serves(
    model: Model, backend: int
) -> None:
    port = _free_port()
    _configure(model, port, backend)
    _start(model)
    old = dict(_haproxy(model))

    _configure(model, port, backend, extra="    no-such-keyword on\n")
    rc, _out, err = services._control(model, UNIT, "reload", "haproxy")
    assert rc == 1 and err.startswith(b"Job for haproxy.service failed: "), err
    assert b"no-such-keyword" in err
    assert _haproxy(model)["pid"] == old["pid"] and _haproxy(model)["running"]
    assert _answer(_send(port)).startswith(b"HTTP/1.0 200 OK")
