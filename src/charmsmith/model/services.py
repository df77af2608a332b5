"""Emulated services inside a unit: `service` and `systemctl`, with stand-in listeners.

Why: a charm starts its services and then probes their ports to set its status; on this
machine real services would touch the host. So starting a service runs a stand-in TCP listener
in the unit's network namespace on the ports its config binds, and a listener that cannot bind
leaves the service failed, as systemd reports it. haproxy, what scale-out is about, runs for
real on the unit's own haproxy.cfg where the host has the binary. Processes are signalled only
while pid and kernel start time still match (model/procs.py), never a reused pid.
Details: docs/model.md, 'The emulated shim (default `--mode emulated`)'.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from charmsmith.model import network, procs
from charmsmith.model import units as unitfs
from charmsmith.model.state import Unit
from charmsmith.model.tool_base import HookContext, Result, ToolError
from charmsmith.model.unitexec import unit_command

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView

LISTENER = r"""
import socket, sys, threading
def bind(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("0.0.0.0", port))
    except OSError:
        return None
    s.listen(16)
    return s
def serve(s):
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(1); c.recv(4096)
            body = b"charmsmith stand-in for " + sys.argv[1].encode() + b"\n"
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        c.close()
socks = [s for s in (bind(int(p)) for p in sys.argv[2:]) if s]
if not socks:
    sys.exit("cannot bind any of ports " + " ".join(sys.argv[2:]))
threads = [threading.Thread(target=serve, args=(s,)) for s in socks]
[t.start() for t in threads]
sys.stdout.write("ready\n"); sys.stdout.flush(); sys.stdout.close()
[t.join() for t in threads]
"""


def service(model: ModelView, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    if len(args) == 1 and args[0] in ("--status-all",):
        return 0, b"", b""
    if len(args) < 2:
        raise ToolError("Usage: service < option > | --status-all | [ service_name [ command ] ]")
    return _control(model, ctx.unit, args[1], args[0])


def systemctl(model: ModelView, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return 0, b"", b""
    verb, names = words[0], [n.removesuffix(".service") for n in words[1:]]
    if verb in ("daemon-reload", "list-units", "list-unit-files", "reset-failed"):
        return 0, b"", b""
    rc, out = 0, b""
    for name in names:
        result = _control(model, ctx.unit, verb, name)
        rc = rc or result[0]
        out += result[1]
    return rc, out, b""


def _control(model: ModelView, unit_name: str, verb: str, name: str) -> Result:
    """One systemctl verb on an emulated service (rules of systemctl(1), systemd.service(5)).

    A simple service's `start` succeeds once its process is forked even if it exits at once;
    `is-active` then answers "failed" (exit 3), so the charm's status check sees the truth.
    """
    unit = model.unit(unit_name)
    entry = unit.services.setdefault(
        name, {"running": False, "enabled": True, "pid": None, "ports": []}
    )
    unit.service_log.append([verb, name])
    if verb in ("reload", "force-reload") and _graceful_reload(model, unit_name, name):
        return reload_haproxy(model, unit_name, entry)
    if verb in ("start", "restart", "reload", "force-reload", "try-restart"):
        if verb == "try-restart" and not entry["running"]:
            return 0, b"", b""
        return start_service(model, unit_name, name)
    elif verb == "stop":
        stop_listener(entry)
        entry["running"] = False
        entry["failed"] = False
    elif verb in ("status", "is-active"):
        if entry["running"] and entry.get("pid") and not procs.alive(_record(entry)):
            entry.update(running=False, failed=True, pid=None, start=None)  # it died since
        running = entry["running"]
        idle = "failed" if entry.get("failed") else "inactive"
        text = (
            ("active" if running else idle)
            if verb == "is-active"
            else (f"{name} is running" if running else f"{name} is not running")
        )
        return (0 if running else 3), (text + "\n").encode(), b""
    elif verb in ("enable", "disable", "unmask", "mask"):
        entry["enabled"] = verb in ("enable", "unmask")
    elif verb == "is-enabled":
        return (
            (0 if entry["enabled"] else 1),
            (b"enabled\n" if entry["enabled"] else b"disabled\n"),
            b"",
        )
    else:
        raise ToolError(f"unknown service command {verb}")
    return 0, b"", b""


def start_service(model: ModelView, unit_name: str, name: str) -> Result:
    """(Re)start one service: its old process goes first, then its listener (or haproxy)."""
    unit = model.unit(unit_name)
    entry = unit.services[name]
    stop_listener(entry)
    entry["ports"] = service_ports(model.store.path, unit_name, name)
    if name == "haproxy" and Path(HAPROXY).exists() and unit.netns:
        pid, error = start_haproxy(model, unit_name)
        if pid is None:
            entry.update(running=False, failed=True)
            return 1, b"", f"Job for haproxy.service failed: {error}\n".encode()
        entry.update(pid=pid, start=procs.start_time(pid), running=True, failed=False)
    else:
        rec, exited = start_listener(model, unit, name, entry["ports"])
        entry.update(pid=rec and rec["pid"], start=rec and rec["start"])
        entry.update(running=not exited, failed=exited)
    return 0, b"", b""


def service_ports(model_dir: Path, unit: str, name: str) -> list[int]:
    """Ports the service's config binds (heuristic documented in the module docstring)."""

    def read(path: str) -> str:
        found = unitfs.host_view(model_dir, unit, path)
        return found.read_text(errors="replace") if found and found.is_file() else ""

    ports: set[int] = set()
    if name == "haproxy":
        for match in re.finditer(r"^\s*bind\s+\S*:(\d+)", read("/etc/haproxy/haproxy.cfg"), re.M):
            ports.add(int(match.group(1)))
        return sorted(ports)
    if name in ("apache2", "httpd"):
        texts = [read("/etc/apache2/ports.conf")]
        for base in ("/etc/apache2/sites-enabled",):
            found = unitfs.host_view(model_dir, unit, base)
            if found and found.is_dir():
                texts += [
                    p.read_text(errors="replace") for p in sorted(found.iterdir()) if p.is_file()
                ]
        for text in texts:
            ports |= {int(m) for m in re.findall(r"^\s*Listen\s+(?:\S+:)?(\d+)", text, re.M)}
        return sorted(ports)
    prefix = name.split("-")[0]
    conf_dir = unitfs.host_view(model_dir, unit, f"/etc/{prefix}")
    if conf_dir and conf_dir.is_dir():
        for path in sorted(conf_dir.glob("*.conf")):
            text = path.read_text(errors="replace")
            ports |= {int(m) for m in re.findall(r"^\s*bind_port\s*=\s*(\d+)", text, re.M)}
    return sorted(ports)


