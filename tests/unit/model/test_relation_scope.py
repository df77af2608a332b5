"""A unit enters relation scope only once its install is done, as Juju's uniter does.

Hook execution and namespaces are faked (fake_charm.py); relation-list and
relation-ids are the model's real hook tools.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_charm import CHARM, fake_model, hooks

from charmsmith.model import operations, runner
from charmsmith.model.peers.base import PeerView
from charmsmith.model.relation_tools import relation_ids, relation_list
from charmsmith.model.scope import SCOPE_KEY
from charmsmith.model.sequencer import Model
from charmsmith.model.state import Relation
from charmsmith.model.store import STATE_FILE, dumps

NEW = "fixture-api/1"


@pytest.fixture()
def env(tmp_path: Path, monkeypatch):
    """fixture-api/0 installed and started; fixture-api/1 added, its install hook failing."""
    with fake_model(tmp_path) as (model, charm):
        model.deploy(CHARM, None, {}, 1)
        model.run_queue()
        charm.fail.add((NEW, "install"))
        model.add_unit("fixture-api")
        model.run_queue()
        yield model, charm


def cluster(model: Model) -> Relation:
    return next(r for r in model.relations_of("fixture-api") if len(r.endpoints) == 1)


def listed(model: Model, unit: str, rel: dict) -> list[str]:
    ctx = runner.new_context(model, unit, "update-status")
    rc, out, _ = relation_list(model, ctx, ["-r", str(rel.id), "--format=json"], b"")
    assert rc == 0
    return json.loads(out)


def test_others_never_see_a_unit_whose_install_failed(env):
    model, charm = env
    assert model.unit(NEW).agent == "error"
    assert not any(NEW in h for h in hooks(charm, "fixture-api/0"))
    assert not [e for e in model.state.queue if e.remote_unit == NEW]
    assert listed(model, "fixture-api/0", cluster(model)) == []
    assert model.remote_units(cluster(model), "fixture-api/0") == []
    ctx = runner.new_context(model, "fixture-api/0", "update-status")
    rid = str(cluster(model).id)
    rc, _, err = model.handle_tool(ctx.id, "/", b"", ["relation-get", "-r", rid, "-", NEW])
    assert rc == 1 and b"settings not found" in err  # settings come with EnterScope


def test_a_retried_install_enters_scope_and_both_sides_join(env):
    model, charm = env
    charm.fail.clear()
    charm.ran.clear()
    operations.resolved(model, NEW)
    model.run_queue()
    assert hooks(charm, "fixture-api/0") == [
        f"cluster-relation-joined({NEW})",
        f"cluster-relation-changed({NEW})",
    ]
    assert hooks(charm, NEW) == [
        "install",
        "cluster-relation-created",
        "leader-settings-changed",
        "config-changed",
        "start",
        "cluster-relation-joined(fixture-api/0)",
        "cluster-relation-changed(fixture-api/0)",
        "cluster-relation-changed(fixture-api/0)",  # fixture-api/0 wrote during its -joined
    ]
    assert listed(model, "fixture-api/0", cluster(model)) == [NEW]


def test_a_unit_entering_scope_leaves_the_others_settings_alone(env):
    """EnterScope writes the entering unit's address keys; a unit already in scope keeps what
    its hooks set (a charm may publish another address as private-address)."""
    model, charm = env
    bag = cluster(model).unit_data["fixture-api/0"]
    bag["private-address"] = "10.9.9.9"  # as a committed relation-set leaves it
    charm.fail.clear()
    operations.resolved(model, NEW)
    model.run_queue()
    assert listed(model, "fixture-api/0", cluster(model)) == [NEW]
    assert cluster(model).unit_data["fixture-api/0"]["private-address"] == "10.9.9.9"
    assert cluster(model).unit_data[NEW]["private-address"] == model.unit(NEW).address


def test_resolved_no_retry_counts_the_install_as_done(env):
    model, charm = env
    charm.ran.clear()
    operations.resolved(model, NEW, retry=False)
    model.run_queue()
    assert "install" not in hooks(charm, NEW)
    assert f"cluster-relation-joined({NEW})" in hooks(charm, "fixture-api/0")
    assert model.unit(NEW).installed is True


def test_relation_ids_is_empty_until_the_unit_is_in_scope(env):
    model, _ = env
    ctx = runner.new_context(model, NEW, "install")
    assert relation_ids(model, ctx, ["cluster", "--format=json"], b"")[1] == b"[]\n"
    ctx = runner.new_context(model, "fixture-api/0", "update-status")
    rid = cluster(model).id
    assert relation_ids(model, ctx, ["cluster", "--format=json"], b"")[1] == (
        f'["cluster:{rid}"]\n'.encode()
    )


def test_force_removing_a_never_installed_unit_departs_nowhere(env):
    model, charm = env
    charm.ran.clear()
    operations.force_remove_unit(model, NEW)
    model.run_queue()
    assert charm.ran == []
    assert model.state.queue == []


def test_removing_a_never_installed_unit_queues_no_relation_hooks(env):
    model, charm = env
    model.remove_unit(NEW)
    assert [e.hook for e in model.state.queue if e.unit == NEW] == [
        "install",  # still failed at the head: Juju waits for it to be resolved
        "leader-settings-changed",
        "config-changed",
        "start",
        "stop",
        "remove",
    ]
    charm.ran.clear()
    operations.resolved(model, NEW, retry=False)
    model.run_queue()
    assert hooks(charm, "fixture-api/0") == []  # a dying unit never enters scope
    assert NEW not in model.state.units


def test_peers_see_only_units_in_scope(env):
    model, charm = env
    model.deploy_peer("mysql", None, 1, "emulated")
    model.deploy_peer("hacluster", None, 1, "emulated")
    model.relate("fixture-api", "mysql")
    model.relate("fixture-api", "hacluster")
    model.run_queue()
    subs = {d.principal for d in model.state.units.values()}
    assert "fixture-api/0" in subs and NEW not in subs  # a subordinate comes with scope entry
    mysql_view = PeerView(model, model.relations_of("mysql")[0], "mysql", "shared-db")
    assert mysql_view.remote_units() == ["fixture-api/0"]  # what relation-list gives the charm
    rel = model.relations_of("mysql")[0]
    assert rel.unit_data["mysql/0"]["allowed_units"] == "fixture-api/0"
    charm.fail.clear()
    operations.resolved(model, NEW)
    model.run_queue()
    assert rel.unit_data["mysql/0"]["allowed_units"] == f"fixture-api/0 {NEW}"
    assert NEW in {d.principal for d in model.state.units.values()}
    assert "shared-db-relation-joined(mysql/0)" in hooks(charm, NEW)


def test_a_store_from_before_scopes_is_migrated(env):
    model, _ = env
    state = json.loads(dumps(model.state.to_json()))
    state["schema"] = 1
    for unit in state["units"].values():
        unit.pop("installed", None)
    for rel in state["relations"].values():
        rel.pop(SCOPE_KEY)
    path = model.store.path / STATE_FILE
    path.write_bytes(json.dumps(state).encode())
    migrated = model.store.load()
    assert migrated.schema == 3
    assert migrated.units["fixture-api/0"].installed is True
    assert migrated.units[NEW].installed is None  # its install is still pending
    rel = next(r for r in migrated.relations.values() if len(r.endpoints) == 1)
    assert rel.in_scope == ["fixture-api/0"]


def test_a_relation_removed_before_the_install_is_done_ends_unseen(env):
    model, charm = env
    model.deploy_peer("mysql", None, 1, "emulated")
    model.relate("fixture-api", "mysql")
    model.run_queue()
    operations.remove_relation(model, "fixture-api", "mysql")
    model.run_queue()
    assert "shared-db-relation-broken" in hooks(charm, "fixture-api/0")
    charm.ran.clear()
    operations.resolved(model, NEW, retry=False)
    model.run_queue()
    assert not [h for h in hooks(charm, NEW) if h.startswith("shared-db-")]
    assert model.relations_of("mysql") == []
