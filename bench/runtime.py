"""Benchmark the runtime: its import time and one full render cycle of a realistic charm.

    .venv/bin/python -m bench.runtime [--runs N] [--out bench/results/runtime.md]

Why these two numbers: every hook of a built charm pays the import, so it must stay a small
fraction of an interpreter start; the render cycle (adapters from complete relation data, every
managed file rendered, written, services restarted) bounds a relation-changed hook's cost above
the interpreter. The charm is the demo's congress, generated from examples/congress-answers.yaml.

Details: docs/hook-cost.md, 'Measured'.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHARMSMITH = Path(sys.executable).parent / "charmsmith"
ANSWERS = ROOT / "examples" / "congress-answers.yaml"
HEAVY = ("setuptools", "pkg_resources", "distutils", "charmhelpers.core.host")

IMPORT_PROBE = """
import sys, time
started = time.perf_counter()
import {module}
elapsed = time.perf_counter() - started
heavy = [m for m in {heavy!r} if m in sys.modules]
print(elapsed, ",".join(heavy))
"""


def time_import(module: str, runs: int) -> tuple[list[float], set[str]]:
    """Import `module` in `runs` fresh interpreters; the seconds each took and heavy imports."""
    times, heavy = [], set()
    probe = IMPORT_PROBE.format(module=module, heavy=HEAVY)
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", probe], check=True, capture_output=True, text=True
        ).stdout.split()
        times.append(float(out[0]))
        if len(out) > 1:
            heavy.update(out[1].split(","))
    return times, heavy


def generate_charm(target: Path) -> Path:
    subprocess.run(
        [str(CHARMSMITH), "create", "--answers", str(ANSWERS), "-o", str(target)],
        check=True,
        capture_output=True,
    )
    return target / "congress"


def render_cycle(charm_dir: Path) -> tuple[float, list[str], list[str]]:
    """One complete render on a fresh unit: seconds, files changed, services restarted."""
    from reactive_openstack.testing import FakeHost
    from reactive_openstack.testing_interfaces import (
        FakeKeystone,
        FakeMySQLShared,
        FakeRabbitMQ,
        keystone_data,
    )

    registry = importlib.import_module("charm.openstack.congress").registry
    relations: list[Any] = [
        FakeMySQLShared(
            database="congress",
            username="congress",
            db_host="10.0.0.20",
            password="db-secret",
            allowed_units="congress/0",
        ),
        FakeRabbitMQ(
            username="congress", vhost="openstack", hosts=["10.0.0.30"], password="mq-secret"
        ),
        FakeKeystone(**keystone_data(service_username="congress")),
    ]
    host = FakeHost(
        config={"openstack-origin": "distro", "region": "RegionOne", "debug": False},
        unit_name="congress/0",
        charm_dir=str(charm_dir),
        files={"/etc/os-release": b"ID=ubuntu\nVERSION_CODENAME=jammy\n"},
        services={"congress-server": True},
    )
    registry.host = host
    started = time.perf_counter()
    changed = registry.instance().render_with_interfaces(relations)
    host.run_atexit()
    return time.perf_counter() - started, changed, host.restarted()


def fmt(values: list[float], scale: float = 1000.0) -> str:
    return f"{statistics.median(values) * scale:.1f} (min {min(values) * scale:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, help="also write the results as Markdown here")
    args = parser.parse_args()

    rows = []
    for module in ("reactive_openstack", "reactive_openstack.charm", "charmhelpers.core.hookenv"):
        print(f"bench: importing {module} in {args.runs} fresh interpreters", flush=True)
        times, heavy = time_import(module, args.runs)
        rows.append((f"import {module}", fmt(times), ", ".join(sorted(heavy)) or "none"))

    with tempfile.TemporaryDirectory() as tmp:
        print("bench: generating the congress charm", flush=True)
        charm_dir = generate_charm(Path(tmp))
        sys.path[:0] = [str(charm_dir / "lib"), str(charm_dir / "reactive")]
        cycles = [render_cycle(charm_dir) for _ in range(args.runs + 1)]
    first, rest = cycles[0], cycles[1:]
    rows.append(("first render cycle (templates compiled)", fmt([first[0]]), "-"))
    rows.append(("later render cycles (fresh unit each)", fmt([c[0] for c in rest]), "-"))

    lines = [
        "# Runtime: import time and one full render cycle",
        "",
        f"Command: `.venv/bin/python -m bench.runtime --runs {args.runs}`  ",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        "",
        "| what | median ms (min) | heavy modules imported |",
        "|---|---|---|",
        *(f"| {what} | {ms} | {heavy} |" for what, ms, heavy in rows),
        "",
        f"A render cycle writes {len(first[1])} file(s) ({', '.join(first[1])}) and restarts "
        f"{', '.join(first[2]) or 'nothing'}; heavy modules checked: {', '.join(HEAVY)}.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report)


if __name__ == "__main__":
    main()
