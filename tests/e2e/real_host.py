"""What the e2e suites need of the host before real daemons run, and where those keep state.

A suite skips (never fails) on a machine without root, the tools it names or the Debian
packages scripts/setup-e2e.sh installs. The daemons drop to their own users (mysql, rabbitmq,
keystone), so their state lives in a fresh 0711 directory under /tmp (which every user may
pass), not in pytest's 0700 tmp_path; that directory, and any model in it, is removed after.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from model_cli import ModelCLI


def require_host(needed: Iterable[str], tools: Iterable[str] = ()) -> None:
    """Skip unless running as root with `tools` on PATH and every path in `needed` present."""
    tools = tuple(tools)
    if os.geteuid() != 0 or not all(shutil.which(tool) for tool in tools):
        pytest.skip(" ".join(("needs root", *(f"and {tool}" for tool in tools))))
    missing = [path for path in needed if not Path(path).exists()]
    if missing:
        pytest.skip(f"missing {' '.join(missing)} (run scripts/setup-e2e.sh)")


@contextmanager
def private_dir(prefix: str) -> Iterator[Path]:
    """A new directory the daemons' users may traverse (0711), removed with all it holds."""
    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    root.chmod(0o711)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def private_model(prefix: str) -> Iterator[ModelCLI]:
    """The CLI of a model in a private_dir; the model is destroyed (its daemons stopped) after."""
    with private_dir(prefix) as root:
        cli = ModelCLI(root / "model")
        try:
            yield cli
        finally:
            if (cli.model / "state.json").exists():
                cli("destroy", check=False)
