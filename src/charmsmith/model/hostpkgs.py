"""Packages whose files a unit gets from the host's real Debian packages, once it installs them.

Why: charms run what these leave (virtualenv, apache2's a2* tools, mod_wsgi, haproxy, and the C
toolchain and Python headers layer-basic builds its sdists with), so an emulation would be found
out, and a fresh cloud image has none of them: a new unit gets a whiteout over every path a
listed package owns alone in dpkg's file lists (and its maintainer scripts' links), `apt-get
install` copies the host's files in and purge takes them out. What one pulls in is its Depends
in the host's dpkg status (model/hoststatus.py). Debian's layouts are followed: dpkg's file
lists, update-alternatives' links, the usr-merge. See docs/model.md, "The emulated shim".
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from charmsmith.model import hoststatus
from charmsmith.model import units as unitfs
from charmsmith.model.unitview import UnitView

# Ubuntu jammy package names that are the same Debian packages on the host.
HOST_PACKAGES = (
    "apache2",
    "apache2-bin",
    "apache2-data",
    "apache2-utils",
    "libapache2-mod-wsgi-py3",
    "haproxy",
    "virtualenv",
    "python3-virtualenv",
    # the toolchain (layer-basic's bootstrap installs build-essential and python3-dev)
    "build-essential",
    "gcc",
    "g++",
    "cpp",
    "make",
    "dpkg-dev",
    "binutils",
    "binutils-common",
    "binutils-x86-64-linux-gnu",
    "libc6-dev",
    "libc-dev-bin",
    "linux-libc-dev",
    "libcrypt-dev",
    "libnsl-dev",
    "libtirpc-dev",
    "rpcsvc-proto",
    "python3-dev",
    "libpython3-dev",
    "libexpat1-dev",
    "zlib1g-dev",
)
# toolchain packages whose names carry the host's versions: gcc-12, libstdc++-12-dev, ...
VERSIONED_PACKAGES = re.compile(
    r"(gcc|g\+\+|cpp)-\d+|lib(gcc|stdc\+\+)-\d+-dev|(lib)?python3\.\d+-dev"
)
DPKG_INFO = Path("/var/lib/dpkg/info")
LINK_DIRS = ("/etc/alternatives", "/usr/bin", "/usr/sbin")  # where unowned program links live


@dataclass(frozen=True)
class HostPackage:
    """Where one host package's files sit: whole trees at `paths`, less what others own."""

    name: str
    paths: tuple[str, ...]
    exclude: frozenset[str]


def _merged(path: str) -> str:
    """Debian 12 is usr-merged: /bin/x and /usr/bin/x are one file; use the /usr name."""
    top = "/" + path.split("/", 2)[1] if path.count("/") >= 1 else path
    if top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64") and os.path.islink(top):
        return "/usr" + path
    return path


def _overlaid(path: str) -> bool:
    dirs = [d for d in unitfs.OVERLAY_DIRS if d not in unitfs.PRIVATE_LOWER]
    return any(path == d or path.startswith(d + "/") for d in dirs)


def _owners() -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for listing in DPKG_INFO.glob("*.list"):
        pkg = listing.name[: -len(".list")].split(":")[0]
        for line in listing.read_text(errors="replace").splitlines():
            if line and line != "/.":
                owners.setdefault(_merged(line), set()).add(pkg)
    return owners


def _unowned_links(owners: dict[str, set[str]], roots: list[str]) -> list[tuple[str, str]]:
    """(link, path it points to) for links no package owns: alternatives and postinst links."""
    found = []
    for root in [*LINK_DIRS, *roots]:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                link = os.path.join(dirpath, name)
                if link in owners or not os.path.islink(link):
                    continue
                target = os.path.normpath(os.path.join(dirpath, os.readlink(link)))
                found.append((link, _merged(target)))
            if root in LINK_DIRS:
                break  # flat directories
    return found


def is_host_package(pkg: str) -> bool:
    """A package whose files a unit gets from the host's Debian package of that name."""
    return pkg in HOST_PACKAGES or VERSIONED_PACKAGES.fullmatch(pkg) is not None


def wanted() -> list[str]:
    """The host-backed packages this host has installed."""
    return sorted(hoststatus.records(is_host_package))


def depends(pkg: str) -> list[str]:
    """What installing a host-backed package brings of the others, as Debian declares it."""
    if not is_host_package(pkg):
        return []
    return hoststatus.depends(pkg, set(wanted()), is_host_package)


def host_version(pkg: str) -> str | None:
    """The host's version of a host-backed package (None when the host lacks it)."""
    record = hoststatus.records(is_host_package).get(pkg) if is_host_package(pkg) else None
    return record.version if record else None


