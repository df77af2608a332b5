"""Per-hook wall time and hook-tool call counts of a built charm on the local model.

Run (root): `.venv/bin/python -m bench.hooks [BUILT_CHARM_DIR] [--runs N]`
Without a charm dir, tests/fixtures/sample-api is built first (binary wheels). The model is
created in a temp dir and destroyed afterwards. Reports: every hook of deploy + relating
keystone/mysql/rabbitmq, then N runs each of update-status, config-changed and
identity-service-relation-changed with nothing changed in between (median), the floor (the unit's
venv interpreter importing charms.reactive and charmhelpers.core.hookenv, entered the same way as
a hook) with each median's ratio to it, and the cost of one emulated hook-tool call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(model: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "charmsmith.cli", "model", "--model", str(model), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode:
        raise SystemExit(f"charmsmith model {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def history(model: Path) -> list[dict]:
    return json.loads(cli(model, "hooks", "--format", "json"))


def row(record: dict) -> str:
    tools = [c for c in record["calls"] if not c["shim"]]
    shims = len(record["calls"]) - len(tools)
    label = record["hook"]
    return f"| {label} | {record['wall']:.3f} | {len(tools)} | {shims} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("charm", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="charmsmith-bench-") as tmp:
        tmpdir = Path(tmp)
        if args.charm:
            charm = Path(args.charm)
        else:
            from charmsmith.build import build_charm

            charm = build_charm(
                ROOT / "tests/fixtures/sample-api",
                tmpdir / "build",
                binary_wheels=True,
                progress=lambda _l: None,
            )
        model = tmpdir / "model"
        try:
            cli(model, "deploy", str(charm))
            app = json.loads(cli(model, "status", "--format", "json"))["applications"]
            name = next(iter(app))
            unit = f"{name}/0"
            for peer in ("keystone", "mysql", "rabbitmq"):
                cli(model, "deploy", peer)
                cli(model, "relate", name, peer)
            setup = history(model)
            for _ in range(args.runs):
                cli(model, "update-status")
            for _ in range(args.runs):
                cli(model, "run-hook", unit, "config-changed")
            for _ in range(args.runs):
                cli(model, "run-hook", unit, "identity-service-relation-changed")
            runs = history(model)[len(setup) :]
            floor = floor_time(model, unit, args.runs)
            status = json.loads(cli(model, "status", "--format", "json"))
            workload = status["applications"][name]["units"][unit]
        finally:
            if (model / "state.json").exists():
                cli(model, "destroy")
    print(f"# Hook costs: {name} on the local model (emulated peers and shims)\n")
    print(f'Final workload status: {workload["workload-status"]} "{workload["message"]}"\n')
    print("| hook | wall s | hook-tool calls | shim calls |\n|---|---|---|---|")
    for record in setup:
        print(row(record))
    medians: dict[str, float] = {}
    for hook in STEADY_STATE_HOOKS:
        recs = [r for r in runs if r["hook"] == hook]
        walls = [r["wall"] for r in recs]
        tools = [len([c for c in r["calls"] if not c["shim"]]) for r in recs]
        medians[hook] = statistics.median(walls)
        print(
            f"| {hook} (median of {len(recs)}) | {statistics.median(walls):.3f} | "
            f"{max(tools)} | {len(recs[-1]['calls']) - tools[-1]} |"
        )
    ratios = "; ".join(f"{hook} / floor = {wall / floor:.2f}" for hook, wall in medians.items())
    print(
        f"\nFloor (unit venv python importing charms.reactive + charmhelpers.core.hookenv, "
        f"entered like a hook): median {floor:.3f} s; {ratios}"
    )
    print("\nOne emulated hook-tool call:")
    sys.stdout.flush()
    subprocess.run([sys.executable, "-m", "bench.hooktool", "300"], cwd=ROOT, check=True)


#: Hooks run --runs times each once the charm is active, nothing changed in between.
STEADY_STATE_HOOKS = ("update-status", "config-changed", "identity-service-relation-changed")


def floor_time(model: Path, unit: str, runs: int) -> float:
    venv_python = f"/var/lib/juju/agents/unit-{unit.replace('/', '-')}/.venv/bin/python"
    code = "import charms.reactive, charmhelpers.core.hookenv"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        cli(model, "ssh", unit, f"{venv_python} -c '{code}'")
        times.append(time.perf_counter() - start)
    # ssh adds a Python CLI start on the host; subtract it by timing an empty ssh command
    empty = []
    for _ in range(runs):
        start = time.perf_counter()
        cli(model, "ssh", unit, "true")
        empty.append(time.perf_counter() - start)
    return max(statistics.median(times) - statistics.median(empty), 1e-3) + launcher_cost()


def launcher_cost() -> float:
    return 0.0  # the launcher (setns + overlays) runs in both measurements and cancels out


if __name__ == "__main__":
    main()
