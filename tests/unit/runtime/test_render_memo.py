"""A render whose inputs are the previous hook's is skipped: no Jinja, no write, no restart.

Each test runs two or more simulated hooks on one FakeHost (its kv and files persist, like a
unit's), and makes Jinja unusable in the hooks that must not render, so a skipped render is
proved by the absence of rendering, not by the absence of a changed file.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import reactive_openstack as ro
from reactive_openstack import _render_memo as render_memo
from reactive_openstack import _rendering as rendering
from reactive_openstack.adapters import STAT_PASSWORD_KEY
from reactive_openstack.testing_interfaces import FakeMySQLShared

from .sample import ready_host

CONF = "/etc/congress/congress.conf"
TEMPLATE = """\
[DEFAULT]
debug = {{ options.debug }}
release = {{ options.charm_instance.release }}
bind_port = {{ options.service_listen_info.congress_server.port }}
tuned = {{ options.tuning.level }}
{% if shared_db %}
connection = {{ shared_db.uri }}
password = {{ shared_db.get_password() }}
{% endif %}
"""


def make_registry() -> ro.ReleaseRegistry:
    registry = ro.ReleaseRegistry()

    @registry.register
    class CongressCharm(ro.HAOpenStackCharm):
        release = "yoga"
        name = "congress"
        services = ["congress-server"]
        api_ports = {"congress-server": {"public": 1789, "admin": 1789, "internal": 1789}}
        restart_map = {CONF: ["congress-server"]}
        group = "congress"

        @ro.config_property
        def tuning(self):
            """An object, not plain data: the template reads one attribute of it."""
            return SimpleNamespace(level=self.get("tuning_level") or "low")

    return registry


@pytest.fixture
def charm_dir(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "congress.conf").write_text(TEMPLATE)
    return tmp_path


@pytest.fixture
def no_jinja(monkeypatch):
    """Call ``no_jinja()`` and any render from then on fails the test."""

    def forbid():
        def fail(search_path):
            raise AssertionError("rendered although nothing changed")

        monkeypatch.setattr(rendering, "make_environment", fail)

    return forbid


def database(password: str = "s3cret-db") -> FakeMySQLShared:
    return FakeMySQLShared(
        db_host="10.0.0.30", password=password, database="congress", username="congress"
    )


def hook(host, name: str = "config-changed"):
    """A new hook on the same unit and its charm instance."""
    registry = make_registry()
    registry.host = host.new_hook(name)
    return registry.instance()


def kept_reads(host) -> list:
    return host.kv[render_memo.MEMO_KV_KEY]["reads"]


def deployed(charm_dir):
    """A unit whose files were rendered by a first hook (services running afterwards)."""
    host = ready_host(charm_dir=str(charm_dir), kv={STAT_PASSWORD_KEY: "stats-secret"})
    changed = hook(host).render_with_interfaces([database()])
    assert CONF in changed
    return host


def test_unchanged_inputs_render_nothing_and_restart_nothing(charm_dir, no_jinja):
    host = deployed(charm_dir)
    no_jinja()
    for _ in range(2):
        assert hook(host).render_with_interfaces([database()]) == []
        assert host.writes == [] and host.service_calls == []


def test_a_changed_config_value_renders_and_restarts(charm_dir):
    host = deployed(charm_dir)
    host.config_values["debug"] = True
    assert hook(host).render_with_interfaces([database()]) == [CONF]
    assert "debug = True" in host.file_text(CONF)
    assert host.restarted() == ["congress-server"]


def test_changed_relation_data_renders_and_restarts(charm_dir):
    host = deployed(charm_dir)
    assert hook(host).render_with_interfaces([database("rotated")]) == [CONF]
    assert "password = rotated" in host.file_text(CONF)  # read through a method call
    assert host.restarted() == ["congress-server"]


def test_a_value_read_from_an_object_is_compared_too(charm_dir):
    host = deployed(charm_dir)
    host.config_values["tuning_level"] = "high"
    assert hook(host).render_with_interfaces([database()]) == [CONF]
    assert "tuned = high" in host.file_text(CONF)


def test_a_template_changed_by_upgrade_charm_renders(charm_dir, no_jinja):
    host = deployed(charm_dir)
    template = charm_dir / "templates" / "congress.conf"
    template.write_text(TEMPLATE + "# new in this charm revision\n")
    assert hook(host, "upgrade-charm").render_with_interfaces([database()]) == [CONF]
    assert host.restarted() == ["congress-server"]
    no_jinja()
    assert hook(host).render_with_interfaces([database()]) == []


def test_a_template_added_for_the_release_renders(charm_dir):
    host = deployed(charm_dir)
    (charm_dir / "templates" / "yoga").mkdir()
    (charm_dir / "templates" / "yoga" / "congress.conf").write_text("# yoga only\n")
    assert hook(host).render_with_interfaces([database()]) == [CONF]
    assert host.file_text(CONF) == "# yoga only\n"


def test_upgrade_charm_renders_even_with_unchanged_inputs(charm_dir, monkeypatch):
    host = deployed(charm_dir)
    calls = []
    real = rendering.make_environment
    monkeypatch.setattr(rendering, "make_environment", lambda path: calls.append(1) or real(path))
    assert hook(host, "upgrade-charm").render_with_interfaces([database()]) == []
    assert calls == [1] and host.service_calls == []


@pytest.mark.parametrize("tamper", ["delete", "edit"])
def test_a_file_deleted_or_edited_on_disk_is_rendered_again(charm_dir, tamper):
    host = deployed(charm_dir)
    expected = host.file_text(CONF)
    if tamper == "delete":
        del host.files[CONF]
    else:
        host.files[CONF].content = b"edited by hand\n"
    assert hook(host).render_with_interfaces([database()]) == [CONF]
    assert host.file_text(CONF) == expected
    assert host.restarted() == ["congress-server"]


def test_a_drifted_mode_is_put_back_without_rendering(charm_dir, no_jinja):
    host = deployed(charm_dir)
    host.files[CONF].mode = 0o644
    host.files[CONF].group = "root"
    no_jinja()
    assert hook(host).render_with_interfaces([database()]) == []
    assert (host.files[CONF].mode, host.files[CONF].group) == (0o640, "congress")
    assert host.service_calls == []


def test_the_kept_record_holds_digests_not_secrets(charm_dir):
    host = deployed(charm_dir)
    kept = json.dumps(host.kv[render_memo.MEMO_KV_KEY])
    assert "s3cret-db" in host.file_text(CONF)
    assert "s3cret-db" not in kept and "stats-secret" not in kept
    # an object's attribute is kept as a path from its namespace
    assert ["options", ["charm_instance"], "attr", "release", ""] in kept_reads(host)


def test_a_template_printing_a_namespace_keeps_no_record_and_renders_every_hook(
    charm_dir, monkeypatch
):
    (charm_dir / "templates" / "congress.conf").write_text("{{ options }}\n")
    host = deployed(charm_dir)
    assert render_memo.MEMO_KV_KEY not in host.kv
    assert any("a template prints options itself" in message for _, message in host.logs)
    calls = []
    real = rendering.make_environment
    monkeypatch.setattr(rendering, "make_environment", lambda path: calls.append(1) or real(path))
    hook(host).render_with_interfaces([database()])
    assert calls == [1]


def test_a_set_read_by_a_template_keeps_no_record(charm_dir):
    """A set's order differs between processes: it cannot be compared, so every hook renders."""
    (charm_dir / "templates" / "congress.conf").write_text(
        "{% for tag in options.charm_instance.tags %}{{ tag }}{% endfor %}\n"
    )
    registry = make_registry()
    registry.select("yoga").tags = {"a", "b"}
    host = ready_host(charm_dir=str(charm_dir))
    registry.host = host
    registry.instance().render_with_interfaces([database()])
    assert render_memo.MEMO_KV_KEY not in host.kv
    assert any("iterates options.charm_instance.tags itself" in m for _, m in host.logs)


def test_a_record_from_another_version_is_ignored(charm_dir):
    host = deployed(charm_dir)
    host.kv[render_memo.MEMO_KV_KEY] = {"reads": "not a list"}
    del host.files[CONF]
    assert hook(host).render_with_interfaces([database()]) == [CONF]