@functools.lru_cache(maxsize=4)
def _table(_status_mtime: float) -> dict[str, HostPackage]:
    """Worked out from dpkg's file lists: about 1 s, so kept per process and on disk."""
    owners = _owners()
    mine: dict[str, set[str]] = {}
    for pkg in wanted():
        listing = DPKG_INFO / f"{pkg}.list"
        if not listing.exists():
            listing = DPKG_INFO / f"{pkg}:amd64.list"
        if listing.exists():
            mine[pkg] = set()
    for path, pkgs in owners.items():  # one pass: paths a listed package owns alone
        if len(pkgs) == 1 and (owner := next(iter(pkgs))) in mine and _overlaid(path):
            mine[owner].add(path)
    tops = {pkg: {p for p in mine[pkg] if os.path.dirname(p) not in mine[pkg]} for pkg in mine}
    owner_of = {p: pkg for pkg, paths in mine.items() for p in paths}
    excluded: dict[str, set[str]] = {pkg: set() for pkg in mine}
    dirs = [p for pkg in tops for p in tops[pkg] if os.path.isdir(p) and not os.path.islink(p)]
    for link, target in _unowned_links(owners, dirs):
        # a link points at its package's file, or at a link already attributed (alternatives)
        linked = owner_of.get(target)
        if linked is None or not _overlaid(link):
            continue
        owner_of[link] = linked
        holder = next((owner_of[d] for d in dirs if link.startswith(d + "/")), None)
        if holder is not None and holder != linked:
            excluded[holder].add(link)
        if holder != linked:
            tops[linked].add(link)
    return {
        pkg: HostPackage(pkg, tuple(sorted(tops[pkg])), frozenset(excluded[pkg])) for pkg in mine
    }


def table(model_dir: Path | None = None) -> dict[str, HostPackage]:
    """The host packages present on this machine and where their files are.

    Each model command is a new process, and a hook calls `dpkg-query` several times, so the
    table is also kept in the model's `run/hostpkgs.json`, valid while dpkg's status file has
    the same mtime (any dpkg run on the host changes it).
    """
    status = Path("/var/lib/dpkg/status")
    mtime = status.stat().st_mtime if status.exists() else 0.0
    cache = model_dir / "run" / CACHE_NAME if model_dir is not None else None
    if cache is not None and not _table.cache_info().currsize:
        kept = _read_cache(cache, mtime)
        if kept is not None:
            return kept
    found = _table(mtime)
    if cache is not None:
        _write_cache(cache, mtime, found)
    return found


CACHE_NAME = "hostpkgs.json"


def _read_cache(cache: Path, mtime: float) -> dict[str, HostPackage] | None:
    try:
        data = json.loads(cache.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("status_mtime") != mtime:
        return None
    if data.get("wanted") != wanted():  # a table from before a package joined the list
        return None
    try:
        return {
            name: HostPackage(name, tuple(entry["paths"]), frozenset(entry["exclude"]))
            for name, entry in data["packages"].items()
        }
    except (KeyError, TypeError, AttributeError):
        return None


def _write_cache(cache: Path, mtime: float, found: dict[str, HostPackage]) -> None:
    packages = {
        p.name: {"paths": list(p.paths), "exclude": sorted(p.exclude)} for p in found.values()
    }
    text = json.dumps({"status_mtime": mtime, "wanted": wanted(), "packages": packages})
    try:
        if cache.exists() and cache.read_text() == text:
            return
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, cache)
    except OSError:
        pass  # a cache only: the next process works the table out again


def hide_all(model_dir: Path, unit: str) -> None:
    """A new unit: none of these packages is installed, so none of their paths is there.

    Its upper dirs are fresh, so each whiteout is made directly, skipping paths below one
    already hidden, without UnitView.remove's checks of every parent on disk: with the
    toolchain there are ~1,500 paths, and those checks took 1.1 s a unit against 0.7 s.
    """
    paths = {p for package in table(model_dir).values() for p in package.paths}
    made: set[Path] = set()
    for path in sorted(paths):
        parts = path.split("/")
        if any("/".join(parts[:n]) in paths for n in range(2, len(parts))):
            continue  # an ancestor is whited out already
        dest = unitfs._in_upper(model_dir, unit, path)
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        try:
            os.mknod(dest, stat.S_IFCHR, os.makedev(0, 0))  # overlayfs' whiteout
        except FileExistsError:
            unitfs._whiteout(dest)


def unpack(view: UnitView, pkg: str, installed: Collection[str]) -> None:
    """`apt-get install`: the package's files (and its maintainer scripts' links) appear."""
    known = table(view.model_dir)
    package = known.get(pkg)
    if package is None:
        return
    for path in package.paths:
        view.copy_from_host(path)
    for path in package.exclude:
        if not any(path in known[q].paths for q in installed if q in known):
            view.remove(path)  # another package's (a module's enabling link), not installed


def remove(view: UnitView, pkg: str) -> None:
    """`apt-get purge`: the package's files go."""
    package = table(view.model_dir).get(pkg)
    for path in package.paths if package else ():
        view.remove(path)
