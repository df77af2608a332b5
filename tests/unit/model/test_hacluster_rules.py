"""The emulated hacluster follows charm-hacluster's rules, each against a requirer that breaks it.

Each "wrong requirer" here is what a principal charm could send (or assume) that the old, kinder
emulation accepted: clustering with too few units, malformed CRM data, a group expected to grow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charmsmith.errors import CharmsmithError
from charmsmith.model import configops
from charmsmith.model.harness import tool_session
from charmsmith.model.peers.hacluster import MalformedSection, parse_sections
from charmsmith.model.state import Unit

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
VIP_A, VIP_B = "203.0.113.250", "203.0.113.251"


def _send(s, rel, unit: str, data: dict[str, str]) -> None:
    rel.unit_data[unit] = {**rel.unit_data.get(unit, {}), **data}
    s.model._changed(rel, "fixture-api", unit)


def _vip(name: str, vip: str) -> dict[str, str]:
    return {
        "json_resources": json.dumps({name: "ocf:heartbeat:IPaddr2"}),
        "json_resource_params": json.dumps({name: f'params ip="{vip}"'}),
    }


def _subs(s) -> dict[str, Unit]:
    return {u: s.model.unit(u) for u in s.model.app("hacluster").units}


def test_two_units_never_cluster_with_the_default_count_and_no_vip_comes_up(tmp_path: Path):
    """Wrong requirer: HA with two principal units and hacluster's defaults (cluster_count 3)."""
    with tool_session(tmp_path / "m", CHARM, units=2) as s:
        s.model.deploy_peer("hacluster", None, 1, "emulated")
        rel = s.model.relate("fixture-api", "hacluster")
        for unit in ("fixture-api/0", "fixture-api/1"):
            _send(s, rel, unit, _vip("res_f_aaaaaaa_vip", VIP_A))
        for sub, record in _subs(s).items():
            assert "clustered" not in rel.unit_data[sub]
            assert record.workload == {
                "status": "blocked",
                "message": "Insufficient peer units for ha cluster (require 3)",
            }
        assert s.model.app("hacluster").peer_state.get("vips", {}) == {}

        # the operator sets the count to the units there are, as a real user would
        configops.update_config(s.model, "hacluster", {"cluster_count": "2"}, [])
        assert {rel.unit_data[sub].get("clustered") for sub in _subs(s)} == {"yes"}
        assert {r.workload["status"] for r in _subs(s).values()} == {"active"}
        assert s.model.app("hacluster").peer_state["vips"][VIP_A]["unit"] == "fixture-api/0"

        # Juju keeps what the units set: raising the count again does not un-cluster them
        configops.update_config(s.model, "hacluster", {"cluster_count": "5"}, [])
        assert {rel.unit_data[sub].get("clustered") for sub in _subs(s)} == {"yes"}
        assert {r.workload["status"] for r in _subs(s).values()} == {"blocked"}


def test_malformed_crm_data_fails_the_peers_hook_and_nothing_is_configured(tmp_path: Path):
    """Wrong requirer: sends a CRM section that is neither JSON nor a Python literal."""
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.deploy_peer("hacluster", None, 1, "emulated", {"cluster_count": "1"})
        rel = s.model.relate("fixture-api", "hacluster")
        # clustered=yes came with the join (no resources yet), as hooks.py sets it then too
        assert rel.unit_data["hacluster/0"]["clustered"] == "yes"
        sent = _vip("res_f_aaaaaaa_vip", VIP_A)
        sent["json_resources"] = "{res_f_aaaaaaa_vip: ocf:heartbeat:IPaddr2}"  # YAML, not JSON
        _send(s, rel, "fixture-api/0", sent)
        sub = s.model.unit("hacluster/0")
        assert (sub.agent, sub.agent_message) == (
            "error",
            'hook failed: "ha-relation-changed"',
        )
        assert s.model.app("hacluster").peer_state["resources"]["fixture-api/0"]["resources"] == {}
        assert s.model.app("hacluster").peer_state.get("vips", {}) == {}  # VIP not placed
        assert len(s.model.failures) == 1 and "json_resources" in s.model.failures[0]

        # a Python literal is what parse_data's ast.literal_eval accepts: the hook succeeds
        literal = str({"res_f_aaaaaaa_vip": "ocf:heartbeat:IPaddr2"})
        _send(s, rel, "fixture-api/0", {"json_resources": literal})
        assert sub.agent == "idle"
        assert s.model.app("hacluster").peer_state["vips"][VIP_A]["unit"] == "fixture-api/0"


