"""The ceph_pools answer: its forms, its rules, and what a charm with pools gets."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from create_helpers import newer_template

from charmsmith import cli
from charmsmith.create import answers, answers_file, render, update
from charmsmith.create.ceph_pools import PoolAnswer
from charmsmith.errors import CharmsmithError


def resolve(**raw):
    return answers.resolve({"charm_name": "glance", **raw})


@pytest.mark.parametrize(
    "raw",
    [
        ["glance"],
        "glance",
        "glance:3:rbd",
        "[glance]",
        [{"name": "glance"}],
        [{"name": "glance", "replicas": "3", "app-name": "rbd"}],
    ],
)
def test_every_form_of_one_pool_gives_the_defaults(raw):
    assert resolve(ceph_pools=raw).ceph_pools == (PoolAnswer("glance", 3, "rbd"),)


def test_several_pools_keep_their_order_and_values():
    pools = resolve(ceph_pools="images:2 cache:4:rgw").ceph_pools
    assert pools == (PoolAnswer("images", 2, "rbd"), PoolAnswer("cache", 4, "rgw"))


def test_none_by_default_and_blank_is_none():
    assert resolve().ceph_pools == ()
    assert resolve(ceph_pools="").ceph_pools == ()


@pytest.mark.parametrize(
    "raw, rule",
    [
        ("Glance", "pool name 'Glance' must be lowercase letters, digits"),
        (".hidden", "pool name '.hidden' must be"),
        ("x" * 64, "at most 63 characters"),
        ("glance:0", "pool glance: replicas '0' must be a whole number 2-10"),
        ("glance:1", "pool glance: replicas '1' must be a whole number 2-10 (ceph-mon's broker"),
        ("glance:11", "replicas '11' must be a whole number 2-10"),
        ("glance:three", "replicas 'three' must be a whole number"),
        ("glance:3:RBD", "pool glance: application 'RBD' must be a lowercase word"),
        ("glance:3:rbd:x", "'glance:3:rbd:x' must be NAME[:REPLICAS[:APP]]"),
        ("glance glance:2", "pool 'glance' is listed twice"),
        ([{"name": "glance", "size": 3}], "unknown pool key(s) size"),
        ([["glance"]], "must be NAME[:REPLICAS[:APP]]"),
    ],
)
def test_bad_pools_fail_with_one_line_naming_the_field(raw, rule):
    with pytest.raises(CharmsmithError) as err:
        resolve(ceph_pools=raw)
    message = str(err.value)
    assert message.startswith("ceph_pools: ") and rule in message and "\n" not in message


def test_recorded_as_text_and_read_back(tmp_path: Path):
    a = resolve(ceph_pools=[{"name": "glance", "replicas": 2}])
    text = answers_file.dump(a, "6")
    assert 'ceph_pools:\n- "glance:2:rbd"\n' in text
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    assert answers.resolve(answers_file.load(path)) == a


def test_set_on_the_command_line(tmp_path: Path, capsys):
    argv = ["create", "glance", "--defaults", "--set", "ceph_pools=glance", "-o", str(tmp_path)]
    assert cli.main(argv) == 0
    meta = yaml.safe_load((tmp_path / "glance" / "metadata.yaml").read_text())
    assert meta["requires"]["ceph"] == {"interface": "ceph-client"}


def test_bad_pool_on_the_command_line_writes_nothing(tmp_path: Path, capsys):
    argv = ["create", "glance", "--defaults", "--set", "ceph_pools=glance:0", "-o", str(tmp_path)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("charmsmith: error: ceph_pools: pool glance: replicas '0'")
    assert "\n" not in err and list(tmp_path.iterdir()) == []


def test_glance_with_a_pool_gets_relation_wiring_and_rbd_store(tmp_path: Path):
    a = resolve(
        ceph_pools="glance",
        api_service="glance-api",
        config_files="/etc/glance/glance-api.conf",
        certificates="no",
    )
    charm = render.render(a, tmp_path)
    meta = yaml.safe_load((charm / "metadata.yaml").read_text())
    assert meta["requires"] == {"ceph": {"interface": "ceph-client"}}
    layer = yaml.safe_load((charm / "layer.yaml").read_text())
    assert layer["includes"] == ["layer:charmsmith-openstack-api", "interface:ceph-client"]
    handlers = (charm / "reactive" / "glance_handlers.py").read_text()
    assert '    "ceph.connected",\n' in handlers
    cls = (charm / "lib" / "charm" / "openstack" / "glance.py").read_text()
    assert 'ro.CephPool("glance", replicas=3, app_name="rbd"),' in cls
    assert 'ceph_services = ["glance-api"]' in cls
    assert '"identity-service", "ceph"]' in cls
    config = (charm / "templates" / a.release / "glance-api.conf").read_text()
    assert "{% if ceph.pools_available %}\nenabled_backends = ceph:rbd\n{% endif %}" in config
    assert "rbd_store_pool = {{ ceph.pool }}\nrbd_store_user = {{ ceph.user }}\n" in config
    assert "rbd_store_ceph_conf = {{ ceph.conf_path }}\n" in config
    assert (charm / "unit_tests" / "test_glance_ceph.py").exists()
    bundle = yaml.safe_load((charm / "tests" / "bundles" / "noble-caracal.yaml").read_text())
    assert ["glance:ceph", "ceph-mon:client"] in bundle["relations"]
    assert bundle["applications"]["ceph-osd"]["channel"] == "reef/edge"


def test_other_services_get_a_hint_not_a_glance_store(tmp_path: Path):
    a = answers.resolve({"charm_name": "cinder", "ceph_pools": "volumes backups:2"})
    charm = render.render(a, tmp_path)
    config = (charm / "templates" / a.release / "cinder.conf").read_text()
    assert "rbd_store" not in config and "enabled_backends" not in config
    assert "ceph.pool_names (volumes, backups)" in config


def test_without_pools_nothing_of_ceph(tmp_path: Path):
    charm = render.render(resolve(), tmp_path)
    files = [p for p in charm.rglob("*") if ".charmsmith" not in p.parts]
    assert not any("ceph" in p.read_text() for p in files if p.is_file() and p.suffix != ".svg")


def test_update_carries_the_pools_into_a_newer_template(tmp_path: Path):
    charm = render.render(resolve(ceph_pools="glance:2"), tmp_path / "charms")
    current = render.template_version()
    newer = newer_template(tmp_path / "template-next")
    report = update.update_charm(charm, template_dir=newer)
    assert not report.conflicts
    recorded = answers_file.load(charm / answers_file.ANSWERS_FILE)
    assert recorded["ceph_pools"] == ["glance:2:rbd"]
    assert recorded["_template_version"] == str(int(current) + 1)
    assert "interface: ceph-client" in (charm / "metadata.yaml").read_text()


def test_a_long_pool_name_is_laid_out_within_the_line_limit(tmp_path: Path):
    long_name = "p" * 63
    charm = render.render(resolve(ceph_pools=f"{long_name}:3:cephfs short"), tmp_path)
    source = (charm / "lib" / "charm" / "openstack" / "glance.py").read_text()
    compile(source, "glance.py", "exec")
    assert max(len(line) for line in source.splitlines()) <= 99
    assert f'            "{long_name}",\n' in source
    assert '        ro.CephPool("short", replicas=3, app_name="rbd"),\n' in source
