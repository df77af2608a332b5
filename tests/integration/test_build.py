"""Build the sample-api fixture with the real charm-tools, inspect it, then run its hooks offline.

Builds happen once per session (sdist ~50 s, binary ~10-15 s). The hook tests run the built
charm's real hooks in a fresh network namespace with faked hook tools (see fakeunit.py): the
install hook must bootstrap the venv from the wheelhouse with no index reachable at all.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from fakeunit import FakeUnit, namespaces_available

from charmsmith.build import build_charm

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "sample-api"
STANDARD_HOOKS = (
    "install config-changed start stop upgrade-charm update-status leader-elected "
    "leader-settings-changed pre-series-upgrade post-series-upgrade"
).split()
RELATIONS = {
    "shared-db": "mysql-shared",
    "amqp": "rabbitmq",
    "identity-service": "keystone",
    "ha": "hacluster",
    "cluster": "openstack-ha",
}
needs_netns = pytest.mark.skipif(
    not namespaces_available(), reason="needs root and unshare (network/mount namespaces)"
)


@pytest.fixture(scope="session")
def sdist_charm(tmp_path_factory) -> Path:
    return build_charm(FIXTURE, tmp_path_factory.mktemp("sdist"), progress=lambda _l: None)


@pytest.fixture(scope="session")
def binary_charm(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("binary")
    return build_charm(FIXTURE, out, binary_wheels=True, progress=lambda _l: None)


def _project(filename: str) -> str:
    """Normalised project name of an sdist, wheel or dist-info directory name."""
    name = re.match(r"(.+?)-\d", filename)
    assert name, filename
    return re.sub(r"[-_.]+", "-", name.group(1)).lower()


def _wheelhouse_names(charm: Path) -> set[str]:
    return {_project(p.name) for p in (charm / "wheelhouse").iterdir()}


def test_every_standard_and_relation_hook_is_rendered(sdist_charm):
    hooks = sdist_charm / "hooks"
    expected = list(STANDARD_HOOKS)
    for rel in RELATIONS:
        expected += [
            f"{rel}-relation-{e}" for e in "created joined changed departed broken".split()
        ]
    for name in expected:
        path = hooks / name
        assert path.is_file(), name
        assert path.stat().st_mode & 0o111, name
        assert path.read_text().startswith("#!/bin/sh"), name


def test_interfaces_are_copied_for_each_relation(sdist_charm):
    for interface in RELATIONS.values():
        directory = sdist_charm / "hooks" / "relations" / interface
        assert (directory / "interface.yaml").is_file(), interface
        role = "peers.py" if interface == "openstack-ha" else "requires.py"
        assert (directory / role).is_file(), interface


def test_metadata_config_and_layer_yaml_are_merged(sdist_charm):
    meta = yaml.safe_load((sdist_charm / "metadata.yaml").read_text())
    assert meta["name"] == "sample-api"
    assert {k: v["interface"] for k, v in meta["requires"].items()} == {
        "shared-db": "mysql-shared",
        "amqp": "rabbitmq",
        "identity-service": "keystone",
        "ha": "hacluster",
    }
    assert meta["requires"]["ha"]["scope"] == "container"
    assert meta["peers"]["cluster"]["interface"] == "openstack-ha"
    assert sorted(meta["extra-bindings"]) == ["admin", "internal", "public"]
    assert "openstack" in meta["tags"]
    options = yaml.safe_load((sdist_charm / "config.yaml").read_text())["options"]
    for name in ("debug", "verbose", "use-syslog", "ssl_cert", "openstack-origin", "vip", "dns-ha"):
        assert name in options, name
    layer = yaml.safe_load((sdist_charm / "layer.yaml").read_text())
    assert layer["is"] == "sample-api"
    assert layer["options"]["charmsmith-base"] == {
        "include_system_packages": False,
        "update_status_entry": "reactive_openstack.update_status:main",
    }
    for inc in ("layer:charmsmith-base", "layer:charmsmith-openstack", "interface:keystone"):
        assert inc in layer["includes"]
    actions = yaml.safe_load((sdist_charm / "actions.yaml").read_text())
    assert sorted(actions) == ["openstack-upgrade", "pause", "restart-services", "resume"]
    assert (sdist_charm / "templates" / "yoga" / "sample-api.conf").is_file()
    # the shared parts stay in the runtime package, not copied into the charm
    assert not (sdist_charm / "templates" / "parts").exists()


def test_sdist_wheelhouse_holds_framework_and_our_runtime(sdist_charm):
    files = sorted(p.name for p in (sdist_charm / "wheelhouse").iterdir())
    # runtime packages as sdists; only build tools as universal wheels (any Python 3)
    wheels = [f for f in files if f.endswith(".whl")]
    assert {_project(f) for f in wheels} <= {"setuptools", "flit-core", "pbr", "wheel"}, wheels
    assert all(f.endswith(("-py3-none-any.whl", "-py2.py3-none-any.whl")) for f in wheels), wheels
    sdists = {_project(f) for f in files if f.endswith(".tar.gz")}
    assert {"charms-reactive", "charmhelpers", "jinja2", "markupsafe", "pyyaml"} <= sdists
    names = _wheelhouse_names(sdist_charm)
    assert {"charms-reactive", "charmhelpers", "jinja2", "reactive-openstack"} <= names
    assert {"setuptools", "flit-core"} <= names  # build backends: nothing fetched on the unit
    assert not any(n.startswith("cython") for n in names)
    runtime = next((sdist_charm / "wheelhouse").glob("reactive*openstack-*.tar.gz"))
    with tarfile.open(runtime) as archive:
        members = archive.getnames()
    ours = ROOT / "runtime" / "src" / "reactive_openstack"
    for module in ("__init__.py", "update_status.py", "actions.py", "templates/haproxy.cfg"):
        if (ours / module).exists():
            assert any(m.endswith(f"reactive_openstack/{module}") for m in members), module


def test_built_charm_is_proof_clean_and_small(sdist_charm):
    proof = ROOT / ".venv" / "bin" / "charm-proof"
    result = subprocess.run([str(proof), str(sdist_charm)], capture_output=True, text=True)
    lines = (result.stdout + result.stderr).splitlines()
    assert not [ln for ln in lines if ln.startswith(("W:", "E:"))], lines
    assert result.returncode == 0, lines
    size = sum(p.stat().st_size for p in sdist_charm.rglob("*") if p.is_file())
    assert size < 5_000_000, size


def test_binary_wheelhouse_holds_wheels(binary_charm):
    files = [p.name for p in (binary_charm / "wheelhouse").iterdir()]
    assert files and all(f.endswith(".whl") for f in files), files
    assert {"charms-reactive", "reactive-openstack"} <= _wheelhouse_names(binary_charm)


@needs_netns
def test_hooks_cannot_reach_the_network(tmp_path, sdist_charm):
    """Sanity check of the harness itself: inside the unit's netns nothing is reachable."""
    unit = FakeUnit(tmp_path, sdist_charm)
    probe = (
        "import socket\ntry:\n socket.create_connection(('pypi.org', 443), timeout=3)\n"
        " print('ONLINE')\nexcept OSError as e:\n print('OFFLINE', e)\n"
    )
    (unit.charm_dir / "hooks" / "probe").write_text(f"#!/usr/bin/python3\n{probe}")
    (unit.charm_dir / "hooks" / "probe").chmod(0o755)
    result = unit.run_hook("probe")
    assert "OFFLINE" in result.output, result.output


