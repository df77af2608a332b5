"""The base layer's config flags across hooks, with the real charms.reactive and unit kv.

A steady-state hook must not set or clear config flags one by one (charms.reactive re-reads
every flag on each change) nor parse config.yaml again; a moved option must still raise its
flags, and a trigger on a config flag must still fire in every hook, as upstream's layer:basic
makes it.
"""

from __future__ import annotations

import pytest
import yaml
from charmhelpers.core import hookenv, unitdata
from charms.reactive import flags

CONFIG_YAML = {
    "options": {
        "debug": {"type": "boolean", "default": False, "description": "d"},
        "region": {"type": "string", "default": "RegionOne", "description": "r"},
        "vip": {"type": "string", "description": "no default"},
    }
}


class Unit:
    """One unit's kv store and config; ``hook()`` runs the layer's atstart and atexit."""

    def __init__(self, base, tmp_path, monkeypatch) -> None:
        self.base = base
        self.config = {"debug": False, "region": "RegionOne", "vip": None}
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(CONFIG_YAML))
        monkeypatch.setenv("JUJU_CHARM_DIR", str(tmp_path))
        monkeypatch.setattr(unitdata, "_KV", unitdata.Storage(str(tmp_path / "state.db")))
        monkeypatch.setattr(hookenv, "config", lambda: dict(self.config))
        self.changes: list[tuple[str, str]] = []
        monkeypatch.setattr(flags, "set_flag", self._recorded(flags.set_flag, "set"))
        monkeypatch.setattr(flags, "clear_flag", self._recorded(flags.clear_flag, "clear"))
        self.seen: set[str] = set()

    def _recorded(self, real, verb):
        def call(flag, *args):
            self.changes.append((verb, flag))
            return real(flag, *args)

        return call

    def hook(self) -> None:
        """Flags as handlers see them go to ``seen``; the kv is committed like a good hook."""
        self.changes.clear()
        self.base.set_config_flags()
        self.seen = {f for f in flags.get_flags() if f.startswith("config.")}
        self.base.clear_config_flags()
        unitdata.kv().flush()


@pytest.fixture
def unit(base_lib, tmp_path, monkeypatch):
    import charms.reactive

    made = Unit(base_lib.base, tmp_path, monkeypatch)
    # the layer imports set_flag and clear_flag from charms.reactive: the recording ones
    monkeypatch.setattr(charms.reactive, "set_flag", flags.set_flag)
    monkeypatch.setattr(charms.reactive, "clear_flag", flags.clear_flag)
    return made


def test_a_steady_state_hook_changes_no_flag_and_handlers_see_the_same_flags(unit):
    unit.hook()
    first = unit.seen
    assert "config.changed" in first
    unit.hook()
    assert unit.changes == []
    assert unit.seen == {"config.set.region", "config.default.debug", "config.default.region"}
    assert first - unit.seen == {
        "config.changed",
        "config.changed.debug",
        "config.changed.region",
        "config.changed.vip",
    }


def test_a_moved_option_raises_and_drops_its_flags(unit):
    unit.hook()
    unit.hook()
    unit.config["region"] = ""
    unit.config["debug"] = True
    unit.hook()
    assert {"config.changed", "config.changed.region", "config.changed.debug"} <= unit.seen
    assert {"config.set.debug", "config.default.region"} & unit.seen == {"config.set.debug"}
    assert "config.set.region" not in unit.seen
    unit.hook()
    assert not [f for f in unit.seen if f.startswith("config.changed")]
    assert unit.changes == []


def test_a_trigger_on_a_config_flag_fires_in_every_hook_as_upstream(unit):
    fired = []
    flags.register_trigger(when="config.set.region", callback=lambda: fired.append(1))
    unit.hook()
    unit.hook()
    unit.hook()
    assert len(fired) == 3


def test_config_yaml_is_parsed_again_only_when_it_changed(unit, tmp_path, monkeypatch):
    kv = unitdata.kv()
    assert unit.base.config_defaults(kv) == {"debug": False, "region": "RegionOne"}
    parsed = []
    real = yaml.safe_load
    monkeypatch.setattr(yaml, "safe_load", lambda raw: parsed.append(1) or real(raw))
    assert unit.base.config_defaults(kv) == {"debug": False, "region": "RegionOne"}
    assert parsed == []
    CONFIG_YAML["options"]["region"]["default"] = "RegionTwo"
    try:
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(CONFIG_YAML))
    finally:
        CONFIG_YAML["options"]["region"]["default"] = "RegionOne"
    assert unit.base.config_defaults(kv)["region"] == "RegionTwo"
    assert parsed == [1]
