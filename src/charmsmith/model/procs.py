"""Processes the model started, found again and signalled safely by a later command.

Why: the model state outlives the processes it names (a listener started by one command is
stopped by another, minutes later), and a pid alone is no identity: pids wrap within minutes
on a busy host, so a recorded pid may by now belong to an unrelated process. A record is
`{"pid": N, "start": T}`, T being the kernel's start time of the process; the process is ours
only while both still match. Signals go through a pidfd opened *before* the start time is
checked, so the process checked is the very process signalled.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from pathlib import Path
from typing import Any

Record = dict[str, Any]


def start_time(pid: int) -> str | None:
    """The start time (clock ticks since boot), or None when the pid is gone or a zombie.

    Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and parentheses,
    so the fields are split after its last ')'. A zombie runs nothing: it counts as gone.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def process_group(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[2])


def record(pid: int) -> Record | None:
    """The identity of a process we just started; None if it already exited."""
    started = start_time(pid)
    return None if started is None else {"pid": pid, "start": started}


def alive(rec: Record | None) -> bool:
    """True while the recorded process itself still runs (a bare pid is never trusted)."""
    if not rec or not rec.get("pid") or not rec.get("start"):
        return False
    return start_time(int(rec["pid"])) == rec["start"]


def _open(rec: Record) -> int | None:
    """A pidfd on the recorded process, or None if that process is gone or the pid reused."""
    if not rec or not rec.get("pid") or not rec.get("start"):
        return None
    try:
        fd = os.pidfd_open(int(rec["pid"]))
    except OSError:
        return None
    if start_time(int(rec["pid"])) != rec["start"]:
        os.close(fd)
        return None
    return fd


def send(rec: Record | None, sig: int, wait: float = 0.0) -> bool:
    """Signal the recorded process if it is still the one we started; True if signalled.

    With `wait`, return only once it has exited (or `wait` seconds passed).
    """
    fd = _open(rec) if rec else None
    if fd is None:
        return False
    try:
        signal.pidfd_send_signal(fd, sig)
        if wait:
            _wait_exit(fd, wait)
        return True
    except ProcessLookupError:
        return False
    finally:
        os.close(fd)


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) pids whose process group is `pgid`, read from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and process_group(int(entry)) == pgid and start_time(int(entry)):
            members.append(int(entry))
    return members


def stop(rec: Record | None, timeout: float = 5.0, group: bool = True) -> bool:
    """SIGTERM the recorded process, SIGKILL it if it outlives `timeout`; wait for its exit.

    Waiting matters: a restart binds the same ports at once, which fails while the old
    process still holds them. With `group`, the rest of its process group (it leads one: we
    start everything in a new session) gets the same treatment; the group id cannot be taken
    by another process while the verified leader or any member lives. Returns True if the
    recorded process was ours and running.
    """
    fd = _open(rec) if rec else None
    if fd is None:
        return False
    pgid = int(rec["pid"])  # type: ignore[index]
    try:
        members = [p for p in group_members(pgid) if p != pgid] if group else []
        others = [m for m in (record(p) for p in members) if m]
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(fd, signal.SIGTERM)
        for other in others:
            send(other, signal.SIGTERM)
        if not _wait_exit(fd, timeout):
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            _wait_exit(fd, timeout)
        for other in others:
            send(other, signal.SIGKILL, wait=timeout)
        return True
    finally:
        os.close(fd)


def kill_tree(rec: Record | None) -> bool:
    """SIGKILL the recorded process and every descendant of it (an interrupted hook).

    Descendants, not the process group: a hook shares its command's group, so that killing
    the command's group (Ctrl-C, `kill -- -PGID`) takes the hook down too, and that group may
    hold the user's own pipeline. The root goes first, so it spawns nothing more.
    """
    fd = _open(rec) if rec else None
    if fd is None:
        return False
    root = int(rec["pid"])  # type: ignore[index]
    try:
        others = [m for m in (record(p) for p in descendants(root)) if m]
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        _wait_exit(fd, 5.0)
        for other in others:
            send(other, signal.SIGKILL, wait=5.0)
        return True
    finally:
        os.close(fd)


def descendants(root: int) -> list[int]:
    """Pids below `root` in the process tree (children, grandchildren...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(int(entry))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _wait_exit(fd: int, timeout: float) -> bool:
    """A pidfd turns readable when its process exits (zombie or reaped)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(int(timeout * 1000)))


def kill_netns(netns: str, timeout: float = 5.0) -> int:
    """SIGKILL every process whose network namespace is the file `netns` (a unit's processes)
    and wait until they are gone (a unit coming back binds the same ports).

    Each one is checked again through its pidfd, so a pid freed and reused meanwhile by a
    process outside the namespace is spared. Returns how many were signalled.
    """
    try:
        target = os.stat(netns)
    except OSError:
        return 0
    ident = (target.st_dev, target.st_ino)
    killed = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid() or _netns_of(int(entry)) != ident:
            continue
        try:
            fd = os.pidfd_open(int(entry))
        except OSError:
            continue
        try:
            if _netns_of(int(entry)) == ident:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
                killed.append(fd)
                continue
        except ProcessLookupError:
            pass
        os.close(fd)
    for fd in killed:
        _wait_exit(fd, timeout)
        os.close(fd)
    return len(killed)


def _netns_of(pid: int) -> tuple[int, int] | None:
    try:
        st = os.stat(f"/proc/{pid}/ns/net")
    except OSError:
        return None
    return st.st_dev, st.st_ino
