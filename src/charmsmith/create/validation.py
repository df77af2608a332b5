"""The one set of answer rules shared by every front door of the generator.

`charmsmith create`, `charm create -t openstack-api` and plain `cookiecutter` all call these
functions, so an answer that one front door accepts can never break another. Each check either
returns the normalised value or raises :class:`~charmsmith.errors.CharmsmithError` whose message is
one line naming the field and the rule broken (the CLI prints it as is; prompts re-ask with it).
Soft problems (a privileged port, a port another OpenStack service already owns) are returned as
warnings rather than errors, because they are legal and sometimes intended.
"""

from __future__ import annotations

import keyword
import posixpath
import re
import shlex
from collections.abc import Mapping
from typing import Any, NamedTuple

from charmsmith import keystone_services
from charmsmith.errors import CharmsmithError
from charmsmith.openstack_services import PORT_OWNERS

# Juju application/charm names: lowercase letters, digits and single hyphens, starting with a
# letter; a segment between hyphens may not be all digits (Juju reads "-<digits>" as a unit
# number suffix).
_CHARM_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Juju's charm name rule sets no length limit; we allow 50 characters. A DNS label (RFC 1035
# section 2.3.4) holds 63, and unit host names add "-<number>" and prefixes to the application
# name, so 50 keeps every derived name valid; a name this long is a mistake, not a choice.
MAX_CHARM_NAME = 50
_VERSION_PREFIX = re.compile(r"^[0-9]+(\.[0-9]+)*$")


class _Shape(NamedTuple):
    """A pattern a text answer must match, and the rule its error states after the answer."""

    pattern: re.Pattern[str]
    rule: str


# Debian policy 5.6.1: at least two characters, lowercase alphanumerics and + - . only,
# starting with an alphanumeric.
_DEBIAN_PACKAGE = _Shape(
    re.compile(r"^[a-z0-9][a-z0-9+.-]+$"),
    "is not a Debian package name (lowercase letters, digits, + - .; at least two "
    "characters, starting with a letter or digit)",
)
# systemd unit / init script names as the charm passes them to service start/stop/restart.
_SERVICE = _Shape(
    re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,254}$"),
    "is not a service name (letters, digits, _ . @ : -; starts with a letter or digit)",
)
# The API service is also a template key (``service_listen_info.<name with _>``).
_TEMPLATE_KEY = _Shape(
    re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$"),
    "must be letters, digits, _ and - starting with a letter (templates use it as a key)",
)
# keystone catalogue names and service types: lowercase words joined by - or _.
_CATALOGUE = _Shape(
    re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"),
    "must be lowercase letters and digits joined by single - or _, starting with a letter",
)
_MAINTAINER = _Shape(
    re.compile(r"^[^<>\n]+ <[^<>@\s]+@[^<>@\s]+>$"), "must look like 'Full Name <user@example.com>'"
)
# Characters a shell would interpret; db-sync commands run as argv lists, never through a shell,
# so any of these means the author expected shell behaviour they will not get.
SHELL_METACHARACTERS = frozenset(";|&<>`$()*?\\\n")

#: The distribution series generated charms declare; origins are computed against these.
SUPPORTED_SERIES: tuple[str, ...] = ("jammy", "noble")


def fail(field: str, rule: str) -> CharmsmithError:
    """Build the single-line error every rule raises: ``<field>: <rule>``."""
    return CharmsmithError(f"{field}: {rule}")


def known_releases() -> tuple[str, ...]:
    """OpenStack codenames, oldest first, straight from the runtime the charm will ship with.

    Importing the runtime's table (instead of keeping a copy here) means a charm can never be
    generated for a release its own runtime would reject as unknown.
    """
    from reactive_openstack.releases import CODENAMES

    return CODENAMES


