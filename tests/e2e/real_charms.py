"""Shared setup of the e2e suites that run generated charms on real OpenStack services.

A model with real Keystone, MariaDB and RabbitMQ peers and charms made by `charmsmith create`
from tests/e2e/answers (plus author_edits.py), deployed in real mode and related to the three
peers. test_real_services.py and test_real_tls.py each take one; only one can live at a time
(one real RabbitMQ per machine), so each is module-scoped.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from author_edits import EDITS
from model_cli import ROOT, ModelCLI
from real_host import private_model, require_host

ANSWERS = ROOT / "tests" / "e2e" / "answers"
NEEDED = (
    "/usr/bin/keystone-manage",
    "/usr/sbin/mariadbd",
    "/usr/bin/openstack",
    "/usr/bin/oslo-config-validator",
)
PEERS = ("keystone", "mysql", "rabbitmq")
TIMINGS: dict[str, float] = {}


def timed(what: str, func: Any, *args: Any) -> Any:
    """Run and record a step; progress goes to stderr as it happens (`pytest -s` shows it)."""
    started = time.monotonic()
    result = func(*args)
    TIMINGS[what] = time.monotonic() - started
    print(f"e2e: {what}: {TIMINGS[what]:.1f} s", file=sys.stderr, flush=True)
    return result


def build(name: str, workdir: Path) -> Path:
    """`charmsmith create` from the answers file, the author's edits, the offline build."""
    from charmsmith.build import build_charm

    charmsmith = Path(sys.executable).parent / "charmsmith"
    subprocess.run(
        [str(charmsmith), "create", "--answers", str(ANSWERS / f"{name}.yaml"), "-o", str(workdir)],
        check=True,
        capture_output=True,
    )
    EDITS[name](workdir / name)
    return build_charm(workdir / name, workdir / "build", binary_wheels=True, progress=print)


@contextmanager
def real_model(tag: str, charms: Mapping[str, int]) -> Iterator[ModelCLI]:
    """A model: the three real peers, then each charm (name -> units) in real mode, related.

    Skips when the machine cannot run it; always destroys the model.
    """
    require_host(NEEDED, tools=("ip", "gcc"))
    with private_model(f"charmsmith-e2e-{tag}-") as cli:
        yield from _deployed(cli, charms)


def _deployed(cli: ModelCLI, charms: Mapping[str, int]) -> Iterator[ModelCLI]:
    """The peers and charms deployed and related in `cli`'s model; the timings printed after."""
    root = cli.model.parent
    try:
        built = {n: timed(f"create+build {n}", build, n, root / n) for n in charms}
        for peer in PEERS:
            timed(f"deploy {peer} (real backend)", cli, "deploy", peer, "--backend", "real")
        for name, charm in built.items():
            deploy = ("deploy", str(charm), "-n", str(charms[name]), "--mode", "real")
            timed(
                f"deploy {name} (real mode, install hook)",
                cli,
                *deploy,
                "--config",
                "openstack-origin=zed",
            )
            started = time.monotonic()
            for peer in PEERS:
                timed(f"relate {name} {peer}", cli, "relate", name, peer)
            TIMINGS[f"{name}: relate to active"] = time.monotonic() - started
        yield cli
    finally:
        print("e2e timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS.items()))
        TIMINGS.clear()


def peer_backend(cli: ModelCLI, app: str) -> Any:
    """The real backend of a peer app, rebuilt from the model state (starts nothing)."""
    from charmsmith.model.peers.real.backends import BACKENDS

    peer_state = cli.records().applications[app].peer_state
    assert peer_state is not None, f"{app} is not a peer application"
    return BACKENDS[app](peer_state)


def openstack(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real OpenStack CLI with the given credentials (no proxy: bridge addresses only)."""
    return subprocess.run(
        ["/usr/bin/openstack", *args, "-f", "json"],
        env={"PATH": "/usr/bin:/bin", "HOME": "/root", "no_proxy": "*", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def until_ok(env: dict[str, str], *args: str, within: float = 60) -> Any:
    """An API call retried while haproxy's checks see the just-restarted service come up."""
    deadline = time.monotonic() + within
    while (result := openstack(env, *args)).returncode != 0:
        assert time.monotonic() < deadline, result.stderr
        time.sleep(2)
    return result
