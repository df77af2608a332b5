"""Policy overrides: the policyd-override zip validated, written to policy.d, removed, reported."""

from __future__ import annotations

import io
import zipfile

import pytest
from reactive_openstack.releases import KV_RELEASE_KEY
from reactive_openstack.testing import FileRecord

from .sample import make_registry, ready_host

ZIP_PATH = "/var/lib/juju/agents/unit-congress-0/resources/policyd-override/overrides.zip"
POLICY_D = "/etc/congress/policy.d"


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _unit(zip_bytes: bytes | None = None, enabled: bool = True):
    host = ready_host(kv={KV_RELEASE_KEY: "yoga"})
    host.config_values["use-policyd-override"] = enabled
    if zip_bytes is not None:
        host.resources = {"policyd-override": ZIP_PATH}
        _attach(host, zip_bytes)
    registry, _, _ = make_registry()
    registry.host = host
    return host, registry.instance()


def _attach(host, zip_bytes: bytes) -> None:
    host.files[ZIP_PATH] = FileRecord(zip_bytes)


GOOD = {"deny.yaml": 'get_images: "role:admin"\n', "extra/more.yml": "add_image: ''\n"}


def test_valid_zip_is_written_read_only_for_the_service_and_prefixes_the_status():
    host, charm = _unit(make_zip(GOOD))
    charm.config_changed()
    host.run_atexit()
    deny, more = host.files[f"{POLICY_D}/deny.yaml"], host.files[f"{POLICY_D}/more.yaml"]
    assert deny.content == b"get_images: role:admin\n"
    assert more.content == b"add_image: ''\n"
    assert (deny.mode, deny.owner, deny.group) == (0o640, "root", "congress")
    assert host.status == ("active", "PO: Unit is ready")


def test_option_off_removes_exactly_the_files_written():
    host, charm = _unit(make_zip(GOOD))
    host.files[f"{POLICY_D}/operator-note.yaml"] = FileRecord(b"# not ours\n")
    charm.config_changed()
    assert host.restarted() == []  # the service reads a new policy.d file by itself
    host.config_values["use-policyd-override"] = False
    charm.config_changed()
    host.run_atexit()
    assert sorted(host.removed) == [f"{POLICY_D}/deny.yaml", f"{POLICY_D}/more.yaml"]
    # oslo.policy keeps a deleted file's rules until a restart: every service restarts once
    assert sorted(host.restarted()) == sorted(charm.services)
    assert f"{POLICY_D}/operator-note.yaml" in host.files
    assert host.status == ("active", "Unit is ready")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"bad.yaml": "get_images: [unclosed\n"}, "bad.yaml: not valid YAML at line 2"),
        ({"list.yaml": "- a\n- b\n"}, "list.yaml: not a mapping of rule names to rules"),
        (
            {"num.yaml": "get_images: 3\n"},
            "num.yaml: rule 'get_images' must be a string check, not 3",
        ),
        ({"name.yaml": "'get images': ''\n"}, "name.yaml: 'get images' is not a policy rule name"),
        ({"readme.txt": "hello"}, "policyd-override: the zip holds no .yaml or .yml file"),
        (
            {"a/x.yaml": "a: ''\n", "b/x.yml": "b: ''\n"},
            "a/x.yaml and b/x.yml: both would be policy.d/x.yaml",
        ),
    ],
)
def test_bad_zip_blocks_naming_the_file_and_keeps_the_previous_policy(files, message):
    host, charm = _unit(make_zip(GOOD))
    charm.config_changed()
    before = {p: r.content for p, r in host.files.items() if p.startswith(POLICY_D)}
    _attach(host, make_zip(files))
    charm.upgrade_charm()  # Juju fires upgrade-charm when a resource is attached
    charm._assess_status()
    assert host.status == ("blocked", f"PO (broken): policyd-override not applied: {message}")
    assert {p: r.content for p, r in host.files.items() if p.startswith(POLICY_D)} == before

    # a good zip again clears the block
    _attach(host, make_zip({"deny.yaml": 'get_images: "!"\n'}))
    charm.upgrade_charm()
    charm._assess_status()
    assert host.status == ("active", "PO: Unit is ready")
    assert sorted(p for p in host.files if p.startswith(POLICY_D)) == [f"{POLICY_D}/deny.yaml"]


def test_blacklisted_key_is_refused():
    host, charm = _unit(make_zip({"admin.yaml": 'admin_required: "@"\n'}))
    type(charm).policyd_blacklist_keys = ["admin_required"]
    charm.config_changed()
    charm._assess_status()
    assert host.status == (
        "blocked",
        "PO (broken): policyd-override not applied: admin.yaml: rule 'admin_required' "
        "may not be overridden by this charm",
    )
    assert not any(p.startswith(POLICY_D) for p in host.files)


def test_not_a_zip_and_no_resource_block_with_the_reason():
    host, charm = _unit(b"PK-not-really")
    charm.config_changed()
    charm._assess_status()
    assert (
        host.status[1]
        == "PO (broken): policyd-override not applied: policyd-override: not a zip file"
    )

    host, charm = _unit(None)
    charm.config_changed()
    charm._assess_status()
    assert host.status == (
        "blocked",
        "PO (broken): policyd-override not applied: use-policyd-override is set but no "
        "policyd-override resource is attached",
    )


def test_unchanged_resource_is_not_written_again():
    host, charm = _unit(make_zip(GOOD))
    charm.config_changed()
    host.writes.clear()
    charm.config_changed()
    assert host.writes == []


def test_option_off_and_nothing_written_costs_no_resource_get():
    host, charm = _unit(make_zip(GOOD), enabled=False)
    charm.config_changed()
    assert "resource-get" not in host.tool_calls
    assert not any(p.startswith(POLICY_D) for p in host.files)
