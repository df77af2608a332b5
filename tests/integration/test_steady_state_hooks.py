"""Steady-state hooks: no spurious config change, and a handful of hook-tool calls.

An option without a default used to be absent from the model's `config-get --all` and null in
the stored config, so the config layer raised `config.changed.<opt>` in every hook and the
default config.changed handler re-rendered everything. Two hooks in a row with the same config
must now run no config handler. And since log lines are batched and relation facts kept across
hooks, a hook in which nothing changed makes no more than 15 hook-tool calls.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI

pytestmark = [pytest.mark.netns, pytest.mark.build]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "sample-api"
CONFIG_HANDLER = "reactive_openstack.defaults:config.changed"

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)


STEADY_STATE_CALL_LIMIT = 15


def _last_hook(cli: CLI, unit: str) -> dict:
    return json.loads(cli("hooks", unit, "--format", "json").stdout)[-1]


def _log_lines(cli: CLI, unit: str) -> list[str]:
    """The juju-log messages of the unit's most recent hook."""
    return [" ".join(c["args"]) for c in _last_hook(cli, unit)["calls"] if c["tool"] == "juju-log"]


def _tool_calls(cli: CLI, unit: str) -> list[str]:
    """Hook-tool calls (package and service shims aside) of the unit's most recent hook."""
    return [c["tool"] for c in _last_hook(cli, unit)["calls"] if not c["shim"]]


def test_unchanged_config_runs_no_config_handler(cli: CLI, sample_charm: Path):
    cli("deploy", str(sample_charm))
    for peer in ("keystone", "mysql", "rabbitmq"):
        cli("deploy", peer)
        cli("relate", "sample-api", peer)
    cli("run-hook", "sample-api/0", "config-changed")
    cli("run-hook", "sample-api/0", "config-changed")
    lines = _log_lines(cli, "sample-api/0")
    assert lines, "the hook logged nothing: the test would prove nothing"
    assert not [line for line in lines if CONFIG_HANDLER in line], lines
    assert len(_tool_calls(cli, "sample-api/0")) <= STEADY_STATE_CALL_LIMIT
    assert _tool_calls(cli, "sample-api/0").count("juju-log") == 1
    cli("run-hook", "sample-api/0", "identity-service-relation-changed")
    calls = _tool_calls(cli, "sample-api/0")
    assert len(calls) <= STEADY_STATE_CALL_LIMIT, calls
    assert "relation-get" in calls  # the announced remote is read afresh
    assert cli.status()["applications"]["sample-api"]["units"]["sample-api/0"]["message"] == (
        "Unit is ready"
    )
    cli("config", "sample-api", "debug=true")
    assert any(CONFIG_HANDLER in line for line in _log_lines(cli, "sample-api/0"))


def _restarts(cli: CLI, unit: str) -> list[str]:
    """The services the unit's most recent hook restarted (through the service shim)."""
    calls = _last_hook(cli, unit)["calls"]
    return [c["args"][0] for c in calls if c["tool"] == "service" and "restart" in c["args"]]


def test_steady_state_config_changed_renders_and_restarts_nothing(cli: CLI, sample_charm: Path):
    cli("deploy", str(sample_charm))
    for peer in ("keystone", "mysql", "rabbitmq"):
        cli("deploy", peer)
        cli("relate", "sample-api", peer)
    conf = "cat /etc/sample/sample-api.conf"
    cli("run-hook", "sample-api/0", "config-changed")
    cli("run-hook", "sample-api/0", "config-changed")
    lines = _log_lines(cli, "sample-api/0")
    assert any("nothing rendered" in line for line in lines), lines
    assert _restarts(cli, "sample-api/0") == []
    assert "debug = False" in cli("ssh", "sample-api/0", conf).stdout

    cli("config", "sample-api", "debug=true")
    assert not any("nothing rendered" in line for line in _log_lines(cli, "sample-api/0"))
    assert _restarts(cli, "sample-api/0") == ["sample-api"]
    assert "debug = True" in cli("ssh", "sample-api/0", conf).stdout

    cli("ssh", "sample-api/0", "rm /etc/sample/sample-api.conf")
    cli("run-hook", "sample-api/0", "config-changed")
    assert "debug = True" in cli("ssh", "sample-api/0", conf).stdout
    assert _restarts(cli, "sample-api/0") == ["sample-api"]
