"""Running a command for the real host, and the one error every failed command raises.

A leaf module: host.py and the JujuHost mixins (files, network, packages, resources, services)
all build on :class:`HookToolCaller`, so none of them needs to import host.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class CommandFailed(Exception):
    """A command (hook tool, apt, service, db sync ...) exited non-zero.

    Carries the argv and the combined output so callers can name the command in a status message
    and log the output, without having to know which subprocess API produced it.
    """

    def __init__(self, argv: list[str], returncode: int, output: str = "") -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.output = output
        super().__init__(f"command {' '.join(self.argv)!r} failed with exit code {returncode}")


def hook_facts() -> Any | None:
    """The base layer's cross-hook fact cache when a reactive hook started it, else None.

    Inside a hook it keeps addresses until a hook in which they may change, and holds the
    hook's charm-helpers state; looked up by module name so the runtime needs no base layer
    (unit tests and the update-status fast path run without it).
    """
    module = sys.modules.get("charms.layer.charmsmith_hookfacts")
    return module if module is not None and module.active() is not None else None


class HookToolCaller:
    """Base of JujuHost and its mixins: one command runner and the hook's cache of reads."""

    _cache: dict[str, Any]

    def _call(self, argv: list[str], env: dict[str, str] | None = None) -> str:
        """Run a command, returning stdout; raise CommandFailed with its output otherwise."""
        try:
            proc = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                check=False,
            )
        except OSError as exc:
            # the shell's codes: 127 the program does not exist, 126 it cannot be executed
            code = 127 if isinstance(exc, FileNotFoundError) else 126
            raise CommandFailed(argv, code, str(exc)) from exc
        if proc.returncode != 0:
            raise CommandFailed(argv, proc.returncode, proc.stdout)
        return proc.stdout

    def _cached(self, key: str, load: Callable[[], T]) -> T:
        """``load()`` the first time ``key`` is asked for in this hook, its answer afterwards."""
        if key not in self._cache:
            self._cache[key] = load()
        return cast(T, self._cache[key])
