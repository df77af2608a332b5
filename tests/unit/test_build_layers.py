"""Fast checks of `charmsmith build` and the base layer's unit-side code (no charm-tools run).

The base layer's Python runs on units, not in charmsmith, so it is imported from the layer's
package data directory exactly as a built charm would import it from ``lib/``.
"""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from charmsmith import build
from charmsmith.errors import CharmsmithError

LAYERS = build.LAYERS_DIR


def test_layer_names_are_ours_and_not_upstream_index_names():
    names = sorted(p.name for p in LAYERS.iterdir() if p.is_dir())
    assert names == ["charmsmith-base", "charmsmith-openstack", "charmsmith-openstack-api"]


def test_hook_template_survives_str_format_and_is_valid_sh(tmp_path):
    template = (LAYERS / "charmsmith-base/hooks/hook.template").read_text()
    rendered = template.format("install")  # what charm-tools does to it
    hook = tmp_path / "install"
    hook.write_text(rendered)
    assert subprocess.run(["sh", "-n", str(hook)]).returncode == 0
    assert "${JUJU_CHARM_DIR:-${0%/*}/..}" in rendered
    assert "../.venv/bin/python" in rendered


def test_action_scripts_are_executable_sh_calling_runtime_actions():
    for action in ("pause", "resume", "restart-services", "openstack-upgrade"):
        path = LAYERS / "charmsmith-openstack/actions" / action
        assert path.stat().st_mode & 0o111
        assert subprocess.run(["sh", "-n", str(path)]).returncode == 0
        assert "reactive_openstack.actions:main" in path.read_text()
    declared = yaml.safe_load((LAYERS / "charmsmith-openstack/actions.yaml").read_text())
    assert sorted(declared) == ["openstack-upgrade", "pause", "restart-services", "resume"]


def test_base_wheelhouse_avoids_cython_builds_and_ships_build_backends():
    lines = (LAYERS / "charmsmith-base/wheelhouse.txt").read_text().splitlines()
    reqs = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    only_binary = next(r for r in reqs if r.startswith("--only-binary"))
    assert {"cython", "setuptools", "flit_core", "pbr"} <= set(only_binary.split()[1].split(","))
    for name in ("setuptools<82", "flit_core", "charms.reactive", "charmhelpers"):
        assert name in reqs
    # no environment markers or Python-specific pins: one wheelhouse for 3.10 and 3.12
    assert not any(";" in r or "python_version" in r for r in reqs)


def test_api_layer_metadata_and_config():
    layer = LAYERS / "charmsmith-openstack-api"
    meta = yaml.safe_load((layer / "metadata.yaml").read_text())
    assert meta["requires"]["ha"] == {"interface": "hacluster", "scope": "container"}
    assert meta["requires"]["shared-db"]["interface"] == "mysql-shared"
    assert meta["peers"]["cluster"]["interface"] == "openstack-ha"
    assert sorted(meta["extra-bindings"]) == ["admin", "internal", "public"]
    resource = meta["resources"]["policyd-override"]
    assert (resource["type"], resource["filename"]) == ("file", "policyd-override.zip")
    options = yaml.safe_load((layer / "config.yaml").read_text())["options"]
    for name in (
        "openstack-origin action-managed-upgrade region vip vip_iface vip_cidr worker-multiplier "
        "haproxy-server-timeout haproxy-client-timeout haproxy-queue-timeout "
        "haproxy-connect-timeout dns-ha os-public-network os-internal-network os-admin-network "
        "os-public-hostname os-internal-hostname os-admin-hostname enforce-new-policy-defaults "
        "use-policyd-override"
    ).split():
        assert options[name]["description"], name
    assert options["openstack-origin"]["default"] == "distro"
    assert options["region"]["default"] == "RegionOne"
    includes = yaml.safe_load((layer / "layer.yaml").read_text())["includes"]
    assert includes[0] == "layer:charmsmith-openstack"
    wanted = {"keystone", "mysql-shared", "rabbitmq", "hacluster", "openstack-ha"}
    assert {x.split(":", 1)[1] for x in includes if x.startswith("interface:")} == wanted


def test_config_flags_first_hook_everything_changed(base_lib):
    flags = base_lib.base.compute_config_flags(
        {"debug": False, "region": "RegionOne", "vip": None}, None, {"debug": False, "region": "R"}
    )
    assert "config.changed" in flags
    assert {"config.changed.debug", "config.changed.region", "config.changed.vip"} <= flags
    assert "config.set.region" in flags and "config.set.debug" not in flags
    assert "config.default.debug" in flags and "config.default.region" not in flags


