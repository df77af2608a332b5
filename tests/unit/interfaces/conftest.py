"""Fixtures for the interface-layer tests: a fresh fake Juju unit per test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .harness import FakeJuju


@pytest.fixture
def make_juju(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeJuju]:
    """Build a FakeJuju unit (own charm dir and unit-state DB under tmp_path)."""

    def make(**kwargs: Any) -> FakeJuju:
        return FakeJuju(tmp_path, monkeypatch, **kwargs)

    return make
