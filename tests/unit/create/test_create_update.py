"""``charmsmith update``: three-way merge of a newer template; user edits are never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from create_helpers import newer_template

from charmsmith import cli
from charmsmith.create import answers, answers_file, history, render, update
from charmsmith.errors import CharmsmithError

CURRENT = render.template_version()
NEXT = str(int(CURRENT) + 1)


@pytest.fixture
def charm(tmp_path: Path) -> Path:
    resolved = answers.resolve({"charm_name": "widget", "release": "zed"})
    return render.render(resolved, tmp_path / "charms")


@pytest.fixture
def template_v2(tmp_path: Path) -> Path:
    """The current template, changed the way a new charmsmith release would change it."""
    new = newer_template(tmp_path / "template-v2")
    project = new / "{{cookiecutter.charm_name}}"
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("## Deploy\n", "## Deploy\n\nNew deploy notes.\n"))
    wheelhouse = project / "wheelhouse.txt"
    wheelhouse.write_text(wheelhouse.read_text() + "# added by template v2\n")
    (project / "NEWFILE.md").write_text("new in v2\n")
    (project / "icon.svg").unlink()
    return new


def test_same_version_is_a_no_op(charm: Path):
    before = {p: p.read_bytes() for p in charm.rglob("*") if p.is_file()}
    report = update.update_charm(charm)
    assert (report.from_version, report.to_version) == (CURRENT, CURRENT)
    assert not (report.updated or report.merged or report.conflicts or report.added)
    assert {p: p.read_bytes() for p in charm.rglob("*") if p.is_file()} == before


def test_untouched_charm_takes_the_new_template(charm: Path, template_v2: Path):
    report = update.update_charm(charm, template_dir=template_v2)
    assert "README.md" in report.updated
    assert "NEWFILE.md" in report.added
    assert "icon.svg" in report.removed
    assert not report.conflicts
    assert "New deploy notes." in (charm / "README.md").read_text()
    assert not (charm / "icon.svg").exists()
    assert answers_file.load(charm / answers_file.ANSWERS_FILE)["_template_version"] == NEXT


def test_user_edits_merge_cleanly_with_template_changes(charm: Path, template_v2: Path):
    readme = charm / "README.md"
    readme.write_text(readme.read_text().replace("## Develop", "## Develop (our team notes)"))
    report = update.update_charm(charm, template_dir=template_v2)
    assert "README.md" in report.merged
    text = readme.read_text()
    assert "New deploy notes." in text and "## Develop (our team notes)" in text


def test_conflicting_edits_get_markers_and_keep_both_sides(charm: Path, template_v2: Path):
    wheelhouse = charm / "wheelhouse.txt"
    wheelhouse.write_text(wheelhouse.read_text() + "psutil\n")
    report = update.update_charm(charm, template_dir=template_v2)
    assert report.conflicts == ["wheelhouse.txt"]
    text = wheelhouse.read_text()
    assert "<<<<<<< wheelhouse.txt (yours)" in text
    assert "psutil" in text and "# added by template v2" in text
    assert ">>>>>>> wheelhouse.txt (new template)" in text


def test_edited_file_the_template_dropped_is_kept(charm: Path, template_v2: Path):
    icon = charm / "icon.svg"
    icon.write_text(icon.read_text() + "<!-- ours -->\n")
    report = update.update_charm(charm, template_dir=template_v2)
    assert icon.exists()
    assert any(item.startswith("icon.svg") for item in report.kept)


def test_file_the_user_deleted_stays_deleted(charm: Path, template_v2: Path):
    (charm / "README.md").unlink()
    report = update.update_charm(charm, template_dir=template_v2)
    assert not (charm / "README.md").exists()
    assert any(item.startswith("README.md") for item in report.kept)


def test_user_files_outside_the_template_are_untouched(charm: Path, template_v2: Path):
    (charm / "notes.txt").write_text("mine")
    update.update_charm(charm, template_dir=template_v2)
    assert (charm / "notes.txt").read_text() == "mine"


def test_dry_run_writes_nothing(charm: Path, template_v2: Path):
    before = {p: p.read_bytes() for p in charm.rglob("*") if p.is_file()}
    report = update.update_charm(charm, template_dir=template_v2, dry_run=True)
    assert report.updated
    assert {p: p.read_bytes() for p in charm.rglob("*") if p.is_file()} == before


def test_cli_exit_code_reports_conflicts(charm: Path, template_v2: Path, monkeypatch, capsys):
    (charm / "wheelhouse.txt").write_text("psutil\n")
    monkeypatch.setattr(update.render, "TEMPLATE_DIR", template_v2)
    monkeypatch.setattr(
        update.update_charm, "__defaults__", (template_v2, history.HISTORY_DIR, False)
    )
    assert cli.main(["update", str(charm)]) == 1
    out = capsys.readouterr().out
    assert "CONFLICT  wheelhouse.txt" in out


def test_version_7_charm_takes_the_upgraded_instance_from_the_provider(tmp_path: Path):
    """Template 8: the render handler no longer upgrades its own instance (the runtime no longer
    switches that instance's class), provide_charm_instance(..., upgrade=True) does it first."""
    resolved = answers.resolve({"charm_name": "widget", "release": "zed"})
    charm = render.render(resolved, tmp_path / "charms", history.extract("7", tmp_path / "t7"))
    handlers = charm / "reactive" / "widget_handlers.py"
    assert "charm.upgrade_if_available(interfaces)" in handlers.read_text()
    report = update.update_charm(charm)
    assert (report.from_version, report.to_version) == ("7", CURRENT)
    assert "reactive/widget_handlers.py" in report.updated and not report.conflicts
    text = handlers.read_text()
    assert "@ro.provide_charm_instance(registry, upgrade=True)\ndef render_config(" in text
    assert "upgrade_if_available" not in text


def test_not_a_generated_charm(tmp_path: Path):
    with pytest.raises(CharmsmithError, match="only charms generated by charmsmith"):
        update.update_charm(tmp_path)


def test_unknown_recorded_version(charm: Path):
    path = charm / answers_file.ANSWERS_FILE
    recorded = f'_template_version: "{CURRENT}"'
    path.write_text(path.read_text().replace(recorded, '_template_version: "99"'))
    with pytest.raises(CharmsmithError, match="not bundled"):
        update.update_charm(charm)


def test_live_template_matches_its_archived_version():
    """Changing the template needs a version bump and `python -m charmsmith.create.history
    snapshot`, or `charmsmith update` would compute wrong bases for existing charms."""
    assert history.live_matches_archive()


def test_archives_are_deterministic(tmp_path: Path):
    assert history.pack(render.TEMPLATE_DIR) == history.pack(render.TEMPLATE_DIR)
