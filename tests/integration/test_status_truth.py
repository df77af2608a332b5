"""Issue 11 point 3 on a real model: the status tells the truth after a config change.

sample-api (built from tests/fixtures/sample-api) runs the real haproxy in its unit. A config
haproxy rejects must not leave "Unit is ready" behind; a value the runtime's rules reject
blocks the unit naming the option and changes nothing else; `config --reset` brings the
defaults back; a VIP is advertised only once hacluster reports the cluster formed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI
from model_cli import listening

pytestmark = [pytest.mark.netns, pytest.mark.build]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "sample-api"
UNIT = "sample-api/0"
PORT = 9393  # haproxy's frontend; the API stand-in listens on 9383
CLOSED = f"Ports which should be open, but are not: {PORT}"

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)
if not Path("/usr/sbin/haproxy").exists():
    pytest.skip("needs the haproxy binary (the unit runs the real one)", allow_module_level=True)


def _unit(cli: CLI) -> dict:
    return cli.status()["applications"]["sample-api"]["units"][UNIT]


def _files(cli: CLI) -> str:
    return cli("ssh", UNIT, "cat /etc/sample/sample-api.conf /etc/haproxy/haproxy.cfg").stdout


def _restarts(cli: CLI) -> int:
    log = cli.records().units[UNIT].service_log or []
    return len([verb for verb, _ in log if verb in ("start", "restart", "reload")])


def _catalog_hosts(cli: CLI) -> set[str]:
    entry = next(iter(json.loads(cli("catalog", "--format", "json").stdout).values()))
    return {entry[f"{kind}_url"].split("//")[1].rsplit(":", 1)[0] for kind in ("public", "admin")}


def test_status_tells_the_truth_after_config_changes(cli: CLI, sample_charm: Path):
    cli("deploy", str(sample_charm))
    for peer in ("keystone", "mysql", "rabbitmq"):
        cli("deploy", peer)
        cli("relate", "sample-api", peer)
    unit = _unit(cli)
    address = unit["address"]
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready")
    assert listening(address, PORT)

    # the repro: haproxy refuses the config, so nothing answers on its port - and status says so
    cli("config", "sample-api", "haproxy-client-timeout=-1")
    unit = _unit(cli)
    assert unit["workload-status"] == "blocked", unit
    assert unit["message"] == f"haproxy restart failed; {CLOSED}"
    assert not listening(address, PORT)
    cli("update-status")  # later hooks still see it: haproxy is not running
    assert _unit(cli)["message"] == f"Services not running that should be: haproxy; {CLOSED}"

    # --reset: the option has no default, so it is unset and the template's 90000 ms returns
    cli("config", "sample-api", "--reset", "haproxy-client-timeout")
    assert "haproxy-client-timeout" not in json.loads(cli("config", "sample-api").stdout)
    unit = _unit(cli)
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready")
    assert "timeout client 90000" in _files(cli)
    assert listening(address, PORT)

    # a bad vip blocks naming it, and nothing is rendered, restarted or re-registered
    files, restarts, hosts = _files(cli), _restarts(cli), _catalog_hosts(cli)
    cli("config", "sample-api", "vip=10.0.0", "worker-multiplier=4")
    unit = _unit(cli)
    assert (unit["workload-status"], unit["message"]) == (
        "blocked",
        "config vip: '10.0.0' is not an IP address",
    )
    assert _files(cli) == files and _restarts(cli) == restarts and _catalog_hosts(cli) == hosts
    assert listening(address, PORT)  # the service keeps running on the last good config
    cli("config", "sample-api", "--reset", "vip,worker-multiplier")
    unit = _unit(cli)
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready")

    # a valid vip is advertised only once hacluster reports the cluster formed
    vip = cli.status()["model"]["subnet"].rsplit(".", 1)[0] + ".250"
    cli("config", "sample-api", f"vip={vip}")
    assert _catalog_hosts(cli) == {address}
    cli("deploy", "hacluster")  # cluster_count 3 by default, as charm-hacluster
    cli("relate", "sample-api", "hacluster")
    # one unit never forms a 3-node cluster: no VIP, and each side says so truthfully
    assert _catalog_hosts(cli) == {address}
    unit = _unit(cli)
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready")
    sub = unit["subordinates"]["hacluster/0"]
    assert (sub["workload-status"], sub["message"]) == (
        "blocked",
        "Insufficient peer units for ha cluster (require 3)",
    )
    assert cli.status()["applications"]["hacluster"]["vips"] == {}
    cli("config", "hacluster", "cluster_count=1")  # as a real operator of one unit would
    assert _catalog_hosts(cli) == {vip}


def test_config_errors_are_one_line_and_change_nothing(cli: CLI, sample_charm: Path):
    cli("deploy", str(sample_charm), "--config", "region=RegionTwo")
    before = cli.records().applications["sample-api"].config
    for args, message in (
        (["--reset", "region", "region=x"], 'cannot set and reset option "region" in one command'),
        (["--reset", "nope"], 'unknown option "nope" for application "sample-api"'),
        (["--reset", "region=x"], '--reset takes option names (KEY[,KEY]), got "region=x"'),
        (["--reset", "region", "vip_cidr=x"], 'option "vip_cidr" expects int, got "x"'),
    ):
        proc = cli("config", "sample-api", *args, check=False)
        assert proc.returncode == 1 and proc.stderr == f"charmsmith: error: {message}\n", proc
        assert cli.records().applications["sample-api"].config == before
    assert cli.status()["pending-hooks"] == 0


def test_a_bad_reset_is_refused_before_any_model_is_touched(tmp_path: Path):
    cli = CLI(tmp_path / "none")
    proc = cli("config", "app", "--reset", "a,,b", check=False)
    assert proc.returncode == 1
    assert proc.stderr == 'charmsmith: error: --reset takes option names (KEY[,KEY]), got "a,,b"\n'
    assert not cli.model.exists()
