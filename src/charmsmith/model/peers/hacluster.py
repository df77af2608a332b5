"""hacluster's side of the `hacluster` interface (ha): a subordinate playing pacemaker.

The principal sends corosync settings and json_* CRM sections; we record the decoded resources
as a persistent CIB, bring each VIP up on one live principal unit (peers/ipaddr.py) and answer
`clustered=yes` once `cluster_count` units are there. Followed: charm-hacluster hooks/hooks.py
(`ha_relation_changed`), hooks/utils.py (`parse_data`, `get_cluster_nodes`,
`assess_status_helper`, `pause_unit`, `resume_unit`) and actions/actions.py (pause, resume).

Details: docs/model.md, 'Peers' (hacluster) and 'Fidelity' ('hacluster').
"""

from __future__ import annotations

import ast
import json
from typing import TYPE_CHECKING, Any, ClassVar

import charmsmith.model.peers.base as base
import charmsmith.model.peers.ipaddr as ipaddr
from charmsmith.errors import CharmsmithError

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelAPI

HOOK = "ha-relation-changed"
# CRM sections hooks.py reads (parse_data); init_services/systemd_services configure nothing here
SECTIONS = (
    "resources",
    "delete_resources",
    "resource_params",
    "groups",
    "ms",
    "orders",
    "colocations",
    "clones",
    "locations",
    "init_services",
)
# created with `crm configure <kind>` only when `crm_opt_exists` says the name is new
CREATED_IF_ABSENT = ("groups", "ms", "orders", "colocations", "clones", "locations")
# assess_status_helper's answer while the unit-paused flag is set
PAUSED = "Paused. Use 'resume' action to resume normal service."


class MalformedSection(ValueError):
    """A section neither json.loads nor ast.literal_eval can read: the hook raises."""


def parse_sections(data: dict[str, str]) -> dict[str, Any]:
    """Each section as utils.parse_data reads it: `json_<s>` or `<s>`, JSON then a literal."""
    out: dict[str, Any] = {}
    for section in SECTIONS:
        raw = data.get(f"json_{section}") or data.get(section)
        if not raw:
            continue
        try:
            out[section] = json.loads(raw)
        except ValueError:
            try:
                out[section] = ast.literal_eval(raw)
            except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
                raise MalformedSection(
                    f"json_{section} is neither JSON nor a Python literal ({type(exc).__name__})"
                ) from None
    return out


class HAClusterBackend(base.Backend):
    def apply(self, principal: str, sent: dict[str, Any]) -> None:
        """One principal's CIB: delete what is named, update primitives, add new groups etc."""
        known = self.state.setdefault("resources", {})
        cib = dict(known.get(principal, {}))
        deleted = sent.get("delete_resources") or []
        for name in deleted if isinstance(deleted, list) else []:
            for section in ("resources", "resource_params", *CREATED_IF_ABSENT):
                held = dict(cib.get(section) or {})
                held.pop(name, None)
                for other, members in list(held.items()):
                    if section == "groups" and isinstance(members, str):
                        left = [m for m in members.split() if m != name]
                        held[other] = " ".join(left)
                        if not left:
                            del held[other]
                cib[section] = held
        for section in ("resources", "resource_params"):
            update = sent.get(section)
            cib[section] = {
                **(cib.get(section) or {}),
                **(update if isinstance(update, dict) else {}),
            }
        for section in CREATED_IF_ABSENT:
            new = sent.get(section)
            cib[section] = {**(new if isinstance(new, dict) else {}), **(cib.get(section) or {})}
        for key in (
            "delete_resources",
            "init_services",
            "corosync_bindiface",
            "corosync_mcastport",
        ):
            if key in sent:
                cib[key] = sent[key]
        known[principal] = cib


class EmulatedHACluster(HAClusterBackend):
    name = "emulated"


