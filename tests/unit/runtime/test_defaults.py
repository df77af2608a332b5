"""use_defaults: the default reactive handlers, their guards, and what they do."""

from __future__ import annotations

import pytest
import reactive_openstack as ro
from reactive_openstack import defaults
from reactive_openstack.testing_interfaces import FakeKeystone, FakeRabbitMQ, keystone_data

from .sample import make_registry, ready_host


@pytest.fixture
def reactive(tmp_path, monkeypatch):
    """charms.reactive with a private unit state and an empty handler table."""
    monkeypatch.setenv("UNIT_STATE_DB", str(tmp_path / "state.db"))
    from charmhelpers.core import unitdata

    monkeypatch.setattr(unitdata, "_KV", None)
    import charms.reactive as reactive_module
    from charms.reactive.bus import Handler

    saved = dict(Handler._HANDLERS)
    Handler._HANDLERS = {}
    yield reactive_module
    Handler._HANDLERS = saved


def _handler_for(name, registry):
    from charms.reactive.bus import Handler

    key = f"reactive_openstack.defaults:{name}:{id(registry)}"
    return Handler._HANDLERS[key]


def _would_run(handler, phase="other"):
    """Evaluate the handler's predicates as charms.reactive's dispatcher would in ``phase``."""
    from charmhelpers.core import unitdata

    unitdata.kv().set("reactive.dispatch.phase", phase)
    return all(predicate() for predicate in handler._predicates)


def test_unknown_name_lists_valid_ones():
    registry, _, _ = make_registry()
    with pytest.raises(ValueError) as err:
        ro.use_defaults(registry, "config.changed", "amqp.conected")
    message = str(err.value)
    assert "amqp.conected" in message
    for name in defaults.DEFAULT_NAMES:
        assert name in message


def test_registry_is_required():
    with pytest.raises(TypeError):
        ro.use_defaults("charm.installed")  # type: ignore[arg-type]


def test_every_guarded_handler_is_off_during_update_status(reactive, monkeypatch):
    registry, _, _ = make_registry()
    names = [n for n in defaults.DEFAULT_NAMES if n != "update-status"]
    ro.use_defaults(registry, *names)
    monkeypatch.setenv("JUJU_HOOK_NAME", "config-changed")
    for flag in [
        "config.changed",
        "amqp.connected",
        "shared-db.connected",
        "identity-service.connected",
        "cluster.available",
        "ha.connected",
        "config.rendered",
        "certificates.available",
        "ceph.connected",
        defaults.UPGRADE_CHARM_FLAG,
    ]:
        reactive.set_flag(flag)
    assert all(_would_run(_handler_for(n, registry)) for n in names)
    reactive.set_flag(defaults.UPDATE_STATUS_FLAG)
    assert not any(_would_run(_handler_for(n, registry)) for n in names)


def test_handlers_need_their_flags(reactive, monkeypatch):
    registry, _, _ = make_registry()
    ro.use_defaults(registry, "amqp.connected", "charm.installed")
    monkeypatch.setenv("JUJU_HOOK_NAME", "install")
    assert not _would_run(_handler_for("amqp.connected", registry))
    assert _would_run(_handler_for("charm.installed", registry))
    reactive.set_flag("charm.installed")
    assert not _would_run(_handler_for("charm.installed", registry))


def test_update_status_handler_is_a_hook_handler(reactive, monkeypatch):
    registry, _, _ = make_registry()
    host = ready_host()
    registry.host = host
    handlers = ro.use_defaults(registry, "update-status")
    handler = _handler_for("update-status", registry)
    monkeypatch.setenv("JUJU_HOOK_NAME", "config-changed")
    assert not _would_run(handler, "hooks")
    monkeypatch.setenv("JUJU_HOOK_NAME", "update-status")
    assert _would_run(handler, "hooks")
    handlers["update-status"]()
    assert host.is_flag_set(defaults.UPDATE_STATUS_FLAG)
    host.run_atexit()
    assert not host.is_flag_set(defaults.UPDATE_STATUS_FLAG)
    assert host.status == ("active", "Unit is ready")
    assert host.writes == [] and host.installs == [] and host.service_calls == []


def test_default_actions_call_the_charm(reactive):
    registry, _, _ = make_registry()
    host = ready_host(packages={})
    registry.host = host
    handlers = ro.use_defaults(
        registry, "charm.installed", "amqp.connected", "identity-service.connected"
    )
    handlers["charm.installed"]()
    assert host.installs and host.is_flag_set("charm.installed")
    amqp = FakeRabbitMQ()
    handlers["amqp.connected"](amqp)
    assert (amqp.sent["username"], amqp.sent["vhost"]) == ("congress", "openstack")
    keystone = FakeKeystone(**keystone_data())
    handlers["identity-service.connected"](keystone)
    assert keystone.sent["service"] == "congress"
    host.run_atexit()
    assert host.status == ("active", "Unit is ready")


def test_certificates_handler_requests_as_soon_as_the_relation_joins(reactive):
    from reactive_openstack.testing_tls import FakeCertificates

    registry, _, _ = make_registry()
    certs = FakeCertificates()
    registry.host = ready_host(flags=[], endpoints={"certificates": certs})
    ro.use_defaults(registry, "certificates.available")["certificates.available"]()
    assert certs.requests == {"10.0.0.10": ["10.0.0.10"]}


def test_upgrade_charm_hook_raises_flag_for_guarded_handler(reactive, monkeypatch):
    registry, _, _ = make_registry()
    host = ready_host(packages={"python-congress": "1"})
    registry.host = host
    handlers = ro.use_defaults(registry, "upgrade-charm")
    host.set_flag(defaults.UPGRADE_CHARM_FLAG)
    handlers["upgrade-charm"]()
    assert not host.is_flag_set(defaults.UPGRADE_CHARM_FLAG)
    assert host.purges == [["python-congress"]]
