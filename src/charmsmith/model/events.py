"""Queries and edits of the hook queue (state.ModelState.queue, typed QueuedEvents).

Why: scope, operations and lifecycle each drop or take pending events by unit or relation;
these few helpers say it once, and only hookqueue.enqueue adds an event.
"""

from __future__ import annotations

from collections.abc import Callable

from charmsmith.model.state import ModelState, QueuedEvent


def queued(state: ModelState) -> list[QueuedEvent]:
    """The pending events, head first (a copy: the caller may edit the queue meanwhile)."""
    return list(state.queue)


def keep(state: ModelState, wanted: Callable[[QueuedEvent], bool]) -> None:
    """Drop every pending event that is not `wanted`, keeping the others' order."""
    state.queue[:] = [event for event in state.queue if wanted(event)]


def take_first(state: ModelState, unit: str) -> QueuedEvent | None:
    """Remove and return `unit`'s next event, if it has one."""
    event = first_of(state, unit)
    if event is not None:
        state.queue.remove(event)
    return event


def first_of(state: ModelState, unit: str) -> QueuedEvent | None:
    return next((event for event in state.queue if event.unit == unit), None)