def start_listener(
    model: ModelView, unit: Unit, name: str, ports: list[int]
) -> tuple[procs.Record | None, bool]:
    """(record of the listener, exited): (None, False) when the service has no ports to serve,
    (None, True) when the stand-in exited at once instead of listening."""
    if not ports or not unit.netns:
        return None, False
    enter = model.store.path / "run" / "bin" / "charmsmith-enter"
    proc = subprocess.Popen(
        [
            str(enter),
            unit.netns,
            "-",
            "/",
            "--",
            sys.executable,
            "-c",
            LISTENER,
            f"{name} on {unit.name}",  # the reply names the unit: balancing is visible
            *map(str, ports),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={"PATH": unitfs.SYSTEM_PATH},
    )
    # like `service start`, return once the stand-in listens: status checks follow at once
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 10)
    said = proc.stdout.readline() if ready else b""
    proc.stdout.close()
    rec = procs.record(proc.pid)
    if said != b"ready\n" or rec is None:
        # exited (or never got ready): reap it, or stop what is left of it
        if proc.poll() is None and rec is not None:
            procs.stop(rec)
        proc.wait()
        return None, True
    return rec, False


HAPROXY = "/usr/sbin/haproxy"
HAPROXY_CFG = "/etc/haproxy/haproxy.cfg"
HAPROXY_LOG = "/var/log/haproxy-charmsmith.log"  # in the unit's view
HAPROXY_PIDFILE = "/run/haproxy.pid"  # in the unit's view, as Debian's init script
HAPROXY_READY_TIMEOUT = 10.0