def test_config_flags_only_changed_options(base_lib):
    previous = {"debug": False, "region": "RegionOne"}
    current = {"debug": True, "region": "RegionOne"}
    flags = base_lib.base.compute_config_flags(current, previous, {"debug": False})
    assert {"config.changed", "config.changed.debug", "config.set.debug"} <= flags
    assert "config.changed.region" not in flags
    assert base_lib.base.compute_config_flags(previous, previous, {}) == {"config.set.region"}


def test_config_flags_absent_and_unset_options_are_equal(base_lib):
    """An option without a default is null in one hook's config and absent in the stored one
    (or the other way round): that is no change, so no config.changed handler runs."""
    stored = {"debug": False, "region": "RegionOne"}
    current = {"debug": False, "region": "RegionOne", "vip": None, "ssl_cert": None}
    assert base_lib.base.compute_config_flags(current, stored, {"debug": False}) == {
        "config.set.region",
        "config.default.debug",
    }
    assert "config.changed" not in base_lib.base.compute_config_flags(stored, current, {})
    dropped = base_lib.base.compute_config_flags({"debug": False}, stored, {})
    assert {"config.changed", "config.changed.region"} <= dropped


def _recording_log(base_lib, limit=131071):
    sent: list[tuple[str, str]] = []
    return sent, base_lib.hooklog.HookLog(lambda msg, lvl: sent.append((msg, lvl)), limit)


def test_hook_log_batches_lines_below_warning_into_one_call(base_lib):
    sent, log = _recording_log(base_lib)
    log.log("Reactive main running for hook config-changed", "INFO")
    log.log("tracer: ++ queue handler x", "DEBUG")
    log.log({"not": "a string"})
    assert sent == []
    log.flush()
    assert sent == [
        (
            "INFO: Reactive main running for hook config-changed\n"
            "DEBUG: tracer: ++ queue handler x\n"
            "INFO: {'not': 'a string'}",
            "INFO",
        )
    ]
    log.flush()
    assert len(sent) == 1, "an empty buffer writes nothing"


def test_hook_log_writes_warnings_at_once_after_what_came_before(base_lib):
    sent, log = _recording_log(base_lib)
    log.log("before", "DEBUG")
    log.log("Hook error: Traceback ...", "ERROR")
    assert sent == [("DEBUG: before", "DEBUG"), ("Hook error: Traceback ...", "ERROR")]


def test_hook_log_splits_a_batch_at_the_argument_limit(base_lib):
    sent, log = _recording_log(base_lib, limit=24)
    for word in ("alpha", "beta", "gamma", "delta"):
        log.log(word, "INFO")
    log.flush()
    assert [m for m, _ in sent] == ["INFO: alpha\nINFO: beta", "INFO: gamma\nINFO: delta"]
    assert all(len(m) <= 24 for m, _ in sent)


@pytest.mark.parametrize(("debug", "kept"), [(False, False), (True, True)])
def test_flag_tracer_is_kept_only_with_debug(base_lib, monkeypatch, debug, kept):
    """charms.reactive's LogTracer re-reads every flag on each change: off unless debug."""
    from charmhelpers.core import hookenv
    from charms.reactive import trace

    monkeypatch.setattr(hookenv, "config", lambda: {"debug": debug})
    trace.install_tracer(trace.LogTracer())
    try:
        base_lib.base.quiet_tracer_unless_debug()
        assert isinstance(trace.tracer(), trace.LogTracer) is kept
    finally:
        trace.install_tracer(trace.NullTracer())


