"""Fixtures for the interface-layer tests: a fresh unit, in its own model, per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import FakeJuju


@pytest.fixture
def make_juju(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., FakeJuju]]:
    """Build a FakeJuju unit (own charm dir, unit-state DB and model under tmp_path)."""
    made: list[FakeJuju] = []

    def make(**kwargs: Any) -> FakeJuju:
        made.append(FakeJuju(tmp_path, monkeypatch, **kwargs))
        return made[-1]

    yield make
    for juju in made:
        juju.close()
