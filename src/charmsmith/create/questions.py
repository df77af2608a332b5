"""Every question of the generator, each one object, listed in the order they are resolved.

A :class:`Question` holds all there is to one answer: its help line, its default (derived from
the answers before it), how raw input is parsed and validated, and its text and record forms.
Every front door reads this list; the prompt parts of the template's cookiecutter.json and of
charm-tools' config.yaml are derived from it (:mod:`charmsmith.create.prompt_files`).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from charmsmith import keystone_services
from charmsmith.create import ceph_pools, defaults, parsing
from charmsmith.create import validation as v
from charmsmith.create.defaults import Got


def _words(value: Any) -> str:
    """Lists as space-separated words (how a prompt reply gives them), scalars as text."""
    return " ".join(value) if isinstance(value, tuple | list) else str(value)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Question:
    """One answer: asked with ``help``, defaulted, parsed, validated, and written back."""

    key: str
    #: One line shown by every front door's prompt.
    help: str
    #: (Parsed value, key, answers so far) -> the normalised, typed value, or the field error.
    validate: Callable[[Any, str, Got], Any]
    #: The answers so far -> the raw default; None: the question must be answered.
    default: Callable[[Got], Any] | None = None
    #: (Raw YAML value or text, key) -> the shape ``validate`` takes.
    parse: Callable[[Any, str], Any] = parsing.unchanged
    #: Value -> text a prompt or cookiecutter accepts and parses back to the same value.
    text: Callable[[Any], str] = _words
    #: Value -> plain YAML value for the answers file (lists, not tuples).
    record: Callable[[Any], Any] = _plain
    #: False: an empty answer is left out of the answers file, so files written before the
    #: question existed replay to the same bytes.
    recorded_when_empty: bool = True

    def answer(self, value: Any, got: Got) -> Any:
        """The validated value of a raw answer (its default when blank)."""
        if blank(value):
            if self.default is None:
                raise v.fail(self.key, "is required")
            value = self.default(got)
        return self.validate(self.parse(value, self.key), self.key, got)


def blank(value: Any) -> bool:
    """None or whitespace: "not answered" (blank prompt replies, cookiecutter's empty text)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _rule(check: Callable[[Any, str], Any]) -> Callable[[Any, str, Got], Any]:
    """A validation rule that needs no other answer."""
    return lambda value, key, got: check(value, key)


def _service_type(value: Any, key: str, got: Got) -> str:
    if value == keystone_services.catalog_type(got["service_name"]):
        return value  # keystone's own type for the name (contrail's are CamelCase)
    return v.catalogue_name(value, key)


def _listed(check: Callable[[Any, str], str]) -> Callable[[Any, str, Got], tuple[str, ...]]:
    """At least one item, each passing ``check``, none twice."""
    return lambda items, key, got: _unique(
        key, [check(item, key) for item in _non_empty(key, items)]
    )


def _config_files(items: list[Any], key: str, got: Got) -> tuple[str, ...]:
    return tuple(v.config_paths(list(_unique(key, _non_empty(key, items))), key))


def _commands(items: list[Any], key: str, got: Got) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(v.command(item, key)) for item in items)


def _commands_text(value: Any) -> str:
    cmds = [list(cmd) for cmd in value]
    return shlex.join(cmds[0]) if len(cmds) == 1 else json.dumps(cmds)


def _codenames(table: Mapping[Any, Any], key: str, got: Got) -> tuple[tuple[str, str], ...]:
    pairs = [(v.version_prefix(k, key), v.release(c, key)) for k, c in table.items()]
    return tuple(sorted(pairs, key=lambda pair: tuple(int(p) for p in pair[0].split("."))))


def _codenames_text(value: Any) -> str:
    return " ".join(f"{k}:{c}" for k, c in dict(value).items())


def _non_empty(key: str, items: list[Any]) -> list[Any]:
    if not items:
        raise v.fail(key, "needs at least one entry")
    return items


