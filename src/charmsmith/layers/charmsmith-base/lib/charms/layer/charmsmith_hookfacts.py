"""Relation membership, relation data and addresses, read once and kept across hooks.

Why: on a real Juju every hook-tool call is a round trip to the unit agent, yet charms.reactive
re-reads every endpoint's relations and databags in every hook. Juju changes these facts only in
known hooks (Juju's "Hook" reference and the uniter's relation state), so each fact is read
again only in those hooks and kept in the unit's kv store in the hook's transaction (a failed
hook keeps nothing, as Juju discards its relation changes).

Details: docs/hook-cost.md, 'When each kept fact is read again'.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from typing import Any

FACTS_KEY = "charmsmith-base.hook-facts"
FORMAT_VERSION = 1
MEMBERSHIP_EVENTS = frozenset({"created", "joined", "departed", "broken"})
#: Hooks after which nothing kept may be trusted (new charm code, new machine).
RESET_HOOKS = frozenset({"install", "upgrade-charm", "post-series-upgrade"})
#: Hooks in which the machine's addresses may have changed.
ADDRESS_HOOKS = frozenset({"start", "config-changed"}) | RESET_HOOKS
APP_PREFIX = "app:"


@dataclasses.dataclass
class HookFacts:
    """What the unit has learnt, in the form the kv store keeps."""

    relation_ids: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    members: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: relation id -> unit name, or ``app:<application>`` -> settings
    data: dict[str, dict[str, dict[str, str]]] = dataclasses.field(default_factory=dict)
    #: ``primary:<binding>`` or ``json:<binding>`` -> network-get's answer
    network: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, stored: Any) -> HookFacts:
        if not isinstance(stored, dict) or stored.get("version") != FORMAT_VERSION:
            return cls()
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in fields})

    def dump(self) -> dict[str, Any]:
        """The stored form. Shallow: the kv store serialises it at once, so the deep copy
        ``dataclasses.asdict`` makes (a few milliseconds per save, several saves a hook) buys
        nothing."""
        return {"version": FORMAT_VERSION, **{f.name: getattr(self, f.name) for f in _FIELDS}}


_FIELDS = dataclasses.fields(HookFacts)


@dataclasses.dataclass(frozen=True)
class HookKind:
    """The hook being run, as Juju's environment describes it."""

    name: str
    relation_id: str | None = None
    remote_unit: str | None = None
    remote_app: str | None = None
    departing_unit: str | None = None

    @property
    def relation_event(self) -> str | None:
        if self.relation_id is None or "-relation-" not in self.name:
            return None
        return self.name.rsplit("-relation-", 1)[1]

    @property
    def membership_changes(self) -> bool:
        return self.relation_event in MEMBERSHIP_EVENTS

    @classmethod
    def from_environment(cls, name: str) -> HookKind:
        remote = os.environ.get("JUJU_REMOTE_UNIT") or None
        return cls(
            name=name,
            relation_id=os.environ.get("JUJU_RELATION_ID") or None,
            remote_unit=remote,
            remote_app=os.environ.get("JUJU_REMOTE_APP")
            or (remote.split("/")[0] if remote else None),
            departing_unit=os.environ.get("JUJU_DEPARTING_UNIT") or None,
        )


def begin_hook(facts: HookFacts, kind: HookKind) -> HookFacts:
    """Drop what this hook may see changed (the rules in the module docstring). Pure."""
    if kind.name in RESET_HOOKS:
        return HookFacts()
    if kind.name in ADDRESS_HOOKS:
        facts.network.clear()
    if kind.name == "leader-elected":
        for bags in facts.data.values():
            for app_key in [n for n in bags if n.startswith(APP_PREFIX)]:
                del bags[app_key]
    if kind.membership_changes:
        facts.relation_ids.clear()
        facts.members.clear()
    rid = kind.relation_id
    if rid is not None and kind.relation_event in ("broken",):
        facts.data.pop(rid, None)
    elif rid is not None and kind.relation_event in ("created", "joined", "changed", "departed"):
        bags = facts.data.get(rid, {})
        for name in (kind.remote_unit, kind.remote_app and APP_PREFIX + kind.remote_app):
            if name:
                bags.pop(name, None)
    return facts


