"""Ceph over the ceph relation (ceph.py): the request, ceph.conf and keyring, restarts, status."""

from __future__ import annotations

import reactive_openstack as ro
from reactive_openstack import _status as status
from reactive_openstack import ceph
from reactive_openstack.testing import FakeHost
from reactive_openstack.testing_ceph import TEST_KEY, FakeCephClient
from reactive_openstack.testing_interfaces import (
    FakeKeystone,
    FakeMySQLShared,
    FakeRabbitMQ,
    keystone_data,
)

from .sample import READY_FLAGS

API_CONF = "/etc/glance/glance-api.conf"
KEYRING = "/etc/ceph/ceph.client.glance.keyring"
TEMPLATE = """\
[DEFAULT]
bind_port = {{ options.service_listen_info.glance_api.port }}
{% if ceph.pools_available %}
enabled_backends = ceph:rbd

[glance_store]
default_backend = ceph

[ceph]
rbd_store_pool = {{ ceph.pool }}
rbd_store_user = {{ ceph.user }}
rbd_store_ceph_conf = {{ ceph.conf_path }}
{% endif %}
"""


class GlanceCharm(ro.HAOpenStackCharm):
    """glance's API with an rbd image store; each test registers it with the pools it asks for."""

    release = "caracal"
    name = "glance"
    service_type = "image"
    packages = ["glance-api", "glance-common"]
    services = ["glance-api"]
    api_ports = {"glance-api": {"public": 9292, "admin": 9292, "internal": 9292}}
    default_service = "glance-api"
    required_relations = ["shared-db", "amqp", "identity-service", "ceph"]
    restart_map = {API_CONF: ["glance-api"]}
    release_package = "glance-common"
    package_codenames = {"28": "caracal"}
    group = "glance"


def make_registry(pools: list[ro.CephPool]) -> ro.ReleaseRegistry:
    registry = ro.ReleaseRegistry()

    @registry.register
    class GlanceWithPools(GlanceCharm):
        ceph_pools = pools

    return registry


def charm_for(host: FakeHost, pools: list[ro.CephPool] | None = None):
    registry = make_registry([ro.CephPool("glance")] if pools is None else pools)
    registry.host = host
    return registry.instance()


def glance_host(tmp_path, ceph_client: FakeCephClient | None = None) -> FakeHost:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "glance-api.conf").write_text(TEMPLATE)
    host = FakeHost(
        config={"openstack-origin": "distro"},
        unit_name="glance/0",
        charm_dir=str(tmp_path),
        flags=list(READY_FLAGS),
        packages={"glance-common": "2:28.0.0-0ubuntu1", "glance-api": "2:28.0.0-0ubuntu1"},
        services={"glance-api": True, "memcached": True, "haproxy": True},
        listening={9292, 9282},
        files={"/etc/os-release": b"VERSION_CODENAME=noble\n"},
    )
    if ceph_client is not None:
        host.endpoints["ceph"] = ceph_client
        ceph_client.sync_flags(host)
    return host


def hook(host: FakeHost, ceph_client: FakeCephClient | None, name: str = "ceph-relation-changed"):
    """One hook of the generated charm: the ceph default handler, then the render handler."""
    host.new_hook(name)
    if ceph_client is not None:
        ceph_client.sync_flags(host)
    charm = charm_for(host)
    ceph.request_pools(charm)
    interfaces = [
        FakeMySQLShared(db_host="10.0.0.30", password="db-secret"),
        FakeRabbitMQ(password="mq-secret", hosts=["10.0.0.40"]),
        FakeKeystone(**keystone_data()),
    ]
    charm.render_with_interfaces(interfaces)
    charm.assess_status()
    host.run_atexit()
    return charm


def shown(host: FakeHost) -> tuple[str, str]:
    """The unit's status as Juju shows it now (FakeHost sends only changes)."""
    return tuple(host.kv["reactive_openstack.host.status"])


def granted(mons=("10.0.0.21", "10.0.0.20")) -> FakeCephClient:
    client = FakeCephClient()
    client.create_replicated_pool("glance", replicas=3, app_name="rbd")
    client.answer_keys(list(mons))
    client.grant()
    return client


def test_a_charm_without_pools_has_no_ceph_at_all(tmp_path):
    host = glance_host(tmp_path)
    charm = charm_for(host, pools=[])
    assert ceph.configure(charm) == []
    assert "ceph" not in charm.build_adapters([])
    assert "ceph-common" not in charm.all_packages
    assert ceph.check(charm) is None


def test_the_pools_are_asked_for_once_as_the_relation_joins(tmp_path):
    client = FakeCephClient()
    host = glance_host(tmp_path, client)
    charm = hook(host, client, "ceph-relation-joined")
    assert client.pools == {"glance": (3, "rbd")}
    for name in ("ceph-relation-changed", "config-changed"):
        hook(host, client, name)
    assert client.requests_sent == 1
    assert {"ceph-common", "python3-rbd", "python3-rados"} <= set(charm.all_packages)
    assert not any(path.startswith("/etc/ceph/") for path in host.files)
    assert shown(host) == ("waiting", "'ceph' incomplete")


