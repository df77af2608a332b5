"""Template namespaces: the values templates see, computed from config, relations and peers."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from reactive_openstack.adapters import (
    STAT_PASSWORD_KEY,
    Adapters,
    adapter_property,
    build_adapters,
    config_property,
    declared_properties,
    service_ports,
)
from reactive_openstack.charm import HAOpenStackCharm
from reactive_openstack.testing import FakeHost
from reactive_openstack.testing_interfaces import (
    FakeHACluster,
    FakeKeystone,
    FakeMySQLShared,
    FakeOpenStackHAPeers,
    FakeRabbitMQ,
    keystone_data,
)


class CongressCharm(HAOpenStackCharm):
    release = "yoga"
    name = "congress"
    service_type = "policy"
    packages = ["congress-server"]
    services = ["congress-server"]
    api_ports = {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
    default_service = "congress-server"
    restart_map = {"/etc/congress/congress.conf": ["congress-server"]}
    group = "congress"


def make_charm(cls: type = CongressCharm, **host_args: Any) -> Any:
    host_args.setdefault("unit_name", "congress/0")
    host_args.setdefault("config", {})
    return cls(release="yoga", host=FakeHost(**host_args))


# -- options ----------------------------------------------------------------------------------


def test_options_expose_config_with_underscores_and_identity() -> None:
    charm = make_charm(config={"worker-multiplier": 1.0, "region": "RegionTwo", "debug": True})
    options = build_adapters(charm).options
    assert options.worker_multiplier == 1.0
    assert options.region == "RegionTwo"
    assert options.debug is True
    assert options.verbose is False and options.use_syslog is False
    assert options.service_name == "congress"
    assert options.application_name == "congress"
    assert options.local_unit_name == "congress-0"
    assert options.local_address == "10.0.0.10"
    assert options.haproxy_stat_port == "8888"


def test_local_address_prefers_the_cluster_binding() -> None:
    charm = make_charm(bindings={"cluster": ("10.20.0.5", "10.20.0.0/24")})
    assert build_adapters(charm).options.local_address == "10.20.0.5"


def test_service_listen_info_behind_haproxy_and_under_tls() -> None:
    charm = make_charm()
    info = build_adapters(charm).options.service_listen_info
    assert info == {
        "congress_server": {
            "proto": "http",
            "ip": "10.0.0.10",
            "port": 1779,
            "admin_port": 1779,
            "int_port": 1779,
            "public_port": 1779,
            "url": "http://10.0.0.10:1779",
        }
    }
    # haproxy terminates TLS on N, so the API stays plain HTTP on N-10 (docs/tls.md)
    charm.host.set_flag("ssl.enabled")
    tls = build_adapters(charm).options.service_listen_info["congress_server"]
    assert (tls["ip"], tls["port"], tls["url"]) == ("10.0.0.10", 1779, "http://10.0.0.10:1779")


def test_external_endpoints_use_the_resolved_admin_address() -> None:
    charm = make_charm(config={"vip": "10.0.0.100"}, flags=["ha.available"])
    ext = build_adapters(charm).options.external_endpoints
    assert ext == {
        "congress_server": {
            "proto": "http",
            "ip": "10.0.0.100",
            "port": 1789,
            "url": "http://10.0.0.100:1789",
        }
    }


def test_service_ports_skip_ports_already_used_and_are_sorted() -> None:
    assert service_ports(
        {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
    ) == {"congress-server_admin": [1789, 1779]}
    ports = service_ports(
        {
            "zeta-api": {"public": 9000, "admin": 9001, "internal": 9000},
            "alpha-api": {"public": 8000, "admin": 9001, "internal": 8000},
        }
    )
    assert list(ports.items()) == [
        ("alpha-api_admin", [9001, 8991]),
        ("alpha-api_internal", [8000, 7990]),
        ("zeta-api_internal", [9000, 8990]),
    ]


@pytest.mark.parametrize(
    ("multiplier", "cpus", "container", "expected"),
    [
        (None, 4, False, 8),  # default multiplier 2
        (None, 16, True, 4),  # containers are capped when the operator did not choose
        (1.5, 16, True, 24),  # an explicit multiplier is honoured even in a container
        (0.1, 2, False, 1),  # never less than one worker
        (0, 8, False, 1),
    ],
)
def test_workers(multiplier: Any, cpus: int, container: bool, expected: int) -> None:
    config = {} if multiplier is None else {"worker-multiplier": multiplier}
    charm = make_charm(config=config)
    charm.host.cpu_count = lambda: cpus
    charm.host.in_container = lambda: container
    assert build_adapters(charm).options.workers == expected


def test_memcache_settings_ipv4_and_ipv6() -> None:
    options = build_adapters(make_charm()).options
    assert options.use_memcache is True  # API charm at yoga manages memcached
    assert (options.memcache_server, options.memcache_host, options.memcache_port) == (
        "127.0.0.1",
        "127.0.0.1",
        "11211",
    )
    assert options.memcache_url == "127.0.0.1:11211"
    v6 = build_adapters(make_charm(config={"prefer-ipv6": True})).options
    assert (v6.memcache_server, v6.memcache_host, v6.memcache_url) == (
        "::1",
        "[::1]",
        "inet6:[::1]:11211",
    )


def test_haproxy_stat_password_is_generated_once_and_never_logged() -> None:
    charm = make_charm()
    first = build_adapters(charm).options.haproxy_stat_password
    second = build_adapters(charm).options.haproxy_stat_password
    assert first == second and len(first) >= 16
    assert all(first not in message for _, message in charm.host.logs)


def test_stat_password_without_a_charm_property_lives_in_the_unit_kv() -> None:
    class Plain:
        name = "plain"

        def __init__(self, host: FakeHost) -> None:
            self.host = host

    host = FakeHost()
    password = build_adapters(Plain(host)).options.haproxy_stat_password
    assert host.kv[STAT_PASSWORD_KEY] == password
    assert build_adapters(Plain(host)).options.haproxy_stat_password == password


def test_haproxy_timeouts_default_and_configured() -> None:
    options = build_adapters(make_charm()).options
    assert [
        options.haproxy_queue_timeout,
        options.haproxy_connect_timeout,
        options.haproxy_client_timeout,
        options.haproxy_server_timeout,
    ] == [9000, 9000, 90000, 90000]
    tuned = build_adapters(make_charm(config={"haproxy-server-timeout": 120000})).options
    assert tuned.haproxy_server_timeout == 120000


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


# -- declarative properties -------------------------------------------------------------------


class DecoratedCharm(CongressCharm):
    @adapter_property("amqp")
    def notification_url(amqp: Any) -> str:  # noqa: N805 - receives the adapter
        return f"{amqp.transport_url}?notify=1"

    @config_property
    def api_bind(options: Any) -> str:  # noqa: N805
        return f"{options.local_address}:{options.service_listen_info['congress_server']['port']}"


class DecoratedCaracal(DecoratedCharm):
    release = "caracal"

    @config_property
    def api_bind(options: Any) -> str:  # noqa: N805 - overrides the base declaration
        return "overridden"


def test_declared_properties_extend_namespaces() -> None:
    amqp = FakeRabbitMQ(password="pw", hosts=["10.0.0.20"])
    adapters = build_adapters(make_charm(DecoratedCharm), [amqp])
    assert (
        adapters.amqp.notification_url == "rabbit://congress:pw@10.0.0.20:5672/openstack?notify=1"
    )
    assert adapters.options.api_bind == "10.0.0.10:1779"


def test_declared_properties_are_scoped_to_the_charm_class() -> None:
    assert "api_bind" not in declared_properties(CongressCharm).get("options", {})
    plain = build_adapters(make_charm(CongressCharm))
    with pytest.raises(AttributeError):
        _ = plain.options.api_bind
    assert build_adapters(make_charm(DecoratedCaracal)).options.api_bind == "overridden"


def test_declared_property_on_an_absent_relation_renders_empty() -> None:
    assert build_adapters(make_charm(DecoratedCharm)).amqp.notification_url is None


def test_duplicate_declarations_raise() -> None:
    with pytest.raises(RuntimeError, match="duplicate"):

        class Twice(CongressCharm):
            @config_property
            def thing(options: Any) -> int:  # noqa: N805
                return 1

            @config_property
            def thing(options: Any) -> int:  # noqa: N805, F811
                return 2

    def other(options: Any) -> int:
        return 3

    with pytest.raises(RuntimeError, match="duplicate"):

        class Aliased(CongressCharm):
            first = config_property(other)
            second = config_property(other)

    class Base(CongressCharm):
        first = config_property(other)

    class Derived(Base):
        second = config_property(other)  # same property name under another attribute

    with pytest.raises(RuntimeError, match="duplicate"):
        build_adapters(make_charm(Derived))


# -- the mapping ------------------------------------------------------------------------------


def test_adapters_is_a_mapping_usable_as_jinja_context() -> None:
    amqp = FakeRabbitMQ(password="pw", hosts=["10.0.0.20"])
    adapters = build_adapters(make_charm(), [amqp])
    assert isinstance(adapters, Adapters)
    assert list(adapters) == ["options", "amqp", "shared_db", "identity_service", "cluster"]
    text = jinja2.Template("{{ amqp.transport_url }} {{ options.service_name }}").render(adapters)
    assert text == "rabbit://congress:pw@10.0.0.20:5672/openstack congress"


class OverridingCharm(CongressCharm):
    @adapter_property("amqp")
    def transport_url(amqp: Any) -> str:  # noqa: N805 - replaces the built-in value
        return "rabbit://overridden"


def test_a_declared_property_overrides_a_built_in_value() -> None:
    amqp = FakeRabbitMQ(password="pw", hosts=["10.0.0.20"])
    assert build_adapters(make_charm(OverridingCharm), [amqp]).amqp.transport_url == (
        "rabbit://overridden"
    )
    assert build_adapters(make_charm(), [amqp]).amqp.transport_url.startswith("rabbit://congress")


def test_the_fakes_offer_what_the_runtime_calls_on_each_endpoint() -> None:
    from reactive_openstack import interfaces
    from reactive_openstack.testing_ceph import FakeCephClient
    from reactive_openstack.testing_tls import FakeCertificates

    assert isinstance(FakeKeystone(), interfaces.KeystoneEndpoint)
    assert isinstance(FakeMySQLShared(), interfaces.SharedDBEndpoint)
    assert isinstance(FakeRabbitMQ(), interfaces.AMQPEndpoint)
    assert isinstance(FakeOpenStackHAPeers(), interfaces.ClusterPeers)
    assert isinstance(FakeHACluster(), interfaces.HAClusterEndpoint)
    assert isinstance(FakeCertificates(), interfaces.CertificatesEndpoint)
    assert isinstance(FakeCephClient(), interfaces.CephClientEndpoint)
    keystone = FakeKeystone(**keystone_data())
    assert keystone.auth_port() == "35357" and keystone.service_domain_id() is None
