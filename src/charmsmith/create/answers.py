"""Answers: the only input of the generator, resolved once into a typed, validated value.

Every front door hands raw answers (answers-file values, ``--set`` text, prompt replies,
cookiecutter's context) to :func:`resolve`, which asks each question of
:mod:`charmsmith.create.questions` in turn for its value: the given one, or the default
derived from the answers before it. The result records every answer, defaults included, so
replaying the record reproduces the charm after the defaults change in a later version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from charmsmith.create import ceph_pools, defaults, questions
from charmsmith.create import validation as v
from charmsmith.create.questions import QUESTIONS, blank
from charmsmith.errors import CharmsmithError


@dataclass(frozen=True)
class Answers:
    """Every answer, validated and with defaults filled in (fields in answers-file order)."""

    charm_name: str
    service_name: str
    service_type: str
    port: int
    release: str
    packages: tuple[str, ...]
    api_service: str
    init_services: tuple[str, ...]
    config_files: tuple[str, ...]
    db_sync_commands: tuple[tuple[str, ...], ...]
    release_package: str
    package_codenames: tuple[tuple[str, str], ...]
    certificates: bool
    ceph_pools: tuple[ceph_pools.PoolAnswer, ...]
    maintainer: str
    summary: str
    description: str
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain YAML-able values in KEYS order (lists, not tuples)."""
        return {key: questions.BY_KEY[key].form.record(getattr(self, key)) for key in KEYS}

    @property
    def charm_ident(self) -> str:
        return v.charm_ident(self.charm_name)


#: Answer keys in the order the answers file lists them.
KEYS: tuple[str, ...] = tuple(f.name for f in fields(Answers) if f.name != "warnings")


def unknown_key(key: str) -> CharmsmithError:
    return CharmsmithError(f"{key}: unknown answer key (known keys: {', '.join(KEYS)})")


def resolve_upto(raw: Mapping[str, Any], last: str) -> dict[str, Any]:
    """Resolve the answers up to and including ``last`` (for validating as prompts go)."""
    got: dict[str, Any] = {}
    for question in QUESTIONS:
        got[question.key] = question.answer(raw.get(question.key), got)
        if question.key == last:
            return got
    raise unknown_key(last)


def resolve(raw: Mapping[str, Any]) -> Answers:
    """Validate ``raw`` (missing keys take their defaults) into :class:`Answers`.

    Keys starting with ``_`` (``_template_version`` in a recorded answers file) are metadata
    and ignored here. Empty strings count as "not answered" so blank prompt replies and
    cookiecutter's empty defaults get the derived default.
    """
    for key in raw:
        if key not in KEYS and not str(key).startswith("_"):
            raise unknown_key(str(key))
    got = resolve_upto(raw, QUESTIONS[-1].key)
    return Answers(
        **got, warnings=_warnings(got, explicit_codenames=not blank(raw.get("package_codenames")))
    )


def _warnings(got: Mapping[str, Any], explicit_codenames: bool) -> tuple[str, ...]:
    """Cross-answer checks: legal answers that are probably not what was meant."""
    warnings = list(v.port_warnings(got["port"], got["service_name"]))
    warnings += v.keystone_warnings("service_name", got)
    warnings += v.keystone_warnings("service_type", got)
    if got["release_package"] not in got["packages"]:
        warnings.append(
            f"release_package: {got['release_package']} is not in packages; it must be "
            "installed as a dependency for release detection to work"
        )
    if got["release"] not in {codename for _, codename in got["package_codenames"]}:
        warnings.append(
            f"package_codenames: no version maps to the earliest release {got['release']}"
        )
    if not explicit_codenames:
        _, known = defaults.codenames(got["release_package"], got["release"])
        if not known:
            warnings.append(
                f"package_codenames: no built-in version table covers {got['release_package']} "
                f"from {got['release']}; "
                "assumed major 1 at the earliest release, check it against upstream"
            )
    return tuple(warnings)


def parse_set(items: list[str]) -> dict[str, str]:
    """``--set KEY=VALUE`` pairs (VALUE as text, parsed like a prompt reply)."""
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CharmsmithError(f"--set: {item!r} must be KEY=VALUE")
        if key not in KEYS:
            raise unknown_key(key)
        values[key] = value
    return values


def to_text(answers: Answers) -> dict[str, str]:
    """Answers as the text forms a prompt or cookiecutter accepts (parse back identically)."""
    return {key: questions.BY_KEY[key].form.text(getattr(answers, key)) for key in KEYS}


def default_text(key: str, raw: Mapping[str, Any]) -> str:
    """The default of ``key`` as prompt text, given the raw answers before it.

    Prompts (ours, charm-tools', cookiecutter's) show this; a blank reply takes it. A
    question without a default (the charm name) shows none.
    """
    got: dict[str, Any] = {}
    for question in QUESTIONS:
        if question.key == key:
            return question.form.text(question.default(got)) if question.default else ""
        got[question.key] = question.answer(raw.get(question.key), got)
    raise unknown_key(key)


def display_default(text: str, limit: int = 60) -> str:
    """A default as one short line for a prompt (the full value is still what a blank takes)."""
    line = " ".join(text.split("\n"))
    return line if len(line) <= limit else line[: limit - 3] + "..."