def _check_offline_bootstrap(unit: FakeUnit) -> None:
    install = unit.run_hook("install")
    assert install.returncode == 0, install.output[-4000:]
    assert "venv bootstrapped" in install.output
    marker = unit.venv / ".charmsmith-bootstrapped"
    assert marker.is_file()
    site = next(unit.venv.glob("lib/python3*/site-packages"))
    installed = {_project(p.name) for p in site.glob("*.dist-info")}
    # exactly the wheelhouse: nothing from /opt/wheels or any index leaked in
    assert installed == _wheelhouse_names(unit.charm_dir), installed
    assert install.calls, "install made no hook-tool calls"

    status = unit.run_hook("update-status")
    assert status.returncode == 0, status.output[-4000:]
    assert "venv bootstrapped" not in status.output  # fast path: no second bootstrap
    assert len(status.calls) <= 10, status.calls
    assert not any("Reactive main running" in " ".join(c) for c in status.calls)


@needs_netns
def test_install_and_update_status_offline_sdist(tmp_path, sdist_charm):
    _check_offline_bootstrap(FakeUnit(tmp_path, sdist_charm))


@needs_netns
def test_install_and_update_status_offline_binary(tmp_path, binary_charm):
    _check_offline_bootstrap(FakeUnit(tmp_path, binary_charm))


