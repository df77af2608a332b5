"""apt-get in a unit leaves dpkg records in the unit's own status file, as dpkg does."""

from __future__ import annotations

import subprocess
from pathlib import Path

from charmsmith.model import dpkgstatus
from charmsmith.model import units as unitfs
from charmsmith.model.unitview import UnitView

HOST_STATUS = Path(dpkgstatus.STATUS_FILE)


def _view(tmp_path: Path) -> UnitView:
    return UnitView(tmp_path, "aodh/0")


def _in_unit(tmp_path: Path) -> Path:
    return unitfs._in_upper(tmp_path, "aodh/0", dpkgstatus.STATUS_FILE)


def test_install_upgrade_and_purge_change_only_the_units_records(tmp_path: Path):
    host_before = HOST_STATUS.read_bytes()
    view = _view(tmp_path)
    dpkgstatus.record(view, "aodh-common", "1:14.0.0-0ubuntu1")
    dpkgstatus.record(view, "aodh-common", "1:18.0.0-0ubuntu1~cloud0")  # an upgrade
    status = _in_unit(tmp_path)
    # dpkg itself reads the unit's file: the package is installed once, at the new version
    out = subprocess.run(
        [
            "dpkg-query",
            f"--admindir={status.parent}",
            "-W",
            "-f=${Version} ${Status}",
            "aodh-common",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == "1:18.0.0-0ubuntu1~cloud0 install ok installed"
    host_packages = HOST_STATUS.read_text().count("\nPackage: ")
    assert status.read_text().count("\nPackage: ") == host_packages + 1  # the image's records kept
    dpkgstatus.forget(view, "aodh-common")
    gone = subprocess.run(
        ["dpkg-query", f"--admindir={status.parent}", "-W", "aodh-common"], capture_output=True
    )
    assert gone.returncode == 1
    assert HOST_STATUS.read_bytes() == host_before
