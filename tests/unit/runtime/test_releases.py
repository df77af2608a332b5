"""Release table, origin parsing, version->codename mapping and the ReleaseRegistry."""

from __future__ import annotations

import sys

import pytest
from reactive_openstack import releases as rel
from reactive_openstack.releases import (
    ReleaseRegistry,
    UnknownRelease,
    UnsupportedRelease,
    codename_from_version,
    discover_registry,
    parse_origin,
)
from reactive_openstack.testing import FakeHost


def test_release_order_and_versions():
    assert rel.CODENAMES[0] == "diablo"
    assert rel.CODENAMES[-1] == "flamingo"
    assert len(rel.CODENAMES) == 29
    assert rel.release_version("antelope") == "2023.1"
    assert rel.release_version("flamingo") == "2025.2"
    assert rel.release_version("yoga") == "2022.1"
    versions = [v for _, v in rel.RELEASES]
    assert versions == sorted(versions)
    assert rel.compare_releases("zed", "antelope") == -1
    assert rel.compare_releases("caracal", "caracal") == 0
    assert rel.at_least("caracal", "yoga") and not rel.at_least("mitaka", "newton")
    with pytest.raises(UnknownRelease, match="gazpacho"):
        rel.release_index("gazpacho")


@pytest.mark.parametrize(
    "series,release",
    [
        ("trusty", "icehouse"),
        ("xenial", "mitaka"),
        ("bionic", "queens"),
        ("focal", "ussuri"),
        ("jammy", "yoga"),
        ("noble", "caracal"),
        ("bookworm", "zed"),
    ],
)
def test_series_defaults(series, release):
    assert parse_origin("distro", series) == release


@pytest.mark.parametrize(
    "origin,release",
    [
        ("cloud:jammy-zed", "zed"),
        ("cloud:jammy-antelope/proposed", "antelope"),
        ("cloud:focal-yoga/updates", "yoga"),
        ("cloud:bionic-updates/queens", "queens"),
        ("caracal", "caracal"),
        ("2024.2", "dalmatian"),
    ],
)
def test_parse_origin(origin, release):
    assert parse_origin(origin) == release


def test_parse_origin_errors():
    with pytest.raises(ValueError, match="series"):
        parse_origin("distro")
    with pytest.raises(UnknownRelease):
        parse_origin("cloud:jammy-gazpacho")
    with pytest.raises(ValueError, match="ppa:foo"):
        parse_origin("ppa:foo")


def test_series_from_os_release():
    ubuntu = 'NAME="Ubuntu"\nVERSION_CODENAME=jammy\nUBUNTU_CODENAME=jammy\n'
    assert rel.series_from_os_release(ubuntu) == "jammy"
    assert rel.series_from_os_release('ID=debian\nVERSION_CODENAME="bookworm"\n') == "bookworm"


@pytest.mark.parametrize(
    "version,expected",
    [
        ("2:15.0.0-0ubuntu1", "yoga"),
        ("16.1.0-0ubuntu1~cloud0", "zed"),
        ("17.0.3", "zed-late"),
        ("17.1.0", "antelope"),
        ("18.2.5", "bobcat"),
        ("14.0.0", None),
        ("", None),
    ],
)
def test_codename_from_version(version, expected):
    table = {
        "15": "yoga",
        "16": "zed",
        "17": "zed-late",
        "17.1": "antelope",
        "18.0": "antelope-late",
        "18.2": "bobcat",
    }
    assert codename_from_version(version, table) == expected


def test_codename_shared_major_without_prefix_picks_newest_not_newer():
    table = {"13.0": "xena", "13.2": "yoga"}
    assert codename_from_version("13.1.5", table) == "xena"
    assert codename_from_version("13.3.0", table) == "yoga"


def _registry():
    registry = ReleaseRegistry()

    class Base:
        release = "yoga"
        release_package = "svc-common"
        package_codenames = {"15": "yoga", "16": "zed", "20": "caracal"}

        def __init__(self, release, host, registry):
            self.release, self.host, self.registry = release, host, registry

    @registry.register
    class Yoga(Base):
        pass

    @registry.register
    class Caracal(Base):
        release = "caracal"

    return registry, Yoga, Caracal


