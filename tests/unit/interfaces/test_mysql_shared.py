"""mysql-shared interface: flags raised and keys sent, driven through real hooks."""

from __future__ import annotations

import json

import pytest

from .harness import FakeJuju

EP = "shared-db"
ME = "congress/0"


@pytest.fixture
def juju(make_juju) -> FakeJuju:
    return make_juju(unit=ME, requires={EP: "mysql-shared"}, private_address="10.5.1.10")


def joined(juju: FakeJuju, data: dict | None = None, *, request: bool = True) -> str:
    """Relate, join one server unit, and (as the charm's handler would) ask for a database."""
    configure = lambda h: h.endpoint(EP).configure("congress", "congress")  # noqa: E731
    rid = juju.joined(EP, "mysql", "10.5.0.30", configure if request else None)
    if data:
        juju.change(rid, "mysql/0", data)
    return rid


GRANTED = {"db_host": "10.5.0.30", "password": "pw", "allowed_units": f"{ME} other/1"}


def test_configure_sends_raw_keys_with_binding_address(juju: FakeJuju) -> None:
    rid = joined(juju)
    local = juju.local_data(rid)
    assert local["database"] == "congress"
    assert local["username"] == "congress"
    assert local["hostname"] == "10.5.1.10"
    assert len(juju.sent(rid)) == 1


def test_configure_falls_back_to_private_address(make_juju) -> None:
    """A Juju without network-get (before 2.0): the unit's private address is sent."""
    juju = make_juju(
        unit=ME,
        requires={EP: "mysql-shared"},
        private_address="10.5.0.99",
        absent_tools=frozenset({"network-get"}),
    )
    rid = joined(juju)
    assert juju.local_data(rid)["hostname"] == "10.5.0.99"


def test_configure_again_unchanged_sends_nothing(juju: FakeJuju) -> None:
    rid = joined(juju)
    juju.run("config-changed", body=lambda h: h.endpoint(EP).configure("congress", "congress"))
    assert len(juju.sent(rid)) == 1


def test_granted_is_available(juju: FakeJuju) -> None:
    joined(juju, GRANTED)
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.db_host() == "10.5.0.30"
        assert ep.password() == "pw"
        assert ep.allowed_units() == [ME, "other/1"]
        assert ep.database() == "congress"
        assert ep.username() == "congress"
        assert ep.hostname() == "10.5.1.10"
        assert ep.db_port() is None
        assert ep.base_data_complete()


@pytest.mark.parametrize("missing", ["db_host", "password", "allowed_units"])
def test_any_part_missing_is_not_available(juju: FakeJuju, missing: str) -> None:
    joined(juju, {k: v for k, v in GRANTED.items() if k != missing})
    assert juju.flags_of(EP) == {f"{EP}.connected"}


@pytest.mark.parametrize(
    "allowed",
    ["other/1", "congress/01", "congress/0x", "", "   ", "congress", "[1, 2", "null"],
)
def test_not_listed_is_not_available(juju: FakeJuju, allowed: str) -> None:
    joined(juju, dict(GRANTED, allowed_units=allowed))
    assert f"{EP}.available" not in juju.flags_of(EP)


@pytest.mark.parametrize(
    "allowed",
    [
        f"  other/1\t{ME}\n",
        f"{ME}",
        json.dumps(f"other/1 {ME}"),
        json.dumps(["other/1", ME]),
    ],
)
def test_odd_but_valid_allowed_units(juju: FakeJuju, allowed: str) -> None:
    joined(juju, dict(GRANTED, allowed_units=allowed))
    assert f"{EP}.available" in juju.flags_of(EP)


def test_allowed_units_from_leader_only(juju: FakeJuju) -> None:
    rid = joined(juju, {"db_host": "10.5.0.30"})
    juju.join(rid, "mysql/1", {"private-address": "10.5.0.31", **GRANTED})
    assert f"{EP}.available" in juju.flags_of(EP)
    juju.depart(rid, "mysql/1")
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_prefixed_requests_need_every_database(juju: FakeJuju) -> None:
    rid = juju.relate(EP, "mysql")
    juju.join(rid, "mysql/0", {"private-address": "10.5.0.30"})

    def ask(h) -> None:
        ep = h.endpoint(EP)
        ep.configure("nova", "nova", prefix="nova")
        ep.configure("nova_api", "nova", prefix="novaapi")

    juju.run(f"{EP}-relation-changed", rid, "mysql/0", ask)
    local = juju.local_data(rid)
    assert local["nova_database"] == "nova"
    assert local["novaapi_database"] == "nova_api"
    assert local["novaapi_username"] == "nova"
    assert local["novaapi_hostname"] == "10.5.1.10"
    assert "database" not in local
    juju.change(
        rid,
        "mysql/0",
        {"db_host": "10.5.0.30", "nova_password": "a", "nova_allowed_units": ME},
    )
    assert f"{EP}.available" not in juju.flags_of(EP)
    juju.change(rid, "mysql/0", {"novaapi_password": "b", "novaapi_allowed_units": "x/0"})
    assert f"{EP}.available" not in juju.flags_of(EP)
    juju.change(rid, "mysql/0", {"novaapi_allowed_units": f"x/0 {ME}"})
    assert f"{EP}.available" in juju.flags_of(EP)
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.prefixes() == ["nova", "novaapi"]
        assert ep.password("novaapi") == "b"
        assert ep.database("novaapi") == "nova_api"
        assert ep.password() is None


