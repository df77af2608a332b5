"""How the peer relation hook scales with the number of units on the local model.

    .venv/bin/python -m bench.scale [--units 1 3 9 27] [--out bench/results/scale.md]
        [--charm-from COMMIT]

Why: every unit of an application sees cluster-relation-changed once per other unit, so that
hook's cost (wall time, hook-tool calls) decides how far an application can grow. Needs root;
the model is destroyed at the end, even on error.

Details (what is sampled at each size, --charm-from): docs/hook-cost.md, 'Measured'.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.hooks import ROOT, cli, history

HOOK = "cluster-relation-changed"
SOLO_RUNS = 3


def tools(record: dict) -> int:
    return sum(1 for c in record["calls"] if not c["shim"])


def shims(record: dict) -> int:
    return sum(1 for c in record["calls"] if c["shim"])


def stream(model: Path, started: float, *args: str) -> None:
    """Like bench.hooks.cli, but echo the model's one-line-per-hook progress as it comes."""
    argv = [sys.executable, "-m", "charmsmith.cli", "model", "--model", str(model), *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        tail: list[str] = []
        for line in proc.stdout:
            print(f"  [{time.perf_counter() - started:6.0f}s] {line.rstrip()}", flush=True)
            tail = [*tail[-20:], line]
    if proc.returncode:
        raise SystemExit(f"charmsmith model {' '.join(args)} failed:\n{''.join(tail)}")


def summarise(records: list[dict]) -> dict[str, float]:
    walls = [r["wall"] for r in records]
    return {
        "runs": len(records),
        "median_wall": statistics.median(walls),
        "max_wall": max(walls),
        "median_tools": statistics.median(tools(r) for r in records),
        "median_shims": statistics.median(shims(r) for r in records),
    }


def build(tmpdir: Path) -> Path:
    from charmsmith.build import build_charm

    print("building tests/fixtures/sample-api (binary wheels)", flush=True)
    return build_charm(
        ROOT / "tests/fixtures/sample-api",
        tmpdir / "build",
        binary_wheels=True,
        progress=lambda _line: None,
    )


def build_at(commit: str, tmpdir: Path) -> Path:
    """Today's sample-api built with the layers, runtime and build code of ``commit``."""
    tree = tmpdir / "tree"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", commit, "src", "runtime"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    print(f"building tests/fixtures/sample-api on the framework of {commit}", flush=True)
    code = (
        "import sys; from pathlib import Path; from charmsmith.build import build_charm; "
        "print(build_charm(Path(sys.argv[1]), Path(sys.argv[2]), binary_wheels=True, "
        "progress=lambda _line: None))"
    )
    # the archived packages come first on the path, so build_charm finds that commit's runtime
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tree / "src"), str(tree / "runtime/src")]),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(ROOT / "tests/fixtures/sample-api"),
            str(tmpdir / "build"),
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(f"building sample-api as of {commit} failed:\n{proc.stderr[-2000:]}")
    return Path(proc.stdout.strip().splitlines()[-1])


def measure(
    charm: Path, model: Path, sizes: list[int], budget: float, started: float
) -> tuple[str, dict[int, dict], list[str]]:
    """Grow the application to max(sizes); return its name, one row per size reached, notes."""
    rows: dict[int, dict] = {}
    notes: list[str] = []
    stream(model, started, "deploy", str(charm))
    name = next(iter(json.loads(cli(model, "status", "--format", "json"))["applications"]))
    for peer in ("keystone", "mysql", "rabbitmq"):
        stream(model, started, "deploy", peer)
        stream(model, started, "relate", name, peer)
    unit0 = f"{name}/0"
    count = 1
    for n in sizes:
        if n > 1:
            if time.perf_counter() - started > budget:
                notes.append(
                    f"Stopped at {count} units: the run passed its {budget / 60:.0f} min budget."
                )
                break
            if n - 1 > count:
                # up to N-1 in one step: only the join to N is measured
                print(f"== growing {name} to {n - 1} units in one add-unit", flush=True)
                stream(model, started, "add-unit", name, "-n", str(n - 1 - count))
            print(f"== growing {name} to {n} units", flush=True)
            before = len(history(model))
            join_start = time.perf_counter()
            stream(model, started, "add-unit", name)
            join_wall = time.perf_counter() - join_start
            count = n
        else:
            before = len(history(model))
            join_wall = 0.0
            for _ in range(SOLO_RUNS):
                stream(model, started, "run-hook", unit0, HOOK)
        new = history(model)[before:]
        failed = [r for r in new if r["rc"] != 0]
        if failed:
            notes.append(f"{n} units: {len(failed)} hook(s) failed, first {failed[0]['hook']}.")
        sample = [r for r in new if r["hook"] == HOOK]
        row = summarise(sample) if sample else {"runs": 0}
        row["join_hooks"] = len(new) if n > 1 else 0
        row["join_tools"] = sum(tools(r) for r in new) if n > 1 else 0
        row["join_wall"] = join_wall
        stream(model, started, "update-status", unit0)
        runs = [r for r in history(model) if r["unit"] == unit0 and r["hook"] == "update-status"]
        row["update_status_tools"] = tools(runs[-1])
        rows[n] = row
        print(f"== {n} units: {row}", flush=True)
    status = json.loads(cli(model, "status", "--format", "json"))
    units = status["applications"][name]["units"]
    states = sorted({f'{u["workload-status"]} "{u["message"]}"' for u in units.values()})
    notes.append(f"Final workload status of the {len(units)} units: {', '.join(states)}.")
    return name, rows, notes