def test_parse_sections_reads_json_then_literals_then_refuses():
    assert parse_sections({"json_groups": '{"g": "a b"}', "clones": "{'c': 'r'}"}) == {
        "groups": {"g": "a b"},
        "clones": {"c": "r"},
    }
    with pytest.raises(MalformedSection, match="json_orders"):
        parse_sections({"json_orders": "o: a then b"})


def test_groups_and_clones_are_created_only_if_absent(tmp_path: Path):
    """Wrong requirer: adds a second VIP later and expects grp_<name>_vips to take it in."""
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.deploy_peer("hacluster", None, 1, "emulated", {"cluster_count": "1"})
        rel = s.model.relate("fixture-api", "hacluster")
        first = {**_vip("res_f_aaaaaaa_vip", VIP_A)}
        first["json_groups"] = json.dumps({"grp_f_vips": "res_f_aaaaaaa_vip"})
        first["json_clones"] = json.dumps({"cl_f_haproxy": "res_f_haproxy"})
        _send(s, rel, "fixture-api/0", first)
        both = {
            "json_resources": json.dumps(
                {
                    "res_f_aaaaaaa_vip": "ocf:heartbeat:IPaddr2",
                    "res_f_bbbbbbb_vip": "ocf:heartbeat:IPaddr2",
                }
            ),
            "json_resource_params": json.dumps(
                {
                    "res_f_aaaaaaa_vip": f'params ip="{VIP_A}"',
                    "res_f_bbbbbbb_vip": f'params ip="{VIP_B}"',
                }
            ),
            "json_groups": json.dumps({"grp_f_vips": "res_f_aaaaaaa_vip res_f_bbbbbbb_vip"}),
            "json_clones": json.dumps({"cl_f_haproxy": "res_f_haproxy_new"}),
        }
        _send(s, rel, "fixture-api/0", both)
        cib = s.model.app("hacluster").peer_state["resources"]["fixture-api/0"]
        assert set(cib["resources"]) == {"res_f_aaaaaaa_vip", "res_f_bbbbbbb_vip"}  # updated
        assert cib["groups"] == {"grp_f_vips": "res_f_aaaaaaa_vip"}  # the new VIP stays outside
        assert cib["clones"] == {"cl_f_haproxy": "res_f_haproxy"}

        # the way out upstream: delete the old primitive (its group goes with it when left
        # empty), and the group is created anew from what is sent now
        only_b = {
            **_vip("res_f_bbbbbbb_vip", VIP_B),
            "json_resources": json.dumps({"res_f_bbbbbbb_vip": "ocf:heartbeat:IPaddr2"}),
            "json_groups": json.dumps({"grp_f_vips": "res_f_bbbbbbb_vip"}),
            "json_delete_resources": json.dumps(["res_f_aaaaaaa_vip"]),
        }
        _send(s, rel, "fixture-api/0", only_b)
        cib = s.model.app("hacluster").peer_state["resources"]["fixture-api/0"]
        assert cib["groups"] == {"grp_f_vips": "res_f_bbbbbbb_vip"}
        assert set(s.model.app("hacluster").peer_state["vips"]) == {VIP_B}


def test_a_refused_cluster_count_changes_nothing(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.deploy_peer("hacluster", None, 1, "emulated", {"cluster_count": "1"})
        with pytest.raises(CharmsmithError, match="cluster_count must be a positive number"):
            configops.update_config(s.model, "hacluster", {"cluster_count": "-1"}, [])
        assert s.model.app("hacluster").config == {"cluster_count": 1}
        configops.update_config(s.model, "hacluster", {}, ["cluster_count"])
        assert s.model.peer("hacluster").config() == {"cluster_count": 3}
