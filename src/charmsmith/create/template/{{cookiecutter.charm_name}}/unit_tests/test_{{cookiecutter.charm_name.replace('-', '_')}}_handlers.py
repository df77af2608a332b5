{% set c = cookiecutter | charmsmith %}
"""Which handlers run for which flags: the charm's reactive wiring, checked end to end.

The handlers module is imported for real, so its decorators and the runtime's use_defaults
register with charms.reactive exactly as in a hook; each test sets flags and asks every
registered handler whether it would run.
"""

from __future__ import annotations

import charms.reactive as reactive
import pytest
from charms.reactive.bus import Handler

from .conftest import RELATIONS, handlers_module, relation_flags

ALL_AVAILABLE = relation_flags(*RELATIONS)


def runnable(flags: set[str]) -> set[str]:
    """Names of the handlers that would run with exactly ``flags`` set."""
    handlers_module()
    for flag in flags:
        reactive.set_flag(flag)
    return {h.id().split(":")[-1] for h in Handler.get_handlers() if h.test()}


@pytest.mark.usefixtures("reactive_state")
def test_config_rendered_when_all_relations_are_available():
    assert "render_config" in runnable(ALL_AVAILABLE | {"charm.installed"})


@pytest.mark.usefixtures("reactive_state")
@pytest.mark.parametrize("missing", RELATIONS)
def test_config_not_rendered_while_a_relation_is_unavailable(missing):
    flags = relation_flags(*[rel for rel in RELATIONS if rel != missing])
    flags.add(f"{missing}.connected")
    assert "render_config" not in runnable(flags | {"charm.installed"})


@pytest.mark.usefixtures("reactive_state")
def test_update_status_runs_no_config_handler():
    ran = runnable(ALL_AVAILABLE | {"charm.installed", "is-update-status-hook"})
    assert "render_config" not in ran
    assert not ran & {"amqp.connected", "shared-db.connected", "identity-service.connected"}


@pytest.mark.usefixtures("reactive_state")
def test_install_handler_runs_until_installed():
    assert "charm.installed" in runnable(set())
    assert "charm.installed" not in runnable({"charm.installed"})


@pytest.mark.usefixtures("reactive_state")
@pytest.mark.parametrize(
    "flag", ["amqp.connected", "shared-db.connected", "identity-service.connected", "ha.connected"]
)
def test_each_connected_relation_has_its_default_handler(flag):
    assert flag in runnable({"charm.installed", flag})
{% if c.certificates %}


@pytest.mark.usefixtures("reactive_state")
def test_certificates_relation_has_its_handler_except_in_update_status():
    assert "certificates.available" in runnable({"charm.installed", "certificates.available"})
    flags = {"charm.installed", "certificates.available", "is-update-status-hook"}
    assert "certificates.available" not in runnable(flags)
{% endif %}
{% if c.ceph_pools %}


@pytest.mark.usefixtures("reactive_state")
def test_ceph_relation_asks_for_the_pools_except_in_update_status():
    assert "ceph.connected" in runnable({"charm.installed", "ceph.connected"})
    flags = {"charm.installed", "ceph.connected", "is-update-status-hook"}
    assert "ceph.connected" not in runnable(flags)
{% endif %}
