"""``use_defaults(registry, *names)``: the standard reactive handlers, opted into by name.

Calling it registers charms.reactive handlers (closures over the charm's registry) at once, so
a name a charm asks for is really wired - there is no opt-in flag that a layer may or may not
read. Every handler except the update-status one is guarded by ``is-update-status-hook`` so an
update-status hook that does go through the reactive loop still does nothing but status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from reactive_openstack.instance import UnsupportedCharm, get_charm_instance
from reactive_openstack.releases import ReleaseRegistry

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

UPDATE_STATUS_FLAG = "is-update-status-hook"
#: Raised by the upgrade-charm hook handler, consumed by the guarded flag handler.
UPGRADE_CHARM_FLAG = "reactive_openstack.upgrade-charm"
INSTALLED_FLAG = "charm.installed"

#: What a default handler does with the hook's charm and the arguments charms.reactive passed.
Action = Callable[["Charm", tuple[Any, ...]], None]


def _endpoint(flag: str, args: tuple[Any, ...]) -> Any:
    """The endpoint object charms.reactive passed, or the one behind ``flag``."""
    if args:
        return args[0]
    from charms.reactive import endpoint_from_flag

    return endpoint_from_flag(flag)


def _on_installed(charm: Charm, args: tuple[Any, ...]) -> None:
    charm.install()
    charm.host.set_flag(INSTALLED_FLAG)
    charm.assess_status()


def _on_config_changed(charm: Charm, args: tuple[Any, ...]) -> None:
    charm.config_changed()


def _on_upgrade_charm(charm: Charm, args: tuple[Any, ...]) -> None:
    charm.host.clear_flag(UPGRADE_CHARM_FLAG)
    charm.upgrade_charm()
    charm.assess_status()


def _hand_endpoint(flag: str, give: Callable[[Any, Any], None], assess: bool = True) -> Action:
    """A step that gives the relation's endpoint to the charm (then asks for a status)."""

    def step(charm: Charm, args: tuple[Any, ...]) -> None:
        give(charm, _endpoint(flag, args))
        if assess:
            charm.assess_status()

    return step


def _on_certificates(charm: Charm, args: tuple[Any, ...]) -> None:
    """Send the certificate requests as soon as the relation joins; serve what has come."""
    import reactive_openstack.tls as tls

    tls.configure(charm)
    charm.assess_status()


def _on_ceph(charm: Charm, args: tuple[Any, ...]) -> None:
    """Ask the broker for the pools as soon as a mon joins (the files come with the render)."""
    import reactive_openstack.ceph as ceph

    ceph.request_pools(charm)
    charm.assess_status()


def _on_config_rendered(charm: Charm, args: tuple[Any, ...]) -> None:
    charm.enable_services()
    charm.assess_status()


class Guarded(NamedTuple):
    """A default handler: the flags it waits for, the flags that stop it, what it does."""

    when: tuple[str, ...]
    when_not: tuple[str, ...]
    action: Action


def _on_flag(flag: str, action: Action) -> Guarded:
    return Guarded((flag,), (), action)


def _on_relation(flag: str, give: Callable[[Any, Any], None], assess: bool = True) -> Guarded:
    return _on_flag(flag, _hand_endpoint(flag, give, assess))


_GUARDED: dict[str, Guarded] = {
    "charm.installed": Guarded((), (INSTALLED_FLAG,), _on_installed),
    "config.changed": _on_flag("config.changed", _on_config_changed),
    "upgrade-charm": Guarded((UPGRADE_CHARM_FLAG,), (), _on_upgrade_charm),
    "amqp.connected": _on_relation("amqp.connected", lambda c, e: c.request_amqp_access(e)),
    "shared-db.connected": _on_relation(
        "shared-db.connected", lambda c, e: c.configure_database(e)
    ),
    "identity-service.connected": _on_relation(
        "identity-service.connected", lambda c, e: c.register_endpoints(e)
    ),
    "cluster.available": _on_relation(
        "cluster.available", lambda c, e: c.update_peers(e), assess=False
    ),
    "ha.connected": _on_relation("ha.connected", lambda c, e: c.configure_ha_resources(e)),
    "config.rendered": _on_flag("config.rendered", _on_config_rendered),
    "certificates.available": _on_flag("certificates.available", _on_certificates),
    "ceph.connected": _on_flag("ceph.connected", _on_ceph),
}

