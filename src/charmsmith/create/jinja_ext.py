"""Jinja extension cookiecutter loads for our template (``_extensions`` in cookiecutter.json).

It gives the template a few filters, so the template itself holds no logic worth testing:
``charmsmith`` (the derived namespace of :mod:`charmsmith.create.context`),
``charmsmith_default("port")`` (one answer's default given those before it, so plain
cookiecutter prompts show our real defaults), ``py`` (a ruff-format-shaped Python literal),
``yaml_str`` (a YAML scalar that reads back as the same text) and ``charmsmith_b64`` (the
context as base64 JSON for the hooks, so any answer text survives the hook scripts).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

from charmsmith.create import answers, answers_file, context
from charmsmith.errors import CharmsmithError

_CACHE: dict[str, dict[str, Any]] = {}


def raw_answers(cookiecutter: Mapping[str, Any]) -> dict[str, Any]:
    """The answer keys of a cookiecutter context (private ``_`` keys dropped)."""
    return {k: val for k, val in cookiecutter.items() if k in answers.KEYS}


def charm_context(cookiecutter: Mapping[str, Any]) -> dict[str, Any]:
    """Resolve once per distinct context: every file of a render asks for the same one."""
    raw = raw_answers(cookiecutter)
    version = str(cookiecutter.get("_charmsmith_template_version", "0"))
    key = json.dumps([raw, version], sort_keys=True, default=str)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = context.build(answers.resolve(raw), version)
    return _CACHE[key]


def default_text(cookiecutter: Mapping[str, Any], key: str) -> str:
    """Default for ``key``; an invalid earlier answer ends plain cookiecutter right there.

    cookiecutter cannot re-ask a question, so the next best thing is to stop at the first bad
    answer with our one-line message (nothing has been written yet at prompt time).
    """
    try:
        return answers.default_text(key, raw_answers(cookiecutter))
    except CharmsmithError as err:
        raise SystemExit(f"charmsmith: error: {err}") from None


def b64(cookiecutter: Mapping[str, Any]) -> str:
    data = json.dumps(dict(cookiecutter), sort_keys=True, default=str)
    return base64.b64encode(data.encode()).decode()


class CharmsmithExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["charmsmith"] = charm_context
        environment.filters["charmsmith_default"] = default_text
        environment.filters["charmsmith_b64"] = b64
        environment.filters["py"] = context.py
        environment.filters["yaml_str"] = answers_file.yaml_scalar
