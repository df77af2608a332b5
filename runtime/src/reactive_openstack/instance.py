"""The per-hook charm instance, as a decorator and as a context manager.

One instance per hook (cached on the charm's registry) means every handler sees the same state
(deferred status, selected release) and release detection runs once. A unit on a release the
charm does not support must not fail its hooks - that would wedge the unit in an error state the
operator cannot clear by changing config - so the provider sets a blocked status that names the
release and the earliest supported one, and the handler is skipped.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from reactive_openstack.releases import RELEASE_ERRORS, ReleaseRegistry

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

F = TypeVar("F", bound=Callable[..., Any])


class UnsupportedCharm:
    """Stands in for the instance when the release is not supported.

    It is falsy, and every method call is a no-op returning None, so the body of a
    ``with provide_charm_instance(registry) as charm:`` block cannot raise into the hook.
    """

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.release = getattr(error, "release", None)

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


def keep_handler_identity(func: Callable[..., Any], wrapper: Callable[..., Any]) -> None:
    """Give ``wrapper`` the charms.reactive handler id of ``func``.

    charms.reactive identifies a handler by its code object's file, line and name; without this
    every handler wrapped here would share the wrapper's code and collapse into one handler.
    """
    code = func.__code__
    action_id = getattr(func, "_action_id", None) or ":".join(
        [code.co_filename, str(code.co_firstlineno), code.co_name]
    )
    short_id = getattr(func, "_short_action_id", None) or ":".join(
        [
            os.path.relpath(code.co_filename, os.environ.get("CHARM_DIR") or os.curdir),
            str(code.co_firstlineno),
            code.co_name,
        ]
    )
    wrapper._action_id = action_id  # type: ignore[attr-defined]
    wrapper._short_action_id = short_id  # type: ignore[attr-defined]


def get_charm_instance(registry: ReleaseRegistry) -> Charm | UnsupportedCharm:
    """The hook's instance, or an UnsupportedCharm after setting a blocked status."""
    try:
        return registry.instance()
    except RELEASE_ERRORS as exc:
        host = registry.host
        host.status_set("blocked", str(exc))
        host.log(f"charm handlers skipped: {exc}", "WARNING")
        return UnsupportedCharm(exc)


class provide_charm_instance:  # noqa: N801 - used like a function: @provide_charm_instance(reg)
    """``@provide_charm_instance(registry)`` or ``with provide_charm_instance(registry) as c:``.

    As a decorator the instance becomes the handler's first argument and the handler's own
    arguments (the interface objects charms.reactive passes) follow. Exceptions from the handler
    are never swallowed.

    With ``upgrade=True`` (decorator only: the upgrade renders from the handler's interface
    objects) an OpenStack upgrade that openstack-origin asks for runs first, and the handler
    receives the registry's instance afterwards: the target release's after an upgrade.
    """

    def __init__(self, registry: ReleaseRegistry, upgrade: bool = False) -> None:
        if not isinstance(registry, ReleaseRegistry):
            raise TypeError("provide_charm_instance needs the charm's ReleaseRegistry")
        self.registry = registry
        self.upgrade = upgrade

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            charm = get_charm_instance(self.registry)
            if isinstance(charm, UnsupportedCharm):
                return None
            if self.upgrade and charm.upgrade_if_available(args):
                charm = self.registry.instance()
            return func(charm, *args, **kwargs)

        keep_handler_identity(func, wrapper)
        return wrapper  # type: ignore[return-value]

    def __enter__(self) -> Charm | UnsupportedCharm:
        if self.upgrade:
            raise TypeError(
                "provide_charm_instance(registry, upgrade=True) upgrades with the handler's "
                "interface objects: use it as the handler's decorator"
            )
        return get_charm_instance(self.registry)

    def __exit__(self, *exc_info: Any) -> None:
        return None
