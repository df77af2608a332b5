"""The local model end to end, as root: namespaces, overlays, bridge, real hooks.

The fixture charm's hooks are a Python script calling the compiled hook tools; the acceptance
scenario builds tests/fixtures/sample-api with charmsmith.build and takes it to active.
Every test destroys its model and checks that no namespace, veth or bridge is left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI

pytestmark = pytest.mark.netns

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "model-charm"
SAMPLE = ROOT / "tests" / "fixtures" / "sample-api"

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)


def _get(address: str, port: int) -> str:
    with socket.create_connection((address, port), timeout=3) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        return sock.recv(4096).decode()


def _relate_peers(cli: CLI, app: str) -> None:
    for peer in ("keystone", "mysql", "rabbitmq"):
        cli("deploy", peer)
        cli("relate", app, peer)


def _snapshot(model: Path, unit: str) -> dict[str, str]:
    """Hashes of everything a unit has written (bytecode caches aside)."""
    base = model / "units" / unit.replace("/", "-") / "upper"
    out = {}
    for path in sorted(base.rglob("*")):
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
            out[str(path.relative_to(base))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_fixture_charm_reaches_active_isolated(cli: CLI):
    out = cli("deploy", str(FIXTURE), "-n", "2").stdout
    assert "fixture-api/0: install ok" in out and "fixture-api/1: start ok" in out
    _relate_peers(cli, "fixture-api")
    status = cli.status()
    units = status["applications"]["fixture-api"]["units"]
    assert {u["workload-status"] for u in units.values()} == {"active"}
    assert {u["message"] for u in units.values()} == {"Unit is ready"}
    assert units["fixture-api/0"]["ports"] == ["8080/tcp"] and units["fixture-api/0"]["leader"]
    table = cli("status").stdout
    assert "fixture-api/0*" in table and "Unit is ready" in table

    # both units listen on the same port, each in its own namespace, reachable on the bridge
    addresses = [u["address"] for u in units.values()]
    assert len(set(addresses)) == 2
    for address in addresses:
        assert "stand-in for fixture-api" in _get(address, 8080)

    # the catalog and the rendered config come from the peers
    catalog = json.loads(cli("catalog", "--format", "json").stdout)
    assert catalog["swift"]["public_url"] in [f"http://{a}:8080" for a in addresses]
    conf = cli("ssh", "fixture-api/0", "cat /etc/fixture/fixture.conf").stdout
    state = cli.records()
    secrets = [
        s
        for a in ("keystone", "mysql", "rabbitmq")
        for s in (state.applications[a].peer_state or {})["secrets"].values()
    ]
    assert all(secret in conf for secret in secrets)
    assert f"@{state.units['rabbitmq/0'].address}:5672/openstack" in conf
    assert stat_mode(cli.model / "state.json") == 0o600
    log = (cli.model / "debug-log.txt").read_text() + (cli.model / "hooks.jsonl").read_text()
    assert not any(secret in log for secret in secrets)

    # what the unit sees
    view = cli(
        "ssh",
        "fixture-api/1",
        ". /etc/os-release; echo $ID $VERSION_CODENAME; cat /etc/environment;"
        " test -e /etc/pip.conf || echo no-pip-conf; id -un fixture;"
        " cat /var/lib/juju/agents/unit-fixture-api-1/charm/revision",
    ).stdout.split("\n")
    assert view[0] == "ubuntu jammy"
    assert view[1].startswith('PATH="/var/lib/juju/charmsmith/bin:')
    assert view[2:5] == ["no-pip-conf", "fixture", "0"]
    assert not Path("/etc/fixture").exists()  # nothing leaked to the host

    # hook history: wall time and tool calls per hook
    hooks = json.loads(cli("hooks", "fixture-api/0", "--format", "json").stdout)
    install = next(h for h in hooks if h["hook"] == "install")
    assert install["rc"] == 0 and install["wall"] > 0
    assert ["open-port", "8080/TCP"] in [[c["tool"], *c["args"]] for c in install["calls"]]

    # steady state: update-status changes nothing on disk
    cli("update-status")
    before = _snapshot(cli.model, "fixture-api/0")
    cli("update-status")
    assert _snapshot(cli.model, "fixture-api/0") == before

    # scale down: departed on the other unit, listener gone, leadership moves
    cli("remove-unit", "fixture-api/0")
    status = cli.status()
    assert list(status["applications"]["fixture-api"]["units"]) == ["fixture-api/1"]
    assert status["applications"]["fixture-api"]["leader"] == "fixture-api/1"
    hooks = [
        h["hook"] for h in json.loads(cli("hooks", "fixture-api/1", "--format", "json").stdout)
    ]
    assert "cluster-relation-departed" in hooks and "leader-elected" in hooks


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_failed_hook_is_reported_and_retried(cli: CLI):
    cli("deploy", str(FIXTURE))
    proc = cli("config", "fixture-api", "fail-hook=config-changed", check=False)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("charmsmith: error")]
    assert len(errors) == 1
    assert 'hook "config-changed" failed on fixture-api/0 (exit 3)' in errors[0]
    assert "charmsmith model hooks fixture-api/0" in errors[0]
    unit = cli.status()["applications"]["fixture-api"]["units"]["fixture-api/0"]
    assert unit["agent-status"] == "error"
    assert cli("hooks", "fixture-api/0").stdout.count("failing config-changed on purpose") == 1
    # still failing on retry
    assert cli("run-hook", "fixture-api/0", check=False).returncode == 1
    cli("config", "fixture-api", "fail-hook=")  # queued behind the failed hook
    assert cli.status()["pending-hooks"] == 1  # the same config-changed: coalesced
    out = cli("run-hook", "fixture-api/0").stdout
    assert "config-changed ok" in out
    assert (
        cli.status()["applications"]["fixture-api"]["units"]["fixture-api/0"]["agent-status"]
        == "idle"
    )
    # an action, for the action-* tools
    result = json.loads(cli("run-action", "fixture-api/0", "hello", "name=bob").stdout)
    assert result["results"] == {"greeting": "hello bob", "unit": "fixture-api/0"}


def test_bad_input_is_one_line(cli: CLI, tmp_path: Path):
    unbuilt = tmp_path / "unbuilt"
    unbuilt.mkdir()
    (unbuilt / "metadata.yaml").write_text("name: x\n")
    cases = [
        (["deploy", str(tmp_path / "nope")], "does not exist"),
        (["deploy", str(unbuilt)], "not a built charm (no hooks/)"),
    ]
    for args, message in cases:
        proc = cli(*args, check=False)
        assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and message in proc.stderr
    cli("deploy", str(FIXTURE))
    cli("deploy", "mysql")
    for args, message in [
        (["relate", "fixture-api", "nova"], 'application "nova" not found'),
        (["relate", "fixture-api:nope", "mysql"], 'has no endpoint "nope"'),
        (["relate", "fixture-api:amqp", "mysql:shared-db"], "incompatible endpoints"),
        (["remove-unit", "fixture-api/7"], 'unit "fixture-api/7" not found'),
        (["config", "fixture-api", "port=abc"], 'option "port" expects int'),
    ]:
        proc = cli(*args, check=False)
        assert proc.returncode == 1, args
        assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr


def test_killed_command_leaves_usable_model(cli: CLI):
    cli("deploy", str(FIXTURE))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "charmsmith.cli",
            "model",
            "--model",
            str(cli.model),
            "add-unit",
            "fixture-api",
            "-n",
            "3",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    status = cli.status()  # state parses, lock was released
    assert "fixture-api" in status["applications"]
    cli("update-status")  # drains whatever the killed command left pending
    status = cli.status()
    assert status["pending-hooks"] == 0
    for unit in status["applications"]["fixture-api"]["units"].values():
        assert unit["agent-status"] == "idle"


@pytest.mark.build
def test_acceptance_sample_api(cli: CLI, sample_charm: Path):
    """Issue 5 item 5: build, deploy, relate keystone/mysql/rabbitmq -> active."""
    cli("deploy", str(sample_charm))
    _relate_peers(cli, "sample-api")
    status = cli.status()
    unit = status["applications"]["sample-api"]["units"]["sample-api/0"]
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready"), unit
    address = unit["address"]
    catalog = json.loads(cli("catalog", "--format", "json").stdout)
    entry = next(iter(catalog.values()))
    for iface in ("public", "internal", "admin"):
        assert entry[f"{iface}_url"] == f"http://{address}:9393"
    conf = cli("ssh", "sample-api/0", "cat /etc/sample/sample-api.conf").stdout
    state = cli.records()
    secrets = {
        a: list((state.applications[a].peer_state or {})["secrets"].values())
        for a in ("keystone", "mysql", "rabbitmq")
    }
    mysql_host = state.units["mysql/0"].address
    rabbit_host = state.units["rabbitmq/0"].address
    assert f":{secrets['mysql'][0]}@{mysql_host}" in conf  # database URI
    assert f"password = {secrets['keystone'][0]}" in conf  # keystone credentials
    assert f":{secrets['rabbitmq'][0]}@{rabbit_host}:5672/" in conf  # transport URL
    cli("update-status")
    before = _snapshot(cli.model, "sample-api/0")
    cli("update-status")
    assert _snapshot(cli.model, "sample-api/0") == before
    calls = json.loads(cli("hooks", "sample-api/0", "--format", "json").stdout)[-1]["calls"]
    assert len([c for c in calls if not c["shim"]]) <= 10


def test_hacluster_vip_moves_on_failure(cli: CLI):
    cli("deploy", str(FIXTURE), "-n", "2")
    _relate_peers(cli, "fixture-api")  # so the service renders its config and listens
    subnet = cli.status()["model"]["subnet"]
    vip = subnet.rsplit(".", 1)[0] + ".250"
    cli("config", "fixture-api", f"vip={vip}")
    cli("deploy", "hacluster", "--config", "cluster_count=2")  # two units: the cluster's size
    cli("relate", "fixture-api", "hacluster")
    status = cli.status()
    placed = status["applications"]["hacluster"]["vips"][vip]
    assert placed["unit"] == "fixture-api/0" and placed["plumbed"]
    subs = status["applications"]["fixture-api"]["units"]["fixture-api/0"]["subordinates"]
    assert list(subs) == ["hacluster/0"]
    assert vip in cli("ssh", "fixture-api/0", "ip -br addr show eth0").stdout
    assert "stand-in for fixture-api" in _get(vip, 8080)

    cli("fail", "fixture-api/0")
    status = cli.status()
    assert status["applications"]["hacluster"]["vips"][vip]["unit"] == "fixture-api/1"
    assert status["applications"]["fixture-api"]["leader"] == "fixture-api/1"
    lost = status["applications"]["fixture-api"]["units"]["fixture-api/0"]
    assert (lost["agent-status"], lost["workload-status"]) == ("lost", "unknown")
    # the subordinate's agent ran on the machine that went down
    assert lost["subordinates"]["hacluster/0"]["agent-status"] == "lost"
    assert vip in cli("ssh", "fixture-api/1", "ip -br addr show eth0").stdout
    assert "stand-in for fixture-api" in _get(vip, 8080)
    cli("update-status")  # the down unit runs nothing
    assert cli.status()["pending-hooks"] >= 0


def _server_lines(cli: CLI, unit: str) -> list[str]:
    cfg = cli("ssh", unit, "cat /etc/haproxy/haproxy.cfg").stdout
    return [line.split()[1] for line in cfg.splitlines() if line.startswith("    server ")]


def _answer(address: str, port: int, within: float = 0.0) -> str:
    """A request through haproxy; with `within`, retried until haproxy's checks catch up."""
    deadline = time.monotonic() + within
    while True:
        try:
            reply = _get(address, port)
            if "stand-in for sample-api on sample-api/" in reply:
                return reply
        except OSError:
            pass
        if time.monotonic() >= deadline:
            raise AssertionError(f"no backend answered on {address}:{port}")
        time.sleep(0.5)


