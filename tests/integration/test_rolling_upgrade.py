"""Issue 17: an action-managed rolling OpenStack upgrade behind a VIP, on the local model.

Three units of the built sample-api fixture behind hacluster's VIP; openstack-origin moves from
yoga to zed with action-managed-upgrade set; the openstack-upgrade action then runs unit by unit,
the leader last, each between a pause and a resume of the unit's hacluster subordinate (its node
in standby, so the VIP is elsewhere), while a client keeps calling the API through the VIP. No
request may fail, the leader migrates the database once for zed, and every unit ends on zed's
packages.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI

from charmsmith.model.state import ModelState

pytestmark = [pytest.mark.netns, pytest.mark.build]

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)

SYNC = ["sample-manage", "--config-file", "/etc/sample/sample-api.conf", "db_sync"]


class ClientLoop(threading.Thread):
    """GET / through the VIP every 50 ms; counts answers and failures until stopped.

    A request whose connection is cut is sent again once: when a paused node's VIP moves,
    pacemaker drops the address on the old node before it comes up on the new one, cutting what
    was in flight, on a real cluster as here. Each such retry is recorded; only a request that
    fails twice is a failure, and the test bounds the retries by the number of VIP moves.
    """

    def __init__(self, address: str, port: int) -> None:
        super().__init__(daemon=True)
        self.address, self.port = address, port
        self.answers = 0
        self.failures: list[str] = []
        self.retried: list[str] = []
        self.halt = threading.Event()
        self.step = "start"  # what the test is doing, named in each failure

    def _get(self) -> str:
        with socket.create_connection((self.address, self.port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return sock.recv(4096).decode(errors="replace")

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                try:
                    reply = self._get()
                except OSError as exc:
                    self.retried.append(f"{self.step}: {type(exc).__name__}: {exc}")
                    reply = self._get()
                if "stand-in for sample-api" in reply:
                    self.answers += 1
                else:
                    self.failures.append(f"{self.step}: unexpected reply {reply[:80]!r}")
            except OSError as exc:
                self.failures.append(f"{self.step}: {type(exc).__name__}: {exc}")
            time.sleep(0.05)


def _action(cli: CLI, unit: str, name: str, check: bool = True) -> dict:
    proc = cli("run-action", unit, name, check=check)
    return json.loads(proc.stdout[: proc.stdout.rindex("}") + 1])


def _subordinate(cli: CLI, principal: str) -> str:
    units = cli.records().units
    return next(name for name, unit in units.items() if unit.principal == principal)


def _vip_holder(state: ModelState, vip: str) -> str | None:
    """The unit hacluster placed the VIP on (None while it is nowhere)."""
    return (state.applications["hacluster"].peer_state or {})["vips"][vip]["unit"]


def _units(cli: CLI) -> dict:
    return cli.status()["applications"]["sample-api"]["units"]


def test_rolling_openstack_upgrade_behind_the_vip(cli: CLI, sample_charm: Path):
    cli("deploy", str(sample_charm), "-n", "3", "--config", "action-managed-upgrade=true")
    for peer in ("keystone", "mysql", "rabbitmq"):
        cli("deploy", peer)
        cli("relate", "sample-api", peer)
    vip = cli.status()["model"]["subnet"].rsplit(".", 1)[0] + ".250"
    cli("config", "sample-api", f"vip={vip}", "vip_cidr=24")
    cli("deploy", "hacluster")
    cli("relate", "sample-api", "hacluster")
    state = cli.records()
    assert {
        (u.packages or {}).get("sample-api") for n, u in state.units.items() if "sample" in n
    } == {"25.0.0-0ubuntu1"}

    cli("config", "sample-api", "openstack-origin=cloud:jammy-zed")
    assert {u["message"] for u in _units(cli).values()} == {
        "Unit is ready; openstack-upgrade action pending (yoga -> zed)"
    }
    leader = cli.status()["applications"]["sample-api"]["leader"]
    # a paused unit is refused and left as it was
    _action(cli, leader, "pause")
    refused = _action(cli, leader, "openstack-upgrade", check=False)
    assert refused["status"] == "failed"
    assert refused["message"].endswith("the unit is paused: run the resume action first")
    _action(cli, leader, "resume")
    assert (cli.records().units[leader].packages or {}).get("sample-api") == "25.0.0-0ubuntu1"

    client = ClientLoop(vip, 9393)
    client.start()
    try:
        order = sorted(_units(cli), key=lambda name: name == leader)  # the leader last
        for unit in order:
            # the operator's sequence for an HA application: standby first, so the VIP leaves
            hacluster = _subordinate(cli, unit)
            client.step = f"pause {hacluster}"
            _action(cli, hacluster, "pause")
            state = cli.records()
            holder = _vip_holder(state, vip)
            assert holder not in (unit, None)
            assert state.units[hacluster].workload["status"] == "maintenance"
            client.step = f"upgrade {unit}"
            done = _action(cli, unit, "openstack-upgrade")
            assert done["results"] == {"outcome": "upgraded from yoga to zed"}
            if unit != leader:
                assert _units(cli)[unit]["message"] == (
                    "Waiting for the leader to migrate the database to zed"
                )
            client.step = f"resume {hacluster}"
            _action(cli, hacluster, "resume")
            state = cli.records()
            assert state.units[hacluster].workload["status"] == "active"
            # resource-stickiness: resuming does not pull the VIP back
            assert _vip_holder(state, vip) == holder
        time.sleep(2)
    finally:
        client.halt.set()
        client.join()
    assert client.failures == [] and client.answers > 50, (client.answers, client.failures[:5])
    assert len(client.retried) <= 3, client.retried  # at most one cut per VIP move

    units = _units(cli)
    assert {(u["workload-status"], u["message"]) for u in units.values()} == {
        ("active", "Unit is ready")
    }
    status = cli.status()
    assert status["applications"]["sample-api"]["version"] == "26.0.0"
    state = cli.records()
    for name in units:
        assert (state.units[name].packages or {}).get("sample-api") == "26.0.0-0ubuntu1~cloud0"
        conf = cli("ssh", name, "cat /etc/apt/sources.list.d/cloud-archive.list").stdout
        assert "jammy-updates/zed" in conf
    # one migration for the first deployment and one for zed, both on the leader only
    commands = {name: state.units[name].commands or [] for name in units}
    assert commands[leader] == [SYNC, SYNC]
    assert all(not found for name, found in commands.items() if name != leader)
    catalog = json.loads(cli("catalog", "--format", "json").stdout)
    entry = next(iter(catalog.values()))
    assert {entry[f"{kind}_url"] for kind in ("public", "internal", "admin")} == {
        f"http://{vip}:9393"
    }
