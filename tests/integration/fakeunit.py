"""Run a built charm's hooks like Juju would, with no network and no Juju.

What makes it Juju-like (the traps a real unit sets for a charm, docs/hook-cost.md):
the charm lives at ``<root>/var/lib/juju/agents/unit-<app>-<n>/charm`` with a ``revision``
file, the hook runs from the charm dir under ``env -i`` with Juju's variables only, the hook
tools are fakes on PATH backed by a JSON state file, the host's pip configuration is hidden
(``PIP_CONFIG_FILE=/dev/null``, no ``PIP_*``), and the unit sees a jammy ``/etc/os-release``
(bind-mounted in a private mount namespace, because charmhelpers refuses Debian). Each hook
runs in a fresh network namespace (``unshare -n``): only a loopback that is down, so any
attempt to reach a package index fails, which is what proves the bootstrap is offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from charmsmith.model.units import OS_RELEASE

HERE = Path(__file__).resolve().parent
TOOL_SCRIPT = HERE / "fakejuju_tool.py"
TOOLS = (
    "config-get juju-log status-set status-get application-version-set is-leader leader-get "
    "leader-set relation-ids relation-list relation-get relation-set open-port close-port "
    "opened-ports unit-get network-get goal-state action-get action-set action-log action-fail"
).split()
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def namespaces_available() -> bool:
    """True when we may create network and mount namespaces (root on Linux with unshare)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True)
    return probe.returncode == 0


@dataclass
class HookResult:
    hook: str
    returncode: int
    output: str
    seconds: float
    calls: list[list[str]] = field(default_factory=list)


class FakeUnit:
    """One unit of a built charm under ``root`` (a tmp dir), with its fake hook tools."""

    def __init__(
        self,
        root: Path,
        built_charm: Path,
        unit: str = "sample-api/0",
        python: str | None = None,
    ) -> None:
        self.root = root
        self.unit = unit
        app, number = unit.split("/")
        self.agent_dir = root / "var/lib/juju/agents" / f"unit-{app}-{number}"
        self.charm_dir = self.agent_dir / "charm"
        shutil.copytree(built_charm, self.charm_dir, symlinks=True)
        (self.charm_dir / "revision").write_text("0\n")
        self.tools_dir = root / "fake-tools"
        self.tools_dir.mkdir()
        for tool in TOOLS:
            (self.tools_dir / tool).symlink_to(TOOL_SCRIPT)
        for tool in ("apt-get", "apt-cache", "dpkg-query", "systemctl", "service"):
            (self.tools_dir / tool).symlink_to(HERE / "fakejuju_system.sh")
        if python:  # the unit's "system" python3 (jammy 3.10, noble 3.12, ...)
            (self.tools_dir / "python3").symlink_to(python)
        self.state_path = root / "state.json"
        self.calls_path = root / "calls.jsonl"
        self.os_release = root / "os-release"
        self.os_release.write_text(OS_RELEASE)  # what a model unit has
        self.model_uuid = str(uuid.uuid4())
        self.write_state({"config": {}, "leader": True, "address": "10.0.0.10", "relations": {}})

    @property
    def venv(self) -> Path:
        return self.agent_dir / ".venv"

    def write_state(self, state: dict) -> None:
        self.state_path.write_text(json.dumps(state, indent=1, sort_keys=True))

    def state(self) -> dict:
        return json.loads(self.state_path.read_text())

    def env(self, hook: str) -> dict[str, str]:
        """Exactly what the hook sees: Juju's variables, the tools, nothing from our shell."""
        return {
            "PATH": f"{self.tools_dir}:{SYSTEM_PATH}",
            "LANG": "C.UTF-8",
            "HOME": "/root",
            "PIP_CONFIG_FILE": "/dev/null",
            "JUJU_UNIT_NAME": self.unit,
            "JUJU_CHARM_DIR": str(self.charm_dir),
            "CHARM_DIR": str(self.charm_dir),
            "JUJU_HOOK_NAME": hook,
            "JUJU_MODEL_NAME": "test",
            "JUJU_MODEL_UUID": self.model_uuid,
            "JUJU_MACHINE_ID": "0",
            "JUJU_AVAILABILITY_ZONE": "az1",
            "JUJU_CONTEXT_ID": f"{self.unit}-{hook}-{time.monotonic_ns()}",
            "JUJU_AGENT_SOCKET_ADDRESS": "@/var/lib/juju/agents/unit/agent.socket",
            "JUJU_AGENT_SOCKET_NETWORK": "unix",
            "JUJU_API_ADDRESSES": "10.0.0.1:17070",
            "JUJU_VERSION": "3.4.0",
            "FAKE_JUJU_STATE": str(self.state_path),
            "FAKE_JUJU_CALLS": str(self.calls_path),
        }

    def run_hook(self, hook: str, timeout: float = 600) -> HookResult:
        """Run ``hooks/<hook>`` offline (fresh netns) with the jammy os-release mounted."""
        env_args = [f"{k}={v}" for k, v in self.env(hook).items()]
        script = 'mount --bind "$1" /etc/os-release && shift && cd "$1" && shift && exec "$@"'
        argv = [
            "unshare", "-n", "-m", "sh", "-c", script, "sh",
            str(self.os_release), str(self.charm_dir),
            "env", "-i", *env_args, f"./hooks/{hook}",
        ]  # fmt: skip
        before = self.calls_path.read_text().count("\n") if self.calls_path.exists() else 0
        started = time.monotonic()
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        seconds = time.monotonic() - started
        lines = self.calls_path.read_text().splitlines() if self.calls_path.exists() else []
        calls = [json.loads(line)[1:] for line in lines[before:]]
        return HookResult(hook, proc.returncode, proc.stdout + proc.stderr, seconds, calls)
