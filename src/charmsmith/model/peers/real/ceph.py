"""A private single-node Ceph (Debian 12's 16.2: one mon, one mgr, one OSD) for the ceph-mon peer.

Why by hand: no systemd here, and cephadm/ceph-deploy want containers or ssh. So the state
directory gets its own ceph.conf (every path, address and limit in it; /etc/ceph is never
read), keyrings made with ceph-authtool, `ceph-mon --mkfs`, `ceph osd new` + `ceph-osd --mkfs`
on a file-backed bluestore, and the three daemons run in the foreground (`-f`) under our
supervisor, so `destroy` stops them like any other real backend. Sized for a 2-core machine:
pools of any size served by one OSD (min size 1), small memory targets, a 3 GB sparse block.
The daemons run as root: the state directory stays 0700 inside the private model directory.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

from charmsmith.model.peers.real.server import PrivateServer
from charmsmith.model.peers.real.supervisor import Daemon, Progress, run, stderr_progress

MON_ID, MGR_ID, OSD_ID = "a", "x", "0"
MON_PORT = 6789  # msgr v1; v2 on 3300
BLOCK_BYTES = 3 * 1024**3
ADMIN_CAPS = ("mon", "allow *", "osd", "allow *", "mgr", "allow *", "mds", "allow *")


class Ceph(PrivateServer):
    """One Ceph cluster under `state_dir`; the mon listens on `address` (v2 3300, v1 6789)."""

    START_TIMEOUT = 240

    def __init__(
        self, state_dir: str | Path, address: str, progress: Progress | None = stderr_progress
    ) -> None:
        super().__init__(state_dir, address, MON_PORT, progress)
        self.conf = self.state_dir / "ceph.conf"
        # Where `keyring = .../$cluster.$name.keyring` finds it (a -k beside it is not enough).
        self.admin_keyring = self.state_dir / "keyrings" / "ceph.client.admin.keyring"
        self.bootstrapped = self.state_dir / "bootstrapped"
        common = ["-f", "-c", str(self.conf)]
        self.daemons = [
            Daemon("ceph-mon", ["/usr/bin/ceph-mon", *common, "-i", MON_ID], *self._dirs()),
            Daemon("ceph-mgr", ["/usr/bin/ceph-mgr", *common, "-i", MGR_ID], *self._dirs()),
            Daemon("ceph-osd", ["/usr/bin/ceph-osd", *common, "-i", OSD_ID], *self._dirs()),
        ]

    def _dirs(self) -> tuple[Path, Path]:
        return self.run_dir, self.log_dir

    def data_dir(self, kind: str, ident: str) -> Path:
        return self.state_dir / kind / f"ceph-{ident}"

    # -- bootstrap -----------------------------------------------------------------------------

    def _write_conf(self, fsid: str) -> None:
        state = self.state_dir
        self.conf.write_text(
            "[global]\n"
            f"fsid = {fsid}\n"
            f"mon host = [v2:{self.address}:3300,v1:{self.address}:{MON_PORT}]\n"
            f"mon initial members = {MON_ID}\n"
            f"public addr = {self.address}\n"
            f"cluster addr = {self.address}\n"
            "auth cluster required = cephx\n"
            "auth service required = cephx\n"
            "auth client required = cephx\n"
            f"keyring = {state}/keyrings/$cluster.$name.keyring\n"
            f"run dir = {self.run_dir}\n"
            f"admin socket = {self.run_dir}/$cluster-$name.asok\n"
            f"log file = {self.log_dir}/$cluster-$name.log\n"
            "log to stderr = false\n"
            "err to stderr = true\n"
            f"mon data = {state}/mon/$cluster-$id\n"
            f"mgr data = {state}/mgr/$cluster-$id\n"
            f"osd data = {state}/osd/$cluster-$id\n"
            "osd pool default size = 1\n"
            "osd pool default min size = 1\n"
            "mon allow pool size one = true\n"
            "mon allow pool delete = true\n"
            "osd crush chooseleaf type = 0\n"
            "mon warn on pool no redundancy = false\n"
            "mon data avail warn = 5\n"
            "auth allow insecure global id reclaim = false\n"
            "osd objectstore = bluestore\n"
            "bluestore block create = true\n"
            f"bluestore block size = {BLOCK_BYTES}\n"
            "bluestore fsck on mount = false\n"
            "osd memory target = 939524096\n"
            "bluestore cache autotune = false\n"
            "bluestore cache size = 134217728\n"
            "osd op num shards = 1\n"
            "osd op num threads per shard = 2\n"
            "mon osd full ratio = 0.97\n"
            "mgr initial modules = \n"
            "ms bind ipv6 = false\n"
        )
        self.conf.chmod(0o644)

    def _authtool(self, *args: str) -> None:
        run(["ceph-authtool", *args], what="ceph-authtool")

    def _bootstrap(self) -> None:
        """Keyrings, monmap, mon --mkfs; the mgr's and OSD's keys go into the mon's keyring."""
        for sub in ("keyrings", "run", "log", "mon", "mgr", "osd"):
            (self.state_dir / sub).mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o700)
        fsid = str(uuid.uuid4())
        self._write_conf(fsid)
        keyrings = self.state_dir / "keyrings"
        mon_keyring = keyrings / "ceph.mon..keyring"
        self._authtool("--create-keyring", str(mon_keyring), "--gen-key", "-n", "mon.")
        self._authtool(str(mon_keyring), "-n", "mon.", "--cap", "mon", "allow *")
        admin = ["--create-keyring", str(self.admin_keyring), "--gen-key", "-n", "client.admin"]
        self._authtool(*admin, *_caps(ADMIN_CAPS))
        mgr = keyrings / f"ceph.mgr.{MGR_ID}.keyring"
        mgr_caps = ("mon", "allow profile mgr", "osd", "allow *", "mds", "allow *")
        self._authtool("--create-keyring", str(mgr), "--gen-key", "-n", f"mgr.{MGR_ID}")
        self._authtool(str(mgr), "-n", f"mgr.{MGR_ID}", *_caps(mgr_caps))
        osd = keyrings / f"ceph.osd.{OSD_ID}.keyring"
        self._authtool("--create-keyring", str(osd), "--gen-key", "-n", f"osd.{OSD_ID}")
        for imported in (self.admin_keyring, mgr):
            self._authtool(str(mon_keyring), "--import-keyring", str(imported))
        monmap = self.state_dir / "monmap"
        run(
            ["monmaptool", "--create", "--fsid", fsid, "--addv", MON_ID]
            + [f"[v2:{self.address}:3300,v1:{self.address}:{MON_PORT}]", str(monmap)],
            what="monmaptool",
        )
        run(
            ["ceph-mon", "-c", str(self.conf), "--mkfs", "-i", MON_ID]
            + ["--monmap", str(monmap), "--keyring", str(mon_keyring)],
            what="ceph-mon --mkfs",
        )
        for kind, ident in (("mgr", MGR_ID), ("osd", OSD_ID)):
            self.data_dir(kind, ident).mkdir(parents=True, exist_ok=True)

    def _make_osd(self) -> None:
        """Register osd.0 with its key (`ceph osd new`), then `ceph-osd --mkfs` its bluestore."""
        osd_uuid = str(uuid.uuid4())
        keyring = self.state_dir / "keyrings" / f"ceph.osd.{OSD_ID}.keyring"
        key = keyring.read_text().split("key = ", 1)[1].split()[0]
        secrets = self.state_dir / "osd-secrets.json"
        secrets.write_text(json.dumps({"cephx_secret": key}))
        secrets.chmod(0o600)
        self.ceph("osd", "new", osd_uuid, OSD_ID, "-i", str(secrets))
        secrets.unlink()
        run(
            ["ceph-osd", "-c", str(self.conf), "--mkfs", "-i", OSD_ID, "--osd-uuid", osd_uuid],
            what="ceph-osd --mkfs",
            timeout=300,
        )

    # -- lifecycle -----------------------------------------------------------------------------

    def launch(self, timeout: float) -> None:
        """Bootstrap once, start mon, mgr and OSD, wait for the OSD up."""
        fresh = not self.bootstrapped.exists()
        if fresh:
            self._bootstrap()
        mon, mgr, osd = self.daemons
        mon.start()
        mon.wait_ready(self._mon_listening, 60, self.progress)
        if fresh:
            self._make_osd()
            self.bootstrapped.write_text("1\n")
        mgr.start()
        osd.start()
        osd.wait_ready(self.ready, timeout, self.progress, every=10, interval=1)

    def _mon_listening(self) -> bool:
        return self._accepts(self.address, MON_PORT, 1)

    def ready(self) -> bool:
        """The mon answers and the OSD is up and in."""
        out = self.ceph("osd", "stat", "-f", "json", timeout=20, check=False)
        if out.returncode != 0:
            return False
        stat = json.loads(out.stdout)
        return stat.get("num_up_osds", 0) >= 1 and stat.get("num_in_osds", 0) >= 1

    def running(self) -> bool:
        return all(d.running() for d in self.daemons)

    def stop(self, timeout: float = 30) -> bool:
        """Stop OSD, mgr, then mon; True if any ran."""
        stopped = [d.stop(timeout) for d in reversed(self.daemons)]
        return any(stopped)

    # -- administration ------------------------------------------------------------------------

    def ceph(
        self, *args: str, timeout: float = 60, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """The real `ceph` CLI as client.admin of this cluster."""
        argv = ["ceph", "-c", str(self.conf), "-n", "client.admin", "--connect-timeout", "15"]
        argv += args
        return run(argv, what=f"ceph {' '.join(args[:3])}", timeout=timeout, check=check)

    def osd_count(self) -> int:
        return len(json.loads(self.ceph("osd", "ls", "-f", "json").stdout))

    def pools(self) -> list[str]:
        return json.loads(self.ceph("osd", "pool", "ls", "-f", "json").stdout)

    def rbd_images(self, pool: str) -> list[str]:
        argv = ["rbd", "-c", str(self.conf), "-n", "client.admin", "-p", pool, "ls"]
        return run(argv, what="rbd ls").stdout.split()


def _caps(pairs: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for kind, cap in zip(pairs[::2], pairs[1::2], strict=True):
        out += ["--cap", kind, cap]
    return out