def test_registry_select_newest_at_or_below():
    registry, yoga, caracal = _registry()
    assert registry.select("yoga") is yoga
    assert registry.select("bobcat") is yoga
    assert registry.select("caracal") is caracal
    assert registry.select("flamingo") is caracal
    with pytest.raises(UnsupportedRelease) as err:
        registry.select("xena")
    assert "xena" in str(err.value) and "yoga" in str(err.value)
    with pytest.raises(UnknownRelease):
        registry.select("gazpacho")


def test_registry_rejects_duplicates_and_unknown():
    registry, yoga, _ = _registry()
    with pytest.raises(ValueError, match="both register"):
        registry.register(type("Again", (yoga,), {}))
    with pytest.raises(UnknownRelease):
        registry.register(type("Bad", (), {"release": "gazpacho"}))


def test_release_from_cache_first():
    registry, _, _ = _registry()
    registry.host = FakeHost(
        config={"openstack-origin": "cloud:jammy-zed"}, kv={rel.KV_RELEASE_KEY: "bobcat"}
    )
    assert registry.release_for() == "bobcat"


def test_release_from_origin_is_cached():
    registry, _, caracal = _registry()
    host = FakeHost(
        config={"openstack-origin": "distro"},
        files={"/etc/os-release": b"VERSION_CODENAME=noble\n"},
    )
    registry.host = host
    assert registry.release_for() == "caracal"
    assert host.kv[rel.KV_RELEASE_KEY] == "caracal"
    inst = registry.instance()
    assert type(inst) is caracal and inst.release == "caracal"
    assert registry.instance() is inst


def test_release_from_package_version_when_no_origin():
    registry, yoga, _ = _registry()
    registry.host = FakeHost(config={}, packages={"svc-common": "2:16.0.1-0ubuntu1"})
    assert registry.release_for() == "zed"
    assert type(registry.instance()) is yoga


def test_unsupported_release_not_cached():
    registry, _, _ = _registry()
    host = FakeHost(config={"openstack-origin": "cloud:focal-xena"})
    registry.host = host
    assert registry.release_for() == "xena"
    assert rel.KV_RELEASE_KEY not in host.kv
    with pytest.raises(UnsupportedRelease):
        registry.instance()


@pytest.fixture
def clean_charm_modules(monkeypatch):
    """sys.path and the charm.* modules as they were once the test is done."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    saved = {k: v for k, v in sys.modules.items() if k == "charm" or k.startswith("charm.")}
    for key in saved:
        monkeypatch.delitem(sys.modules, key)
    yield
    for key in [k for k in sys.modules if k == "charm" or k.startswith("charm.")]:
        del sys.modules[key]
    sys.modules.update(saved)


def _write_charm(tmp_path, *modules):
    pkg = tmp_path / "lib" / "charm" / "openstack"
    pkg.mkdir(parents=True)
    for i, body in enumerate(modules):
        (pkg / f"mod{i}.py").write_text(body)
    return str(tmp_path)


def test_discover_registry_finds_the_one(tmp_path, clean_charm_modules):
    body = (
        "import reactive_openstack.releases as r\n"
        "registry = r.ReleaseRegistry()\n"
        "@registry.register\n"
        "class C:\n    release = 'zed'\n"
    )
    helper = "from charm.openstack.mod0 import registry\n"
    charm_dir = _write_charm(tmp_path, body, helper)
    registry = discover_registry(charm_dir)
    assert registry.releases == ["zed"]
    assert registry is sys.modules["charm.openstack.mod0"].registry


def test_discover_registry_none_or_several(tmp_path, clean_charm_modules):
    two = (
        "import reactive_openstack.releases as r\n"
        "a = r.ReleaseRegistry()\n"
        "b = r.ReleaseRegistry()\n"
    )
    with pytest.raises(LookupError, match="several"):
        discover_registry(_write_charm(tmp_path / "two", two))
    for key in [k for k in sys.modules if k == "charm" or k.startswith("charm.")]:
        del sys.modules[key]  # not charmsmith.*: other tests patch those very modules
    with pytest.raises(LookupError, match="no ReleaseRegistry"):
        discover_registry(_write_charm(tmp_path / "none", "x = 1\n"))
