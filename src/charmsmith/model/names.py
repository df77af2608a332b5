"""Names and paths the model accepts: application names, hook names, the model directory.

Why checked up front: a name ends up in unit directories, hook paths and the state file; one
that breaks any of them (too long for the filesystem, a path instead of a hook) must be refused
in one line before anything is recorded, not half way through an operation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from charmsmith.errors import CharmsmithError

# Juju's application name rule, as in github.com/juju/names application.go (ApplicationSnippet):
# lowercase words of letters and digits joined by single hyphens, the first starting with a
# letter and no word made of digits only (so "app-2" is refused: it would read as a unit).
APP_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*")
# Juju's own cap since juju/juju PR 20223 (issue 20002): 63 characters, the Kubernetes label
# limit every Juju application name must fit; far below any filesystem name limit here.
APP_NAME_MAX = 63

# Hooks any charm can receive (Juju hook reference: "Hook kinds").
CHARM_HOOKS = (
    "install",
    "config-changed",
    "start",
    "stop",
    "upgrade-charm",
    "update-status",
    "leader-elected",
    "leader-settings-changed",
    "remove",
    "pre-series-upgrade",
    "post-series-upgrade",
)
RELATION_HOOKS = ("joined", "changed", "departed", "broken", "created")
STORAGE_HOOKS = ("attached", "detaching")

# Host directories a model directory must not live in: units overlay them (units.OVERLAY_DIRS,
# /tmp aside: its lower layer is private), and the rest belong to
# the operating system. A model there would write over, or be hidden by, what units see.
SYSTEM_DIRS = (
    "/etc",
    "/var/lib",
    "/var/log",
    "/usr",
    "/opt",
    "/srv",
    "/root",
    "/run",
    "/boot",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/proc",
    "/sys",
    "/dev",
)
# Directories that may hold a model but must not be one: destroy removes the model directory.
NOT_A_MODEL = ("/", "/tmp", "/var", "/var/tmp", "/home", "/mnt", "/media")


def check_app_name(name: str) -> str:
    """Return `name` if Juju would accept it as an application name; else a one-line error."""
    if len(name) > APP_NAME_MAX:
        raise CharmsmithError(
            f'application name "{name[:20]}…" is {len(name)} characters long: '
            f"the limit is {APP_NAME_MAX}"
        )
    if not APP_NAME.fullmatch(name):
        raise CharmsmithError(
            f'invalid application name "{name}": Juju names are lowercase letters and digits '
            "in words joined by single hyphens, starting with a letter, and every word after a "
            "hyphen has a letter (app-2 would read as a unit)"
        )
    return name


def check_model_dir(path: Path) -> Path:
    """Refuse a model directory inside a system location, or one that is such a location."""
    resolved = Path(path).resolve()
    if str(resolved) in NOT_A_MODEL or resolved == Path.home().resolve():
        raise CharmsmithError(
            f"model directory {path}: {resolved} cannot be a model directory (destroy removes "
            "it); choose a new directory, e.g. under /work or /tmp"
        )
    for system in SYSTEM_DIRS:
        if resolved == Path(system) or Path(system) in resolved.parents:
            raise CharmsmithError(
                f"model directory {path}: it is inside {system}, a system location units "
                "overlay or the host needs; choose one elsewhere (e.g. under /work or /tmp)"
            )
    return resolved


def charm_hooks(metadata: dict[str, Any]) -> set[str]:
    """Every hook name a charm with this metadata can receive."""
    hooks = set(CHARM_HOOKS)
    for role in ("provides", "requires", "peers"):
        for endpoint in metadata.get(role) or {}:
            hooks.update(f"{endpoint}-relation-{kind}" for kind in RELATION_HOOKS)
    for store in metadata.get("storage") or {}:
        hooks.update(f"{store}-storage-{kind}" for kind in STORAGE_HOOKS)
    return hooks


def check_hook_name(metadata: dict[str, Any], unit: str, hook: str) -> str:
    """A hook name `unit`'s charm can receive: no paths, nothing outside its metadata."""
    if "/" in hook or hook in ("", ".", ".."):
        raise CharmsmithError(f'hook "{hook}": give a hook name, not a path (e.g. config-changed)')
    if hook not in charm_hooks(metadata):
        raise CharmsmithError(
            f'hook "{hook}": {unit}\'s charm has no such hook (a standard hook such as '
            "config-changed, or <endpoint>-relation-<joined|changed|departed|broken|created> "
            "for an endpoint in its metadata)"
        )
    return hook
