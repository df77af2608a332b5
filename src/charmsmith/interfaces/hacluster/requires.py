"""Requires side of the ``hacluster`` interface (relation usually named ``ha``).

hacluster is a subordinate (``scope: container``) that runs corosync/pacemaker next to our
service.  We tell it which interface and multicast port corosync should use and which CRM
resources (VIPs, cloned haproxy, ...) to manage; it reports back whether the cluster formed.

Wire protocol (plain strings):

* we set ``corosync_bindiface``, ``corosync_mcastport`` and one ``json_<section>`` key per CRM
  section (``json_resources``, ``json_resource_params``, ``json_groups``, ``json_clones``, ...),
  each the section encoded with ``json.dumps(..., sort_keys=True)`` so that equal content is
  byte-equal and nothing is re-sent while it does not change;
* hacluster sets ``clustered`` (``true``/``yes`` in some case, or a JSON ``true``).

Flags: ``<ep>.connected`` while the subordinate is joined; ``<ep>.available`` while it reports
the cluster as formed.
"""

from __future__ import annotations

import json
from typing import Any

from charms.reactive import Endpoint, clear_flag, is_flag_set, set_flag

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


def _truthy(value: Any) -> bool:
    """hacluster's ``clustered``: ``true``/``yes`` in any case, quoted (JSON) or not."""
    if value is None:
        return False
    text = str(value).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].strip()
    return text.lower() in ("true", "yes")


class HAClusterRequires(Endpoint):
    """Principal side of the hacluster interface."""

    # -- flags ---------------------------------------------------------------------------------

    def manage_flags(self) -> None:
        """Recompute the public flags at start-up of every hook of this relation.

        charms.reactive calls this on joined / changed / departed / broken (and while the
        relation is absent), so ``.available`` follows what hacluster reports right now.
        """
        self._update_flags()
        for suffix in ("changed", "departed"):
            self._set(self.expand_name(suffix), False)

    def _flag(self, suffix: str) -> str:
        return self.expand_name("{endpoint_name}." + suffix)

    @staticmethod
    def _set(flag: str, value: bool) -> None:
        """Set or clear only on change: clear_flag() always forces handler re-tests."""
        if value and not is_flag_set(flag):
            set_flag(flag)
        elif not value and is_flag_set(flag):
            clear_flag(flag)

    def _update_flags(self) -> None:
        joined = self.is_joined
        self._set(self._flag("connected"), joined)
        self._set(self._flag("available"), joined and self.is_clustered())

    # -- what we send --------------------------------------------------------------------------

    def _publish(self, settings: dict[str, str | None]) -> None:
        """Write raw values to every relation, touching only keys whose value changed."""
        for relation in self.relations:
            local = relation.to_publish_raw
            for key, value in settings.items():
                if value is None:
                    if local.get(key) is not None:
                        local[key] = None  # relation-set key= removes it
                elif local.get(key) != value:
                    local[key] = value

    def bind_on(self, iface: str | None = None, mcastport: int | str = DEFAULT_MCASTPORT) -> None:
        """Tell corosync which interface (None: hacluster's choice) and multicast port to use."""
        self._publish(
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
        self._publish(encoded)

    # -- what we read --------------------------------------------------------------------------

    def is_clustered(self) -> bool:
        """True when any joined hacluster unit reports the cluster as formed."""
        return any(_truthy(unit.received_raw.get("clustered")) for unit in self.all_joined_units)
