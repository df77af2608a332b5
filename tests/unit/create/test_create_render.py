"""Rendering: same answers give the same bytes; the unit's Jinja survives cookiecutter."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from create_helpers import tree

from charmsmith.create import answers, answers_file, context, render
from charmsmith.create.answers import Answers


def resolve(**raw) -> Answers:
    return answers.resolve({"charm_name": "widget", **raw})


def test_flat_layout(tmp_path: Path):
    charm = render.render(resolve(release="zed"), tmp_path)
    files = set(tree(charm))
    for expected in [
        "layer.yaml",
        "metadata.yaml",
        "config.yaml",
        "reactive/widget_handlers.py",
        "lib/charm/openstack/widget.py",
        "templates/zed/widget.conf",
        "wheelhouse.txt",
        "unit_tests/test_widget_charm.py",
        "copyright",
        "README.md",
        "icon.svg",
        "tox.ini",
        "charmcraft.yaml",
        "tests/tests.yaml",
        "tests/bundles/jammy-zed.yaml",
        "tests/bundles/noble-caracal.yaml",
        "tests/widget_functional.py",
        ".charmsmith/runtime/reactive-openstack.tar.gz",
        ".charmsmith/layers/charmsmith-openstack-api/layer.yaml",
        ".charmsmith/interfaces/keystone/interface.yaml",
        ".charmsmith/pack_charm.py",
        ".charmsmith/MANIFEST",
        ".charmsmith-answers.yaml",
    ]:
        assert expected in files
    assert not any(name.endswith(".in") for name in files)


def test_same_answers_same_bytes_across_processes(tmp_path: Path):
    """Different hash seeds must not change a byte (no set() ordering anywhere)."""
    script = (
        "import sys; from pathlib import Path; from charmsmith.create import answers, render;"
        "a = answers.resolve({'charm_name': 'a-b', 'packages': 'z-api y-api x-common a-b-common',"
        " 'init_services': 'z-api y-api x-worker'});"
        "render.render(a, Path(sys.argv[1]))"
    )
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env)
        trees.append(tree(out / "a-b"))
    assert trees[0] == trees[1]


def test_hyphenated_name_gives_importable_module_names(tmp_path: Path):
    charm = render.render(resolve(charm_name="key-manager-lite"), tmp_path)
    lib = charm / "lib/charm/openstack/key_manager_lite.py"
    handlers = charm / "reactive/key_manager_lite_handlers.py"
    assert "class KeyManagerLiteCharm(ro.HAOpenStackCharm):" in lib.read_text()
    assert "from charm.openstack.key_manager_lite import registry" in handlers.read_text()
    for path in (lib, handlers, *charm.glob("unit_tests/*.py")):
        ast.parse(path.read_text())


def test_charm_class_attributes_are_literals_not_reprs(tmp_path: Path):
    a = resolve(
        db_sync_commands=["widget-manage db sync", ["widget-manage", "x", "two words"]],
        config_files="/etc/widget/widget.conf /etc/widget/paste.ini",
    )
    source = (render.render(a, tmp_path) / "lib/charm/openstack/widget.py").read_text()
    tree_ = ast.parse(source)
    cls = next(n for n in tree_.body if isinstance(n, ast.ClassDef))
    values = {}
    for node in cls.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            values[target.id] = ast.literal_eval(node.value)
    assert values["sync_commands"] == [
        ["widget-manage", "db", "sync"],
        ["widget-manage", "x", "two words"],
    ]
    assert values["restart_map"] == {
        "/etc/widget/widget.conf": ["widget-api"],
        "/etc/widget/paste.ini": ["widget-api"],
    }
    assert values["api_ports"] == {"widget-api": {"public": 8700, "admin": 8700, "internal": 8700}}
    assert values["release"] == "caracal"
    assert values["package_codenames"]["1"] == "caracal"
    assert "python-apt" not in source


def test_config_templates_keep_the_units_jinja(tmp_path: Path):
    charm = render.render(resolve(api_service="widget-server"), tmp_path)
    text = (charm / "templates/caracal/widget.conf").read_text()
    assert "bind_host = {{ options.service_listen_info.widget_server.ip }}" in text
    assert "bind_port = {{ options.service_listen_info.widget_server.port }}" in text
    for part in (
        "section-transport-url",
        "section-database",
        "section-keystone-authtoken",
        "section-oslo-messaging-rabbit",
        "section-oslo-middleware",
        "section-oslo-policy",
    ):
        assert f'{{% include "parts/{part}" %}}' in text
    assert "[[" not in text


def test_one_config_template_per_managed_file(tmp_path: Path):
    a = resolve(release="bobcat", config_files="/etc/w/a.conf /etc/w/b.conf /etc/w/c.ini")
    charm = render.render(a, tmp_path)
    assert sorted(p.name for p in (charm / "templates/bobcat").iterdir()) == [
        "a.conf",
        "b.conf",
        "c.ini",
    ]


@pytest.mark.parametrize(
    ("release", "origin", "bundles"),
    [
        ("diablo", "distro", {"jammy-yoga": "yoga/edge", "noble-caracal": "2024.1/edge"}),
        ("yoga", "distro", {"jammy-yoga": "yoga/edge", "noble-caracal": "2024.1/edge"}),
        ("zed", "cloud:jammy-zed", {"jammy-zed": "zed/edge", "noble-caracal": "2024.1/edge"}),
        (
            "bobcat",
            "cloud:jammy-bobcat",
            {"jammy-bobcat": "2023.2/edge", "noble-caracal": "2024.1/edge"},
        ),
        (
            "caracal",
            "distro",
            {"jammy-caracal": "2024.1/edge", "noble-caracal": "2024.1/edge"},
        ),
        ("flamingo", "cloud:noble-flamingo", {"noble-flamingo": "2025.2/edge"}),
    ],
)
def test_openstack_origin_default_and_bundles(tmp_path: Path, release, origin, bundles):
    """One zaza bundle per series that can run the release, keystone from the release's track."""
    charm = render.render(resolve(release=release), tmp_path)
    config = yaml.safe_load((charm / "config.yaml").read_text())
    assert config["options"]["openstack-origin"]["default"] == origin
    assert sorted(p.stem for p in (charm / "tests/bundles").iterdir()) == sorted(bundles)
    tests = yaml.safe_load((charm / "tests/tests.yaml").read_text())
    assert tests["gate_bundles"] == list(bundles)
    assert "tests_options" not in tests  # no force_deploy: every bundle is a supported series
    assert tests["tests"] == ["tests.widget_functional.WidgetCharmTest"]
    for name, channel in bundles.items():
        data = yaml.safe_load((charm / f"tests/bundles/{name}.yaml").read_text())
        assert data["local_overlay_enabled"] is False
        assert data["series"] == name.split("-")[0]
        apps = data["applications"]
        assert {"keystone", "mysql-innodb-cluster", "rabbitmq-server", "widget-mysql-router"} <= (
            set(apps)
        )
        assert apps["keystone"]["channel"] == channel
        assert apps["widget"]["charm"] == "../../widget.charm"


