"""keystone interface: flags raised and keys sent, driven through real hooks."""

from __future__ import annotations

import json

import pytest

from .harness import FakeJuju

EP = "identity-service"

COMPLETE = {
    "private-address": "10.5.0.20",
    "service_host": "10.5.0.20",
    "service_protocol": "http",
    "service_port": "5000",
    "auth_host": "10.5.0.20",
    "auth_protocol": "http",
    "auth_port": "35357",
    "service_tenant": "services",
    "service_username": "congress",
    "service_password": "s3cret",
    "service_tenant_id": "3f1b",
}

SSL = {
    "ca_cert": "Q0E=",
    **{
        f"ssl_{kind}_{ep}": "UEVN"
        for kind in ("cert", "key")
        for ep in ("admin", "internal", "public")
    },
}


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit="congress/0", requires={EP: "keystone"})


def test_joined_sets_connected_only(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {"private-address": "10.5.0.20"})
    assert juju.flags_of(EP) == {f"{EP}.connected"}
    # charms.reactive's own event flags are consumed by the interface
    assert "endpoint.identity-service.changed" not in juju.flags
    assert "endpoint.identity-service.joined" in juju.flags


def test_complete_data_raises_available_and_auth(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", COMPLETE)
    assert juju.flags_of(EP) == {
        f"{EP}.connected",
        f"{EP}.available",
        f"{EP}.available.auth",
    }


@pytest.mark.parametrize("missing", sorted(set(COMPLETE) - {"private-address"}))
def test_any_base_value_missing_means_not_available(juju: FakeJuju, missing: str) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {k: v for k, v in COMPLETE.items() if k != missing})
    assert juju.flags_of(EP) == {f"{EP}.connected"}


@pytest.mark.parametrize(
    "key, value",
    [
        ("service_port", "abc"),
        ("auth_port", "99999"),
        ("service_password", '""'),
        ("service_host", "   "),
        ("service_tenant", "null"),
    ],
)
def test_malformed_values_never_give_a_false_available(
    juju: FakeJuju, key: str, value: str
) -> None:
    rid = juju.relate(EP, "keystone")
    data = dict(COMPLETE, **{key: value})
    juju.join(rid, "keystone/0", data)
    assert f"{EP}.available" not in juju.flags_of(EP)
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        ep.base_data_complete()
        ep.all_data()
        ep.service_port()
        ep.auth_port()


