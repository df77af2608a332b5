"""The three front doors share one validation and one rendering path: same answers, same bytes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from create_helpers import tree

from charmsmith import charm_wrapper
from charmsmith.create import answers_file, hooks, render

BIN = Path(sys.executable).parent


def run(argv: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NAME": "Jane Doe", "EMAIL": "jane@example.com"}
    return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True, env=env)


def charmsmith_tree(tmp_path: Path, name: str, *sets: str) -> dict[str, bytes]:
    out = tmp_path / "via-charmsmith"
    args = [str(BIN / "charmsmith"), "create", name, "--defaults", "-o", str(out)]
    for item in sets:
        args += ["--set", item]
    result = run(args, tmp_path)
    assert result.returncode == 0, result.stderr
    return tree(out / name)


def test_plain_cookiecutter_gives_the_same_charm(tmp_path: Path):
    out = tmp_path / "via-cookiecutter"
    result = run(
        [
            str(BIN / "cookiecutter"),
            "--no-input",
            str(render.TEMPLATE_DIR),
            "charm_name=barbican",
            "release=zed",
            "maintainer=Jane Doe <jane@example.com>",
            "-o",
            str(out),
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    expected = charmsmith_tree(
        tmp_path, "barbican", "release=zed", "maintainer=Jane Doe <jane@example.com>"
    )
    assert tree(out / "barbican") == expected


@pytest.mark.parametrize(
    ("setting", "field"),
    [("charm_name=Bad_Name", "charm_name"), ("port=5", "port"), ("release=zedd", "release")],
)
def test_cookiecutter_rejects_bad_answers_before_writing(tmp_path: Path, setting, field):
    out = tmp_path / "out"
    result = run(
        [
            str(BIN / "cookiecutter"),
            "--no-input",
            str(render.TEMPLATE_DIR),
            setting,
            "-o",
            str(out),
        ],
        tmp_path,
    )
    assert result.returncode != 0
    assert f"charmsmith: error: {field}: " in result.stderr
    assert not out.exists() or not any(out.iterdir())


def blob(context: dict) -> str:
    return base64.b64encode(json.dumps(context).encode()).decode()


def test_pre_gen_hook_validates_every_answer(capsys):
    assert hooks.pre_gen(blob({"charm_name": "widget", "_extensions": []})) == 0
    assert hooks.pre_gen(blob({"charm_name": "widget", "description": "\x01"})) == 1
    assert "charmsmith: error: description: " in capsys.readouterr().err
    assert hooks.pre_gen(blob({"charm_name": "widget", "config_files": "relative.conf"})) == 1
    assert "config_files: " in capsys.readouterr().err


def test_charm_create_accept_defaults(tmp_path: Path):
    result = run([str(BIN / "charm-create"), "-t", "openstack-api", "-a", "barbican"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "barbican") == charmsmith_tree(
        tmp_path, "barbican", "maintainer=Jane Doe <jane@example.com>"
    )


def test_charm_wrapper_dispatches_to_charm_create(tmp_path: Path):
    result = run([str(BIN / "charm"), "create", "-t", "openstack-api", "-a", "glance"], tmp_path)
    assert result.returncode == 0, result.stderr
    recorded = answers_file.load(tmp_path / "glance" / answers_file.ANSWERS_FILE)
    assert recorded["service_type"] == "image"
    assert recorded["maintainer"] == "Jane Doe <jane@example.com>"


def test_charm_create_reasks_bad_replies(tmp_path: Path):
    replies = "70000\n9311\n\n\n\nzedd\nzed\n" + "\n" * 11
    result = run([str(BIN / "charm-create"), "-t", "openstack-api", "barbican"], tmp_path, replies)
    assert result.returncode == 0, result.stderr
    assert "port: 70000 is outside 21-65535" in result.stdout
    assert "release: 'zedd' is not a known OpenStack release" in result.stdout
    recorded = answers_file.load(tmp_path / "barbican" / answers_file.ANSWERS_FILE)
    assert (recorded["port"], recorded["release"]) == (9311, "zed")
    assert "[9311]" in result.stdout  # the derived default is shown in the question


def test_charm_wrapper_usage_and_unknown(capsys):
    assert charm_wrapper.main([]) == 2
    assert charm_wrapper.main(["no-such-subcommand-x"]) == 2
    assert "unknown subcommand" in capsys.readouterr().err
