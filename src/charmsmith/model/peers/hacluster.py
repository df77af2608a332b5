"""hacluster's side of the `hacluster` interface (ha): a subordinate playing pacemaker.

Wire: the principal sends corosync_bindiface, corosync_mcastport and json_* CRM sections; we
record the decoded resources (`charmsmith model status --format json` shows them) and answer
`clustered=yes` once resources arrived, which is what turns the principal's `ha.available` on.
Moving a VIP between unit namespaces on failure is scale-out work (issue 6) built on this state.
"""

from __future__ import annotations

import json
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
                continue
            sections["corosync_bindiface"] = data.get("corosync_bindiface", "")
            sections["corosync_mcastport"] = data.get("corosync_mcastport", "")
            self.backend.apply(principal, sections)
            view.publish(sub, {"clustered": "yes"})