def curve(rows: dict[int, dict]) -> list[str]:
    """Calls-per-hook ratios between successive measured sizes, stated as numbers."""
    out = []
    sizes = [n for n in sorted(rows) if n > 1 and rows[n]["runs"]]
    for small, big in zip(sizes, sizes[1:], strict=False):
        ratio = rows[big]["median_tools"] / rows[small]["median_tools"]
        wall = rows[big]["median_wall"] / rows[small]["median_wall"]
        out.append(
            f"- {small} -> {big} units (x{big / small:g}): median hook-tool calls per "
            f"{HOOK} x{ratio:.2f}, median wall x{wall:.2f}; runs of the hook per join "
            f"{rows[small]['runs']} -> {rows[big]['runs']}."
        )
    return out


def report(
    args: argparse.Namespace, name: str, rows: dict[int, dict], notes: list[str], total: float
) -> str:
    command = ".venv/bin/python -m bench.scale --units " + " ".join(map(str, args.units))
    if args.charm_from:
        command += f" --charm-from {args.charm_from}"
    if args.out != ROOT / "bench/results/scale.md":
        command += f" --out {args.out}"
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"# Peer relation scaling: {HOOK} of {name} on the local model",
        "",
        f"Command: `{command}` (as root)  ",
        f"Date: {date}  ",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}  ",
        f"Total run time (build, deploy, growth, destroy): {total / 60:.1f} min",
        "",
        f"| units | {HOOK} median wall s | max wall s | median hook-tool calls | "
        "median shim calls | update-status hook-tool calls |",
        "|---|---|---|---|---|---|",
    ]
    for n in args.units:
        row = rows.get(n)
        if row is None:
            lines.append(f"| {n} | not reached | | | | |")
        elif not row["runs"]:
            lines.append(f"| {n} | n/a (no run) | | | | {row['update_status_tools']} |")
        else:
            lines.append(
                f"| {n} | {row['median_wall']:.3f} | {row['max_wall']:.3f} | "
                f"{row['median_tools']:g} | {row['median_shims']:g} | "
                f"{row['update_status_tools']} |"
            )
    lines += [
        "",
        f"| units | {HOOK} runs in the sample | all hooks run by the join | "
        "their hook-tool calls | join wall s |",
        "|---|---|---|---|---|",
    ]
    for n, row in sorted(rows.items()):
        sample = f"{row['runs']} (run-hook x{SOLO_RUNS})" if n == 1 else row["runs"]
        lines.append(
            f"| {n} | {sample} | {row['join_hooks']} | {row['join_tools']} | "
            f"{row['join_wall']:.1f} |"
        )
    lines += ["", "Curve:", *curve(rows), "", "Notes:"]
    lines += [f"- {note}" for note in notes]
    lines += [
        f"- At N units the sample is every {HOOK} run by the add-unit from N-1 to N units; at 1 "
        f"unit there is no peer, so the hook was fired {SOLO_RUNS} times by `run-hook` with "
        "the cluster relation as context and no remote unit.",
        "- Hook-tool calls are Juju hook tools; shim calls are the emulated apt/service "
        "commands. update-status is run on unit 0 (the leader) after each size is reached.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[1, 3, 9, 27])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/scale.md")
    parser.add_argument("--charm", type=Path, help="a built charm dir (default: build sample)")
    parser.add_argument(
        "--charm-from", metavar="COMMIT", help="build sample-api on this commit's framework"
    )
    parser.add_argument("--budget-min", type=float, default=45.0, help="stop growing after this")
    args = parser.parse_args()
    args.units = sorted(set(args.units))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="charmsmith-scale-") as tmp:
        tmpdir = Path(tmp)
        if args.charm_from:
            charm = build_at(args.charm_from, tmpdir)
        else:
            charm = args.charm or build(tmpdir)
        model = tmpdir / "model"
        try:
            name, rows, notes = measure(charm, model, args.units, args.budget_min * 60, started)
        finally:
            if (model / "state.json").exists():
                print(cli(model, "destroy").strip(), flush=True)
    text = report(args, name, rows, notes, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
