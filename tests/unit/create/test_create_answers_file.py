"""The answers file: it reads back as the same answers, in a fixed order, with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from charmsmith.create import answers, answers_file, history, render, update
from charmsmith.errors import CharmsmithError


def test_answers_file_round_trips(tmp_path: Path):
    a = answers.resolve(
        {
            "charm_name": "glance",
            "db_sync_commands": ["glance-manage db_sync", ["glance-manage", "x", "two words"]],
            "description": "Line one: with colon.\n\nLine three.",
            "summary": "yes",
        }
    )
    text = answers_file.dump(a, "1")
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    assert answers.resolve(answers_file.load(path)) == a
    assert yaml.safe_load(text)["_template_version"] == "1"
    assert yaml.safe_load(text)["summary"] == "yes"  # quoted, not read back as True


def test_answers_file_is_deterministic_and_ordered():
    a = answers.resolve({"charm_name": "glance"})
    text = answers_file.dump(a, "1")
    assert text == answers_file.dump(answers.resolve({"charm_name": "glance"}), "1")
    keys = [k for k in yaml.safe_load(text) if not k.startswith("_")]
    assert keys == [k for k in answers.KEYS if k != "ceph_pools"]  # none: left out
    with_pools = answers_file.dump(
        answers.resolve({"charm_name": "glance", "ceph_pools": "x"}), "1"
    )
    assert [k for k in yaml.safe_load(with_pools) if not k.startswith("_")] == list(answers.KEYS)


RECORDED_V5 = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"


def test_answers_file_from_before_ceph_pools_replays_byte_identically(tmp_path: Path):
    """An answers file charmsmith wrote at template 5 (before the ceph_pools question):
    replayed with its template version it gives the same answers file back, byte for byte,
    and a charm without any ceph part; `update`'s base for such a charm is the charm."""
    recorded = RECORDED_V5 / "congress-template-5.yaml"
    again = answers.resolve(answers_file.load(recorded))
    assert again.ceph_pools == ()
    charm = render.render(again, tmp_path / "replay", history.extract("5", tmp_path / "t5"))
    assert (charm / answers_file.ANSWERS_FILE).read_bytes() == recorded.read_bytes()
    report = update.update_charm(charm, dry_run=True)
    assert answers_file.ANSWERS_FILE in report.updated and not report.conflicts
    current = render.render(again, tmp_path / "current")
    assert not any("ceph" in p.name for p in current.rglob("*") if ".charmsmith" not in p.parts)
    assert "ceph" not in (current / "metadata.yaml").read_text()


def test_load_reports_bad_yaml(tmp_path: Path):
    path = tmp_path / "a.yaml"
    path.write_text("charm_name: [unclosed\n")
    with pytest.raises(CharmsmithError, match="not valid YAML"):
        answers_file.load(path)
    path.write_text("- a\n- b\n")
    with pytest.raises(CharmsmithError, match="mapping"):
        answers_file.load(path)


def test_answers_file_layout_is_fixed():
    """The exact bytes: a charm's recorded answers must not change between versions."""
    a = answers.resolve(
        {
            "charm_name": "glance",
            "db_sync_commands": ["glance-manage db_sync", ["glance-manage", "x", "two words"]],
            "package_codenames": "29:dalmatian 30:epoxy",
            "maintainer": "Jane Doe <jane@example.com>",
            "description": "Line one.\n\nLine three.",
        }
    )
    assert answers_file.dump(a, "4") == (
        "# Answers charmsmith used to generate this charm. Keep this file: it makes\n"
        "# `charmsmith create --answers .charmsmith-answers.yaml` reproduce the charm\n"
        "# and `charmsmith update` three-way merge newer templates into it.\n"
        '_template_version: "4"\n'
        "charm_name: glance\nservice_name: glance\nservice_type: image\nport: 9292\n"
        "release: caracal\npackages:\n- glance-api\n- glance-common\napi_service: glance-api\n"
        "init_services:\n- glance-api\nconfig_files:\n- /etc/glance/glance.conf\n"
        "db_sync_commands:\n- [glance-manage, db_sync]\n- [glance-manage, x, two words]\n"
        'release_package: glance-common\npackage_codenames:\n  "29": dalmatian\n'
        '  "30": epoxy\ncertificates: true\nmaintainer: Jane Doe <jane@example.com>\n'
        "summary: OpenStack glance (image) API service\n"
        "description: |-\n  Line one.\n\n  Line three.\n"
    )
