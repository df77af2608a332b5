"""Fixtures shared by the unit tests of the base layer's unit-side code."""

from __future__ import annotations

import argparse
import sys

import pytest

from charmsmith import build

BASE_LIB = build.LAYERS_DIR / "charmsmith-base" / "lib"


@pytest.fixture(scope="module")
def base_lib():
    """charms.layer.* from the base layer, imported like a unit's hook does."""
    sys.path.insert(0, str(BASE_LIB))
    import charms

    # `charms` may already be imported (charms.reactive) with its package path computed before
    # the layer's lib was on sys.path: add the layer's `charms` directory for this module only.
    layer_charms = str(BASE_LIB / "charms")
    added = layer_charms not in list(charms.__path__)
    if added:
        charms.__path__.append(layer_charms)
    try:
        from charms.layer import charmsmith_base, charmsmith_bootstrap, charmsmith_hooklog, options

        yield argparse.Namespace(
            base=charmsmith_base,
            boot=charmsmith_bootstrap,
            hooklog=charmsmith_hooklog,
            options=options,
        )
    finally:
        sys.path.remove(str(BASE_LIB))
        if added:
            charms.__path__.remove(layer_charms)
        # leave no trace for other tests that import (or mock) charms.layer themselves
        for name in [
            m for m in sys.modules if m == "charms.layer" or m.startswith("charms.layer.")
        ]:
            del sys.modules[name]
