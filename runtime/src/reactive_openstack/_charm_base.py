"""OpenStackCharm: the base of every charm class (the API and HA classes are in _api_charm.py).

A charm author describes the service with class attributes (packages, services, ports, files);
every effect goes through ``self.host`` (host.py), so tests exercise a class on a FakeHost.

Rules kept here because the upstream framework broke them and made every hook slow or noisy:
packages are installed once (later hooks only ask dpkg); nothing is re-sent or re-written unless it
changed; a service restarts only when one of its files changed, once per hook.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import reactive_openstack._config_checks as config_checks
import reactive_openstack._services as services
import reactive_openstack._status as status
import reactive_openstack.ceph as ceph
import reactive_openstack.database as database
from reactive_openstack._charm_view import HookMemo
from reactive_openstack._declared import DeclaringClass
from reactive_openstack.releases import (
    CODENAMES,
    host_series,
    newer_than,
    parse_origin,
)
from reactive_openstack.workload_status import Status

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm
    from reactive_openstack.host import Host
    from reactive_openstack.releases import ReleaseRegistry

#: The flag charms.reactive keeps while the unit is paused by the pause action.
PAUSED_FLAG = "charm.paused"


class OpenStackCharm(metaclass=DeclaringClass):
    """A principal OpenStack service charm, described by its class attributes."""

    #: Earliest release this class serves (the registry key); the instance's ``release``
    #: attribute is the unit's actual release.
    release: str = CODENAMES[0]
    name: str = "charmname"
    #: The keystone catalog's service type ("image"); keystone derives it from service_name.
    service_type: str | None = None
    #: The keystone catalog's service name ("glance"): the identity-service relation's
    #: `service`, which keystone maps to a type and names the service user after. Unset: name.
    service_name: str | None = None
    packages: list[str] = []
    purge_packages: list[str] = []
    services: list[str] = []
    api_ports: dict[str, dict[str, int]] = {}
    default_service: str | None = None
    required_relations: list[str] = []
    mandatory_config: list[str] = []
    restart_map: dict[str, list[str]] = {}
    #: Database migration commands, each an argv list (never a shell string).
    sync_commands: list[list[str]] = []
    release_package: str | None = None
    package_codenames: dict[str, str] = {}
    ha_resources: list[str] = []
    group: str = "root"
    permission_override_map: dict[str, int] = {}
    #: Package whose version `juju status` shows (default: the first of ``packages``).
    version_package: str | None = None
    #: The release the openstack-upgrade action asked for, in this process only (_upgrade.py).
    requested_upgrade: str | None = None
    #: policy.d overrides (_policyd.py): /etc/<policyd_service_name>/policy.d, default ``name``;
    #: rule names the override zip may not set.
    policyd_service_name: str | None = None
    policyd_blacklist_keys: list[str] = []

    def __init__(
        self,
        release: str | None = None,
        host: Host | None = None,
        registry: ReleaseRegistry | None = None,
    ) -> None:
        if host is None:
            host = registry.host if registry is not None else _juju_host()
        self.host: Host = host
        self.registry = registry
        self.release = release or type(self).release
        self.memo = HookMemo()

    # -- small accessors ------------------------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        return self.host.config()

    @property
    def application_name(self) -> str:
        return self.host.application_name

    @property
    def all_packages(self) -> list[str]:
        """Everything apt must provide for this release (class attribute plus extras)."""
        return unique([*self.packages, *ceph.packages(self)])

    @property
    def full_service_list(self) -> list[str]:
        return unique(self.services)

    @property
    def full_restart_map(self) -> dict[str, list[str]]:
        return {path: list(services) for path, services in self.restart_map.items()}

    @property
    def active_api_ports(self) -> dict[str, dict[str, int]]:
        return {svc: dict(ports) for svc, ports in self.api_ports.items()}

    @property
    def ports_to_open(self) -> list[int]:
        return sorted({port for ports in self.active_api_ports.values() for port in ports.values()})

    @property
    def paused(self) -> bool:
        return self.host.is_flag_set(PAUSED_FLAG)

    @property
    def installed_flag(self) -> str:
        return f"{self.name}-installed"

    def file_mode(self, path: str) -> int:
        return self.permission_override_map.get(path, 0o640)

    @property
    def application_version(self) -> str | None:
        """The upstream version of the version package, for `juju status`."""
        from reactive_openstack.releases import upstream_version

        package = self.version_package or (self.packages[0] if self.packages else None)
        if not package:
            return None
        version = self.host.installed_version(package)
        return upstream_version(version) if version else None

    def origin_release(self) -> str | None:
        """The release ``openstack-origin`` asks for (None if the charm has no such option)."""
        origin = self.config.get("openstack-origin")
        if not origin:
            return None
        series = host_series(self.host) if str(origin).startswith("distro") else None
        return parse_origin(str(origin), series)

    # -- install / upgrade-charm / config-changed -----------------------------------------------

    def missing_packages(self) -> list[str]:
        return [p for p in self.all_packages if self.host.installed_version(p) is None]

    def install(self) -> bool:
        """Install what is missing (once: later hooks only query dpkg), open the API ports.

        Returns True if packages were installed.
        """
        missing = self.missing_packages()
        if missing:
            self.host.status_set("maintenance", "Installing packages")
            origin = self.config.get("openstack-origin")
            if origin and not str(origin).startswith("distro"):
                self.host.add_source(str(origin))
            self.host.install_packages(missing)
        self.host.set_flag(self.installed_flag)
        self.update_api_ports()
        if missing:
            self.host.status_set("maintenance", "Installation complete - awaiting next status")
        return bool(missing)

    def update_api_ports(self) -> None:
        """Open the ports the API serves on and close ports a previous version opened."""
        wanted = set(self.ports_to_open)
        current = self.host.opened_ports()
        for port in sorted(wanted - current):
            self.host.open_port(port)
        for port in sorted(current - wanted):
            self.host.close_port(port)

    def upgrade_charm(self) -> None:
        """New charm code (or a resource attached): packages, then the policy overrides."""
        self.install()
        self.apply_policy_overrides()
        obsolete = [p for p in self.purge_packages if self.host.installed_version(p) is not None]
        if obsolete:
            self.host.purge_packages(obsolete)
            self.restart_all()

    def config_changed(self) -> None:
        """Config moved: packages a new option needs, ports, and a status refresh.

        Rendering is driven by the charm's render handler, which runs in the same hook.
        """
        if self.host.is_flag_set(self.installed_flag) and self.missing_packages():
            self.install()
        else:
            self.update_api_ports()
        self.apply_policy_overrides()
        self.assess_status()

    def apply_policy_overrides(self) -> None:
        """policy.d as the option and resource say; services restart when an override went."""
        import reactive_openstack._policyd as policyd

        if policyd.apply(self) and not self.paused:
            self.restart_all()

    # -- OpenStack upgrades via openstack-origin ------------------------------------------------

    def upgrade_available(self) -> str | None:
        """The newer release ``openstack-origin`` points at, or None."""
        target = self.origin_release()
        if target and newer_than(target, self.release):
            return target
        return None

    def upgrade_if_available(self, interfaces: Sequence[Any] = ()) -> bool:
        """Upgrade when openstack-origin moved to a newer release (unless action-managed).

        True if it ran (with action-managed-upgrade only on the action's request). ``self``
        keeps its class; ``registry.instance()`` is the new release's (``successor``), which
        ``provide_charm_instance(registry, upgrade=True)`` hands the handler.
        """
        import reactive_openstack._upgrade as upgrade

        if upgrade.current(self) is not self or not config_checks.usable(self):
            return False
        target = self.upgrade_available()
        if target is None or not upgrade.allowed_now(self, target):
            return False
        self.run_upgrade(target, interfaces)
        return True

    def run_upgrade(self, target: str, interfaces: Sequence[Any] = ()) -> Charm:
        """Packages, configs, leader migration, one restart; returns the new release's instance."""
        import reactive_openstack._upgrade as upgrade

        return upgrade.perform(self, target, interfaces)

    def successor(self, release: str) -> Charm:
        """The instance of ``release``'s class (same host, a copy of the memo) that carries this
        hook on after an upgrade; the registry and ``self.memo.upgraded_to`` name it."""
        cls = self.registry.select(release) if self.registry is not None else type(self)
        created: Charm = cls(release=release, host=self.host, registry=self.registry)
        created.memo = dataclasses.replace(self.memo, upgraded_to=None)
        self.memo.upgraded_to = created
        if self.registry is not None:
            self.registry.set_instance(created)
        return created

    # -- rendering and restarts -----------------------------------------------------------------

    def build_adapters(self, interfaces: Sequence[Any] = ()) -> Any:
        import reactive_openstack.adapters as adapters

        return adapters.build_adapters(self, list(interfaces))

    def render_with_interfaces(self, interfaces: Sequence[Any]) -> list[str]:
        """Render every managed file from exactly these relation objects; restart on change.

        An instance an upgrade replaced (handlers before template 8 go on with it) lets its
        successor render: the new release's templates, not the old ones again.
        """
        if self.memo.upgraded_to is not None:
            return self.memo.upgraded_to.render_with_interfaces(interfaces)
        return self.render_configs(self.build_adapters(interfaces))

    def render_all_configs(self, interfaces: Sequence[Any] = ()) -> list[str]:
        return self.render_configs(self.build_adapters(interfaces))

    def render_configs(self, adapters: Any) -> list[str]:
        """Render and restart the services of files that changed. Returns the changed paths.

        Nothing is rendered while the config breaks a rule (_config_checks.py).
        """
        import reactive_openstack._rendering as rendering
        import reactive_openstack.tls as tls

        if not config_checks.usable(self):
            return []
        tls.configure(self)  # before rendering: ssl.enabled decides haproxy.cfg
        changed = ceph.configure(self) + list(rendering.render_configs(self, adapters) or [])
        self.restart_on_change(changed)
        return changed

    def services_for(self, changed_paths: Iterable[str]) -> list[str]:
        """Services mapped to the changed files: each once, in restart-map order."""
        changed = set(changed_paths)
        ordered = [path for path in self.full_restart_map if path in changed]
        import reactive_openstack._rendering as rendering

        return ceph.add_services(self, changed, rendering.services_to_restart(self, ordered))

    def restart_on_change(self, changed_paths: Iterable[str]) -> list[str]:
        if self.paused:
            return []
        to_restart = self.services_for(changed_paths)
        for service in to_restart:
            services.restart(self, service)
        return to_restart

    def restart_all(self) -> None:
        for service in self.services:
            services.restart(self, service)

    def enable_services(self) -> None:
        """Start services that are not running (after the first complete render)."""
        if self.paused or not config_checks.usable(self):
            return
        for service in self.full_service_list:
            if not self.host.service_running(service):
                services.start(self, service)

    # -- pause / resume -------------------------------------------------------------------------

    def pause(self) -> None:
        self.host.set_flag(PAUSED_FLAG)
        for service in self.full_service_list:
            self.host.service_stop(service)

    def resume(self) -> None:
        self.host.clear_flag(PAUSED_FLAG)
        for service in self.full_service_list:
            self.host.service_start(service)

    def restart_services(self) -> None:
        """Stop everything, then start everything (the restart-services action)."""
        services = self.full_service_list
        for service in services:
            self.host.service_stop(service)
        if self.paused:
            return
        for service in services:
            self.host.service_start(service)

    # -- database -------------------------------------------------------------------------------

    def get_database_setup(self) -> list[dict[str, str]]:
        return [{"database": self.name, "username": self.name}]

    def configure_database(self, shared_db: Any) -> None:
        for request in self.get_database_setup():
            shared_db.configure(**request)

    def db_sync_done(self) -> bool:
        return bool(self.host.leader_get(database.DB_SYNC_MARKER))

    def db_sync(self) -> bool:
        """Run the migrations (leader, once per model); non-leaders restart once afterwards."""
        if self.memo.upgraded_to is not None:  # as render_with_interfaces: the new release's
            return self.memo.upgraded_to.db_sync()
        if not config_checks.usable(self):
            return False
        return database.db_sync(self)

    # -- messaging ------------------------------------------------------------------------------

    def get_amqp_credentials(self) -> tuple[str, str]:
        return self.name, "openstack"

    def request_amqp_access(self, amqp: Any) -> None:
        username, vhost = self.get_amqp_credentials()
        amqp.request_access(username=username, vhost=vhost)

    # -- status ---------------------------------------------------------------------------------

    def assess_status(self) -> None:
        """Ask for a status evaluation at hook exit (any number of calls, one evaluation)."""
        status.assess_status(self)

    def _assess_status(self) -> Status:
        """Evaluate and set the status now (actions, update-status)."""
        return status.evaluate(self)

    def custom_assess_status_check(self) -> Status | None:
        """Override to report a charm-specific problem: a ``Status(state, message)`` or None."""
        return None

    def services_to_check(self) -> list[str]:
        return self.full_service_list

    def ports_to_check(self) -> list[int]:
        return self.ports_to_open


def unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _juju_host() -> Host:
    from reactive_openstack.host import JujuHost

    return JujuHost()
