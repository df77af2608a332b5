"""The typed model state (state.py): lossless both ways, and a schema 2 store migrates to 3."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from charmsmith.errors import CharmsmithError
from charmsmith.model.migrations import migrate
from charmsmith.model.state import (
    SCHEMA,
    Application,
    ModelState,
    QueuedEvent,
    Relation,
    Unit,
)
from charmsmith.model.store import STATE_FILE, ModelStore

SCHEMA_2 = Path(__file__).parent / "data" / "state-schema2.json"


def _store_with(tmp_path: Path, doc: dict) -> ModelStore:
    (tmp_path / "m").mkdir(mode=0o700)
    (tmp_path / "m" / STATE_FILE).write_text(json.dumps(doc))
    return ModelStore(tmp_path / "m")


def test_a_schema_2_store_loads_as_the_same_model(tmp_path: Path):
    old = json.loads(SCHEMA_2.read_text())
    store = _store_with(tmp_path, old)
    with store.locked():
        loaded = store.state
    assert SCHEMA == 3 and loaded.schema == 3
    assert {**loaded.to_json(), "schema": 2} == old  # nothing else changed
    assert loaded == ModelState.from_json({**old, "schema": 3})


def test_the_typed_form_names_every_field_and_round_trips(tmp_path: Path):
    doc = migrate(json.loads(SCHEMA_2.read_text()))
    typed = ModelState.from_json(doc)
    assert typed.to_json() == doc
    assert typed.removing == ["fixture-api/1"]
    for record in [typed, *typed.applications.values(), *typed.units.values(), *typed.queue]:
        assert record.extra == {}, record
    for rel in typed.relations.values():
        assert rel.extra == {} and all(ep.extra == {} for ep in rel.endpoints)


def test_attributes_read_the_state():
    typed = ModelState.from_json(migrate(json.loads(SCHEMA_2.read_text())))
    api = typed.applications["fixture-api"]
    assert isinstance(api, Application) and api.kind == "charm" and api.leader == "fixture-api/0"
    unit = typed.units["fixture-api/1"]
    assert isinstance(unit, Unit) and unit.dying is True and unit.principal is None
    assert typed.units["mysql/0"].installed is None  # peers' units have no install
    db = next(r for r in typed.relations.values() if r.interface == "mysql-shared")
    assert isinstance(db, Relation)
    assert {ep.app for ep in db.endpoints} == {"fixture-api", "mysql"}
    event = typed.queue[0]
    assert isinstance(event, QueuedEvent) and event.departing_unit == "fixture-api/1"


def test_an_empty_schema_2_model_gets_the_unit_counter(tmp_path: Path):
    old = json.loads(SCHEMA_2.read_text())
    empty = {**old, "applications": {}, "units": {}, "relations": {}, "queue": []}
    del empty["next_unit_index"], empty["removing"]
    store = _store_with(tmp_path, empty)
    with store.locked():
        assert store.state.next_unit_index == 0
        assert store.state.units == {}


def test_an_unknown_schema_is_refused(tmp_path: Path):
    store = _store_with(tmp_path, {**json.loads(SCHEMA_2.read_text()), "schema": 9})
    with pytest.raises(CharmsmithError, match="unknown schema 9"), store.locked():
        pass
    shutil.rmtree(tmp_path / "m")
