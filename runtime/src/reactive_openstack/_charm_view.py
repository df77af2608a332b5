"""What the runtime's helper modules may use of a charm: the charm classes, seen as a Protocol.

The helpers (status checks, rendering, upgrades, TLS, Ceph ...) are called by the charm class,
so typing them against the class itself would make every helper and the class import each
other. ``Charm`` lists the class's attributes they rely on; OpenStackCharm and its subclasses
satisfy it, and mypy checks both sides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from reactive_openstack.host import Host
    from reactive_openstack.workload_status import Status


@dataclass
class HookMemo:
    """What the helpers remember on a charm instance for the rest of its hook."""

    #: assess_status registered the one evaluation at hook exit
    status_deferred: bool = False
    #: usable() logged the config problems already
    config_problems_logged: bool = False
    #: service -> why its start or restart failed in this hook
    service_failures: dict[str, str] = field(default_factory=dict)
    #: what tls.configure found, with the host and hook id it is valid for (tls.py)
    tls_configured: object | None = None
    #: the instance an OpenStack upgrade in this hook replaced this one with (_upgrade.current)
    upgraded_to: Charm | None = None


class ReleaseClasses(Protocol):
    """The charm's ReleaseRegistry, as far as an upgrade needs it."""

    def select(self, release: str) -> type: ...
    def set_instance(self, instance: Charm) -> None: ...


class Charm(Protocol):
    """The hook's charm instance as the helper modules see it."""

    host: Host
    release: str
    name: str
    service_name: str | None
    packages: list[str]
    purge_packages: list[str]
    services: list[str]
    api_ports: dict[str, dict[str, int]]
    default_service: str | None
    required_relations: list[str]
    mandatory_config: list[str]
    restart_map: dict[str, list[str]]
    sync_commands: list[list[str]]
    group: str
    requested_upgrade: str | None
    memo: HookMemo

    @property
    def registry(self) -> ReleaseClasses | None: ...
    @property
    def config(self) -> dict[str, Any]: ...
    @property
    def paused(self) -> bool: ...
    @property
    def all_packages(self) -> list[str]: ...
    @property
    def full_restart_map(self) -> dict[str, list[str]]: ...
    @property
    def application_version(self) -> str | None: ...

    def origin_release(self) -> str | None: ...
    def upgrade_available(self) -> str | None: ...
    def upgrade_if_available(self, interfaces: Sequence[Any] = ()) -> bool: ...
    def successor(self, release: str) -> Charm: ...
    def install(self) -> bool: ...
    def config_changed(self) -> None: ...
    def upgrade_charm(self) -> None: ...
    def build_adapters(self, interfaces: Sequence[Any] = ()) -> Any: ...
    def render_with_interfaces(self, interfaces: Sequence[Any]) -> list[str]: ...
    def db_sync(self) -> bool: ...
    def services_for(self, changed_paths: Iterable[str]) -> list[str]: ...
    def restart_all(self) -> None: ...
    def enable_services(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def restart_services(self) -> None: ...
    def assess_status(self) -> None: ...
    def custom_assess_status_check(self) -> Status | None: ...
    def services_to_check(self) -> list[str]: ...
    def ports_to_check(self) -> list[int]: ...


class APICharm(Charm, Protocol):
    """An API charm: it also has catalog URLs for keystone."""

    def endpoint_urls(self) -> dict[str, str]: ...
