"""The emulated rabbitmq answers as charm-rabbitmq-server: leader first, others once clustered.

The "wrong requirers" here trusted the old emulation, where every unit answered at once with no
`hostname`, and prefixed requests went unanswered.
"""

from __future__ import annotations

import base64
from pathlib import Path

from charmsmith.model import configops
from charmsmith.model.harness import tool_session
from charmsmith.model.peers.rabbitmq import requests

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
JUJU_KEYS = {"private-address", "ingress-address", "egress-subnets"}


def _send(s, rel, data: dict[str, str], unit: str = "fixture-api/0") -> None:
    rel.unit_data[unit] = {**rel.unit_data.get(unit, {}), **data}
    s.model._changed(rel, "fixture-api", unit)


def _rabbit(s, units: int, **config: str):
    s.model.deploy_peer("rabbitmq", None, units, "emulated", config)
    s.model.peer("rabbitmq").step(s.model)  # deployed a while ago: the cluster formed
    return s.model.relate("fixture-api", "rabbitmq")


def test_requests_follow_amqp_changed():
    assert requests({"username": "u", "vhost": "v", "nova_username": "n"}) == {
        "password": ("u", "v")
    }
    assert requests({"username": "u", "vhost": ""}) == {}  # "Relation not ready."
    assert requests(
        {"nova_username": "n", "nova_vhost": "nv", "my_app_username": "x", "my_app_vhost": "y"}
    ) == {"nova_password": ("n", "nv")}  # the prefix ends at the first "_"


def test_the_leader_answers_first_and_the_others_a_step_later(tmp_path: Path):
    """Wrong requirer: takes any broker unit as ready as soon as one answered."""
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _rabbit(s, 2)
        leader, other = "rabbitmq/0", "rabbitmq/1"
        address = {u: s.model.unit(u).address for u in (leader, other)}
        assert rel.unit_data[leader]["hostname"] == address[leader]  # before any request
        _send(s, rel, {"username": "fixture", "vhost": "openstack"})
        answer = rel.unit_data[leader]
        assert answer["password"] and answer["private-address"] == address[leader]
        assert set(rel.unit_data[other]) == JUJU_KEYS  # no credentials there yet

        s.model.peer("rabbitmq").step(s.model)  # the hooks ran: the other unit follows
        copy = rel.unit_data[other]
        assert copy["password"] == answer["password"]
        assert copy["hostname"] == copy["private-address"] == address[other]
        assert {u.workload["status"] for u in map(s.model.unit, (leader, other))} == {"active"}


def test_no_unit_answers_before_the_cluster_is_complete(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.deploy_peer("rabbitmq", None, 2, "emulated", {"min-cluster-size": "3"})
        rel = s.model.relate("fixture-api", "rabbitmq")
        _send(s, rel, {"username": "fixture", "vhost": "openstack"})
        s.model.peer("rabbitmq").step(s.model)
        assert all(set(rel.unit_data[u]) == JUJU_KEYS for u in ("rabbitmq/0", "rabbitmq/1"))
        assert s.model.unit("rabbitmq/0").workload == {
            "status": "waiting",
            "message": "Waiting for all 3 peers to complete the cluster.",
        }


def test_prefixed_requests_are_answered_by_the_leader_only(tmp_path: Path):
    """Wrong requirer (old model): expected no answer to `<prefix>_username`; the leader gives
    `<prefix>_password`, and the other units copy only a plain `password`."""
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _rabbit(s, 2)
        _send(s, rel, {"nova_username": "nova", "nova_vhost": "openstack"})
        s.model.peer("rabbitmq").step(s.model)
        assert rel.unit_data["rabbitmq/0"]["nova_password"]
        assert "password" not in rel.unit_data["rabbitmq/0"]
        assert set(rel.unit_data["rabbitmq/1"]) == JUJU_KEYS


def test_tls_sends_port_and_ca_and_is_blanked_when_turned_off(tmp_path: Path):
    """Wrong requirer: connects to 5672 whatever the broker says; with ssl=only it must read
    ssl_port/ssl_ca, which the old model never sent."""
    with tool_session(tmp_path / "m", CHARM) as s:
        rel = _rabbit(s, 1, ssl="only")
        _send(s, rel, {"username": "fixture", "vhost": "openstack"})
        data = rel.unit_data["rabbitmq/0"]
        assert data["ssl_port"] == "5671"
        assert base64.b64decode(data["ssl_ca"]).startswith(b"-----BEGIN CERTIFICATE-----")
        configops.update_config(s.model, "rabbitmq", {"ssl": "off"}, [])
        assert not {"ssl_port", "ssl_ca"} & set(rel.unit_data["rabbitmq/0"])
