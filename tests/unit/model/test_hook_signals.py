"""A hook killed by a signal is reported with the signal's name, not as a negative exit code.

The hook process is real (a shell that kills itself); only the unit around it is faked: no
namespaces, and the hook command is substituted for the launcher.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_charm import model_on

from charmsmith.model import runner
from charmsmith.model import units as unitfs

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


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
def test_killed_hook_names_the_signal(model, monkeypatch, tmp_path, script, expected):
    model.deploy(CHARM, "app", {}, 1)  # queues hooks; run_event below runs the first
    hook_dir = unitfs.upper(model.store.path, "app/0", "/var/lib")
    hook_dir = hook_dir / unitfs.charm_dir_in_unit("app/0")[len("/var/lib/") :] / "hooks"
    hook_dir.mkdir(parents=True)
    (hook_dir / "install").write_text("#!/bin/sh\n")
    monkeypatch.setattr(runner, "unit_command", lambda *a, **k: ["sh", "-c", script])
    monkeypatch.setattr(runner, "hook_env", lambda *a: {"PATH": "/usr/bin:/bin"})

    assert runner.run_event(model, {"unit": "app/0", "hook": "install"}) is False
    assert len(model.failures) == 1
    assert f'hook "install" failed on app/0 {expected}' in model.failures[0]
    log = (model.store.path / "debug-log.txt").read_text()
    assert expected.split(":")[0] in log
