"""The runtime's own packaging builds without deprecation warnings (what `make setup` shows).

setuptools deprecates `project.license` as a table (PEP 639 wants an SPDX string) and will
refuse it; the build that `make setup` runs must not print that warning.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_runtime_wheel_builds_without_license_deprecation(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path)]
        + [str(ROOT / "runtime")],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert list(tmp_path.glob("reactive_openstack-*.whl"))
    assert "project.license" not in output, output[-3000:]
