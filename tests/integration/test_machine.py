"""An emulated unit behaves like an Ubuntu machine for what a charm installs with apt.

The fixture charm's install hook (tests/fixtures/machine-charm) does what upstream's reactive
aodh charm does to a fresh unit and records what it found: programs the packages bring
(virtualenv, a2enmod, nc, the C toolchain), the service user apt created while the hook runs,
the apache site the API package enables, /etc/openstack-release, and versions from one release.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI

pytestmark = pytest.mark.netns

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "machine-charm"

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)
if not (shutil.which("virtualenv") and shutil.which("a2enmod") and shutil.which("haproxy")):
    pytest.skip("needs the host packages scripts/setup.sh installs", allow_module_level=True)


def _report(cli: CLI) -> dict:
    upper = cli.model / "units" / "machine-probe-0" / "upper" / "var_lib"
    return json.loads((upper / "machine-probe" / "report.json").read_text())


def test_a_unit_has_what_its_packages_leave_and_nothing_before(cli: CLI):
    cli("deploy", str(FIXTURE))
    report = _report(cli)
    # a fresh image: no virtualenv or apache2 although the host has them; nc is in the image
    assert report["programs_before"] == {"virtualenv": None, "a2enmod": None, "nc": "/usr/bin/nc"}
    assert report["programs"] == {
        "virtualenv": "/usr/bin/virtualenv",
        "a2enmod": "/usr/sbin/a2enmod",
        "nc": "/usr/bin/nc",
    }
    assert report["virtualenv"][0] == 0 and report["virtualenv"][1].startswith("virtualenv ")
    assert report["nc"][0] != 127
    # the user apt created is visible to the hook that read /etc/passwd before it
    assert report["aodh_before"] is None and report["aodh_home"] == "/var/lib/aodh"
    # aodh-api enables its site as Ubuntu's postinst does; apache's tools act on the unit's /etc
    assert report["a2query_site"] == [0, "aodh-api (enabled by maintainer script)\n"]
    assert report["a2dissite"][0] == 0 and report["a2ensite"][0] == 0
    assert report["a2enmod"][0] == 0 and report["a2query_mod"][0] == 0
    assert report["openstack_release"] == "OPENSTACK_CODENAME=caracal\n"
    assert report["versions"] == (
        "aodh-common 18.0.0-0ubuntu1~cloud0\nopenstack-release 2024.1-0ubuntu1~cloud0\n"
    )
    assert not Path("/etc/apache2/mods-enabled/headers.load").exists()  # the host is untouched
    # no compiler, make or Python.h on a fresh image; build-essential + python3-dev bring them
    assert report["toolchain_before"] == {"gcc": None, "cc": None, "make": None}
    assert report["extension_before"] == 127
    assert report["toolchain"] == {
        "gcc": "/usr/bin/gcc",
        "cc": "/usr/bin/cc",
        "make": "/usr/bin/make",
    }
    assert report["extension"] == [0, "42\n"]

    # purge takes the files away again; dpkg-query no longer finds the package
    cli("config", "machine-probe", "purge=python3-virtualenv")
    purged = json.loads(
        (cli.model / "units/machine-probe-0/upper/var_lib/machine-probe/purged.json").read_text()
    )
    assert purged == {
        "virtualenv": None,
        "dpkg_query": [1, "dpkg-query: no packages found matching python3-virtualenv\n"],
    }
