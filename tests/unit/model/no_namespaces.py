"""The model engine without the host: no namespaces, veths, bridge addresses or overlays.

Unit tests of the engine patch these few module functions so a model runs in a temp dir as
any user; what they stand for is tested for real in tests/integration.
"""

from __future__ import annotations

import pytest

from charmsmith.model import network
from charmsmith.model import units as unitfs


def no_namespaces(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("create_unit_network", "remove_unit_network", "add_bridge_address"):
        monkeypatch.setattr(network, name, lambda *a, **k: None)
    monkeypatch.setattr(network, "netns_pids", lambda *a: [])
    monkeypatch.setattr(network, "netns_path", lambda *a: "")
    monkeypatch.setattr(unitfs, "prepare_unit", lambda *a, **k: None)
