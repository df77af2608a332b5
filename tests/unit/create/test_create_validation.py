"""The shared answer rules: each bad answer gives one line naming the field and the rule."""

from __future__ import annotations

import pytest

from charmsmith.create import validation as v
from charmsmith.errors import CharmsmithError


@pytest.mark.parametrize("name", ["congress", "key-manager", "a1", "my-svc2", "x-2fa"])
def test_juju_charm_names_accepted(name):
    assert v.charm_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "Congress",
        "1congress",
        "con_gress",
        "con--gress",
        "congress-",
        "-x",
        "x-2",
        "a-1-b",
        "",
        "a b",
    ],
)
def test_bad_charm_names_rejected_naming_the_field(name):
    with pytest.raises(CharmsmithError) as err:
        v.charm_name(name)
    message = str(err.value)
    assert message.startswith("charm_name: ")
    assert "\n" not in message


def test_charm_name_that_is_a_python_keyword_is_rejected():
    with pytest.raises(CharmsmithError, match="Python module name"):
        v.charm_name("import")


def test_hyphenated_name_gives_an_identifier():
    assert v.charm_ident("key-manager-lite") == "key_manager_lite"
    assert v.charm_ident("key-manager-lite").isidentifier()


@pytest.mark.parametrize("value", ["21", 1789, "65535", " 9292 "])
def test_ports_in_range(value):
    assert 21 <= v.port(value) <= 65535


@pytest.mark.parametrize("value", [0, 20, 65536, -1, "http", "80.5", True, None])
def test_ports_out_of_range_or_not_numbers(value):
    with pytest.raises(CharmsmithError, match=r"^port: "):
        v.port(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("yes", True), (" Y ", True), ("on", True), (False, False), ("NO", False)],
)
def test_yes_no_answers(value, expected):
    assert v.yes_no(value, "certificates") is expected


@pytest.mark.parametrize("value", ["maybe", "", 1, None])
def test_yes_no_refuses_anything_else(value):
    with pytest.raises(CharmsmithError, match=r"^certificates: .* must be yes or no$"):
        v.yes_no(value, "certificates")


def test_privileged_port_warns():
    assert any("privileged" in w for w in v.port_warnings(443, "myservice"))


def test_well_known_openstack_port_warns_unless_it_is_that_service():
    assert any("glance" in w for w in v.port_warnings(9292, "myservice"))
    assert v.port_warnings(9292, "glance") == []
    assert any("keystone" in w for w in v.port_warnings(5000, "myservice"))


def test_port_whose_backend_clashes_warns():
    # haproxy takes 8786, the service itself 8776 - cinder's port
    assert any("8776" in w and "cinder" in w for w in v.port_warnings(8786, "manila"))


def test_releases_come_from_the_runtime():
    from reactive_openstack.releases import CODENAMES

    assert v.known_releases() == CODENAMES
    assert v.release("Diablo") == "diablo"
    assert v.release("flamingo") == "flamingo"


@pytest.mark.parametrize("value", ["zedd", "2023.1", "", "gazpacho"])
def test_unknown_release(value):
    with pytest.raises(CharmsmithError, match=r"^release: "):
        v.release(value)


@pytest.mark.parametrize(
    "name", ["glance-api", "python3-glance-store", "libapache2-mod-wsgi-py3", "g++"]
)
def test_debian_package_names(name):
    assert v.package(name) == name


@pytest.mark.parametrize("name", ["Glance", "g", "-glance", "glance api", "glance_api"])
def test_bad_debian_package_names(name):
    with pytest.raises(CharmsmithError, match=r"^packages: .*Debian package name"):
        v.package(name)


@pytest.mark.parametrize(
    "path", ["etc/x.conf", "/etc/../x.conf", "/etc//x.conf", "/etc/x/", "/", "/etc/./x", "/etc/a b"]
)
def test_config_paths_must_be_absolute_and_normalised(path):
    with pytest.raises(CharmsmithError, match=r"^config_files: "):
        v.config_path(path)


def test_config_files_need_distinct_basenames():
    with pytest.raises(CharmsmithError, match="basename"):
        v.config_paths(["/etc/a/x.conf", "/etc/b/x.conf"])


def test_command_split_with_shlex():
    assert v.command("glance-manage --config-file '/etc/my dir/g.conf' db_sync") == [
        "glance-manage",
        "--config-file",
        "/etc/my dir/g.conf",
        "db_sync",
    ]


@pytest.mark.parametrize(
    "command",
    [
        "a-manage db sync; rm -rf /",
        "a-manage db sync | tee log",
        "a-manage db sync && echo ok",
        "a-manage db sync > /tmp/x",
        "a-manage $HOME",
        "a-manage `id`",
        "a-manage db sync &",
        "a-manage < in",
        ["a-manage", "x;y"],  # argv list arguments are checked too
    ],
)
def test_commands_with_shell_metacharacters_rejected(command):
    with pytest.raises(CharmsmithError, match=r"^db_sync_commands: .*shell metacharacters"):
        v.command(command)


def test_argv_list_arguments_are_kept_as_given():
    assert v.command(["a-manage", "a b"]) == ["a-manage", "a b"]


def test_unbalanced_quotes_reported():
    with pytest.raises(CharmsmithError, match="does not parse"):
        v.command("a-manage 'db sync")


@pytest.mark.parametrize("name", ["glance-api", "apache2", "openstack-glance-api", "x@1"])
def test_service_names(name):
    assert v.service(name, "init_services") == name


@pytest.mark.parametrize("name", ["glance api", "-x", "x/y", "x;y"])
def test_bad_service_names(name):
    with pytest.raises(CharmsmithError, match=r"^init_services: "):
        v.service(name, "init_services")


def test_api_service_must_be_usable_as_a_template_key():
    with pytest.raises(CharmsmithError, match=r"^api_service: .*key"):
        v.api_service("glance@api")


def test_maintainer_format():
    assert v.maintainer("Jane Doe <jane@example.com>")
    with pytest.raises(CharmsmithError, match=r"^maintainer: "):
        v.maintainer("jane@example.com")


def test_jinja_markup_rejected_in_any_text():
    with pytest.raises(CharmsmithError, match="Jinja"):
        v.one_line("{{ evil }}", "summary")
