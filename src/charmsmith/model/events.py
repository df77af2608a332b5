"""The hook queue seen as typed events (state.QueuedEvent) rather than JSON objects.

Why: the queue lives in the state as a list of JSON objects (store.py); the queue's users
(hookqueue, runner, scope, operations, lifecycle) read and filter it through these helpers,
by attribute, and only `queue_event` writes a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from charmsmith.model.protocols import State
from charmsmith.model.state import QueuedEvent


def queued(state: State) -> list[QueuedEvent]:
    """The pending events, head first."""
    return [QueuedEvent.from_json(doc) for doc in state["queue"]]


def keep(state: State, wanted: Callable[[QueuedEvent], bool]) -> None:
    """Drop every pending event that is not `wanted`, keeping the others' order."""
    state["queue"] = [doc for doc in state["queue"] if wanted(QueuedEvent.from_json(doc))]


def take_first(state: State, unit: str) -> QueuedEvent | None:
    """Remove and return `unit`'s next event, if it has one."""
    for index, event in enumerate(queued(state)):
        if event.unit == unit:
            del state["queue"][index]
            return event
    return None


def first_of(state: State, unit: str) -> QueuedEvent | None:
    return next((event for event in queued(state) if event.unit == unit), None)


def as_event(doc: dict[str, Any]) -> QueuedEvent:
    return QueuedEvent.from_json(doc)
