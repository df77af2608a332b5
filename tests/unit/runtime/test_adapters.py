"""Template namespaces: ``options``, declared properties and the mapping templates render.

The relation namespaces (shared_db, amqp, identity_service, cluster): test_adapters_relations.py.
"""

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


@pytest.mark.parametrize(
    ("name", "host_args", "address", "port", "other_ports"),
    [
        # the API itself listens on N-10 behind haproxy, on every endpoint type
        ("service_listen_info", {}, "10.0.0.10", 1779, ("admin_port", "int_port", "public_port")),
        # clients are sent to the VIP (hacluster reports it up) on haproxy's port N
        (
            "external_endpoints",
            {"config": {"vip": "10.0.0.100"}, "flags": ["ha.available"]},
            "10.0.0.100",
            1789,
            (),
        ),
    ],
)
def test_api_address_and_port_per_service(
    name: str, host_args: dict[str, Any], address: str, port: int, other_ports: tuple[str, ...]
) -> None:
    info = getattr(build_adapters(make_charm(**host_args)).options, name)
    expected = {"proto": "http", "ip": address, "port": port, "url": f"http://{address}:{port}"}
    assert info == {"congress_server": expected | dict.fromkeys(other_ports, port)}


def test_service_listen_info_stays_plain_http_under_tls() -> None:
    charm = make_charm()
    # haproxy terminates TLS on N, so the API stays plain HTTP on N-10 (docs/tls.md)
    charm.host.set_flag("ssl.enabled")
    tls = build_adapters(charm).options.service_listen_info["congress_server"]
    assert (tls["ip"], tls["port"], tls["url"]) == ("10.0.0.10", 1779, "http://10.0.0.10:1779")


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
