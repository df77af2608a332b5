"""OpenStackAPICharm and HAOpenStackCharm: an API service, then one behind haproxy and VIPs.

Each adds its companion services (memcached for the token cache, haproxy in front of the API):
their packages, their service and the config file that restarts them, all from one table, so
the packages apt installs, the services checked and the restart map never disagree.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import reactive_openstack._config_checks as config_checks
from reactive_openstack._api_support import HAPROXY_CFG, MEMCACHED_CONF
from reactive_openstack._charm_base import OpenStackCharm, unique
from reactive_openstack._release_table import at_least
from reactive_openstack.wire_keys import ENDPOINT_TYPES

__all__ = ["HAPROXY", "MEMCACHED", "CompanionService", "HAOpenStackCharm", "OpenStackAPICharm"]


class CompanionService(NamedTuple):
    """A service an API unit runs beside its own: packages, service name, config file."""

    packages: tuple[str, ...]
    service: str
    config_file: str


MEMCACHED = CompanionService(("memcached", "python3-memcache"), "memcached", MEMCACHED_CONF)
HAPROXY = CompanionService(("haproxy",), "haproxy", HAPROXY_CFG)


class OpenStackAPICharm(OpenStackCharm):
    """An API service: keystone endpoints, memcached token cache, API ports."""

    required_relations: list[str] = ["shared-db", "amqp", "identity-service"]

    @property
    def uses_memcache(self) -> bool:
        return at_least(self.release, "mitaka")

    @property
    def companions(self) -> list[CompanionService]:
        """The services this unit runs beside the API (memcached from mitaka on)."""
        return [MEMCACHED] if self.uses_memcache else []

    @property
    def all_packages(self) -> list[str]:
        extra = [package for companion in self.companions for package in companion.packages]
        return unique(super().all_packages + extra)

    @property
    def full_service_list(self) -> list[str]:
        return unique(super().full_service_list + [c.service for c in self.companions])

    @property
    def full_restart_map(self) -> dict[str, list[str]]:
        result = super().full_restart_map
        for companion in self.companions:
            result[companion.config_file] = [companion.service]
        return result

    def endpoint_urls(self) -> dict[str, str]:
        import reactive_openstack._endpoints as endpoints

        return {kind: endpoints.endpoint_url(self, kind) for kind in ENDPOINT_TYPES}

    def register_endpoints(self, keystone: Any) -> None:
        """Tell keystone our catalog entry (_catalog.register)."""
        import reactive_openstack._catalog as catalog

        catalog.register(self, keystone)


class HAOpenStackCharm(OpenStackAPICharm):
    """An API service behind haproxy on every unit, optionally clustered by hacluster VIPs."""

    ha_resources: list[str] = ["vips", "haproxy"]

    @property
    def haproxy_enabled(self) -> bool:
        return "haproxy" in self.ha_resources

    @property
    def companions(self) -> list[CompanionService]:
        """memcached as for any API charm, then haproxy unless the class leaves it out."""
        return [*super().companions, HAPROXY] if self.haproxy_enabled else super().companions

    @property
    def haproxy_stat_password(self) -> str:
        """The haproxy stats password (created once, kept in the unit kv by adapters.py)."""
        import reactive_openstack.adapters as adapters

        return adapters.stat_password(self.host)

    def ports_to_check(self) -> list[int]:
        """haproxy's N and the API's N-10; with hacluster (which owns haproxy) only N-10."""
        import reactive_openstack._ha as ha

        return ha.api_ports_to_check(self, self.host.is_flag_set("ha.connected"))

    def services_to_check(self) -> list[str]:
        services = super().services_to_check()
        if self.host.is_flag_set("ha.connected"):
            return [s for s in services if s != "haproxy"]
        return services

    def update_peers(self, cluster: Any) -> None:
        """Publish this unit's address on each endpoint network for the peers' haproxy backends.

        The address on ``os-<type>-network`` when set, else the binding's, as upstream does.
        """
        import reactive_openstack._netaddrs as netaddrs

        for kind in ENDPOINT_TYPES:
            address, _ = netaddrs.endpoint_address(self.host, kind)
            if address:
                cluster.set_address(kind, address)

    def configure_ha_resources(self, hacluster: Any) -> None:
        """Hand hacluster the corosync binding and CRM resources (VIPs, haproxy clone)."""
        import reactive_openstack._ha as ha

        if not config_checks.usable(self):
            return
        ha.configure_ha_resources(self, hacluster)
