"""Checks for directories the user names on the command line, made before anything is written.

A file where a directory belongs, a read-only file system or a name the kernel refuses would
otherwise surface as an OSError traceback half way through a command; checking first turns
each into one line naming the option and leaves the disk as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from charmsmith.errors import CharmsmithError


def _first_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (a dangling symlink counts as existing)."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(path.anchor or "/")


def writable_dir(path: str | os.PathLike[str], option: str) -> Path:
    """``path`` as an absolute Path if it is, or could be created as, a writable directory.

    Nothing is created: a missing directory passes when its nearest existing ancestor is a
    writable directory. ``option`` names the command-line option in the error.
    """
    target = Path(path).absolute()
    try:
        found = _first_existing(target)
        if not found.is_dir():
            where = "" if found == target else f" (on the way to {target})"
            raise CharmsmithError(f"{option}: {found}{where} is not a directory")
    except OSError as err:  # e.g. ENAMETOOLONG from stat()
        raise CharmsmithError(f"{option}: {target}: {err.strerror}") from None
    # access(2) reports EROFS for a read-only mount even to root, and mode bits to others.
    if not os.access(found, os.W_OK | os.X_OK):
        raise CharmsmithError(f"{option}: {found} is not writable")
    return target


def make_dir(path: Path, option: str) -> Path:
    """Create ``path`` (and parents) after :func:`writable_dir`; OSError becomes one line."""
    checked = writable_dir(path, option)
    try:
        checked.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CharmsmithError(f"{option}: cannot create {checked}: {err.strerror}") from None
    return checked