def juju_charm_name(value: object, field: str = "charm_name") -> str:
    """A name Juju accepts for a charm, and short enough to name files and hosts after."""
    name = _text(value, field)
    if len(name) > MAX_CHARM_NAME:
        raise fail(
            field,
            f"{name[:20]}... is {len(name)} characters long; a charm name has at most "
            f"{MAX_CHARM_NAME} (it becomes a directory, a unit and a host name)",
        )
    if not _CHARM_NAME.match(name):
        raise fail(
            field,
            f"{name!r} is not a valid Juju charm name (lowercase letters, digits and single "
            "hyphens; starts with a letter; no trailing hyphen)",
        )
    for segment in name.split("-"):
        if segment.isdigit():
            raise fail(field, f"{name!r} has the all-digit segment {segment!r}, Juju forbids it")
    return name


def charm_name(value: object, field: str = "charm_name") -> str:
    """A Juju charm name that also makes a usable Python module name for the generated code."""
    name = juju_charm_name(value, field)
    ident = charm_ident(name)
    if keyword.iskeyword(ident) or ident in {"charm", "reactive", "test", "tests"}:
        raise fail(field, f"{name!r} would make the Python module name {ident!r}, which clashes")
    return name


def charm_ident(name: str) -> str:
    """Python identifier for module and file names: hyphens become underscores."""
    return name.replace("-", "_")


#: Words a yes/no answer may be typed as (YAML 1.1's booleans, as cookiecutter's prompts read).
_YES = ("yes", "y", "true", "on")
_NO = ("no", "n", "false", "off")


def yes_no(value: object, field: str) -> bool:
    """A YAML boolean, or one of yes/y/true/on and no/n/false/off (any case)."""
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in _YES or word in _NO:
        return word in _YES
    raise fail(field, f"{value!r} must be yes or no")


def port(value: object, field: str = "port") -> int:
    if isinstance(value, bool):
        raise fail(field, "must be a whole number 21-65535")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise fail(field, f"{value!r} is not a whole number (must be 21-65535)")
    if not 21 <= value <= 65535:
        raise fail(
            field,
            f"{value} is outside 21-65535 (haproxy takes the port, the service port-10 and, "
            "behind TLS, port-20)",
        )
    return value


def port_warnings(value: int, service_name: str, field: str = "port") -> list[str]:
    """Legal-but-suspicious port choices, one line each."""
    warnings = []
    if value < 1024:
        warnings.append(f"{field}: {value} is privileged (below 1024); the service needs root")
    owner = PORT_OWNERS.get(value)
    if owner and owner != service_name:
        warnings.append(f"{field}: {value} is the well-known port of OpenStack {owner}")
    for shifted in (value - 10, value - 20):
        other = PORT_OWNERS.get(shifted)
        if other and other != service_name:
            warnings.append(
                f"{field}: the service itself listens on {shifted}, the well-known port of "
                f"OpenStack {other}"
            )
    return warnings


def keystone_warnings(key: str, got: Mapping[str, Any]) -> list[str]:
    """What keystone will do with the ``service_name``/``service_type`` answers, if not the
    intended thing: refuse an unlisted name, or register a listed one under its own type."""
    if key == "service_name":
        warning = keystone_services.unknown_service_warning(got["service_name"], key)
    elif key == "service_type":
        warning = keystone_services.type_mismatch_warning(
            got["service_name"], got["service_type"], key
        )
    else:
        return []
    return [warning] if warning else []


def answer_warnings(key: str, got: Mapping[str, Any]) -> list[str]:
    """Warnings to show right after ``key`` is answered, while it can still be changed."""
    if key == "port":
        return port_warnings(got["port"], got["charm_name"])
    return keystone_warnings(key, got)


def release(value: object, field: str = "release") -> str:
    name = _text(value, field).lower()
    releases = known_releases()
    if name not in releases:
        raise fail(
            field,
            f"{name!r} is not a known OpenStack release ({releases[0]}..{releases[-1]})",
        )
    return name


def package(value: object, field: str = "packages") -> str:
    return _matching(value, field, _DEBIAN_PACKAGE)


def service(value: object, field: str) -> str:
    return _matching(value, field, _SERVICE)


def api_service(value: object, field: str = "api_service") -> str:
    """The API daemon: a service name that templates also use as a key."""
    return _matching(service(value, field), field, _TEMPLATE_KEY)


