"""Day-2 verbs: attach-resource and resource-get (Juju's refusals, the file in the unit,
upgrade-charm fired) and upgrade-series prepare/complete."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from charmsmith.errors import CharmsmithError
from charmsmith.model import day2
from charmsmith.model.harness import tool_session
from charmsmith.model.resource_tools import resource_path_in_unit
from charmsmith.model.unitview import UnitView

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
DECLARED = {"policyd-override": {"type": "file", "filename": "policyd-override.zip"}}


@pytest.fixture()
def s(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM, units=2) as session:
        session.model.app("fixture-api").metadata["resources"] = dict(DECLARED)
        yield session


def run(s, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), env=s.env, capture_output=True)


def test_attach_stores_the_file_privately_and_fires_upgrade_charm_on_each_unit(s, tmp_path):
    upload = tmp_path / "overrides.zip"
    upload.write_bytes(b"PK first")
    s.model.state.queue.clear()
    assert day2.attach_resource(s.model, "fixture-api", "policyd-override", upload) == 1
    kept = Path(s.model.app("fixture-api").resources["policyd-override"]["file"])
    assert kept.read_bytes() == b"PK first" and kept.stat().st_mode & 0o777 == 0o600
    assert [(e.unit, e.hook) for e in s.model.state.queue] == [
        ("fixture-api/0", "upgrade-charm"),
        ("fixture-api/0", "config-changed"),
        ("fixture-api/1", "upgrade-charm"),
        ("fixture-api/1", "config-changed"),
    ]
    upload.write_bytes(b"PK second")
    assert day2.attach_resource(s.model, "fixture-api", "policyd-override", upload) == 2


@pytest.mark.parametrize(
    ("name", "filename", "message"),
    [
        (
            "nope",
            "x.zip",
            'attach-resource: charm fixture-api declares no resource "nope" '
            "(declared: policyd-override)",
        ),
        (
            "policyd-override",
            "x.tar",
            'attach-resource: resource "policyd-override" takes a ".zip" file like '
            "policyd-override.zip, not x.tar",
        ),
        ("policyd-override", "missing.zip", "is not a readable file"),
    ],
)
def test_attach_refusals_name_the_rule_and_change_nothing(s, tmp_path, name, filename, message):
    upload = tmp_path / filename
    if filename != "missing.zip":
        upload.write_bytes(b"PK")
    s.model.state.queue.clear()
    with pytest.raises(CharmsmithError) as refused:
        day2.attach_resource(s.model, "fixture-api", name, upload)
    assert message in str(refused.value)
    assert s.model.app("fixture-api").resources is None and s.model.state.queue == []


def test_resource_spec_forms():
    assert day2.parse_resource_spec(["a=b.zip"]) == ("a", Path("b.zip"))
    assert day2.parse_resource_spec(["a", "b.zip"]) == ("a", Path("b.zip"))
    with pytest.raises(CharmsmithError, match="expected NAME=FILE"):
        day2.parse_resource_spec(["a"])


def test_resource_get_prints_the_unit_path_and_places_the_file(s, tmp_path):
    missing = run(s, "resource-get", "policyd-override")
    assert missing.returncode == 1
    assert missing.stderr == (
        b'ERROR could not download resource: resource "policyd-override" not found\n'
    )
    upload = tmp_path / "mine.zip"
    upload.write_bytes(b"PK zip bytes")
    day2.attach_resource(s.model, "fixture-api", "policyd-override", upload)
    got = run(s, "resource-get", "policyd-override")
    assert got.returncode == 0
    path = resource_path_in_unit("fixture-api/0", "policyd-override", "policyd-override.zip")
    assert got.stdout == path.encode()  # no newline, as Juju prints it
    assert path == (
        "/var/lib/juju/agents/unit-fixture-api-0/resources/policyd-override/policyd-override.zip"
    )
    placed = UnitView(s.model.store.path, "fixture-api/0").path(path)
    assert placed.read_bytes() == b"PK zip bytes"


def test_resource_get_usage_errors(s):
    none = run(s, "resource-get")
    assert (none.returncode, none.stderr) == (2, b"ERROR missing required resource name\n")
    extra = run(s, "resource-get", "policyd-override", "more")
    assert (extra.returncode, extra.stderr) == (2, b'ERROR unrecognized args: ["more"]\n')
    undeclared = run(s, "resource-get", "other")
    assert undeclared.returncode == 1
    assert b'resource "other" not found' in undeclared.stderr


def test_upgrade_series_fires_pre_then_post_and_refuses_out_of_order(s):
    s.model.state.queue.clear()
    with pytest.raises(CharmsmithError, match="was not prepared; run 'upgrade-series"):
        day2.upgrade_series(s.model, "fixture-api/1", "complete")
    day2.upgrade_series(s.model, "fixture-api/1", "prepare")
    with pytest.raises(CharmsmithError, match="is already prepared"):
        day2.upgrade_series(s.model, "fixture-api/1", "prepare")
    day2.upgrade_series(s.model, "fixture-api/1", "complete")
    assert [(e.unit, e.hook) for e in s.model.state.queue] == [
        ("fixture-api/1", "pre-series-upgrade"),
        ("fixture-api/1", "post-series-upgrade"),
    ]


def test_destroy_takes_the_attached_resources_along(s, tmp_path):
    from charmsmith.model import teardown

    upload = tmp_path / "o.zip"
    upload.write_bytes(b"PK")
    day2.attach_resource(s.model, "fixture-api", "policyd-override", upload)
    problems = teardown.Problems()
    teardown._remove_files(s.model.store.path, problems)
    assert list(problems) == [] and not (s.model.store.path / "resources").exists()
