"""Model state survives kills: atomic replace, lock, torn history lines, private files."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest

from charmsmith.errors import CharmsmithError
from charmsmith.model import store as store_mod
from charmsmith.model.state import Application
from charmsmith.model.store import ModelStore, write_atomic


def _app(name: str, **metadata: str) -> Application:
    return Application(name, "charm", name, metadata, {}, {}, [], None, "")


def test_create_and_reload(tmp_path: Path):
    s = ModelStore(tmp_path / "m")
    with s.locked(create=True):
        s.state.applications["x"] = _app("x")
        s.save()
    again = ModelStore(tmp_path / "m")
    with again.locked():
        assert again.state.applications == {"x": _app("x")}
    mode = stat.S_IMODE(os.stat(tmp_path / "m" / "state.json").st_mode)
    assert mode == 0o600  # peers' passwords live here
    assert stat.S_IMODE(os.stat(tmp_path / "m").st_mode) == 0o700


def test_missing_model_is_one_line_error(tmp_path: Path):
    with (
        pytest.raises(CharmsmithError, match="no model at"),
        ModelStore(tmp_path / "nope").locked(),
    ):
        pass


def test_crash_during_write_keeps_old_state(tmp_path: Path, monkeypatch):
    target = tmp_path / "state.json"
    write_atomic(target, b'{"old": 1}')

    def boom(fd):
        raise OSError("killed")

    monkeypatch.setattr(store_mod.os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(target, b'{"new": 1}')
    assert json.loads(target.read_text()) == {"old": 1}


def _killed_writer(path: str) -> None:
    s = ModelStore(Path(path))
    with s.locked():
        for i in range(100000):
            s.state.next_context = i
            s.state.leader_settings["blob"] = "x" * 5000
            s.save()


def test_killed_command_leaves_usable_model(tmp_path: Path):
    s = ModelStore(tmp_path / "m")
    with s.locked(create=True):
        pass
    proc = multiprocessing.get_context("fork").Process(target=_killed_writer, args=(str(s.path),))
    proc.start()
    time.sleep(0.5)
    proc.kill()
    proc.join()
    with s.locked():  # lock released by the kernel, state parses
        assert s.state.next_context >= 0


def test_torn_history_line_is_skipped(tmp_path: Path):
    s = ModelStore(tmp_path / "m")
    with s.locked(create=True):
        s.append_history({"unit": "a/0", "hook": "install"})
    with open(s.path / "hooks.jsonl", "a") as fh:
        fh.write('{"unit": "a/0", "ho')
    assert s.history() == [{"unit": "a/0", "hook": "install"}]


@pytest.mark.parametrize("cut", [0, 40, -2])
def test_truncated_state_names_file_and_way_out(tmp_path: Path, cut: int):
    s = ModelStore(tmp_path / "m")
    with s.locked(create=True):
        pass
    path = s.path / "state.json"
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(CharmsmithError) as err, ModelStore(s.path).locked():
        pass
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message and "truncated or corrupt" in message
    assert f"charmsmith model --model {s.path} destroy" in message


def test_state_cut_short_still_names_the_model(tmp_path: Path):
    """The id and bridge lead the file, so destroy finds the host objects of a truncated one."""
    s = ModelStore(tmp_path / "m")
    with s.locked(create=True):
        s.state.applications["a"] = _app("a", description="x" * 5000)
        s.save()
        model_id, bridge = s.state.id, s.state.bridge
    head = (s.path / "state.json").read_text()[:100]
    assert f'"id": "{model_id}"' in head and f'"bridge": "{bridge}"' in head
    with s.locked():
        assert s.state.applications["a"].metadata["description"] == "x" * 5000
