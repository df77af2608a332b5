"""High availability: the pacemaker resources we ask hacluster for, and haproxy helpers.

With an ``ha`` relation the hacluster subordinate turns our CRM description into pacemaker
resources: a VIP that moves to a surviving unit, and haproxy cloned on every unit. Why the
details matter:

* Resource names are what pacemaker keys on, so they are stable for an unchanged config
  (``res_<charm>_<nic>_vip``) and a changed or cleared ``vip`` lists the old resources in
  ``delete_resources`` - otherwise the old address would stay up forever.
* Every section we manage is always sent (empty when unused): the interface only re-sends
  sections that changed, so an omitted section would leave stale data on the relation.
* Output is plain sorted data, so re-publishing an unchanged config is a no-op on the relation.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from reactive_openstack.endpoints import ENDPOINT_TYPES, is_ipv6, resolve_address, vips

__all__ = [
    "DEFAULT_MCASTPORT",
    "VIPS_KV_KEY",
    "api_ports_to_check",
    "configure_ha_resources",
    "corosync_bind",
    "crm_resources",
    "hacluster_resources",
    "haproxy_enabled",
    "vip_resource_names",
]

DEFAULT_MCASTPORT = 4440
DEFAULT_NIC = "eth0"
DEFAULT_CIDR_V4 = 24
DEFAULT_CIDR_V6 = 64
#: unit kv key: the VIPs last published to hacluster (what a config change must delete).
VIPS_KV_KEY = "reactive_openstack.ha.published-vips"

_META = 'meta migration-threshold="INFINITY" failure-timeout="5s"'
_VIP_OP = 'op monitor timeout="20s" interval="10s" depth="0"'
_INIT_OP = 'op monitor interval="5s"'

#: CRM sections this module owns; always published, even when empty.
MANAGED_SECTIONS = (
    "resources",
    "resource_params",
    "groups",
    "clones",
    "init_services",
    "delete_resources",
)


def haproxy_enabled(charm: Any) -> bool:
    """Whether the charm runs haproxy in front of its API (``"haproxy"`` in ``ha_resources``)."""
    return "haproxy" in (getattr(charm, "ha_resources", None) or ())


def api_ports_to_check(charm: Any, ha_related: bool) -> list[int]:
    """Ports a ready unit listens on: haproxy's N and the API's N-10 (N-20 under TLS).

    With an ``ha`` relation pacemaker owns haproxy (it may be stopped on purpose), so only the API
    ports are checked.
    """
    from reactive_openstack.endpoints import tls_enabled

    shift = 20 if tls_enabled(charm) else 10
    ports: set[int] = set()
    for service_ports in (getattr(charm, "api_ports", None) or {}).values():
        for port in service_ports.values():
            if haproxy_enabled(charm):
                ports.add(int(port) - shift)
                if not ha_related:
                    ports.add(int(port))
            else:
                ports.add(int(port))
    return sorted(ports)


def _family(vip: str) -> str:
    return "ipv6addr" if is_ipv6(vip) else "ipv4"


def vip_resource_names(name: str, vip_list: list[str], nic: str) -> dict[str, str]:
    """VIP -> resource name: ``res_<name>_<nic>_vip`` (IPv6: ``..._<nic>_ipv6addr_vip``).

    A second VIP of the same address family on the same NIC would collide, so it falls back to a
    name derived from the address (``res_<name>_<sha1[:7]>_vip``); the first VIP's name never
    changes when another VIP is added.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for vip in vip_list:
        if is_ipv6(vip):
            candidate = f"res_{name}_{nic}_ipv6addr_vip"
        else:
            candidate = f"res_{name}_{nic}_vip"
        if candidate in taken:
            digest = hashlib.sha1(vip.encode(), usedforsecurity=False).hexdigest()[:7]
            candidate = f"res_{name}_{digest}_vip"
        taken.add(candidate)
        names[vip] = candidate
    return names


def _vip_params(vip: str, nic: str, cidr: Any) -> str:
    if is_ipv6(vip):
        netmask = cidr if cidr not in (None, "") else DEFAULT_CIDR_V6
        return f'params ipv6addr="{vip}" nic="{nic}" cidr_netmask="{netmask}" {_META} {_VIP_OP}'
    netmask = cidr if cidr not in (None, "") else DEFAULT_CIDR_V4
    return f'params ip="{vip}" nic="{nic}" cidr_netmask="{netmask}" {_META} {_VIP_OP}'


def _valid_vips(vip_list: list[str]) -> list[str]:
    valid = []
    for vip in vip_list:
        try:
            ipaddress.ip_address(vip)
        except ValueError:
            continue
        valid.append(vip)
    return valid


