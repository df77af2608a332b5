"""The ceph-mon peer's real backend: a single-node Ceph the broker really works on.

Issue 16 item 4. `charmsmith model deploy ceph-mon --backend real` bootstraps Debian's Ceph 16.2
(mon, mgr, one bluestore OSD) on the peer's bridge address; the broker's create-pool makes a
real pool (refused sizes refused by Ceph itself), the key it hands out is Ceph's own and lets
that client write an RBD image, and `destroy` leaves no Ceph process or listener behind.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_cli import ModelCLI
from real_host import private_model, require_host

from charmsmith.model.peers import ceph_rules as rules
from charmsmith.model.peers.real.supervisor import group_members, pid_alive

pytestmark = pytest.mark.e2e

NEEDED = ("/usr/bin/ceph-mon", "/usr/bin/ceph-mgr", "/usr/bin/ceph-osd", "/usr/bin/rbd")


@pytest.fixture(scope="module")
def cli() -> Iterator[ModelCLI]:
    require_host(NEEDED, tools=("ip",))
    with private_model("charmsmith-e2e-ceph-") as c:
        out = c("deploy", "ceph-mon", "--backend", "real").stdout
        seconds = re.search(r"real backend ready in ([0-9.]+) s", out)
        print(f"\ne2e: Ceph bootstrap (mon, mgr, OSD): {seconds and seconds.group(1)} s")
        yield c


def _backend(cli: ModelCLI):
    from charmsmith.model.peers.real.ceph_backend import RealCeph

    return RealCeph(cli.records().applications["ceph-mon"].peer_state or {})


def _request(rid: str, **op) -> str:
    ops = [{"op": "create-pool", "name": "glance", "replicas": 2, "app-name": "rbd", **op}]
    return json.dumps({"api-version": 1, "ops": ops, "request-id": rid})


def test_broker_creates_a_real_pool_and_ceph_refuses_what_it_refuses(cli: ModelCLI) -> None:
    ceph = _backend(cli)
    assert rules.process(_request("r1"), ceph).encode() == json.dumps(
        {"exit-code": 0, "request-id": "r1"}
    )
    detail = json.loads(ceph.server.ceph("osd", "pool", "ls", "detail", "-f", "json").stdout)
    pool = next(p for p in detail if p["pool_name"] == "glance")
    assert pool["size"] == 2 and list(pool["application_metadata"]) == ["rbd"]

    refused = rules.process(_request("r2", name="single", replicas=1), ceph)
    assert refused.exit_code == 1 and refused.request_id is None
    assert refused.stderr.startswith("Unexpected error occurred while processing requests")
    assert "single" in ceph.server.pools()  # created before Ceph refused its size, as upstream


def test_the_key_handed_out_is_cephs_and_writes_rbd_images(cli: ModelCLI, tmp_path: Path) -> None:
    ceph = _backend(cli)
    rules.process(_request("r3"), ceph)
    key = ceph.named_key("glance")
    assert ceph.named_key("glance") == key  # get-or-create: the same key again
    assert ceph.server.ceph("auth", "get-key", "client.glance").stdout.strip() == key
    keyring = tmp_path / "ceph.client.glance.keyring"
    keyring.write_text(f"[client.glance]\n\tkey = {key}\n")
    keyring.chmod(0o600)
    conf = tmp_path / "ceph.conf"
    conf.write_text(f"[global]\nmon host = {ceph.server.address}\nauth supported = cephx\n")
    client = ["rbd", "-c", str(conf), "--id", "glance", "--keyring", str(keyring)]
    made = subprocess.run(
        [*client, "create", "glance/e2e-image", "--size", "4M"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "e2e-image" in ceph.server.rbd_images("glance")
    keyring.write_text(f"[client.glance]\n\tkey = {rules.cephx_key()}\n")  # a key Ceph never made
    denied = subprocess.run(
        [*client, "ls", "glance", "--connect-timeout", "10"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert denied.returncode != 0


def test_destroy_leaves_no_ceph_process_or_listener(cli: ModelCLI) -> None:
    address = _backend(cli).server.address
    pids = []
    for pidfile in (cli.model / "peers" / "ceph-mon" / "run").glob("*.pid"):
        pids += group_members(int(pidfile.read_text().split()[0]))
    assert len(pids) >= 3  # mon, mgr, osd
    out = cli("destroy").stdout
    assert "ceph-mon: stopped the real backend" in out, out
    assert [pid for pid in pids if pid_alive(pid)] == []
    listeners = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
    assert [line for line in listeners.splitlines() if f" {address}:" in line] == []
