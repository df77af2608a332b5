"""provide_charm_instance: decorator and context manager, one instance per hook."""

from __future__ import annotations

import pytest
import reactive_openstack as ro
from reactive_openstack.testing import FakeHost

from .sample import make_registry, ready_host


def test_decorator_injects_instance_first_and_passes_args():
    registry, yoga_cls, _ = make_registry()
    registry.host = ready_host()
    seen = []

    @ro.provide_charm_instance(registry)
    def handler(charm, *interfaces, flag=None):
        seen.append((charm, interfaces, flag))
        return "done"

    assert handler("db", "amqp", flag=1) == "done"
    handler()
    (first, interfaces, flag), (second, _, _) = seen
    assert type(first) is yoga_cls and first.release == "yoga"
    assert interfaces == ("db", "amqp") and flag == 1
    assert first is second  # one instance per hook
    assert handler.__name__ == "handler"


def test_context_manager_gives_the_same_instance():
    registry, _, caracal_cls = make_registry()
    registry.host = ready_host(config={"openstack-origin": "cloud:jammy-caracal"})
    with ro.provide_charm_instance(registry) as charm:
        assert type(charm) is caracal_cls
        assert charm.release == "caracal"
    assert registry.instance() is charm


def test_fresh_host_means_fresh_instance():
    registry, _, _ = make_registry()
    registry.host = ready_host()
    first = registry.instance()
    registry.host = ready_host()
    assert registry.instance() is not first


def test_wrapped_handlers_keep_distinct_reactive_ids():
    registry, _, _ = make_registry()

    @ro.provide_charm_instance(registry)
    def one(charm):
        pass

    @ro.provide_charm_instance(registry)
    def two(charm):
        pass

    assert one._action_id != two._action_id
    assert one._action_id.endswith(":one")


@pytest.mark.parametrize(
    "origin,message",
    [
        (
            "cloud:focal-xena",
            "OpenStack release xena is not supported by this charm (earliest supported: yoga)",
        ),
        ("cloud:jammy-gazpacho", "unknown OpenStack release 'gazpacho'"),
    ],
)
def test_unsupported_release_blocks_and_skips_handler(origin, message):
    registry, _, _ = make_registry()
    host = FakeHost(config={"openstack-origin": origin})
    registry.host = host
    calls = []

    @ro.provide_charm_instance(registry)
    def handler(charm):
        calls.append(charm)

    assert handler() is None
    assert calls == []
    state, text = host.status
    assert state == "blocked" and text.startswith(message)
    with ro.provide_charm_instance(registry) as charm:
        assert not charm
        assert charm.render_with_interfaces([]) is None  # no-op, never raises
    assert host.writes == [] and host.installs == []


def test_provider_requires_a_registry():
    with pytest.raises(TypeError):
        ro.provide_charm_instance(object())  # type: ignore[arg-type]
