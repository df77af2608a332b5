"""`make demo`: the main job, end to end — create → build → deploy → relate → status.

Each step is the same `charmsmith` command a user would type, run from .venv, with its output
shown as it happens. Everything lands under ./demo-out (charm source, build, model).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo-out"
CHARMSMITH = str(ROOT / ".venv" / "bin" / "charmsmith")
MODEL = OUT / "model"


def step(title: str, *argv: str) -> None:
    """Run one charmsmith command, echoed like a shell session; stop the demo if it fails."""
    print(f"\n== {title}\n$ charmsmith {shlex.join(argv)}", flush=True)
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
    if (MODEL / "model.json").exists():
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
    print(
        f"\nDemo done. Model: {MODEL} (CHARMSMITH_MODEL={MODEL} .venv/bin/charmsmith model status)"
    )


if __name__ == "__main__":
    main()