class HACluster(base.PeerApp):
    kind = "hacluster"
    ENDPOINTS: ClassVar[dict[str, tuple[str, str]]] = {"ha": ("provides", "hacluster")}
    SUBORDINATE = True
    BACKENDS: ClassVar[dict[str, type[base.Backend]]] = {"emulated": EmulatedHACluster}
    OPTIONS: ClassVar[dict[str, dict[str, Any]]] = {
        "cluster_count": {
            "type": "int",
            "default": 3,
            "description": "Number of peer units required to bootstrap cluster services.",
        },
    }
    ACTIONS: ClassVar[dict[str, str]] = {
        "pause": "Put this unit's node in standby: pacemaker moves its resources to other nodes",
        "resume": "Take this unit's node out of standby",
    }
    backend: HAClusterBackend

    @classmethod
    def check_config(cls, values: dict[str, Any], backend: str) -> None:
        if values["cluster_count"] < 1:
            raise CharmsmithError(
                f"option cluster_count must be a positive number of units, "
                f"got {values['cluster_count']}"
            )

    def respond(self, view: base.PeerView) -> None:
        needed = int(self.config()["cluster_count"])
        members = view.my_units()  # the hanode peers: one per principal unit
        for sub in members:
            principal = view.model.unit(sub).principal
            if principal is None or principal not in view.remote_units():
                continue
            if len(members) < needed:
                view.model.unit(sub).workload = self.assess(view.model, sub)
                continue
            data = view.remote_data(principal)
            try:
                sections = parse_sections(data)
            except MalformedSection as exc:
                base.fail_hook(view, sub, HOOK, f"{principal} sent {exc}")
                continue
            base.clear_hook_failure(view, sub, HOOK)
            sections["corosync_bindiface"] = data.get("corosync_bindiface", "")
            sections["corosync_mcastport"] = data.get("corosync_mcastport", "")
            self.backend.apply(principal, sections)
            view.publish(sub, {"clustered": "yes"})
            view.model.unit(sub).workload = self.assess(view.model, sub)
        place_vips(view.model, view.app)

    def assess(self, model: ModelAPI, unit: str) -> dict[str, str]:
        """assess_status_helper's order: paused first, then too few peers, else ready."""
        needed = int(self.config()["cluster_count"])
        if model.unit(unit).principal in self.standby():
            return {"status": "maintenance", "message": PAUSED}
        if len(model.app(model.unit(unit).app).units) < needed:
            return {
                "status": "blocked",
                "message": f"Insufficient peer units for ha cluster (require {needed})",
            }
        return {"status": "active", "message": "Unit is ready and clustered"}

    def standby(self) -> list[str]:
        """The nodes (principal units: one pacemaker node per machine) in standby."""
        return self.backend.state.setdefault("standby", [])

    def run_action(
        self, model: ModelAPI, unit: str, name: str, params: dict[str, str]
    ) -> base.ActionResult:
        """pause/resume: the node leaves or rejoins the set that may run resources."""
        if name not in self.ACTIONS:
            return super().run_action(model, unit, name, params)
        node = model.unit(unit).principal or ""  # every hacluster unit is a subordinate
        # Juju would leave the action pending until the machine's agent answers again
        if model.unit(node).down:
            raise CharmsmithError(
                f"{unit}: its machine ({node}) is down, so no action can run there; "
                f"see 'charmsmith model recover {node}'"
            )
        standby = self.standby()
        if name == "pause" and node not in standby:
            standby.append(node)  # crm node standby is idempotent, and so is this
        elif name == "resume" and node in standby:
            standby.remove(node)
        model.unit(unit).workload = self.assess(model, unit)
        place_vips(model, model.unit(unit).app)
        return base.ActionResult({})

    def forget(self, view: base.PeerView) -> None:
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


def place_vips(model: ModelAPI, app: str) -> None:
    """Pacemaker's job: every VIP on one live, online principal; move it off failed, removed
    or standby units, and otherwise leave it where it is (resource-stickiness)."""
    import ipaddress

    record = model.app(app)
    peer_state = record.peer_state
    resources = peer_state.get("resources", {})
    standby = set(peer_state.get("standby", []))
    placed: dict[str, dict[str, Any]] = peer_state.setdefault("vips", {})
    wanted: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for principal, sections in sorted(resources.items()):
        if principal not in model.state.units:
            continue
        for vip, request in requested_vips(sections).items():
            wanted.setdefault(vip, (request, []))[1].append(principal)
    subnet = ipaddress.ip_network(model.state.subnet)
    for vip in list(placed):
        if vip not in wanted:
            _unplumb(model, placed.pop(vip))
    for vip, (request, principals) in sorted(wanted.items()):
        live = [
            u
            for u in sorted(principals, key=model.unit_sort_key)
            if not model.unit(u).down and u not in standby
        ]
        current = placed.get(vip, {})
        holder = current.get("unit") if current.get("unit") in live else (live[0] if live else None)
        where = (
            ipaddr.placement(ipaddr.unit_interfaces(model, holder), vip, **request)
            if holder
            else "no live unit out of standby"
        )
        entry: dict[str, Any] = {"vip": vip, "unit": holder, "plumbed": False}
        if isinstance(where, str):
            entry.update(unit=None, error=where)
        else:
            entry.update(nic=where[0], prefix=where[1])
        in_subnet = ipaddress.ip_address(vip) in subnet
        entry["plumbed"] = bool(entry["unit"] and in_subnet and model.unit(entry["unit"]).netns)
        if current == entry:
            continue  # already there: re-plumbing would drop the address for a moment
        _unplumb(model, current)
        if entry["plumbed"]:
            plumbed_on = model.unit(entry["unit"])
            model.substrate.add_unit_address(model.state, plumbed_on, vip, entry["prefix"])
        placed[vip] = entry
        if "error" in entry:
            note = f"not brought up: {entry['error']}"
        else:
            note = f"on {holder} {entry['nic']}/{entry['prefix']}" + (
                "" if in_subnet else " (outside the model subnet: recorded, not plumbed)"
            )
        model.store.log(app, "INFO", f"VIP {vip} {note}")


def _unplumb(model: ModelAPI, entry: dict[str, Any]) -> None:
    unit = model.state.units.get(entry.get("unit") or "")
    if entry.get("plumbed") and unit:
        prefix = entry.get("prefix") or int(model.state.subnet.split("/")[1])
        model.substrate.del_unit_address(model.state, unit, entry["vip"], prefix)