@pytest.mark.build
def test_scale_out_and_ha_acceptance(cli: CLI, sample_charm: Path):
    """Issue 6 item 5: haproxy over three units, a VIP keystone advertises, failover, shrink."""
    cli("deploy", str(sample_charm), "-n", "3")
    _relate_peers(cli, "sample-api")
    status = cli.status()
    units = status["applications"]["sample-api"]["units"]
    assert {u["workload-status"] for u in units.values()} == {"active"}
    names = ["sample-api-0", "sample-api-1", "sample-api-2"]
    for unit in units:
        assert _server_lines(cli, unit) == names

    # the real haproxy in every unit balances over every unit's API listener (port N-10)
    answered = set()
    for unit in units.values():
        for _ in range(3):
            answered.add(_answer(unit["address"], 9393).rsplit(" on ", 1)[1].strip())
    assert len(answered) >= 2, answered

    subnet = status["model"]["subnet"]
    vip = subnet.rsplit(".", 1)[0] + ".250"
    cli("config", "sample-api", f"vip={vip}", "vip_cidr=24")
    cli("deploy", "hacluster")
    cli("relate", "sample-api", "hacluster")
    catalog = json.loads(cli("catalog", "--format", "json").stdout)
    entry = next(iter(catalog.values()))
    for iface in ("public", "internal", "admin"):
        assert entry[f"{iface}_url"] == f"http://{vip}:9393"
    status = cli.status()
    subs = [
        sub
        for unit in status["applications"]["sample-api"]["units"].values()
        for sub in unit["subordinates"].values()
    ]
    assert {(s["workload-status"], s["message"]) for s in subs} == {
        ("active", "Unit is ready and clustered")
    }
    holder = status["applications"]["hacluster"]["vips"][vip]["unit"]
    assert holder == status["applications"]["sample-api"]["leader"] == "sample-api/0"
    _answer(vip, 9393)

    # the unit holding the VIP (and leadership) goes down: both move, clients keep working
    cli("fail", holder)
    status = cli.status()
    new_holder = status["applications"]["hacluster"]["vips"][vip]["unit"]
    new_leader = status["applications"]["sample-api"]["leader"]
    assert new_holder != holder and new_leader not in (None, holder)
    _answer(vip, 9393, within=30)
    hooks = json.loads(cli("hooks", new_leader, "--format", "json").stdout)
    assert "leader-elected" in [h["hook"] for h in hooks]

    # remove a live unit: the remaining units' backends shrink
    gone = next(u for u in ("sample-api/1", "sample-api/2") if u != new_leader)
    cli("remove-unit", gone)
    assert _server_lines(cli, new_leader) == [n for n in names if n != gone.replace("/", "-")]

    # the database was synced once for the model, by the first leader only
    state = cli.records()
    syncs = {
        name: unit.commands or []
        for name, unit in state.units.items()
        if name.startswith("sample-api/")
    }
    assert syncs[holder] == [
        ["sample-manage", "--config-file", "/etc/sample/sample-api.conf", "db_sync"]
    ]
    assert all(not commands for name, commands in syncs.items() if name != holder)


