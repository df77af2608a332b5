"""``charmsmith create``: modes, errors that write nothing, --force safety, reproduction."""

from __future__ import annotations

from pathlib import Path

import pytest
from create_helpers import FIXTURES, tree

from charmsmith import cli
from charmsmith.create import answers_file, command, questions


def create(*argv: str) -> int:
    return cli.main(["create", *argv])


def test_defaults_mode(tmp_path: Path, capsys):
    assert create("widget", "--defaults", "-o", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "created" in out and "widget" in out
    assert (tmp_path / "widget/lib/charm/openstack/widget.py").exists()


def test_answers_file_and_set(tmp_path: Path):
    answers_path = FIXTURES / "congress-one-sync.yaml"
    assert create("--answers", str(answers_path), "--set", "port=1790", "-o", str(tmp_path)) == 0
    recorded = answers_file.load(tmp_path / "congress" / answers_file.ANSWERS_FILE)
    assert recorded["port"] == 1790
    assert recorded["db_sync_commands"] == [
        ["congress-db-manage", "--config-file", "/etc/congress/congress.conf", "upgrade", "head"]
    ]


def test_recorded_answers_reproduce_byte_for_byte(tmp_path: Path):
    create("--answers", str(FIXTURES / "glance-several-sync-files.yaml"), "-o", str(tmp_path / "a"))
    recorded = tmp_path / "a/glance" / answers_file.ANSWERS_FILE
    assert create("--answers", str(recorded), "-o", str(tmp_path / "b")) == 0
    assert tree(tmp_path / "a/glance") == tree(tmp_path / "b/glance")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["Bad_Name", "--defaults"], "charm_name"),
        (["widget", "--defaults", "--set", "port=70000"], "port"),
        (["widget", "--defaults", "--set", "release=zedd"], "release"),
        (["widget", "--defaults", "--set", "packages=Widget"], "packages"),
        (["widget", "--defaults", "--set", "config_files=etc/widget.conf"], "config_files"),
        (
            ["widget", "--defaults", "--set", "db_sync_commands=widget-manage db sync | tee x"],
            "db_sync_commands",
        ),
        (["widget", "--defaults", "--set", "init_services=a/b"], "init_services"),
        (["widget", "--defaults", "--set", "colour=blue"], "colour"),
    ],
)
def test_bad_answer_one_line_nonzero_nothing_written(tmp_path: Path, capsys, args, field):
    out_dir = tmp_path / "out"
    assert create(*args, "-o", str(out_dir)) != 0
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if "error" in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"charmsmith: error: {field}: ")
    assert not out_dir.exists()


def test_bad_answers_file_writes_nothing(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("charm_name: widget\nport: 5\n")
    assert create("--answers", str(bad), "-o", str(tmp_path / "out")) == 1
    assert "port: " in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_existing_target_refused_without_force(tmp_path: Path, capsys):
    (tmp_path / "widget").mkdir()
    (tmp_path / "widget/mine.txt").write_text("precious")
    assert create("widget", "--defaults", "-o", str(tmp_path)) == 1
    assert "--force" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "widget").iterdir()) == ["mine.txt"]


def test_force_keeps_every_user_file(tmp_path: Path, capsys):
    create("widget", "--defaults", "-o", str(tmp_path))
    charm = tmp_path / "widget"
    (charm / "mine.txt").write_text("precious")
    (charm / "README.md").write_text("my own readme")
    before = tree(charm)
    assert create("widget", "--defaults", "--force", "-o", str(tmp_path)) == 0
    assert "moved to" in capsys.readouterr().out
    assert tree(tmp_path / "widget.bak") == before
    assert not (charm / "mine.txt").exists()
    # a second --force keeps the first backup and makes another
    (charm / "again.txt").write_text("x")
    create("widget", "--defaults", "--force", "-o", str(tmp_path))
    assert (tmp_path / "widget.bak/mine.txt").read_text() == "precious"
    assert (tmp_path / "widget.bak.1/again.txt").read_text() == "x"


def test_force_on_identical_tree_changes_nothing(tmp_path: Path, capsys):
    create("widget", "--defaults", "-o", str(tmp_path))
    capsys.readouterr()
    assert create("widget", "--defaults", "--force", "-o", str(tmp_path)) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert not (tmp_path / "widget.bak").exists()


def test_failed_render_leaves_no_staging_dir(tmp_path: Path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(command.render, "render", boom)
    with pytest.raises(RuntimeError):
        create("widget", "--defaults", "-o", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_interactive_order_help_and_reasking():
    replies = iter(
        ["glance", "70000", "9292", "", "", "", "zedd", "zed", "glance-manage db_sync; x", ""]
    )
    asked: list[str] = []
    said: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(replies, "")

    resolved = command.prompt_answers({}, ask=ask, say=said.append)
    order = [p.split(" ")[0].rstrip(":") for p in asked]
    assert order[:4] == ["charm_name", "port", "port", "service_name"]
    first_of_each = list(dict.fromkeys(order))
    assert first_of_each == [
        "charm_name",
        "port",
        "service_name",
        "api_service",
        "service_type",
        "release",
        "db_sync_commands",
        "packages",
        "config_files",
        "init_services",
        "release_package",
        "package_codenames",
        "certificates",
        "ceph_pools",
        "maintainer",
        "summary",
        "description",
    ]
    assert any(s.startswith("  invalid: port: ") for s in said)
    assert any(s.startswith("  invalid: release: ") for s in said)
    assert any(s.startswith("  invalid: db_sync_commands: ") for s in said)
    assert "  " + questions.BY_KEY["port"].help in said
    assert (resolved.port, resolved.release) == (9292, "zed")
    assert resolved.db_sync_commands == (("glance-manage", "db", "sync"),)


def test_interactive_skips_questions_answered_on_the_command_line():
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return ""

    command.prompt_answers({"charm_name": "widget", "port": "9999"}, ask=ask, say=lambda s: None)
    assert not any(p.startswith(("charm_name", "port")) for p in asked)


def test_input_ending_early_is_an_error(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    assert create("-o", str(tmp_path / "out")) == 1
    assert "input ended" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_interactive_port_warning_shown_when_answered():
    said: list[str] = []
    replies = iter(["widget", "443"])
    command.prompt_answers({}, ask=lambda prompt: next(replies, ""), say=said.append)
    assert any(s.startswith("  warning: port: 443 is privileged") for s in said)
