"""charm-build's output: streamed as progress, kept whole for a log file, reduced to one cause.

charm-tools reports many user mistakes (a layer.yaml of the wrong shape, say) by crashing with
a Python traceback. The user needs the cause in one line and the whole output somewhere to
look at; so traceback lines are held back from the progress stream, the exception line is
picked out as the cause, and the full output is written to a file the error message names.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from charmsmith.errors import CharmsmithError

TRACEBACK = "Traceback (most recent call last):"
# Noise charm-tools prints on every run (requirements-parser imports pkg_resources).
NOISE = ("pkg_resources is deprecated", "import pkg_resources", "UserWarning")
CAUSE_LIMIT = 300


class BuildOutput:
    """Every line charm-build printed, and the ones worth showing while it runs."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        self.progress = progress
        self.lines: list[str] = []  # everything, for the log file
        self.shown: list[str] = []  # streamed to progress: no noise, no traceback
        self._in_traceback = False

    def feed(self, line: str) -> None:
        self.lines.append(line)
        if line.startswith(TRACEBACK):
            self._in_traceback = True  # the process is dying: the rest goes to the log only
        if self._in_traceback or not line.strip() or any(n in line for n in NOISE):
            return
        self.shown.append(line)
        self.progress(line)

    def cause(self) -> str:
        """The last traceback's exception line (and its continuation), else the last line."""
        starts = [i for i, line in enumerate(self.lines) if line.startswith(TRACEBACK)]
        if starts:
            after = self.lines[starts[-1] + 1 :]
            # frames are indented; the exception is the first line that is not
            exception = (i for i, ln in enumerate(after) if ln.strip() and not ln[0].isspace())
            head = next(exception, None)
            if head is not None:
                text = " ".join(ln.strip() for ln in after[head : head + 6] if ln.strip())
                kind, sep, message = text.partition(": ")
                text = f"{kind.rsplit('.', 1)[-1]}{sep}{message}"
                return text if len(text) <= CAUSE_LIMIT else text[: CAUSE_LIMIT - 3] + "..."
        return next((ln.strip() for ln in reversed(self.shown) if ln.strip()), "no output")

    def save(self, path: Path) -> None:
        """Write the whole output, owner-only: pip lines can show index URLs with credentials."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)  # an older log may have had wider permissions
            handle.write("\n".join(self.lines) + "\n")


def run(
    argv: list[str], cwd: Path, env: dict[str, str], progress: Callable[[str], None]
) -> tuple[int, BuildOutput]:
    """Run charm-build, streaming its output line by line; returns (exit code, output)."""
    output = BuildOutput(progress)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as err:
        raise CharmsmithError(f"cannot run {argv[0]}: {err.strerror}") from err
    assert proc.stdout is not None
    try:
        with proc.stdout:
            for raw in proc.stdout:
                output.feed(raw.rstrip("\n"))
    except BaseException:  # Ctrl-C: stop charm-build before its staging directory is removed
        proc.kill()
        proc.wait()
        raise
    return proc.wait(), output
