"""One Question per answer: every front door's prompt file is derived from the list."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import yaml

from charmsmith.create import answers, prompt_files, questions, render


def test_checked_in_prompt_files_are_what_the_questions_derive():
    """Fails when a question changes and `python -m charmsmith.create.prompt_files` was not run."""
    for path, text in prompt_files.expected().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} drifted from QUESTIONS"


def test_every_front_door_asks_the_questions_in_resolve_order_with_their_help():
    order = [q.key for q in questions.QUESTIONS]
    cookiecutter = json.loads((render.TEMPLATE_DIR / "cookiecutter.json").read_text())
    assert [k for k in cookiecutter if not k.startswith("_")] == order
    assert list(cookiecutter["__prompts__"].values()) == [q.help for q in questions.QUESTIONS]
    plugin = yaml.safe_load((render.TEMPLATE_DIR.parent / "config.yaml").read_text())
    assert list(plugin["prompts"]) == order[1:]  # charm-tools takes the name from its NAME
    assert plugin["prompts"]["port"]["prompt"] == questions.BY_KEY["port"].help + ":"
    assert sorted(order) == sorted(answers.KEYS)


def test_a_changed_question_reaches_both_files(monkeypatch, tmp_path: Path):
    port = questions.BY_KEY["port"]
    changed = dataclasses.replace(port, help="Port of the API")
    monkeypatch.setattr(
        prompt_files,
        "QUESTIONS",
        tuple(changed if q is port else q for q in questions.QUESTIONS),
    )
    template = tmp_path / "template"
    template.mkdir()
    shutil.copy(render.TEMPLATE_DIR / "cookiecutter.json", template)
    shutil.copy((render.TEMPLATE_DIR.parent / "config.yaml"), tmp_path)

    written = prompt_files.write(template)

    assert sorted(p.name for p in written) == ["config.yaml", "cookiecutter.json"]
    cookiecutter = json.loads((template / "cookiecutter.json").read_text())
    assert cookiecutter["__prompts__"]["port"] == "Port of the API"
    assert cookiecutter["_charmsmith_template_version"] == render.template_version()
    plugin = yaml.safe_load((tmp_path / "config.yaml").read_text())
    assert plugin["prompts"]["port"]["prompt"] == "Port of the API:"
    assert prompt_files.write(template) == []  # in sync now


def test_the_name_is_required_and_every_other_question_has_a_default():
    for question in questions.QUESTIONS:
        assert (question.default is None) == (question.key == "charm_name"), question.key


def test_text_form_parses_back_to_the_same_value_for_every_question():
    resolved = answers.resolve(
        {"charm_name": "glance", "db_sync_commands": ["glance-manage db_sync", "glance-manage x"]}
    )
    got = answers.resolve_upto(answers.to_text(resolved), "description")
    for question in questions.QUESTIONS:
        assert got[question.key] == getattr(resolved, question.key), question.key
