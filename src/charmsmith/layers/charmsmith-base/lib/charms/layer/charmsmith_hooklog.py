"""One ``juju-log`` call per hook instead of one per line.

Why: on a real Juju every juju-log line is a round trip to the unit agent and a write to the
controller's log store, and charms.reactive alone logs about 35 lines in a steady-state hook.
Lines below WARNING are buffered with their level as a prefix and written as one message when
the hook ends; a WARNING or worse, or a failing hook, flushes at once, so order is kept and a
crash loses nothing. A batch longer than charm-helpers' ``SH_MAX_ARG`` is split on lines.

Details: docs/hook-cost.md (table of mechanisms).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

#: Levels written at once (juju-log's -l values, as charm-helpers names them).
IMMEDIATE_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})
#: Order used to pick the level of a batch: the most severe line it holds.
_SEVERITY = {"TRACE": 0, "DEBUG": 1, "INFO": 2}
#: Largest message one call carries (charm-helpers' SH_MAX_ARG).
MAX_MESSAGE = 131071

Sender = Callable[[str, str], None]


def send_with_juju_log(message: str, level: str) -> None:
    """Write one message; outside a hook (no juju-log) it goes to stderr as charm-helpers does."""
    try:
        subprocess.call(["juju-log", "-l", level, message])
    except FileNotFoundError:
        print(f"juju-log: {level}: {message}", file=sys.stderr)


class HookLog:
    """The hook's log buffer; ``log`` has charm-helpers' ``hookenv.log`` signature."""

    def __init__(self, send: Sender = send_with_juju_log, limit: int = MAX_MESSAGE) -> None:
        self._send = send
        self._limit = limit
        self._lines: list[str] = []
        self._level = "TRACE"

    def log(self, message: object, level: str | None = None) -> None:
        text = message if isinstance(message, str) else repr(message)
        name = (level or "INFO").upper()
        if name in IMMEDIATE_LEVELS:
            self.flush()
            self._send(text[: self._limit], name)
            return
        self._lines.append(f"{name}: {text}")
        if _SEVERITY.get(name, 2) > _SEVERITY[self._level]:
            self._level = name if name in _SEVERITY else "INFO"

    def flush(self) -> None:
        """Write what is buffered, in as few calls as the size limit allows."""
        lines, level = self._lines, self._level
        self._lines, self._level = [], "TRACE"
        batch: list[str] = []
        size = 0
        for line in lines:
            line = line[: self._limit]
            if batch and size + 1 + len(line) > self._limit:
                self._send("\n".join(batch), level)
                batch, size = [], 0
            batch.append(line)
            size += len(line) + (1 if size else 0)
        if batch:
            self._send("\n".join(batch), level)


def install() -> HookLog:
    """Route charm-helpers' ``hookenv.log`` (used by charms.reactive and our runtime) through
    a new buffer for this hook; the caller flushes it when the hook ends, however it ends."""
    from charmhelpers.core import hookenv

    buffer = HookLog()
    hookenv.log = buffer.log
    return buffer
