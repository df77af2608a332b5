"""Every released version of the template, so ``charmsmith update`` can rebuild a charm's base.

A three-way merge needs the charm exactly as the generator first wrote it. We get it by
rendering the recorded answers with the template *at the recorded version*, so each version's
template is archived here as ``template_history/<version>.tar.gz`` (deterministic tarballs).
The current version is archived too, and a unit test checks the live template still equals
its archive: changing the template without bumping ``_charmsmith_template_version`` and running
``python -m charmsmith.create.history snapshot`` fails the test suite instead of silently
corrupting later updates.
"""

from __future__ import annotations

import gzip
import io
import sys
import tarfile
import tempfile
from pathlib import Path

from charmsmith.create import render
from charmsmith.errors import CharmsmithError

HISTORY_DIR = Path(__file__).resolve().parent / "template_history"


def archive_path(version: str, history_dir: Path = HISTORY_DIR) -> Path:
    return history_dir / f"{version}.tar.gz"


def template_files(template_dir: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every template file (caches excluded), sorted."""
    files = {}
    for path in sorted(template_dir.rglob("*")):
        rel = path.relative_to(template_dir)
        if path.is_file() and "__pycache__" not in rel.parts:
            files[rel.as_posix()] = path.read_bytes()
    return files


def pack(template_dir: Path) -> bytes:
    """A gzip tarball whose bytes depend only on the template's files and their modes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, data in template_files(template_dir).items():
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mode = (template_dir / rel).stat().st_mode & 0o777
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def snapshot(template_dir: Path = render.TEMPLATE_DIR, history_dir: Path = HISTORY_DIR) -> Path:
    """Archive the live template under its current version."""
    path = archive_path(render.template_version(template_dir), history_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pack(template_dir))
    return path


def extract(version: str, dest: Path, history_dir: Path = HISTORY_DIR) -> Path:
    """Unpack template ``version`` into ``dest`` and return the template directory."""
    path = archive_path(version, history_dir)
    if not path.exists():
        raise CharmsmithError(
            f"_template_version: template version {version!r} is not bundled with this "
            "charmsmith, so the charm's base cannot be rebuilt"
        )
    with tarfile.open(path, mode="r:gz") as tar:
        try:
            tar.extractall(dest, filter="data")
        except TypeError:  # Python without extraction filters; the archive is our own
            tar.extractall(dest)  # noqa: S202
    return dest


def live_matches_archive(template_dir: Path = render.TEMPLATE_DIR) -> bool:
    """True when the live template equals the archive of its own version."""
    version = render.template_version(template_dir)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            archived = template_files(extract(version, Path(tmp)))
        except CharmsmithError:
            return False
    return archived == template_files(template_dir)


if __name__ == "__main__":
    if sys.argv[1:] != ["snapshot"]:
        print("usage: python -m charmsmith.create.history snapshot", file=sys.stderr)
        sys.exit(2)
    print(snapshot())
