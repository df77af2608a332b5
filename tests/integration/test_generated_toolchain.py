"""A generated charm's own toolchain works as a charm author runs it: fresh tox, no charmsmith.

Charms created from three answer sets run the real ``tox`` (``pep8``, ``py3``, ``build``) from
.venv-toolchain in an environment of PATH, HOME and LANG only, with no charmsmith on PATH, so
anything of ours fetched by name from PyPI fails here; charmcraft loads each charmcraft.yaml and
packs one charm for real, whose wheelhouse then bootstraps offline. The environments and the
mount namespace that makes this host look like Ubuntu: docs/create.md, 'How the toolchain is
tested'.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "answers"
TOOLCHAIN = ROOT / ".venv-toolchain" / "bin"
CHARMCRAFT = ROOT / ".venv-charmcraft" / "bin" / "charmcraft"
CHARMTOOLS = ROOT / ".venv-charmtools" / "bin"
CHARMSMITH = Path(sys.executable).parent / "charmsmith"
ANSWER_SETS = ("glance-several-sync-files", "hyphenated-name", "glance-ceph-store")

pytestmark = [
    pytest.mark.build,
    pytest.mark.skipif(
        not (TOOLCHAIN / "tox").exists(),
        reason="no .venv-toolchain/bin/tox: run scripts/setup-toolchain.sh (make test does)",
    ),
]


def other_python(minor: int) -> Path | None:
    """A real (not shim) python3.<minor>, for the charm's py310/py312 envs where one exists."""
    candidates = [str(Path(d) / f"python3.{minor}") for d in os.get_exec_path()]
    candidates += sorted(glob.glob(str(Path.home() / f".pyenv/versions/3.{minor}*/bin/python3")))
    for candidate in candidates:
        path = Path(candidate)
        if ".pyenv/shims" in candidate or not path.is_file():
            continue
        probe = subprocess.run([str(path), "-c", "import venv"], capture_output=True)
        if probe.returncode == 0:
            return path
    return None


def scrubbed_env(home: Path, extra_path: list[Path] = ()) -> dict[str, str]:
    path = [str(TOOLCHAIN), *map(str, extra_path), "/usr/local/bin", "/usr/bin", "/bin"]
    return {"PATH": os.pathsep.join(path), "HOME": str(home), "LANG": "C.UTF-8"}


