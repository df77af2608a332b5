"""apt-get install of an installed package upgrades it (and the dependencies its versioned
Depends pull along) to the version its new sources carry."""

from __future__ import annotations

import subprocess
from pathlib import Path

from charmsmith.model.harness import tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


def test_install_after_a_new_pocket_upgrades_the_package_and_its_dependencies(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM, units=1) as s:
        apt = ["apt-get", "install", "-y", "glance-api", "ubuntu-cloud-keyring"]
        subprocess.run(apt, env=s.env, check=True, capture_output=True)
        packages = s.model.unit("fixture-api/0").packages
        assert packages["glance-api"] == "2:24.0.0-0ubuntu1"  # jammy's yoga
        sources = s.model.store.path / "units" / "fixture-api-0" / "upper" / "etc" / "apt"
        (sources / "sources.list.d").mkdir(parents=True)
        (sources / "sources.list.d" / "cloud-archive.list").write_text(
            "deb http://ubuntu-cloud.archive.canonical.com/ubuntu jammy-updates/zed main\n"
        )
        keyring = packages["ubuntu-cloud-keyring"]
        out = subprocess.run(apt[:3] + ["glance-api"], env=s.env, check=True, capture_output=True)
        assert packages["glance-api"] == "2:25.0.0-0ubuntu1~cloud0"
        assert b"Setting up glance-api (2:25.0.0-0ubuntu1~cloud0)" in out.stdout
        assert packages["glance-common"] == "2:25.0.0-0ubuntu1~cloud0"  # Depends: (= version)
        assert packages["python3-glance"] == "2:25.0.0-0ubuntu1~cloud0"
        assert packages["ubuntu-cloud-keyring"] == keyring