DEFAULT_NAMES: tuple[str, ...] = tuple(sorted([*_GUARDED, "update-status"]))


def _identify(func: Callable[..., Any], name: str, registry: ReleaseRegistry) -> None:
    """Give each closure its own charms.reactive handler id (they share one code object)."""
    func._action_id = f"reactive_openstack.defaults:{name}:{id(registry)}"  # type: ignore[attr-defined]
    func._short_action_id = f"reactive_openstack.defaults:{name}"  # type: ignore[attr-defined]


def _make_handler(registry: ReleaseRegistry, action: Action) -> Callable[..., None]:
    def handler(*args: Any) -> None:
        charm = get_charm_instance(registry)
        if isinstance(charm, UnsupportedCharm):
            return
        action(charm, args)

    return handler


def _register_guarded(registry: ReleaseRegistry, name: str) -> Callable[..., None]:
    import charms.reactive as reactive

    when, when_not, action = _GUARDED[name]
    handler = _make_handler(registry, action)
    _identify(handler, name, registry)
    decorated: Callable[..., None] = reactive.when_not(UPDATE_STATUS_FLAG, *when_not)(handler)
    if when:
        decorated = reactive.when(*when)(decorated)
    if name == "upgrade-charm":
        _register_upgrade_hook(registry)
    return decorated


def _register_upgrade_hook(registry: ReleaseRegistry) -> None:
    """A hook-phase handler that only raises the flag the guarded handler reacts to."""
    import charms.reactive as reactive

    def mark_upgrade() -> None:
        reactive.set_flag(UPGRADE_CHARM_FLAG)

    _identify(mark_upgrade, "upgrade-charm.hook", registry)
    reactive.hook("upgrade-charm")(mark_upgrade)


def _register_update_status(registry: ReleaseRegistry) -> Callable[..., None]:
    import charms.reactive as reactive

    def on_update_status() -> None:
        charm = get_charm_instance(registry)
        host = registry.host
        host.set_flag(UPDATE_STATUS_FLAG)
        host.atexit(lambda: host.clear_flag(UPDATE_STATUS_FLAG))
        if not isinstance(charm, UnsupportedCharm):
            charm.assess_status()

    _identify(on_update_status, "update-status", registry)
    registered: Callable[..., None] = reactive.hook("update-status")(on_update_status)
    return registered


def _ignoring_args(step: Callable[[Charm], None]) -> Action:
    def action(charm: Charm, args: tuple[Any, ...]) -> None:
        step(charm)

    return action


def _register_series_upgrade(registry: ReleaseRegistry) -> dict[str, Callable[..., None]]:
    """pre-/post-series-upgrade hook handlers (unconditional, as layer-openstack's are)."""
    import charms.reactive as reactive

    import reactive_openstack._series_upgrade as series_upgrade

    registered: dict[str, Callable[..., None]] = {}
    for hook, step in (
        ("pre-series-upgrade", series_upgrade.prepare),
        ("post-series-upgrade", series_upgrade.complete),
    ):
        handler = _make_handler(registry, _ignoring_args(step))
        _identify(handler, hook, registry)
        registered[hook] = reactive.hook(hook)(handler)
    return registered


def use_defaults(registry: ReleaseRegistry, *names: str) -> dict[str, Callable[..., None]]:
    """Register the default handlers ``names`` for the charm of ``registry``.

    Returns name -> registered handler (handy in tests). An unknown name raises ValueError that
    lists the valid ones, so a typo fails at import instead of silently doing nothing. The
    series-upgrade hooks are always handled (_series_upgrade.py), like layer-openstack's.
    """
    if not isinstance(registry, ReleaseRegistry):
        raise TypeError("use_defaults(registry, *names): the first argument is the registry")
    unknown = [n for n in names if n not in DEFAULT_NAMES]
    if unknown:
        raise ValueError(
            f"unknown default handler(s) {', '.join(unknown)}; valid names: "
            + ", ".join(DEFAULT_NAMES)
        )
    registered: dict[str, Callable[..., None]] = {}
    for name in dict.fromkeys(names):
        if name == "update-status":
            registered[name] = _register_update_status(registry)
        else:
            registered[name] = _register_guarded(registry, name)
    registered.update(_register_series_upgrade(registry))
    return registered
