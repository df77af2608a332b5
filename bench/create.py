"""Benchmark non-interactive `charmsmith create` (target: under 1 s wall time).

    .venv/bin/python -m bench.create [--runs N] [--out bench/results/create.md]

Measures the whole command as a user runs it - a fresh `charmsmith` process, answers from a
file or --defaults, the charm rendered into a staging directory and moved into place - and,
separately, the in-process render alone, so a regression can be placed in start-up or in
rendering.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHARMSMITH = Path(sys.executable).parent / "charmsmith"
ANSWERS = ROOT / "tests" / "fixtures" / "answers" / "glance-several-sync-files.yaml"
TARGET = 1.0

CASES = {
    "create widget --defaults": ["create", "widget", "--defaults"],
    f"create --answers {ANSWERS.relative_to(ROOT)}": ["create", "--answers", str(ANSWERS)],
}


def time_command(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            subprocess.run(
                [str(CHARMSMITH), *args, "-o", tmp], check=True, capture_output=True, text=True
            )
            times.append(time.perf_counter() - started)
    return times


def time_render(runs: int) -> list[float]:
    from charmsmith.create import answers, answers_file, render

    resolved = answers.resolve(answers_file.load(ANSWERS))
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            render.render(resolved, Path(tmp))
            times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "create.md")
    args = parser.parse_args()
    rows = []
    for label, argv in CASES.items():
        times = time_command(argv, args.runs)
        rows.append((f"`charmsmith {label}`", times))
    rows.append(("in-process `render.render()` (glance answers)", time_render(args.runs)))
    lines = [
        "# `charmsmith create` wall time (non-interactive)",
        "",
        f"Command: `.venv/bin/python -m bench.create --runs {args.runs}`  ",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}  ",
        f"Target: under {TARGET:.1f} s for the whole command.",
        "",
        "| case | min (s) | median (s) | max (s) | target met |",
        "|---|---|---|---|---|",
    ]
    for label, times in rows:
        ok = "yes" if statistics.median(times) < TARGET else "NO"
        lines.append(
            f"| {label} | {min(times):.3f} | {statistics.median(times):.3f} | "
            f"{max(times):.3f} | {ok} |"
        )
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
