"""A hook killed by a signal is reported with the signal's name, not as a negative exit code.

The hook process is real (a shell that kills itself); only the unit around it is faked: no
namespaces, and the hook command is substituted for the launcher (ScriptedUnit).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_charm import model_on

from charmsmith.model import runner
from charmsmith.model import units as unitfs
from charmsmith.model.protocols import ModelView
from charmsmith.model.state import QueuedEvent
from charmsmith.model.substrate import FakeSubstrate

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


class ScriptedUnit(FakeSubstrate):
    """A unit whose every program is `sh -c <script>`, run on this host."""

    def __init__(self, script: str) -> None:
        super().__init__(runner.run_event)
        self.script = script

    def enter_unit(self, model: ModelView, unit: str, argv: list[str], cwd: str) -> list[str]:
        return ["sh", "-c", self.script]


@pytest.fixture()
def model(tmp_path: Path):
    with model_on(tmp_path, runner.run_event) as m:
        (m.store.path / "run").mkdir(exist_ok=True)
        yield m


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("echo about to die; kill -KILL $$", "(killed by SIGKILL): about to die"),
        ("echo terminated; kill -TERM $$", "(killed by SIGTERM): terminated"),
        ("echo plain failure; exit 3", "(exit 3): plain failure"),
    ],
)
def test_killed_hook_names_the_signal(model, tmp_path, script, expected):
    model.deploy(CHARM, "app", {}, 1)  # queues hooks; run_event below runs the first
    hook_dir = unitfs.upper(model.store.path, "app/0", "/var/lib")
    hook_dir = hook_dir / unitfs.charm_dir_in_unit("app/0")[len("/var/lib/") :] / "hooks"
    hook_dir.mkdir(parents=True)
    (hook_dir / "install").write_text("#!/bin/sh\n")
    model.substrate = ScriptedUnit(script)

    assert runner.run_event(model, QueuedEvent("app/0", "install")) is False
    assert len(model.failures) == 1
    assert f'hook "install" failed on app/0 {expected}' in model.failures[0]
    log = (model.store.path / "debug-log.txt").read_text()
    assert expected.split(":")[0] in log
