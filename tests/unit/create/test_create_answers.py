"""Answers: parsing of lists and commands, derived defaults, codename tables, text forms."""

from __future__ import annotations

import json

import pytest

from charmsmith.create import answers, defaults
from charmsmith.errors import CharmsmithError


def test_defaults_follow_the_charm_name():
    a = answers.resolve({"charm_name": "widget"})
    assert a.service_name == "widget"
    assert a.api_service == "widget-api"
    assert a.packages == ("widget-api", "widget-common")
    assert a.init_services == ("widget-api",)
    assert a.config_files == ("/etc/widget/widget.conf",)
    assert a.db_sync_commands == (("widget-manage", "db", "sync"),)
    assert a.release_package == "widget-common"
    assert a.release == "caracal"


def test_known_services_default_to_their_type_and_port():
    a = answers.resolve({"charm_name": "glance"})
    assert (a.service_type, a.port) == ("image", 9292)
    assert a.warnings == ()


def test_later_defaults_follow_earlier_answers():
    a = answers.resolve({"charm_name": "congress", "api_service": "congress-server"})
    assert a.packages == ("congress-server", "congress-common")
    assert a.init_services == ("congress-server",)


@pytest.mark.parametrize(
    "value", ["a-api b-common", ["a-api", "b-common"], "[a-api, b-common]", "  a-api   b-common "]
)
def test_lists_accept_yaml_lists_and_space_separated_text(value):
    assert answers.resolve({"charm_name": "a", "packages": value}).packages == ("a-api", "b-common")


def test_duplicate_list_entries_rejected():
    with pytest.raises(CharmsmithError, match=r"^packages: .*twice"):
        answers.resolve({"charm_name": "a", "packages": "x-api x-api"})


def test_db_sync_commands_forms():
    one = answers.resolve({"charm_name": "a", "db_sync_commands": "a-manage db sync"})
    assert one.db_sync_commands == (("a-manage", "db", "sync"),)
    several = answers.resolve(
        {
            "charm_name": "a",
            "db_sync_commands": ["a-manage db sync", ["a-manage", "--opt", "two words"]],
        }
    )
    assert several.db_sync_commands == (
        ("a-manage", "db", "sync"),
        ("a-manage", "--opt", "two words"),
    )
    flow = answers.resolve({"charm_name": "a", "db_sync_commands": '[["x-sync"], ["y-sync"]]'})
    assert flow.db_sync_commands == (("x-sync",), ("y-sync",))


@pytest.mark.parametrize(
    ("package", "release", "first", "last"),
    [
        ("glance-common", "zed", ("25", "zed"), ("31", "flamingo")),
        ("aodh-common", "mitaka", ("2", "mitaka"), ("21", "flamingo")),
        ("barbican-common", "yoga", ("14", "yoga"), ("21", "flamingo")),
        ("designate-common", "caracal", ("18", "caracal"), ("21", "flamingo")),
        ("placement-common", "caracal", ("11", "caracal"), ("14", "flamingo")),
        ("nova-common", "antelope", ("27", "antelope"), ("32", "flamingo")),
        ("neutron-common", "yoga", ("20", "yoga"), ("27", "flamingo")),
        ("keystone", "zed", ("22", "zed"), ("28", "flamingo")),
        ("congress-common", "mitaka", ("3", "mitaka"), ("10", "train")),
    ],
)
def test_builtin_codename_tables(package, release, first, last):
    table, known = defaults.codenames(package, release)
    assert known
    assert table[0] == first
    assert table[-1] == last


def test_unknown_release_package_gets_a_table_where_the_earliest_release_maps():
    a = answers.resolve({"charm_name": "widget", "release": "bobcat"})
    assert a.package_codenames[0] == ("1", "bobcat")
    assert any("no built-in version table" in w for w in a.warnings)


def test_codenames_text_and_mapping_forms():
    text = answers.resolve({"charm_name": "a", "package_codenames": "15:yoga 16=zed"})
    mapping = answers.resolve({"charm_name": "a", "package_codenames": {16: "zed", "15": "yoga"}})
    assert text.package_codenames == mapping.package_codenames == (("15", "yoga"), ("16", "zed"))
    with pytest.raises(CharmsmithError, match=r"^package_codenames: "):
        answers.resolve({"charm_name": "a", "package_codenames": "15:yogurt"})


def test_unknown_key_rejected():
    with pytest.raises(CharmsmithError, match=r"^colour: unknown answer key"):
        answers.resolve({"charm_name": "a", "colour": "blue"})


def test_charm_name_required():
    with pytest.raises(CharmsmithError, match=r"^charm_name: is required"):
        answers.resolve({})


def test_text_forms_round_trip():
    a = answers.resolve(
        {"charm_name": "glance", "db_sync_commands": ["glance-manage db_sync", "glance-manage x"]}
    )
    assert answers.resolve(answers.to_text(a)) == a
    assert json.loads(answers.to_text(a)["db_sync_commands"]) == [
        ["glance-manage", "db_sync"],
        ["glance-manage", "x"],
    ]


def test_parse_set():
    assert answers.parse_set(["port=9000", "summary=a=b"]) == {"port": "9000", "summary": "a=b"}
    with pytest.raises(CharmsmithError, match="KEY=VALUE"):
        answers.parse_set(["port"])
    with pytest.raises(CharmsmithError, match="unknown answer key"):
        answers.parse_set(["prot=1"])


def test_maintainer_from_debian_environment(monkeypatch):
    monkeypatch.setenv("DEBFULLNAME", "Jane Doe")
    monkeypatch.setenv("DEBEMAIL", "jane@example.com")
    assert answers.resolve({"charm_name": "a"}).maintainer == "Jane Doe <jane@example.com>"
    monkeypatch.delenv("DEBEMAIL")
    assert answers.resolve({"charm_name": "a"}).maintainer == defaults.PLACEHOLDER_MAINTAINER
