"""The base layer's flag table cache, with the real charms.reactive and a real unit kv store.

charms.reactive reads the whole flag table for every flag test; with the cache a hook reads it
once between two flushes, and every answer stays the one the database gives, through sets,
clears, range deletes, a rollback and another process's write.
"""

from __future__ import annotations

import sqlite3

import pytest
import yaml
from charmhelpers.core import unitdata
from charms.reactive import flags


@pytest.fixture
def store(base_lib, tmp_path, monkeypatch):
    """A unit kv store on disk, used by charms.reactive, with the layer's cache installed."""
    from charms.layer import charmsmith_flagcache

    kv = unitdata.Storage(str(tmp_path / "state.db"))
    monkeypatch.setattr(unitdata, "_KV", kv)
    charmsmith_flagcache.install()
    yield kv
    kv.close()


def flag_table_reads(kv) -> list[str]:
    """Start recording the statements that read the flag table; returns the live record."""
    seen: list[str] = []
    kv.conn.set_trace_callback(
        lambda sql: seen.append(sql) if "like" in sql and "reactive.states." in sql else None
    )
    return seen


def from_database(kv) -> dict:
    """The flag table as charm-helpers reads it on this connection (uncommitted rows too)."""
    return unitdata.Storage.getrange(kv, "reactive.states.", strip=True)


def test_a_hook_reads_the_flag_table_once_between_flushes(store):
    for flag in ("a.installed", "b.connected", "config.set.debug"):
        flags.set_flag(flag)
    store.flush()
    reads = flag_table_reads(store)
    for _ in range(20):
        assert flags.is_flag_set("b.connected")
        assert not flags.any_flags_set("c.available", "d.ready")
        assert flags.all_flags_set("a.installed", "config.set.debug")
    assert len(reads) == 1
    flags.set_flag("c.available")
    flags.clear_flag("a.installed")
    assert flags.get_flags() == ["b.connected", "c.available", "config.set.debug"]
    assert len(reads) == 1  # the hook's own writes are applied to the copy
    store.flush()
    assert flags.is_flag_set("c.available")
    assert len(reads) == 2  # after a flush the table is read again


def test_answers_stay_those_of_the_database(store, tmp_path):
    flags.set_flag("x.ready", {"port": 80})
    flags.set_flag("y.ready")
    store.flush()
    assert flags.get_flags() == sorted(from_database(store))

    value = unitdata.kv().getrange("reactive.states.", strip=True)["x.ready"]
    value["port"] = 1  # a caller editing what it got does not edit the copy
    assert unitdata.kv().getrange("reactive.states.", strip=True)["x.ready"] == {"port": 80}

    flags.set_flag("z.ready")
    store.unsetrange(["y.ready"], prefix="reactive.states.")
    assert flags.get_flags() == sorted(from_database(store)) == ["x.ready", "z.ready"]
    store.unsetrange(prefix="reactive.states.x")
    assert flags.get_flags() == sorted(from_database(store)) == ["z.ready"]

    store.flush(save=False)  # rollback: the hook's uncommitted flags are gone
    assert flags.get_flags() == sorted(from_database(store)) == ["x.ready", "y.ready"]

    # another process (an external handler after charms.reactive's flush) sets a flag
    reads = flag_table_reads(store)
    other = sqlite3.connect(str(tmp_path / "state.db"))
    other.execute("insert into kv (key, data) values ('reactive.states.w.ready', 'null')")
    other.commit()
    other.close()
    assert flags.get_flags() == ["w.ready", "x.ready", "y.ready"]
    assert flags.get_flags() == ["w.ready", "x.ready", "y.ready"]
    assert len(reads) == 1  # read again once, because the other connection committed


def test_other_prefixes_and_bad_prefixes(store, base_lib):
    from charms.layer import charmsmith_flagcache

    store.set("reactive.data_changed.k", "h1")
    assert store.getrange("reactive.data_changed.") == {"reactive.data_changed.k": "h1"}
    store.set("reactive.data_changed.k", "h2")
    assert store.getrange("reactive.data_changed.", strip=True) == {"k": "h2"}
    with pytest.raises(ValueError, match="prefix 'a_b.': lowercase, without LIKE wildcards"):
        charmsmith_flagcache.FlagTableCache(store, "a_b.")


def test_metadata_is_parsed_once_as_safe_load_does(base_lib, tmp_path):
    text = "name: api\nrequires:\n  shared-db:\n    interface: mysql-shared\nseries: [jammy]\n"
    (tmp_path / "metadata.yaml").write_text(text)
    metadata = base_lib.base.metadata_reader(lambda: str(tmp_path))
    assert metadata() == yaml.safe_load(text)
    (tmp_path / "metadata.yaml").unlink()
    assert metadata()["requires"]["shared-db"]["interface"] == "mysql-shared"
