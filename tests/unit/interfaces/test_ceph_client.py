"""ceph-client interface (requirer), driven through real hooks against ceph-mon's wire.

The provider side here writes what charm-ceph-mon's client_relation and handle_broker_request
leave in a mon unit's databag (docs/ceph.md, "The wire").
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from .harness import FakeJuju

EP = "ceph"
UNIT = "glance/0"
RSP = "broker-rsp-glance-0"
KEY = base64.b64encode(bytes(range(28))).decode()  # the size ceph-authtool gives


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit=UNIT, requires={EP: "ceph-client"})


def ask_for_glance(hook) -> None:
    """What the charm does in every hook: ask for its pools (the same request each time)."""
    hook.endpoint(EP).create_replicated_pool("glance", replicas=3, app_name="rbd")


def mon_data(address: str = "10.5.0.20", **extra: str) -> dict[str, str]:
    return {"auth": "cephx", "key": KEY, "ceph-public-address": address, **extra}


def sent_request(juju: FakeJuju, rid: str) -> dict:
    return json.loads(juju.local_data(rid)["broker_req"])


def related(juju: FakeJuju, mons: int = 1) -> str:
    rid = juju.relate(EP, "ceph-mon")
    for n in range(mons):
        juju.join(rid, f"ceph-mon/{n}", {"private-address": f"10.5.0.{20 + n}"})
    juju.run(f"{EP}-relation-changed", rid, "ceph-mon/0", ask_for_glance)
    return rid


def answer(juju: FakeJuju, rid: str, unit: str = "ceph-mon/0", **response) -> None:
    request = sent_request(juju, rid)
    body = {"exit-code": 0, "request-id": request["request-id"], **response}
    juju.change(rid, unit, {**mon_data(), RSP: json.dumps(body)})


# -- what we send ---------------------------------------------------------------------------------


def test_request_is_charm_helpers_shape_with_sha1_id(juju: FakeJuju) -> None:
    rid = related(juju)
    request = sent_request(juju, rid)
    assert request["api-version"] == 1
    (op,) = request["ops"]
    assert (op["op"], op["name"], op["replicas"], op["app-name"]) == (
        "create-pool",
        "glance",
        3,
        "rbd",
    )
    assert op["weight"] is None and op["pg_num"] is None and op["rbd-mirroring-mode"] == "pool"
    digest = hashlib.sha1(json.dumps(request["ops"], sort_keys=True).encode()).hexdigest()
    assert request["request-id"] == digest
    assert juju.local_data(rid)["unit-name"] == UNIT
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_same_request_is_not_sent_again(juju: FakeJuju) -> None:
    rid = related(juju)
    before = len([s for s in juju.sent(rid) if "broker_req" in s])
    for hook in ("config-changed", "update-status"):
        juju.run(hook, body=ask_for_glance)
    assert len([s for s in juju.sent(rid) if "broker_req" in s]) == before == 1


def test_changed_pool_gets_a_new_id_and_drops_the_old_answer(juju: FakeJuju) -> None:
    rid = related(juju)
    answer(juju, rid)
    assert f"{EP}.pools.available" in juju.flags_of(EP)
    old = sent_request(juju, rid)["request-id"]
    juju.run(
        "config-changed",
        body=lambda hook: hook.endpoint(EP).create_replicated_pool(
            "glance", replicas=2, app_name="rbd"
        ),
    )
    new = sent_request(juju, rid)
    assert new["request-id"] != old and [op["replicas"] for op in new["ops"]] == [2]
    assert f"{EP}.pools.available" not in juju.flags_of(EP)  # the answer was for the old request


def test_create_pool_is_upstreams_older_name_with_a_weight(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.run("config-changed", body=lambda hook: hook.endpoint(EP).create_pool("glance", 2, 10.0))
    (op,) = sent_request(juju, rid)["ops"]
    assert (op["name"], op["replicas"], op["weight"]) == ("glance", 2, 10.0)


# -- what we read ---------------------------------------------------------------------------------


def test_complete_answer_raises_every_flag(juju: FakeJuju) -> None:
    rid = related(juju, mons=3)
    for n in range(3):
        data = mon_data(f"10.5.0.{20 + n}")
        juju.change(rid, f"ceph-mon/{n}", data)
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}
    answer(juju, rid, "ceph-mon/0")
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available", f"{EP}.pools.available"}
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.mon_hosts() == ["10.5.0.20", "10.5.0.21", "10.5.0.22"]
        assert (ep.key, ep.auth) == (KEY, "cephx")
        assert ep.broker_response().ok and ep.requested_pools() == ["glance"]
    assert not any(KEY in message for _level, message in juju.log)


def test_proxy_style_addresses_and_ipv6(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "ceph-mon/0", mon_data("10.5.0.20 fd00::1 [fd00::2]:6789 10.5.0.21:3300"))
    with juju.hook("update-status") as hook:
        hosts = hook.endpoint(EP).mon_hosts()
    assert hosts == ["10.5.0.20", "10.5.0.21:3300", "[fd00::1]", "[fd00::2]:6789"]


@pytest.mark.parametrize(
    "data",
    [
        {"auth": "cephx", "key": KEY},  # no mon address yet
        {"auth": "cephx", "ceph-public-address": "10.5.0.20"},  # no key yet
        {"key": KEY, "ceph-public-address": "10.5.0.20"},  # no auth yet
    ],
    ids=["no-address", "no-key", "no-auth"],
)
def test_partial_data_is_not_available(juju: FakeJuju, data: dict[str, str]) -> None:
    rid = related(juju)
    juju.change(rid, "ceph-mon/0", data)
    assert juju.flags_of(EP) == {f"{EP}.connected"}


@pytest.mark.parametrize(
    "data",
    [
        mon_data(key="not base64!"),
        mon_data(key=base64.b64encode(b"short").decode()),
        mon_data(key=KEY + "\n[client.admin]"),
        mon_data(auth="kerberos"),
        mon_data(address="10.5.0.20;rm -rf /"),
        mon_data(address="[fd00::1"),
    ],
    ids=[
        "key-not-base64",
        "key-too-short",
        "key-with-newline",
        "auth-unknown",
        "addr-junk",
        "addr-half-bracket",
    ],
)
def test_malformed_data_is_not_available(juju: FakeJuju, data: dict[str, str]) -> None:
    rid = related(juju)
    juju.change(rid, "ceph-mon/0", data)
    assert f"{EP}.available" not in juju.flags_of(EP)


@pytest.mark.parametrize(
    "response",
    [
        "not json",
        json.dumps(["exit-code", 0]),
        json.dumps({"request-id": "REQ"}),  # no exit code: upstream would take it as success
        json.dumps({"request-id": "REQ", "exit-code": "0"}),
        json.dumps({"request-id": "REQ", "exit-code": True}),
    ],
    ids=["not-json", "list", "no-exit-code", "exit-code-text", "exit-code-bool"],
)
def test_malformed_broker_response_never_raises_pools(juju: FakeJuju, response: str) -> None:
    rid = related(juju)
    response = response.replace("REQ", sent_request(juju, rid)["request-id"])
    juju.change(rid, "ceph-mon/0", {**mon_data(), RSP: response})
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).broker_response() is None


def test_failed_broker_response_is_kept_with_its_stderr(juju: FakeJuju) -> None:
    rid = related(juju)
    answer(
        juju,
        rid,
        **{
            "exit-code": 1,
            "stderr": "Unexpected error occurred while processing requests: pool size 3 > 1 OSDs",
        },
    )
    assert f"{EP}.pools.available" not in juju.flags_of(EP)
    with juju.hook("update-status") as hook:
        response = hook.endpoint(EP).broker_response()
    assert (response.ok, response.exit_code, response.unit) == (False, 1, "ceph-mon/0")
    assert "pool size 3" in response.stderr


def test_stale_request_id_is_no_answer(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(
        rid,
        "ceph-mon/0",
        {**mon_data(), RSP: json.dumps({"exit-code": 0, "request-id": "0bc7dc54"})},
    )
    assert f"{EP}.pools.available" not in juju.flags_of(EP)


def test_legacy_broker_rsp_and_other_units_answers_are_ignored(juju: FakeJuju) -> None:
    rid = related(juju)
    current = sent_request(juju, rid)["request-id"]
    ok = json.dumps({"exit-code": 0, "request-id": current})
    juju.change(rid, "ceph-mon/0", {**mon_data(), "broker_rsp": ok, "broker-rsp-glance-1": ok})
    assert f"{EP}.pools.available" not in juju.flags_of(EP)


def test_answer_from_any_mon_unit_counts(juju: FakeJuju) -> None:
    """The mon leader answers; it need not be the first unit."""
    rid = related(juju, mons=2)
    juju.change(rid, "ceph-mon/0", mon_data())
    answer(juju, rid, "ceph-mon/1")
    assert f"{EP}.pools.available" in juju.flags_of(EP)


def test_broken_clears_every_flag(juju: FakeJuju) -> None:
    rid = related(juju)
    answer(juju, rid)
    juju.break_(rid)
    assert juju.flags_of(EP) == set()


UNEXPECTED = json.dumps(
    {"exit-code": 1, "stderr": "Unexpected error occurred while processing requests: size 1"}
)


def test_refusal_without_request_id_refuses_the_current_request(juju: FakeJuju) -> None:
    """charms.ceph's broker answers an exception without the request id."""
    rid = related(juju)
    juju.change(rid, "ceph-mon/0", {**mon_data(), RSP: UNEXPECTED})
    assert f"{EP}.pools.available" not in juju.flags_of(EP)
    with juju.hook("update-status") as hook:
        response = hook.endpoint(EP).broker_response()
    assert (response.ok, response.exit_code) == (False, 1)
    assert response.stderr.endswith("size 1")


def test_refusal_without_id_from_before_the_request_is_no_answer(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "ceph-mon/0", {**mon_data(), RSP: UNEXPECTED})

    def replicas_two(hook) -> None:
        hook.endpoint(EP).create_replicated_pool("glance", replicas=2, app_name="rbd")

    juju.run("config-changed", body=replicas_two)  # a new request; the old refusal stays
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).broker_response() is None


def test_success_without_request_id_is_no_answer(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "ceph-mon/0", {**mon_data(), RSP: json.dumps({"exit-code": 0})})
    assert f"{EP}.pools.available" not in juju.flags_of(EP)
