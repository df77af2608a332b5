"""remove-relation and resolved through the engine, with namespaces and hook execution faked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_charm import CHARM, fake_model

from charmsmith.errors import CharmsmithError
from charmsmith.model import operations, runner


@pytest.fixture()
def env(tmp_path: Path):
    with fake_model(tmp_path) as (model, hooks):
        model.deploy(CHARM, None, {}, 2)
        model.deploy_peer("hacluster", None, 1, "emulated")
        model.relate("fixture-api", "hacluster")
        model.run_queue()
        yield model, hooks


def test_removed_ha_relation_takes_its_subordinates_and_resources(env):
    model, hooks = env
    peer_state = model.app("hacluster").peer_state
    peer_state["resources"] = {"fixture-api/0": {"resources": {}}, "fixture-api/1": {}}
    hooks.ran.clear()
    operations.remove_relation(model, "hacluster", "fixture-api")
    model.run_queue()
    for n in (0, 1):
        assert [(h, r) for u, h, r in hooks.ran if u == f"fixture-api/{n}"] == [
            ("ha-relation-departed", f"hacluster/{n}"),  # container scope: its own subordinate
            ("ha-relation-broken", None),
        ]
    assert model.app("hacluster").units == []
    assert peer_state["resources"] == {}
    assert model.relations_of("hacluster") == []


def test_unit_in_error_holds_the_relation_until_resolved(env):
    model, hooks = env
    hooks.fail.add(("fixture-api/1", "ha-relation-broken"))
    rel = operations.remove_relation(model, "fixture-api:ha", "hacluster:ha")
    model.run_queue()
    assert model.unit("fixture-api/1").agent == "error"
    assert str(rel.id) in model.state.relations  # still dying
    with pytest.raises(CharmsmithError, match="already being removed"):
        operations.remove_relation(model, "fixture-api", "hacluster")
    message = operations.resolved(model, "fixture-api/1", retry=False)
    assert message == "fixture-api/1: ha-relation-broken marked resolved, not run again"
    assert str(rel.id) not in model.state.relations
    assert model.app("hacluster").units == []


@pytest.mark.parametrize(
    ("left", "right", "error"),
    [
        ("fixture-api", "fixture-api", "peer relations cannot be removed"),
        ("fixture-api", "nope", 'application "nope" not found'),
        ("fixture-api:amqp", "hacluster", "no relation between fixture-api:amqp and hacluster"),
        ("99", None, 'relation "99" not found'),
    ],
)
def test_remove_relation_refusals(env, left: str, right: str | None, error: str):
    model, _ = env
    before = len(model.state.queue), dict(model.state.relations)
    with pytest.raises(CharmsmithError, match=error):
        operations.remove_relation(model, left, right)
    assert (len(model.state.queue), dict(model.state.relations)) == before


def test_broken_hook_run_by_hand_breaks_nothing(env):
    model, _ = env
    rel = model.relations_of("hacluster")[0]
    model.enqueue("fixture-api/0", "ha-relation-broken", relation_id=rel.id)
    model.run_queue()
    ctx = runner.new_context(model, "fixture-api/0", "config-changed")
    assert not operations.broken_for(rel, ctx)  # relation-ids still lists it
    assert str(rel.id) in model.state.relations
