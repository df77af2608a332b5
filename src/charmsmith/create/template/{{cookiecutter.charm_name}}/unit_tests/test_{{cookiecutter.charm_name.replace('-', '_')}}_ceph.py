{% set c = cookiecutter | charmsmith %}
"""The ceph relation of the {{ c.name }} charm: pools, ceph.conf and the keyring, status.

Each test starts from a unit whose other relations are complete and plays the hooks of the
ceph relation: the ceph handler asks the broker for the pools, the render handler writes the
Ceph files before the config that uses them.
"""

from __future__ import annotations

from reactive_openstack import ceph as ro_ceph
from reactive_openstack.testing_ceph import TEST_KEY, FakeCephClient

from .conftest import (
    CEPH_MONS,
    CHARM,
    RELATIONS,
    charm_module,
    handlers_module,
    make_relations,
    relation_flags,
)

CEPH_CONF = "/etc/ceph/ceph.conf"
KEYRING = f"/etc/ceph/ceph.client.{CHARM}.keyring"
API_CONFIG = "{{ c.ceph_config }}"
API_SERVICE = "{{ c.api_service }}"
POOLS = {{ c.ceph_pools | map(attribute="name") | list | py(0, 8) }}


def shown(host):
    """The status the unit shows now (a status equal to the last one is not sent again)."""
    return tuple(host.kv["reactive_openstack.host.status"])


def hook(host, name, ceph):
    """One hook of the ceph relation: the ceph handler when joined, then the render handler."""
    host.new_hook(name)
    charm_module().registry.reset_instance()  # each hook is a new process with a new instance
    host.endpoints["ceph"] = ceph
    host.listening = {{ "{" }}{{ c.port }}, {{ c.port - 10 }}{{ "}" }}  # haproxy and the API answer
    ceph.sync_flags(host)
    host.flags.update(dict.fromkeys(relation_flags(*RELATIONS)))
    if host.is_flag_set("ceph.connected"):
        ro_ceph.request_pools(charm_module().registry.instance())  # the ceph.connected handler
    relations = make_relations()
    handlers_module().render_config(*(relations[name] for name in RELATIONS))
    host.run_atexit()


def joined(host):
    """ceph-mon joined; its cluster has not answered yet."""
    ceph = FakeCephClient()
    hook(host, "ceph-relation-joined", ceph)
    return ceph


def test_without_ceph_the_unit_is_blocked_and_has_no_ceph_files(host):
    hook(host, "config-changed", FakeCephClient(joined=False))
    assert shown(host) == ("blocked", "'ceph' missing")
    assert not any(path.startswith("/etc/ceph/") for path in host.files)


def test_the_pools_are_asked_for_once(host):
    ceph = joined(host)
    sent = ceph.requests_sent
    hook(host, "ceph-relation-changed", ceph)
    assert ceph.requests_sent == sent  # the same pools: nothing new for the broker
    assert ceph.pools == {
{% for pool in c.ceph_pools %}
        "{{ pool.name }}": ({{ pool.replicas }}, "{{ pool.app_name }}"),
{% endfor %}
    }
    assert shown(host) == ("waiting", "'ceph' incomplete")


def test_waiting_names_the_pools_until_the_broker_answers(host):
    ceph = joined(host)
    ceph.answer_keys(CEPH_MONS)
    hook(host, "ceph-relation-changed", ceph)
    noun = "pool" if len(POOLS) == 1 else "pools"
    assert shown(host) == (
        "waiting",
        f"ceph: waiting for {noun} {', '.join(POOLS)} (broker has not answered)",
    )


def test_a_refusal_blocks_naming_the_pools_and_the_reason(host):
    ceph = joined(host)
    ceph.answer_keys(CEPH_MONS)
    ceph.refuse("Error ERANGE: pg_num 128 size 3 would mean 384 total pgs")
    hook(host, "ceph-relation-changed", ceph)
    state, message = shown(host)
    assert state == "blocked"
    assert message.startswith("ceph: broker refused pool") and POOLS[0] in message
    assert message.endswith("would mean 384 total pgs")


def test_granted_pools_give_ceph_conf_and_keyring_and_restart_only_the_api(host):
    ceph = joined(host)
    ceph.answer_keys(CEPH_MONS)
    ceph.grant()
    hook(host, "ceph-relation-changed", ceph)
    conf = host.files[CEPH_CONF]
    assert (conf.mode, conf.owner) == (0o644, "root")
    assert f"mon host = {' '.join(sorted(CEPH_MONS))}\n" in host.file_text(CEPH_CONF)
    keyring = host.files[KEYRING]
    assert (keyring.mode, keyring.owner, keyring.group) == (0o640, "root", "{{ c.group }}")
    assert host.file_text(KEYRING) == f"[client.{CHARM}]\n    key = {TEST_KEY}\n"
    assert not any(TEST_KEY in message for _level, message in host.logs)
{% if c.ceph_glance %}
    config = host.file_text(API_CONFIG)
    assert "enabled_backends = ceph:rbd\n" in config
    assert f"rbd_store_pool = {POOLS[0]}\nrbd_store_user = {CHARM}\n" in config
    assert "rbd_store_ceph_conf = /etc/ceph/ceph.conf\n" in config
{% endif %}
    assert host.restarted() == [API_SERVICE]
    assert shown(host) == ("active", "Unit is ready")

    hook(host, "update-status", ceph)
    assert host.writes == [] and host.restarted() == []


def test_the_relation_going_removes_the_ceph_files(host):
    ceph = joined(host)
    ceph.answer_keys(CEPH_MONS)
    ceph.grant()
    hook(host, "ceph-relation-changed", ceph)
    ceph.joined = False
    hook(host, "ceph-relation-broken", ceph)
    assert CEPH_CONF not in host.files and KEYRING not in host.files
    assert "rbd_store" not in host.file_text(API_CONFIG)
    assert host.restarted() == [API_SERVICE]
    assert shown(host) == ("blocked", "'ceph' missing")
