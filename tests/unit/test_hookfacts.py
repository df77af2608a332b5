"""The base layer's cross-hook fact cache: which hook may trust what, and what it still reads.

Imported from the layer's lib directory as a built charm imports it; the hook tools are
replaced by recording functions, so each test counts the reads a hook would make.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from charmsmith import build

MODULE = build.LAYERS_DIR / "charmsmith-base/lib/charms/layer/charmsmith_hookfacts.py"


@pytest.fixture(scope="module")
def hf():
    spec = importlib.util.spec_from_file_location("charmsmith_hookfacts_under_test", MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


class Tools:
    """Stand-ins for charm-helpers' helpers: answers from a dict, every read counted."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, ...]] = []
        self.ids = {"identity-service": ["identity-service:1"], "cluster": ["cluster:0"]}
        self.members = {"identity-service:1": ["keystone/0"], "cluster:0": ["api/1"]}
        self.bags = {
            ("identity-service:1", "keystone/0"): {"service_password": "old"},
            ("identity-service:1", "api/0"): {"service": "api"},
            ("cluster:0", "api/1"): {"private-address": "10.0.0.2"},
        }

    def relation_ids(self, endpoint):
        self.reads.append(("relation-ids", endpoint))
        return self.ids.get(endpoint, [])

    def related_units(self, rid):
        self.reads.append(("relation-list", rid))
        return self.members.get(rid, [])

    def relation_get(self, attribute=None, unit=None, rid=None, app=None):
        self.reads.append(("relation-get", rid, unit or f"app:{app}"))
        bag = self.bags.get((rid, unit or f"app:{app}"), {})
        return dict(bag) if attribute is None else bag.get(attribute, "")


def run_hook(hf, stored, tools, name, **env):
    """One hook: the rules applied to what the previous hook stored; returns the cache."""
    kind = hf.HookKind(name=name, **env)
    saved = {}

    def save(dumped):  # as the unit kv store does: serialised at once, no live references
        saved.update(json.loads(json.dumps(dumped)))

    cache = hf.FactCache(hf.begin_hook(hf.HookFacts.load(stored), kind), kind, "api/0", save)
    cache._stored()
    return cache, saved


def read_everything(cache, tools):
    for endpoint in ("identity-service", "cluster"):
        for rid in cache.relation_ids(tools.relation_ids, endpoint):
            for unit in cache.members(tools.related_units, rid):
                cache.relation_get(tools.relation_get, None, rid, unit, None)
            cache.relation_get(tools.relation_get, None, rid, "api/0", None)


def test_steady_state_hook_reads_nothing_it_already_knows(hf):
    tools = Tools()
    cache, stored = run_hook(hf, None, tools, "config-changed")
    read_everything(cache, tools)
    first = len(tools.reads)
    assert first == 8  # 2 relation-ids, 2 relation-list, 4 databags
    cache, stored = run_hook(hf, stored, tools, "update-status")
    read_everything(cache, tools)
    assert len(tools.reads) == first, tools.reads[first:]


def test_relation_changed_rereads_only_the_announced_remote(hf):
    tools = Tools()
    cache, stored = run_hook(hf, None, tools, "config-changed")
    read_everything(cache, tools)
    tools.bags[("identity-service:1", "keystone/0")] = {"service_password": "new"}
    tools.reads.clear()
    cache, stored = run_hook(
        hf,
        stored,
        tools,
        "identity-service-relation-changed",
        relation_id="identity-service:1",
        remote_unit="keystone/0",
        remote_app="keystone",
    )
    bag = cache.relation_get(tools.relation_get, None, "identity-service:1", "keystone/0", None)
    assert bag == {"service_password": "new"}
    read_everything(cache, tools)
    assert tools.reads == [("relation-get", "identity-service:1", "keystone/0")]


def test_membership_hooks_read_live_and_store_nothing(hf):
    tools = Tools()
    cache, stored = run_hook(hf, None, tools, "config-changed")
    read_everything(cache, tools)
    tools.members["cluster:0"] = ["api/1", "api/2"]
    joined = {"relation_id": "cluster:0", "remote_unit": "api/2", "remote_app": "api"}
    cache, stored = run_hook(hf, stored, tools, "cluster-relation-joined", **joined)
    assert cache.members(tools.related_units, "cluster:0") == ["api/1", "api/2"]
    assert cache.members(tools.related_units, "cluster:0") == ["api/1", "api/2"]
    assert tools.reads.count(("relation-list", "cluster:0")) == 3  # live twice, not kept
    assert stored["members"] == {}
    cache, stored = run_hook(hf, stored, tools, "update-status")
    assert cache.members(tools.related_units, "cluster:0") == ["api/1", "api/2"]


def test_departing_unit_is_read_live_and_forgotten(hf):
    tools = Tools()
    cache, stored = run_hook(hf, None, tools, "config-changed")
    read_everything(cache, tools)
    departed = {"relation_id": "cluster:0", "remote_unit": "api/1", "departing_unit": "api/1"}
    cache, stored = run_hook(hf, stored, tools, "cluster-relation-departed", **departed)
    assert "api/1" not in stored["data"]["cluster:0"]
    cache.relation_get(tools.relation_get, None, "cluster:0", "api/1", None)
    assert "api/1" not in stored["data"]["cluster:0"]
    cache, stored = run_hook(hf, stored, tools, "cluster-relation-broken", relation_id="cluster:0")
    assert "cluster:0" not in stored["data"]


def test_own_bag_follows_what_the_unit_writes(hf):
    tools = Tools()
    cache, stored = run_hook(hf, None, tools, "config-changed")
    read_everything(cache, tools)
    cache.wrote("identity-service:1", {"service": "api2", "region": "R1", "gone": None}, False)
    cache, stored = run_hook(hf, stored, tools, "update-status")
    own = cache.relation_get(tools.relation_get, None, "identity-service:1", "api/0", None)
    assert own == {"service": "api2", "region": "R1"}
    assert (
        cache.relation_get(tools.relation_get, "region", "identity-service:1", "api/0", None)
        == "R1"
    )


@pytest.mark.parametrize(
    ("hook", "kept"),
    [
        ("update-status", True),
        ("leader-settings-changed", True),
        ("config-changed", False),  # Juju fires it when the machine's addresses change
        ("start", False),
        ("upgrade-charm", False),
    ],
)
def test_addresses_are_kept_until_a_hook_that_may_change_them(hf, hook, kept):
    cache, stored = run_hook(hf, None, Tools(), "install")
    calls = []
    cache.network("json:public", lambda: calls.append(1) or {"bind-addresses": []})
    cache, stored = run_hook(hf, stored, Tools(), hook)
    cache.network("json:public", lambda: calls.append(1) or {"bind-addresses": []})
    assert len(calls) == (1 if kept else 2)


def test_a_new_leader_rereads_application_bags(hf):
    tools = Tools()
    cache, stored = run_hook(hf, None, tools, "config-changed")
    cache.relation_get(tools.relation_get, None, "identity-service:1", None, "api")
    cache, stored = run_hook(hf, stored, tools, "leader-elected")
    assert "app:api" not in stored["data"]["identity-service:1"]


def test_stored_facts_of_another_format_are_ignored(hf):
    assert hf.HookFacts.load({"version": 0, "members": {"x": ["y/0"]}}).members == {}
    assert hf.HookFacts.load("garbage").members == {}
