"""Package queries of an emulated unit as charmhelpers makes them, through the real tool client.

charmhelpers' `filter_installed_packages` asks `dpkg-query --list` and maps its columns by the
heading line; its apt cache reads `apt-cache show`. Both run here as charmhelpers' own code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from charmsmith.model import hostpkgs
from charmsmith.model.harness import ToolSession, tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
CHARMHELPERS = """
import json, sys
import charmhelpers.osplatform
charmhelpers.osplatform.get_platform = lambda: "ubuntu"  # this host is Debian; a unit is not
from charmhelpers.fetch.ubuntu_apt_pkg import Cache
cache = Cache()
listed = cache.dpkg_list(sys.argv[1:])
print(json.dumps({name: listed[name]["version"] for name in sorted(listed)}))
"""

if not hostpkgs.table().get("apache2"):
    pytest.skip("needs the host packages scripts/setup.sh installs", allow_module_level=True)


@pytest.fixture()
def s(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM, units=1) as session:
        hostpkgs.hide_all(session.model.store.path, "fixture-api/0")  # as a new unit gets
        yield session


def installed(s: ToolSession, *pkgs: str) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", CHARMHELPERS, *pkgs],
        env=s.env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_charmhelpers_sees_the_units_packages_not_the_hosts(s):
    assert shutil.which("dpkg-query")
    # apache2 is on the host, but a fresh unit has not installed it; bash is in the image
    before = installed(s, "bash", "apache2", "glance-common")
    assert set(before) == {"bash"}
    subprocess.run(["apt-get", "install", "-y", "apache2", "glance-api"], env=s.env, check=True)
    after = installed(s, "bash", "apache2", "glance-common")
    assert after["apache2"] == "2.4.52-1ubuntu4.12"  # jammy's, as apt-cache offered it
    assert after["glance-common"] == "2:24.0.0-0ubuntu1"  # jammy's own release: yoga
    assert after["bash"] == before["bash"]


def test_versions_follow_the_cloud_archive_pocket(s):
    sources = s.model.store.path / "units" / "fixture-api-0" / "upper" / "etc"
    (sources / "apt" / "sources.list.d").mkdir(parents=True)
    (sources / "apt" / "sources.list.d" / "cloud-archive.list").write_text(
        "deb http://ubuntu-cloud.archive.canonical.com/ubuntu jammy-updates/antelope main\n"
    )
    subprocess.run(
        ["apt-get", "install", "-y", "aodh-api", "openstack-release"], env=s.env, check=True
    )
    got = installed(s, "aodh-common", "openstack-release", "apache2")
    assert got == {
        "aodh-common": "16.0.0-0ubuntu1~cloud0",
        "openstack-release": "2023.1-0ubuntu1~cloud0",
        "apache2": "2.4.52-1ubuntu4.12",  # aodh-api runs under apache2's mod_wsgi
    }
    assert (sources / "openstack-release").read_text() == "OPENSTACK_CODENAME=antelope\n"
