"""The model checks a charm directory the same way at deploy, add-unit and upgrade-charm.

Namespaces and hook runs are faked (fake_charm.py): these tests are about what the
model refuses and what it leaves behind when it does.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from fake_charm import model_on

from charmsmith.errors import CharmsmithError

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


@pytest.fixture()
def model(tmp_path: Path):
    with model_on(tmp_path, lambda *a: True) as m:
        yield m


@pytest.fixture()
def charm(tmp_path: Path) -> Path:
    copy = tmp_path / "charm"
    shutil.copytree(CHARM, copy)
    return copy


def test_add_unit_refuses_an_app_whose_charm_is_no_longer_built(model, charm):
    model.deploy(charm, "app", {}, 1)
    shutil.rmtree(charm / "hooks")
    with pytest.raises(CharmsmithError, match=r"is not a built charm \(no hooks/\)"):
        model.add_unit("app")
    assert model.app("app").units == ["app/0"]  # no unit was recorded
    shutil.rmtree(charm)
    with pytest.raises(CharmsmithError, match="does not exist"):
        model.add_unit("app")


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("metadata.yaml", "", "must be a mapping with at least `name`"),
        ("metadata.yaml", "summary: s\n", "name: is required"),
        ("metadata.yaml", "name: [\n", "metadata.yaml: invalid YAML at line 2"),
        ("config.yaml", "options:\n  port: {type: number}\n", "option 'port': unknown type"),
        ("config.yaml", "options:\n  p: {type: boolean, default: 'no'}\n", "default 'no' is not"),
    ],
)
def test_deploy_and_upgrade_refuse_bad_charm_files(model, charm, filename, content, expected):
    model.deploy(charm, "app", {}, 1)
    saved = copy.deepcopy(model.app("app"))
    (charm / filename).write_text(content)
    with pytest.raises(CharmsmithError, match=expected):
        model.deploy(charm, "other", {}, 1)
    with pytest.raises(CharmsmithError, match=expected):
        model.upgrade_charm("app", None)
    assert "other" not in model.state.applications
    assert model.app("app") == saved  # the refused upgrade changed nothing
