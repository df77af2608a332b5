"""Answers: the only input of the generator, parsed once into a typed, validated value.

Every front door hands raw answers (YAML values from an answers file, ``--set KEY=VALUE`` text,
prompt replies, cookiecutter's context) to :func:`resolve`, which fills derived defaults in
dependency order (most follow from the charm name) and validates each answer with
:mod:`charmsmith.create.validation`. The resolved :class:`Answers` is what gets rendered and what
:func:`dump` records as ``.charmsmith-answers.yaml``: the record holds every answer, defaults
included, so re-running ``charmsmith create --answers`` reproduces the charm byte for byte even
after the defaults change in a later version.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from charmsmith import keystone_services
from charmsmith.create import validation as v
from charmsmith.errors import CharmsmithError

ANSWERS_FILE = ".charmsmith-answers.yaml"

#: Answer keys in the order the answers file lists them.
KEYS: tuple[str, ...] = (
    "charm_name",
    "service_name",
    "service_type",
    "port",
    "release",
    "packages",
    "api_service",
    "init_services",
    "config_files",
    "db_sync_commands",
    "release_package",
    "package_codenames",
    "maintainer",
    "summary",
    "description",
)

#: One line of help per answer: shown by every front door's prompt (cookiecutter.json's
#: ``__prompts__`` and charmtools_plugin's config.yaml hold the same text; a test checks).
HELP: dict[str, str] = {
    "charm_name": "Charm name (Juju rules: lowercase letters, digits, single hyphens)",
    "port": "Port the API listens on for clients (haproxy; the service itself uses port-10)",
    "service_name": "Name of the service in the keystone catalogue",
    "api_service": "Init service (systemd unit) of the API daemon",
    "service_type": "Keystone service type (e.g. image, key-manager, policy)",
    "release": "Earliest OpenStack release the charm supports (diablo..flamingo)",
    "db_sync_commands": "Database sync command (several: a YAML list of command lines)",
    "packages": "Debian packages to install (space separated)",
    "config_files": "Config files the charm manages (absolute paths, space separated)",
    "init_services": "Services to restart when a config file changes (space separated)",
    "release_package": "Package whose version tells the OpenStack release",
    "package_codenames": "Upstream major version to release table (e.g. 15:zed 16:antelope)",
    "maintainer": "Maintainer ('Full Name <email>')",
    "summary": "One-line summary for metadata.yaml",
    "description": "Description for metadata.yaml",
}

DEFAULT_RELEASE = "caracal"
DEFAULT_PORT = 8700
PLACEHOLDER_MAINTAINER = "Charm Maintainer <maintainer@example.com>"

# API ports of known OpenStack services, so `charmsmith create glance` proposes what glance really
# uses. Their catalog types come from keystone's own table (charmsmith.keystone_services).
KNOWN_PORTS: dict[str, int] = {
    "aodh": 8042,
    "barbican": 9311,
    "ceilometer": 8777,
    "cinder": 8776,
    "cloudkitty": 8889,
    "congress": 1789,
    "designate": 9001,
    "glance": 9292,
    "gnocchi": 8041,
    "heat": 8004,
    "ironic": 6385,
    "magnum": 9511,
    "manila": 8786,
    "masakari": 15868,
    "mistral": 8989,
    "neutron": 9696,
    "nova": 8774,
    "octavia": 9876,
    "placement": 8778,
    "trove": 8779,
    "watcher": 9322,
    "zaqar": 8888,
}

# Upstream major version per release: (first release, its major, last release or None).
# Each project bumps its major once per coordinated release, so one anchor gives the table.
# Checked against upstream release notes, e.g. glance 25 = zed, aodh 12 = wallaby,
# placement 11 = caracal, octavia 14 = caracal, congress 10 = train (its last release).
KNOWN_CODENAMES: dict[str, tuple[str, int, str | None]] = {
    "aodh": ("liberty", 1, None),
    "barbican": ("liberty", 1, None),
    "ceilometer": ("liberty", 5, None),
    "cinder": ("liberty", 7, None),
    "congress": ("liberty", 2, "train"),
    "designate": ("liberty", 1, None),
    "glance": ("liberty", 11, None),
    "heat": ("liberty", 5, None),
    "keystone": ("liberty", 8, None),
    "magnum": ("liberty", 1, None),
    "manila": ("liberty", 1, None),
    "neutron": ("liberty", 7, None),
    "nova": ("liberty", 12, None),
    "octavia": ("pike", 1, None),
    "placement": ("stein", 1, None),
}


@dataclass(frozen=True)
class Answers:
    """Every answer, validated and with defaults filled in."""

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
    maintainer: str
    summary: str
    description: str
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain YAML-able values in KEYS order (lists, not tuples)."""
        return {
            "charm_name": self.charm_name,
            "service_name": self.service_name,
            "service_type": self.service_type,
            "port": self.port,
            "release": self.release,
            "packages": list(self.packages),
            "api_service": self.api_service,
            "init_services": list(self.init_services),
            "config_files": list(self.config_files),
            "db_sync_commands": [list(cmd) for cmd in self.db_sync_commands],
            "release_package": self.release_package,
            "package_codenames": dict(self.package_codenames),
            "maintainer": self.maintainer,
            "summary": self.summary,
            "description": self.description,
        }

    @property
    def charm_ident(self) -> str:
        return v.charm_ident(self.charm_name)


