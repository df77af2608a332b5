"""charm-helpers' ``subprocess``, with the hook tools answered by the model in-process.

charmhelpers.core.hookenv runs every hook tool as ``subprocess.check_output([...])`` (or
``check_call``/``call``); putting this object in place of its ``subprocess`` keeps all of
charm-helpers' own argument building and JSON parsing under test, while each tool call goes
to the model's dispatcher as the socket server would hand it over: a ``--file F`` argument
read by the caller into stdin (as the C client does), a non-zero exit raised as
CalledProcessError. Anything that is not a hook tool runs for real.
"""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from charmsmith.model import tools
from charmsmith.model.tool_base import Result


@dataclass
class RelationSetCall:
    """One relation-set the model accepted (it applies the settings at the hook's commit)."""

    relation_id: str | None
    settings: dict[str, str | None]
    app: bool


@dataclass
class ToolProcesses:
    """Stands in for the ``subprocess`` module inside hookenv (every other name passes through)."""

    run_tool: Callable[[list[str], bytes], Result]
    relation_id: Callable[[], str | None]  # the hook's JUJU_RELATION_ID, for a bare relation-set
    relation_sets: list[RelationSetCall] = field(default_factory=list)
    # tools this Juju does not have (network-get came with Juju 2.0): running one fails as
    # subprocess does for a missing executable
    absent: frozenset[str] = frozenset()
    CalledProcessError = subprocess.CalledProcessError
    STDOUT = subprocess.STDOUT

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    def check_output(self, args: list[str], **kwargs: Any) -> Any:
        if not _is_tool(args):
            return subprocess.check_output(args, **kwargs)
        rc, out, err = self._run(args)
        if kwargs.get("stderr") == subprocess.STDOUT:
            out, err = out + err, b""
        if rc != 0:
            raise subprocess.CalledProcessError(rc, args, output=out, stderr=err)
        text = kwargs.get("universal_newlines") or kwargs.get("text")
        return out.decode() if text else out

    def check_call(self, args: list[str], **kwargs: Any) -> int:
        if not _is_tool(args):
            return subprocess.check_call(args, **kwargs)
        rc, _out, err = self._run(args)
        if rc != 0:
            raise subprocess.CalledProcessError(rc, args, stderr=err)
        return 0

    def call(self, args: list[str], **kwargs: Any) -> int:
        if not _is_tool(args):
            return subprocess.call(args, **kwargs)
        return self._run(args)[0]

    def _run(self, args: list[str]) -> Result:
        argv = [str(arg) for arg in args]
        if argv[0] in self.absent:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", argv[0])
        stdin = _file_argument(argv)
        result = self.run_tool(argv, stdin)
        if argv[0] == "relation-set" and "--help" not in argv and result[0] == 0:
            self.relation_sets.append(self._relation_set(argv, stdin))
        return result

    def _relation_set(self, argv: list[str], stdin: bytes) -> RelationSetCall:
        settings: dict[str, str | None] = {}
        if stdin:
            loaded = yaml.safe_load(stdin.decode()) or {}
            settings.update({str(k): None if v is None else str(v) for k, v in loaded.items()})
        rid = self.relation_id()
        args = iter(argv[1:])
        for arg in args:
            if arg in ("-r", "--relation"):
                rid = next(args)
            elif arg == "--file":
                next(args)
            elif "=" in arg and not arg.startswith("-"):
                key, _, value = arg.partition("=")
                settings[key] = value or None
        return RelationSetCall(rid, settings, "--app" in argv)


def _is_tool(args: Any) -> bool:
    return isinstance(args, list | tuple) and bool(args) and str(args[0]) in tools.TOOLS


def _file_argument(argv: list[str]) -> bytes:
    """The content of ``--file F`` (``--file=F``), which the tool client reads for the tool."""
    for index, arg in enumerate(argv):
        if arg == "--file" and index + 1 < len(argv):
            return Path(argv[index + 1]).read_bytes()
        if arg.startswith("--file="):
            return Path(arg.partition("=")[2]).read_bytes()
    return b""
