"""`charmsmith build` builds a generated charm from the charm's own .charmsmith/ copies.

What tox and charmcraft build must be what charmsmith builds: the vendored layers and the
vendored runtime, not whatever charmsmith happens to be installed. Both are marked here, so
seeing the marks in the built charm proves where they came from.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from charmsmith.build import build_charm
from charmsmith.create import answers, command, vendor

pytestmark = pytest.mark.build


def test_build_uses_the_charms_vendored_layers_and_runtime(tmp_path: Path):
    charm = tmp_path / "src" / "widget"
    command.write_charm(answers.resolve({"charm_name": "widget", "release": "zed"}), charm)
    layer_mark = charm / vendor.VENDOR_DIR / "layers/charmsmith-base/lib/charms/layer/mark.py"
    layer_mark.write_text("VENDORED = True\n")
    lines: list[str] = []
    built = build_charm(charm, tmp_path / "out", binary_wheels=True, progress=lines.append)
    assert (built / "lib/charms/layer/mark.py").read_text() == "VENDORED = True\n"
    assert any(f"widget/{vendor.VENDOR_DIR}" in line for line in lines if "runtime" in line)
    assert not (built / vendor.VENDOR_DIR).exists()
    (wheel,) = (built / "wheelhouse").glob("reactive_openstack-*-py3-none-any.whl")
    sdist = (charm / vendor.VENDOR_DIR / vendor.RUNTIME_SDIST).read_bytes()
    assert sdist  # the wheel is made from exactly these files
    with zipfile.ZipFile(wheel) as archive:
        assert "reactive_openstack/_status.py" in archive.namelist()
