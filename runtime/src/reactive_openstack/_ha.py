"""High availability: the pacemaker resources we ask hacluster for, and haproxy helpers.

With an ``ha`` relation the hacluster subordinate turns our CRM description into pacemaker
resources: a VIP that moves to a surviving unit, and haproxy cloned on every unit. We describe
them exactly as upstream OpenStack charms do (charms.openstack's HAOpenStackCharm with
interface-hacluster's resource classes), so a cluster can switch between an upstream-built
charm and ours without duplicate or orphaned resources.

Details (resource names, kept deletions, the eleven sections): docs/architecture.md, 'HA
resources'.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import TYPE_CHECKING, Any

import reactive_openstack._netaddrs as netaddrs
from reactive_openstack._endpoints import CLUSTERED_FLAG, is_ipv6, resolve_address, vips
from reactive_openstack._text import truthy
from reactive_openstack.wire_keys import ENDPOINT_TYPES

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

__all__ = [
    "CRM_SECTIONS",
    "DEFAULT_MCASTPORT",
    "DELETIONS_KV_KEY",
    "PUBLISHED_KV_KEY",
    "api_ports_to_check",
    "configure_ha_resources",
    "corosync_bind",
    "crm_resources",
    "hacluster_resources",
    "haproxy_enabled",
    "vip_settings",
]

DEFAULT_MCASTPORT = 4440
DEFAULT_NIC = "eth0"
DEFAULT_CIDR_V4 = 24
DEFAULT_CIDR_V6 = 64
#: unit kv keys: resource names last published, and names to delete (re-sent until wanted)
PUBLISHED_KV_KEY = "reactive_openstack.ha.published-resources"
DELETIONS_KV_KEY = "reactive_openstack.ha.pending-deletions"
#: what earlier versions stored (the VIPs last published); read once to delete their names
LEGACY_VIPS_KV_KEY = "reactive_openstack.ha.published-vips"

_META = 'meta migration-threshold="INFINITY" failure-timeout="5s"'
_VIP_OP = 'op monitor timeout="20s" interval="10s" depth="0"'
_INIT_OP = 'op monitor interval="5s"'

#: The sections of upstream's CRM object, in its order; list-valued ones are named below.
CRM_SECTIONS = (
    "resources",
    "resource_params",
    "delete_resources",
    "groups",
    "ms",
    "orders",
    "colocations",
    "clones",
    "locations",
    "init_services",
    "systemd_services",
)
_LIST_SECTIONS = ("delete_resources", "init_services", "systemd_services")
#: is IPv6 -> (resource agent, its address parameter)
_AGENTS = {False: ("ocf:heartbeat:IPaddr2", "ip"), True: ("ocf:heartbeat:IPv6addr", "ipv6addr")}
#: os-<type>-hostname option -> the endpoint-type part of its DNS resource name
_DNS_TYPES = (("admin", "admin"), ("internal", "int"), ("public", "public"), ("access", "access"))


def haproxy_enabled(charm: Charm) -> bool:
    """Whether the charm runs haproxy in front of its API (the class decides: HAOpenStackCharm)."""
    return bool(getattr(charm, "haproxy_enabled", False))


def api_ports_to_check(charm: Charm, ha_related: bool) -> list[int]:
    """Ports a ready unit listens on: haproxy's N and the API's N-10, with or without TLS.

    haproxy terminates TLS on N (tls.py). With an ``ha`` relation pacemaker owns haproxy (it may
    be stopped on purpose), so only the API ports are checked.
    """
    shift = 10
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


def _underscored(name: str) -> str:
    """Upstream writes init-service and DNS resource names with ``_`` for ``-``."""
    return name.replace("-", "_")


def _digest(vip: str) -> str:
    return hashlib.sha1(vip.encode(), usedforsecurity=False).hexdigest()[:7]


def vip_settings(charm: Charm, vip: str) -> tuple[str, int, bool]:
    """(interface, prefix length, fallback) for ``vip``, as charm-helpers' get_vip_settings.

    The interface and prefix come from the local interface whose network holds the VIP; when
    there is none, ``vip_iface``/``vip_cidr`` (or eth0 and /24, /64) and ``fallback`` True.
    """
    found = netaddrs.interface_for(charm.host.local_addresses(), vip)
    if found:
        return found[0], found[1], False
    config = charm.host.config()
    iface = str(config.get("vip_iface") or DEFAULT_NIC)
    cidr: Any = config.get("vip_cidr")
    default = DEFAULT_CIDR_V6 if is_ipv6(vip) else DEFAULT_CIDR_V4
    return iface, int(cidr) if cidr not in (None, "") else default, True


def _valid_vips(vip_list: list[str]) -> list[str]:
    valid = []
    for vip in vip_list:
        try:
            ipaddress.ip_address(vip)
        except ValueError:
            continue
        valid.append(vip)
    return valid


def _vip_resources(charm: Charm, crm: dict[str, Any]) -> list[str]:
    """Add one resource per configured VIP to ``crm``; return the legacy names to delete.

    IPv6 VIPs use the IPv6addr agent and its ``ipv6addr`` parameter. With a detected interface
    they are named by address like IPv4 ones: upstream's reactive path would name every such
    IPv6 VIP ``res_<name>_None_ipv6addr_vip``, so a second one would overwrite the first.
    """
    name = charm.name
    legacy: list[str] = []
    members = []
    for vip in _valid_vips(vips(charm)):
        iface, prefix, fallback = vip_settings(charm, vip)
        v6 = is_ipv6(vip)
        agent, param = _AGENTS[v6]
        if fallback:
            key = f"res_{name}_{iface}_ipv6addr_vip" if v6 else f"res_{name}_{iface}_vip"
            params = f'params {param}="{vip}" nic="{iface}" cidr_netmask="{prefix}"'
        else:
            key = f"res_{name}_{_digest(vip)}_vip"
            params = f'params {param}="{vip}"'
            legacy.append(f"res_{name}_{iface}_ipv6addr_vip" if v6 else f"res_{name}_{iface}_vip")
        crm["resources"][key] = agent
        crm["resource_params"][key] = f"{params} {_META} {_VIP_OP}"
        members.append(key)
    if members:
        crm["groups"][f"grp_{name}_vips"] = " ".join(sorted(members))
    return legacy


def _dns_address(charm: Charm, endpoint_type: str) -> str:
    """The address ``os-<type>-hostname`` should point at (``access``: ``access-network``)."""
    if endpoint_type != "access":
        return resolve_address(charm, endpoint_type, override=False)
    host = charm.host
    network = host.config().get("access-network")
    configured = _valid_vips(vips(charm)) if host.is_flag_set(CLUSTERED_FLAG) else []
    if network:
        ip_net = ipaddress.ip_network(str(network).strip(), strict=False)
        for vip in configured:
            if ipaddress.ip_address(vip) in ip_net:
                return vip
        local = netaddrs.address_in_network(host.local_addresses(), str(network))
        if local and not configured:
            return local
    return configured[0] if configured else host.unit_address()


def _dns_resources(charm: Charm, crm: dict[str, Any]) -> None:
    config = charm.host.config()
    if not truthy(config.get("dns-ha")):
        return
    members = []
    for option_type, resource_type in _DNS_TYPES:
        fqdn = config.get(f"os-{option_type}-hostname")
        if not fqdn:
            continue
        key = f"res_{_underscored(charm.name)}_{resource_type}_hostname"
        address = _dns_address(charm, option_type)
        crm["resources"][key] = "ocf:maas:dns"
        crm["resource_params"][key] = f'params fqdn="{fqdn}" ip_address="{address}"'
        members.append(key)
    if members:
        crm["groups"][f"grp_{charm.name}_hostnames"] = " ".join(sorted(members))


def _empty_crm() -> dict[str, Any]:
    return {section: [] if section in _LIST_SECTIONS else {} for section in CRM_SECTIONS}


def hacluster_resources(
    charm: Charm, previous: list[str] | None = None, pending: list[str] | None = None
) -> dict[str, Any]:
    """All eleven CRM sections (``publish_resources`` input) for the charm's ``ha_resources``.

    ``previous`` are the resource and clone names last published: those no longer wanted join
    ``pending`` (deletions not yet known to be done) in ``delete_resources``, clones first.
    """
    crm = _empty_crm()
    ha_resources = getattr(charm, "ha_resources", None) or ()
    legacy = _vip_resources(charm, crm) if "vips" in ha_resources else []
    if haproxy_enabled(charm):
        key = f"res_{_underscored(charm.name)}_haproxy"
        crm["resources"][key] = "lsb:haproxy"
        crm["resource_params"][key] = f"{_META} {_INIT_OP}"
        crm["clones"][f"cl_{key}"] = key
        crm["init_services"].append("haproxy")
    _dns_resources(charm, crm)

    wanted = _names(crm)
    removed = sorted((n for n in previous or () if n not in wanted), key=_clone_first)
    delete: list[str] = []
    for candidate in [*(pending or ()), *removed, *legacy]:
        if candidate not in wanted and candidate not in delete:
            delete.append(candidate)
    crm["delete_resources"] = delete
    for section in ("resources", "resource_params", "groups", "clones"):
        crm[section] = dict(sorted(crm[section].items()))
    return crm


def _names(crm: dict[str, Any]) -> list[str]:
    """The pacemaker objects a CRM creates that a later publish may have to delete."""
    return sorted({*crm["resources"], *crm["clones"]})


def _clone_first(name: str) -> tuple[bool, str]:
    return (not name.startswith("cl_"), name)


def _legacy_names(charm: Charm, old_vips: list[str]) -> list[str]:
    """Names earlier versions of this runtime published (interface-named VIPs, ``-`` kept)."""
    name = charm.name
    nic = str(charm.host.config().get("vip_iface") or DEFAULT_NIC)
    names = []
    for vip in _valid_vips(list(old_vips)):
        suffix = "_ipv6addr_vip" if is_ipv6(vip) else "_vip"
        names += [f"res_{name}_{nic}{suffix}", f"res_{name}_{_digest(vip)}_vip"]
    names += [f"cl_res_{name}_haproxy", f"res_{name}_haproxy"]
    names += [f"res_{name}_{kind}_hostname" for kind in ENDPOINT_TYPES]
    return names


def corosync_bind(charm: Charm) -> tuple[str | None, int]:
    """(interface, multicast port) corosync binds to: ``ha-bindiface``/``vip_iface``, 4440."""
    config = charm.host.config()
    iface = config.get("ha-bindiface") or config.get("vip_iface") or None
    port = config.get("ha-mcastport") or DEFAULT_MCASTPORT
    return (str(iface) if iface else None, int(port))


def crm_resources(charm: Charm) -> dict[str, Any]:
    """CRM sections for a publish that happens right after this call.

    Reads the names last published and the pending deletions from the unit kv, and stores
    the new ones (kv writes only on change). Prefer :func:`configure_ha_resources`, which also
    does the publishing.
    """
    host = charm.host
    previous = host.kv_get(PUBLISHED_KV_KEY)
    if previous is None:
        old_vips = host.kv_get(LEGACY_VIPS_KV_KEY)
        previous = _legacy_names(charm, old_vips) if old_vips is not None else []
    pending = list(host.kv_get(DELETIONS_KV_KEY, []) or [])
    crm = hacluster_resources(charm, list(previous), pending)
    if _names(crm) != list(previous):
        host.kv_set(PUBLISHED_KV_KEY, _names(crm))
    if crm["delete_resources"] != pending:
        host.kv_set(DELETIONS_KV_KEY, list(crm["delete_resources"]))
    if host.kv_get(LEGACY_VIPS_KV_KEY) is not None:
        host.kv_unset(LEGACY_VIPS_KV_KEY)
    return crm


def configure_ha_resources(charm: Charm, hacluster: Any) -> dict[str, Any]:
    """Send corosync binding and CRM resources to ``hacluster``; remember what was sent.

    The interface itself skips unchanged keys, so calling this in every hook is cheap. Returns the
    CRM dict that was published (for status messages and tests).
    """
    crm = crm_resources(charm)
    iface, mcastport = corosync_bind(charm)
    hacluster.bind_on(iface=iface, mcastport=mcastport)
    hacluster.publish_resources(crm)
    return crm