def start_haproxy(model: ModelView, unit_name: str) -> tuple[int | None, str]:
    """Run the host's haproxy in the unit (netns + filesystem view); (pid, "") once it listens.

    Ready means every `bind *:N` frontend answers on the unit's address (loopback-only
    listeners such as stats cannot be probed from the bridge). On a config error or an early
    exit: (None, the last alert haproxy printed).
    """
    config = unitfs.host_view(model.store.path, unit_name, HAPROXY_CFG)
    text = config.read_text(errors="replace") if config and config.is_file() else ""
    ports = sorted({int(p) for p in re.findall(r"^\s*bind\s+\*:(\d+)", text, re.M)})
    log = unitfs._in_upper(model.store.path, unit_name, HAPROXY_LOG)
    log.parent.mkdir(parents=True, exist_ok=True)
    script = f"mkdir -p /run/haproxy && exec haproxy -db{_maxconn_cap(text)} -f {HAPROXY_CFG}"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            unit_command(model, unit_name, ["/bin/sh", "-c", script]),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={"PATH": unitfs.SYSTEM_PATH},
        )
    address = model.unit(unit_name).address
    deadline = time.monotonic() + HAPROXY_READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            lines = log.read_text(errors="replace").splitlines()
            alerts = [line for line in lines if "ALERT" in line] or lines or ["no output"]
            return None, alerts[-1].strip()
        if all(network.accepts(address, port) for port in ports):  # the unit's own address
            return proc.pid, ""
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    return None, f"not listening on {ports} after {HAPROXY_READY_TIMEOUT:.0f}s"


def _graceful_reload(model: ModelView, unit_name: str, name: str) -> bool:
    """A reload of the real haproxy running in the unit hands over its ports (below); other
    services' stand-ins have no connections worth keeping and restart."""
    unit = model.unit(unit_name)
    entry = unit.services[name]
    real = name == "haproxy" and Path(HAPROXY).exists() and bool(unit.netns)
    return real and entry["running"] and procs.alive(_record(entry))


def reload_haproxy(model: ModelView, unit_name: str, entry: dict[str, Any]) -> Result:
    """haproxy's graceful reload, as Debian's /etc/init.d/haproxy does it (haproxy's management
    guide, "Stopping and restarting HAProxy"): check the config, then start a new haproxy with
    `-sf <old pid>`; it binds the ports (SO_REUSEPORT, beside the old listeners) before it tells
    the old process to stop accepting, and the old one exits once its connections are done.
    `-D` returns once the new process listens, as the init script's reload does. A config haproxy
    rejects fails the reload and leaves the old process serving.
    """
    config = unitfs.host_view(model.store.path, unit_name, HAPROXY_CFG)
    cap = _maxconn_cap(config.read_text(errors="replace") if config and config.is_file() else "")
    check = f"haproxy -c{cap} -f {HAPROXY_CFG} >/dev/null"
    new = f"haproxy -D -p {HAPROXY_PIDFILE}{cap} -f {HAPROXY_CFG} -sf {entry['pid']}"
    script = f"mkdir -p /run/haproxy && {check} && {new} && cat {HAPROXY_PIDFILE}"
    done = subprocess.run(
        unit_command(model, unit_name, ["/bin/sh", "-c", script]),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env={"PATH": unitfs.SYSTEM_PATH},
        timeout=HAPROXY_READY_TIMEOUT,
    )
    log = unitfs._in_upper(model.store.path, unit_name, HAPROXY_LOG)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(done.stderr)
    pids = done.stdout.split()
    if done.returncode != 0 or not pids:
        lines = done.stderr.decode(errors="replace").splitlines()
        alerts = [line for line in lines if "ALERT" in line] or lines or ["no output"]
        return 1, b"", f"Job for haproxy.service failed: {alerts[0].strip()}\n".encode()
    pid = int(pids[0])
    entry.update(pid=pid, start=procs.start_time(pid), running=True, failed=False)
    entry["ports"] = service_ports(model.store.path, unit_name, "haproxy")
    return 0, b"", b""


def _maxconn_cap(config: str) -> str:
    """` -n N` if this machine cannot afford the config's `maxconn` (see haproxy_maxconn_cap)."""
    found = re.search(r"^\s*maxconn\s+(\d+)", config, re.M)
    cap = unitfs.haproxy_maxconn_cap(int(found.group(1))) if found else None
    return f" -n {cap}" if cap else ""


def _record(entry: dict[str, Any]) -> procs.Record:
    return {"pid": entry.get("pid"), "start": entry.get("start")}


def stop_listener(entry: dict[str, Any]) -> None:
    """Stop the service's process if it is still the one we started, and wait until it is gone
    (a restart binds the same ports next). A pid without a matching start time (reused, or a
    state written before start times were recorded) is left alone; removal, `fail` and
    `destroy` still end everything left in the unit's network namespace."""
    rec = _record(entry)
    entry["pid"] = entry["start"] = None
    procs.stop(rec)
