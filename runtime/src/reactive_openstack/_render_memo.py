"""Skip a render whose inputs are the previous hook's: no Jinja in a steady-state hook.

Why: upstream charms.openstack renders every managed file in every hook, and importing Jinja
and compiling templates is most of what a steady-state hook costs above starting
charms.reactive. Templates read the adapters through :class:`Recording` proxies; the unit kv
keeps the reads and digests of their values (never the values: passwords are among them), of
the template tree and of each file written. The next hook replays the reads; same digests and
untouched files mean the same bytes, so the render is skipped.
Details: docs/hook-cost.md, 'When a render is skipped'.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The unit kv key of the previous render's record.
MEMO_KV_KEY = "reactive_openstack.render-memo"
#: Hooks that always render: the charm (and so the adapters' code) may have changed.
ALWAYS_RENDER_HOOKS = frozenset({"install", "upgrade-charm", "post-series-upgrade"})
_READ_ERRORS = (AttributeError, LookupError, TypeError)


class NotPlain(ValueError):
    """A value read by a template that cannot be compared across hooks by its digest."""


@dataclass(frozen=True)
class Read:
    """One thing a template asked: ``op`` (attr, item, call, bool or contains) of the object
    reached from a namespace through the attributes ``path`` (``options.charm_instance``)."""

    namespace: str
    path: tuple[str, ...]
    op: str
    name: str | int | None = None
    #: a call's arguments as JSON text of ``[positional, keywords]``
    args: str = ""

    def as_json(self) -> list[Any]:
        return [self.namespace, list(self.path), self.op, self.name, self.args]

    @classmethod
    def from_json(cls, data: list[Any]) -> Read:
        namespace, path, op, name, args = data
        return cls(str(namespace), tuple(str(part) for part in path), str(op), name, str(args))

    def where(self) -> str:
        return ".".join([self.namespace, *self.path, str(self.name or self.op)])


@dataclass(frozen=True)
class RenderMemo:
    """What the unit kv keeps of the previous render (digests only, never values)."""

    inputs_key: str
    reads: tuple[Read, ...]
    values_digest: str
    files: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "inputs_key": self.inputs_key,
            "reads": [read.as_json() for read in self.reads],
            "values_digest": self.values_digest,
            "files": dict(self.files),
        }

    @classmethod
    def from_json(cls, data: Any) -> RenderMemo | None:
        try:
            return cls(
                str(data["inputs_key"]),
                tuple(Read.from_json(item) for item in data["reads"]),
                str(data["values_digest"]),
                {str(path): str(digest) for path, digest in data["files"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # a record from another version of this module: render


def plain(value: Any) -> Any:
    """``value`` as JSON-able data with its types kept ("1" and 1 differ), or NotPlain.

    Dicts keep their order (templates iterate them in that order); sets have none across
    processes, so they are not plain.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return [type(value).__name__, value]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [plain(item) for item in value]]
    if isinstance(value, dict):
        return ["dict", [[plain(key), plain(item)] for key, item in value.items()]]
    raise NotPlain(type(value).__name__)


def _action(adapter: Any, read: Read) -> Callable[[], Any]:
    if read.op == "attr":
        return lambda: getattr(adapter, str(read.name))
    if read.op == "item":
        return lambda: adapter[read.name]
    if read.op == "call":
        positional, keywords = json.loads(read.args)
        return lambda: getattr(adapter, str(read.name))(*positional, **dict(keywords))
    if read.op == "bool":
        return lambda: bool(adapter)
    if read.op == "contains":
        return lambda: read.name in adapter
    raise ValueError(f"unknown read {read.op!r}")


def _perform(target: Any, read: Read) -> tuple[Any, Any, BaseException | None]:
    """Do ``read`` on ``target``: its outcome as plain data (None when the value cannot be
    compared), the value, and the exception it raised.

    An attribute that is callable, or an object (``options.charm_instance``), has only that as
    its outcome: what the template does with it next is recorded as reads of its own.
    """
    try:
        value = _action(target, read)()
    except _READ_ERRORS as exc:
        return ["raise", type(exc).__name__], None, exc
    if read.op == "attr" and callable(value):
        return ["callable"], value, None
    try:
        return plain(value), value, None
    except NotPlain:
        return (["object"] if read.op == "attr" else None), value, None


def _resolve(adapters: Mapping[str, Any], read: Read) -> Any:
    """The object ``read`` applies to, reached again in this hook (AttributeError if gone)."""
    target = adapters[read.namespace]
    for name in read.path:
        target = getattr(target, name)
    return target


