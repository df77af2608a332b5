"""Charm classes: install once, render + restart on change, upgrades, keystone, peers, HA."""

from __future__ import annotations

import pytest
from reactive_openstack import testing_interfaces as fake
from reactive_openstack.adapters import STAT_PASSWORD_KEY
from reactive_openstack.releases import KV_RELEASE_KEY
from reactive_openstack.testing import FakeHost

from .sample import TEMPLATE, charm_for, make_registry, ready_host

CONF = "/etc/congress/congress.conf"


@pytest.fixture
def charm_dir(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "congress.conf").write_text(TEMPLATE)
    caracal = tmp_path / "templates" / "caracal"
    caracal.mkdir()
    (caracal / "congress.conf").write_text("# caracal\n" + TEMPLATE)
    return str(tmp_path)


def fresh_host(**kwargs):
    settings = dict(
        config={"openstack-origin": "distro", "debug": False},
        unit_name="congress/0",
        files={"/etc/os-release": b"VERSION_CODENAME=jammy\n"},
        available_versions={"congress-common": "2:15.0.0-0ubuntu1"},
    )
    settings.update(kwargs)
    return FakeHost(**settings)


def test_install_once_then_no_apt():
    host = fresh_host()
    charm = charm_for(host)
    assert charm.install() is True
    assert host.installs == [
        ["congress-server", "congress-common", "memcached", "python3-memcache", "haproxy"]
    ]
    assert host.is_flag_set("congress-installed")
    assert host.ports == {1789}
    assert host.sources == []  # distro: no extra source, no apt-get update
    assert host.status == ("maintenance", "Installation complete - awaiting next status")

    host.new_hook("config-changed")
    charm = charm_for(host)
    assert charm.install() is False
    charm.config_changed()
    assert host.installs == [] and host.apt_updates == 0 and host.sources == []


def test_install_from_cloud_archive_adds_source_first():
    host = fresh_host(config={"openstack-origin": "cloud:jammy-caracal"})
    charm = charm_for(host)
    charm.install()
    assert host.sources == ["cloud:jammy-caracal"]
    assert "python3-congress-extra" in host.installs[0]


def test_update_api_ports_closes_stale_ports():
    host = fresh_host(ports={1789, 8080})
    charm_for(host).update_api_ports()
    assert host.ports == {1789}
    assert host.port_calls == [("close", 8080)]


def test_restart_map_and_service_lists():
    charm = charm_for(fresh_host())
    assert charm.full_restart_map == {
        CONF: ["congress-server"],
        "/etc/memcached.conf": ["memcached"],
        "/etc/haproxy/haproxy.cfg": ["haproxy"],
    }
    assert charm.full_service_list == ["congress-server", "memcached", "haproxy"]
    assert charm.get_amqp_credentials() == ("congress", "openstack")
    assert charm.get_database_setup() == [{"database": "congress", "username": "congress"}]


def test_render_writes_files_and_restarts_each_changed_service_once(charm_dir):
    host = ready_host(charm_dir=charm_dir, services={})
    charm = charm_for(host)
    db = fake.FakeMySQLShared(db_host="10.0.0.30", password="dbpass", allowed_units="congress/0")
    changed = charm.render_with_interfaces([db])
    assert changed[0] == CONF and set(changed) == set(charm.full_restart_map)
    text = host.file_text(CONF)
    assert "bind_port = 1779" in text
    assert "debug = " in text
    record = host.files[CONF]
    assert (record.mode, record.owner, record.group) == (0o640, "root", "congress")
    assert host.restarted() == ["congress-server", "memcached", "haproxy"]

    host.new_hook("config-changed")
    charm = charm_for(host)
    assert charm.render_with_interfaces([db]) == []
    assert host.writes == [] and host.service_calls == []

    host.config_values["debug"] = True
    charm = charm_for(host.new_hook("config-changed"))
    assert charm.render_with_interfaces([db]) == [CONF]
    assert host.restarted() == ["congress-server"]


def test_same_inputs_render_identical_bytes(charm_dir):
    outputs = []
    for _ in range(2):
        # the haproxy stats password is random per unit: keep it fixed across the two runs
        host = ready_host(charm_dir=charm_dir, kv={STAT_PASSWORD_KEY: "fixed"})
        charm_for(host).render_all_configs()
        outputs.append({p: r.content for p, r in host.files.items()})
    assert outputs[0] == outputs[1]


def test_paused_unit_does_not_restart(charm_dir):
    host = ready_host(charm_dir=charm_dir, flags=["charm.paused"])
    charm_for(host).render_all_configs()
    assert host.writes and host.service_calls == []


def test_upgrade_via_origin(charm_dir):
    host = ready_host(charm_dir=charm_dir, kv={KV_RELEASE_KEY: "yoga"})
    host.leader_settings["db-sync-done"] = "yoga"
    registry, yoga_cls, caracal_cls = make_registry()
    registry.host = host
    charm = registry.instance()
    host.config_values["openstack-origin"] = "cloud:jammy-caracal"
    assert charm.upgrade_if_available([]) is True
    upgraded = registry.instance()
    assert type(upgraded) is caracal_cls and upgraded.release == "caracal"
    assert type(charm) is yoga_cls and charm.release == "yoga"  # the old instance is untouched
    assert host.kv[KV_RELEASE_KEY] == "caracal"
    assert host.sources == ["cloud:jammy-caracal"]
    assert "python3-congress-extra" in host.installs[-1]
    assert host.file_text(CONF).startswith("# caracal\n")  # the caracal template now
    assert host.commands == [list(caracal_cls.sync_commands[0])]  # leader migrates
    assert host.leader_settings["db-sync-done"] == "caracal"
    # neither instance upgrades again
    assert upgraded.upgrade_if_available([]) is False
    assert charm.upgrade_if_available([]) is False
    assert len(host.installs) == 1