def test_pip_env_hides_host_configuration(base_lib, monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    monkeypatch.setenv("PIP_INDEX_URL", "https://example.invalid/simple")
    env = base_lib.boot.pip_env()
    assert env["PIP_CONFIG_FILE"] == "/dev/null"
    assert env["PIP_NO_INDEX"] == "1"
    assert "PIP_FIND_LINKS" not in env and "PIP_INDEX_URL" not in env


def test_bootstrap_stages_put_build_backends_first(base_lib):
    files = [
        "/w/charmhelpers-1.2.1.tar.gz",
        "/w/flit_core-4.2.0.tar.gz",
        "/w/pbr-7.1.3.tar.gz",
        "/w/setuptools-81.0.0.tar.gz",
        "/w/Jinja2-3.1.6.tar.gz",
        "/w/wheel-0.48.0-py3-none-any.whl",
    ]
    stages = base_lib.boot.plan_stages(files)
    assert [sorted(Path(f).name for f in s) for s in stages] == [
        ["flit_core-4.2.0.tar.gz", "setuptools-81.0.0.tar.gz", "wheel-0.48.0-py3-none-any.whl"],
        ["pbr-7.1.3.tar.gz"],
        ["Jinja2-3.1.6.tar.gz", "charmhelpers-1.2.1.tar.gz"],
    ]
    wheels = ["/w/a-1-py3-none-any.whl", "/w/setuptools-81-py3-none-any.whl"]
    assert base_lib.boot.plan_stages(wheels) == [wheels]
    assert base_lib.boot.project_name("charms.reactive-1.5.3.tar.gz") == "charms-reactive"


def test_options_reader(base_lib, tmp_path):
    layer = tmp_path / "layer.yaml"
    layer.write_text(
        'options:\n  charmsmith-base:\n    update_status_entry: "m:f"\n'
        '    include_system_packages: !!bool "false"\n  sample-api: {}\n'
    )
    get = base_lib.options.get
    assert get("charmsmith-base", "update_status_entry", layer_file=str(layer)) == "m:f"
    assert get("charmsmith-base", "include_system_packages", layer_file=str(layer)) is False
    assert get("nope", layer_file=str(layer)) == {}
    assert get("sample-api", "x", layer_file=str(layer)) is None


def test_build_rejects_a_non_charm(tmp_path):
    (tmp_path / "metadata.yaml").write_text("name: x\n")
    with pytest.raises(CharmsmithError, match=r"not a charm source \(no layer.yaml\)"):
        build.build_charm(tmp_path, tmp_path / "out", progress=lambda _l: None)


def test_build_reports_missing_charm_tools(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "layer.yaml").write_text("includes: []\n")
    (src / "metadata.yaml").write_text("name: x\n")
    monkeypatch.setattr(build.sys, "executable", str(tmp_path / "nobin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CharmsmithError, match="charm-build.*install charm-tools"):
        build.build_charm(src, tmp_path / "out", progress=lambda _l: None)


def test_runtime_sdist_is_the_installed_runtime_with_its_templates(tmp_path):
    sdist = build.make_runtime_sdist(tmp_path)
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert any(n.endswith("reactive_openstack/__init__.py") for n in names)
    assert any(n.endswith("reactive_openstack/templates/haproxy.cfg") for n in names)
    assert any("/templates/parts/" in n for n in names)


def test_output_nested_in_source_is_refused_and_default_avoids_it(tmp_path, monkeypatch):
    src = tmp_path / "charm"
    src.mkdir()
    (src / "layer.yaml").write_text("includes: []\n")
    (src / "metadata.yaml").write_text("name: x\n")
    with pytest.raises(CharmsmithError, match="inside the charm source"):
        build.build_charm(src, src / "build", progress=lambda _l: None)
    monkeypatch.chdir(src)
    assert build.default_output(src.resolve()) == tmp_path.resolve() / "build"
    monkeypatch.chdir(tmp_path)
    assert build.default_output(src.resolve()) == tmp_path.resolve() / "build"


def test_runtime_wheel_is_a_valid_pure_wheel_of_the_installed_runtime(tmp_path):
    import base64
    import hashlib
    import zipfile

    wheel = build.make_runtime_wheel(tmp_path)
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD"))
        record = archive.read(f"{info}/RECORD").decode().splitlines()
        metadata = archive.read(f"{info}/METADATA").decode()
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            if name.endswith("RECORD"):
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode() and int(size) == len(data), name
    assert "reactive_openstack/templates/haproxy.cfg" in names
    assert "Name: reactive-openstack" in metadata
    assert "Requires-Dist: charms.reactive" in metadata.replace(
        "charms-reactive", "charms.reactive"
    )


def test_proof_warnings_fail_the_build_with_the_proof_lines(tmp_path, monkeypatch):
    """charm-build exits 100 when its proof step warns: a failure, with the W: lines shown."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "layer.yaml").write_text("includes: []\n")
    (src / "metadata.yaml").write_text("name: x\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "charm-build").write_text(
        "#!/bin/sh\necho 'build: Processing layer: x'\necho 'proof: W: no README file'\n"
        "echo 'proof: I: informational'\nexit 100\n"
    )
    (fake / "charm-build").chmod(0o755)
    (fake / "virtualenv").write_text("#!/bin/sh\nexit 0\n")
    (fake / "virtualenv").chmod(0o755)
    monkeypatch.setattr(build, "_tool", lambda name: fake / name)
    seen: list[str] = []
    with pytest.raises(CharmsmithError, match=r"proof found warnings .*exit 100.*no README"):
        build.build_charm(src, tmp_path / "out", progress=seen.append)
    assert "proof: W: no README file" in seen  # streamed as it came
