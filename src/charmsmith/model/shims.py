"""Emulated package control inside a unit (the default, `emulated`, mode).

Why: a charm's install hook runs apt-get and starts services; on this machine that would touch
the host (and take minutes). The shims (apt-get, apt-cache, dpkg-query, service, systemctl)
record every call in the unit's state and answer later queries consistently, as apt does on
an Ubuntu jammy unit; versions come from model/archive.py, package side effects from
model/maintscripts.py, services from model/services.py.

Details: docs/model.md, 'The emulated shim'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from charmsmith.model import archive, dpkgstatus, hostpkgs, maintscripts
from charmsmith.model.dpkgquery import dpkg_query
from charmsmith.model.services import service, start_service, stop_listener, systemctl
from charmsmith.model.state import Unit
from charmsmith.model.tool_base import HookContext, Result, ToolError
from charmsmith.model.unitview import UnitView

__all__ = ["SHIMS", "start_service", "stop_listener"]  # service control lives in services.py

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView


def _view(model: ModelView, ctx: HookContext) -> UnitView:
    return UnitView.of_caller(model.store.path, ctx.unit)


def _closure(pkgs: list[str], installed: dict[str, str]) -> list[str]:
    """The packages to configure, each after its dependencies (apt's configure order)."""
    order: list[str] = []

    def visit(pkg: str) -> None:
        if pkg in installed or pkg in order:
            return
        order.append(pkg)  # placeholder against cycles, moved after its dependencies below
        for dep in archive.dependencies(pkg):
            visit(dep)
        order.remove(pkg)
        order.append(pkg)

    for pkg in pkgs:
        visit(pkg.split("=")[0])
    return order


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


def apt_get(model: ModelView, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    unit = model.unit(ctx.unit)
    _log_apt(unit, ["apt-get", *args])
    words = _packages(args)
    if not words:
        raise ToolError("E: No operation specified", 100)
    command, pkgs = words[0], words[1:]
    out = []
    installed = unit.packages
    if command == "install":
        view = _view(model, ctx)
        release = archive.unit_release(view)
        # apt-get install upgrades a named package already installed when its sources carry
        # another version (a cloud-archive pocket added), with the dependencies its versioned
        # Depends pull along; missing packages are installed first
        newer = [
            p
            for p in _closure(pkgs, {})
            if p in installed and installed[p] != archive.version_of(model, p, release)
        ]
        for pkg in _closure(pkgs, installed) + newer:
            installed[pkg] = archive.version_of(model, pkg, release)
            out.append(f"Setting up {pkg} ({installed[pkg]}) ...")
            maintscripts.configure(view, pkg, release, installed)
            dpkgstatus.record(view, pkg, installed[pkg])
    elif command in ("purge", "remove", "autoremove"):
        view = _view(model, ctx)
        for pkg in pkgs:
            if installed.pop(pkg, None):
                out.append(f"Removing {pkg} ...")
                hostpkgs.remove(view, pkg)
                dpkgstatus.forget(view, pkg)
    elif command not in ("update", "upgrade", "dist-upgrade", "clean", "autoclean", "check"):
        raise ToolError(f"E: Invalid operation {command}", 100)
    return 0, ("\n".join(out) + "\n" if out else "").encode(), b""


def apt_cache(model: ModelView, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    words = _packages(args)
    if not words:
        raise ToolError("E: No operation specified", 100)
    installed = model.unit(ctx.unit).packages
    release = archive.unit_release(_view(model, ctx))
    out = []
    if words[0] == "show":
        for pkg in words[1:]:
            deps = ", ".join(archive.dependencies(pkg))
            out.append(
                f"Package: {pkg}\nVersion: {archive.version_of(model, pkg, release)}\n"
                "Architecture: amd64\n"
                + (f"Depends: {deps}\n" if deps else "")
                + "Description: fake archive\n\n"  # apt ends every record with a blank line
            )
    elif words[0] in ("policy", "madison"):
        for pkg in words[1:]:
            out.append(
                f"{pkg}:\n  Installed: {installed.get(pkg, '(none)')}\n"
                f"  Candidate: {archive.version_of(model, pkg, release)}\n"
            )
    elif words[0] in ("search", "pkgnames", "depends", "rdepends"):
        pass
    else:
        raise ToolError(f"E: Invalid operation {words[0]}", 100)
    return 0, ("" if words[0] == "show" else "\n").join(out).encode(), b""


def add_apt_repository(model: ModelView, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    """Adds the source as software-properties does: `cloud-archive:X` -> cloudarchive-X.list."""
    _log_apt(model.unit(ctx.unit), ["add-apt-repository", *args])
    words = [a for a in args if not a.startswith("-")]
    if len(words) != 1:
        raise ToolError("usage: add-apt-repository [options] repository", 2)
    source = words[0]
    if source.startswith("cloud-archive:"):
        pocket = source.split(":", 1)[1]
        name = f"cloudarchive-{pocket}.list"
        line = f"deb {archive.UCA} {archive.SERIES}-updates/{pocket} main"
    else:
        name, line = "archive_uri-added.list", source
    _view(model, ctx).write_text(f"{archive.SOURCES_DIR}/{name}", line + "\n")
    return 0, b"", b""


def stand_in_command(model: ModelView, ctx: HookContext, argv: list[str]) -> Result:
    """A package command the fake archive provided (e.g. `sample-manage db_sync`): record it."""
    unit = model.unit(ctx.unit)
    unit.commands.append(argv)
    return 0, b"", b""


def _log_apt(unit: Unit, call: list[str]) -> None:
    unit.apt_log.append(call)


def is_stand_in(name: str) -> bool:
    return any(name.endswith(p.format("")) for p in maintscripts.STAND_IN_COMMANDS) and "-" in name


SHIMS = {
    "apt-get": apt_get,
    "apt-cache": apt_cache,
    "dpkg-query": dpkg_query,
    "add-apt-repository": add_apt_repository,
    "service": service,
    "systemctl": systemctl,
}