def _digest(pairs: Iterable[tuple[Read, Any]]) -> str:
    text = json.dumps([[read.as_json(), outcome] for read, outcome in pairs], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Recorder:
    """Collects the reads of one render; ``unusable`` says why no record can be kept."""

    outcomes: dict[Read, Any] = field(default_factory=dict)
    unusable: str | None = None

    def wrap(self, adapters: Mapping[str, Any]) -> dict[str, Any]:
        """The Jinja context: each namespace behind a recording proxy."""
        return {name: Recording(name, (), adapter, self) for name, adapter in adapters.items()}

    def read(self, target: Any, read: Read) -> Any:
        outcome, value, error = _perform(target, read)
        if outcome is None:
            self.unusable = f"{read.where()} is a {type(value).__name__}"
            return value
        self.outcomes.setdefault(read, outcome)
        if error is not None:
            raise error
        if outcome == ["callable"]:
            return self._recording_call(target, read)
        if outcome == ["object"]:
            return Recording(read.namespace, (*read.path, str(read.name)), value, self)
        return value

    def _recording_call(self, target: Any, attr: Read) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                plain([args, kwargs])
            except NotPlain as exc:
                self.unusable = f"{attr.where()}() got a {exc} argument"
                return getattr(target, str(attr.name))(*args, **kwargs)
            arguments = json.dumps([list(args), kwargs], sort_keys=True)
            return self.read(target, Read(attr.namespace, attr.path, "call", attr.name, arguments))

        return call

    def opaque(self, where: str, what: str) -> None:
        self.unusable = f"a template {what} {where} itself"

    def memo(self, inputs_key: str, files: Mapping[str, bytes]) -> RenderMemo | None:
        if self.unusable is not None:
            return None
        return RenderMemo(
            inputs_key,
            tuple(self.outcomes),
            _digest(self.outcomes.items()),
            {path: _sha256(content) for path, content in files.items()},
        )


class Recording:
    """Stands in for a namespace (or an object reached from one) in the Jinja context and
    records what templates ask of it."""

    __slots__ = ("_namespace", "_path", "_target", "_recorder")

    def __init__(
        self, namespace: str, path: tuple[str, ...], target: Any, recorder: Recorder
    ) -> None:
        self._namespace = namespace
        self._path = path
        self._target = target
        self._recorder = recorder

    def _read(self, op: str, name: str | int | None = None) -> Any:
        return self._recorder.read(self._target, Read(self._namespace, self._path, op, name))

    def _opaque(self, what: str) -> None:
        self._recorder.opaque(".".join([self._namespace, *self._path]), what)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # Python and Jinja protocol probes, not template reads
        return self._read("attr", name)

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, (str, int)):
            self._opaque(f"indexes with a {type(key).__name__}")
            return self._target[key]
        return self._read("item", key)

    def __bool__(self) -> bool:
        return bool(self._read("bool"))

    def __contains__(self, item: Any) -> bool:
        if not isinstance(item, str):
            self._opaque(f"looks for a {type(item).__name__} in")
            return item in self._target
        return bool(self._read("contains", item))

    def __iter__(self) -> Any:
        self._opaque("iterates")
        return iter(self._target)

    def __len__(self) -> int:
        self._opaque("measures")
        return len(self._target)

    def __str__(self) -> str:
        self._opaque("prints")
        return str(self._target)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def inputs_key(release: Any, plan: Iterable[tuple[str, int, str]], search_path: list[str]) -> str:
    """Digest of what a render depends on besides the adapters' values.

    The release, each target with its mode and group, and every file under the template
    search path (names and contents: a template added to a release directory changes which
    file is found, not just what a found file says).
    """
    digest = hashlib.sha256(json.dumps([release, [list(item) for item in plan]]).encode())
    for directory in search_path:
        digest.update(b"\0dir\0" + directory.encode())
        for root, dirs, files in os.walk(directory):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                digest.update(b"\0file\0" + os.path.relpath(path, directory).encode() + b"\0")
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()


def load(host: Any) -> RenderMemo | None:
    data = host.kv_get(MEMO_KV_KEY)
    return RenderMemo.from_json(data) if data else None


def unchanged_files(host: Any, adapters: Mapping[str, Any], key: str) -> dict[str, bytes] | None:
    """The files on disk (path -> bytes) when rendering now would write exactly them; else None."""
    if host.hook_name in ALWAYS_RENDER_HOOKS:
        return None
    memo = load(host)
    if memo is None or memo.inputs_key != key:
        return None
    on_disk: dict[str, bytes] = {}
    for path, digest in memo.files.items():
        content = host.read_file(path)
        if content is None or _sha256(content) != digest:
            return None  # deleted or edited by someone else: render it again
        on_disk[path] = content
    outcomes = []
    for read in memo.reads:
        try:
            outcome, _, _ = _perform(_resolve(adapters, read), read)
        except (KeyError, AttributeError):
            return None  # the namespace or an object on the path is gone
        if outcome is None:
            return None
        outcomes.append((read, outcome))
    return on_disk if _digest(outcomes) == memo.values_digest else None


def remember(host: Any, recorder: Recorder, key: str, files: Mapping[str, bytes]) -> None:
    """Keep this render's record for the next hook, or none when it cannot be compared."""
    memo = recorder.memo(key, files)
    if memo is None:
        host.kv_unset(MEMO_KV_KEY)
        host.log(f"rendering: no record kept, every hook renders ({recorder.unusable})", "DEBUG")
        return
    host.kv_set(MEMO_KV_KEY, memo.as_json())
