"""Per-hook wall time and hook-tool call counts of a built charm on the local model.

Run (root): `.venv/bin/python -m bench.hooks [BUILT_CHARM_DIR | --create NAME | --answers FILE]
[--config KEY=VALUE]... [--runs N]`. It times each steady-state hook against the floor (the
unit's interpreter importing charms.reactive and charm-helpers), timed in every round so that
load moving during the run moves both alike. The model lives in a temp dir and is destroyed
afterwards. Details: docs/hook-cost.md, 'Measured'.
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


def generate(tmpdir: Path, name: str | None, answers: str | None) -> Path:
    """The charm source `charmsmith create` writes for NAME (defaults) or an answers file."""
    argv = ["--answers", str(Path(answers).resolve())] if answers else [name or "", "--defaults"]
    proc = subprocess.run(
        [sys.executable, "-m", "charmsmith.cli", "create", *argv, "-o", str(tmpdir / "src")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode:
        raise SystemExit(f"charmsmith create {' '.join(argv)} failed:\n{proc.stdout}{proc.stderr}")
    (source,) = (tmpdir / "src").iterdir()
    return source


def main() -> None:
    parser = argparse.ArgumentParser()
    source = parser.add_mutually_exclusive_group()
    source.add_argument("charm", nargs="?", help="a built charm dir")
    source.add_argument("--create", metavar="NAME", help="charmsmith create NAME --defaults")
    source.add_argument("--answers", metavar="FILE", help="charmsmith create --answers FILE")
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="deploy the charm with this option (repeatable), e.g. openstack-origin for a "
        "charm whose earliest release is newer than jammy's yoga",
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="charmsmith-bench-") as tmp:
        tmpdir = Path(tmp)
        if args.charm:
            charm = Path(args.charm)
        else:
            from charmsmith.build import build_charm

            if args.create or args.answers:
                src = generate(tmpdir, args.create, args.answers)
            else:
                src = ROOT / "tests/fixtures/sample-api"
            charm = build_charm(src, tmpdir / "build", binary_wheels=True, progress=lambda _l: None)
        model = tmpdir / "model"
        try:
            cli(model, "deploy", str(charm), *(f"--config={c}" for c in args.config))
            app = json.loads(cli(model, "status", "--format", "json"))["applications"]
            name = next(iter(app))
            unit = f"{name}/0"
            for peer in ("keystone", "mysql", "rabbitmq"):
                cli(model, "deploy", peer)
                cli(model, "relate", name, peer)
            setup = history(model)
            floors: list[tuple[float, float]] = []
            for _ in range(args.runs):
                floors.append(floor_time(model, unit, 3))
                cli(model, "update-status", unit)
                for hook in STEADY_STATE_HOOKS[1:]:
                    cli(model, "run-hook", unit, hook)
            runs = history(model)[len(setup) :]
            floor = statistics.median(f for f, _ in floors)
            launcher = statistics.median(la for _, la in floors)
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
    ratios = "; ".join(
        f"{hook} / floor = {wall / floor:.2f} "
        f"(per round: median {round_ratio(runs, hook, floors):.2f})"
        for hook, wall in medians.items()
    )
    print(
        f"\nFloor (median of {len(floors)} rounds, each between the hooks: the model's launcher "
        f"entering the unit, {launcher:.3f} s, plus the unit's venv python importing "
        f"charms.reactive + charmhelpers.core.hookenv, timed inside the unit): {floor:.3f} s; "
        f"{ratios}"
    )
    print("\nOne emulated hook-tool call:")
    sys.stdout.flush()
    subprocess.run([sys.executable, "-m", "bench.hooktool", "300"], cwd=ROOT, check=True)


def round_ratio(runs: list[dict], hook: str, floors: list[tuple[float, float]]) -> float:
    """Median over the rounds of the hook's wall over that round's floor: a load that moves
    during the run moves both halves of each ratio alike."""
    walls = [r["wall"] for r in runs if r["hook"] == hook]
    return statistics.median(wall / floor for wall, (floor, _) in zip(walls, floors, strict=True))


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
    from charmsmith.model.sequencer import Model
    from charmsmith.model.store import ModelStore
    from charmsmith.model.unitexec import unit_command

    store = ModelStore(model)
    with store.locked():
        argv = unit_command(Model(store), unit, ["/bin/true"], cwd="/")
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


if __name__ == "__main__":
    main()
