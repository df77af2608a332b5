"""The unit's workload status as a type: one of Juju's states and the message shown beside it.

Every status check returns a ``Status`` (or None when it has nothing to say), so the state is
one of the four a charm may set and a misspelt one is a type error, not a hook-tool failure.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

#: The message of a unit with nothing to report.
READY_MESSAGE = "Unit is ready"

#: The states ``status-set`` accepts from a charm, worst last-resort first.
WorkloadState = Literal["blocked", "waiting", "maintenance", "active"]


class Status(NamedTuple):
    """A workload state and its message; unpacks as ``state, message``."""

    state: WorkloadState
    message: str