# --------------------------------------------------------------------------------------------
# parsing single answers


def as_list(value: Any, key: str) -> list[Any]:
    """A YAML list, a YAML flow list written as text, or a space-separated string."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = yaml.safe_load(text)
            except yaml.YAMLError:
                raise v.fail(key, f"{text!r} is not a valid YAML list") from None
            if isinstance(loaded, list):
                return loaded
        return text.split()
    raise v.fail(key, f"{value!r} must be a list or a space-separated string")


def as_commands(value: Any, key: str = "db_sync_commands") -> list[list[str]]:
    """One command (text), or a list whose items are command lines (text) or argv lists.

    So ``[aodh-dbsync]`` is one command and ``[glance-manage db_sync, glance-manage db
    load_metadefs]`` two; an argv with an argument containing spaces must be a nested list.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = yaml.safe_load(text)
            except yaml.YAMLError:
                raise v.fail(key, f"{text!r} is not a valid YAML list") from None
        else:
            return [v.command(text, key)]
    if not isinstance(value, list | tuple) or not value:
        raise v.fail(key, "must be a command or a non-empty list of commands")
    return [v.command(item, key) for item in value]


def as_codenames(value: Any, key: str = "package_codenames") -> list[tuple[str, str]]:
    """A mapping, or text ``15:yoga 16:zed`` (``=`` also accepted); releases validated."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = yaml.safe_load(text)
            except yaml.YAMLError:
                raise v.fail(key, f"{text!r} is not a valid YAML mapping") from None
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
    table = [(v.version_prefix(k, key), v.release(c, key)) for k, c in value.items()]
    return sorted(table, key=lambda pair: tuple(int(p) for p in pair[0].split(".")))


# --------------------------------------------------------------------------------------------
# defaults


def release_project(package: str) -> str:
    """``glance-common`` -> ``glance``: the upstream project a release package belongs to."""
    name = re.sub(r"^python3?-", "", package)
    return re.sub(r"-(common|api|server|manage|core)$", "", name)


def default_codenames(release_package: str, release: str) -> tuple[list[tuple[str, str]], bool]:
    """The version table for ``release_package`` from ``release`` on; second item: known?

    Known projects get their real majors. For others we assume major 1 at the earliest
    release and one bump per release: wrong for most projects, but it makes the earliest
    release map, and the generated module says to check it.
    """
    releases = v.known_releases()
    start = releases.index(release)
    known = KNOWN_CODENAMES.get(release_project(release_package))
    if known:
        first, major, last = known
        first_i = releases.index(first)
        last_i = releases.index(last) if last else len(releases) - 1
        table = [
            (str(major + i - first_i), releases[i]) for i in range(max(start, first_i), last_i + 1)
        ]
        if table:
            return table, True
    return [(str(1 + i), name) for i, name in enumerate(releases[start:])], False


def default_maintainer() -> str:
    """Debian's DEBFULLNAME/DEBEMAIL when set (packagers have them), else a placeholder."""
    name = os.environ.get("DEBFULLNAME", "").strip()
    email = os.environ.get("DEBEMAIL", "").strip()
    if name and email:
        candidate = f"{name} <{email}>"
        try:
            return v.maintainer(candidate)
        except CharmsmithError:
            pass
    return PLACEHOLDER_MAINTAINER