@pytest.mark.build
def test_vip_sent_as_ip_only_comes_up_on_the_holder_and_a_replaced_one_is_deleted(
    cli: CLI, sample_charm: Path
):
    """The runtime sends only ip= (upstream's name) because eth0 carries the VIP's network; the
    emulated hacluster finds eth0 itself, and deletes the old resource when the VIP changes."""
    cli("deploy", str(sample_charm))
    _relate_peers(cli, "sample-api")
    subnet = cli.status()["model"]["subnet"]
    prefix = int(subnet.split("/")[1])
    old, new = (subnet.rsplit(".", 1)[0] + f".{n}" for n in (250, 251))
    cli("config", "sample-api", f"vip={old}")  # vip_iface/vip_cidr left at their defaults
    cli("deploy", "hacluster", "--config", "cluster_count=1")  # one unit: the cluster's size
    cli("relate", "sample-api", "hacluster")

    status = cli.status()
    sent = status["applications"]["hacluster"]["resources"]["sample-api/0"]
    old_name = f"res_sample-api_{hashlib.sha1(old.encode()).hexdigest()[:7]}_vip"
    assert sent["resource_params"][old_name].startswith(f'params ip="{old}" meta ')
    assert "res_sample-api_eth0_vip" in sent["delete_resources"]  # the legacy name
    assert len(sent) >= 11  # all CRM sections, and corosync's two keys
    placed = status["applications"]["hacluster"]["vips"][old]
    assert (placed["unit"], placed["nic"], placed["prefix"]) == ("sample-api/0", "eth0", prefix)
    assert f"{old}/{prefix}" in cli("ssh", "sample-api/0", "ip -br addr show eth0").stdout

    cli("config", "sample-api", f"vip={new}")
    cli("update-status")  # a later hook: the deletion is still on the relation
    status = cli.status()
    assert list(status["applications"]["hacluster"]["vips"]) == [new]
    assert (
        old_name
        in status["applications"]["hacluster"]["resources"]["sample-api/0"]["delete_resources"]
    )
    addresses = cli("ssh", "sample-api/0", "ip -br addr show eth0").stdout
    assert f"{new}/{prefix}" in addresses and f"{old}/" not in addresses
