"""Helpers shared by the generator's unit tests (imported by name; tests/unit has no packages)."""

from __future__ import annotations

import shutil
from pathlib import Path

from charmsmith.create import render

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "answers"


def tree(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def newer_template(dest: Path) -> Path:
    """A copy of the current template at ``dest``, one template version ahead."""
    current = render.template_version()
    shutil.copytree(render.TEMPLATE_DIR, dest)
    cookiecutter = dest / "cookiecutter.json"
    cookiecutter.write_text(
        cookiecutter.read_text().replace(
            f'"_charmsmith_template_version": "{current}"',
            f'"_charmsmith_template_version": "{int(current) + 1}"',
        )
    )
    return dest
