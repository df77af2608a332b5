"""The test harness shipped with the runtime: in-memory reactive state and the pytest plugin.

The plugin is checked the way a charm uses it: pytest runs in a copy of the sample-api charm
with nothing but the installed runtime (no conftest), so its entry point, the unit's process
set-up and the fixtures are what make the tests there pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from reactive_openstack.testing import CharmUnderTest, ReactiveState
from reactive_openstack.testing.reactive_state import StoreNotInMemory

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample-api"

HANDLERS = """
import charms.reactive as reactive

@reactive.when("db.available")
@reactive.when_not("is-update-status-hook")
def harness_render():
    pass

@reactive.when_not("harness.installed")
def harness_install():
    pass
"""


@pytest.fixture
def handlers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "harness_handlers.py").write_text(HANDLERS)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "harness_handlers"


def test_reactive_state_answers_which_handlers_run(reactive_state, handlers):
    assert {"harness_render", "harness_install"} <= reactive_state.handlers_that_run(
        {"db.available"}, handlers
    )
    ran = reactive_state.handlers_that_run({"db.available", "is-update-status-hook"}, handlers)
    assert "harness_render" not in ran
    assert "harness_install" not in reactive_state.handlers_that_run(
        {"harness.installed"}, handlers
    )


def test_reactive_state_sets_exactly_the_flags_asked_for(reactive_state):
    reactive_state.set_flags("a", "b")
    reactive_state.use_flags({"b", "c"})
    assert reactive_state.flags == {"b", "c"}
    reactive_state.clear_flags("b")
    assert reactive_state.flags == {"c"}


def test_each_test_starts_without_flags(reactive_state):
    assert reactive_state.flags == set()


def test_reactive_state_needs_the_store_in_memory(tmp_path, monkeypatch):
    from charmhelpers.core import unitdata

    monkeypatch.setattr(unitdata, "_KV", unitdata.Storage(str(tmp_path / "state.db")))
    with pytest.raises(StoreNotInMemory, match="UNIT_STATE_DB"):
        ReactiveState()


def test_handlers_that_run_needs_a_module(reactive_state):
    with pytest.raises(ValueError, match="handlers module"):
        reactive_state.handlers_that_run(set())


def test_the_charm_is_found_above_its_tests():
    charm = CharmUnderTest.find(SAMPLE / "reactive")
    assert charm is not None
    assert (charm.name, charm.unit_name, charm.series[0]) == ("sample-api", "sample-api/0", "jammy")
    assert (charm.handlers_module, charm.charm_module) == (
        "sample_api_handlers",
        "charm.openstack.sample_api",
    )
    assert CharmUnderTest.find(SAMPLE.parent) is None


CHARM_TESTS = """
def test_a_unit_on_a_fake_host(unit_host, charm_registry, charm_under_test):
    assert unit_host.unit_name == "sample-api/0"
    assert unit_host.config() == {"openstack-origin": "distro", "debug": False}
    assert charm_registry.host is unit_host
    assert unit_host.file_text("/etc/os-release").endswith("VERSION_CODENAME=jammy\\n")


def test_which_handlers_run(reactive_state):
    ready = {"charm.installed", "shared-db.available", "identity-service.available"}
    ready.add("amqp.available")
    assert "render_config" in reactive_state.handlers_that_run(ready)
    ready.add("is-update-status-hook")
    assert "render_config" not in reactive_state.handlers_that_run(ready)
    assert "charm.installed" in reactive_state.handlers_that_run(set())
"""


def test_the_plugin_serves_a_charm_with_no_conftest(tmp_path):
    charm = tmp_path / "sample-api"
    shutil.copytree(SAMPLE, charm)
    (charm / "config.yaml").write_text(
        "options:\n  openstack-origin:\n    type: string\n    default: distro\n"
        "  debug:\n    type: boolean\n    default: false\n  vip:\n    type: string\n"
    )
    (charm / "unit_tests").mkdir()
    (charm / "unit_tests" / "test_plugin.py").write_text(textwrap.dedent(CHARM_TESTS))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "unit_tests"],
        cwd=charm,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout
