"""Operations interrupted half way, redone, and a failed unit's reboot (engine level, fast).

The engine runs with namespaces and hooks faked (test_sequencing's `env`); an interruption is
a KeyboardInterrupt raised by the fake charm at a chosen hook, which is what Ctrl-C or SIGTERM
(see charmsmith.cli) turns into inside a real command.
"""

from __future__ import annotations

import json

import pytest
from fake_charm import CHARM, FakeCharm, hooks
from test_sequencing import env  # noqa: F401 - a fixture

from charmsmith.model import status
from charmsmith.model.protocols import ModelAPI
from charmsmith.model.sequencer import Model
from charmsmith.model.state import QueuedEvent
from charmsmith.model.substrate import FakeSubstrate


class Interrupt(FakeCharm):
    """The fake charm, interrupted once when `at` (unit, hook) starts."""

    def __init__(self, charm: FakeCharm, at: tuple[str, str]) -> None:
        super().__init__()
        self.ran = charm.ran
        self.at: tuple[str, str] | None = at

    def __call__(self, model: ModelAPI, event: QueuedEvent) -> bool:
        if (event.unit, event.hook) == self.at:
            self.at = None
            raise KeyboardInterrupt
        return super().__call__(model, event)


def _interrupt_at(model: Model, charm: FakeCharm, unit: str, hook: str) -> Interrupt:
    fake = Interrupt(charm, (unit, hook))
    model.substrate = FakeSubstrate(fake)
    return fake


def _two_units(model: Model) -> None:
    model.deploy(CHARM, None, {}, 2)
    model.deploy_peer("mysql", None, 1, "emulated")
    model.relate("fixture-api", "mysql")
    model.run_queue()


def test_interrupted_hook_stays_queued(env, monkeypatch):  # noqa: F811
    model, charm = env
    _two_units(model)
    model.set_config("fixture-api", {"port": "9000"})
    _interrupt_at(model, charm, "fixture-api/1", "config-changed")
    with pytest.raises(KeyboardInterrupt):
        model.run_queue()
    assert QueuedEvent("fixture-api/1", "config-changed") == model.state.queue[0]
    model.run_queue()
    assert hooks(charm, "fixture-api/1")[-1] == "config-changed"


def test_redone_remove_unit_queues_nothing_twice(env, monkeypatch):  # noqa: F811
    """Issue 11.5: remove-unit killed during the departed hooks, then run again."""
    model, charm = env
    _two_units(model)
    charm.ran.clear()
    _interrupt_at(model, charm, "fixture-api/0", "cluster-relation-departed")
    model.remove_unit("fixture-api/0")
    with pytest.raises(KeyboardInterrupt):
        model.run_queue()
    # what a later command sees: the unit is dying, its removal half done
    unit = json.loads(status.render_json(model))["applications"]["fixture-api"]["units"]
    assert unit["fixture-api/0"]["life"] == "dying" and "life" not in unit["fixture-api/1"]
    row = next(r for r in status.render_table(model).splitlines() if r.startswith("fixture-api/0"))
    assert row.split()[2] == "dying"

    model.remove_unit("fixture-api/0")  # the redo
    model.run_queue()
    departed = [h for h in hooks(charm, "fixture-api/1") if "-departed" in h]
    assert departed == ["cluster-relation-departed(fixture-api/0)"]
    gone = hooks(charm, "fixture-api/0")
    assert gone.count("cluster-relation-departed(fixture-api/1)") == 1
    assert gone.count("shared-db-relation-broken") == 1 and gone[-2:] == ["stop", "remove"]
    assert list(model.state.units) == ["fixture-api/1", "mysql/0"]
    assert model.state.queue == []
    assert all(u.agent != "error" for u in model.state.units.values())


def test_remove_unit_before_its_hooks_ran_is_not_doubled(env):  # noqa: F811
    model, charm = env
    _two_units(model)
    charm.ran.clear()
    model.remove_unit("fixture-api/0")
    queued = list(model.state.queue)
    model.remove_unit("fixture-api/0")
    assert model.state.queue == queued
    model.run_queue()
    assert hooks(charm, "fixture-api/1").count("cluster-relation-departed(fixture-api/0)") == 1


def test_a_down_unit_shows_unknown_until_recovered(env):  # noqa: F811
    """A lost agent cannot vouch for its last workload status (Juju shows unknown)."""
    model, _charm = env
    _two_units(model)
    model.unit("fixture-api/0").workload = {"status": "active", "message": "Unit is ready"}
    model.fail_unit("fixture-api/0")
    entry = status.status_data(model)["applications"]["fixture-api"]["units"]["fixture-api/0"]
    assert (entry["workload-status"], entry["agent-status"]) == ("unknown", "lost")
    assert entry["message"] == "agent lost, see 'charmsmith model recover fixture-api/0'"
    model.recover_unit("fixture-api/0")
    entry = status.status_data(model)["applications"]["fixture-api"]["units"]["fixture-api/0"]
    assert (entry["workload-status"], entry["message"]) == ("active", "Unit is ready")


def test_recover_starts_enabled_services_like_a_boot(env):  # noqa: F811
    """Issue 11.7: after fail + recover the enabled services run again without an action."""
    model, charm = env
    _two_units(model)
    unit = model.unit("fixture-api/0")
    unit.services = {
        "fixture-api": {"running": True, "enabled": True, "pid": None, "ports": []},
        "memcached": {"running": True, "enabled": False, "pid": None, "ports": []},
    }
    model.fail_unit("fixture-api/0")
    assert not any(s["running"] for s in unit.services.values())
    charm.ran.clear()
    model.recover_unit("fixture-api/0")
    assert unit.services["fixture-api"]["running"] is True
    assert unit.services["memcached"]["running"] is False  # disabled: stays down
    model.run_queue()
    assert hooks(charm, "fixture-api/0") == ["start"]
