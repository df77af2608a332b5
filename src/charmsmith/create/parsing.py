"""Raw answers into Python shapes, before the rules of :mod:`charmsmith.create.validation`.

An answer arrives as a YAML value (answers file), or as text (``--set``, a prompt reply,
cookiecutter's context) that may itself be a YAML flow list or mapping. Each function here
accepts every such form of one kind of answer and raises the one-line field error otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from charmsmith.create import validation as v


def unchanged(value: Any, key: str) -> Any:
    """Scalars: their rule in validation takes text and YAML values alike."""
    return value


def as_list(value: Any, key: str) -> list[Any]:
    """A YAML list, a YAML flow list written as text, or a space-separated string."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            loaded = _flow(text, key, "list")
            if isinstance(loaded, list):
                return loaded
        return text.split()
    raise v.fail(key, f"{value!r} must be a list or a space-separated string")


def as_commands(value: Any, key: str) -> list[Any]:
    """One command (text), or a list whose items are command lines (text) or argv lists.

    So ``[aodh-dbsync]`` is one command and ``[glance-manage db_sync, glance-manage db
    load_metadefs]`` two; an argv with an argument containing spaces must be a nested list.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            return [text]
        value = _flow(text, key, "list")
    if not isinstance(value, list | tuple) or not value:
        raise v.fail(key, "must be a command or a non-empty list of commands")
    return list(value)


def as_codenames(value: Any, key: str) -> Mapping[Any, Any]:
    """A mapping, pairs, or text ``15:yoga 16:zed`` (``=`` also accepted)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = _flow(text, key, "mapping")
        else:
            pairs = {}
            for item in text.replace(",", " ").split():
                prefix, sep, codename = item.replace("=", ":").partition(":")
                if not sep:
                    raise v.fail(key, f"{item!r} must be VERSION:CODENAME, e.g. 15:yoga")
                pairs[prefix] = codename
            value = pairs
    if isinstance(value, list | tuple) and all(
        isinstance(pair, list | tuple) and len(pair) == 2 for pair in value
    ):
        value = dict(value)
    if not isinstance(value, Mapping) or not value:
        raise v.fail(key, "must map upstream version prefixes to release codenames")
    return value


def _flow(text: str, key: str, kind: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise v.fail(key, f"{text!r} is not a valid YAML {kind}") from None
