"""rabbitmq interface: flags raised and keys sent, driven through real hooks."""

from __future__ import annotations

import json

import pytest

from .harness import FakeJuju, only

EP = "amqp"


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit="congress/0", requires={EP: "rabbitmq"}, bindings={EP: "10.5.1.10"})


def flags(juju: FakeJuju) -> set[str]:
    return only(juju.flags, EP)


def related(juju: FakeJuju, *, request: bool = True) -> str:
    rid = juju.relate(EP, "rabbitmq-server")
    juju.join(rid, "rabbitmq-server/0", {"private-address": "10.5.0.40"})
    if request:
        juju.run(
            f"{EP}-relation-changed",
            rid,
            "rabbitmq-server/0",
            lambda h: h.endpoint(EP).request_access("congress", "openstack"),
        )
    return rid


def test_no_relation_no_flags(juju: FakeJuju) -> None:
    juju.run("update-status")
    assert flags(juju) == set()


def test_joined_is_connected_only(juju: FakeJuju) -> None:
    related(juju, request=False)
    assert flags(juju) == {f"{EP}.connected"}


def test_request_access_sends_raw_keys(juju: FakeJuju) -> None:
    rid = related(juju)
    local = juju.local_data(rid)
    assert (local["username"], local["vhost"], local["private-address"]) == (
        "congress",
        "openstack",
        "10.5.1.10",
    )
    assert juju.sent(rid)[0]["username"] == "congress"  # raw, not '"congress"'
    juju.run(
        "config-changed", body=lambda h: h.endpoint(EP).request_access("congress", "openstack")
    )
    assert len(juju.sent(rid)) == 1


def test_explicit_hostname(juju: FakeJuju) -> None:
    rid = related(juju, request=False)
    juju.run(
        "config-changed",
        body=lambda h: h.endpoint(EP).request_access("u", "v", hostname="192.0.2.7"),
    )
    assert juju.local_data(rid)["private-address"] == "192.0.2.7"


def test_password_makes_available(juju: FakeJuju) -> None:
    rid = related(juju)
    assert flags(juju) == {f"{EP}.connected"}
    juju.change(rid, "rabbitmq-server/0", {"password": "pw"})
    assert flags(juju) == {f"{EP}.connected", f"{EP}.available"}
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.username() == "congress"
        assert ep.vhost() == "openstack"
        assert ep.password() == "pw"
        assert ep.rabbitmq_ready_hosts() == ["10.5.0.40"]
        assert ep.ssl_port() is None
        assert ep.clustered() is False
        assert ep.ha_queues() is False


def test_password_without_our_request_is_not_available(juju: FakeJuju) -> None:
    rid = related(juju, request=False)
    juju.change(rid, "rabbitmq-server/0", {"password": "pw"})
    assert flags(juju) == {f"{EP}.connected"}


def test_password_without_address_is_not_available(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": "pw", "private-address": None})
    assert flags(juju) == {f"{EP}.connected"}


@pytest.mark.parametrize("password", ["", "   ", '""', "null"])
def test_empty_passwords_are_not_available(juju: FakeJuju, password: str) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": password})
    assert f"{EP}.available" not in flags(juju)


def test_ready_hosts_only_units_with_password(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.join(rid, "rabbitmq-server/1", {"private-address": "10.5.0.41", "password": "pw"})
    juju.join(rid, "rabbitmq-server/2", {"private-address": "10.5.0.39", "password": "pw"})
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).rabbitmq_ready_hosts() == ["10.5.0.39", "10.5.0.41"]
    assert f"{EP}.available" in flags(juju)
    juju.depart(rid, "rabbitmq-server/1")
    juju.depart(rid, "rabbitmq-server/2")
    assert flags(juju) == {f"{EP}.connected"}


def test_ssl_needs_numeric_port_and_ca(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": "pw", "ssl_port": "5671"})
    assert f"{EP}.available.ssl" not in flags(juju)
    juju.change(rid, "rabbitmq-server/0", {"ssl_ca": "Q0E="})
    assert f"{EP}.available.ssl" in flags(juju)
    juju.change(rid, "rabbitmq-server/0", {"ssl_port": "tls"})
    assert flags(juju) == {f"{EP}.connected", f"{EP}.available"}


def test_optional_keys(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(
        rid,
        "rabbitmq-server/0",
        {"password": "pw", "ha_queues": "True", "clustered": "yes", "vip": "10.5.0.100"},
    )
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.ha_queues() is True
        assert ep.clustered() is True
        assert ep.vip() == "10.5.0.100"


def test_json_encoded_values_are_accepted(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": json.dumps("1234")})
    assert f"{EP}.available" in flags(juju)
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).password() == "1234"


@pytest.mark.parametrize("listed", [False, True])
def test_broken_clears_everything(juju: FakeJuju, listed: bool) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": "pw", "ssl_port": "5671", "ssl_ca": "x"})
    assert f"{EP}.available.ssl" in flags(juju)
    juju.break_(rid, listed_while_broken=listed)
    assert flags(juju) == set()


def test_empty_relation_accessors(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "rabbitmq-server")
    juju.join(rid, "rabbitmq-server/0", {})
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.username() is None and ep.vhost() is None and ep.password() is None
        assert ep.ssl_port() is None and ep.ssl_ca() is None and ep.vip() is None
        assert ep.rabbitmq_ready_hosts() == []
    assert flags(juju) == {f"{EP}.connected"}
