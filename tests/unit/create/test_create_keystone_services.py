"""Service names and types against keystone's own table: defaults, and warnings at the question."""

from __future__ import annotations

import pytest

from charmsmith import keystone_services
from charmsmith.create import answers, command


@pytest.mark.parametrize(
    ("name", "catalog_type"),
    [("cinder", "volume"), ("manila", "share"), ("glance", "image"), ("congress", "policy")],
)
def test_service_type_defaults_to_the_type_keystone_registers(name: str, catalog_type: str):
    resolved = answers.resolve({"charm_name": name})
    assert resolved.service_type == catalog_type
    assert not any(w.startswith(("service_name:", "service_type:")) for w in resolved.warnings)


def test_every_listed_service_defaults_to_its_keystone_type():
    for name, catalog_type in keystone_services.SERVICE_TYPES.items():
        got = answers.resolve_upto({"charm_name": "widget", "service_name": name}, "service_type")
        assert got["service_type"] == catalog_type, name


def test_unlisted_service_name_warns_what_a_real_keystone_does_and_the_way_out():
    resolved = answers.resolve({"charm_name": "widget"})
    [warning] = [w for w in resolved.warnings if w.startswith("service_name:")]
    assert "'widget'" in warning and "valid_services" in warning
    assert "never gets credentials" in warning and "keystone charm learn it" in warning
    assert resolved.service_type == "widget"  # nothing better to propose


def test_listed_service_under_another_type_warns():
    resolved = answers.resolve({"charm_name": "glance", "service_type": "images"})
    [warning] = [w for w in resolved.warnings if w.startswith("service_type:")]
    assert "'image'" in warning and "'images'" in warning


def test_warning_is_shown_at_the_service_name_question_before_the_next_one():
    transcript: list[str] = []

    def ask(prompt: str) -> str:
        transcript.append(prompt)
        return {"charm_name": "widget"}.get(prompt.split(" ")[0].rstrip(":"), "")

    command.prompt_answers({}, ask=ask, say=transcript.append)
    where = next(i for i, line in enumerate(transcript) if line.startswith("service_name"))
    warned = next(i for i, line in enumerate(transcript) if "warning: service_name:" in line)
    nxt = next(i for i, line in enumerate(transcript) if line.startswith("api_service"))
    assert where < warned < nxt


def test_final_warning_list_does_not_repeat_what_the_prompt_showed(tmp_path, monkeypatch, capsys):
    replies = iter(["widget"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies, ""))
    from charmsmith import cli

    assert cli.main(["create", "-o", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("warning: service_name:") == 1
    assert "warning: service_name:" not in captured.err
