"""The hook tools FakeJuju puts in place of charmhelpers.core.hookenv's, over in-memory relations.

They answer as Juju does for what the interface layers call (relation-ids, relation-list,
relation-get, relation-set, juju-log, unit-get, network-get), including its refusals: only the
leader reads or writes its application's databag, ``None`` and ``""`` delete a key, a departed
unit's settings stay readable in its -departed hook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RelationState:
    """One relation in the fake model, as the controller would hold it."""

    endpoint: str
    remote_app: str
    units: dict[str, dict[str, str]] = field(default_factory=dict)
    local: dict[str, str] = field(default_factory=dict)
    remote_app_data: dict[str, str] = field(default_factory=dict)
    # Juju still answers relation-get for a unit in its -departed hook, though it is unlisted.
    departed: dict[str, dict[str, str]] = field(default_factory=dict)
    local_app_data: dict[str, str] = field(default_factory=dict)
    broken: bool = False
    listed_while_broken: bool = False


class FakeHookTools:
    """Mixed into FakeJuju, which holds the unit, its leadership, address and relations."""

    unit: str
    leader: bool
    private_address: str
    bindings: dict[str, str]
    relations: dict[str, RelationState]
    relation_set_calls: list[tuple[str, dict[str, str | None], bool]]
    log: list[tuple[str, str]]

    def _rid(self, rid: str | None) -> str | None:
        return rid or os.environ.get("JUJU_RELATION_ID")

    def _tool_relation_ids(self, reltype: str | None = None) -> list[str]:
        reltype = reltype or os.environ.get("JUJU_RELATION")
        return [
            rid
            for rid, rel in self.relations.items()
            if rel.endpoint == reltype and (not rel.broken or rel.listed_while_broken)
        ]

    def _tool_related_units(self, relid: str | None = None) -> list[str]:
        rel = self.relations.get(self._rid(relid) or "")
        if rel is None or rel.broken:
            return []
        return sorted(rel.units)

    def _tool_relation_get(
        self,
        attribute: str | None = None,
        unit: str | None = None,
        rid: str | None = None,
        app: str | None = None,
    ) -> Any:
        rel = self.relations.get(self._rid(rid) or "")
        if rel is None:
            return None
        if app is not None:
            local_app = self.unit.split("/")[0]
            if app == local_app and not self.leader:  # Juju: only the leader reads its app's
                raise RuntimeError("relation-get --app: permission denied")
            data = rel.local_app_data if app == local_app else rel.remote_app_data
        else:
            unit = unit or os.environ.get("JUJU_REMOTE_UNIT")
            if unit == self.unit:
                data = rel.local
            elif unit in rel.units:
                data = rel.units[unit]
            elif unit in rel.departed:
                data = rel.departed[unit]
            else:
                return None
        data = dict(data)  # a fresh parse each call, as relation-get --format=json gives
        return data.get(attribute) if attribute else data

    def _tool_relation_set(
        self,
        relation_id: str | None = None,
        relation_settings: dict[str, Any] | None = None,
        app: bool = False,
        **kwargs: Any,
    ) -> None:
        rid = self._rid(relation_id)
        assert rid in self.relations, f"relation-set on unknown relation {rid!r}"
        if app and not self.leader:
            raise RuntimeError("relation-set --app: this unit is not the leader")
        settings = {**(relation_settings or {}), **kwargs}
        # hookenv stringifies non-None values; None and "" delete the key in Juju.
        sent = {key: None if value is None else f"{value}" for key, value in settings.items()}
        self.relation_set_calls.append((rid, sent, app))
        rel = self.relations[rid]
        target = rel.local_app_data if app else rel.local
        for key, value in sent.items():
            if value in (None, ""):
                target.pop(key, None)
            else:
                target[key] = value

    def _tool_log(self, message: str, level: str | None = None) -> None:
        self.log.append((level or "INFO", message))

    def _tool_unit_get(self, attribute: str) -> str | None:
        return self.private_address if attribute in ("private-address", "public-address") else None

    def _tool_network_get(self, binding: str) -> str:
        if binding not in self.bindings:
            raise NotImplementedError("network-get is not available")
        return self.bindings[binding]
