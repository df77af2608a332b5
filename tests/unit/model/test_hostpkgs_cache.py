"""The host-package table is worked out once per dpkg state, not once per model command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charmsmith.model import hostpkgs


@pytest.fixture()
def fresh_process(monkeypatch):
    """Each model command is a new process: start with the in-process cache empty."""
    hostpkgs._table.cache_clear()
    yield
    hostpkgs._table.cache_clear()


def test_a_new_process_reads_the_kept_table(tmp_path: Path, fresh_process, monkeypatch):
    first = hostpkgs.table(tmp_path)
    kept = json.loads((tmp_path / "run" / hostpkgs.CACHE_NAME).read_text())
    assert set(kept["packages"]) == set(first)
    hostpkgs._table.cache_clear()

    def no_dpkg_lists():
        raise AssertionError("dpkg's file lists were read again")

    monkeypatch.setattr(hostpkgs, "_owners", no_dpkg_lists)
    assert hostpkgs.table(tmp_path) == first


def test_a_dpkg_run_on_the_host_invalidates_it(tmp_path: Path, fresh_process, monkeypatch):
    hostpkgs.table(tmp_path)
    cache = tmp_path / "run" / hostpkgs.CACHE_NAME
    data = json.loads(cache.read_text())
    data["status_mtime"] -= 1  # as if dpkg ran since
    data["packages"] = {}
    cache.write_text(json.dumps(data))
    hostpkgs._table.cache_clear()
    calls = []
    real = hostpkgs._owners
    monkeypatch.setattr(hostpkgs, "_owners", lambda: calls.append(1) or real())
    assert hostpkgs.table(tmp_path) == hostpkgs._table(data["status_mtime"] + 1)
    assert calls == [1]


def test_a_damaged_cache_is_worked_out_again(tmp_path: Path, fresh_process):
    cache = tmp_path / "run" / hostpkgs.CACHE_NAME
    cache.parent.mkdir(parents=True)
    cache.write_text("{not json")
    assert hostpkgs.table(tmp_path) == hostpkgs.table()
    assert json.loads(cache.read_text())["packages"] is not None


def test_a_table_kept_before_the_list_grew_is_worked_out_again(tmp_path: Path, fresh_process):
    hostpkgs.table(tmp_path)
    cache = tmp_path / "run" / hostpkgs.CACHE_NAME
    data = json.loads(cache.read_text())
    del data["wanted"]  # as a model made before the toolchain packages were host-backed
    data["packages"] = {}
    cache.write_text(json.dumps(data))
    hostpkgs._table.cache_clear()
    assert hostpkgs.table(tmp_path) == hostpkgs.table()
    assert json.loads(cache.read_text())["wanted"] == hostpkgs.wanted()
