"""Juju's CLI output formats for hook tools: `smart` (default), `yaml`, `json`.

Why it matters: charmhelpers parses `--format=json` output with json.loads and charms.reactive
shells out with the default format in places; the shape and the missing-key behaviour (smart
prints nothing, json prints null) must match Juju's or flags silently go wrong.

Go marshals a map with its keys sorted and a struct in its declared field order; the tools
whose answer is a Go struct (network-get, goal-state) pass `ordered=True` with their dicts
built in that order. Go's encoding/json also escapes <, > and & inside strings.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

_GO_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def render(value: Any, fmt: str, ordered: bool = False) -> bytes:
    """Format `value` like juju/cmd's formatters (trailing newline added to non-empty output)."""
    if fmt == "json":
        text = json.dumps(value, separators=(",", ":"), sort_keys=not ordered, ensure_ascii=False)
        for char, escape in _GO_JSON_ESCAPES.items():  # only ever inside JSON strings
            text = text.replace(char, escape)
    elif fmt == "yaml":
        text = "" if value is None else _yaml(value, ordered)
    else:
        text = smart(value, ordered)
    if text and not text.endswith("\n"):
        text += "\n"
    return text.encode()


def _yaml(value: Any, ordered: bool) -> str:
    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=not ordered).rstrip("\n")
    return text[: -len("\n...")] if text.endswith("\n...") else text


def smart(value: Any, ordered: bool = False) -> str:
    """Juju's smart formatter: scalars bare, lists one per line, maps as YAML, nil as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "\n".join(smart(item) for item in value)
    return _yaml(value, ordered)
