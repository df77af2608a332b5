"""Setting and resetting an application's charm options, as `juju config` does.

`--reset KEY[,KEY]` removes the operator's value, so the option is back at the default in the
charm's config.yaml (or unset when there is none), and units see it in a config-changed hook -
only if a value really changed, like any other config change. Keys are option names of the
charm; one command may set some keys and reset others, but not set and reset the same key; a
command that is refused changes nothing.
"""

# Follows the Juju CLI reference for `juju config` (--reset <key[,key]>) and the checks of
# juju/juju cmd/juju/application/config.go (set and reset of one key refused).

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from charmsmith.errors import CharmsmithError

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI

__all__ = ["ResetAction", "parse_reset", "update_config"]


class ResetAction(argparse.Action):
    """`--reset KEY[,KEY] [KEY=VALUE ...]`: the `juju config` order, settings after the reset.

    argparse hands every word after the option to it, so the KEY=VALUE words that follow are
    kept aside as `reset_pairs` for the command to set with the others; a second bare word is
    refused by the command like any word that is not KEY=VALUE.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        words = list(values)
        keys = list(getattr(namespace, self.dest, None) or [])
        keys.append(words[0])
        setattr(namespace, self.dest, keys)
        rest = list(getattr(namespace, "reset_pairs", None) or [])
        namespace.reset_pairs = rest + words[1:]


def parse_reset(values: list[str]) -> list[str]:
    """Option names from one or more `--reset KEY[,KEY]` values, each once, in order."""
    keys: list[str] = []
    for value in values:
        for key in value.split(","):
            key = key.strip()
            if not key or "=" in key:
                raise CharmsmithError(f'--reset takes option names (KEY[,KEY]), got "{value}"')
            if key not in keys:
                keys.append(key)
    return keys


def update_config(model: ModelAPI, app: str, pairs: dict[str, str], reset: list[str]) -> list[str]:
    """Set `pairs` and reset `reset` on `app`; return the units queued for config-changed.

    Everything is checked before anything changes: an unknown option, a value of the wrong
    type or a key both set and reset is refused with the model untouched.
    """
    a = model.app(app)
    if a.kind == "peer" and not a.options:
        raise CharmsmithError(f"{app} is played by charmsmith and has no charm config")
    for key in reset:
        if key in pairs:
            raise CharmsmithError(f'cannot set and reset option "{key}" in one command')
    options = a.options
    for key in reset:
        if key not in options:
            raise CharmsmithError(f'unknown option "{key}" for application "{app}"')
    typed = model.coerce_config(app, pairs)
    before = model.config_values(app)
    kept = {key: value for key, value in a.config.items() if key not in reset}
    old_config, a.config = a.config, {**kept, **typed}
    if a.kind == "peer":
        try:
            model.peer_class(app).check_config(model.config_values(app), a.backend or "")
        except CharmsmithError:
            a.config = old_config
            raise
    if model.config_values(app) == before:
        return []
    if a.kind == "peer":
        # a peer runs no hooks: it answers again on every relation with the new values
        for rel in model.relations_of(app):
            model.peer_respond(rel, app)
        return []
    for unit in a.units:
        model.enqueue(unit, "config-changed")
    return list(a.units)


def coerce_config(model: ModelAPI, app: str, pairs: dict[str, str]) -> dict[str, Any]:
    """Type user values by config.yaml (`juju config` rejects unknown keys and bad types)."""
    options = model.app(app).options
    out: dict[str, Any] = {}
    for key, raw in pairs.items():
        if key not in options:
            raise CharmsmithError(f'unknown option "{key}" for application "{app}"')
        kind = options[key].get("type", "string")
        try:
            if kind == "int":
                out[key] = int(raw)
            elif kind == "float":
                out[key] = float(raw)
            elif kind == "boolean":
                if raw.lower() not in ("true", "false", "yes", "no", "1", "0"):
                    raise ValueError(raw)
                out[key] = raw.lower() in ("true", "yes", "1")
            else:
                out[key] = raw
        except ValueError:
            raise CharmsmithError(f'option "{key}" expects {kind}, got "{raw}"') from None
    return out


def set_config(model: ModelAPI, app: str, pairs: dict[str, str]) -> None:
    a = model.app(app)
    if a.kind == "peer":
        raise CharmsmithError(f"{app} is played by charmsmith and has no charm config")
    new = {**a.config, **model.coerce_config(app, pairs)}
    before = model.config_values(app)
    a.config = new
    if model.config_values(app) != before:
        for unit in a.units:
            model.enqueue(unit, "config-changed")
