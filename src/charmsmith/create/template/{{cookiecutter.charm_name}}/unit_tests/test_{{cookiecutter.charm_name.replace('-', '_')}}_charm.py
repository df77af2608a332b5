{% set c = cookiecutter | charmsmith %}
"""Behaviour of the {{ c.name }} charm on a fake unit: status, config files, database sync."""

from __future__ import annotations

import itertools

import pytest
from reactive_openstack.database import DB_SYNC_MARKER

from .conftest import (
    CHARM,
    DB_HOST,
    RABBIT_HOST,
    RELATIONS,
    charm_module,
    handlers_module,
    make_relations,
    relation_flags,
)

CONFIG_FILES = {{ c.config_files | map(attribute="path") | list | py(0, 15) }}
SYNC_COMMANDS = {{ c.sync_commands | py(0, 16) }}
TRANSPORT_URL = f"transport_url = rabbit://{CHARM}:rabbit-secret@{RABBIT_HOST}:5672/openstack"
SERVICES = {{ c.services | py(0, 11) }}
HAPROXY = "/etc/haproxy/haproxy.cfg"


def status_after_hook(host, registry):
    """assess_status is deferred to hook exit: run the exit callbacks and read the result."""
    registry.instance().assess_status()
    host.run_atexit()
    return host.status


def render(host, relations, order=RELATIONS):
    """What the render_config handler does when charms.reactive calls it."""
    host.flags.update(dict.fromkeys(relation_flags(*RELATIONS)))
    handlers_module().render_config(*(relations[name] for name in order))
    host.run_atexit()


def test_charm_class_serves_the_earliest_release(charm_registry):
    assert charm_registry.earliest == "{{ c.release }}"
    assert charm_registry.select("{{ c.release }}") is charm_module().{{ c.class_name }}


@pytest.mark.parametrize("missing", RELATIONS)
def test_each_missing_relation_blocks_and_is_named(unit_host, charm_registry, missing):
    unit_host.flags.update(dict.fromkeys(relation_flags(*[r for r in RELATIONS if r != missing])))
    status = status_after_hook(unit_host, charm_registry)
    assert status == ("blocked", f"'{missing}' missing")


@pytest.mark.parametrize("incomplete", RELATIONS)
def test_each_incomplete_relation_waits_and_is_named(unit_host, charm_registry, incomplete):
    complete = [r for r in RELATIONS if r != incomplete]
    unit_host.flags.update(dict.fromkeys(relation_flags(*complete)))
    unit_host.flags[f"{incomplete}.connected"] = None
    status = status_after_hook(unit_host, charm_registry)
    assert status == ("waiting", f"'{incomplete}' incomplete")


def test_rendered_config_has_database_keystone_and_messaging(unit_host):
    render(unit_host, make_relations())
    for path in CONFIG_FILES:
        text = unit_host.file_text(path)
        assert "[database]" in text
        assert f"@{DB_HOST}/{CHARM}" in text
        assert "db-secret" in text
        assert "[keystone_authtoken]" in text
        assert "password = keystone-secret" in text
        assert f"username = {CHARM}" in text
        assert TRANSPORT_URL in text
        assert "bind_port = {{ c.port - 10 }}" in text


def test_config_files_are_not_rewritten_when_nothing_changed(unit_host):
    relations = make_relations()
    render(unit_host, relations)
    unit_host.new_hook("config-changed")
    render(unit_host, relations)
    assert unit_host.writes == []
    assert unit_host.restarted() == []


def test_leader_runs_every_db_sync_command_once(unit_host):
    relations = make_relations()
    render(unit_host, relations)
    assert unit_host.commands == SYNC_COMMANDS
    assert unit_host.leader_settings.get(DB_SYNC_MARKER)
    unit_host.new_hook("config-changed")
    render(unit_host, relations)
    assert unit_host.commands == []


def test_non_leader_waits_for_the_leader_then_restarts_once(make_unit_host):
    host = make_unit_host(leader=False)
    relations = make_relations()
    render(host, relations)
    assert host.commands == []
    host.new_hook("config-changed")
    render(host, relations)
    assert host.restarted() == []
    host.new_hook("leader-settings-changed")
    host.leader_settings[DB_SYNC_MARKER] = "{{ c.release }}"
    render(host, relations)
    assert host.commands == []
    assert set(SERVICES) <= set(host.restarted())
    host.new_hook("leader-settings-changed")
    render(host, relations)
    assert host.restarted() == []


def test_relation_arrival_order_does_not_change_the_outcome(make_unit_host):
    outcomes = []
    for order in itertools.permutations(RELATIONS):
        host = make_unit_host()
        relations = make_relations()
        for arrived in range(1, len(order) + 1):
            host.new_hook(f"{order[arrived - 1]}-relation-changed")
            host.flags.update(dict.fromkeys(relation_flags(*order[:arrived])))
            if arrived == len(order):
                render(host, relations, order)
            else:
                charm_module().registry.instance().assess_status()
                host.run_atexit()
        files = {path: host.files[path].content for path in CONFIG_FILES}
        outcomes.append((files, host.status, host.leader_settings.get(DB_SYNC_MARKER)))
    assert all(outcome == outcomes[0] for outcome in outcomes)
{% if c.certificates %}


def _pem(label: str, body: str) -> str:
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def test_certificates_serve_https_and_go_back_to_http_when_the_relation_goes(
    unit_host, charm_registry
):
    """The certificates handlers: request, serve (0640 root:haproxy), renew by reload, undo."""
    from reactive_openstack.testing_tls import FakeCertificates

    certs = FakeCertificates(ca=_pem("CERTIFICATE", "Q0E="))
    unit_host.endpoints["certificates"] = certs
    relations = make_relations()
    keystone = relations["identity-service"]
    render(unit_host, relations)
    charm_registry.instance().register_endpoints(keystone)
    assert certs.requests == {"10.0.0.10": ["10.0.0.10"]}
    assert keystone.sent["public_url"] == "http://10.0.0.10:{{ c.port }}"

    unit_host.new_hook("certificates-relation-changed")
    certs.answer("10.0.0.10", _pem("CERTIFICATE", "b25l"), _pem("PRIVATE KEY", "a2V5"))
    render(unit_host, relations)
    charm_registry.instance().register_endpoints(keystone)
    for kind in ("public", "internal", "admin"):
        assert keystone.sent[f"{kind}_url"] == "https://10.0.0.10:{{ c.port }}"
    assert "bind *:{{ c.port }} ssl crt /etc/haproxy/tls/" in unit_host.file_text(HAPROXY)
    served = unit_host.files["/etc/haproxy/tls/10.0.0.10.pem"]
    assert (served.mode, served.owner, served.group) == (0o640, "root", "haproxy")
    assert not any("a2V5" in message for _, message in unit_host.logs)

    unit_host.new_hook("certificates-relation-changed")
    certs.answer("10.0.0.10", _pem("CERTIFICATE", "dHdv"), _pem("PRIVATE KEY", "a2V5Mg=="))
    render(unit_host, relations)
    assert ["service", "haproxy", "reload"] in unit_host.commands
    assert unit_host.restarted() == []

    unit_host.new_hook("certificates-relation-broken")
    certs.joined = False
    render(unit_host, relations)
    charm_registry.instance().register_endpoints(keystone)
    assert keystone.sent["admin_url"] == "http://10.0.0.10:{{ c.port }}"
    assert "/etc/haproxy/tls/10.0.0.10.pem" not in unit_host.files
    assert "ssl crt" not in unit_host.file_text(HAPROXY)
{% endif %}
