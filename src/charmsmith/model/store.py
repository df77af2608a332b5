"""Persistent model state: one JSON document, written atomically under an exclusive lock.

Why this shape: every `charmsmith model` command is a short process; the model must survive a
command killed at any point. So the state is rewritten whole with temp file + fsync + rename
(a reader sees the old or the new document, never half of one), commands serialise on flock,
and the ever-growing hook history lives in an append-only JSONL file whose torn last line (if a
command died mid-write) is simply skipped when read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from charmsmith.errors import CharmsmithError
from charmsmith.model.migrations import migrate
from charmsmith.model.state import SCHEMA, ModelState

STATE_FILE = "state.json"
HISTORY_FILE = "hooks.jsonl"
DEBUG_LOG = "debug-log.txt"
LOCK_FILE = "lock"
PEER_MARKER = "peer.json"  # in <model>/peers/<app>/: which backend runs there (no secrets)


def default_model_dir() -> Path:
    """`--model` beats CHARMSMITH_MODEL beats ./.charmsmith-model (resolved by the caller)."""
    return Path(os.environ.get("CHARMSMITH_MODEL") or ".charmsmith-model")


def new_state(model_dir: Path) -> ModelState:
    """A fresh model. The short id names host objects (bridge, netns) so two models never clash."""
    model_id = secrets.token_hex(3)
    from charmsmith.model.network import pick_subnet

    return ModelState(
        schema=SCHEMA,
        name=model_dir.resolve().name.lstrip(".") or "charmsmith",
        uuid=_uuid4(),
        id=model_id,
        subnet=pick_subnet(),
        bridge=f"csbr{model_id}",
        next_host=2,
        mode=os.environ.get("CHARMSMITH_MODE", "emulated"),
        next_relation_id=0,
        next_context=0,
        next_unit_index=0,
        applications={},
        units={},
        relations={},
        queue=[],
        leader_settings={},
    )


def _uuid4() -> str:
    import uuid

    return str(uuid.uuid4())


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` so that `path` holds either its old or its new content, even after a crash."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


# First in the file, so that even a state file cut short still names the model's host objects
# (bridge csbr<id>, namespaces cs<id>-N) and `destroy` can find them.
HEAD_KEYS = ("schema", "id", "bridge", "subnet")


def dumps(state: dict[str, Any]) -> bytes:
    """The state as JSON: HEAD_KEYS first, then every other key sorted (stable diffs)."""
    head = {key: state[key] for key in HEAD_KEYS if key in state}
    rest = {key: value for key, value in state.items() if key not in head}
    text = json.dumps(head, indent=1)
    if rest:
        body = json.dumps(rest, indent=1, sort_keys=True)
        text = (text[:-2] + ",\n" + body[2:]) if head else body
    return text.encode()


class ModelStore:
    """The model directory: state.json (0600: it holds peer passwords), lock, history, debug log."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        self.state = ModelState.empty()
        self._lock_fd: int | None = None
        self._log_fd: int | None = None

    @property
    def exists(self) -> bool:
        return (self.path / STATE_FILE).exists()

    @contextlib.contextmanager
    def locked(self, create: bool = False) -> Iterator[ModelStore]:
        """Hold the model's exclusive lock for one command; load (or create) the state."""
        if not self.exists and not create:
            raise CharmsmithError(
                f"no model at {self.path} (deploy something first, or pass --model DIR)"
            )
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"charmsmith: waiting for the lock on {self.path}", flush=True)
                fcntl.flock(fd, fcntl.LOCK_EX)
            self._lock_fd = fd
            self.state = self.load() if self.exists else new_state(self.path)
            if not self.exists:
                self.save()
            yield self
        finally:
            self._lock_fd = None
            if self._log_fd is not None:
                os.close(self._log_fd)
                self._log_fd = None
            os.close(fd)

    def load(self) -> ModelState:
        """Read state.json as typed records (migrated when older); see `load_document`."""
        doc = self.load_document()
        try:
            return ModelState.from_json(doc)
        except (TypeError, AttributeError, KeyError, ValueError) as err:
            raise self._corrupt(f"not a schema {SCHEMA} model document: {err}") from err

    def _corrupt(self, why: object) -> CharmsmithError:
        return CharmsmithError(
            f"model state {self.path / STATE_FILE} is truncated or corrupt ({why}); the model"
            f" cannot be used: remove it with `charmsmith model --model {self.path} destroy`"
        )

    def load_document(self) -> dict[str, Any]:
        """state.json as JSON; a corrupt file is reported (with the way out), never reset.

        Our writes are atomic, so a truncated or garbled file means something else cut it
        (a full disk, a hand edit, a copy); `destroy` finds the model's host objects without it.
        """
        path = self.path / STATE_FILE
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CharmsmithError(f"cannot read model state {path}: {err.strerror}") from err
        try:
            state = json.loads(data.decode())
            if not isinstance(state, dict):
                raise ValueError("not a JSON object")
        except ValueError as err:
            raise self._corrupt(err) from err
        if state.get("schema") in (1, 2):
            migrate(state)  # saved as schema 3 by the command's next save
        if state.get("schema") != SCHEMA:
            raise CharmsmithError(f"model {self.path} has unknown schema {state.get('schema')}")
        return state

    def save(self) -> None:
        write_atomic(self.path / STATE_FILE, dumps(self.state.to_json()))

    # -- append-only logs ---------------------------------------------------------------------

    def append_history(self, record: dict[str, Any]) -> None:
        """One line per hook run; fsync so a finished hook is never lost by a later kill."""
        self._append(HISTORY_FILE, json.dumps(record, sort_keys=True) + "\n")

    def history(self) -> list[dict[str, Any]]:
        path = self.path / HISTORY_FILE
        if not path.exists():
            return []
        records = []
        for line in path.read_text().splitlines():
            with contextlib.suppress(ValueError):
                records.append(json.loads(line))
        return records

    def log(self, source: str, level: str, message: str) -> None:
        """The debug log (`charmsmith model debug-log`): juju-log lines and model events."""
        stamp = time.strftime("%H:%M:%S", time.localtime())
        if self._log_fd is None:
            # kept open: juju-log is the most frequent hook tool, one open() per call shows
            self._log_fd = os.open(
                self.path / DEBUG_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
            )
        os.write(self._log_fd, f"{stamp} {level:<7} {source}: {message}\n".encode())

    def _append(self, name: str, text: str, sync: bool = True) -> None:
        fd = os.open(self.path / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, text.encode())
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
