"""The pytest plugin (entry point ``pytest11``): fixtures for a charm's unit tests.

Run in a charm directory, it sets the process up as the unit's before any conftest loads and
offers ``charm_under_test``, ``unit_config``/``unit_series`` (override them in a conftest),
``make_unit_host``/``unit_host`` (a FakeHost made the charm registry's host), and
``reactive_state`` (in-memory flags; ``handlers_that_run(flags)`` uses the charm's module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reactive_openstack.testing.fake_host import FakeHost
from reactive_openstack.testing.reactive_state import MEMORY, ReactiveState
from reactive_openstack.testing.unit import CharmUnderTest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    invoked = early_config.invocation_params.dir
    starts = [invoked / arg for arg in args if not arg.startswith("-")]
    charm = CharmUnderTest.find(*[p for p in starts if p.exists()], invoked)
    if charm is not None:
        charm.prepare_process()


@pytest.fixture(scope="session")
def charm_under_test(request: pytest.FixtureRequest) -> CharmUnderTest:
    """The charm whose tests run (the nearest charm directory above the tests or rootdir)."""
    charm = CharmUnderTest.find(Path(str(request.node.path)), request.config.rootpath)
    if charm is None:
        pytest.fail("no charm directory (metadata.yaml and reactive/) above the tests")
    charm.prepare_process()
    return charm


@pytest.fixture
def unit_config(charm_under_test: CharmUnderTest) -> dict[str, Any]:
    """The unit's charm config; by default the defaults of the charm's config.yaml."""
    return charm_under_test.config_defaults()


@pytest.fixture
def unit_series(charm_under_test: CharmUnderTest) -> str:
    """The Ubuntu series the unit's machine runs; by default the first the charm declares."""
    return charm_under_test.series[0] if charm_under_test.series else "noble"


@pytest.fixture
def charm_registry(charm_under_test: CharmUnderTest) -> Any:
    """The charm's ReleaseRegistry (its classes, its host, its cached instance)."""
    from reactive_openstack.releases import discover_registry

    return discover_registry(str(charm_under_test.directory))


@pytest.fixture
def make_unit_host(
    charm_under_test: CharmUnderTest,
    charm_registry: Any,
    unit_config: dict[str, Any],
    unit_series: str,
) -> Callable[..., FakeHost]:
    """Build a FakeHost for unit 0 of the charm and make it the registry's host (a new hook)."""

    def make(leader: bool = True, **kwargs: Any) -> FakeHost:
        files = {"/etc/os-release": f"ID=ubuntu\nVERSION_CODENAME={unit_series}\n".encode()}
        kwargs["files"] = {**files, **kwargs.get("files", {})}
        host = FakeHost(
            config=dict(unit_config),
            leader=leader,
            unit_name=charm_under_test.unit_name,
            charm_dir=str(charm_under_test.directory),
            **kwargs,
        )
        charm_registry.host = host
        charm_registry.reset_instance()
        return host

    return make


@pytest.fixture
def unit_host(make_unit_host: Callable[..., FakeHost]) -> FakeHost:
    """A leader unit of the charm on a FakeHost."""
    return make_unit_host()


@pytest.fixture
def reactive_state(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ReactiveState]:
    """charms.reactive's flags in memory for this test, in the phase flag handlers run in."""
    monkeypatch.setenv("UNIT_STATE_DB", MEMORY)
    charm = CharmUnderTest.find(Path(str(request.node.path)))
    state = ReactiveState(charm.handlers_module if charm else "")
    yield state
    state.wipe()
