"""Juju's hook order, driven through the engine with namespaces and hook execution faked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_charm import CHARM, fake_model, hooks

from charmsmith.errors import CharmsmithError
from charmsmith.model import runner


@pytest.fixture()
def env(tmp_path: Path):
    with fake_model(tmp_path) as pair:
        yield pair


def test_deploy_order_and_leadership(env):
    model, charm = env
    model.deploy(CHARM, None, {"port": "9000"}, 2)
    model.run_queue()
    assert hooks(charm, "fixture-api/0")[:5] == [
        "install",
        "cluster-relation-created",
        "leader-elected",
        "config-changed",
        "start",
    ]
    assert hooks(charm, "fixture-api/1")[:5] == [
        "install",
        "cluster-relation-created",
        "leader-settings-changed",
        "config-changed",
        "start",
    ]
    assert "cluster-relation-joined(fixture-api/1)" in hooks(charm, "fixture-api/0")
    assert "cluster-relation-changed(fixture-api/0)" in hooks(charm, "fixture-api/1")
    assert model.config_values("fixture-api")["port"] == 9000
    assert model.is_leader("fixture-api/0") and not model.is_leader("fixture-api/1")


def test_relate_peers_until_quiescent(env):
    model, charm = env
    model.deploy(CHARM, None, {}, 1)
    for peer in ("keystone", "mysql", "rabbitmq"):
        model.deploy_peer(peer, None, 1, "emulated")
    model.run_queue()
    charm.ran.clear()
    model.relate("fixture-api", "keystone")
    model.run_queue()
    assert hooks(charm, "fixture-api/0") == [
        "identity-service-relation-created",
        "identity-service-relation-joined(keystone/0)",
        # keystone answered during -joined; the pending -changed is not queued twice
        "identity-service-relation-changed(keystone/0)",
    ]
    assert model.state.queue == []
    catalog = model.peer("keystone").catalog()
    assert catalog["swift"]["public_url"] == "http://x:1"


def test_relate_errors(env):
    model, _ = env
    model.deploy(CHARM, None, {}, 1)
    model.deploy_peer("mysql", None, 1, "emulated")
    with pytest.raises(CharmsmithError, match='application "nope" not found'):
        model.relate("fixture-api", "nope")
    with pytest.raises(CharmsmithError, match='has no endpoint "db"'):
        model.relate("fixture-api:db", "mysql")
    with pytest.raises(CharmsmithError, match="incompatible endpoints"):
        model.relate("fixture-api:amqp", "mysql:shared-db")
    model.relate("fixture-api", "mysql")
    with pytest.raises(CharmsmithError, match="already exists"):
        model.relate("fixture-api", "mysql")
    with pytest.raises(CharmsmithError, match="unknown option"):
        model.set_config("fixture-api", {"nope": "1"})
    with pytest.raises(CharmsmithError, match="expects int"):
        model.set_config("fixture-api", {"port": "x"})


def test_failed_hook_blocks_unit_until_retry(env):
    model, charm = env
    charm.fail.add(("fixture-api/0", "config-changed"))
    model.deploy(CHARM, None, {}, 1)
    model.run_queue()
    assert model.unit("fixture-api/0").agent == "error"
    assert [e.hook for e in model.state.queue] == ["config-changed", "start"]
    charm.fail.clear()
    model.unit("fixture-api/0").agent = "idle"  # what run-hook does
    model.run_queue()
    assert model.state.queue == [] and hooks(charm, "fixture-api/0")[-2:] == [
        "config-changed",
        "start",
    ]


def test_config_change_only_when_changed(env):
    model, charm = env
    model.deploy(CHARM, None, {}, 1)
    model.run_queue()
    charm.ran.clear()
    model.set_config("fixture-api", {"port": "8080"})  # the default: no change
    model.run_queue()
    assert charm.ran == []
    model.set_config("fixture-api", {"port": "8081"})
    model.run_queue()
    assert hooks(charm, "fixture-api/0") == ["config-changed"]


def test_remove_unit_departs_and_elects(env):
    model, charm = env
    model.deploy(CHARM, None, {}, 2)
    model.deploy_peer("mysql", None, 1, "emulated")
    model.relate("fixture-api", "mysql")
    model.run_queue()
    allowed = model.relations_of("mysql")[0].unit_data["mysql/0"]["allowed_units"]
    assert allowed == "fixture-api/0 fixture-api/1"
    charm.ran.clear()
    model.remove_unit("fixture-api/0")
    model.run_queue()
    assert "cluster-relation-departed(fixture-api/0)" in hooks(charm, "fixture-api/1")
    gone = hooks(charm, "fixture-api/0")
    assert gone[-2:] == ["stop", "remove"] and "shared-db-relation-broken" in gone
    assert "leader-elected" in hooks(charm, "fixture-api/1")
    assert model.is_leader("fixture-api/1")
    rel = model.relations_of("mysql")[0]
    assert rel.unit_data["mysql/0"]["allowed_units"] == "fixture-api/1"


def test_leader_settings_changed_on_followers(env):
    model, charm = env
    model.deploy(CHARM, None, {}, 2)
    model.run_queue()
    charm.ran.clear()
    ctx = runner.new_context(model, "fixture-api/0", "config-changed")
    ctx.pending_leader = {"db-sync-done": "1"}
    model.commit(ctx)
    model.run_queue()
    assert hooks(charm, "fixture-api/1") == ["leader-settings-changed"]
    assert hooks(charm, "fixture-api/0") == []


def test_hacluster_is_subordinate(env):
    model, _ = env
    model.deploy(CHARM, None, {}, 2)
    model.deploy_peer("hacluster", None, 1, "emulated")
    model.relate("fixture-api", "hacluster")
    # Juju creates a subordinate when its principal enters scope, i.e. once it is installed
    assert not any(d.principal for d in model.state.units.values())
    model.run_queue()
    subs = {u: d.principal for u, d in model.state.units.items() if d.principal}
    assert subs == {"hacluster/0": "fixture-api/0", "hacluster/1": "fixture-api/1"}
    rel = model.relations_of("hacluster")[0]
    assert model.remote_units(rel, "fixture-api/1") == ["hacluster/1"]
