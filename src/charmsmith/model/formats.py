"""Juju's CLI output formats for hook tools: `smart` (default), `yaml`, `json`.

Why it matters: charmhelpers parses `--format=json` output with json.loads and charms.reactive
shells out with the default format in places; the shape and the missing-key behaviour (smart
prints nothing, json prints null or "") must match Juju's or flags silently go wrong.
"""

from __future__ import annotations

import json
from typing import Any

import yaml


def render(value: Any, fmt: str) -> bytes:
    """Format `value` like Juju's cmd.Output (trailing newline added to non-empty output)."""
    if fmt == "json":
        text = json.dumps(value, separators=(",", ":"))
    elif fmt == "yaml":
        text = "" if value is None else yaml.safe_dump(value, default_flow_style=False).rstrip("\n")
        if text.endswith("\n..."):
            text = text[: -len("\n...")]
    else:
        text = smart(value)
    if text and not text.endswith("\n"):
        text += "\n"
    return text.encode()


def smart(value: Any) -> str:
    """Juju's smart formatter: scalars bare, lists one per line, maps as YAML, nil as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "\n".join(smart(item) for item in value)
    return yaml.safe_dump(value, default_flow_style=False).rstrip("\n")
