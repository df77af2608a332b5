"""Emulated package and service control inside a unit (the default, `emulated`, mode).

Why: a charm's install hook runs apt-get and starts services; on this machine that would touch
the host (and take minutes). The shims record every call in the unit's state and answer later
queries consistently:

* apt-get install marks packages (and modelled dependencies) installed with a version from a
  small fake archive (FAKE_ARCHIVE, extendable per model with `deploy --archive pkg=version`);
  `<name>-common` creates the service user/group `<name>` in the unit's /etc/passwd and
  /etc/group view, plus /etc/<name>, /var/lib/<name>, /var/log/<name>. Unknown packages named
  `<prefix>-api|server|...` depend on `<prefix>-common` (as the Debian packages do).
* Installing `<prefix>-common` or a `<prefix>-<daemon>` package also provides stand-in commands
  `<prefix>-manage`, `<prefix>-db-manage`, `<prefix>-dbsync` in the unit's /usr/local/bin
  (links to the hook-tool client): charms run these as their db sync; the call is recorded in
  the unit state (`commands`) and succeeds.
* dpkg-query answers for shim-installed packages; anything else is asked of the host's real,
  read-only dpkg database.
* apt-cache show/policy answers for every package (all are "available").
* service/systemctl: emulated services with stand-in listeners (services.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from charmsmith.model import units as unitfs
from charmsmith.model.services import service, start_service, stop_listener, systemctl
from charmsmith.model.tools import HookContext, Result, ToolError

__all__ = ["SHIMS", "start_service", "stop_listener"]  # service control lives in services.py

if TYPE_CHECKING:
    from charmsmith.model.sequencer import Model

# package -> (version, dependencies)
FAKE_ARCHIVE: dict[str, tuple[str, list[str]]] = {
    "glance-common": ("2:25.1.0-0ubuntu1~cloud0", ["python3-glance"]),
    "glance-api": ("2:25.1.0-0ubuntu1~cloud0", ["glance-common"]),
    "keystone": ("2:22.0.0-0ubuntu1~cloud0", ["keystone-common"]),
    "keystone-common": ("2:22.0.0-0ubuntu1~cloud0", []),
    "aodh-common": ("18.0.0-0ubuntu1~cloud0", []),
    "haproxy": ("2.4.24-0ubuntu0.22.04.1", []),
    "apache2": ("2.4.52-1ubuntu4.12", []),
    "memcached": ("1.6.14-1ubuntu0.1", []),
    "python3-memcache": ("1.59-6", []),
    "openstack-release": ("2023.1-0ubuntu1", []),
}
DEFAULT_VERSION = "1.0.0-0ubuntu1"
DAEMON_SUFFIXES = (
    "api",
    "server",
    "scheduler",
    "engine",
    "worker",
    "agent",
    "listener",
    "notifier",
    "evaluator",
    "expirer",
    "conductor",
    "manage",
    "wsgi",
)


def archive(model: Model) -> dict[str, tuple[str, list[str]]]:
    table = dict(FAKE_ARCHIVE)
    for pkg, version in model.state.get("archive", {}).items():
        table[pkg] = (version, table.get(pkg, ("", []))[1])
    return table


def dependencies(model: Model, pkg: str) -> list[str]:
    known = archive(model).get(pkg)
    if known is not None:
        return known[1]
    prefix, _, suffix = pkg.partition("-")
    if suffix in DAEMON_SUFFIXES or pkg == f"python3-{prefix}":
        return [f"{prefix}-common"]
    return []


def version_of(model: Model, pkg: str) -> str:
    known = archive(model).get(pkg)
    return known[0] if known else DEFAULT_VERSION


def _packages(args: list[str]) -> list[str]:
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-o", "--option", "-t", "--target-release", "-c", "--config-file"):
            skip = True
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def apt_get(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    unit = model.unit(ctx.unit)
    unit.setdefault("apt_log", []).append(["apt-get", *args])
    words = _packages(args)
    if not words:
        raise ToolError("E: No operation specified", 100)
    command, pkgs = words[0], words[1:]
    out = []
    installed = unit.setdefault("packages", {})
    if command == "install":
        todo = list(pkgs)
        while todo:
            pkg = todo.pop(0).split("=")[0]
            if pkg in installed:
                continue
            installed[pkg] = version_of(model, pkg)
            out.append(f"Setting up {pkg} ({installed[pkg]}) ...")
            _package_side_effects(model, ctx.unit, pkg)
            todo.extend(dependencies(model, pkg))
    elif command in ("purge", "remove", "autoremove"):
        for pkg in pkgs:
            if installed.pop(pkg, None):
                out.append(f"Removing {pkg} ...")
    elif command not in ("update", "upgrade", "dist-upgrade", "clean", "autoclean", "check"):
        raise ToolError(f"E: Invalid operation {command}", 100)
    return 0, ("\n".join(out) + "\n" if out else "").encode(), b""


STAND_IN_COMMANDS = ("{}-manage", "{}-db-manage", "{}-dbsync")


def _package_side_effects(model: Model, unit_name: str, pkg: str) -> None:
    """`<name>-common` brings the service user/group and its dirs, like the Debian package."""
    prefix, _, suffix = pkg.partition("-")
    if suffix == "common" or suffix in DAEMON_SUFFIXES:
        bin_dir = unitfs._in_upper(model.store.path, unit_name, "/usr/local/bin/x").parent
        bin_dir.mkdir(parents=True, exist_ok=True)
        for pattern in STAND_IN_COMMANDS:
            link = bin_dir / pattern.format(prefix)
            if not link.exists() and not link.is_symlink():
                link.symlink_to(f"{unitfs.TOOLS_BIN}/apt-get")
    if not pkg.endswith("-common") and pkg not in ("haproxy", "memcached", "keystone"):
        return
    user = pkg[: -len("-common")] if pkg.endswith("-common") else pkg
    add_system_user(model.store.path, unit_name, user)


def _view_file(model_dir: Path, unit: str, path: str) -> Path:
    """Copy-up a lower file into the unit's upper dir (as overlayfs would on first write)."""
    dest = unitfs._in_upper(model_dir, unit, path)
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = Path(path)
        dest.write_bytes(src.read_bytes() if src.exists() else b"")
        dest.chmod(0o644)
    return dest


