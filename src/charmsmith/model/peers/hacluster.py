"""hacluster's side of the `hacluster` interface (ha): a subordinate playing pacemaker.

Wire: the principal sends corosync_bindiface, corosync_mcastport and json_* CRM sections; we
record the decoded resources (`charmsmith model status --format json` shows them) and answer
`clustered=yes` once resources arrived, which is what turns the principal's `ha.available` on.

Playing pacemaker: each IPaddr2/IPv6addr resource's address is added to exactly one live
principal unit's eth0 (in its network namespace) and moved to another one when that unit fails
(`charmsmith model fail UNIT`) or is removed. Only VIPs inside the model subnet are plumbed
(anything else would need a host route out of the documentation range); others are recorded.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from charmsmith.model.peers.base import Backend, PeerApp, PeerView


class HAClusterBackend(Backend):
    def apply(self, principal: str, resources: dict[str, Any]) -> None:
        self.state.setdefault("resources", {})[principal] = resources


class EmulatedHACluster(HAClusterBackend):
    name = "emulated"


class HACluster(PeerApp):
    kind = "hacluster"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {"ha": ("provides", "hacluster")}
    SUBORDINATE = True
    BACKENDS: ClassVar[dict[str, type[Backend]]] = {"emulated": EmulatedHACluster}
    backend: HAClusterBackend

    def respond(self, view: PeerView) -> None:
        for sub in view.my_units():
            principal = view.model.unit(sub).get("principal")
            if principal not in view.remote_units():
                continue
            data = view.remote_data(principal)
            sections = {}
            for key, value in data.items():
                if key.startswith("json_"):
                    try:
                        sections[key[5:]] = json.loads(value)
                    except ValueError:
                        sections[key[5:]] = value
            if not sections:
                view.model.unit(sub)["workload"] = {
                    "status": "waiting",
                    "message": "waiting for resources from the principal",
                }
                continue
            sections["corosync_bindiface"] = data.get("corosync_bindiface", "")
            sections["corosync_mcastport"] = data.get("corosync_mcastport", "")
            self.backend.apply(principal, sections)
            view.publish(sub, {"clustered": "yes"})
            view.model.unit(sub)["workload"] = {
                "status": "active",
                "message": "Unit is ready and clustered",
            }
        place_vips(view.model, view.app)

    def forget(self, view: PeerView) -> None:
        """Relation removed: the principals' resources go, and with them their VIPs."""
        resources = self.backend.state.get("resources", {})
        for principal in view.remote_units():
            resources.pop(principal, None)
        place_vips(view.model, view.app)


def requested_vips(resources: dict[str, Any]) -> dict[str, int]:
    """{vip: prefixlen} from one principal's decoded CRM sections."""
    out = {}
    params = resources.get("resource_params") or {}
    for name, agent in (resources.get("resources") or {}).items():
        if agent not in ("ocf:heartbeat:IPaddr2", "ocf:heartbeat:IPv6addr"):
            continue
        text = params.get(name, "")
        ip = re.search(r'(?:ip|ipv6addr)="?([0-9a-fA-F.:]+)', text)
        cidr = re.search(r'cidr_netmask="?(\d+)', text)
        if ip:
            out[ip.group(1)] = int(cidr.group(1)) if cidr else 32
    return out


def place_vips(model: Any, app: str) -> None:
    """Pacemaker's job: every VIP on one live principal; move it off failed/removed units."""
    import ipaddress

    from charmsmith.model import network

    peer_state = model.app(app).setdefault("peer_state", {})
    resources = peer_state.get("resources", {})
    placed: dict[str, dict[str, Any]] = peer_state.setdefault("vips", {})
    wanted: dict[str, tuple[int, list[str]]] = {}
    for principal, sections in sorted(resources.items()):
        if principal not in model.state["units"]:
            continue
        for vip, prefix in requested_vips(sections).items():
            wanted.setdefault(vip, (prefix, []))[1].append(principal)
    subnet = ipaddress.ip_network(model.state["subnet"])
    for vip in list(placed):
        if vip not in wanted:
            _unplumb(model, placed.pop(vip))
    for vip, (prefix, principals) in sorted(wanted.items()):
        live = [
            u for u in sorted(principals, key=model.unit_sort_key) if not model.unit(u).get("down")
        ]
        current = placed.get(vip, {})
        holder = current.get("unit") if current.get("unit") in live else (live[0] if live else None)
        if current.get("unit") == holder and current:
            continue
        _unplumb(model, current)
        entry = {"vip": vip, "prefix": prefix, "unit": holder, "plumbed": False}
        in_subnet = ipaddress.ip_address(vip) in subnet
        if holder and in_subnet and model.unit(holder).get("netns"):
            network.add_unit_address(model.state, model.unit(holder), vip, subnet.prefixlen)
            entry["plumbed"] = True
        placed[vip] = entry
        where = holder or "no live unit"
        model.store.log(
            app,
            "INFO",
            f"VIP {vip} on {where}"
            + ("" if in_subnet else " (outside the model subnet: recorded, not plumbed)"),
        )


def _unplumb(model: Any, entry: dict[str, Any]) -> None:
    from charmsmith.model import network

    unit = model.state["units"].get(entry.get("unit") or "")
    if entry.get("plumbed") and unit:
        network.del_unit_address(
            model.state, unit, entry["vip"], int(model.state["subnet"].split("/")[1])
        )
