"""An interrupted `charmsmith create` leaves no staging directory and no half-written charm."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from charmsmith import cli
from charmsmith.create import render

# `charmsmith create` with render() stopped right after it wrote the whole tree: a test-only
# patch in the child process, so the signal arrives at a known point of the run. SIGINT gets
# Python's usual handler back: a test run started in the background without job control
# inherits SIGINT ignored, and then there would be no interruption to test.
PAUSED_CREATE = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from charmsmith import cli
from charmsmith.create import render
real = render.render
def paused(*args, **kwargs):
    built = real(*args, **kwargs)
    print("rendered", built, flush=True)
    time.sleep(300)
    return built
render.render = paused
sys.exit(cli.main(["create", "widget", "--defaults", "-o", sys.argv[1]]))
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_mid_create_removes_staging(tmp_path: Path, sig: signal.Signals):
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_CREATE, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("rendered "), line + proc.stderr.read()
    staged = Path(line.split(" ", 1)[1].strip())
    assert staged.is_dir() and staged.parent.parent == tmp_path  # the staging dir exists
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig
    assert err.strip().splitlines()[-1] == "charmsmith: interrupted"
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no staging dir, no charm


def test_keyboard_interrupt_mid_create_removes_staging(tmp_path: Path, monkeypatch):
    real = render.render

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "render", interrupted)
    assert cli.main(["create", "widget", "--defaults", "-o", str(tmp_path)]) == 130
    assert list(tmp_path.iterdir()) == []