def tox(charm: Path, envs: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLCHAIN / "tox"), "-e", envs],
        cwd=charm,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def passed(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+) passed", output, flags=re.MULTILINE)]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("toolchain")
    home = root / "home"
    home.mkdir()
    charms = {}
    for name in ANSWER_SETS:
        out = root / name
        result = subprocess.run(
            [
                str(CHARMSMITH),
                "create",
                "--answers",
                str(FIXTURES / f"{name}.yaml"),
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        (charms[name],) = [p for p in out.iterdir() if p.is_dir()]
    return home, charms


@pytest.fixture(scope="module")
def tox_runs(workspace) -> dict[str, subprocess.CompletedProcess[str]]:
    home, charms = workspace
    return {
        name: tox(charm, "pep8,py3,build", scrubbed_env(home)) for name, charm in charms.items()
    }


@pytest.mark.parametrize("name", ANSWER_SETS)
def test_fresh_tox_passes_pep8_py3_and_build(workspace, tox_runs, name: str):
    _home, charms = workspace
    result = tox_runs[name]
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    for env in ("pep8", "py3", "build"):
        assert re.search(rf"^\s*{env}: OK", output, flags=re.MULTILINE), output[-3000:]
    assert passed(output) and passed(output)[0] > 0, output[-3000:]
    # nothing of ours was looked up by name on an index
    assert "No matching distribution" not in output


@pytest.mark.parametrize("name", ANSWER_SETS)
def test_tox_build_makes_a_deployable_charm_file(workspace, tox_runs, name: str):
    """`<name>.charm` where the bundles expect it, with the runtime in its wheelhouse."""
    _home, charms = workspace
    charm = charms[name]
    assert tox_runs[name].returncode == 0
    charm_file = charm / f"{charm.name}.charm"
    assert charm_file.is_file()
    assert f"built {charm_file.name} (" in tox_runs[name].stdout
    assert charm_file.stat().st_size < 5 * 1024 * 1024
    with zipfile.ZipFile(charm_file) as archive:
        names = set(archive.namelist())
        install = archive.getinfo("hooks/install")
        assert install.external_attr >> 16 & 0o111, "hooks must stay executable"
    assert {"metadata.yaml", "layer.yaml", "hooks/install"} <= names
    assert [n for n in names if re.fullmatch(r"wheelhouse/reactive_openstack-[\d.]+\.tar\.gz", n)]
    assert not [n for n in names if n.startswith((".charmsmith/", "unit_tests/", ".tox/"))]
    bundles = sorted((charm / "tests" / "bundles").glob("*.yaml"))
    assert bundles and all(f"../../{charm.name}.charm" in b.read_text() for b in bundles)


def test_tox_py310_and_py312_where_those_pythons_exist(workspace, tox_runs):
    home, charms = workspace
    pythons = {m: other_python(m) for m in (10, 12)}
    found = {m: p for m, p in pythons.items() if p}
    if not found:
        pytest.skip("neither python3.10 nor python3.12 is installed")
    charm = charms["hyphenated-name"]
    for minor, python in found.items():
        # tox finds python3.X on PATH; pyenv keeps only python3 in some versions' bin
        link_dir = home / f"py3{minor}-bin"
        link_dir.mkdir(exist_ok=True)
        link = link_dir / f"python3.{minor}"
        if not link.exists():
            link.symlink_to(python)
        result = tox(charm, f"py3{minor}", scrubbed_env(home, [link_dir]))
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-4000:]
        assert passed(output) and passed(output)[0] > 0


def test_tox_envs_install_nothing_of_ours_by_name(workspace):
    """tox.ini names reactive-openstack only with a file path, and never charmsmith."""
    _home, charms = workspace
    for charm in charms.values():
        text = (charm / "tox.ini").read_text()
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("reactive-openstack"):
                assert " @ file://" in stripped
            assert not re.match(r"(charmsmith|reactive[-_]openstack)\s*($|[<>=!~])", stripped)
        assert shutil.which("charmsmith", path=scrubbed_env(Path("/")).get("PATH")) is None


needs_charmcraft = pytest.mark.skipif(
    not CHARMCRAFT.exists(),
    reason="no .venv-charmcraft: scripts/setup-toolchain.sh makes it where python3-apt exists",
)


@needs_charmcraft
@pytest.mark.parametrize("name", ANSWER_SETS)
def test_charmcraft_accepts_the_generated_project(workspace, name: str):
    """charmcraft 4.x (PyPI) loads charmcraft.yaml: `platforms` per series, reactive part."""
    import yaml

    home, charms = workspace
    charm = charms[name]
    result = subprocess.run(
        [str(CHARMCRAFT), "expand-extensions"],
        cwd=charm,
        env=scrubbed_env(home),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    project = yaml.safe_load(result.stdout)
    assert set(project["platforms"]) == {"ubuntu@22.04:amd64", "ubuntu@24.04:amd64"}
    part = project["parts"]["charm"]
    assert part["plugin"] == "reactive"
    environment = {k: v for item in part["build-environment"] for k, v in item.items()}
    for key, sub in (("CHARM_LAYERS_DIR", "layers"), ("CHARM_INTERFACES_DIR", "interfaces")):
        assert environment[key] == f"$CRAFT_PART_BUILD/.charmsmith/{sub}"
        assert (charm / ".charmsmith" / sub).is_dir()
    assert "--wheelhouse-overrides" in part["reactive-charm-build-arguments"]


# The `charm` command of the charm snap dispatches `charm SUB` to charm-tools' `charm-SUB`
# (juju/charm-tools snap/snapcraft.yaml); pip's charm-tools has only the charm-SUB scripts.
CHARM_STANDIN = '#!/bin/sh\nsub=$1; shift\nexec charm-"$sub" "$@"\n'

UBUNTU_JAMMY = (
    'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\n'
    "VERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n"
)

# Runs in a private mount namespace (unshare -m), so nothing here is seen outside it.
# * charmcraft's destructive mode packs only for the host's own base, read from os-release
#   (craft_platforms / distro): the namespace sees an Ubuntu 22.04 os-release.
# * craft_parts/utils/os_utils.py is_inside_container(): with /run/.containerenv present
#   craft-parts leaves build-snaps to the prepared environment (there is no snapd here); the
#   prepared environment is the charm-tools stand-in on PATH. /run is a private tmpfs for it.
# * build-packages (git, python3-pip, python3-venv, virtualenv, ...) are Debian packages in
#   requirements/apt.txt, already installed, so apt installs nothing.
PACK_AND_BOOT = """
set -eu
mount --make-rprivate /
mount --bind "$FAKE_OS_RELEASE" /usr/lib/os-release
if [ ! -L /etc/os-release ]; then mount --bind "$FAKE_OS_RELEASE" /etc/os-release; fi
mount -t tmpfs tmpfs /run
: > /run/.containerenv
cd "$CHARM"
charmcraft pack --destructive-mode --platform ubuntu@22.04:amd64
charm_file=$(ls "$CHARM"/*.charm)
mkdir -p "$UNIT/charm"
cd "$UNIT/charm"
/usr/bin/python3 -m zipfile -e "$charm_file" .
JUJU_CHARM_DIR=$PWD /usr/bin/python3 -c 'import sys; sys.path.append("lib")
from charms.layer import charmsmith_bootstrap as b; b.bootstrap()'
../.venv/bin/python -c 'import reactive_openstack, charms.reactive, charmhelpers.core.host
print("hook imports: ok")'
"""


@needs_charmcraft
def test_charmcraft_pack_destructive_mode_packs_a_working_charm(workspace, tmp_path: Path):
    """`charmcraft pack` of a generated charm: runtime in the wheelhouse, hooks' imports work."""
    import yaml

    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for the mount namespace")
    home, charms = workspace
    source = charms["hyphenated-name"]
    charm = tmp_path / source.name
    shutil.copytree(source, charm, ignore=shutil.ignore_patterns(".tox", "*.charm"))
    standin = tmp_path / "standin"
    standin.mkdir()
    (standin / "charm").write_text(CHARM_STANDIN)
    (standin / "charm").chmod(0o755)
    os_release = tmp_path / "os-release"
    os_release.write_text(UBUNTU_JAMMY)
    env = scrubbed_env(home)
    env["PATH"] = os.pathsep.join(
        [str(standin), str(CHARMTOOLS), str(CHARMCRAFT.parent), "/usr/bin", "/bin"]
    )
    env.update(FAKE_OS_RELEASE=str(os_release), CHARM=str(charm), UNIT=str(tmp_path / "unit"))
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", PACK_AND_BOOT],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    (packed,) = charm.glob("*.charm")
    assert packed.name == f"{charm.name}_ubuntu@22.04-amd64.charm"
    assert packed.stat().st_size < 5 * 1024 * 1024
    with zipfile.ZipFile(packed) as archive:
        names = set(archive.namelist())
        manifest = yaml.safe_load(archive.read("manifest.yaml"))
        assert archive.getinfo("hooks/install").external_attr >> 16 & 0o111
    assert manifest["bases"][0]["channel"] == "22.04"
    assert [n for n in names if re.fullmatch(r"wheelhouse/reactive_openstack-[\d.]+\.tar\.gz", n)]
    assert not [n for n in names if n.startswith((".charmsmith/", "parts/", "unit_tests/"))]
    assert "hook imports: ok" in result.stdout


def test_hooks_start_python_without_the_pkg_resources_warning(workspace, tox_runs):
    """The built hook's interpreter flags silence exactly that warning, nothing else.

    tox's py3 env has what a unit's venv has (a setuptools that still
    ships pkg_resources and warns about it), so the control run shows the warning is real.
    """
    import shlex

    _home, charms = workspace
    charm = charms["hyphenated-name"]
    assert tox_runs["hyphenated-name"].returncode == 0
    with zipfile.ZipFile(charm / f"{charm.name}.charm") as archive:
        hook = archive.read("hooks/install").decode()
    exec_line = next(line for line in hook.splitlines() if line.startswith('exec "$py"'))
    words = shlex.split(exec_line)
    flags = words[2 : words.index("-c")]
    assert flags, exec_line
    python = str(charm / ".tox" / "py3" / "bin" / "python")
    code = "import pkg_resources, warnings; warnings.warn('other', UserWarning)"
    control = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    assert "pkg_resources is deprecated" in control.stderr
    hooked = subprocess.run(
        [python, *flags, "-c", code], capture_output=True, text=True, check=False
    )
    assert hooked.returncode == 0, hooked.stderr
    assert "pkg_resources is deprecated" not in hooked.stderr
    assert "UserWarning: other" in hooked.stderr  # other warnings still show


def test_charmsmith_runtime_still_overrides_the_vendored_runtime(workspace):
    home, charms = workspace
    charm = charms["hyphenated-name"]

    def deps(**extra: str) -> str:
        env = {**scrubbed_env(home), **extra}
        argv = [str(TOOLCHAIN / "tox"), "config", "-e", "py3", "-k", "deps"]
        result = subprocess.run(argv, cwd=charm, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    vendored = charm / ".charmsmith" / "runtime" / "reactive-openstack.tar.gz"
    assert f"reactive-openstack @ file://{vendored}" in deps()
    override = str(ROOT / "runtime")
    assert f"reactive-openstack @ file://{override}" in deps(CHARMSMITH_RUNTIME=override)