def test_upgrade_non_leader_does_not_migrate(charm_dir):
    host = ready_host(charm_dir=charm_dir, kv={KV_RELEASE_KEY: "yoga"}, leader=False)
    charm = charm_for(host)
    host.config_values["openstack-origin"] = "cloud:jammy-caracal"
    assert charm.upgrade_if_available([]) is True
    assert host.commands == []


def test_action_managed_upgrade_suppresses_upgrade(charm_dir):
    host = ready_host(charm_dir=charm_dir, kv={KV_RELEASE_KEY: "yoga"})
    charm = charm_for(host)
    host.config_values.update(
        {"openstack-origin": "cloud:jammy-caracal", "action-managed-upgrade": True}
    )
    assert charm.upgrade_available() == "caracal"
    assert charm.upgrade_if_available([]) is False
    assert host.installs == [] and host.sources == [] and host.writes == []
    assert charm.release == "yoga"


def test_no_upgrade_when_origin_not_newer():
    host = ready_host(
        kv={KV_RELEASE_KEY: "caracal"}, config={"openstack-origin": "cloud:jammy-zed"}
    )
    charm = charm_for(host)
    assert charm.upgrade_if_available([]) is False
    assert host.installs == []


def test_upgrade_charm_purges_obsolete_packages_and_restarts():
    host = ready_host(packages={"python-congress": "1", "congress-common": "2:15.0.0-1"})
    charm = charm_for(host)
    charm.upgrade_charm()
    assert host.purges == [["python-congress"]]
    assert "congress-server" in host.restarted()


def test_register_endpoints_sends_urls_once():
    host = ready_host(config={"openstack-origin": "distro", "region": "RegionTwo"})
    charm = charm_for(host)
    keystone = fake.FakeKeystone(**fake.keystone_data())
    charm.register_endpoints(keystone)
    charm.register_endpoints(keystone)
    assert keystone.sends == [
        {
            "service": "congress",  # the catalog name (the charm's name unless service_name)
            "region": "RegionTwo",
            "public_url": "http://10.0.0.10:1789",
            "internal_url": "http://10.0.0.10:1789",
            "admin_url": "http://10.0.0.10:1789",
        }
    ]


def test_register_endpoints_hostname_override():
    host = ready_host(
        config={"openstack-origin": "distro", "os-public-hostname": "api.example.com"}
    )
    keystone = fake.FakeKeystone(**fake.keystone_data())
    charm_for(host).register_endpoints(keystone)
    assert keystone.sent["public_url"] == "http://api.example.com:1789"
    assert keystone.sent["region"] == "RegionOne"


def test_amqp_and_database_requests():
    charm = charm_for(ready_host())
    amqp = fake.FakeRabbitMQ()
    db = fake.FakeMySQLShared()
    charm.request_amqp_access(amqp)
    charm.configure_database(db)
    assert amqp.sent["username"] == "congress" and amqp.sent["vhost"] == "openstack"
    assert db.sent["database"] == "congress" and db.sent["username"] == "congress"


def test_update_peers_publishes_binding_addresses():
    host = ready_host(bindings={"public": ("192.0.2.5", "192.0.2.0/24")})
    peers = fake.FakeOpenStackHAPeers()
    charm_for(host).update_peers(peers)
    assert peers.sent == {"public-address": "192.0.2.5"}


def test_configure_ha_resources_publishes_vip_and_haproxy():
    host = ready_host(
        config={"openstack-origin": "distro", "vip": "10.0.0.100", "vip_iface": "eth1"}
    )
    hacluster = fake.FakeHACluster()
    charm_for(host).configure_ha_resources(hacluster)
    resources = hacluster.resources()
    assert any("haproxy" in name for name in resources["resources"])
    assert any("vip" in name for name in resources["resources"])


def test_pause_resume_restart_services():
    host = ready_host()
    charm = charm_for(host)
    charm.pause()
    assert host.is_flag_set("charm.paused")
    assert not any(host.services.values())
    charm.resume()
    assert all(host.services[s] for s in charm.full_service_list)
    host.service_calls.clear()
    charm.restart_services()
    assert host.service_calls == [
        ("stop", "congress-server"),
        ("stop", "memcached"),
        ("stop", "haproxy"),
        ("start", "congress-server"),
        ("start", "memcached"),
        ("start", "haproxy"),
    ]


def test_enable_services_starts_only_stopped_ones():
    host = ready_host(services={"congress-server": True})
    charm_for(host).enable_services()
    assert host.service_calls == [("start", "memcached"), ("start", "haproxy")]


def test_register_endpoints_uses_the_catalog_service_name():
    registry, base, _ = make_registry()

    @registry.register
    class Renamed(base):
        release = "zed"
        service_name = "congress-policy"

    host = ready_host(config={"openstack-origin": "zed"})
    registry.host = host
    keystone = fake.FakeKeystone(**fake.keystone_data())
    registry.instance().register_endpoints(keystone)
    assert keystone.sent["service"] == "congress-policy"
