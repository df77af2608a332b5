"""`charmsmith build` failures: the previous output survives, and errors are one line.

Most tests stand a shell script in for charm-build (it honours --output-dir like the real one),
so each failure mode is exact and fast; one test runs the real charm-build on a layer.yaml of
the wrong shape, which charm-tools answers with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from charmsmith import build
from charmsmith.errors import CharmsmithError

FAKE_BUILD = """#!/bin/sh
# Stand-in for charm-build: writes OUT/x like the real one, then behaves as ./mode says.
while [ $# -gt 1 ]; do
  [ "$1" = --output-dir ] && out="$2"
  shift
done
mode=$(cat "$(dirname "$0")/mode")
echo "build: Destination charm directory: $out/x"
mkdir -p "$out/x/hooks"
echo "partial $mode" > "$out/x/hooks/install"
case "$mode" in
  ok*) echo "name: x" > "$out/x/metadata.yaml"; echo "$mode" > "$out/x/version"; exit 0 ;;
  crash)
    echo "build: Processing layer: x"
    echo "Traceback (most recent call last):"
    echo '  File "/venv/charmtools/build/config.py", line 57, in configure'
    echo "    data = yaml.safe_load(config_file.open())"
    echo "ruamel.yaml.parser.ParserError: while parsing a flow sequence"
    echo '  in "/src/layer.yaml", line 1, column 11'
    exit 1 ;;
  *) echo "build: something went wrong"; exit 1 ;;
esac
"""


@pytest.fixture
def charm_src(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "layer.yaml").write_text("includes: []\n")
    (src / "metadata.yaml").write_text("name: x\n")
    return src


@pytest.fixture
def fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Set the fake charm-build's behaviour for the next build: ok-<tag>, crash or fail."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "charm-build").write_text(FAKE_BUILD)
    (fake / "charm-build").chmod(0o755)
    (fake / "virtualenv").write_text("#!/bin/sh\nexit 0\n")
    (fake / "virtualenv").chmod(0o755)
    monkeypatch.setattr(build, "_tool", lambda name: fake / name)
    monkeypatch.setattr(build, "seed_env", lambda _progress: {})
    return lambda mode: (fake / "mode").write_text(mode)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _build(src: Path, out: Path, shown: list[str] | None = None) -> Path:
    progress = shown.append if shown is not None else (lambda _line: None)
    return build.build_charm(src, out, binary_wheels=True, progress=progress)


def test_failed_build_keeps_the_previous_output_byte_identical(charm_src, fake_build, tmp_path):
    out = tmp_path / "out"
    fake_build("ok-1")
    target = _build(charm_src, out)
    before = _tree(target)
    assert before["version"] == b"ok-1\n"

    for mode in ("fail", "crash"):
        fake_build(mode)
        with pytest.raises(CharmsmithError, match="is unchanged; full log:"):
            _build(charm_src, out)
        assert _tree(target) == before, mode
        # only the charm and the failed build's log: no staging directory is left behind
        assert sorted(p.name for p in out.iterdir()) == ["x", "x.build.log"]

    fake_build("ok-2")
    _build(charm_src, out)
    assert _tree(target)["version"] == b"ok-2\n"
    assert sorted(p.name for p in out.iterdir()) == ["x"]  # the stale log is gone too


def test_traceback_is_reduced_to_its_cause_and_kept_in_a_log(charm_src, fake_build, tmp_path):
    fake_build("crash")
    shown: list[str] = []
    with pytest.raises(CharmsmithError) as caught:
        _build(charm_src, tmp_path / "out", shown)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        'charm-build failed (exit 1): ParserError: while parsing a flow sequence in "/src/'
        'layer.yaml", line 1, column 11;'
    )
    log = tmp_path / "out" / "x.build.log"
    assert message.endswith(f"full log: {log}")
    assert "Traceback (most recent call last):" in log.read_text()
    assert "config.py" in log.read_text()
    assert log.stat().st_mode & 0o077 == 0
    assert "build: Processing layer: x" in shown
    assert not any("Traceback" in line or "File " in line for line in shown)


def test_real_charm_build_traceback_on_a_bad_layer_yaml_is_one_line(
    charm_src, tmp_path, monkeypatch
):
    monkeypatch.setattr(build, "seed_env", lambda _progress: {})  # no download
    (charm_src / "layer.yaml").write_text("includes: 5\n")  # valid YAML, wrong shape
    with pytest.raises(CharmsmithError) as caught:
        _build(charm_src, tmp_path / "out")
    message = str(caught.value)
    assert "\n" not in message
    assert "TypeError: 'int' object is not iterable" in message
    log = tmp_path / "out" / "x.build.log"
    assert "Traceback (most recent call last):" in log.read_text()
    assert not (tmp_path / "out" / "x").exists()


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("layer.yaml", "includes: [a\noptions: {\n", r"layer.yaml: invalid YAML at line 2"),
        ("layer.yaml", "- a\n- b\n", r"layer.yaml: must be a mapping"),
        ("metadata.yaml", "name: [x\n", r"metadata.yaml: invalid YAML at line 2"),
        ("metadata.yaml", "", r"metadata.yaml: must be a mapping with at least `name`"),
        ("metadata.yaml", "summary: s\n", r"metadata.yaml: name: is required"),
        ("metadata.yaml", f"name: {'a' * 300}\n", r"name: a{20}\.\.\. is 300 characters"),
        ("config.yaml", "options: {a: [\n", r"config.yaml: invalid YAML"),
        ("config.yaml", "options:\n  a: {type: integer}\n", r"option 'a': unknown type"),
        ("config.yaml", "options:\n  a: {type: int, default: x}\n", r"option 'a': default"),
    ],
)
def test_bad_source_files_fail_before_charm_build_runs(
    charm_src, fake_build, tmp_path, filename, content, expected
):
    fake_build("ok-1")
    (charm_src / filename).write_text(content)
    with pytest.raises(CharmsmithError, match=expected) as caught:
        _build(charm_src, tmp_path / "out")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_the_result_line_reports_the_built_charms_size(charm_src, fake_build, tmp_path, capsys):
    """The build report ends with the built charm's size, what a deploy copies to the unit."""
    fake_build("ok-size")
    from charmsmith.cli import main

    assert main(["build", str(charm_src), "-o", str(tmp_path / "out"), "-q"]) == 0
    built = tmp_path / "out" / "x"
    kib = build.tree_size(built) // 1024
    assert build.tree_size(built) == sum(p.stat().st_size for p in built.rglob("*") if p.is_file())
    assert f"built {built} ({kib} KiB) in " in capsys.readouterr().out
