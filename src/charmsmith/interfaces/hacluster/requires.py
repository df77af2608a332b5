"""Requires side of the ``hacluster`` interface (relation usually named ``ha``).

hacluster is a subordinate (``scope: container``) running corosync/pacemaker next to our
service. We tell it which interface and multicast port corosync uses and which CRM resources
(VIPs, cloned haproxy, ...) to manage, each section as sorted JSON so that equal content is
byte-equal and nothing is re-sent unchanged; it reports back whether the cluster formed.

Details (wire keys, flags): docs/architecture.md, 'Interface layer APIs'.
"""

from __future__ import annotations

import json
from typing import Any

from charms.layer.charmsmith_endpoint import FlagEndpoint, toggle_flag, wire_truthy

FLAG_SUFFIXES: tuple[str, ...] = ("connected", "available")

# The CRM sections hacluster understands; anything else is a caller's typo, not an opt-in.
CRM_SECTIONS: tuple[str, ...] = (
    "resources",
    "resource_params",
    "groups",
    "clones",
    "init_services",
    "delete_resources",
    "colocations",
    "orders",
    "locations",
    "ms",
    "systemd_services",
)

DEFAULT_MCASTPORT = 4440


class HAClusterRequires(FlagEndpoint):
    """Principal side of the hacluster interface."""

    # -- flags ---------------------------------------------------------------------------------

    def update_flags(self) -> None:
        joined = self.is_joined
        toggle_flag(self.flag("connected"), joined)
        toggle_flag(self.flag("available"), joined and self.is_clustered())

    # -- what we send --------------------------------------------------------------------------

    def bind_on(self, iface: str | None = None, mcastport: int | str = DEFAULT_MCASTPORT) -> None:
        """Tell corosync which interface (None: hacluster's choice) and multicast port to use."""
        self.publish_raw(
            {
                "corosync_bindiface": iface or None,
                "corosync_mcastport": str(mcastport),
            }
        )

    def publish_resources(self, crm: dict[str, Any]) -> None:
        """Send the given CRM sections as ``json_<section>``; sections not given stay as they are.

        Raises ValueError for an unknown section and TypeError for content JSON cannot encode:
        both are programming errors that must not reach the cluster half-applied.
        """
        unknown = sorted(set(crm) - set(CRM_SECTIONS))
        if unknown:
            raise ValueError(f"unknown CRM section(s): {', '.join(unknown)}")
        encoded = {
            f"json_{section}": json.dumps(crm[section], sort_keys=True)
            for section in CRM_SECTIONS
            if section in crm
        }
        self.publish_raw(encoded)

    # -- what we read --------------------------------------------------------------------------

    def is_clustered(self) -> bool:
        """True when any joined hacluster unit reports the cluster as formed."""
        return any(
            wire_truthy(unit.received_raw.get("clustered")) for unit in self.all_joined_units
        )
