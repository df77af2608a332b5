"""The relation namespaces templates see: shared_db, amqp, identity_service and cluster."""

from __future__ import annotations

import jinja2
from reactive_openstack.adapters import build_adapters
from reactive_openstack.testing_interfaces import (
    FakeKeystone,
    FakeMySQLShared,
    FakeOpenStackHAPeers,
    FakeRabbitMQ,
    keystone_data,
)

from .test_adapters import make_charm

# -- shared_db --------------------------------------------------------------------------------


def test_shared_db_uri_quotes_the_password_and_keeps_the_port() -> None:
    db = FakeMySQLShared(
        database="congress", username="congress", db_host="10.0.0.30", password="p@ss:w/rd%"
    )
    shared_db = build_adapters(make_charm(), [db]).shared_db
    assert shared_db.uri == "mysql+pymysql://congress:p%40ss%3Aw%2Frd%25@10.0.0.30/congress"
    db.data["db_port"] = "3307"
    shared_db = build_adapters(make_charm(), [db]).shared_db
    assert shared_db.uri == "mysql+pymysql://congress:p%40ss%3Aw%2Frd%25@10.0.0.30:3307/congress"
    assert (shared_db.host, shared_db.port, shared_db.username, shared_db.database) == (
        "10.0.0.30",
        "3307",
        "congress",
        "congress",
    )


def test_shared_db_ipv6_host_is_bracketed() -> None:
    db = FakeMySQLShared(database="d", username="u", db_host="fd00::30", password="pw")
    assert build_adapters(make_charm(), [db]).shared_db.uri == "mysql+pymysql://u:pw@[fd00::30]/d"


def test_shared_db_prefixed_databases() -> None:
    db = FakeMySQLShared(database="congress", username="congress", db_host="h", password="a")
    db.configure("nova_api", "nova", prefix="novaapi")
    db.data["novaapi_password"] = "b/c"
    shared_db = build_adapters(make_charm(), [db]).shared_db
    assert shared_db.get_password("novaapi") == "b/c"
    assert shared_db.get_uri("novaapi") == "mysql+pymysql://nova:b%2Fc@h/nova_api"
    assert shared_db.get_uri() == "mysql+pymysql://congress:a@h/congress"


def test_shared_db_ssl_material_adds_query_args_and_support_files() -> None:
    db = FakeMySQLShared(
        database="d", username="u", db_host="h", password="p", ssl_ca="Q0EK", ssl_cert="Q0VSVAo="
    )
    adapters = build_adapters(make_charm(), [db])
    assert adapters.shared_db.uri == (
        "mysql+pymysql://u:p@h/d?ssl_ca=/var/lib/charm/congress/db-client.ca"
        "&ssl_cert=/var/lib/charm/congress/db-client.cert"
    )
    assert adapters.support_files() == {
        "/var/lib/charm/congress/db-client.ca": b"CA\n",
        "/var/lib/charm/congress/db-client.cert": b"CERT\n",
    }


def test_shared_db_incomplete_or_absent_renders_empty() -> None:
    adapters = build_adapters(make_charm(), [FakeMySQLShared(database="d", username="u")])
    assert adapters.shared_db.uri is None
    absent = build_adapters(make_charm())
    assert not absent.shared_db and absent.shared_db.uri is None
    env = jinja2.Environment(undefined=jinja2.ChainableUndefined)
    text = env.from_string("[{{ shared_db.whatever.deeper }}|{{ nothing.at.all }}]").render(
        dict(absent)
    )
    assert text == "[|]"


# -- amqp -------------------------------------------------------------------------------------


def test_transport_url_covers_every_ready_host_with_ipv6_bracketed() -> None:
    amqp = FakeRabbitMQ(
        username="congress",
        vhost="openstack",
        password="r@bbit/pw",
        hosts=["fd00::21", "10.0.0.20"],
    )
    adapter = build_adapters(make_charm(), [amqp]).amqp
    assert adapter.transport_url == (
        "rabbit://congress:r%40bbit%2Fpw@10.0.0.20:5672,congress:r%40bbit%2Fpw@[fd00::21]:5672"
        "/openstack"
    )
    assert adapter.host == "10.0.0.20"
    assert adapter.hosts == "10.0.0.20,[fd00::21]"
    assert adapter.port == "5672"
    assert adapter.ssl_data_complete is False