def test_ssl_flag_needs_ssl_ca(juju: FakeJuju) -> None:
    rid = joined(juju, dict(GRANTED, ssl_ca="Q0E="))
    assert f"{EP}.available.ssl" in juju.flags_of(EP)
    juju.change(rid, "mysql/0", {"ssl_ca": None})
    assert juju.flags_of(EP) == {f"{EP}.connected", f"{EP}.available"}


def test_ssl_ca_alone_is_not_available(juju: FakeJuju) -> None:
    joined(juju, {"ssl_ca": "Q0E=", "db_host": "h"})
    assert juju.flags_of(EP) == {f"{EP}.connected"}


def test_series_upgrade_clears_availability(juju: FakeJuju) -> None:
    rid = joined(juju, dict(GRANTED, ssl_ca="Q0E="))
    juju.change(rid, "mysql/0", {"cluster-series-upgrading": "True"})
    assert juju.flags_of(EP) == {f"{EP}.connected"}
    juju.change(rid, "mysql/0", {"cluster-series-upgrading": None})
    assert f"{EP}.available.ssl" in juju.flags_of(EP)


def test_db_port_parsing(juju: FakeJuju) -> None:
    rid = joined(juju, dict(GRANTED, db_port="3306"))
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).db_port() == 3306
    juju.change(rid, "mysql/0", {"db_port": "three"})
    assert f"{EP}.available" in juju.flags_of(EP)
    with juju.hook("update-status") as hook:
        assert hook.endpoint(EP).db_port() is None


def test_json_encoded_values_are_accepted(juju: FakeJuju) -> None:
    joined(juju, {key: json.dumps(value) for key, value in GRANTED.items()})
    assert f"{EP}.available" in juju.flags_of(EP)


def test_departed_and_broken_clear_flags(juju: FakeJuju) -> None:
    rid = joined(juju, dict(GRANTED, ssl_ca="Q0E="))
    juju.break_(rid)
    assert juju.flags_of(EP) == set()


def test_empty_relation_accessors(juju: FakeJuju) -> None:
    joined(juju, request=False)
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.db_host() is None
        assert ep.password() is None
        assert ep.allowed_units() == []
        assert ep.database() is None
        assert ep.prefixes() == []
        assert ep.ssl_ca() is None and ep.ssl_cert() is None and ep.ssl_key() is None
        assert ep.base_data_complete() is False


def test_grant_arriving_before_request_is_rechecked(juju: FakeJuju) -> None:
    """The server may answer an earlier request; configure() itself recomputes the flags."""
    rid = joined(juju, GRANTED, request=False)
    assert f"{EP}.available" in juju.flags_of(EP)
    juju.run(
        "config-changed",
        body=lambda h: h.endpoint(EP).configure("other", "other", prefix="other"),
    )
    assert f"{EP}.available" not in juju.flags_of(EP)
    assert juju.local_data(rid)["other_database"] == "other"


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ({"prefix": "nova_api"}, None, "must not contain '_'"),
        ({}, {"prefix": "nova"}, "all plain or all prefixed"),
        ({"prefix": "nova"}, {}, "all plain or all prefixed"),
    ],
)
def test_requests_the_mysql_charms_never_serve_are_refused(
    juju: FakeJuju, first: dict, second: dict | None, message: str
) -> None:
    """percona-cluster cuts the prefix at the first '_' and ignores prefixed requests beside a
    plain one: such a request would stay unserved on a real deployment, so it fails here."""
    rid = juju.relate(EP, "mysql")
    juju.join(rid, "mysql/0", {"private-address": "10.5.0.30"})
    caught: list[str] = []

    def ask(h) -> None:
        ep = h.endpoint(EP)
        try:
            ep.configure("nova", "nova", **first)
            if second is not None:
                ep.configure("cinder", "cinder", **second)
        except ValueError as exc:
            caught.append(str(exc))

    juju.run(f"{EP}-relation-changed", rid, "mysql/0", ask)
    assert len(caught) == 1 and message in caught[0]