def _unique(key: str, items: list[Any]) -> tuple[Any, ...]:
    seen = set()
    for item in items:
        if item in seen:
            raise v.fail(key, f"{item!r} is listed twice")
        seen.add(item)
    return tuple(items)


#: In resolve order: each default may use the answers before it. It is also the interactive
#: prompt order (charm name first when it was not given on the command line).
QUESTIONS: tuple[Question, ...] = (
    Question(
        "charm_name",
        "Charm name (Juju rules: lowercase letters, digits, single hyphens)",
        validate=_rule(v.charm_name),
    ),
    Question(
        "port",
        "Port the API listens on for clients (haproxy; the service itself uses port-10)",
        validate=_rule(v.port),
        default=defaults.port,
    ),
    Question(
        "service_name",
        "Name of the service in the keystone catalogue",
        validate=_rule(v.catalogue_name),
        default=defaults.service_name,
    ),
    Question(
        "api_service",
        "Init service (systemd unit) of the API daemon",
        validate=_rule(v.api_service),
        default=defaults.api_service,
    ),
    Question(
        "service_type",
        "Keystone service type (e.g. image, key-manager, policy)",
        validate=_service_type,
        default=defaults.service_type,
    ),
    Question(
        "release",
        "Earliest OpenStack release the charm supports (diablo..flamingo)",
        validate=_rule(v.release),
        default=defaults.release,
    ),
    Question(
        "db_sync_commands",
        "Database sync command (several: a YAML list of command lines)",
        validate=_commands,
        default=defaults.db_sync_commands,
        parse=parsing.as_commands,
        text=_commands_text,
        record=lambda value: [list(cmd) for cmd in value],
    ),
    Question(
        "packages",
        "Debian packages to install (space separated)",
        validate=_listed(v.package),
        default=defaults.packages,
        parse=parsing.as_list,
    ),
    Question(
        "config_files",
        "Config files the charm manages (absolute paths, space separated)",
        validate=_config_files,
        default=defaults.config_files,
        parse=parsing.as_list,
    ),
    Question(
        "init_services",
        "Services to restart when a config file changes (space separated)",
        validate=_listed(v.service),
        default=defaults.init_services,
        parse=parsing.as_list,
    ),
    Question(
        "release_package",
        "Package whose version tells the OpenStack release",
        validate=_rule(v.package),
        default=defaults.release_package,
    ),
    Question(
        "package_codenames",
        "Upstream major version to release table (e.g. 15:zed 16:antelope)",
        validate=_codenames,
        default=defaults.package_codenames,
        parse=parsing.as_codenames,
        text=_codenames_text,
        record=dict,
    ),
    Question(
        "certificates",
        "Add the certificates relation: HTTPS from a CA charm such as vault (yes/no)",
        validate=_rule(v.yes_no),
        default=lambda got: True,
        text=lambda value: "yes" if value else "no",
        record=bool,
    ),
    Question(
        "ceph_pools",
        "Ceph pools to ask ceph-mon for, NAME[:REPLICAS[:APP]] (e.g. glance:3:rbd; blank: none)",
        validate=ceph_pools.validate,
        default=lambda got: (),
        parse=ceph_pools.parse,
        text=ceph_pools.text,
        record=ceph_pools.record,
        recorded_when_empty=False,
    ),
    Question(
        "maintainer",
        "Maintainer ('Full Name <email>')",
        validate=_rule(v.maintainer),
        default=defaults.maintainer,
    ),
    Question(
        "summary",
        "One-line summary for metadata.yaml",
        validate=_rule(v.one_line),
        default=defaults.summary,
    ),
    Question(
        "description",
        "Description for metadata.yaml",
        validate=_rule(v.paragraph),
        default=defaults.description,
    ),
)

BY_KEY: dict[str, Question] = {question.key: question for question in QUESTIONS}
