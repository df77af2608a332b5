"""What installing a host-backed package pulls in is read from dpkg's status, as Debian declares."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from charmsmith.model import archive, hostpkgs, hoststatus
from charmsmith.model.state import ModelState

STATUS = """Package: gcc
Status: install ok installed
Version: 4:12.2.0-3
Depends: cpp (= 4:12.2.0-3), gcc-12 (>= 12.2.0-1~),
 libc6:amd64 (>= 2.2)
Description: GNU C compiler

Package: build-essential
Status: install ok installed
Version: 12.9
Depends: libc6-dev | libc-dev, gcc (>= 4:12.2), make

Package: removed-one
Status: deinstall ok config-files
Version: 1.0
Depends: gcc

Package: python3-dev
Status: install ok installed
Pre-Depends: python3.11-dev
Depends: libpython3-dev (= 3.11.2-1+b1)
"""


@pytest.fixture()
def status(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "status"
    path.write_text(STATUS)
    monkeypatch.setattr(hoststatus, "STATUS", path)
    hoststatus._records.cache_clear()
    yield path
    hoststatus._records.cache_clear()


def every(_name: str) -> bool:
    return True


def test_records_are_the_installed_packages_with_folded_depends(status):
    records = hoststatus.records(every)
    assert set(records) == {"gcc", "build-essential", "python3-dev"}
    assert set(hoststatus.records(lambda name: name.startswith("g"))) == {"gcc"}
    assert records["gcc"].version == "4:12.2.0-3"
    assert records["gcc"].depends == (("cpp",), ("gcc-12",), ("libc6",))
    assert records["build-essential"].depends[0] == ("libc6-dev", "libc-dev")


def test_depends_keeps_the_first_alternative_among_the_given_packages(status):
    among = {"libc6-dev", "libc-dev", "gcc", "make", "cpp", "gcc-12"}
    assert hoststatus.depends("build-essential", among, every) == ["libc6-dev", "gcc", "make"]
    assert hoststatus.depends("gcc", among, every) == ["cpp", "gcc-12"]  # libc6: not among them
    assert hoststatus.depends("python3-dev", {"python3.11-dev", "libpython3-dev"}, every) == [
        "python3.11-dev",
        "libpython3-dev",
    ]
    assert hoststatus.depends("removed-one", among, every) == []


def test_a_dpkg_run_is_seen(status):
    assert "make" not in hoststatus.records(every)
    status.write_text(STATUS + "\nPackage: make\nStatus: install ok installed\nVersion: 4.3\n")
    os.utime(status, (1, 1))  # a new mtime, as dpkg's rewrite gives
    assert hoststatus.records(every)["make"].version == "4.3"


@pytest.mark.skipif(not hostpkgs.table().get("gcc"), reason="needs gcc from scripts/setup.sh")
def test_the_apt_shim_installs_the_toolchain_closure_of_build_essential():
    # what apt-get install build-essential python3-dev configures (and apt-cache show lists)
    deps = archive.dependencies("build-essential")
    assert {"gcc", "g++", "make", "libc6-dev"} <= set(deps)
    assert any(hostpkgs.VERSIONED_PACKAGES.fullmatch(d) for d in archive.dependencies("gcc"))
    assert "libpython3-dev" in archive.dependencies("python3-dev")
    # jammy's names report jammy's versions; a Debian-only name (gcc-12) the host's
    model = SimpleNamespace(state=ModelState.empty())
    assert archive.version_of(model, "build-essential", "yoga") == "12.9ubuntu3"
    versioned = next(d for d in archive.dependencies("gcc") if d != "cpp")
    assert archive.version_of(model, versioned, "yoga") == hostpkgs.host_version(versioned)
    assert hostpkgs.host_version(versioned) == hoststatus.records(every)[versioned].version
