"""Bad input to the `charmsmith` command: one line on stderr, non-zero exit, nothing written.

Each row runs the real command line as a subprocess in a scratch directory holding a charm
source, a built charm, a plain file and a binary file; the scratch tree must be byte-identical
afterwards (no model, output or partial charm created). The read-only rows mount a read-only
tmpfs in a private mount namespace, as a permission bit does not stop root.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHARMSMITH = Path(sys.executable).parent / "charmsmith"
BUILT = ROOT / "tests" / "fixtures" / "model-charm"
LONG = "a" * 300

BUILD = "build src -o out"
DEPLOY = "model --model m deploy built"
META, CONF, LAYER = "src/metadata.yaml", "src/config.yaml", "src/layer.yaml"
BMETA, BCONF = "built/metadata.yaml", "built/config.yaml"

# id: (command line after `charmsmith`, regex the error line must match, files to write over
# the scratch tree)
CASES = {
    "build-metadata-malformed": (BUILD, r"src/metadata.yaml: invalid YAML", {META: "name: [x\n"}),
    "build-metadata-empty": (BUILD, r"metadata.yaml: must be a mapping with .*`name`", {META: ""}),
    "build-metadata-nameless": (BUILD, r"metadata.yaml: name: is required", {META: "summary: s\n"}),
    "build-name-300-chars": (BUILD, r"name: a{20}\.\.\. is 300 char", {META: f"name: {LONG}\n"}),
    "build-config-malformed": (BUILD, r"src/config.yaml: invalid YAML", {CONF: "options: {a: [\n"}),
    "build-config-unknown-type": (
        BUILD,
        r"config.yaml: option 'a': unknown type 'integer'",
        {CONF: "options:\n  a: {type: integer}\n"},
    ),
    "build-config-default-type": (
        BUILD,
        r"config.yaml: option 'a': default '1' is not of type int",
        {CONF: "options:\n  a: {type: int, default: '1'}\n"},
    ),
    "build-layer-malformed": (BUILD, r"src/layer.yaml: invalid YAML", {LAYER: "includes: [a\n"}),
    "build-output-is-a-file": (
        "build src -o afile",
        r"-o/--output-dir: .*/afile is not a directory",
    ),
    "build-output-under-a-file": (
        "build src -o afile/sub",
        r"-o/--output-dir: .*/afile \(on the way to .*/afile/sub\) is not a directory",
    ),
    "build-source-is-a-file": ("build afile -o out", r"afile: not a directory"),
    "build-source-name-too-long": (f"build {LONG} -o out", r"a{300}: File name too long"),
    "deploy-charm-name-too-long": (
        f"model --model m deploy {LONG}",
        r"charm directory .*a{300}: File name too long",
    ),
    "create-name-300-chars": (
        f"create {LONG} --defaults -o out",
        r"charm_name: a{20}\.\.\. is 300 characters long; a charm name has at most 50",
    ),
    "create-binary-answers": (
        "create --answers binary.yaml -o out",
        r"--answers: binary.yaml is not UTF-8 text",
    ),
    "create-output-is-a-file": (
        "create x-api --defaults -o afile",
        r"-o/--output-dir: .*/afile is not a directory",
    ),
    "model-dir-is-a-file": ("model --model afile status", r"--model: .*/afile is not a directory"),
    "model-dir-is-a-file-deploy": (
        "model --model afile deploy built",
        r"--model: .*/afile is not a directory",
    ),
    "deploy-charm-is-a-file": (
        "model --model m deploy afile",
        r"charm directory .*/afile is not a directory",
    ),
    "deploy-metadata-malformed": (
        DEPLOY,
        r"built/metadata.yaml: invalid YAML at line 2",
        {BMETA: "name: [x\n"},
    ),
    "deploy-metadata-empty": (DEPLOY, r"metadata.yaml: must be a mapping", {BMETA: ""}),
    "deploy-metadata-nameless": (DEPLOY, r"metadata.yaml: name: is req", {BMETA: "summary: s\n"}),
    "deploy-config-malformed": (DEPLOY, r"config.yaml: invalid", {BCONF: "options:\n  a: [\n"}),
    "deploy-config-unknown-type": (
        DEPLOY,
        r"option 'a': unknown type 'str'",
        {BCONF: "options:\n  a: {type: str}\n"},
    ),
    "deploy-config-default-type": (
        DEPLOY,
        r"option 'a': default 1 is not of type boolean",
        {BCONF: "options:\n  a: {type: boolean, default: 1}\n"},
    ),
    "deploy-n-0": (f"{DEPLOY} -n 0", r"-n/--num-units must be a positive integer, got 0"),
    "deploy-n-negative": (f"{DEPLOY} -n -2", r"-n/--num-units must be a positive .*got -2"),
    "deploy-peer-n-0": (
        "model --model m deploy mysql -n 0",
        r"-n/--num-units must be a positive integer, got 0",
    ),
    "add-unit-n-0": (
        "model --model m add-unit app -n 0",
        r"-n/--num-units must be a positive integer, got 0",
    ),
    "debug-log-n-negative": (
        "model --model m debug-log -n -5",
        r"-n/--lines must be 0 \(all\) or more, got -5",
    ),
}
READ_ONLY_CASES = {
    "build-output-read-only": ("build src -o ro/out", r"-o/--output-dir: .*/ro is not"),
    "create-output-read-only": (
        "create x-api --defaults -o ro",
        r"-o/--output-dir: .*/ro is not writable",
    ),
    "model-dir-read-only": ("model --model ro/m deploy built", r"--model: .*/ro is not writable"),
}


def _params(cases: dict[str, tuple]) -> list:
    """Each row as (argv, expected, files); a row without files writes none."""
    return [
        pytest.param(command.split(), expected, dict(*files), id=case_id)
        for case_id, (command, expected, *files) in cases.items()
    ]


def _scratch(root: Path, files: dict[str, str]) -> None:
    (root / "src").mkdir()
    (root / "src" / "layer.yaml").write_text("includes: []\n")
    (root / "src" / "metadata.yaml").write_text("name: x\n")
    shutil.copytree(BUILT, root / "built")
    (root / "afile").write_text("not a directory\n")
    (root / "binary.yaml").write_bytes(bytes(range(256)))
    (root / "ro").mkdir()
    for name, text in files.items():
        (root / name).write_text(text)


def _tree(root: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def _run(root: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CHARMSMITH_MODEL"}
    return subprocess.run(
        argv, cwd=root, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("charmsmith: error: ")
    assert re.search(expected, lines[0]), lines[0]


@pytest.mark.parametrize(("argv", "expected", "files"), _params(CASES))
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, argv, expected, files):
    _scratch(tmp_path, files)
    before = _tree(tmp_path)
    result = _run(tmp_path, [str(CHARMSMITH), *argv])
    _assert_one_line_error(result, expected)
    assert _tree(tmp_path) == before


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None


@pytest.mark.skipif(not _can_mount(), reason="needs root and unshare for a read-only mount")
@pytest.mark.parametrize(("argv", "expected", "files"), _params(READ_ONLY_CASES))
def test_read_only_output_is_one_line_and_writes_nothing(tmp_path, argv, expected, files):
    _scratch(tmp_path, files)
    before = _tree(tmp_path)
    mount_ro = 'mount -t tmpfs -o ro charmsmith-test ro && exec "$@"'
    wrapper = ["unshare", "--mount", "sh", "-c", mount_ro, "sh"]
    result = _run(tmp_path, [*wrapper, str(CHARMSMITH), *argv])
    _assert_one_line_error(result, expected)
    assert _tree(tmp_path) == before