def test_functional_test_class_checks_the_service(tmp_path: Path):
    """The zaza class has real test methods: catalog, authenticated call, restart, pause."""
    import ast

    charm = render.render(resolve(release="zed"), tmp_path)
    source = (charm / "tests/widget_functional.py").read_text()
    module = ast.parse(source)
    (cls,) = [n for n in module.body if isinstance(n, ast.ClassDef)]
    assert cls.name == "WidgetCharmTest"
    tests = [n.name for n in cls.body if isinstance(n, ast.FunctionDef) and n.name[:5] == "test_"]
    assert len(tests) >= 4
    assert "get_endpoint" in source and "restart_on_changed_debug_oslo_config_file" in source
    assert 'CONFIG_FILE = "/etc/widget/widget.conf"' in source


def test_metadata_and_yaml_files_parse(tmp_path: Path):
    a = resolve(summary="Widget: the API", description="First: line\n\n- second")
    charm = render.render(a, tmp_path)
    meta = yaml.safe_load((charm / "metadata.yaml").read_text())
    assert meta["name"] == "widget"
    assert meta["summary"] == "Widget: the API"
    assert meta["description"] == "First: line\n\n- second\n"
    assert meta["tags"] == ["openstack"]
    assert meta["series"] == ["jammy", "noble"]
    assert meta["requires"] == {"certificates": {"interface": "tls-certificates"}}
    layer = yaml.safe_load((charm / "layer.yaml").read_text())
    assert layer["includes"] == ["layer:charmsmith-openstack-api", "interface:tls-certificates"]
    yaml.safe_load((charm / "charmcraft.yaml").read_text())


def test_certificates_answer_no_leaves_the_relation_out(tmp_path: Path):
    charm = render.render(resolve(certificates="no"), tmp_path)
    assert "requires" not in yaml.safe_load((charm / "metadata.yaml").read_text())
    layer = yaml.safe_load((charm / "layer.yaml").read_text())
    assert layer["includes"] == ["layer:charmsmith-openstack-api"]
    handlers = (charm / "reactive" / "widget_handlers.py").read_text()
    assert "certificates" not in handlers


def test_copyright_is_dep5_apache(tmp_path: Path):
    text = (render.render(resolve(), tmp_path) / "copyright").read_text()
    assert text.startswith(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    )
    assert "License: Apache-2.0" in text


def test_recorded_answers_reproduce_the_charm(tmp_path: Path):
    a = resolve(db_sync_commands=["widget-manage db sync", "widget-manage db migrate"])
    first = render.render(a, tmp_path / "one")
    again = answers.resolve(answers_file.load(first / answers_file.ANSWERS_FILE))
    second = render.render(again, tmp_path / "two")
    assert tree(first) == tree(second)


def test_py_literal_layout():
    assert context.py(["a", "b"]) == '["a", "b"]'
    long = [f"package-number-{i}" for i in range(8)]
    text = context.py(long, 4, 11)
    assert text.startswith("[\n        ")
    assert text.endswith(",\n    ]")
    assert ast.literal_eval(text) == long
    assert context.py({}) == "{}"


def test_class_names():
    assert context.class_name("key-manager-lite") == "KeyManagerLiteCharm"
    assert context.class_name("x-2fa") == "X2faCharm"