def default_for(key: str, got: Mapping[str, Any]) -> Any:
    """The default of ``key`` given the answers resolved before it (see RESOLVE_ORDER)."""
    name = got["charm_name"]
    if key == "port":
        return KNOWN_PORTS.get(name, DEFAULT_PORT)
    if key == "service_name":
        return name
    if key == "service_type":
        return keystone_services.catalog_type(got["service_name"]) or got["service_name"]
    if key == "api_service":
        return f"{name}-api"
    if key == "release":
        return DEFAULT_RELEASE
    if key == "db_sync_commands":
        return [[f"{name}-manage", "db", "sync"]]
    if key == "packages":
        first = got["api_service"]
        packages = [first] if _is_package(first) else []
        return packages + [p for p in (f"{name}-common",) if p not in packages]
    if key == "config_files":
        return [f"/etc/{name}/{name}.conf"]
    if key == "init_services":
        return [got["api_service"]]
    if key == "release_package":
        common = f"{name}-common"
        return common if common in got["packages"] else got["packages"][0]
    if key == "package_codenames":
        return default_codenames(got["release_package"], got["release"])[0]
    if key == "maintainer":
        return default_maintainer()
    if key == "summary":
        return f"OpenStack {got['service_name']} ({got['service_type']}) API service"
    if key == "description":
        return (
            f"Deploys and operates the OpenStack {got['service_name']} API service "
            f"({got['service_type']}),\nregistered in keystone, backed by MySQL and RabbitMQ, "
            "with optional HA."
        )
    raise KeyError(key)


def _is_package(name: str) -> bool:
    try:
        v.package(name)
    except CharmsmithError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# resolving a whole set

#: Order in which answers are resolved: each default may use the answers before it. It is
#: also the interactive prompt order (charm name first when it was not given on the command
#: line).
RESOLVE_ORDER: tuple[str, ...] = (
    "charm_name",
    "port",
    "service_name",
    "api_service",
    "service_type",
    "release",
    "db_sync_commands",
    "packages",
    "config_files",
    "init_services",
    "release_package",
    "package_codenames",
    "maintainer",
    "summary",
    "description",
)


def parse_one(key: str, value: Any, got: Mapping[str, Any]) -> Any:
    """Validate and normalise one raw answer; ``got`` holds the answers resolved before it."""
    if key == "charm_name":
        return v.charm_name(value)
    if key == "port":
        return v.port(value)
    if key == "service_type" and value == keystone_services.catalog_type(got["service_name"]):
        return value  # keystone's own type for the name (contrail's are CamelCase)
    if key in ("service_name", "service_type"):
        return v.catalogue_name(value, key)
    if key == "api_service":
        return v.api_service(value, key)
    if key == "release":
        return v.release(value)
    if key == "db_sync_commands":
        return as_commands(value)
    if key == "packages":
        return _unique(key, [v.package(p, key) for p in _non_empty(key, as_list(value, key))])
    if key == "init_services":
        return _unique(key, [v.service(s, key) for s in _non_empty(key, as_list(value, key))])
    if key == "config_files":
        return v.config_paths(_unique(key, _non_empty(key, as_list(value, key))), key)
    if key == "release_package":
        return v.package(value, key)
    if key == "package_codenames":
        return as_codenames(value)
    if key == "maintainer":
        return v.maintainer(value)
    if key == "summary":
        return v.one_line(value, key)
    if key == "description":
        return v.paragraph(value, key)
    raise unknown_key(key)


def unknown_key(key: str) -> CharmsmithError:
    return CharmsmithError(f"{key}: unknown answer key (known keys: {', '.join(KEYS)})")


def resolve_upto(raw: Mapping[str, Any], last: str) -> dict[str, Any]:
    """Resolve the answers up to and including ``last`` (for validating as prompts go)."""
    got: dict[str, Any] = {}
    for key in RESOLVE_ORDER:
        value = raw.get(key)
        if key == "charm_name" and _blank(value):
            raise v.fail("charm_name", "is required")
        got[key] = parse_one(key, default_for(key, got) if _blank(value) else value, got)
        if key == last:
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
    if _blank(raw.get("charm_name")):
        raise v.fail("charm_name", "is required")
    got: dict[str, Any] = {}
    for key in RESOLVE_ORDER:
        value = raw.get(key)
        got[key] = parse_one(key, default_for(key, got) if _blank(value) else value, got)
    return finish(got, explicit_codenames=not _blank(raw.get("package_codenames")))