class FactCache:
    """Wraps charm-helpers' hook-tool helpers so each fact is read once, then kept."""

    def __init__(self, facts: HookFacts, kind: HookKind, local_unit: str, save: Any) -> None:
        self.facts = facts
        self.kind = kind
        self.local_unit = local_unit
        self._save = save

    def _stored(self) -> None:
        self._save(self.facts.dump())

    # -- membership -----------------------------------------------------------------------------

    def relation_ids(self, original: Any, endpoint: str | None) -> list[str]:
        return self._membership(self.facts.relation_ids, endpoint, original)

    def members(self, original: Any, rid: str | None) -> list[str]:
        return self._membership(self.facts.members, rid, original)

    def _membership(self, kept: dict[str, list[str]], key: str | None, original: Any) -> list[str]:
        """Read live in membership hooks (and keep nothing); otherwise read once and keep."""
        if key is None or self.kind.membership_changes:
            return original(key)
        if key not in kept:
            kept[key] = list(original(key))
            self._stored()
        return list(kept[key])

    # -- databags -------------------------------------------------------------------------------

    def relation_get(
        self,
        original: Any,
        attribute: str | None,
        rid: str | None,
        unit: str | None,
        app: str | None,
    ) -> Any:
        name = APP_PREFIX + app if app else unit
        if rid is None or name is None or name == self.kind.departing_unit:
            return original(attribute=attribute, unit=unit, rid=rid, app=app)
        bag = self.facts.data.get(rid, {}).get(name)
        if bag is None:
            if attribute is not None:
                return original(attribute=attribute, unit=unit, rid=rid, app=app)
            answer = original(attribute=None, unit=unit, rid=rid, app=app)
            if not isinstance(answer, dict):
                return answer  # refused (permission, gone): nothing to keep
            bag = {str(k): str(v) for k, v in answer.items()}
            self.facts.data.setdefault(rid, {})[name] = bag
            self._stored()
        if attribute is None:
            return dict(bag)
        if attribute in bag:
            return bag[attribute]
        return original(attribute=attribute, unit=unit, rid=rid, app=app)

    def wrote(self, rid: str | None, settings: dict[str, Any], app: bool) -> None:
        """Our own relation-set succeeded: the kept copy of our bag follows it."""
        if rid is None:
            return
        name = APP_PREFIX + self.local_unit.split("/")[0] if app else self.local_unit
        bag = self.facts.data.get(rid, {}).get(name)
        if bag is None:
            return
        for key, value in settings.items():
            if value is None or value == "":
                bag.pop(key, None)
            else:
                bag[key] = f"{value}"
        self._stored()

    # -- network --------------------------------------------------------------------------------

    def network(self, key: str, load: Any) -> Any:
        if key not in self.facts.network:
            self.facts.network[key] = load()
            self._stored()
        return self.facts.network[key]


_ACTIVE: FactCache | None = None


def network_info(binding: str) -> Any:
    """network-get's JSON answer for a binding, kept across hooks when a hook installed the
    cache (the runtime's host seam asks through here); raises when network-get fails."""

    def load() -> Any:
        out = subprocess.check_output(["network-get", binding, "--format=json"])
        return json.loads(out.decode("utf-8"))

    return _ACTIVE.network("json:" + binding, load) if _ACTIVE else load()


def active() -> FactCache | None:
    return _ACTIVE


def install(hook_name: str) -> FactCache:
    """Start this hook's cache and route charm-helpers' helpers through it."""
    global _ACTIVE
    from charmhelpers.core import hookenv, unitdata

    store = unitdata.kv()
    kind = HookKind.from_environment(hook_name)
    facts = begin_hook(HookFacts.load(store.get(FACTS_KEY)), kind)
    cache = FactCache(
        facts, kind, hookenv.local_unit(), lambda dumped: store.set(FACTS_KEY, dumped)
    )
    cache._stored()
    _ACTIVE = cache
    _route(hookenv, cache)
    return cache


def _route(hookenv: Any, cache: FactCache) -> None:
    relation_ids, related_units = hookenv.relation_ids, hookenv.related_units
    relation_get, relation_set = hookenv.relation_get, hookenv.relation_set
    primary_address = hookenv.network_get_primary_address

    def cached_relation_ids(reltype: str | None = None) -> list[str]:
        return cache.relation_ids(relation_ids, reltype or hookenv.relation_type())

    def cached_related_units(relid: str | None = None) -> list[str]:
        return cache.members(related_units, relid or hookenv.relation_id())

    def cached_relation_get(
        attribute: str | None = None,
        unit: str | None = None,
        rid: str | None = None,
        app: str | None = None,
    ) -> Any:
        target = unit if (unit or app) else hookenv.remote_unit()
        return cache.relation_get(
            relation_get, attribute, rid or hookenv.relation_id(), target, app
        )

    def recorded_relation_set(
        relation_id: str | None = None,
        relation_settings: dict[str, Any] | None = None,
        app: bool = False,
        **kwargs: Any,
    ) -> None:
        relation_set(relation_id, relation_settings, app, **kwargs)
        settings = {**(relation_settings or {}), **kwargs}
        cache.wrote(relation_id or hookenv.relation_id(), settings, app)

    def cached_primary_address(binding: str) -> str:
        return cache.network("primary:" + binding, lambda: primary_address(binding))

    hookenv.relation_ids = cached_relation_ids
    hookenv.related_units = cached_related_units
    hookenv.relation_get = cached_relation_get
    hookenv.relation_set = recorded_relation_set
    hookenv.network_get_primary_address = cached_primary_address
