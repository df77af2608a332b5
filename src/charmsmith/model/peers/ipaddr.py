"""Where a VIP resource comes up on a unit, as pacemaker's IPaddr2 / IPv6addr agents decide.

Why it matters: upstream OpenStack charms send a VIP as ``ip`` (or ``ipv6addr``) alone whenever
their unit has an interface on the VIP's network and rely on the agent to find it; a model that
always used eth0 would bring up VIPs a real cluster leaves down, and the other way round.
Followed: resource-agents ``heartbeat/IPaddr2`` with ``heartbeat/findif.sh``, and
``heartbeat/IPv6addr``.

Details: docs/model.md, 'Fidelity' ('hacluster': IPaddr2/IPv6addr placement).
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView

VIP_AGENTS = ("ocf:heartbeat:IPaddr2", "ocf:heartbeat:IPv6addr")
_PARAM = re.compile(r'(\w+)="([^"]*)"|(\w+)=(\S+)')


def params(text: str) -> dict[str, str]:
    """``name="value"`` pairs of a CRM resource's ``params`` clause (before ``meta``/``op``)."""
    head = re.split(r"\s(?:meta|op|utilization)\s", f" {text} ", maxsplit=1)[0]
    found = {}
    for match in _PARAM.finditer(head):
        key = match.group(1) or match.group(3)
        found[key] = match.group(2) if match.group(1) else match.group(4)
    return found


def vip_of(agent: str, text: str) -> dict[str, Any] | None:
    """{vip, nic, cidr} of a VIP resource (None for other agents or no address)."""
    if agent not in VIP_AGENTS:
        return None
    given = params(text)
    vip = given.get("ipv6addr") if agent.endswith("IPv6addr") else given.get("ip")
    if not vip:
        return None
    cidr = given.get("cidr_netmask")
    return {
        "vip": vip,
        "nic": given.get("nic") or None,
        "cidr": int(cidr) if cidr and cidr.isdigit() else None,
    }


def unit_interfaces(model: ModelView, unit: str) -> dict[str, ipaddress.IPv4Interface]:
    """A model unit's interfaces: eth0 with its address in the model subnet."""
    prefix = model.state.subnet.split("/")[1]
    return {"eth0": ipaddress.IPv4Interface(f"{model.unit(unit).address}/{prefix}")}


def placement(
    interfaces: dict[str, Any], vip: str, nic: str | None, cidr: int | None
) -> tuple[str, int] | str:
    """(interface, prefix) the agent would bring ``vip`` up on, or why it fails to start."""
    if nic and nic not in interfaces:
        return f"Unknown interface [{nic}] No such device"
    if nic and cidr is not None:
        return nic, cidr
    address = ipaddress.ip_address(vip)
    for name, iface in interfaces.items():
        if nic and name != nic:
            continue
        if address.version == iface.version and address in iface.network:
            return name, cidr if cidr is not None else iface.network.prefixlen
    return "Unable to find nic or netmask"
