"""Older model documents brought to today's schema (state.SCHEMA), step by step, on load.

Why here: a store outlives the code that wrote it; each step is the smallest change that
makes an old document read as the new one would have been written (store.py saves it).
Schema 2 recorded relation scopes and installed units (scope.py); 3 is the typed form.
"""

from __future__ import annotations

from typing import Any

from charmsmith.model.scope import SCOPE_KEY


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring a schema 1 or 2 document to schema 3, in place; returns it."""
    if doc.get("schema") == 1:
        _add_scopes(doc)
        doc["schema"] = 2
    if doc.get("schema") == 2:
        # schema 2 created the counter at the first unit; 3 has it from the start
        doc.setdefault("next_unit_index", 0)
        doc["schema"] = 3
    return doc


def _add_scopes(state: dict[str, Any]) -> None:
    """Stores written before scopes were tracked: a charm unit with no install pending has
    its install behind it, so it is installed and in the scope of each of its relations."""
    pending = {e["unit"] for e in state["queue"] if e["hook"] == "install"}
    installed = set()
    for name, unit in state["units"].items():
        app = state["applications"].get(unit["app"], {})
        if app.get("kind") != "peer" and name not in pending:
            unit["installed"] = True
            installed.add(name)
    for rel in state["relations"].values():
        apps = {ep["app"] for ep in rel["endpoints"]}
        broken = set(rel.get("broken", ()))
        rel[SCOPE_KEY] = sorted(
            (n for n in installed - broken if state["units"][n]["app"] in apps),
            key=lambda n: (n.partition("/")[0], int(n.partition("/")[2])),
        )
