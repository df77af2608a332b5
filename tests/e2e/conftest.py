"""End-to-end tests run only when asked for: `make e2e` (which sets CHARMSMITH_E2E=1).

Why an environment switch rather than pytest addopts: `pytest -q` (what `make test` runs) must stay
fast and must never start real daemons or need the ~1 GB of Debian packages, while `make e2e`
must run exactly these tests; an opt-in variable does both without changing the project-wide
pytest configuration that other test packages rely on. Every test collected under tests/e2e is
marked `e2e`, so `-m e2e` / `-m "not e2e"` select them whoever wrote them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).parent.resolve()
ENABLED = os.environ.get("CHARMSMITH_E2E") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything in tests/e2e as e2e; skip e2e tests unless CHARMSMITH_E2E=1.

    This hook sees the whole session's items, so it only touches e2e ones.
    """
    skip = pytest.mark.skip(reason="e2e test: run `make e2e` (sets CHARMSMITH_E2E=1)")
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
        if not ENABLED and item.get_closest_marker("e2e") is not None:
            item.add_marker(skip)
