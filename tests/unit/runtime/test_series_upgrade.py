"""Series upgrades: pre-series-upgrade pauses with upstream's status, post- renders and resumes."""

from __future__ import annotations

import pytest
import reactive_openstack as ro
from reactive_openstack import _series_upgrade as series_upgrade
from reactive_openstack.testing_interfaces import FakeMySQLShared

from .sample import TEMPLATE, make_registry, ready_host
from .test_defaults import _would_run, reactive  # noqa: F401 - the fixture is used by name

CONF = "/etc/congress/congress.conf"
pytestmark = pytest.mark.usefixtures("reactive")  # a private charms.reactive state
READY = "Ready for do-release-upgrade and reboot. Set complete when finished."


def _series_handlers(tmp_path, **host_args):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "congress.conf").write_text(TEMPLATE)
    registry, _, _ = make_registry()
    host = ready_host(charm_dir=str(tmp_path), **host_args)
    registry.host = host
    handlers = ro.use_defaults(registry, "config.changed")
    return host, registry, handlers


def test_handlers_fire_only_in_their_hooks(monkeypatch, tmp_path):
    _, _, handlers = _series_handlers(tmp_path)
    from charms.reactive.bus import Handler

    for hook in ("pre-series-upgrade", "post-series-upgrade"):
        handler = Handler.get(handlers[hook])
        monkeypatch.setenv("JUJU_HOOK_NAME", "config-changed")
        assert not _would_run(handler, "hooks")
        monkeypatch.setenv("JUJU_HOOK_NAME", hook)
        assert _would_run(handler, "hooks")


def test_prepare_stops_everything_and_says_ready_until_complete(tmp_path):
    host, registry, handlers = _series_handlers(tmp_path)
    handlers["pre-series-upgrade"]()
    assert host.is_flag_set(series_upgrade.UPGRADING_FLAG) and host.is_flag_set("charm.paused")
    assert [c for c in host.service_calls if c[0] == "stop"] == [
        ("stop", "congress-server"),
        ("stop", "memcached"),
        ("stop", "haproxy"),
    ]
    assert host.status == ("blocked", READY)
    # update-status in between keeps saying so, not "Paused ..."
    assert registry.instance()._assess_status() == ("blocked", READY)


def test_complete_renders_while_stopped_then_starts_each_service_once(tmp_path):
    db = FakeMySQLShared(db_host="10.0.0.30", password="dbpass", allowed_units="congress/0")
    db.configure(database="congress", username="congress")
    host, _, handlers = _series_handlers(tmp_path, endpoints={"shared-db": db})
    handlers["pre-series-upgrade"]()
    host.reset_records()
    handlers["post-series-upgrade"]()
    host.run_atexit()
    assert "mysql+pymysql://congress:dbpass@10.0.0.30/congress" in host.file_text(CONF)
    assert host.service_calls == [
        ("start", "congress-server"),
        ("start", "memcached"),
        ("start", "haproxy"),
    ]
    assert not host.is_flag_set(series_upgrade.UPGRADING_FLAG)
    assert not host.is_flag_set("charm.paused")
    assert host.status == ("active", "Unit is ready")
