"""hacluster's pause/resume actions: standby moves VIPs off a node, resume does not pull them back.

Fails on a model where a paused hacluster unit still holds its principal's VIP (the rolling
upgrade would restart the API under the VIP) or where resume drags the VIP back (a second move).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charmsmith.errors import CharmsmithError
from charmsmith.model.harness import tool_session
from charmsmith.model.peers.hacluster import PAUSED

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
VIP = "203.0.113.250"
RESOURCES = {
    "json_resources": json.dumps({"res_f_vip": "ocf:heartbeat:IPaddr2"}),
    "json_resource_params": json.dumps({"res_f_vip": f'params ip="{VIP}"'}),
}


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch):
    """Three fixture-api units with the hacluster subordinate, all sending the same VIP."""
    with tool_session(tmp_path / "m", CHARM, units=3) as s:
        s.model.deploy_peer("hacluster", None, 0, "emulated", {})
        rel = s.model.relate("fixture-api", "hacluster")
        for unit in s.model.app("fixture-api").units:
            s.model.unit(unit).netns = "fake"
            rel.unit_data[unit] = dict(RESOURCES)
            s.model._changed(rel, "fixture-api", unit)
        yield s.model


def _plumbed(model) -> list[tuple[str, str]]:
    """VIPs put on and taken off units, as ("add"|"del", unit name)."""
    return [(what, unit) for what, unit, _vip, _prefix in model.substrate.vips]


def _sub(model, principal: str) -> str:
    return next(n for n, u in model.state.units.items() if u.principal == principal)


def _vip(model) -> dict:
    return model.app("hacluster").peer_state["vips"][VIP]


def _act(model, principal: str, name: str) -> None:
    model.peer("hacluster").run_action(model, _sub(model, principal), name, {})


def test_pause_moves_the_vip_and_resume_leaves_it_where_it_went(cluster):
    model = cluster
    assert _vip(model)["unit"] == "fixture-api/0"
    model.substrate.vips.clear()

    _act(model, "fixture-api/0", "pause")
    assert _vip(model)["unit"] == "fixture-api/1"
    assert _plumbed(model) == [("del", "fixture-api/0"), ("add", "fixture-api/1")]
    assert model.unit(_sub(model, "fixture-api/0")).workload == {
        "status": "maintenance",
        "message": PAUSED,
    }

    _act(model, "fixture-api/0", "resume")
    assert _vip(model)["unit"] == "fixture-api/1"  # resource-stickiness: no failback
    assert model.unit(_sub(model, "fixture-api/0")).workload["status"] == "active"
    assert _plumbed(model) == [("del", "fixture-api/0"), ("add", "fixture-api/1")]


def test_pausing_every_node_stops_the_vip_until_one_resumes(cluster):
    model = cluster
    for principal in ("fixture-api/0", "fixture-api/1", "fixture-api/2"):
        _act(model, principal, "pause")
    assert _vip(model)["unit"] is None
    assert _vip(model)["plumbed"] is False
    assert _plumbed(model)[-1] == ("del", "fixture-api/2")

    _act(model, "fixture-api/2", "resume")
    assert _vip(model)["unit"] == "fixture-api/2"
    assert _plumbed(model)[-1] == ("add", "fixture-api/2")


def test_a_paused_unit_stays_paused_when_its_principal_sends_again(cluster):
    model = cluster
    _act(model, "fixture-api/0", "pause")
    rel = model.relations_of("hacluster")[0]
    rel.unit_data["fixture-api/0"]["corosync_mcastport"] = "4440"
    model._changed(rel, "fixture-api", "fixture-api/0")
    assert model.unit(_sub(model, "fixture-api/0")).workload["message"] == PAUSED
    assert _vip(model)["unit"] == "fixture-api/1"


def test_refusals(cluster):
    model = cluster
    sub = _sub(model, "fixture-api/0")
    with pytest.raises(CharmsmithError, match='action "status-all" not defined'):
        model.peer("hacluster").run_action(model, sub, "status-all", {})
    model.unit("fixture-api/0").down = True
    with pytest.raises(CharmsmithError, match=r"its machine \(fixture-api/0\) is down"):
        model.peer("hacluster").run_action(model, sub, "pause", {})
