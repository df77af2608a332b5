"""Ceph in the local model: a generated glance related to the emulated ceph-mon peer.

The charm comes from `charmsmith create` (tests/fixtures/answers/glance-ceph-store.yaml, whose
`ceph_pools: [glance]` asks for a replicated pool) and the real charm-tools build. The peer's
broker answers the unit's real request: the pool is recorded, the unit renders ceph.conf, its
keyring and glance's rbd store, and goes back to a truthful status when the relation goes.
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
ANSWERS = ROOT / "tests" / "fixtures" / "answers" / "glance-ceph-store.yaml"

if os.geteuid() != 0 or not shutil.which("ip"):
    pytest.skip("needs root and iproute2", allow_module_level=True)


@pytest.fixture(scope="module")
def glance(build_generated) -> Path:
    return build_generated(ANSWERS, "glance")


def _unit(cli: CLI) -> dict:
    return cli.status()["applications"]["glance"]["units"]["glance/0"]


def test_the_broker_grants_the_pool_and_the_unit_uses_it(cli: CLI, glance: Path, deploy_with_peers):
    deploy_with_peers(glance, "glance", "--config", "openstack-origin=cloud:jammy-caracal")
    before = _unit(cli)
    assert before["workload-status"] == "blocked" and "ceph" in before["message"], before

    cli("deploy", "ceph-mon", "-n", "2")
    cli("relate", "glance:ceph", "ceph-mon:client")
    unit = _unit(cli)
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready"), unit

    state = cli.records()
    mon = state.applications["ceph-mon"]
    assert (mon.peer_state or {})["pools"]["glance"] == {
        "size": 3,
        "application": "rbd",
        "target_size_ratio": 0.1,
    }
    rel = next(r for r in state.relations.values() if "ceph-mon" in {e.app for e in r.endpoints})
    request = json.loads(rel.unit_data["glance/0"]["broker_req"])
    answer = json.loads(rel.unit_data["ceph-mon/0"]["broker-rsp-glance-0"])
    assert answer == {"exit-code": 0, "request-id": request["request-id"]}

    conf = cli("ssh", "glance/0", "cat /etc/ceph/ceph.conf").stdout
    mons = sorted(state.units[u].address for u in mon.units)
    hosts = next(line for line in conf.splitlines() if line.startswith("mon host"))
    assert sorted(hosts.split("=", 1)[1].replace(",", " ").split()) == mons
    keyring = "/etc/ceph/ceph.client.glance.keyring"
    shown = cli("ssh", "glance/0", f"stat -c '%U:%G %a' {keyring}; cat {keyring}").stdout
    assert shown.startswith("root:glance 640")
    assert (mon.peer_state or {})["secrets"]["cephx:client.glance"] in shown
    store = cli("ssh", "glance/0", "cat /etc/glance/glance-api.conf").stdout
    assert "rbd_store_pool = glance" in store and "rbd_store_user = glance" in store

    cli("remove-relation", "glance:ceph", "ceph-mon:client")
    after = _unit(cli)
    assert after["workload-status"] == "blocked" and "ceph" in after["message"], after
    listed = cli("ssh", "glance/0", "ls -A /etc/ceph", check=False).stdout
    assert "ceph.client.glance.keyring" not in listed and "ceph.conf" not in listed
    store = cli("ssh", "glance/0", "cat /etc/glance/glance-api.conf").stdout
    assert "rbd_store_pool" not in store
