"""Rendering: release directory search, atomic writes with mode/group, restart on change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from reactive_openstack._rendering import (
    BUNDLED_TEMPLATES,
    TemplateMissing,
    render_and_restart,
    render_configs,
    render_text,
    services_to_restart,
    template_search_path,
)
from reactive_openstack.adapters import build_adapters
from reactive_openstack.testing import FakeHost

from .sample_charm import CongressAPI

CONF = "/etc/congress/congress.conf"
PASTE = "/etc/congress/api-paste.ini"
VHOST = "/etc/apache2/sites-available/congress.conf"


class CongressCharm(CongressAPI):
    restart_map = {CONF: ["congress-server"], PASTE: ["congress-server"]}


def write(root: Path, relative: str, text: str) -> None:
    path = root / "templates" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def charm_dir(tmp_path: Path) -> Path:
    write(tmp_path, "congress.conf", "[DEFAULT]\ndebug = {{ options.debug }}\n")
    write(tmp_path, "api-paste.ini", "[pipeline:main]\npipeline = {{ options.service_name }}\n")
    return tmp_path


def make_charm(charm_dir: Path, release: str = "yoga", **config: Any) -> CongressCharm:
    host = FakeHost(unit_name="congress/0", charm_dir=str(charm_dir), config=config)
    return CongressCharm(release=release, host=host)


def test_search_path_is_release_then_earlier_releases_newest_first(tmp_path: Path) -> None:
    for release in ("wallaby", "yoga", "zed", "bobcat"):
        (tmp_path / "templates" / release).mkdir(parents=True)
    base = str(tmp_path / "templates")
    assert template_search_path(str(tmp_path), "antelope") == [
        f"{base}/zed",
        f"{base}/yoga",
        f"{base}/wallaby",
        base,
        BUNDLED_TEMPLATES,
    ]
    assert template_search_path(str(tmp_path), "yoga") == [
        f"{base}/yoga",
        f"{base}/wallaby",
        base,
        BUNDLED_TEMPLATES,
    ]
    assert template_search_path(str(tmp_path), "victoria") == [base, BUNDLED_TEMPLATES]
    assert template_search_path(str(tmp_path / "nowhere"), "yoga") == [BUNDLED_TEMPLATES]


def test_newest_applicable_release_directory_wins(charm_dir: Path) -> None:
    write(charm_dir, "wallaby/congress.conf", "wallaby\n")
    write(charm_dir, "zed/congress.conf", "zed\n")
    adapters = build_adapters(make_charm(charm_dir))
    assert render_text(make_charm(charm_dir, "xena"), adapters, CONF) == "wallaby\n"
    assert render_text(make_charm(charm_dir, "yoga"), adapters, CONF) == "wallaby\n"
    assert render_text(make_charm(charm_dir, "caracal"), adapters, CONF) == "zed\n"
    assert (
        render_text(make_charm(charm_dir, "victoria"), adapters, CONF)
        == "[DEFAULT]\ndebug = False\n"
    )


def test_charm_templates_override_the_bundled_ones(charm_dir: Path) -> None:
    charm = make_charm(charm_dir)
    bundled = render_text(charm, build_adapters(charm), "/etc/memcached.conf")
    assert bundled.startswith("# memcached for congress")
    write(charm_dir, "memcached.conf", "-m 128\n")
    assert render_text(charm, build_adapters(charm), "/etc/memcached.conf") == "-m 128\n"


def test_flattened_full_path_when_the_basename_is_ambiguous(charm_dir: Path) -> None:
    write(charm_dir, "etc_apache2_sites-available_congress.conf", "<VirtualHost *:1789>\n")
    os.remove(charm_dir / "templates" / "congress.conf")
    charm = make_charm(charm_dir)
    assert render_text(charm, build_adapters(charm), VHOST) == "<VirtualHost *:1789>\n"


def test_missing_template_names_the_candidates(charm_dir: Path) -> None:
    charm = make_charm(charm_dir)
    with pytest.raises(TemplateMissing, match="nova.conf or etc_nova_nova.conf"):
        render_configs(charm, build_adapters(charm), ["/etc/nova/nova.conf"])


def test_files_written_with_mode_and_group_and_reported_in_map_order(charm_dir: Path) -> None:
    charm = make_charm(charm_dir, debug=True)
    charm.permission_override_map = {PASTE: 0o644}
    changed = render_configs(charm, build_adapters(charm))
    assert changed == [CONF, PASTE, "/etc/memcached.conf", "/etc/haproxy/haproxy.cfg"]
    files = charm.host.files
    assert files[CONF].content == b"[DEFAULT]\ndebug = True\n"
    assert (files[CONF].mode, files[CONF].owner, files[CONF].group) == (0o640, "root", "congress")
    assert (files[PASTE].mode, files[PASTE].group) == (0o644, "congress")
    haproxy = files["/etc/haproxy/haproxy.cfg"]
    assert (haproxy.mode, haproxy.owner, haproxy.group) == (0o640, "root", "root")


def test_rerender_is_byte_identical_and_writes_nothing(charm_dir: Path) -> None:
    charm = make_charm(charm_dir)
    render_configs(charm, build_adapters(charm))
    before = {path: record.content for path, record in charm.host.files.items()}
    charm.host.reset_records()
    assert render_configs(charm, build_adapters(charm)) == []
    assert charm.host.writes == []
    assert {path: record.content for path, record in charm.host.files.items()} == before


def test_restart_only_changed_services_once_each(charm_dir: Path) -> None:
    write(charm_dir, "api-paste.ini", "debug={{ options.debug }}\n")
    charm = make_charm(charm_dir)
    first = render_and_restart(charm, build_adapters(charm))
    assert first == ["congress-server", "memcached", "haproxy"]
    assert charm.host.restarted() == first

    charm.host.reset_records()
    assert render_and_restart(charm, build_adapters(charm)) == []
    assert charm.host.service_calls == []

    charm.host.config_values["debug"] = True  # changes both congress files, one service
    assert render_and_restart(charm, build_adapters(charm)) == ["congress-server"]
    assert charm.host.restarted() == ["congress-server"]


def test_services_to_restart_ignores_unmapped_paths() -> None:
    charm = CongressCharm(release="yoga", host=FakeHost())
    changed = [PASTE, "/var/lib/charm/congress/db-client.ca", "/etc/haproxy/haproxy.cfg", CONF]
    assert services_to_restart(charm, changed) == ["congress-server", "haproxy"]


def test_none_and_undefined_render_empty(charm_dir: Path) -> None:
    write(charm_dir, "congress.conf", "a={{ options.unset }} b={{ amqp.nope.deeper }}\n")
    charm = make_charm(charm_dir, unset=None)
    assert render_text(charm, build_adapters(charm), CONF) == "a= b=\n"


def test_support_files_are_written_before_configs(charm_dir: Path) -> None:
    from reactive_openstack.testing_interfaces import FakeMySQLShared

    db = FakeMySQLShared(database="d", username="u", db_host="h", password="p", ssl_ca="Q0EK")
    charm = make_charm(charm_dir)
    changed = render_configs(charm, build_adapters(charm, [db]), [CONF])
    assert changed == ["/var/lib/charm/congress/db-client.ca", CONF]
    record = charm.host.files["/var/lib/charm/congress/db-client.ca"]
    assert (record.content, record.mode, record.group) == (b"CA\n", 0o640, "congress")
