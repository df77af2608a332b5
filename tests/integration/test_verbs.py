"""Juju verbs on the local model, as root with real hooks: remove-relation, resolved,
remove-unit --force, and run-hook's refusal of anything but the charm's hook names."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI

pytestmark = pytest.mark.netns

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "model-charm"

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)


def _hooks(cli: CLI, unit: str) -> list[dict]:
    return json.loads(cli("hooks", unit, "--format", "json").stdout)


def _unit(cli: CLI, unit: str) -> dict:
    return cli.status()["applications"][unit.split("/")[0]]["units"][unit]


def test_remove_relation_order_peers_forget_status_and_recovery(cli: CLI):
    cli("deploy", str(FIXTURE), "-n", "2")
    for peer in ("keystone", "mysql", "rabbitmq"):
        cli("deploy", peer)
        cli("relate", "fixture-api", peer)
    assert {_unit(cli, f"fixture-api/{n}")["workload-status"] for n in (0, 1)} == {"active"}
    assert "swift" in json.loads(cli("catalog", "--format", "json").stdout)
    seen = {u: len(_hooks(cli, u)) for u in ("fixture-api/0", "fixture-api/1")}

    out = cli("remove-relation", "fixture-api", "rabbitmq").stdout
    assert "removing relation fixture-api:amqp rabbitmq:amqp" in out
    for unit, before in seen.items():
        new = [(h["hook"], h.get("remote_unit")) for h in _hooks(cli, unit)[before:]]
        amqp = [h for h in new if h[0].startswith("amqp-")]
        # Juju's order: -departed for each remote unit the unit saw, then -broken
        assert amqp == [("amqp-relation-departed", "rabbitmq/0"), ("amqp-relation-broken", None)]
        status = _unit(cli, unit)
        assert (status["workload-status"], status["message"]) == (
            "blocked",
            "Missing relations: amqp",
        )
    state = cli.records()
    assert all(r.interface != "rabbitmq" for r in state.relations.values())
    assert (state.applications["rabbitmq"].peer_state or {}).get("users") == {}  # user dropped
    assert "amqp" not in cli.status()["applications"]["fixture-api"]["relations"]

    cli("remove-relation", "fixture-api:identity-service", "keystone:identity-service")
    assert json.loads(cli("catalog", "--format", "json").stdout) == {}  # endpoints deleted
    rels = cli.records().relations.values()
    rid = next(r.id for r in rels if r.interface == "mysql-shared")
    cli("remove-relation", str(rid))
    grants = (cli.records().applications["mysql"].peer_state or {})["databases"]["fixture"]
    assert grants == {}
    missing = cli("remove-relation", "fixture-api", "rabbitmq", check=False)
    assert missing.returncode == 1 and "no relation between fixture-api and rabbitmq" in (
        missing.stderr
    )

    for peer in ("rabbitmq", "keystone", "mysql"):
        cli("relate", "fixture-api", peer)
    for n in (0, 1):
        status = _unit(cli, f"fixture-api/{n}")
        assert (status["workload-status"], status["message"]) == ("active", "Unit is ready")
    assert "swift" in json.loads(cli("catalog", "--format", "json").stdout)


def test_remove_relation_between_charms_says_goodbye_on_both_sides(cli: CLI):
    cli("deploy", str(FIXTURE))
    cli("deploy", str(FIXTURE), "web")
    cli("relate", "fixture-api:backend", "web:website")
    before = {u: len(_hooks(cli, u)) for u in ("fixture-api/0", "web/0")}
    cli("remove-relation", "web", "fixture-api")
    expected = {
        "fixture-api/0": [
            ("backend-relation-departed", "web/0"),
            ("backend-relation-broken", None),
        ],
        "web/0": [
            ("website-relation-departed", "fixture-api/0"),
            ("website-relation-broken", None),
        ],
    }
    for unit, count in before.items():
        new = [(h["hook"], h.get("remote_unit")) for h in _hooks(cli, unit)[count:]]
        assert new == expected[unit]
    assert not [r for r in cli.records().relations.values() if r.interface == "http"]


def test_resolved_retries_or_skips_and_run_hook_takes_hook_names_only(cli: CLI):
    failed = cli("deploy", str(FIXTURE), "--config", "fail-hook=install", check=False)
    assert failed.returncode == 1
    assert _unit(cli, "fixture-api/0")["agent-status"] == "error"
    again = cli("resolved", "fixture-api/0", check=False)  # retried: fails the same way
    assert again.returncode == 1 and "retrying install" in again.stdout
    assert [h["hook"] for h in _hooks(cli, "fixture-api/0")] == ["install", "install"]
    cli("config", "fixture-api", "fail-hook=")  # queued behind the failed install
    cli("resolved", "fixture-api/0")
    hooks = [h["hook"] for h in _hooks(cli, "fixture-api/0")]
    assert hooks[:3] == ["install", "install", "install"] and "start" in hooks
    assert _unit(cli, "fixture-api/0")["agent-status"] == "idle"
    idle = cli("resolved", "fixture-api/0", check=False)
    assert idle.returncode == 1 and 'unit "fixture-api/0" is not in an error state' in idle.stderr

    assert cli("config", "fixture-api", "fail-hook=update-status", check=False).returncode == 0
    assert cli("update-status", "fixture-api/0", check=False).returncode == 1
    skipped = cli("resolved", "fixture-api/0", "--no-retry")
    assert "update-status marked resolved, not run again" in skipped.stdout
    assert [h["hook"] for h in _hooks(cli, "fixture-api/0")].count("update-status") == 1
    assert _unit(cli, "fixture-api/0")["agent-status"] == "idle"
    assert cli.status()["pending-hooks"] == 0

    for bad, rule in [
        ("../../../../bin/sh", "give a hook name, not a path"),
        ("hooks/install", "give a hook name, not a path"),
        ("no-such-hook", "fixture-api/0's charm has no such hook"),
        ("db-relation-joined", "fixture-api/0's charm has no such hook"),
    ]:
        proc = cli("run-hook", "fixture-api/0", bad, check=False)
        assert proc.returncode == 1 and rule in proc.stderr, proc.stderr
        assert len(proc.stderr.splitlines()) == 1
    assert [h["hook"] for h in _hooks(cli, "fixture-api/0")].count("update-status") == 1
    cli("config", "fixture-api", "fail-hook=")
    assert "upgrade-charm ok" in cli("run-hook", "fixture-api/0", "upgrade-charm").stdout


def test_remove_unit_force_removes_a_unit_whose_install_failed(cli: CLI):
    cli("deploy", str(FIXTURE))
    cli("config", "fixture-api", "fail-hook=install")
    assert cli("add-unit", "fixture-api", check=False).returncode == 1
    assert _unit(cli, "fixture-api/1")["agent-status"] == "error"
    before = len(_hooks(cli, "fixture-api/0"))
    cli("remove-unit", "fixture-api/1")  # Juju: the unit stays in error, removal waits
    assert "fixture-api/1" in cli.status()["applications"]["fixture-api"]["units"]
    state = cli.records()
    netns = f"/run/netns/cs{state.id}-{state.units['fixture-api/1'].index}"
    assert Path(netns).exists()

    out = cli("remove-unit", "--force", "fixture-api/1").stdout
    assert "removed fixture-api/1 (forced)" in out
    assert list(cli.status()["applications"]["fixture-api"]["units"]) == ["fixture-api/0"]
    assert not Path(netns).exists()
    assert not (cli.model / "units" / "fixture-api-1").exists()
    assert [h["hook"] for h in _hooks(cli, "fixture-api/1")] == ["install"]  # nothing else ran
    # it never got past its install, so it never entered scope: no one saw it join or depart
    assert _hooks(cli, "fixture-api/0")[before:] == []
    assert "fixture-api/1" not in json.dumps(cli.state()["relations"])