def catalogue_name(value: object, field: str) -> str:
    """Keystone catalogue name or service type (`congress`, `key-manager`)."""
    return _matching(value, field, _CATALOGUE)


def config_path(value: object, field: str = "config_files") -> str:
    path = _text(value, field)
    if not path.startswith("/"):
        raise fail(field, f"{path!r} must be an absolute path")
    if posixpath.normpath(path) != path or path.startswith("//"):
        raise fail(field, f"{path!r} must be normalised (no ., .., // or trailing /)")
    if path == "/" or any(ch.isspace() for ch in path) or "{" in path or "%" in path:
        raise fail(field, f"{path!r} must name a file, without spaces, braces or %")
    return path


def config_paths(paths: list[str], field: str = "config_files") -> list[str]:
    """Each path valid, and basenames unique: they become templates/<release>/<basename>."""
    seen: dict[str, str] = {}
    for path in paths:
        config_path(path, field)
        base = posixpath.basename(path)
        if base in seen and seen[base] != path:
            raise fail(field, f"{seen[base]!r} and {path!r} share the basename {base!r}")
        seen[base] = path
    return paths


def command(value: object, field: str = "db_sync_commands") -> list[str]:
    """One db-sync command as an argv list; strings are split with shlex.

    The charm runs the argv directly (no shell), so shell syntax in the answer is an error now
    rather than a surprise on a unit.
    """
    if isinstance(value, str):
        text = value.strip()
        bad = sorted({ch for ch in text if ch in SHELL_METACHARACTERS})
        if bad:
            raise fail(
                field,
                f"{text!r} contains shell metacharacters {''.join(bad)!r}; give an argv list, "
                "the charm runs it without a shell",
            )
        try:
            argv = shlex.split(text)
        except ValueError as err:
            raise fail(field, f"{text!r} does not parse as a command ({err})") from None
    elif isinstance(value, list | tuple):
        argv = [_text(arg, field) if isinstance(arg, str) else str(arg) for arg in value]
    else:
        raise fail(field, f"{value!r} must be a command string or a list of arguments")
    if not argv:
        raise fail(field, "a db-sync command may not be empty")
    for arg in argv:
        bad = sorted({ch for ch in arg if ch in SHELL_METACHARACTERS})
        if bad or not arg:
            raise fail(
                field,
                f"argument {arg!r} contains shell metacharacters {''.join(bad)!r} or is empty",
            )
    if not re.match(r"^[A-Za-z0-9_./+-]+$", argv[0]):
        raise fail(field, f"{argv[0]!r} is not a program name or path")
    return argv


def version_prefix(value: object, field: str = "package_codenames") -> str:
    text = str(value).strip()
    if not _VERSION_PREFIX.match(text):
        raise fail(field, f"{text!r} is not a version prefix such as 15 or 2.1")
    return text


def maintainer(value: object, field: str = "maintainer") -> str:
    return _matching(value, field, _MAINTAINER)


def one_line(value: object, field: str) -> str:
    text = _text(value, field)
    if "\n" in text:
        raise fail(field, "must be a single line")
    if len(text) > 200:
        raise fail(field, "must be at most 200 characters")
    return text


def paragraph(value: object, field: str) -> str:
    text = _text(value, field).strip("\n")
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines)


def _text(value: object, field: str) -> str:
    if value is None:
        raise fail(field, "is required")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise fail(field, f"{value!r} must be text")
    text = str(value).strip()
    if not text:
        raise fail(field, "may not be empty")
    if "{{" in text or "{%" in text or "{#" in text:
        raise fail(field, "may not contain Jinja markup ({{, {% or {#)")
    if any(ord(ch) < 32 and ch != "\n" for ch in text):
        raise fail(field, "may not contain control characters")
    return text


def _matching(value: object, field: str, shape: _Shape) -> str:
    """The text of ``value`` when ``shape`` matches it, else the field error naming it."""
    text = _text(value, field)
    if not shape.pattern.match(text):
        raise fail(field, f"{text!r} {shape.rule}")
    return text
