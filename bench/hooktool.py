"""Cost of one emulated hook-tool call (C client -> unix socket -> model server thread).

Run: `.venv/bin/python -m bench.hooktool [N]`. A shell loop makes N calls, as a hook would; the
same loop running /bin/true gives the fork+exec floor, so the difference is the tool's own cost.
Target (issue 5): under 3 ms per call.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from charmsmith.model.harness import tool_session

ROOT = Path(__file__).resolve().parent.parent
CHARM = ROOT / "tests" / "fixtures" / "model-charm"
CALLS = [
    ["config-get", "--all", "--format=json"],
    ["is-leader", "--format=json"],
    ["relation-ids", "--format=json", "cluster"],
    ["status-set", "active", "Unit is ready"],
    ["juju-log", "-l", "DEBUG", "benchmark"],
]


def per_call(env: dict[str, str], argv: list[str], n: int, batches: int = 5) -> float:
    """Median over batches of the per-call time: this VM is shared, single batches are noisy."""
    quoted = " ".join(f"'{a}'" for a in argv)
    size = max(n // batches, 1)
    script = f"i=0; while [ $i -lt {size} ]; do {quoted} >/dev/null; i=$((i+1)); done"
    results = []
    for _ in range(batches):
        start = time.perf_counter()
        subprocess.run(["/bin/sh", "-c", script], env=env, check=True)
        results.append((time.perf_counter() - start) / size * 1000)
    return statistics.median(results)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp, tool_session(Path(tmp) / "m", CHARM) as s:
        floor = per_call(s.env, ["/bin/true"], n)
        print(f"fork+exec floor (/bin/true): {floor:.3f} ms per call (n={n})")
        worst = 0.0
        for argv in CALLS:
            cost = per_call(s.env, argv, n)
            worst = max(worst, cost)
            print(f"{' '.join(argv):<40} {cost:.3f} ms per call")
        server = [c["ms"] for c in s.ctx.calls]
        print(f"server-side handling: mean {sum(server) / len(server):.3f} ms over {len(server)}")
        print(
            f"worst tool: {worst:.3f} ms per call -> {'OK' if worst < 3 else 'TOO SLOW'} (< 3 ms)"
        )


if __name__ == "__main__":
    main()
