"""A model with a hook-tool server but no namespaces: for tool tests and the tool benchmark.

Why: hook-tool formats and costs are properties of the C client + server alone; testing them
must not need root, a bridge or a charm build. `tool_session` yields a Model holding one app
(from a charm's metadata/config) with units, a live hook context, and the environment a hook
would have, so callers run the real compiled tools with subprocess.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from charmsmith.model import hooktools, runner, scope
from charmsmith.model.deploy import charm_app
from charmsmith.model.sequencer import Model
from charmsmith.model.store import ModelStore
from charmsmith.model.substrate import FakeSubstrate
from charmsmith.model.tool_base import HookContext


@dataclass
class ToolSession:
    model: Model
    ctx: HookContext
    env: dict[str, str]
    bin_dir: Path

    def context(self, unit: str, hook: str, **extra: Any) -> dict[str, str]:
        """Switch to a new hook context; returns the env to run tools with."""
        self.ctx = runner.new_context(self.model, unit, hook, **extra)
        self.env = _env(self)
        return self.env


def _env(session: ToolSession) -> dict[str, str]:
    return {
        "PATH": f"{session.bin_dir}:/usr/bin:/bin",
        "JUJU_CONTEXT_ID": session.ctx.id,
        "JUJU_UNIT_NAME": session.ctx.unit,
        "CHARMSMITH_SOCKET": str(session.model.store.path / "run" / "hooktools.sock"),
        "LANG": "C.UTF-8",
    }


@contextlib.contextmanager
def tool_session(model_dir: Path, charm_dir: Path, units: int = 1) -> Iterator[ToolSession]:
    store = ModelStore(model_dir)
    with store.locked(create=True):
        store.state["subnet"] = "203.0.113.0/24"  # never put on a bridge here
        model = Model(store, echo=lambda _line: None, substrate=FakeSubstrate(runner.run_event))
        metadata = yaml.safe_load((charm_dir / "metadata.yaml").read_text())
        options = (yaml.safe_load((charm_dir / "config.yaml").read_text()) or {}).get("options", {})
        name = metadata["name"]
        store.state["applications"][name] = charm_app(
            name, charm_dir, metadata, options, "emulated"
        )
        for _ in range(units):
            model.new_unit(name)
        store.state["applications"][name]["leader"] = f"{name}/0"
        model.ensure_peer_relations(name)
        for unit in store.state["applications"][name]["units"]:
            model.unit(unit)["installed"] = True  # the session plays installed units, in scope
            for rel in model.relations_of(name):
                scope.RelationScope.of(rel).enter(unit)
        run_dir = store.path / "run"
        run_dir.mkdir(exist_ok=True)
        bin_dir = hooktools.ensure_client(run_dir)
        with hooktools.HookToolServer(run_dir, model.handle_tool):
            session = ToolSession(
                model, runner.new_context(model, f"{name}/0", "install"), {}, bin_dir
            )
            session.env = _env(session)
            yield session
