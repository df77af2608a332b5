"""`make demo`: the main job, end to end — create → build → deploy → relate → status.

Each step is the same `charmsmith` command a user would type, run from .venv, with its output
shown as it happens. Everything lands under ./demo-out (charm source, build, model).
"""

from __future__ import annotations

import json
import os
import shlex
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo-out"
CHARMSMITH = str(ROOT / ".venv" / "bin" / "charmsmith")
MODEL = OUT / "model"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # bridge traffic only


def step(title: str, *argv: str) -> None:
    """Run one charmsmith command, echoed like a shell session; stop the demo if it fails."""
    header = f"\n== {title}\n" if title else "\n"  # an untitled step continues the one before
    print(f"{header}$ charmsmith {shlex.join(argv)}", flush=True)
    started = time.monotonic()
    env = dict(os.environ, CHARMSMITH_MODEL=str(MODEL))
    result = subprocess.run([CHARMSMITH, *argv], env=env, check=False)
    print(f"   ({time.monotonic() - started:.1f} s)", flush=True)
    if result.returncode != 0:
        sys.exit(f"demo: step '{title}' failed with exit code {result.returncode}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    charm_src = OUT / "congress"
    built = OUT / "build" / "congress"
    if (MODEL / "state.json").exists():
        step("clean up the previous demo model", "model", "destroy")
    step(
        "create a charm from recorded answers",
        "create",
        "--answers",
        str(ROOT / "examples" / "congress-answers.yaml"),
        "-o",
        str(OUT),
        "--force",
    )
    step(
        "build it offline (binary wheels: this machine's Python)",
        "build",
        str(charm_src),
        "-o",
        str(OUT / "build"),
        "--binary-wheels",
    )
    step("deploy the peers", "model", "deploy", "keystone")
    step("", "model", "deploy", "mysql")
    step("", "model", "deploy", "rabbitmq")
    step("deploy the charm", "model", "deploy", str(built), "congress")
    step("relate", "model", "relate", "congress:identity-service", "keystone")
    step("", "model", "relate", "congress:shared-db", "mysql")
    step("", "model", "relate", "congress:amqp", "rabbitmq")
    step("status", "model", "status")
    step("keystone's catalog", "model", "catalog")
    step(
        "the rendered config on the unit",
        "model",
        "ssh",
        "congress/0",
        "grep -E '^(connection|transport_url|bind_port|www_authenticate_uri) '"
        " /etc/congress/congress.conf | sed -E 's#:[^:/@]+@#:<password>@#g'",
    )
    scale_out_and_ha()
    print(
        f"\nDemo done. Model: {MODEL} (CHARMSMITH_MODEL={MODEL} .venv/bin/charmsmith model status)"
    )


def status() -> dict:
    env = dict(os.environ, CHARMSMITH_MODEL=str(MODEL))
    out = subprocess.run(
        [CHARMSMITH, "model", "status", "--format", "json"],
        env=env,
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    return json.loads(out)


def scale_out_and_ha() -> None:
    """`juju add-unit` twice, then hacluster with a VIP, then lose the unit holding it."""
    step("scale out to three units", "model", "add-unit", "congress")
    step("", "model", "add-unit", "congress")
    step(
        "every unit's haproxy balances over all three (API on 1789-10 = 1779)",
        "model",
        "ssh",
        "congress/1",
        "grep -E '^(frontend|backend|    server)' /etc/haproxy/haproxy.cfg",
    )
    print("\n== requests to port 1789 of each unit, answered by some unit's stand-in API")
    for unit in status()["applications"]["congress"]["units"].values():
        for _ in range(2):
            print(f"   http://{unit['address']}:1789/ -> {fetch(unit['address'], 1789)}")
    vip = status()["model"]["subnet"].rsplit(".", 1)[0] + ".250"
    step("configure a VIP", "model", "config", "congress", f"vip={vip}", "vip_cidr=24")
    step("deploy hacluster", "model", "deploy", "hacluster")
    step("relate it", "model", "relate", "congress", "hacluster")
    step("keystone now advertises the VIP", "model", "catalog")
    holder = status()["applications"]["hacluster"]["vips"][vip]["unit"]
    step(f"{holder} holds the VIP; it goes down", "model", "fail", holder)
    step("status", "model", "status")
    print("\n== the VIP moved; a client retries until haproxy's checks drop the lost backend")
    started = time.monotonic()
    answer = fetch(vip, 1789, within=30)
    print(f"   http://{vip}:1789/ -> {answer} ({time.monotonic() - started:.1f} s)")
    step("TLS: a certificate authority", "model", "deploy", "self-signed-certificates")
    step("", "model", "relate", "congress:certificates", "self-signed-certificates")
    step("keystone's catalog is now https", "model", "catalog")
    ca = OUT / "ca.pem"
    ca.write_text(
        action_result("self-signed-certificates/0", "get-ca-certificate")["ca-certificate"]
    )
    print(f"\n== a client that trusts only that CA ({ca.relative_to(ROOT)}), through the VIP")
    print(f"   https://{vip}:1789/ -> {fetch(vip, 1789, within=30, cafile=ca)}")


def action_result(unit: str, action: str) -> dict[str, str]:
    """The results of `charmsmith model run-action UNIT ACTION` (its JSON output)."""
    env = dict(os.environ, CHARMSMITH_MODEL=str(MODEL))
    argv = [CHARMSMITH, "model", "run-action", unit, action]
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["results"]


def fetch(address: str, port: int, within: float = 0.0, cafile: Path | None = None) -> str:
    """One GET on the model bridge (never off the machine); retried for `within` s.

    With `cafile` it is HTTPS, verifying the server's certificate against that CA only.
    """
    deadline = time.monotonic() + within
    scheme = "https" if cafile else "http"
    opener = NO_PROXY
    if cafile:
        tls = urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(cafile)))
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), tls)
    while True:
        try:
            with opener.open(f"{scheme}://{address}:{port}/", timeout=3) as reply:
                return reply.read().decode().strip()
        except OSError as err:
            if time.monotonic() >= deadline:
                return f"failed: {err}"
            time.sleep(0.5)


if __name__ == "__main__":
    main()
