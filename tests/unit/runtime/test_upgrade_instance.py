"""After an OpenStack upgrade the target release's instance carries the hook on.

The handler gets it from provide_charm_instance(registry, upgrade=True); the old instance keeps
its class, and the status deferred to hook exit is evaluated once, by the new instance.
"""

from __future__ import annotations

import pytest
import reactive_openstack as ro
from reactive_openstack import testing_interfaces as fake
from reactive_openstack.releases import KV_RELEASE_KEY

from . import test_charm
from .sample import make_registry, ready_host

CONF = "/etc/congress/congress.conf"

#: the sample charm's templates with a caracal directory (test_charm's fixture)
charm_dir = test_charm.charm_dir


def _yoga_unit(charm_dir):
    """A ready yoga unit whose openstack-origin just moved to caracal (not action-managed)."""
    host = ready_host(charm_dir=charm_dir, kv={KV_RELEASE_KEY: "yoga"})
    host.leader_settings["db-sync-done"] = "yoga"
    host.config_values["openstack-origin"] = "cloud:jammy-caracal"
    registry, yoga_cls, caracal_cls = make_registry()
    registry.host = host
    return host, registry, yoga_cls, caracal_cls


def test_handler_receives_the_target_release_instance(charm_dir):
    host, registry, yoga_cls, caracal_cls = _yoga_unit(charm_dir)
    old = registry.instance()
    received = []

    @ro.provide_charm_instance(registry, upgrade=True)
    def render_config(charm, *interfaces):
        received.append((charm, interfaces))
        charm.render_with_interfaces(interfaces)

    db = fake.FakeMySQLShared(
        database="congress",
        username="congress",
        db_host="10.0.0.30",
        password="dbpass",
        allowed_units="congress/0",
    )
    render_config(db)
    ((charm, interfaces),) = received
    assert type(charm) is caracal_cls and charm.release == "caracal"
    assert charm is registry.instance() and interfaces == (db,)
    assert type(old) is yoga_cls and old.release == "yoga"
    # the upgrade rendered the caracal template from the handler's relation data, once
    assert host.file_text(CONF).startswith("# caracal\n") and "10.0.0.30" in host.file_text(CONF)
    assert host.writes.count(CONF) == 1
    assert host.restarted().count("congress-server") == 1

    render_config(db)  # a later handler of the same hook: no second upgrade
    assert received[1][0] is charm and len(host.installs) == 1


def test_without_an_upgrade_the_handler_gets_the_hooks_instance(charm_dir):
    host, registry, yoga_cls, _ = _yoga_unit(charm_dir)
    host.config_values["openstack-origin"] = "cloud:jammy-yoga"
    received = []

    @ro.provide_charm_instance(registry, upgrade=True)
    def handler(charm):
        received.append(charm)

    handler()
    assert received == [registry.instance()] and type(received[0]) is yoga_cls
    assert host.installs == [] and host.writes == []


@pytest.mark.parametrize("deferred_before_upgrade", [True, False])
def test_hook_exit_status_is_evaluated_once_by_the_new_instance(
    charm_dir, monkeypatch, deferred_before_upgrade
):
    host, registry, yoga_cls, caracal_cls = _yoga_unit(charm_dir)
    evaluated_by = []

    def record(charm):
        evaluated_by.append(charm)

    for cls in (caracal_cls, yoga_cls):  # caracal's own first: it would inherit yoga's
        monkeypatch.setattr(cls, "custom_assess_status_check", record)
    if deferred_before_upgrade:
        registry.instance().assess_status()  # e.g. the config-changed handler ran first

    @ro.provide_charm_instance(registry, upgrade=True)
    def render_config(charm, *interfaces):
        charm.render_with_interfaces(interfaces)
        charm.assess_status()

    render_config()
    assert len(host.atexit_callbacks) == 1
    host.run_atexit()
    assert evaluated_by == [registry.instance()]
    assert type(evaluated_by[0]) is caracal_cls


def test_status_of_an_action_managed_upgrade_names_no_pending_action(charm_dir):
    """Evaluated through the old instance the unit would still look one release behind."""
    host, registry, _, _ = _yoga_unit(charm_dir)
    host.config_values["action-managed-upgrade"] = True
    old = registry.instance()
    old.assess_status()
    old.requested_upgrade = "caracal"  # what the openstack-upgrade action notes

    @ro.provide_charm_instance(registry, upgrade=True)
    def render_config(charm, *interfaces):
        charm.render_with_interfaces(interfaces)

    render_config()
    host.run_atexit()
    assert registry.instance().release == "caracal"
    assert host.status == ("active", "Unit is ready")


def test_upgrade_needs_the_decorator_form():
    registry, _, _ = make_registry()
    registry.host = ready_host()
    with pytest.raises(TypeError, match="decorator"):
        with ro.provide_charm_instance(registry, upgrade=True):
            pass


def test_a_handler_from_before_template_8_renders_the_new_release(charm_dir):
    """Handlers up to template 7 upgrade through the instance they hold and go on with it;
    that instance hands rendering and the migration to its successor."""
    host, registry, yoga_cls, caracal_cls = _yoga_unit(charm_dir)

    @ro.provide_charm_instance(registry)
    def render_config(charm, *interfaces):
        assert charm.upgrade_if_available(interfaces)
        charm.render_with_interfaces(interfaces)
        charm.db_sync()
        assert type(charm) is yoga_cls

    render_config(fake.FakeMySQLShared(database="congress", username="congress", db_host="h"))
    assert host.file_text(CONF).startswith("# caracal\n")
    assert host.writes.count(CONF) == 1  # not rendered back from the yoga templates
    assert host.restarted().count("congress-server") == 1
    assert type(registry.instance()) is caracal_cls
