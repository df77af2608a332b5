"""Names and paths the model accepts; `destroy` on a model whose state is not what it expects."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from model_cli import ModelCLI

from charmsmith.errors import CharmsmithError
from charmsmith.model import names
from charmsmith.model.harness import tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
needs_root_ip = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip"), reason="needs root and iproute2"
)


@pytest.mark.parametrize(
    "name",
    ["a", "keystone", "my-app", "app2", "a-b2c", "web-2x", "x1-y", "a" * names.APP_NAME_MAX],
)
def test_juju_accepts(name: str):
    assert names.check_app_name(name) == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "lowercase letters"),
        ("App", "lowercase letters"),
        ("2app", "starting with a letter"),
        ("-app", "starting with a letter"),
        ("app-", "single hyphens"),
        ("app--x", "single hyphens"),
        ("app-2", "every word after a hyphen has a letter"),
        ("a-1-b", "every word after a hyphen has a letter"),
        ("my_app", "lowercase letters"),
        ("a/b", "lowercase letters"),
        ("../x", "lowercase letters"),
        ("a" * (names.APP_NAME_MAX + 1), "the limit is 63"),
        ("a" * 300, "is 300 characters long"),
    ],
)
def test_juju_refuses(name: str, rule: str):
    with pytest.raises(CharmsmithError, match=rule) as caught:
        names.check_app_name(name)
    assert "\n" not in str(caught.value)


def test_hook_names_are_the_charms_hooks_only():
    meta = json.loads(json.dumps({"requires": {"amqp": {"interface": "rabbitmq"}}}))
    meta["storage"] = {"data": {"type": "filesystem"}}
    assert names.check_hook_name(meta, "a/0", "amqp-relation-broken") == "amqp-relation-broken"
    assert names.check_hook_name(meta, "a/0", "data-storage-attached")
    assert names.check_hook_name(meta, "a/0", "post-series-upgrade")
    for bad in ("../../../bin/sh", "hooks/install", "/bin/true", "."):
        with pytest.raises(CharmsmithError, match="not a path"):
            names.check_hook_name(meta, "a/0", bad)
    for unknown in ("instal", "shared-db-relation-joined", "amqp-relation-exploded"):
        with pytest.raises(CharmsmithError, match="has no such hook"):
            names.check_hook_name(meta, "a/0", unknown)


def _harness_model(model_dir: Path) -> ModelCLI:
    """A saved model with the fixture app and one unit (no namespaces: nothing to run)."""
    with tool_session(model_dir, CHARM) as s:
        s.model.store.save()
    return ModelCLI(model_dir)


def test_300_character_name_is_refused_and_nothing_is_recorded(tmp_path: Path):
    cli = _harness_model(tmp_path / "m")
    before = (cli.model / "state.json").read_bytes()
    units_before = sorted(p.name for p in (cli.model / "units").glob("*"))
    for charm in (str(CHARM), "keystone"):
        proc = cli("deploy", charm, "a" * 300, check=False)
        assert proc.returncode == 1
        assert proc.stderr.startswith('charmsmith: error: application name "aaaa')
        assert "300 characters long: the limit is 63" in proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
        assert (cli.model / "state.json").read_bytes() == before
        assert sorted(p.name for p in (cli.model / "units").glob("*")) == units_before
    assert cli("status").returncode == 0  # later commands still work
    fresh = ModelCLI(tmp_path / "fresh")
    assert fresh("deploy", "keystone", "Bad_Name", check=False).returncode == 1
    assert not fresh.model.exists()  # a refused first deploy creates no model


def test_failed_operation_records_nothing(tmp_path: Path):
    cli = _harness_model(tmp_path / "m")
    before = cli.state()
    proc = cli("remove-unit", "fixture-api/0", "fixture-api/9", check=False)
    assert proc.returncode == 1 and 'unit "fixture-api/9" not found' in proc.stderr
    assert cli.state() == before  # fixture-api/0 is not left dying with stop/remove queued


@pytest.mark.parametrize(
    "where", ["/etc/cs-test-model", "/root/cs-test-model", "/var/lib/cs-test-model"]
)
def test_system_model_dir_is_refused_for_peers(where: str):
    assert not Path(where).exists()
    try:
        proc = ModelCLI(Path(where))("deploy", "keystone", check=False)
        assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
        assert proc.stderr.startswith(f"charmsmith: error: model directory {where}: it is inside")
        assert not Path(where).exists()
    finally:  # a regression must not leave a model (and its bridge) in a system location
        if (Path(where) / "state.json").exists():
            bridge = json.loads((Path(where) / "state.json").read_text())["bridge"]
            subprocess.run(["ip", "link", "del", bridge], capture_output=True, check=False)
        shutil.rmtree(where, ignore_errors=True)


@pytest.mark.parametrize("where", ["/", "/root", "/tmp", "/etc", "/usr/local/m", "/proc/1"])
def test_model_dir_rules(where: str, tmp_path: Path):
    with pytest.raises(CharmsmithError, match=f"model directory {where}: "):
        names.check_model_dir(Path(where))
    assert names.check_model_dir(tmp_path / "m") == tmp_path / "m"


@needs_root_ip
def test_destroy_copes_with_inconsistent_state(tmp_path: Path):
    cli = _harness_model(tmp_path / "m")
    state = cli.state()
    state["units"]["ghost/0"] = "not a unit record"
    state["units"]["odd/1"] = {"app": "gone", "netns": "/run/netns/nothing-here"}  # no name/index
    state["relations"]["7"] = {"endpoints": "garbage"}
    state["applications"]["gone-too"] = {"units": ["nobody/0"]}
    (cli.model / "state.json").write_text(json.dumps(state))
    stray = f"cs{state['id']}-99"  # a namespace of this model that the state does not list
    subprocess.run(["ip", "netns", "add", stray], check=True)
    try:
        proc = cli("destroy", check=False)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "could not remove: unit entry 'ghost/0' is not a unit record" in proc.stderr
        assert "could not remove: unit odd/1:" in proc.stderr
        assert f"destroyed model {cli.model}" in proc.stdout
        assert not cli.model.exists()
        assert not Path("/run/netns", stray).exists()
    finally:
        subprocess.run(["ip", "netns", "del", stray], capture_output=True, check=False)


@needs_root_ip
def test_destroy_copes_with_unreadable_state(tmp_path: Path):
    cli = _harness_model(tmp_path / "m")
    (cli.model / "state.json").write_text('{"id": "abc123", "units": {')  # torn by hand
    proc = cli("destroy", check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "state.json is unreadable: removing what can be found without it" in proc.stdout
    assert not cli.model.exists()
    missing = ModelCLI(tmp_path / "never")("destroy", check=False)
    assert missing.returncode == 1 and "no model at" in missing.stderr


@needs_root_ip
def test_destroy_leaves_files_that_are_not_the_models(tmp_path: Path):
    cli = _harness_model(tmp_path / "m")
    (cli.model / "notes.txt").write_text("mine\n")
    proc = cli("destroy", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"could not remove: {cli.model / 'notes.txt'}: not a model file" in proc.stderr
    assert "is only partly destroyed" in proc.stderr.splitlines()[-1]
    assert sorted(p.name for p in cli.model.iterdir()) == ["notes.txt"]