def test_amqp_ssl_port_vip_and_ha_queues() -> None:
    amqp = FakeRabbitMQ(
        password="pw",
        hosts=["10.0.0.20"],
        ssl_port="5671",
        ssl_ca="UkFCQklUQ0EK",
        clustered="True",
        vip="10.0.0.200",
        ha_queues="True",
    )
    adapters = build_adapters(make_charm(), [amqp])
    adapter = adapters.amqp
    assert adapter.transport_url == "rabbit://congress:pw@10.0.0.20:5671/openstack"
    assert adapter.host == "10.0.0.200"
    assert adapter.hosts is None  # a single ready host
    assert adapter.ha_queues is True and adapter.ssl_data_complete is True
    assert adapters.support_files() == {
        "/var/lib/charm/congress/rabbit-client-ca.pem": b"RABBITCA\n"
    }


def test_transport_url_waits_for_a_password() -> None:
    amqp = FakeRabbitMQ(hosts=["10.0.0.20"])
    assert build_adapters(make_charm(), [amqp]).amqp.transport_url is None


# -- identity_service -------------------------------------------------------------------------


def test_identity_service_keys_and_auth_urls() -> None:
    keystone = FakeKeystone(**keystone_data(auth_host="fd00::50", ca_cert="Q0EK"))
    ids = build_adapters(make_charm(), [keystone]).identity_service
    assert ids.service_username == "congress"
    assert ids.service_password == "keystone-secret"
    assert ids.service_tenant == "services"
    assert ids.ca_cert == "Q0EK"
    assert ids.service_domain == "service_domain"
    assert ids.admin_token is None
    assert ids.auth_url == "http://[fd00::50]:35357"
    assert ids.www_authenticate_uri == "http://10.0.0.50:5000"


def test_identity_service_domain_defaults_and_missing_relation() -> None:
    data = keystone_data()
    del data["service_domain"]
    assert build_adapters(make_charm(), [FakeKeystone(**data)]).identity_service.service_domain == (
        "default"
    )
    absent = build_adapters(make_charm()).identity_service
    assert not absent
    assert absent.auth_url is None


# -- cluster ----------------------------------------------------------------------------------


def test_cluster_hosts_single_unit_without_peers() -> None:
    cluster = build_adapters(make_charm()).cluster
    assert cluster
    assert cluster.cluster_hosts == {
        "10.0.0.10": {"network": "10.0.0.10/32", "backends": {"congress-0": "10.0.0.10"}}
    }
    assert cluster.internal_addresses == ["10.0.0.10"]


def test_cluster_hosts_order_units_by_number_including_the_local_unit() -> None:
    peers = FakeOpenStackHAPeers(
        peers={
            "congress/10": {"private-address": "10.0.0.20"},
            "congress/2": {"private-address": "10.0.0.12"},
            "congress/1": {"private-address": "10.0.0.11"},
        }
    )
    charm = make_charm(unit_name="congress/3", bindings={"cluster": ("10.0.0.13", "10.0.0.0/24")})
    hosts = build_adapters(charm, [peers]).cluster.cluster_hosts
    assert list(hosts) == ["10.0.0.13"]
    assert hosts["10.0.0.13"]["network"] == "10.0.0.0/24"
    assert list(hosts["10.0.0.13"]["backends"].items()) == [
        ("congress-1", "10.0.0.11"),
        ("congress-2", "10.0.0.12"),
        ("congress-3", "10.0.0.13"),
        ("congress-10", "10.0.0.20"),
    ]


def test_cluster_hosts_add_split_networks_from_published_addresses() -> None:
    peers = FakeOpenStackHAPeers(
        peers={
            "congress/1": {"private-address": "10.0.0.11", "public-address": "192.0.2.11"},
            "congress/2": {"private-address": "10.0.0.12"},
        }
    )
    charm = make_charm(
        bindings={
            "cluster": ("10.0.0.10", "10.0.0.0/24"),
            "public": ("192.0.2.10", "192.0.2.0/24"),
            "internal": ("10.0.0.10", "10.0.0.0/24"),
        }
    )
    cluster = build_adapters(charm, [peers]).cluster
    assert cluster.cluster_hosts == {
        "10.0.0.10": {
            "network": "10.0.0.0/24",
            "backends": {
                "congress-0": "10.0.0.10",
                "congress-1": "10.0.0.11",
                "congress-2": "10.0.0.12",
            },
        },
        "192.0.2.10": {
            "network": "192.0.2.0/24",
            "backends": {"congress-0": "192.0.2.10", "congress-1": "192.0.2.11"},
        },
    }
    assert cluster.internal_addresses == ["10.0.0.10", "10.0.0.11", "10.0.0.12"]
