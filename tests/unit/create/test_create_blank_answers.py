"""An empty answer in an answers file is refused, naming the field, unless --defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHARMSMITH = Path(sys.executable).parent / "charmsmith"


def create(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    answers = tmp_path / "answers.yaml"
    answers.write_text("charm_name: widget\nrelease: ''\nport: 9311\n")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return subprocess.run(
        [str(CHARMSMITH), "create", "--answers", str(answers), "-o", str(out), *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def test_empty_release_is_refused_without_defaults(tmp_path: Path):
    result = create(tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("charmsmith: error: release: empty in ")
    assert "Traceback" not in result.stderr
    assert not any((tmp_path / "out").iterdir())


def test_empty_release_takes_the_default_with_defaults(tmp_path: Path):
    result = create(tmp_path, "--defaults")
    assert result.returncode == 0, result.stderr
    recorded = (tmp_path / "out" / "widget" / ".charmsmith-answers.yaml").read_text()
    assert "release: " in recorded and "release: ''" not in recorded
