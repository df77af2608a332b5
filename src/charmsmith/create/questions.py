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


Validate = Callable[[Any, str, Got], Any]
Default = Callable[[Got], Any]


@dataclass(frozen=True)
class Form:
    """How one kind of answer is read from raw input, shown as text and recorded."""

    #: (Raw YAML value or text, key) -> the shape a question's ``validate`` takes.
    parse: Callable[[Any, str], Any] = parsing.unchanged
    #: Value -> text a prompt or cookiecutter accepts and parses back to the same value.
    text: Callable[[Any], str] = _words
    #: Value -> plain YAML value for the answers file (lists, not tuples).
    record: Callable[[Any], Any] = _plain
    #: False: an empty answer is left out of the answers file, so files written before the
    #: question existed replay to the same bytes.
    recorded_when_empty: bool = True


@dataclass(frozen=True)
class Question:
    """One answer: asked with ``help``, defaulted, parsed, validated, and written back."""

    key: str
    #: One line shown by every front door's prompt.
    help: str
    #: (Parsed value, key, answers so far) -> the normalised, typed value, or the field error.
    validate: Validate
    #: The answers so far -> the raw default; None: the question must be answered.
    default: Default | None = None
    #: How the answer is parsed, shown as text and recorded.
    form: Form = Form()

    def answer(self, value: Any, got: Got) -> Any:
        """The validated value of a raw answer (its default when blank)."""
        if blank(value):
            if self.default is None:
                raise v.fail(self.key, "is required")
            value = self.default(got)
        return self.validate(self.form.parse(value, self.key), self.key, got)


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


#: The kinds of answer: plain text, space-separated words, command lines, a version table,
#: yes/no, and ceph pools (left out of the answers file when none, as before they existed).
TEXT = Form()
WORDS = Form(parse=parsing.as_list)
COMMANDS = Form(parsing.as_commands, _commands_text, lambda value: [list(cmd) for cmd in value])
CODENAMES = Form(parsing.as_codenames, _codenames_text, dict)
YES_NO = Form(text=lambda value: "yes" if value else "no", record=bool)
POOLS = Form(ceph_pools.parse, ceph_pools.text, ceph_pools.record, recorded_when_empty=False)


def _ask(
    key: str, validate: Validate, default: Default | None = None, form: Form = TEXT
) -> Callable[[str], Question]:
    """``_ask(key, validate, default, form)(help)``: one question, its long help line last."""
    return lambda help: Question(key, help, validate, default, form)


#: In resolve order: each default may use the answers before it. It is also the interactive
#: prompt order (charm name first when it was not given on the command line).
QUESTIONS: tuple[Question, ...] = (
    _ask("charm_name", _rule(v.charm_name))(
        "Charm name (Juju rules: lowercase letters, digits, single hyphens)"
    ),
    _ask("port", _rule(v.port), defaults.port)(
        "Port the API listens on for clients (haproxy; the service itself uses port-10)"
    ),
    _ask("service_name", _rule(v.catalogue_name), defaults.service_name)(
        "Name of the service in the keystone catalogue"
    ),
    _ask("api_service", _rule(v.api_service), defaults.api_service)(
        "Init service (systemd unit) of the API daemon"
    ),
    _ask("service_type", _service_type, defaults.service_type)(
        "Keystone service type (e.g. image, key-manager, policy)"
    ),
    _ask("release", _rule(v.release), defaults.release)(
        "Earliest OpenStack release the charm supports (diablo..flamingo)"
    ),
    _ask("db_sync_commands", _commands, defaults.db_sync_commands, COMMANDS)(
        "Database sync command (several: a YAML list of command lines)"
    ),
    _ask("packages", _listed(v.package), defaults.packages, WORDS)(
        "Debian packages to install (space separated)"
    ),
    _ask("config_files", _config_files, defaults.config_files, WORDS)(
        "Config files the charm manages (absolute paths, space separated)"
    ),
    _ask("init_services", _listed(v.service), defaults.init_services, WORDS)(
        "Services to restart when a config file changes (space separated)"
    ),
    _ask("release_package", _rule(v.package), defaults.release_package)(
        "Package whose version tells the OpenStack release"
    ),
    _ask("package_codenames", _codenames, defaults.package_codenames, CODENAMES)(
        "Upstream major version to release table (e.g. 15:zed 16:antelope)"
    ),
    _ask("certificates", _rule(v.yes_no), lambda got: True, YES_NO)(
        "Add the certificates relation: HTTPS from a CA charm such as vault (yes/no)"
    ),
    _ask("ceph_pools", ceph_pools.validate, lambda got: (), POOLS)(
        "Ceph pools to ask ceph-mon for, NAME[:REPLICAS[:APP]] (e.g. glance:3:rbd; blank: none)"
    ),
    _ask("maintainer", _rule(v.maintainer), defaults.maintainer)(
        "Maintainer ('Full Name <email>')"
    ),
    _ask("summary", _rule(v.one_line), defaults.summary)("One-line summary for metadata.yaml"),
    _ask("description", _rule(v.paragraph), defaults.description)("Description for metadata.yaml"),
)

BY_KEY: dict[str, Question] = {question.key: question for question in QUESTIONS}
