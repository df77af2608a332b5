"""``charm create -t openstack-api NAME``: charm-tools' template plugin front door.

charm-tools discovers this class through the ``charmtools.templates`` entry point, asks the
prompts of the sibling config.yaml (``-a`` takes every default), then calls
:meth:`OpenStackAPITemplate.create_charm`. Answers are validated as they are typed with the same
rules as ``charmsmith create`` and rendered through the same cookiecutter path, so both commands
give the same bytes for the same answers. A blank reply means "the default derived from the
charm name and earlier replies", which is what ``-a`` uses too.
"""

from __future__ import annotations

import inspect
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from charmtools.generators import CharmGeneratorException, CharmTemplate

from charmsmith.create import answers as answers_mod
from charmsmith.create import defaults, render, validation
from charmsmith.create.questions import BY_KEY
from charmsmith.errors import CharmsmithError

# What charm-tools puts in metadata when apt knows no package of the charm's name.
_PLACEHOLDERS = ("<Fill in summary here>", "<Multi-line description here>")


class OpenStackAPITemplate(CharmTemplate):
    """Reactive OpenStack API charm rendered offline from charmsmith's bundled template."""

    def configure_prompt(self, prompt: Any, config: dict[str, Any]) -> Any:
        """Show the real derived default in the question when the charm name is known."""
        name = _charm_name_from_generator()
        if name:
            raw = {**_answered(config), "charm_name": name}
            try:
                prompt.default = answers_mod.default_text(prompt.name, raw)
            except CharmsmithError:
                prompt.default = ""
            if prompt.name == "maintainer" and prompt.default == defaults.PLACEHOLDER_MAINTAINER:
                prompt.default = _charmtools_maintainer() or prompt.default
        help_text = BY_KEY[prompt.name].help if prompt.name in BY_KEY else prompt.name
        shown = answers_mod.display_default(str(prompt.default or ""))
        prompt.prompt = f"{help_text} [{shown}]: " if shown else f"{help_text}: "
        return prompt

    def validate_input(self, input_value: str, prompt: Any, config: dict[str, Any]) -> str:
        """Apply charmsmith's rule for this answer; ValueError makes charm-tools ask again."""
        raw = {**_answered(config), prompt.name: input_value}
        raw["charm_name"] = _charm_name_from_generator() or "charm"
        try:
            got = answers_mod.resolve_upto(raw, prompt.name)
        except CharmsmithError as err:
            raise ValueError(str(err)) from None
        for warning in validation.answer_warnings(prompt.name, got):
            print(f"warning: {warning}", file=sys.stderr)  # at the question, as charmsmith does
        return input_value

    def create_charm(self, config: dict[str, Any], output_path: str) -> None:
        """Render into ``output_path`` (an empty directory charm-tools copies into place)."""
        try:
            resolved = answers_mod.resolve(raw_answers(config))
        except CharmsmithError as err:
            raise CharmGeneratorException(str(err)) from None
        with tempfile.TemporaryDirectory(prefix="charmsmith-") as tmp:
            built = render.render(resolved, Path(tmp))
            for child in sorted(built.iterdir()):
                shutil.move(str(child), output_path)


def raw_answers(config: dict[str, Any]) -> dict[str, Any]:
    """charm-tools' config dict -> our raw answers (metadata supplies name and maintainer)."""
    metadata = config.get("metadata") or {}
    raw = _answered(config)
    raw["charm_name"] = metadata.get("package")
    for key in ("maintainer", "summary", "description"):
        value = metadata.get(key)
        if not raw.get(key) and value and value not in _PLACEHOLDERS:
            raw[key] = value
    if raw.get("maintainer"):
        try:
            answers_mod.resolve_upto({**raw, "maintainer": raw["maintainer"]}, "maintainer")
        except CharmsmithError:
            raw.pop("maintainer")  # charm-tools guessed "root <root@host>"-like; use ours
    return raw


def _answered(config: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in config.items()
        if key in answers_mod.KEYS and value not in (None, "")
    }


def _charmtools_maintainer() -> str | None:
    """charm-tools' own guess ($NAME/$EMAIL, passwd), when it is a valid maintainer."""
    from charmtools.generators.generator import get_maintainer

    try:
        guess = "{} <{}>".format(*get_maintainer())
        validation.maintainer(guess)
    except (CharmsmithError, TypeError, ValueError):
        return None
    return guess


def _charm_name_from_generator() -> str | None:
    """The NAME charm-tools was given, read from the CharmGenerator calling us.

    charm-tools hands plugins the prompts' config but not the charm name until create_charm;
    looking one frame up lets the questions show defaults like ``<name>-api`` instead of a
    blank. Outside charm-tools this returns None and the blank default still works.
    """
    for frame_info in inspect.stack()[1:8]:
        generator = frame_info.frame.f_locals.get("self")
        opts = getattr(generator, "opts", None)
        name = getattr(opts, "charmname", None)
        if isinstance(name, str):
            return name
    return None
