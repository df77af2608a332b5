"""FakeJuju answers through the model's hook tools: Juju's rules hold for the interface tests.

Each check is one the old in-memory fake did not make and a layer could silently rely on:
writes buffered until the hook commits, a failed hook's writes dropped, the leader-only app
databag, a departing unit's settings, broken relations unlisted, no tools outside a hook.
"""

from __future__ import annotations

import subprocess

import pytest
from charmhelpers.core import hookenv

from .harness import FakeJuju

EP = "amqp"
REMOTE = "rabbitmq-server"


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit="congress/0", requires={EP: "rabbitmq"})


def test_relation_set_is_seen_by_others_only_after_the_hook_commits(juju: FakeJuju) -> None:
    rid = juju.joined(EP, REMOTE, "10.5.0.40")
    with pytest.raises(RuntimeError), juju.hook("config-changed"):
        hookenv.relation_set(rid, {"username": "nova"})
        assert hookenv.relation_get("username", juju.unit, rid) == "nova"  # our own view
        assert "username" not in juju.local_data(rid)  # not committed yet
        raise RuntimeError("the hook fails")
    assert "username" not in juju.local_data(rid)  # a failed hook's writes are dropped
    juju.run("config-changed", body=lambda _h: hookenv.relation_set(rid, {"username": "nova"}))
    assert juju.local_data(rid)["username"] == "nova"
    assert juju.sent(rid)[-1] == {"username": "nova"}


def test_only_the_leader_writes_its_application_databag(make_juju) -> None:
    juju: FakeJuju = make_juju(unit="congress/1", requires={EP: "rabbitmq"}, leader=False)
    rid = juju.joined(EP, REMOTE, "10.5.0.40")
    with juju.hook("config-changed"):
        assert hookenv.is_leader() is False
        with pytest.raises(subprocess.CalledProcessError):
            hookenv.relation_set(rid, {"k": "v"}, app=True)
    assert juju.sent(rid) == []  # refused: nothing was sent


def test_a_departing_unit_is_unlisted_but_its_settings_stay_readable(juju: FakeJuju) -> None:
    rid = juju.joined(EP, REMOTE, "10.5.0.40")
    juju.join(rid, f"{REMOTE}/1", {"private-address": "10.5.0.41", "password": "pw"})
    juju.session.remove_unit(f"{REMOTE}/1")
    with juju.hook(f"{EP}-relation-departed", rid, f"{REMOTE}/1"):
        assert hookenv.related_units(rid) == [f"{REMOTE}/0"]
        assert hookenv.relation_get("password", f"{REMOTE}/1", rid) == "pw"
        assert hookenv.departing_unit() == f"{REMOTE}/1"


def test_a_broken_relation_is_not_listed_in_its_broken_hook(juju: FakeJuju) -> None:
    rid = juju.joined(EP, REMOTE, "10.5.0.40")
    rel = juju.relation(rid)
    listed: list[list[str]] = []
    juju.session.remove_relation(rel)
    juju.run(f"{EP}-relation-departed", rid, f"{REMOTE}/0")
    juju.run(f"{EP}-relation-broken", rid, body=lambda _h: listed.append(hookenv.relation_ids(EP)))
    assert listed == [[]]
    assert str(rel.id) not in juju.session.model.state.relations  # gone once its hooks ran


def test_no_hook_tool_answers_outside_a_hook(juju: FakeJuju) -> None:
    with pytest.raises(subprocess.CalledProcessError) as failure:
        hookenv.relation_ids(EP)
    assert b"not running in a hook context" in failure.value.stderr