def add_system_user(model_dir: Path, unit: str, user: str) -> None:
    passwd = _view_file(model_dir, unit, "/etc/passwd")
    group = _view_file(model_dir, unit, "/etc/group")
    lines = passwd.read_text().splitlines()
    if any(line.split(":")[0] == user for line in lines):
        return
    used = {int(f.split(":")[2]) for f in lines if f.count(":") >= 3}
    used |= {int(f.split(":")[2]) for f in group.read_text().splitlines() if f.count(":") >= 2}
    uid = next(n for n in range(120, 1000) if n not in used)
    passwd.write_text(
        "\n".join(lines + [f"{user}:x:{uid}:{uid}::/var/lib/{user}:/usr/sbin/nologin"]) + "\n"
    )
    with group.open("a") as fh:
        fh.write(f"{user}:x:{uid}:\n")
    for directory in (f"/etc/{user}", f"/var/lib/{user}", f"/var/log/{user}"):
        path = unitfs._in_upper(model_dir, unit, directory)
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, uid, uid)


def apt_cache(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    words = _packages(args)
    if not words:
        raise ToolError("E: No operation specified", 100)
    installed = model.unit(ctx.unit).get("packages", {})
    out = []
    if words[0] == "show":
        for pkg in words[1:]:
            deps = ", ".join(dependencies(model, pkg))
            out.append(
                f"Package: {pkg}\nVersion: {version_of(model, pkg)}\nArchitecture: amd64\n"
                + (f"Depends: {deps}\n" if deps else "")
                + "Description: fake archive\n\n"  # apt ends every record with a blank line
            )
    elif words[0] in ("policy", "madison"):
        for pkg in words[1:]:
            out.append(
                f"{pkg}:\n  Installed: {installed.get(pkg, '(none)')}\n"
                f"  Candidate: {version_of(model, pkg)}\n"
            )
    elif words[0] in ("search", "pkgnames", "depends", "rdepends"):
        pass
    else:
        raise ToolError(f"E: Invalid operation {words[0]}", 100)
    return 0, ("" if words[0] == "show" else "\n").join(out).encode(), b""


def dpkg_query(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    installed = model.unit(ctx.unit).get("packages", {})
    fmt = "${binary:Package}\t${Version}\n"
    mode = "show"
    pkgs = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-f", "--showformat"):
            i += 1
            fmt = args[i]
        elif arg.startswith("--showformat=") or arg.startswith("-f="):
            fmt = arg.split("=", 1)[1]
        elif arg.startswith("-f") and len(arg) > 2:
            fmt = arg[2:]
        elif arg in ("-W", "--show"):
            mode = "show"
        elif arg in ("-s", "--status"):
            mode = "status"
        elif arg in ("-l", "--list"):
            mode = "list"
        elif not arg.startswith("-"):
            pkgs.append(arg)
        i += 1
    if not any(p in installed for p in pkgs):
        # not ours: the host's dpkg database answers (read-only), like the base image would
        proc = subprocess.run(["dpkg-query", *args], capture_output=True)
        return proc.returncode, proc.stdout, proc.stderr
    out, err, rc = [], [], 0
    for pkg in pkgs:
        version = installed.get(pkg)
        if version is None:
            err.append(f"dpkg-query: no packages found matching {pkg}")
            rc = 1
            continue
        fields = {
            "Package": pkg,
            "binary:Package": pkg,
            "Version": version,
            "Status": "install ok installed",
            "db:Status-Abbrev": "ii ",
            "Architecture": "amd64",
            "db:Status-Status": "installed",
        }
        if mode == "status":
            out.append(f"Package: {pkg}\nStatus: install ok installed\nVersion: {version}\n")
        elif mode == "list":
            out.append(f"ii  {pkg}  {version}  amd64  fake archive\n")
        else:
            text = re.sub(r"\$\{([^}]+)\}", lambda m, f=fields: f.get(m.group(1), ""), fmt)
            out.append(text.encode().decode("unicode_escape"))
    return rc, "".join(out).encode(), ("\n".join(err) + "\n" if err else "").encode()


def add_apt_repository(model: Model, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    model.unit(ctx.unit).setdefault("apt_log", []).append(["add-apt-repository", *args])
    return 0, b"", b""


def stand_in_command(model: Model, ctx: HookContext, argv: list[str]) -> Result:
    """A package command the fake archive provided (e.g. `sample-manage db_sync`): record it."""
    model.unit(ctx.unit).setdefault("commands", []).append(argv)
    return 0, b"", b""


def is_stand_in(name: str) -> bool:
    return any(name.endswith(p.format("")) for p in STAND_IN_COMMANDS) and "-" in name


SHIMS = {
    "apt-get": apt_get,
    "apt-cache": apt_cache,
    "dpkg-query": dpkg_query,
    "add-apt-repository": add_apt_repository,
    "service": service,
    "systemctl": systemctl,
}