def hacluster_resources(charm: Any, previous_vips: list[str]) -> dict[str, Any]:
    """The CRM sections (``publish_resources`` input) for the charm's ``ha_resources``.

    ``previous_vips`` are the VIPs last published; those no longer configured (under their old
    resource names) go to ``delete_resources``.
    """
    config = charm.host.config()
    name = charm.name
    resources: dict[str, str] = {}
    params: dict[str, str] = {}
    groups: dict[str, str] = {}
    clones: dict[str, str] = {}
    init_services: list[str] = []
    ha_resources = getattr(charm, "ha_resources", None) or ()
    nic = str(config.get("vip_iface") or DEFAULT_NIC)

    current = _valid_vips(vips(charm)) if "vips" in ha_resources else []
    names = vip_resource_names(name, current, nic)
    for vip, resource in names.items():
        resources[resource] = "ocf:heartbeat:IPv6addr" if is_ipv6(vip) else "ocf:heartbeat:IPaddr2"
        params[resource] = _vip_params(vip, nic, config.get("vip_cidr"))
    if names:
        groups[f"grp_{name}_vips"] = " ".join(names.values())

    if "haproxy" in ha_resources:
        resource = f"res_{name}_haproxy"
        resources[resource] = "lsb:haproxy"
        params[resource] = f"{_META} {_INIT_OP}"
        clones[f"cl_{resource}"] = resource
        init_services.append("haproxy")

    if _truthy(config.get("dns-ha")):
        hostnames = []
        for endpoint_type in ENDPOINT_TYPES:
            fqdn = config.get(f"os-{endpoint_type}-hostname")
            if not fqdn:
                continue
            resource = f"res_{name}_{endpoint_type}_hostname"
            address = resolve_address(charm, endpoint_type, override=False)
            resources[resource] = "ocf:maas:dns"
            params[resource] = f'params fqdn="{fqdn}" ip_address="{address}"'
            hostnames.append(resource)
        if hostnames:
            groups[f"grp_{name}_hostnames"] = " ".join(hostnames)

    old_names = vip_resource_names(name, _valid_vips(list(previous_vips)), nic)
    # by name, not by address: removing one of two VIPs may hand its name to the survivor
    delete = [res for res in old_names.values() if res not in resources]

    return {
        "resources": dict(sorted(resources.items())),
        "resource_params": dict(sorted(params.items())),
        "groups": dict(sorted(groups.items())),
        "clones": dict(sorted(clones.items())),
        "init_services": init_services,
        "delete_resources": delete,
    }


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "on")
    return bool(value)


def corosync_bind(charm: Any) -> tuple[str | None, int]:
    """(interface, multicast port) corosync binds to: ``ha-bindiface``/``vip_iface``, 4440."""
    config = charm.host.config()
    iface = config.get("ha-bindiface") or config.get("vip_iface") or None
    port = config.get("ha-mcastport") or DEFAULT_MCASTPORT
    return (str(iface) if iface else None, int(port))


def configure_ha_resources(charm: Any, hacluster: Any) -> dict[str, Any]:
    """Send corosync binding and CRM resources to ``hacluster``; remember the published VIPs.

    The interface itself skips unchanged keys, so calling this in every hook is cheap. Returns the
    CRM dict that was published (for status messages and tests).
    """
    host = charm.host
    previous = host.kv_get(VIPS_KV_KEY, []) or []
    crm = hacluster_resources(charm, list(previous))
    iface, mcastport = corosync_bind(charm)
    hacluster.bind_on(iface=iface, mcastport=mcastport)
    hacluster.publish_resources(crm)
    published = _published_vips(charm)
    if published != list(previous):
        host.kv_set(VIPS_KV_KEY, published)
    return crm


def crm_resources(charm: Any) -> dict[str, Any]:
    """CRM sections for a publish that happens right after this call.

    Uses the VIPs recorded as published in the unit kv to fill ``delete_resources`` and records
    the current VIPs. Prefer :func:`configure_ha_resources`, which also does the publishing.
    """
    host = charm.host
    previous = list(host.kv_get(VIPS_KV_KEY, []) or [])
    crm = hacluster_resources(charm, previous)
    current = _published_vips(charm)
    if current != previous:
        host.kv_set(VIPS_KV_KEY, current)
    return crm


def _published_vips(charm: Any) -> list[str]:
    if "vips" not in (getattr(charm, "ha_resources", None) or ()):
        return []
    return _valid_vips(vips(charm))
