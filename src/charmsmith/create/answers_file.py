"""The answers file, ``.charmsmith-answers.yaml``: read it, and write it byte for byte the same.

A generated charm records every answer in it, defaults included; ``charmsmith create
--answers`` replays it and ``charmsmith update`` rebuilds the charm's base from it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from charmsmith.create import questions
from charmsmith.create.answers import Answers
from charmsmith.errors import CharmsmithError

ANSWERS_FILE = ".charmsmith-answers.yaml"


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Raw answers from a YAML file (a mapping of answer keys)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise CharmsmithError(f"--answers: cannot read {path}: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise CharmsmithError(
            f"--answers: {path} is not UTF-8 text (byte {err.start}): expected a YAML file"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        raise CharmsmithError(f"--answers: {path} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CharmsmithError(f"--answers: {path} must be a mapping of answer keys")
    return {str(k): val for k, val in data.items()}


def dump(answers: Answers, template_version: str) -> str:
    """The answers file: fixed key order, hand-formatted so equal answers give equal bytes."""
    lines = [
        "# Answers charmsmith used to generate this charm. Keep this file: it makes",
        "# `charmsmith create --answers .charmsmith-answers.yaml` reproduce the charm",
        "# and `charmsmith update` three-way merge newer templates into it.",
        f"_template_version: {yaml_scalar(template_version)}",
    ]
    for key, value in answers.as_dict().items():
        if value in ([], "") and not questions.BY_KEY[key].form.recorded_when_empty:
            continue
        if isinstance(value, str) and "\n" in value:
            lines.append(f"{key}: |-")
            lines.extend(f"  {line}" if line else "" for line in value.split("\n"))
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"- {_flow_or_scalar(item)}" for item in value)
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {yaml_scalar(k)}: {yaml_scalar(c)}" for k, c in value.items())
        else:
            lines.append(f"{key}: {yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def _flow_or_scalar(item: Any) -> str:
    """A list item: a nested list (one db-sync argv) as a flow list, else a scalar."""
    if isinstance(item, list):
        return f"[{', '.join(yaml_scalar(arg) for arg in item)}]"
    return yaml_scalar(item)


_PLAIN = re.compile(r"^[A-Za-z0-9_/.+-][A-Za-z0-9_/.+ @<>()-]*$")


def yaml_scalar(value: Any) -> str:
    """A YAML scalar: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)
