"""rabbitmq interface: flags raised and keys sent, driven through real hooks."""

from __future__ import annotations

import json

import pytest

from .harness import FakeJuju

EP = "amqp"


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit="congress/0", requires={EP: "rabbitmq"}, private_address="10.5.1.10")


def related(juju: FakeJuju, *, request: bool = True) -> str:
    ask = lambda h: h.endpoint(EP).request_access("congress", "openstack")  # noqa: E731
    rid = juju.joined(EP, "rabbitmq-server", "10.5.0.40", ask if request else None)
    return rid


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
    assert juju.flags_of(EP) == {f"{EP}.connected"}
    juju.change(rid, "rabbitmq-server/0", {"password": "pw"})
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}
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
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_password_without_address_is_not_available(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": "pw", "private-address": None})
    assert juju.flags_of(EP) == {f"{EP}.connected"}


@pytest.mark.parametrize("password", ["", "   ", '""', "null"])
def test_empty_passwords_are_not_available(juju: FakeJuju, password: str) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": password})
    assert f"{EP}.available" not in juju.flags_of(EP)


def test_ready_hosts_only_units_with_password(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.join(rid, "rabbitmq-server/1", {"private-address": "10.5.0.41", "password": "pw"})
    juju.join(rid, "rabbitmq-server/2", {"private-address": "10.5.0.39", "password": "pw"})
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).rabbitmq_ready_hosts() == ["10.5.0.39", "10.5.0.41"]
    assert f"{EP}.available" in juju.flags_of(EP)
    juju.depart(rid, "rabbitmq-server/1")
    juju.depart(rid, "rabbitmq-server/2")
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_ssl_needs_numeric_port_and_ca(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": "pw", "ssl_port": "5671"})
    assert f"{EP}.available.ssl" not in juju.flags_of(EP)
    juju.change(rid, "rabbitmq-server/0", {"ssl_ca": "Q0E="})
    assert f"{EP}.available.ssl" in juju.flags_of(EP)
    juju.change(rid, "rabbitmq-server/0", {"ssl_port": "tls"})
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}


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
    assert f"{EP}.available" in juju.flags_of(EP)
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).password() == "1234"


def test_broken_clears_everything(juju: FakeJuju) -> None:
    rid = related(juju)
    juju.change(rid, "rabbitmq-server/0", {"password": "pw", "ssl_port": "5671", "ssl_ca": "x"})
    assert f"{EP}.available.ssl" in juju.flags_of(EP)
    juju.break_(rid)
    assert juju.flags_of(EP) == set()


def test_empty_relation_accessors(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "rabbitmq-server")
    juju.join(rid, "rabbitmq-server/0", {})
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.username() is None and ep.vhost() is None and ep.password() is None
        assert ep.ssl_port() is None and ep.ssl_ca() is None and ep.vip() is None
        assert ep.rabbitmq_ready_hosts() == []
    assert juju.flags_of(EP) == {f"{EP}.connected"}
