"""The integration and e2e suites' handle on the local model: the `charmsmith model` CLI.

Also the probes they share: is a TCP port listening, which loopback port is free.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from charmsmith.model.network import accepts
from charmsmith.model.state import ModelState

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
        """The raw state document, as written on disk."""
        return json.loads((self.model / "state.json").read_text())

    def records(self) -> ModelState:
        """The state document read as the model's typed records."""
        return ModelState.from_json(self.state())


def listening(address: str, port: int, timeout: float = 1) -> bool:
    """A TCP connect (callers pass model-bridge or loopback addresses only)."""
    return accepts(address, port, timeout)


def free_port() -> int:
    """A loopback TCP port nobody listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def host_objects(model_id: str) -> list[str]:
    """Links and network namespaces on the host that carry the model's id."""
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line for line in (links + netns).splitlines() if model_id in line]
