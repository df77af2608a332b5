"""hacluster's side of the `hacluster` interface (ha): a subordinate playing pacemaker.

Wire: the principal sends corosync_bindiface, corosync_mcastport and json_* CRM sections; we
record the decoded resources (`charmsmith model status --format json` shows them) and answer
`clustered=yes` once resources arrived, which is what turns the principal's `ha.available` on.

Playing pacemaker (charm-hacluster hooks.py, ha_relation_changed): the resources persist like a
CIB. Each change first deletes what `json_delete_resources` names, then creates or updates the
primitives of `json_resources`; a primitive the principal stops sending but never deletes stays,
and so does its VIP, as on a real cluster. Each IPaddr2/IPv6addr address is brought up on one
live principal unit, on the interface the agent would pick (peers/ipaddr.py: `nic` only when
given, else the interface that carries the VIP's network), and moved to another unit when that
one fails (`charmsmith model fail UNIT`) or is removed. A VIP no interface carries is not brought
up and its entry says why. Only VIPs inside the model subnet are plumbed (anything else would
need a host route out of the documentation range); others are recorded.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from charmsmith.model.peers import ipaddr
from charmsmith.model.peers.base import Backend, PeerApp, PeerView


class HAClusterBackend(Backend):
    def apply(self, principal: str, resources: dict[str, Any]) -> None:
        """Delete what is named for deletion, then create or update the primitives sent."""
        known = self.state.setdefault("resources", {})
        old = known.get(principal, {})
        primitives = dict(old.get("resources") or {})
        settings = dict(old.get("resource_params") or {})
        deleted = resources.get("delete_resources") or []
        for name in deleted if isinstance(deleted, list) else []:
            primitives.pop(name, None)
            settings.pop(name, None)
        sent = resources.get("resources")
        primitives.update(sent if isinstance(sent, dict) else {})
        sent = resources.get("resource_params")
        settings.update(sent if isinstance(sent, dict) else {})
        known[principal] = {**resources, "resources": primitives, "resource_params": settings}


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


def requested_vips(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{vip: {nic, cidr}} from one principal's resources (nic/cidr None when not given)."""
    out = {}
    params = resources.get("resource_params") or {}
    for name, agent in (resources.get("resources") or {}).items():
        found = ipaddr.vip_of(agent, params.get(name, ""))
        if found:
            out[found.pop("vip")] = found
    return out


def place_vips(model: Any, app: str) -> None:
    """Pacemaker's job: every VIP on one live principal; move it off failed/removed units."""
    import ipaddress

    from charmsmith.model import network

    peer_state = model.app(app).setdefault("peer_state", {})
    resources = peer_state.get("resources", {})
    placed: dict[str, dict[str, Any]] = peer_state.setdefault("vips", {})
    wanted: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for principal, sections in sorted(resources.items()):
        if principal not in model.state["units"]:
            continue
        for vip, request in requested_vips(sections).items():
            wanted.setdefault(vip, (request, []))[1].append(principal)
    subnet = ipaddress.ip_network(model.state["subnet"])
    for vip in list(placed):
        if vip not in wanted:
            _unplumb(model, placed.pop(vip))
    for vip, (request, principals) in sorted(wanted.items()):
        live = [
            u for u in sorted(principals, key=model.unit_sort_key) if not model.unit(u).get("down")
        ]
        current = placed.get(vip, {})
        holder = current.get("unit") if current.get("unit") in live else (live[0] if live else None)
        where = (
            ipaddr.placement(ipaddr.unit_interfaces(model, holder), vip, **request)
            if holder
            else "no live unit"
        )
        entry = {"vip": vip, "unit": holder, "plumbed": False}
        if isinstance(where, str):
            entry.update(unit=None, error=where)
        else:
            entry.update(nic=where[0], prefix=where[1])
        if current and {k: v for k, v in current.items() if k != "plumbed"} == entry:
            continue
        _unplumb(model, current)
        in_subnet = ipaddress.ip_address(vip) in subnet
        if entry["unit"] and in_subnet and model.unit(holder).get("netns"):
            network.add_unit_address(model.state, model.unit(holder), vip, entry["prefix"])
            entry["plumbed"] = True
        placed[vip] = entry
        if "error" in entry:
            note = f"not brought up: {entry['error']}"
        else:
            note = f"on {holder} {entry['nic']}/{entry['prefix']}" + (
                "" if in_subnet else " (outside the model subnet: recorded, not plumbed)"
            )
        model.store.log(app, "INFO", f"VIP {vip} {note}")


def _unplumb(model: Any, entry: dict[str, Any]) -> None:
    from charmsmith.model import network

    unit = model.state["units"].get(entry.get("unit") or "")
    if entry.get("plumbed") and unit:
        prefix = entry.get("prefix") or int(model.state["subnet"].split("/")[1])
        network.del_unit_address(model.state, unit, entry["vip"], prefix)
