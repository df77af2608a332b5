"""A charm's metadata.yaml, config.yaml and layer.yaml, read by Juju's rules with one-line errors.

`charmsmith build` reads a charm source and `charmsmith model deploy` / `upgrade-charm` read a
built charm. Sharing one reader means the model accepts what the build accepts, and a broken
file is reported as the file, the field and the rule instead of a YAML or OSError traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from charmsmith.create.validation import juju_charm_name
from charmsmith.errors import CharmsmithError

# Option types and default checks follow Juju's charm config reader (juju/charm, config.go:
# ReadConfig and Option.validate; Juju documentation "config.yaml"): a missing type means
# string, any other unknown type is refused, and a default must already have the option's type
# (an int default is accepted for a float option). Juju 3's "secret" type is not supported.
OPTION_TYPES = ("string", "int", "float", "boolean")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def load_yaml(path: Path) -> Any:
    """The YAML document in ``path``; unreadable, non-UTF-8 or malformed files raise one line."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise CharmsmithError(f"{path}: cannot read: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise CharmsmithError(f"{path}: not UTF-8 text (byte {err.start})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise CharmsmithError(f"{path}: invalid YAML{where}: {_one_line(problem)}") from None


def read_metadata(charm_dir: Path) -> dict[str, Any]:
    """metadata.yaml: a mapping whose ``name`` is a valid charm name (Juju refuses others)."""
    path = charm_dir / "metadata.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict) or not data:
        raise CharmsmithError(f"{path}: must be a mapping with at least `name`")
    if "name" not in data:
        raise CharmsmithError(f"{path}: name: is required")
    juju_charm_name(data["name"], f"{path}: name")
    return data


def _type_matches(kind: str, value: Any) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "int":
        return isinstance(value, int)
    if kind == "float":
        return isinstance(value, int | float)
    if kind == "string":
        return isinstance(value, str)
    return False


def read_options(charm_dir: Path) -> dict[str, dict[str, Any]]:
    """config.yaml's ``options`` ({} when there is no config.yaml), each checked as Juju does."""
    path = charm_dir / "config.yaml"
    if not path.exists():
        return {}
    data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CharmsmithError(f"{path}: must be a mapping with an `options` mapping")
    options = data.get("options")
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise CharmsmithError(f"{path}: options: must be a mapping of option names")
    for name, option in options.items():
        if not isinstance(option, dict):
            raise CharmsmithError(f"{path}: option {name!r}: must be a mapping (type, default)")
        kind = option.get("type", "string")
        if kind not in OPTION_TYPES:
            raise CharmsmithError(
                f"{path}: option {name!r}: unknown type {kind!r} (one of {', '.join(OPTION_TYPES)})"
            )
        default = option.get("default")
        if default is not None and not _type_matches(kind, default):
            raise CharmsmithError(
                f"{path}: option {name!r}: default {default!r} is not of type {kind}"
            )
    return options


def check_layer_yaml(src: Path) -> None:
    """layer.yaml parses and is a mapping: charm-tools would otherwise die with a traceback."""
    path = src / "layer.yaml"
    data = load_yaml(path)
    if data is not None and not isinstance(data, dict):
        raise CharmsmithError(f"{path}: must be a mapping (includes, options, ...)")


def built_charm(charm_dir: str | os.PathLike[str]) -> Path:
    """The resolved path of a built charm directory, or one line saying why it is not one."""
    path = Path(charm_dir).resolve()
    try:
        if not path.exists():
            raise CharmsmithError(f"charm directory {path} does not exist")
        if not path.is_dir():
            raise CharmsmithError(f"charm directory {path} is not a directory")
    except OSError as err:  # ENAMETOOLONG, EACCES on a parent ...
        raise CharmsmithError(f"charm directory {path}: {err.strerror}") from None
    if not (path / "metadata.yaml").is_file():
        raise CharmsmithError(f"{path} is not a charm (no metadata.yaml)")
    if not (path / "hooks").is_dir():
        raise CharmsmithError(f"{path} is not a built charm (no hooks/): run charmsmith build")
    return path
