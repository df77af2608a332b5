"""Where the emulated package shims write a unit's files: through the calling process's view.

Why: changing a mounted overlay's upper dir from outside is undefined for overlayfs (a path the
hook already looked up keeps the lower file: a user apt created stayed invisible to the hook
that ran apt). A shim serving a process inside the unit writes through /proc/<pid>/root, as
dpkg on the machine would; without such a caller it writes the unit's upper dirs. Absolute
symlinks are resolved by this module, so callers create links with os.symlink and never follow
links they did not make.

Details: docs/model.md, 'The emulated shim'.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from charmsmith.model import hooktools
from charmsmith.model import units as unitfs


@dataclass(frozen=True)
class UnitView:
    """One unit's filesystem as the shims see it: either live (`root`) or its upper dirs."""

    model_dir: Path
    unit: str
    root: Path | None = None  # /proc/<pid>/root of a caller inside the unit's mount namespace

    @classmethod
    def of_caller(cls, model_dir: Path, unit: str) -> UnitView:
        """The view of the tool process served, when it runs in a mount namespace of its own."""
        pid = hooktools.caller_pid()
        if pid is not None and _other_mount_namespace(pid):
            return cls(model_dir, unit, Path(f"/proc/{pid}/root"))
        return cls(model_dir, unit)

    @property
    def live(self) -> bool:
        return self.root is not None

    def path(self, path: str) -> Path:
        """Where to write `path` (absolute, inside the unit); upper-dir parents are created."""
        if self.root is not None:
            return self.root / path.lstrip("/")
        dest = unitfs._in_upper(self.model_dir, self.unit, path)
        _make_parents(dest)
        return dest

    def read_text(self, path: str) -> str:
        """The file as the unit sees it ("" when absent)."""
        if self.root is not None:
            found: Path | None = self.root / path.lstrip("/")
        elif _is_whiteout(unitfs._in_upper(self.model_dir, self.unit, path)):
            return ""
        else:
            found = unitfs.host_view(self.model_dir, self.unit, path)
        try:
            return found.read_text() if found is not None else ""
        except (FileNotFoundError, IsADirectoryError):
            return ""

    def list_dir(self, path: str) -> list[str]:
        """A directory's names as the unit sees them (upper over host entries, less whiteouts)."""
        if self.root is not None:
            found = self.root / path.lstrip("/")
            return sorted(os.listdir(found)) if found.is_dir() else []
        upper = unitfs._in_upper(self.model_dir, self.unit, path)
        names = set(os.listdir(path)) if os.path.isdir(path) else set()
        if upper.is_dir():
            for entry in upper.iterdir():
                names.discard(entry.name) if _is_whiteout(entry) else names.add(entry.name)
        return sorted(names)

    def writable(self, path: str) -> Path:
        """`path` ready to be rewritten in place: copied up first (as overlayfs does on write)."""
        dest = self.path(path)
        if self.root is None and not dest.exists():
            _clear_whiteout(dest)
            lower = Path(path)
            dest.write_bytes(lower.read_bytes() if lower.is_file() else b"")
            dest.chmod(0o644)
        return dest

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        dest = self.path(path)
        _clear_whiteout(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
        dest.chmod(mode)

    def makedirs(self, path: str, owner: int | None = None) -> Path:
        dest = self.path(path)
        _clear_whiteout(dest)
        dest.mkdir(parents=True, exist_ok=True)
        if owner is not None:
            os.chown(dest, owner, owner)
        return dest

    def copy_from_host(self, path: str) -> None:
        """Put the host's file, link or directory tree at `path` into the unit (dpkg's unpack)."""
        dest = self.path(path)
        _clear_whiteout(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        _copy_entry(Path(path), dest)

    def remove(self, path: str) -> None:
        """Take `path` out of the unit: through the overlay (which whites it out), or a whiteout."""
        dest = self.path(path)
        if self.root is not None:
            if dest.is_symlink() or dest.exists():
                _remove(dest)
        elif not any(_is_whiteout(parent) for parent in dest.parents):
            unitfs._whiteout(dest)


def _is_whiteout(dest: Path) -> bool:
    try:
        info = dest.lstat()
    except FileNotFoundError:
        return False
    return stat.S_ISCHR(info.st_mode) and info.st_rdev == 0


def _clear_whiteout(dest: Path) -> None:
    if _is_whiteout(dest):
        dest.unlink()


def _copy_entry(source: Path, dest: Path) -> None:
    """Copy a file, link or tree over whatever `dest` holds (an old copy, a whiteout)."""
    if source.is_dir() and not source.is_symlink():
        if dest.is_symlink() or (dest.exists() and not dest.is_dir()) or _is_whiteout(dest):
            dest.unlink()
        dest.mkdir(exist_ok=True)
        for child in source.iterdir():
            _copy_entry(child, dest / child.name)
        shutil.copystat(source, dest)
        return
    if dest.is_symlink() or dest.exists() or _is_whiteout(dest):
        _remove(dest)
    if source.is_symlink():
        os.symlink(os.readlink(source), dest)
    elif source.exists():
        shutil.copy2(source, dest, follow_symlinks=False)


def _make_parents(dest: Path) -> None:
    """Upper-dir parents of `dest`; a whited-out one becomes an opaque dir, as overlayfs does."""
    for parent in reversed(dest.parents):
        if _is_whiteout(parent):
            parent.unlink()
            parent.mkdir()
            os.setxattr(parent, "trusted.overlay.opaque", b"y")
    dest.parent.mkdir(parents=True, exist_ok=True)


def _remove(dest: Path) -> None:
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    else:
        dest.unlink()


def _other_mount_namespace(pid: int) -> bool:
    try:
        return os.stat(f"/proc/{pid}/ns/mnt").st_ino != os.stat("/proc/self/ns/mnt").st_ino
    except OSError:
        return False
