"""The charm's own copy of what its toolchain needs and no package index carries.

A generated charm must build and test with the ordinary tools (tox, ``charm build``,
``charmcraft pack``) without charmsmith, and must never install our packages by name from an
index (whoever registered the name would run code in every user's build). So the charm
carries ``.charmsmith/``: our layers and interfaces, the runtime as an sdist, the build-and-zip
step and a ``MANIFEST`` of sha256 sums that lets ``charmsmith update`` tell untouched copies from
edited ones. Every byte is a function of the installed charmsmith only (sorted files, zero
mtimes), so re-creating a charm from its answers reproduces the tree; docs/create.md lists each.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import NamedTuple

from charmsmith.errors import CharmsmithError

VENDOR_DIR = ".charmsmith"
MANIFEST = "MANIFEST"
RUNTIME_SDIST = "runtime/reactive-openstack.tar.gz"
PACK_SCRIPT = "pack_charm.py"
RUNTIME_DISTRIBUTION = "reactive-openstack"
RUNTIME_PACKAGE = "reactive_openstack"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
_SKIP = {"__pycache__", ".pytest_cache", ".ruff_cache"}

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
description = "{summary}"
requires-python = "{requires_python}"
dependencies = [{dependencies}]
{entry_points}
[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
{package} = ["*.txt", "*.json", "templates/*", "templates/**/*"]
"""


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not _SKIP & set(p.relative_to(root).parts) and p.suffix != ".pyc"
    )


class InstalledRuntime(NamedTuple):
    """The installed runtime: where its package lives and its distribution's metadata."""

    package_dir: Path
    version: str
    summary: str
    requires_python: str
    requires: list[str]
    #: (group, name, value) of each entry point, e.g. the pytest plugin of its testing package
    entry_points: tuple[tuple[str, str, str], ...] = ()

    def core_metadata(self) -> str:
        """The PKG-INFO / METADATA text an sdist or a wheel of the runtime carries."""
        return (
            f"Metadata-Version: 2.1\nName: {RUNTIME_DISTRIBUTION}\nVersion: {self.version}\n"
            f"Summary: {self.summary}\nRequires-Python: {self.requires_python}\n"
            + "".join(f"Requires-Dist: {r}\n" for r in self.requires)
        )


def installed_runtime() -> InstalledRuntime:
    """The installed runtime's package directory and its distribution metadata."""
    spec = importlib.util.find_spec(RUNTIME_PACKAGE)
    if spec is None or not spec.origin:
        raise CharmsmithError(f"the runtime package `{RUNTIME_PACKAGE}` is not installed")
    try:
        meta = importlib.metadata.metadata(RUNTIME_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as err:
        raise CharmsmithError(f"distribution `{RUNTIME_DISTRIBUTION}` is not installed") from err
    return InstalledRuntime(
        package_dir=Path(spec.origin).parent,
        version=meta["Version"],
        summary=_field(meta, "Summary") or "reactive OpenStack charm runtime",
        requires_python=_field(meta, "Requires-Python") or ">=3.10",
        requires=[r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r],
        entry_points=tuple(
            sorted(
                (ep.group, ep.name, ep.value)
                for ep in importlib.metadata.distribution(RUNTIME_DISTRIBUTION).entry_points
            )
        ),
    )


def _field(meta: importlib.metadata.PackageMetadata, name: str) -> str:
    return meta[name] if name in meta else ""


def runtime_sdist() -> bytes:
    """A source distribution of the installed runtime, byte-identical for the same files.

    Made from the package directory and the installed distribution's metadata, so it works
    from a git checkout (editable) and from a wheel install of charmsmith alike.
    """
    runtime = installed_runtime()
    pyproject = _PYPROJECT.format(
        name=RUNTIME_DISTRIBUTION,
        version=_quote(runtime.version),
        summary=_quote(runtime.summary),
        requires_python=_quote(runtime.requires_python),
        dependencies=", ".join(f'"{_quote(r)}"' for r in runtime.requires),
        package=RUNTIME_PACKAGE,
        entry_points="".join(
            f'\n[project.entry-points."{_quote(group)}"]\n"{_quote(name)}" = "{_quote(value)}"\n'
            for group, name, value in runtime.entry_points
        ),
    )
    top = f"{RUNTIME_PACKAGE}-{runtime.version}"
    entries = [(f"{top}/PKG-INFO", runtime.core_metadata().encode(), 0o644)]
    entries.append((f"{top}/pyproject.toml", pyproject.encode(), 0o644))
    for path in _files(runtime.package_dir):
        rel = path.relative_to(runtime.package_dir).as_posix()
        entries.append((f"{top}/src/{RUNTIME_PACKAGE}/{rel}", path.read_bytes(), 0o644))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data, mode in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 0
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def vendored_files() -> dict[str, tuple[bytes, int]]:
    """Relative path under ``.charmsmith/`` -> (bytes, mode) of everything we vendor."""
    files: dict[str, tuple[bytes, int]] = {}
    for kind in ("layers", "interfaces"):
        root = PACKAGE_DIR / kind
        for path in _files(root):
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            files[f"{kind}/{path.relative_to(root).as_posix()}"] = (path.read_bytes(), mode)
    files[RUNTIME_SDIST] = (runtime_sdist(), 0o644)
    files[PACK_SCRIPT] = ((Path(__file__).parent / "toolchain" / PACK_SCRIPT).read_bytes(), 0o644)
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {rel}\n"
        for rel, (data, _mode) in sorted(files.items())
    )
    files[MANIFEST] = (manifest.encode(), 0o644)
    return files


