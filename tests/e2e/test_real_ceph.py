"""A generated glance stores its images in a real single-node Ceph (issue 16 item 5).

glance-ceph comes from `charmsmith create` with `ceph_pools` (tests/e2e/answers/glance-ceph.yaml)
and runs Debian's glance-api in real mode beside the real Keystone, MariaDB and RabbitMQ
(real_charms.py). The ceph-mon peer's real backend is Debian's Ceph 16.2: the broker creates the
pool, the unit renders ceph.conf, its keyring and the rbd store from the relation, an image
uploaded with the real `openstack` CLI lands in the pool as an RBD image, and removing the
relation leaves the unit in a status that names what is missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_cli import ModelCLI
from real_charms import peer_backend, real_model, timed, until_ok
from real_host import require_host

pytestmark = pytest.mark.e2e

APP = "glance-ceph"
UNIT = f"{APP}/0"
CEPH_NEEDED = ("/usr/bin/ceph-mon", "/usr/bin/ceph-osd", "/usr/bin/rbd")


@pytest.fixture(scope="module")
def model() -> Iterator[ModelCLI]:
    require_host(CEPH_NEEDED)
    with real_model("ceph", {APP: 1}) as cli:
        out = timed(
            "deploy ceph-mon (real Ceph bootstrap)", cli, "deploy", "ceph-mon", "--backend", "real"
        )
        seconds = re.search(r"real backend ready in ([0-9.]+) s", out.stdout + out.stderr)
        print(f"e2e: Ceph's own bootstrap: {seconds and seconds.group(1)} s", file=sys.stderr)
        timed(f"relate {APP} ceph-mon", cli, "relate", f"{APP}:ceph", "ceph-mon:client")
        yield cli


def _ceph(model: ModelCLI):
    from charmsmith.model.peers.real.ceph_backend import RealCeph

    return RealCeph(model.records().applications["ceph-mon"].peer_state or {}).server


def _unit(model: ModelCLI) -> dict:
    return model.status()["applications"][APP]["units"][UNIT]


def _active(model: ModelCLI, env: dict[str, str], image: str, within: float = 60) -> dict:
    """The image once glance has stored its data (or what it shows after `within`, with the end
    of glance-api's log for the reader)."""
    deadline = time.monotonic() + within
    while True:
        shown = json.loads(until_ok(env, "image", "show", image).stdout)
        if shown["status"] == "active" or time.monotonic() > deadline:
            break
        time.sleep(2)
    if shown["status"] != "active":
        log = model("ssh", UNIT, "tail -n 40 /var/log/glance/glance-api.log", check=False)
        print(log.stdout, file=sys.stderr)
    return shown


def test_glance_keeps_its_images_in_the_pool_the_broker_made(
    model: ModelCLI, tmp_path: Path
) -> None:
    unit = _unit(model)
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready"), unit
    ceph = _ceph(model)
    detail = json.loads(ceph.ceph("osd", "pool", "ls", "detail", "-f", "json").stdout)
    pool = next(p for p in detail if p["pool_name"] == "glance")
    assert pool["size"] == 2 and list(pool["application_metadata"]) == ["rbd"]

    conf = model("ssh", UNIT, "cat /etc/ceph/ceph.conf").stdout
    assert ceph.address in conf
    keyring = "/etc/ceph/ceph.client.glance-ceph.keyring"
    mode = model("ssh", UNIT, f"stat -c '%U:%G %a' {keyring}").stdout.strip()
    assert mode == "root:glance 640"
    store = model("ssh", UNIT, "cat /etc/glance/glance-api.conf").stdout
    assert "rbd_store_pool = glance" in store and "rbd_store_user = glance-ceph" in store

    image = tmp_path / "e2e.raw"
    image.write_bytes(os.urandom(3 * 1024 * 1024))
    env = peer_backend(model, "keystone").server.admin_env()
    create = ("image", "create", "--disk-format", "raw", "--container-format", "bare")
    made = json.loads(
        timed(
            "openstack image create", until_ok, env, *create, "--file", str(image), "e2e-ceph"
        ).stdout
    )
    shown = _active(model, env, made["id"])
    assert shown["status"] == "active", shown
    assert made["id"] in ceph.rbd_images("glance")  # glance names the RBD image by image id

    # and read back through glance from Ceph (`image save` takes no -f json, so not openstack())
    back = tmp_path / "back.raw"
    saved = subprocess.run(
        ["/usr/bin/openstack", "image", "save", "--file", str(back), made["id"]],
        env={"PATH": "/usr/bin:/bin", "HOME": "/root", "no_proxy": "*", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert saved.returncode == 0, saved.stderr
    assert back.read_bytes() == image.read_bytes()


def test_removing_the_relation_gives_a_truthful_status(model: ModelCLI) -> None:
    timed("remove-relation ceph", model, "remove-relation", f"{APP}:ceph", "ceph-mon:client")
    unit = _unit(model)
    assert unit["workload-status"] == "blocked" and "ceph" in unit["message"], unit
    listed = model("ssh", UNIT, "ls -A /etc/ceph", check=False).stdout
    assert "keyring" not in listed and "ceph.conf" not in listed
    assert "rbd_store_pool" not in model("ssh", UNIT, "cat /etc/glance/glance-api.conf").stdout
