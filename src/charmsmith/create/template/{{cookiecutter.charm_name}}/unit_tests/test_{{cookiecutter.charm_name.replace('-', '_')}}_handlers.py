{% set c = cookiecutter | charmsmith %}
{% set optional = (["certificates.available"] if c.certificates else []) + (["ceph.connected"] if c.ceph_pools else []) %}
"""Which handlers run for which flags: the charm's reactive wiring, checked end to end.

``reactive_state`` (the runtime's pytest plugin) imports reactive/{{ c.ident }}_handlers.py for
real, so its decorators and the runtime's use_defaults register as in a hook, and answers which
handlers would run with exactly the given flags set.
"""

from __future__ import annotations

import pytest

from .conftest import RELATIONS, relation_flags

INSTALLED = {"charm.installed"}
ALL_AVAILABLE = relation_flags(*RELATIONS) | INSTALLED


def test_config_rendered_when_all_relations_are_available(reactive_state):
    assert "render_config" in reactive_state.handlers_that_run(ALL_AVAILABLE)


@pytest.mark.parametrize("missing", RELATIONS)
def test_config_not_rendered_while_a_relation_is_unavailable(reactive_state, missing):
    flags = relation_flags(*[rel for rel in RELATIONS if rel != missing]) | INSTALLED
    flags.add(f"{missing}.connected")
    assert "render_config" not in reactive_state.handlers_that_run(flags)


def test_update_status_runs_no_config_handler(reactive_state):
    ran = reactive_state.handlers_that_run(ALL_AVAILABLE | {"is-update-status-hook"})
    assert "render_config" not in ran
    assert not ran & {"amqp.connected", "shared-db.connected", "identity-service.connected"}


def test_install_handler_runs_until_installed(reactive_state):
    assert "charm.installed" in reactive_state.handlers_that_run(set())
    assert "charm.installed" not in reactive_state.handlers_that_run(INSTALLED)


@pytest.mark.parametrize(
    "flag", ["amqp.connected", "shared-db.connected", "identity-service.connected", "ha.connected"]
)
def test_each_connected_relation_has_its_default_handler(reactive_state, flag):
    assert flag in reactive_state.handlers_that_run(INSTALLED | {flag})
{% if optional %}


@pytest.mark.parametrize("flag", {{ optional | py(0, 33) }})
def test_optional_relation_has_its_handler_except_in_update_status(reactive_state, flag):
    assert flag in reactive_state.handlers_that_run(INSTALLED | {flag})
    update_status = INSTALLED | {flag, "is-update-status-hook"}
    assert flag not in reactive_state.handlers_that_run(update_status)
{% endif %}
