"""Read layer options from the built charm's ``layer.yaml``.

charm-tools merges every layer's ``options:`` into the built ``layer.yaml`` (validated against
the ``defines:`` of each layer and filled with defaults), so this file is the only place a
layer's build-time choices survive to the unit. The parsed file is cached per process: a hook
reads it at most once.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

__all__ = ["get"]


def _layer_file() -> str:
    charm_dir = os.environ.get("JUJU_CHARM_DIR") or os.environ.get("CHARM_DIR") or os.getcwd()
    return os.path.join(charm_dir, "layer.yaml")


@lru_cache(maxsize=4)
def _load(layer_file: str) -> dict[str, dict[str, Any]]:
    # Imported here: the bootstrap runs with the system Python, where PyYAML may be absent.
    import yaml

    with open(layer_file, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    sections = data.get("options") or {}
    return {str(name): dict(values or {}) for name, values in sections.items()}


def get(
    section: str | None = None, option: str | None = None, layer_file: str | None = None
) -> Any:
    """Return all sections, one section's dict, or one option's value.

    An unknown section gives ``{}`` and an unknown option ``None``, because charm-tools drops
    sections of layers that define no options; callers decide what a missing value means.
    """
    sections = _load(layer_file or _layer_file())
    if section is None:
        return {name: dict(values) for name, values in sections.items()}
    values = sections.get(section, {})
    if option is None:
        return dict(values)
    return values.get(option)
