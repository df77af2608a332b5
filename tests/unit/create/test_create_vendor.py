"""The charm's .charmsmith/ copy: complete, reproducible, and refreshed by `charmsmith update`."""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from charmsmith.create import answers, history, render, update, vendor

RUNTIME_SRC = Path(__file__).resolve().parents[3] / "runtime" / "src" / "reactive_openstack"


@pytest.fixture
def charm(tmp_path: Path) -> Path:
    resolved = answers.resolve({"charm_name": "widget", "release": "zed"})
    return render.render(resolved, tmp_path / "charms")


def vendored(charm: Path) -> dict[str, bytes]:
    base = charm / vendor.VENDOR_DIR
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}


def test_vendored_tree_holds_every_layer_interface_and_the_runtime(charm: Path):
    files = vendored(charm)
    package = Path(vendor.__file__).resolve().parents[1]
    for kind in ("layers", "interfaces"):
        for src in (package / kind).rglob("*"):
            if src.is_file() and "__pycache__" not in src.parts:
                rel = f"{kind}/{src.relative_to(package / kind).as_posix()}"
                assert files[rel] == src.read_bytes(), rel
    actions = charm / vendor.VENDOR_DIR / "layers/charmsmith-openstack/actions/pause"
    assert actions.stat().st_mode & 0o111, "executables stay executable"
    with tarfile.open(fileobj=io.BytesIO(files[vendor.RUNTIME_SDIST])) as sdist:
        names = sdist.getnames()
    top = names[0].split("/")[0]
    assert f"{top}/PKG-INFO" in names and f"{top}/pyproject.toml" in names
    for src in RUNTIME_SRC.rglob("*.py"):
        rel = src.relative_to(RUNTIME_SRC).as_posix()
        assert f"{top}/src/reactive_openstack/{rel}" in names


def test_manifest_matches_what_was_written(charm: Path):
    files = vendored(charm)
    recorded = vendor.recorded(charm)
    assert set(recorded) == set(files) - {vendor.MANIFEST}
    for rel, digest in recorded.items():
        assert hashlib.sha256(files[rel]).hexdigest() == digest


def test_vendored_bytes_are_reproducible(charm: Path, tmp_path: Path):
    """Same charmsmith, same bytes (no mtimes in the sdist): re-creating changes nothing."""
    again = render.render(answers.resolve({"charm_name": "widget", "release": "zed"}), tmp_path)
    assert vendored(again) == vendored(charm)


def test_vendored_tree_stays_out_of_the_built_charm_and_its_lint(charm: Path):
    assert ".charmsmith" in (charm / "layer.yaml").read_text().split("exclude:")[1]
    assert '".charmsmith"' in (charm / "ruff.toml").read_text()


def test_update_refreshes_an_untouched_stale_copy(charm: Path):
    """A copy written by an older charmsmith (recorded in MANIFEST) is replaced."""
    target = charm / vendor.VENDOR_DIR / "layers/charmsmith-base/layer.yaml"
    current = target.read_bytes()
    stale = b"# as an older charmsmith wrote it\n"
    target.write_bytes(stale)
    manifest = charm / vendor.VENDOR_DIR / vendor.MANIFEST
    manifest.write_text(
        manifest.read_text().replace(
            hashlib.sha256(current).hexdigest(), hashlib.sha256(stale).hexdigest()
        )
    )
    report = update.update_charm(charm)
    assert f"{vendor.VENDOR_DIR}/layers/charmsmith-base/layer.yaml" in report.updated
    assert not report.conflicts
    assert target.read_bytes() == current
    assert hashlib.sha256(current).hexdigest() in manifest.read_text()


def test_update_keeps_an_edited_copy_and_reports_it(charm: Path):
    target = charm / vendor.VENDOR_DIR / "interfaces/keystone/requires.py"
    edited = target.read_bytes() + b"# local fix\n"
    target.write_bytes(edited)
    report = update.update_charm(charm)
    assert any("interfaces/keystone/requires.py" in c for c in report.conflicts)
    assert target.read_bytes() == edited


def test_update_restores_a_deleted_copy(charm: Path):
    target = charm / vendor.VENDOR_DIR / vendor.RUNTIME_SDIST
    original = target.read_bytes()
    target.unlink()
    report = update.update_charm(charm)
    assert f"{vendor.VENDOR_DIR}/{vendor.RUNTIME_SDIST}" in report.added
    assert target.read_bytes() == original


def test_update_from_template_2_adds_the_toolchain(tmp_path: Path):
    """A charm made before vendoring gets .charmsmith/ and the new tox.ini from update."""
    resolved = answers.resolve({"charm_name": "widget", "release": "zed"})
    old_template = history.extract("2", tmp_path / "template-2")
    charm = render.render(resolved, tmp_path / "charms", old_template)
    shutil.rmtree(charm / vendor.VENDOR_DIR)  # version 2 charms never had it
    report = update.update_charm(charm)
    assert (report.from_version, report.to_version) == ("2", render.template_version())
    assert "tox.ini" in report.updated
    assert f"{vendor.VENDOR_DIR}/{vendor.RUNTIME_SDIST}" in report.added
    assert not report.conflicts
    assert "reactive-openstack @ file://" in (charm / "tox.ini").read_text()
    assert not (charm / "tests/bundles/jammy-zed.yaml").read_text().count("latest/edge")