def write(charm_dir: Path) -> int:
    """Write the vendored tree into ``charm_dir/.charmsmith``; returns the number of files."""
    files = vendored_files()
    for rel, (data, mode) in files.items():
        path = charm_dir / VENDOR_DIR / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    return len(files)


def recorded(charm_dir: Path) -> dict[str, str]:
    """The MANIFEST charmsmith last wrote into the charm: relative path -> sha256."""
    path = charm_dir / VENDOR_DIR / MANIFEST
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, rel = line.partition("  ")
        if rel:
            found[rel] = digest
    return found


def layer_dirs(charm_dir: Path) -> tuple[Path, Path] | None:
    """The charm's vendored (layers, interfaces) directories, or None when it has none."""
    base = charm_dir / VENDOR_DIR
    layers, interfaces = base / "layers", base / "interfaces"
    return (layers, interfaces) if layers.is_dir() and interfaces.is_dir() else None


def runtime_path(charm_dir: Path) -> Path | None:
    path = charm_dir / VENDOR_DIR / RUNTIME_SDIST
    return path if path.is_file() else None


def refresh(charm_dir: Path, dry_run: bool = False) -> dict[str, list[str]]:
    """Bring the vendored copies up to this charmsmith; what happened, by kind.

    A copy still as charmsmith wrote it (MANIFEST) is replaced; a missing one is written
    again (the charm cannot build without it); one the user edited is left alone and listed
    under ``conflicts``, never overwritten. Unlike template files there is no base to merge
    with: edits to vendored code belong upstream, as with ops charm libraries.
    """
    new = vendored_files()
    old = recorded(charm_dir)
    done: dict[str, list[str]] = {"updated": [], "added": [], "removed": [], "conflicts": []}
    for rel in sorted(set(new) | set(old)):
        if rel == MANIFEST:
            continue
        path = charm_dir / VENDOR_DIR / rel
        ours = path.read_bytes() if path.is_file() else None
        theirs = new[rel][0] if rel in new else None
        shown = f"{VENDOR_DIR}/{rel}"
        if ours == theirs:
            continue
        pristine = ours is not None and hashlib.sha256(ours).hexdigest() == old.get(rel)
        if ours is not None and not pristine:
            done["conflicts"].append(
                f"{shown} (vendored copy you edited; kept: delete it and run update again to"
                " take charmsmith's)"
            )
            continue
        kind = "added" if ours is None else "updated" if theirs is not None else "removed"
        done[kind].append(shown)
        if dry_run:
            continue
        if theirs is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(theirs)
            path.chmod(new[rel][1])
    if not dry_run and any(done[k] for k in ("updated", "added", "removed")):
        manifest = charm_dir / VENDOR_DIR / MANIFEST
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_bytes(new[MANIFEST][0])
    return done


def _sdist_members(sdist: Path) -> tuple[str, dict[str, bytes]]:
    """PKG-INFO text and package files (path inside the package -> bytes) of our sdist."""
    with tarfile.open(sdist, "r:gz") as archive:
        members = {m.name: archive.extractfile(m) for m in archive.getmembers() if m.isfile()}
        data = {name: handle.read() for name, handle in members.items() if handle}
    top = next(name.split("/")[0] for name in data)
    prefix = f"{top}/src/{RUNTIME_PACKAGE}/"
    files = {n[len(prefix) :]: b for n, b in sorted(data.items()) if n.startswith(prefix)}
    return data[f"{top}/PKG-INFO"].decode(), files


def runtime_for_build(charm_dir: Path, dest: Path, wheel: bool) -> Path | None:
    """The charm's vendored runtime for ``charm build``, or None when it has none.

    As an sdist it is copied under its conventional ``<name>-<version>.tar.gz`` name; for
    ``--binary-wheels`` builds it becomes a pure-Python wheel of the same files (PEP 427), so
    both build modes ship exactly the runtime the charm carries.
    """
    sdist = runtime_path(charm_dir)
    if sdist is None:
        return None
    pkg_info, files = _sdist_members(sdist)
    version = next(ln[8:].strip() for ln in pkg_info.splitlines() if ln.startswith("Version:"))
    if not wheel:
        target = dest / f"{RUNTIME_PACKAGE}-{version}.tar.gz"
        target.write_bytes(sdist.read_bytes())
        return target
    info = f"{RUNTIME_PACKAGE}-{version}.dist-info"
    entries = [(f"{RUNTIME_PACKAGE}/{rel}", data) for rel, data in files.items()]
    entries += [
        (f"{info}/METADATA", pkg_info.encode()),
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: charmsmith\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n",
        ),
        (f"{info}/top_level.txt", f"{RUNTIME_PACKAGE}\n".encode()),
    ]
    record = (
        "".join(f"{name},sha256={_b64_digest(data)},{len(data)}\n" for name, data in entries)
        + f"{info}/RECORD,,\n"
    )
    target = dest / f"{RUNTIME_PACKAGE}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", record)
    return target


def _b64_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_env(charm_dir: Path) -> dict[str, str]:
    """``CHARM_LAYERS_DIR``/``CHARM_INTERFACES_DIR`` for the charm's own copies, if it has them."""
    dirs = layer_dirs(charm_dir)
    if dirs is None:
        return {}
    return {"CHARM_LAYERS_DIR": str(dirs[0]), "CHARM_INTERFACES_DIR": str(dirs[1])}