@needs_netns
def test_upgrade_charm_rebuilds_venv_only_when_wheelhouse_changed(tmp_path, binary_charm):
    unit = FakeUnit(tmp_path, binary_charm)
    assert unit.run_hook("install").returncode == 0
    marker = unit.venv / ".charmsmith-bootstrapped"
    first = marker.read_text()
    same = unit.run_hook("upgrade-charm")
    assert same.returncode == 0, same.output[-3000:]
    assert "venv bootstrapped" not in same.output
    # same bytes with new mtimes and a stray non-archive file: fingerprint unchanged
    for archive in (unit.charm_dir / "wheelhouse").iterdir():
        os.utime(archive)
    (unit.charm_dir / "wheelhouse" / "note.txt").write_text("not an archive\n")
    assert unit.run_hook("upgrade-charm").returncode == 0
    assert marker.read_text() == first
    # a new charm revision whose wheelhouse differs (flit_core is only a build backend)
    next((unit.charm_dir / "wheelhouse").glob("flit_core-*")).unlink()
    changed = unit.run_hook("upgrade-charm")
    assert changed.returncode == 0, changed.output[-3000:]
    assert "venv bootstrapped" in changed.output
    assert marker.read_text() != first
    status = unit.run_hook("update-status")
    assert status.returncode == 0, status.output[-3000:]


@needs_netns
def test_calls_are_logged_as_json(tmp_path, binary_charm):
    unit = FakeUnit(tmp_path, binary_charm)
    unit.run_hook("install")
    lines = unit.calls_path.read_text().splitlines()
    assert all(isinstance(json.loads(line), list) for line in lines)


@needs_netns
def test_pause_action_runs_runtime_actions_even_before_any_hook(tmp_path, binary_charm):
    """Actions are sh scripts like the hooks: they bootstrap if needed, then call the runtime."""
    unit = FakeUnit(tmp_path, binary_charm)
    # run_hook executes ./hooks/<name>; the action script only needs its own file name
    action = unit.charm_dir / "actions" / "pause"
    (unit.charm_dir / "hooks" / "pause").write_bytes(action.read_bytes())
    (unit.charm_dir / "hooks" / "pause").chmod(0o755)
    result = unit.run_hook("pause")
    assert result.returncode == 0, result.output[-3000:]
    assert "venv bootstrapped" in result.output
    assert unit.state()["status"][-1][0] == "maintenance"


OTHER_PYTHONS = {
    "3.10": "/root/.pyenv/versions/3.10.13/bin/python3.10",
    "3.12": "/root/.pyenv/versions/3.12.1/bin/python3.12",
}


@needs_netns
@pytest.mark.parametrize("version", sorted(OTHER_PYTHONS))
def test_sdist_wheelhouse_bootstraps_on_jammy_and_noble_pythons(tmp_path, sdist_charm, version):
    """One sdist wheelhouse for every unit Python: jammy's 3.10 and noble's 3.12 (if present)."""
    python = OTHER_PYTHONS[version]
    if not Path(python).exists():
        pytest.skip(f"no Python {version} at {python}")
    unit = FakeUnit(tmp_path, sdist_charm, python=python)
    install = unit.run_hook("install")
    assert install.returncode == 0, install.output[-4000:]
    assert next(unit.venv.glob("lib/python*/site-packages")).parent.name == f"python{version}"
    status = unit.run_hook("update-status")
    assert status.returncode == 0, status.output[-3000:]
