"""The integration and e2e suites' handle on the local model: the `charmsmith model` CLI."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class ModelCLI:
    """`python -m charmsmith.cli model --model DIR ...`; asserts success unless check=False."""

    def __init__(self, model: Path) -> None:
        self.model = model

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "charmsmith.cli", "model", "--model", str(self.model), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
        if check:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def status(self) -> dict:
        return json.loads(self("status", "--format", "json").stdout)

    def state(self) -> dict:
        return json.loads((self.model / "state.json").read_text())


def listening(address: str, port: int) -> bool:
    """A TCP connect (callers pass model-bridge or loopback addresses only)."""
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def host_objects(model_id: str) -> list[str]:
    """Links and network namespaces on the host that carry the model's id."""
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line for line in (links + netns).splitlines() if model_id in line]
