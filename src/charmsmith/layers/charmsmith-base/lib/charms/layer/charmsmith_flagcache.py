"""charms.reactive's flag table read from the unit kv store once per hook, not once per test.

Why: charms.reactive answers every flag test by reading the whole table (a SELECT and a JSON
decode per flag), some fifty times in a steady-state hook. The rows are kept in memory, this
process's own writes through the same charm-helpers ``Storage`` are applied to the copy, and
the table is read again when another connection has committed (SQLite's ``data_version``) or
after a flush (a rollback undoes our writes). Details: docs/hook-cost.md.
"""

from __future__ import annotations

import json
from typing import Any

#: The key prefix charms.reactive keeps its flags under.
FLAG_PREFIX = "reactive.states."
#: SQLite's LIKE folds ASCII letters only; a key is in the table when its folded start matches.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class FlagTableCache:
    """Wraps one ``Storage`` so reads of ``prefix`` are served from memory between flushes."""

    def __init__(self, store: Any, prefix: str = FLAG_PREFIX) -> None:
        if prefix != prefix.translate(_ASCII_LOWER) or "%" in prefix or "_" in prefix:
            raise ValueError(f"prefix {prefix!r}: lowercase, without LIKE wildcards (% _)")
        self._store = store
        self._prefix = prefix
        #: full key -> JSON text as stored, in the order SQLite returns the rows; None: not read
        self._rows: dict[str, str] | None = None
        #: SQLite's data_version when the rows were read (another connection's commit moves it)
        self._version = 0
        self._getrange = store.getrange
        self._set = store.set
        self._unset = store.unset
        self._unsetrange = store.unsetrange
        self._flush = store.flush

    def install(self) -> None:
        """Route the store's methods through this cache (charm-helpers' methods stay intact)."""
        for name in ("getrange", "set", "unset", "unsetrange", "flush"):
            setattr(self._store, name, getattr(self, name))

    def _covers(self, key: str) -> bool:
        return key[: len(self._prefix)].translate(_ASCII_LOWER) == self._prefix

    def getrange(self, key_prefix: str, strip: bool = False) -> dict[str, Any]:
        if key_prefix != self._prefix:
            return self._getrange(key_prefix, strip=strip)
        version = self._store.conn.execute("pragma data_version").fetchone()[0]
        if self._rows is None or version != self._version:
            # the statement charm-helpers' getrange runs, keeping the JSON text
            rows = self._store.conn.execute(
                "select key, data from kv where key like ?", [key_prefix + "%"]
            )
            self._rows, self._version = dict(rows.fetchall()), version
        cut = len(key_prefix) if strip else 0
        return {
            key[cut:]: None if data == "null" else json.loads(data)
            for key, data in self._rows.items()
        }

    def set(self, key: str, value: Any) -> Any:
        result = self._set(key, value)
        if self._rows is not None and self._covers(key):
            self._rows[key] = json.dumps(value)
        return result

    def unset(self, key: str) -> None:
        self._unset(key)
        if self._rows is not None:
            self._rows.pop(key, None)

    def unsetrange(self, keys: list[str] | None = None, prefix: str = "") -> None:
        self._unsetrange(keys, prefix)
        if self._rows is None:
            return
        if keys is None:
            self._rows = None  # a LIKE range: read the table again rather than mimic it
        else:
            for key in keys:
                self._rows.pop(f"{prefix}{key}", None)

    def flush(self, save: bool = True) -> None:
        self._rows = None
        self._flush(save)


def install() -> FlagTableCache:
    """Cache the flag table of the unit kv store charms.reactive uses, for this hook."""
    from charmhelpers.core import unitdata

    cache = FlagTableCache(unitdata.kv())
    cache.install()
    return cache
