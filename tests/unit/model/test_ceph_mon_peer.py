"""The ceph-mon peer on the model's relation: what every mon unit sends, what only the leader
answers, and which requests it leaves unanswered (charm-ceph-mon src/ceph_client.py)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from charmsmith.model.harness import tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
UNIT = "fixture-api/0"
OP = {"op": "create-pool", "name": "glance", "replicas": 3, "app-name": "rbd", "weight": None}


def _relate(s, units: int = 2):
    app = s.model.app("fixture-api")
    app.metadata["requires"]["ceph"] = {"interface": "ceph-client"}
    s.model.deploy_peer("ceph-mon", None, units, "emulated", {})
    return s.model.relate("fixture-api", "ceph-mon")


def _send(s, rel, data: dict[str, str]) -> None:
    rel.unit_data[UNIT] = {**rel.unit_data.get(UNIT, {}), **data}
    s.model._changed(rel, "fixture-api", UNIT)


def _request(rid: str, *ops: dict) -> str:
    return json.dumps({"api-version": 1, "ops": list(ops or [OP]), "request-id": rid})


def test_every_mon_unit_sends_auth_key_and_its_own_address(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _relate(s)
        _send(s, rel, {"unit-name": UNIT})
        mon0, mon1 = rel.unit_data["ceph-mon/0"], rel.unit_data["ceph-mon/1"]
        assert mon0["auth"] == mon1["auth"] == "cephx"
        assert mon0["ceph-public-address"] == s.model.unit("ceph-mon/0").address
        assert mon1["ceph-public-address"] == s.model.unit("ceph-mon/1").address
        assert mon0["ceph-public-address"] != mon1["ceph-public-address"]
        assert mon0["key"] == mon1["key"]  # one client.fixture-api key, cluster-wide
        assert len(base64.b64decode(mon0["key"])) == 28


def test_only_the_leader_answers_the_broker_request_per_unit(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _relate(s)
        _send(s, rel, {"broker_req": _request("r1"), "unit-name": UNIT})
        leader = rel.unit_data["ceph-mon/0"]
        expected = json.dumps({"exit-code": 0, "request-id": "r1"})
        assert leader["broker-rsp-fixture-api-0"] == expected
        assert leader["broker_rsp"] == expected
        assert "broker-rsp-fixture-api-0" not in rel.unit_data["ceph-mon/1"]
        assert s.model.peer("ceph-mon").backend.pools()["glance"]["size"] == 3


def test_a_new_request_id_gets_a_new_answer_and_refusals_are_answered(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _relate(s, units=1)
        _send(s, rel, {"broker_req": _request("r1")})
        _send(s, rel, {"broker_req": _request("r2", {**OP, "name": "other"}, {"op": "nope"})})
        answer = json.loads(rel.unit_data["ceph-mon/0"]["broker-rsp-fixture-api-0"])
        assert answer == {"exit-code": 1, "stderr": "Unknown operation 'nope'", "request-id": "r2"}
        assert sorted(s.model.peer("ceph-mon").backend.pools()) == ["glance", "other"]


@pytest.mark.parametrize("raw", ["{not json", json.dumps({"api-version": 1, "ops": []})])
def test_a_request_without_a_readable_id_is_not_answered(tmp_path: Path, raw: str):
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _relate(s, units=1)
        _send(s, rel, {"broker_req": raw})
        mine = rel.unit_data["ceph-mon/0"]
        assert "key" in mine and not any(k.startswith("broker") for k in mine)
        assert not s.model.failures  # the mon only logs a warning; its hook succeeds


def test_key_is_for_the_application_name_the_unit_gives(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _relate(s, units=1)
        _send(s, rel, {})
        default = rel.unit_data["ceph-mon/0"]["key"]
        _send(s, rel, {"application-name": "images"})
        named = rel.unit_data["ceph-mon/0"]["key"]
        assert named != default
        secrets = s.model.app("ceph-mon").peer_state["secrets"]
        assert secrets == {"cephx:client.fixture-api": default, "cephx:client.images": named}