def test_granted_pool_writes_both_files_and_restarts_only_the_api(tmp_path):
    client = FakeCephClient()
    host = glance_host(tmp_path, client)
    hook(host, client, "ceph-relation-joined")  # the rest of the unit is settled
    client.answer_keys(["10.0.0.21", "10.0.0.20"])
    client.grant()
    hook(host, client)
    conf = host.files["/etc/ceph/ceph.conf"]
    assert (conf.mode, conf.owner, conf.group) == (0o644, "root", "root")
    text = conf.content.decode()
    assert "mon host = 10.0.0.20 10.0.0.21\n" in text and "auth supported = cephx\n" in text
    assert "keyring = /etc/ceph/$cluster.$name.keyring\n" in text
    keyring = host.files[KEYRING]
    assert (keyring.mode, keyring.owner, keyring.group) == (0o640, "root", "glance")
    assert keyring.content.decode() == f"[client.glance]\n    key = {TEST_KEY}\n"
    api = host.file_text(API_CONF)
    assert "enabled_backends = ceph:rbd\n" in api
    assert "rbd_store_pool = glance\nrbd_store_user = glance\n" in api
    assert "rbd_store_ceph_conf = /etc/ceph/ceph.conf\n" in api
    assert host.restarted() == ["glance-api"]
    assert shown(host) == ("active", "Unit is ready")
    assert not any(TEST_KEY in message for _level, message in host.logs)


def test_steady_state_writes_and_restarts_nothing(tmp_path):
    client = granted()
    host = glance_host(tmp_path, client)
    hook(host, client)
    host.reset_records()
    hook(host, client, "update-status")
    assert host.writes == [] and host.restarted() == []


def test_a_new_mon_rewrites_ceph_conf_only_and_restarts_the_api_once(tmp_path):
    client = granted()
    host = glance_host(tmp_path, client)
    hook(host, client)
    keyring_before = host.files[KEYRING].content
    host.reset_records()
    client.mons.append("10.0.0.22")
    hook(host, client)
    assert host.writes == ["/etc/ceph/ceph.conf"]
    assert "10.0.0.20 10.0.0.21 10.0.0.22" in host.file_text("/etc/ceph/ceph.conf")
    assert host.files[KEYRING].content == keyring_before
    assert host.restarted() == ["glance-api"]


def test_a_drifted_keyring_mode_is_put_back(tmp_path):
    client = granted()
    host = glance_host(tmp_path, client)
    hook(host, client)
    host.files[KEYRING].mode = 0o644
    hook(host, client)
    assert host.files[KEYRING].mode == 0o640


def test_relation_gone_removes_the_files_and_the_rbd_store(tmp_path):
    client = granted()
    host = glance_host(tmp_path, client)
    hook(host, client)
    host.reset_records()
    client.joined = False
    hook(host, client, "ceph-relation-broken")
    assert "/etc/ceph/ceph.conf" not in host.files and KEYRING not in host.files
    assert "rbd_store" not in host.file_text(API_CONF)
    assert host.restarted() == ["glance-api"]
    assert shown(host) == ("blocked", "'ceph' missing")


def test_paused_unit_writes_but_does_not_restart(tmp_path):
    client = granted()
    host = glance_host(tmp_path, client)
    host.set_flag("charm.paused")
    hook(host, client)
    assert KEYRING in host.files and host.restarted() == []


def test_waiting_while_the_broker_has_not_answered(tmp_path):
    client = granted()
    client.response = None
    host = glance_host(tmp_path, client)
    hook(host, client)
    assert shown(host) == ("waiting", "ceph: waiting for pool glance (broker has not answered)")
    assert "rbd_store" not in host.file_text(API_CONF)  # the store waits for its pool


def test_refusal_blocks_naming_the_pool_and_stderr_also_in_update_status(tmp_path):
    client = granted()
    client.refuse("Error ERANGE: pool size 3 > 1 OSDs\nTraceback...")
    host = glance_host(tmp_path, client)
    hook(host, client)
    expected = (
        "blocked",
        "ceph: broker refused pool glance: Error ERANGE: pool size 3 > 1 OSDs Traceback...",
    )
    assert shown(host) == expected
    # the fast update-status path has no endpoint: flags and the unit kv say the same
    host.new_hook("update-status")
    del host.endpoints["ceph"]
    assert status.compute(charm_for(host)) == expected
    # granted later: the refusal is forgotten
    host.endpoints["ceph"] = client
    client.grant()
    hook(host, client)
    assert shown(host) == ("active", "Unit is ready")
    assert host.kv_get(ceph.REFUSAL_KEY) is None


def test_two_pools_are_named_together(tmp_path):
    client = FakeCephClient()
    host = glance_host(tmp_path, client)
    charm = charm_for(host, pools=[ro.CephPool("glance"), ro.CephPool("glance-cache", 2, "rbd")])
    ceph.request_pools(charm)
    client.answer_keys(["10.0.0.20"])
    client.sync_flags(host)
    assert client.pools == {"glance": (3, "rbd"), "glance-cache": (2, "rbd")}
    assert ceph.check(charm) == (
        "waiting",
        "ceph: waiting for pools glance, glance-cache (broker has not answered)",
    )
