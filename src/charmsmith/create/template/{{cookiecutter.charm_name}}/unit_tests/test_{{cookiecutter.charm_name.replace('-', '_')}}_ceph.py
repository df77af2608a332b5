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


def test_without_ceph_the_unit_is_blocked_and_has_no_ceph_files(unit_host):
    hook(unit_host, "config-changed", FakeCephClient(joined=False))
    assert shown(unit_host) == ("blocked", "'ceph' missing")
    assert not any(path.startswith("/etc/ceph/") for path in unit_host.files)


def test_the_pools_are_asked_for_once(unit_host):
    ceph = joined(unit_host)
    sent = ceph.requests_sent
    hook(unit_host, "ceph-relation-changed", ceph)
    assert ceph.requests_sent == sent  # the same pools: nothing new for the broker
    assert ceph.pools == {
{% for pool in c.ceph_pools %}
        "{{ pool.name }}": ({{ pool.replicas }}, "{{ pool.app_name }}"),
{% endfor %}
    }
    assert shown(unit_host) == ("waiting", "'ceph' incomplete")


def test_waiting_names_the_pools_until_the_broker_answers(unit_host):
    ceph = joined(unit_host)
    ceph.answer_keys(CEPH_MONS)
    hook(unit_host, "ceph-relation-changed", ceph)
    noun = "pool" if len(POOLS) == 1 else "pools"
    assert shown(unit_host) == (
        "waiting",
        f"ceph: waiting for {noun} {', '.join(POOLS)} (broker has not answered)",
    )


def test_a_refusal_blocks_naming_the_pools_and_the_reason(unit_host):
    ceph = joined(unit_host)
    ceph.answer_keys(CEPH_MONS)
    ceph.refuse("Error ERANGE: pg_num 128 size 3 would mean 384 total pgs")
    hook(unit_host, "ceph-relation-changed", ceph)
    state, message = shown(unit_host)
    assert state == "blocked"
    assert message.startswith("ceph: broker refused pool") and POOLS[0] in message
    assert message.endswith("would mean 384 total pgs")


def test_granted_pools_give_ceph_conf_and_keyring_and_restart_only_the_api(unit_host):
    ceph = joined(unit_host)
    ceph.answer_keys(CEPH_MONS)
    ceph.grant()
    hook(unit_host, "ceph-relation-changed", ceph)
    conf = unit_host.files[CEPH_CONF]
    assert (conf.mode, conf.owner) == (0o644, "root")
    assert f"mon host = {' '.join(sorted(CEPH_MONS))}\n" in unit_host.file_text(CEPH_CONF)
    keyring = unit_host.files[KEYRING]
    assert (keyring.mode, keyring.owner, keyring.group) == (0o640, "root", "{{ c.group }}")
    assert unit_host.file_text(KEYRING) == f"[client.{CHARM}]\n    key = {TEST_KEY}\n"
    assert not any(TEST_KEY in message for _level, message in unit_host.logs)
{% if c.ceph_glance %}
    config = unit_host.file_text(API_CONFIG)
    assert "enabled_backends = ceph:rbd\n" in config
    assert f"rbd_store_pool = {POOLS[0]}\nrbd_store_user = {CHARM}\n" in config
    assert "rbd_store_ceph_conf = /etc/ceph/ceph.conf\n" in config
{% endif %}
    assert unit_host.restarted() == [API_SERVICE]
    assert shown(unit_host) == ("active", "Unit is ready")

    hook(unit_host, "update-status", ceph)
    assert unit_host.writes == [] and unit_host.restarted() == []


def test_the_relation_going_removes_the_ceph_files(unit_host):
    ceph = joined(unit_host)
    ceph.answer_keys(CEPH_MONS)
    ceph.grant()
    hook(unit_host, "ceph-relation-changed", ceph)
    ceph.joined = False
    hook(unit_host, "ceph-relation-broken", ceph)
    assert CEPH_CONF not in unit_host.files and KEYRING not in unit_host.files
    assert "rbd_store" not in unit_host.file_text(API_CONFIG)
    assert unit_host.restarted() == [API_SERVICE]
    assert shown(unit_host) == ("blocked", "'ceph' missing")
