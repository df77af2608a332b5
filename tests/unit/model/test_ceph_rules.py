"""ceph_rules: the broker's reading, running and refusing of ceph-client requests, as upstream's
charms_ceph/broker.py and charm-helpers' ReplicatedPool do it."""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess

import pytest

from charmsmith.model.peers import ceph_rules as rules
from charmsmith.model.peers.ceph_mon import EmulatedCeph


def _pool_op(**extra) -> dict:
    op = {"op": "create-pool", "name": "glance", "replicas": 3, "app-name": "rbd"}
    op.update(extra)
    return op


def _req(*ops: dict, version=1, rid="abc123") -> str:
    body = {"api-version": version, "ops": list(ops)}
    if rid is not None:
        body["request-id"] = rid
    return json.dumps(body)


def _run(raw: str) -> tuple[dict, EmulatedCeph]:
    cluster = EmulatedCeph({})
    return json.loads(rules.process(raw, cluster).encode()), cluster


def test_create_pool_records_the_pool_and_answers_with_the_request_id():
    answer, cluster = _run(_req(_pool_op(weight=20)))
    assert answer == {"exit-code": 0, "request-id": "abc123"}
    assert cluster.pools()["glance"] == {
        "size": 3,
        "application": "rbd",
        "target_size_ratio": 0.2,
    }


def test_defaults_for_weight_and_application_are_upstreams():
    _, cluster = _run(_req({"op": "create-pool", "name": "p", "replicas": 2}))
    assert cluster.pools()["p"]["application"] == "unknown"
    assert cluster.pools()["p"]["target_size_ratio"] == pytest.approx(0.1)


def test_the_response_keeps_upstreams_key_order():
    raw = rules.process(_req({"op": "create-pool", "replicas": 3}), EmulatedCeph({})).encode()
    assert raw == '{"exit-code": 1, "stderr": "Missing parameter.", "request-id": "abc123"}'


@pytest.mark.parametrize("version", [None, 2, "1"])
def test_api_version_other_than_1_is_refused_with_the_id(version):
    answer, cluster = _run(_req(_pool_op(), version=version))
    assert answer == {
        "exit-code": 1,
        "stderr": f"Missing or invalid api version ({version})",
        "request-id": "abc123",
    }
    assert not cluster.pools()


def test_unknown_op_stops_at_once_but_earlier_ops_are_done():
    answer, cluster = _run(_req(_pool_op(), {"op": "make-coffee"}, _pool_op(name="later")))
    assert answer["stderr"] == "Unknown operation 'make-coffee'"
    assert list(cluster.pools()) == ["glance"]


def test_a_later_good_op_hides_an_earlier_refusal_as_upstreams_loop_does():
    answer, cluster = _run(_req({"op": "create-pool", "name": "x"}, _pool_op()))
    assert answer == {"exit-code": 0, "request-id": "abc123"}
    assert list(cluster.pools()) == ["glance"]


@pytest.mark.parametrize("missing", ["name", "replicas"])
def test_missing_name_or_replicas_is_missing_parameter(missing):
    op = _pool_op()
    del op[missing]
    answer, _ = _run(_req(op))
    assert (answer["exit-code"], answer["stderr"]) == (1, "Missing parameter.")


@pytest.mark.parametrize(
    "op",
    [
        _pool_op(replicas="3"),  # get_pgs' validator: not an int
        _pool_op(replicas=0),  # get_pgs divides by it
        _pool_op(replicas=0, pg_num=16),  # the pg_num cap divides by it first
        _pool_op(replicas=1),  # `osd pool set size 1` without --yes-i-really-mean-it
        _pool_op(replicas=11),  # mon_max_pool_size
        _pool_op(**{"compression-mode": "sometimes"}),
        _pool_op(**{"compression-required-ratio": 1}),  # int, not float
        _pool_op(name=None),
    ],
)
def test_exceptions_are_unexpected_errors_without_request_id(op):
    raw = _req(op)
    answer, _ = _run(raw)
    assert answer == {
        "exit-code": 1,
        "stderr": "Unexpected error occurred while processing requests: " + repr(json.loads(raw)),
    }


def test_a_refused_size_leaves_the_pool_created_as_ceph_does():
    _, cluster = _run(_req(_pool_op(replicas=1)))
    assert cluster.pools()["glance"]["size"] == 3


def test_ops_not_a_list_or_missing_are_unexpected_errors():
    answer, _ = _run(json.dumps({"api-version": 1, "request-id": "r"}))
    assert answer["stderr"].startswith("Unexpected error occurred")
    assert "request-id" not in answer


def test_erasure_pool_needs_a_profile_the_model_never_has():
    answer, cluster = _run(_req(_pool_op(**{"pool-type": "erasure"})))
    assert answer["stderr"] == (
        "erasure-profile default-canonical does not exist.  Please create it with: "
        "create-erasure-profile"
    )
    assert not cluster.pools()


def test_existing_pool_is_not_created_again_but_still_validated():
    cluster = EmulatedCeph({"pools": {"glance": {"size": 2, "application": "rbd"}}})
    assert rules.process(_req(_pool_op(replicas=5)), cluster).exit_code == 0
    assert cluster.pools()["glance"]["size"] == 2
    bad = _req(_pool_op(**{"rbd-mirroring-mode": "all"}))
    assert rules.process(bad, cluster).stderr.startswith("Unexpected error")


def test_empty_ops_succeed():
    answer, _ = _run(_req())
    assert answer == {"exit-code": 0, "request-id": "abc123"}


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '"text"',
        json.dumps({"api-version": 1, "ops": []}),
        '{"request-id": ""}',
    ],
)
def test_requests_without_a_readable_id_get_no_answer(raw):
    assert rules.request_id(raw) is None


def test_response_key_and_key_name_follow_the_units_own_settings():
    assert rules.response_key("glance/0", {}) == "broker-rsp-glance-0"
    assert rules.response_key("glance/0", {"unit-name": "other/3"}) == "broker-rsp-other-3"
    assert rules.key_name("glance", {}) == "glance"
    assert rules.key_name("glance", {"application-name": "images"}) == "images"


def test_cephx_key_has_ceph_authtools_header():
    key = rules.cephx_key(bytes(range(16)), created=1700000000.5)
    raw = base64.b64decode(key)
    assert len(key) == 40 and key.startswith("AQ")
    assert struct.unpack("<HIIH", raw[:12]) == (1, 1700000000, 500000000, 16)
    assert raw[12:] == bytes(range(16))
    assert rules.cephx_key() != rules.cephx_key()


@pytest.mark.skipif(not shutil.which("ceph-authtool"), reason="needs ceph-common (setup-e2e.sh)")
def test_cephx_key_is_accepted_by_the_real_ceph_authtool(tmp_path):
    key = rules.cephx_key()
    keyring = tmp_path / "keyring"
    ok = subprocess.run(
        ["ceph-authtool", "--create-keyring", str(keyring), "--add-key", key, "-n", "client.x"],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"key = {key}" in keyring.read_text()
    fake = base64.b64encode(b"A" * 28).decode()  # right length, no cephx header
    bad = subprocess.run(
        ["ceph-authtool", "--create-keyring", str(keyring), "--add-key", fake, "-n", "client.y"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0


def test_ops_the_model_does_not_play_are_refused_by_name_not_as_unknown():
    answer, _ = _run(_req({"op": "delete-pool", "name": "glance"}))
    assert answer == {
        "exit-code": 1,
        "stderr": "charmsmith model: broker op 'delete-pool' is not played",
        "request-id": "abc123",
    }
