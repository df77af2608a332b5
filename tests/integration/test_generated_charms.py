"""Generated charms pass their own gates: unit tests, lint, and (slow) `charmsmith build`.

Each answer set in tests/fixtures/answers is one shape users ask for: one and several db-sync
commands, a hyphenated name, the oldest and the newest release, several config files. The
charm's tests run in a separate interpreter, as the charm's tox.ini runs them (lib/ and
reactive/ on the path), so nothing of the charm leaks into this test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from charmsmith.create import answers, answers_file, command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "answers"
ANSWER_SETS = sorted(p.stem for p in FIXTURES.glob("*.yaml"))
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def charms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("generated")
    made = {}
    for name in ANSWER_SETS:
        resolved = answers.resolve(answers_file.load(FIXTURES / f"{name}.yaml"))
        target = root / name / resolved.charm_name
        command.write_charm(resolved, target)
        made[name] = target
    return made


def run_in(charm: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{charm / 'lib'}:{charm / 'reactive'}:{charm}"}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(argv, cwd=charm, env=env, capture_output=True, text=True, check=False)


def test_answer_sets_cover_the_required_shapes():
    loaded = {
        name: answers.resolve(answers_file.load(FIXTURES / f"{name}.yaml")) for name in ANSWER_SETS
    }
    assert len(loaded) >= 5
    assert any(len(a.db_sync_commands) == 1 for a in loaded.values())
    assert any(len(a.db_sync_commands) > 1 for a in loaded.values())
    assert any("-" in a.charm_name for a in loaded.values())
    assert any(len(a.config_files) > 1 for a in loaded.values())
    assert any(a.ceph_pools and a.service_type == "image" for a in loaded.values())
    assert any(len(a.ceph_pools) > 1 for a in loaded.values())
    releases = {a.release for a in loaded.values()}
    assert {"diablo", "flamingo"} <= releases


@pytest.mark.parametrize("name", ANSWER_SETS)
def test_generated_unit_tests_pass(charms: dict[str, Path], name: str):
    result = run_in(
        charms[name], sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "unit_tests"
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.parametrize("name", ANSWER_SETS)
def test_generated_charm_passes_its_lint(charms: dict[str, Path], name: str):
    ruff = str(BIN / "ruff")
    check = run_in(charms[name], ruff, "check", "--no-cache", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = run_in(charms[name], ruff, "format", "--no-cache", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.parametrize("name", ANSWER_SETS)
def test_generated_charm_reproduces_from_its_recorded_answers(
    charms: dict[str, Path], name: str, tmp_path: Path
):
    charm = charms[name]
    again = answers.resolve(answers_file.load(charm / answers_file.ANSWERS_FILE))
    target = tmp_path / charm.name
    command.write_charm(again, target)
    assert command.same_tree(charm, target)


@pytest.mark.build
def test_generated_charms_build_proof_clean(charms: dict[str, Path], tmp_path: Path):
    """One slow test: `charmsmith build` (real charm-tools, offline) for every answer set.

    build_charm raises when `charm proof` reports any warning or error, so success means
    proof-clean.
    """
    from charmsmith.build import build_charm

    for name, charm in charms.items():
        lines: list[str] = []
        built = Path(build_charm(charm, tmp_path / name, binary_wheels=True, progress=lines.append))
        assert (built / "metadata.yaml").exists(), "\n".join(lines[-20:])
        assert (built / "reactive" / f"{charm.name.replace('-', '_')}_handlers.py").exists()
        assert not (built / "unit_tests").exists()
        assert not [ln for ln in lines if ln.strip().startswith(("W:", "E:"))]
