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
            floor, launcher = floor_time(model, unit, args.runs)
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
        f"\nFloor (the model's launcher entering the unit, {launcher:.3f} s, plus the unit's "
        f"venv python importing charms.reactive + charmhelpers.core.hookenv, timed inside the "
        f"unit): {floor:.3f} s; {ratios}"
    )
    print("\nOne emulated hook-tool call:")
    sys.stdout.flush()
    subprocess.run([sys.executable, "-m", "bench.hooktool", "300"], cwd=ROOT, check=True)


#: Hooks run --runs times each once the charm is active, nothing changed in between.
STEADY_STATE_HOOKS = ("update-status", "config-changed", "identity-service-relation-changed")


#: Run inside the unit by the venv's interpreter: time RUNS starts of the floor process (the
#: venv python importing charms.reactive and hookenv, with the hook template's flags) and print
#: the median. Timing inside the unit keeps the host CLI's own start out of the figure.
FLOOR_TIMER = """
import statistics, subprocess, sys, time
argv = [sys.executable, "-W", "ignore:pkg_resources is deprecated:UserWarning", "-c",
        "import charms.reactive, charmhelpers.core.hookenv"]
walls = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    subprocess.run(argv, check=True)
    walls.append(time.perf_counter() - start)
print(statistics.median(walls))
"""


def floor_time(model: Path, unit: str, runs: int) -> tuple[float, float]:
    """The floor a hook is compared with, and the launcher's share of it.

    A hook's recorded wall is the model's launcher entering the unit (netns, overlays) plus
    the hook process; the floor is entered the same way: launcher plus the floor process timed
    inside the unit. Returns (floor, launcher).
    """
    agent = f"/var/lib/juju/agents/unit-{unit.replace('/', '-')}"
    timer = f"cd {agent}/charm && {agent}/.venv/bin/python -c '{FLOOR_TIMER}' {runs}"
    process = float(cli(model, "ssh", unit, timer).strip().splitlines()[-1])
    launcher = launcher_cost(model, unit, runs)
    return process + launcher, launcher


def launcher_cost(model: Path, unit: str, runs: int) -> float:
    """Median wall of the model's launcher entering the unit to run /bin/true, as a hook's
    process is started (the same argv, minus the hook)."""
    from charmsmith.model import runner
    from charmsmith.model.sequencer import Model
    from charmsmith.model.store import ModelStore

    store = ModelStore(model)
    with store.locked():
        argv = runner.unit_command(Model(store), unit, ["/bin/true"], cwd="/")
    walls = []
    for _ in range(max(runs, 5)):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


if __name__ == "__main__":
    main()