def finish(got: dict[str, Any], explicit_codenames: bool = True) -> Answers:
    """Cross-answer checks and warnings, then the frozen value."""
    warnings = list(v.port_warnings(got["port"], got["service_name"]))
    warnings += v.keystone_warnings("service_name", got)
    warnings += v.keystone_warnings("service_type", got)
    if got["release_package"] not in got["packages"]:
        warnings.append(
            f"release_package: {got['release_package']} is not in packages; it must be "
            "installed as a dependency for release detection to work"
        )
    codenames = got["package_codenames"]
    if got["release"] not in {codename for _, codename in codenames}:
        warnings.append(
            f"package_codenames: no version maps to the earliest release {got['release']}"
        )
    if not explicit_codenames:
        _, known = default_codenames(got["release_package"], got["release"])
        if not known:
            warnings.append(
                f"package_codenames: no built-in version table covers {got['release_package']} "
                f"from {got['release']}; "
                "assumed major 1 at the earliest release, check it against upstream"
            )
    return Answers(
        charm_name=got["charm_name"],
        service_name=got["service_name"],
        service_type=got["service_type"],
        port=got["port"],
        release=got["release"],
        packages=tuple(got["packages"]),
        api_service=got["api_service"],
        init_services=tuple(got["init_services"]),
        config_files=tuple(got["config_files"]),
        db_sync_commands=tuple(tuple(cmd) for cmd in got["db_sync_commands"]),
        release_package=got["release_package"],
        package_codenames=tuple(codenames),
        maintainer=got["maintainer"],
        summary=got["summary"],
        description=got["description"],
        warnings=tuple(warnings),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _non_empty(key: str, items: list[Any]) -> list[Any]:
    if not items:
        raise v.fail(key, "needs at least one entry")
    return items


def _unique(key: str, items: list[Any]) -> list[Any]:
    seen = set()
    for item in items:
        if item in seen:
            raise v.fail(key, f"{item!r} is listed twice")
        seen.add(item)
    return items


# --------------------------------------------------------------------------------------------
# --set and answers files


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
        if key == "description" and "\n" in value:
            lines.append(f"{key}: |-")
            lines.extend(f"  {line}" if line else "" for line in value.split("\n"))
        elif key == "db_sync_commands":
            lines.append(f"{key}:")
            lines.extend(f"- [{', '.join(yaml_scalar(arg) for arg in cmd)}]" for cmd in value)
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"- {yaml_scalar(item)}" for item in value)
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {yaml_scalar(k)}: {yaml_scalar(c)}" for k, c in value.items())
        else:
            lines.append(f"{key}: {yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"^[A-Za-z0-9_/.+-][A-Za-z0-9_/.+ @<>()-]*$")


def yaml_scalar(value: Any) -> str:
    """A YAML scalar: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)


def to_text(answers: Answers) -> dict[str, str]:
    """Answers as the text forms a prompt or cookiecutter accepts (parse back identically)."""
    return {key: _text_form(key, value) for key, value in answers.as_dict().items()}


def default_text(key: str, raw: Mapping[str, Any]) -> str:
    """The default of ``key`` as prompt text, given the raw answers before it in RESOLVE_ORDER.

    Prompts (ours, charm-tools', cookiecutter's) show this; a blank reply takes it.
    """
    got: dict[str, Any] = {}
    for name in RESOLVE_ORDER:
        value = raw.get(name)
        default = default_for(name, got) if name != "charm_name" else None
        if name == key:
            return _text_form(name, default)
        got[name] = parse_one(name, default if _blank(value) else value, got)
    raise unknown_key(key)


def _text_form(key: str, value: Any) -> str:
    if key == "db_sync_commands":
        cmds = [list(cmd) for cmd in value]
        return shlex.join(cmds[0]) if len(cmds) == 1 else json.dumps(cmds)
    if key == "package_codenames":
        return " ".join(f"{k}:{c}" for k, c in dict(value).items())
    if isinstance(value, list | tuple):
        return " ".join(value)
    return str(value)


def display_default(text: str, limit: int = 60) -> str:
    """A default as one short line for a prompt (the full value is still what a blank takes)."""
    line = " ".join(text.split("\n"))
    return line if len(line) <= limit else line[: limit - 3] + "..."