def test_json_encoded_values_are_accepted(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    encoded = {k: json.dumps(v) for k, v in COMPLETE.items() if k != "private-address"}
    juju.join(rid, "keystone/0", {"private-address": "10.5.0.20", **encoded})
    assert f"{EP}.available" in juju.flags_of(EP)
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.service_password() == "s3cret"
        assert ep.service_port() == 5000
        assert ep.service_host() == "10.5.0.20"


def test_numeric_looking_password_stays_text(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", dict(COMPLETE, service_password="1234"))
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).service_password() == "1234"


def test_partial_data_then_completion(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {"private-address": "10.5.0.20", "service_host": "10.5.0.20"})
    assert f"{EP}.available" not in juju.flags_of(EP)
    juju.change(rid, "keystone/0", COMPLETE)
    assert f"{EP}.available" in juju.flags_of(EP)
    # keystone withdraws the password: recomputed on -changed
    juju.change(rid, "keystone/0", {"service_password": None})
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_ssl_flag_needs_every_cert_key_and_ca(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {**COMPLETE, **SSL})
    assert f"{EP}.available.ssl" in juju.flags_of(EP)
    juju.change(rid, "keystone/0", {"ssl_key_public": "__null__"})
    assert f"{EP}.available.ssl" not in juju.flags_of(EP)
    assert f"{EP}.available" in juju.flags_of(EP)


def test_ssl_flag_never_without_base_data(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {"private-address": "10.5.0.20", **SSL})
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_departed_last_unit_clears_everything(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", COMPLETE)
    juju.depart(rid, "keystone/0")
    assert juju.flags_of(EP) == set()


def test_departed_one_of_two_recomputes_from_the_rest(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", COMPLETE)
    juju.join(rid, "keystone/1", {"private-address": "10.5.0.21"})
    assert f"{EP}.available" in juju.flags_of(EP)
    juju.depart(rid, "keystone/0")
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_broken_clears_everything(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {**COMPLETE, **SSL})
    juju.break_(rid)
    assert juju.flags_of(EP) == set()


def test_app_databag_is_read_first_with_k8s_names(juju: FakeJuju) -> None:
    rid = juju.relate(
        EP,
        "keystone",
        remote_app_data={
            "service-user-name": "svc-from-app",
            "service-project-name": "services-app",
            "service-project-id": "abcd",
            "service-domain-name": "service_domain",
            "service-host": "keystone.example",
        },
    )
    juju.join(rid, "keystone/0", COMPLETE)
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.service_username() == "svc-from-app"
        assert ep.service_tenant() == "services-app"
        assert ep.service_tenant_id() == "abcd"
        assert ep.service_domain() == "service_domain"
        assert ep.service_host() == "keystone.example"
        # unit data fills in what the app databag lacks
        assert ep.service_password() == "s3cret"
        data = ep.all_data()
    assert data["service_username"] == "svc-from-app"
    assert data["service_host"] == "keystone.example"
    assert data["auth_port"] == "35357"
    assert data["private-address"] == "10.5.0.20"


def test_empty_app_value_falls_back_to_unit_data(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone", remote_app_data={"service-user-name": '""'})
    juju.join(rid, "keystone/0", COMPLETE)
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).service_username() == "congress"


def test_accessors_on_empty_relation_return_none(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {})
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        names = [
            "service_host service_protocol service_port auth_host auth_protocol auth_port",
            "service_tenant service_username service_password service_tenant_id",
            "service_domain api_version admin_token ca_cert https_keystone admin_domain_id",
            "admin_user_id admin_project_id service_type",
        ]
        for name in " ".join(names).split():
            assert getattr(ep, name)() is None, name
        assert ep.get("anything") is None
        assert ep.base_data_complete() is False
        assert ep.all_data() == {}


def test_register_endpoints_sends_raw_strings(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {"private-address": "10.5.0.20"})
    with juju.hook(f"{EP}-relation-changed", rid, "keystone/0") as hook:
        hook.endpoint(EP).register_endpoints(
            "congress",
            "RegionOne",
            "http://10.5.0.10:1789",
            "http://10.5.0.10:1789",
            "http://10.5.0.10:1789",
            requested_roles=["Member", "admin"],
            add_role_to_admin=["reader"],
        )
    local = juju.local_data(rid)
    assert local["service"] == "congress"
    assert local["region"] == "RegionOne"
    assert local["public_url"] == "http://10.5.0.10:1789"
    assert local["internal_url"] == "http://10.5.0.10:1789"
    assert local["admin_url"] == "http://10.5.0.10:1789"
    assert local["requested_roles"] == "Member,admin"
    assert local["add_role_to_admin"] == "reader"
    assert len(juju.sent(rid)) == 1


def test_register_endpoints_unchanged_sends_nothing(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "keystone")
    juju.join(rid, "keystone/0", {"private-address": "10.5.0.20"})
    args = ("congress", "RegionOne", "http://a:1", "http://b:1", "http://c:1")
    hook = f"{EP}-relation-changed"
    juju.run(hook, rid, "keystone/0", lambda h: h.endpoint(EP).register_endpoints(*args))
    juju.run(hook, rid, "keystone/0", lambda h: h.endpoint(EP).register_endpoints(*args))
    assert len(juju.sent(rid)) == 1
    juju.run(
        "config-changed",
        body=lambda h: h.endpoint(EP).register_endpoints(*args[:2], "http://a:2", *args[3:]),
    )
    assert len(juju.sent(rid)) == 2
    assert juju.local_data(rid)["public_url"] == "http://a:2"
    assert "requested_roles" not in juju.local_data(rid)


def test_register_endpoints_without_relation_is_harmless(juju: FakeJuju) -> None:
    juju.run(
        "install",
        body=lambda h: h.endpoint(EP).register_endpoints("s", "r", "p", "i", "a"),
    )
    assert juju.relation_set_calls == []
