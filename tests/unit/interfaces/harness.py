"""In-process Juju unit for driving interface layers the way a real hook would.

Why not call the Endpoint methods directly?  The behaviour we must get right lives in the seams:
charms.reactive discovers ``hooks/relations/<interface>/<role>.py`` from metadata, builds the
Endpoint from ``relation-ids``/``relation-list``, decides at start-up which hooks recompute flags,
and publishes ``to_publish`` data with one ``relation-set`` at hook exit.  So :class:`FakeJuju`
lays out a charm directory the way ``charm build`` does, replaces only the hook tools in
``charmhelpers.core.hookenv`` with an in-memory model, and runs each hook like
``charms.reactive.main()``: a fresh "process" (module and cache state reset), discovery, the
Endpoint start-up, dispatch, then the at-exit flush and the unit-state commit.

Typical use::

    juju = FakeJuju(tmp_path, monkeypatch, requires={"amqp": "rabbitmq"})
    rid = juju.relate("amqp", "rabbitmq-server")
    juju.join(rid, "rabbitmq-server/0", {"private-address": "10.0.0.5"})
    with juju.hook("amqp-relation-changed", rid, "rabbitmq-server/0") as hook:
        hook.endpoint("amqp").request_access("nova", "openstack")
    assert juju.flags >= {"amqp.connected"}
    assert juju.local_data(rid)["username"] == "nova"
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import charms
import pytest
import yaml
from charmhelpers.core import hookenv, unitdata
from charms.reactive import Endpoint, bus
from charms.reactive.flags import get_flags

import charmsmith

from .fake_hook_tools import FakeHookTools, RelationState

INTERFACES_DIR = Path(charmsmith.__file__).parent / "interfaces"
# The interface layers import their shared base from the base layer's lib, which every
# charmsmith-built charm carries (charm build copies it to lib/ and the hook puts that on sys.path).
BASE_LAYER_LIB = Path(charmsmith.__file__).parent / "layers" / "charmsmith-base" / "lib"

# The ignore list every interface.yaml carries; charm build would skip these when copying.
_COPY_IGNORE = shutil.ignore_patterns("tests", "unit_tests", "__pycache__", "*.pyc")


class HookContext:
    """What a test body sees while a hook runs (after dispatch, before the at-exit flush)."""

    def __init__(self, juju: FakeJuju) -> None:
        self.juju = juju

    def endpoint(self, name: str) -> Any:
        """The Endpoint instance charms.reactive built for relation ``name`` in this hook."""
        instance = Endpoint.from_name(name)
        assert instance is not None, f"no Endpoint was created for {name!r}"
        return instance


class FakeJuju(FakeHookTools):
    """A single unit of a charm whose only content is our interface layers."""

    def __init__(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        *,
        unit: str = "api/0",
        requires: dict[str, str] | None = None,
        peers: dict[str, str] | None = None,
        provides: dict[str, str] | None = None,
        leader: bool = True,
        private_address: str = "10.5.0.10",
        bindings: dict[str, str] | None = None,
    ) -> None:
        self.unit = unit
        self.leader = leader
        self.private_address = private_address
        self.bindings = dict(bindings or {})
        self.relations: dict[str, RelationState] = {}
        self.relation_set_calls: list[tuple[str, dict[str, str | None], bool]] = []
        self.log: list[tuple[str, str]] = []
        self.hooks_run: list[str] = []
        self._next_rid = 0
        self.charm_dir = tmp_path / "charm"
        self._lay_out_charm(requires or {}, peers or {}, provides or {})
        self._patch(monkeypatch)

    # -- the charm directory, as `charm build` would leave it -----------------------------------

    def _lay_out_charm(
        self, requires: dict[str, str], peers: dict[str, str], provides: dict[str, str]
    ) -> None:
        metadata: dict[str, Any] = {"name": self.unit.split("/")[0], "summary": "test charm"}
        for role, section in (("requires", requires), ("peers", peers), ("provides", provides)):
            if section:
                metadata[role] = {name: {"interface": iface} for name, iface in section.items()}
        self.charm_dir.mkdir(parents=True)
        (self.charm_dir / "metadata.yaml").write_text(yaml.safe_dump(metadata))
        shutil.copytree(BASE_LAYER_LIB, self.charm_dir / "lib", ignore=_COPY_IGNORE)
        (self.charm_dir / "reactive").mkdir()
        relations_dir = self.charm_dir / "hooks" / "relations"
        for iface in sorted({*requires.values(), *peers.values(), *provides.values()}):
            target = relations_dir / iface
            shutil.copytree(INTERFACES_DIR / iface, target, ignore=_COPY_IGNORE)
            # charm build's InterfaceCopy generates this so `relations.<iface>` is a package.
            (target / "__init__.py").touch()

    # -- hook tools ----------------------------------------------------------------------------

    def _patch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # The previous test's charm dir must not shadow ours on sys.path (discover appends).
        monkeypatch.setattr(sys, "path", [str(self.charm_dir / "lib"), *sys.path])
        # `charms` was imported (charms.reactive) before our lib was on sys.path: extend it.
        monkeypatch.setattr(
            charms, "__path__", [*charms.__path__, str(self.charm_dir / "lib/charms")]
        )
        monkeypatch.setenv("UNIT_STATE_DB", str(self.charm_dir / ".unit-state.db"))
        monkeypatch.setenv("JUJU_UNIT_NAME", self.unit)
        monkeypatch.setenv("JUJU_CHARM_DIR", str(self.charm_dir))
        monkeypatch.setenv("CHARM_DIR", str(self.charm_dir))
        for name in ("JUJU_RELATION", "JUJU_RELATION_ID", "JUJU_REMOTE_UNIT", "JUJU_REMOTE_APP"):
            monkeypatch.delenv(name, raising=False)
        for name in ("relation_ids", "related_units", "relation_get", "relation_set"):
            monkeypatch.setattr(hookenv, name, getattr(self, f"_tool_{name}"))
        monkeypatch.setattr(hookenv, "is_leader", lambda: self.leader)
        monkeypatch.setattr(hookenv, "log", self._tool_log)
        monkeypatch.setattr(hookenv, "unit_get", self._tool_unit_get)
        monkeypatch.setattr(hookenv, "unit_private_ip", lambda: self.private_address)
        monkeypatch.setattr(hookenv, "network_get_primary_address", self._tool_network_get)
        monkeypatch.setattr(unitdata, "_KV", None)
        self._reset_process_state()

    # -- the model -----------------------------------------------------------------------------

    def relate(self, endpoint: str, remote_app: str, remote_app_data: dict | None = None) -> str:
        """Create a relation (no hook runs yet, as in Juju before the first joined hook)."""
        rid = f"{endpoint}:{self._next_rid}"
        self._next_rid += 1
        self.relations[rid] = RelationState(endpoint, remote_app, local=self._juju_local_data())
        self.relations[rid].remote_app_data.update(remote_app_data or {})
        return rid

    def _juju_local_data(self) -> dict[str, str]:
        """Keys Juju itself puts into our unit databag when the relation is created."""
        return {
            "private-address": self.private_address,
            "ingress-address": self.private_address,
            "egress-subnets": f"{self.private_address}/32",
        }

    def local_data(self, rid: str) -> dict[str, str]:
        """Our unit databag as the remote side would read it."""
        return dict(self.relations[rid].local)

    def sent(self, rid: str | None = None) -> list[dict[str, str | None]]:
        """relation-set payloads so far (optionally for one relation), oldest first."""
        return [data for r, data, _app in self.relation_set_calls if rid in (None, r)]

    def flags_of(self, endpoint: str) -> set[str]:
        """The committed flags of one relation (``<endpoint>`` and ``<endpoint>.*``)."""
        return only(self.flags, endpoint)

    @property
    def flags(self) -> set[str]:
        """Committed reactive flags, read from the unit-state database like the next hook would."""
        self._reset_process_state()
        try:
            return set(get_flags())
        finally:
            self._reset_process_state()

    # -- hooks ---------------------------------------------------------------------------------

    def join(self, rid: str, unit: str, data: dict[str, str] | None = None) -> None:
        """A remote unit enters the relation: ``-joined`` then ``-changed``, as Juju runs them."""
        rel = self.relations[rid]
        rel.units[unit] = dict(data or {})
        self.run(f"{rel.endpoint}-relation-joined", rid, unit)
        self.run(f"{rel.endpoint}-relation-changed", rid, unit)

    def joined(
        self,
        endpoint: str,
        remote_app: str,
        address: str,
        handler: Callable[[HookContext], None] | None = None,
    ) -> str:
        """Relate, join ``<remote_app>/0`` with only its address and, when given, play the
        charm's ``handler`` in the -changed hook that follows (e.g. asking for a database)."""
        rid = self.relate(endpoint, remote_app)
        unit = f"{remote_app}/0"
        self.join(rid, unit, {"private-address": address})
        if handler is not None:
            self.run(f"{endpoint}-relation-changed", rid, unit, handler)
        return rid

    def change(
        self,
        rid: str,
        unit: str,
        data: dict[str, str | None] | None = None,
        *,
        app_data: dict[str, str | None] | None = None,
        replace: bool = False,
    ) -> None:
        """The remote unit (or its app) updates its databag; ``-changed`` runs."""
        rel = self.relations[rid]
        if replace:
            rel.units[unit] = {}
        for target, update in ((rel.units[unit], data), (rel.remote_app_data, app_data)):
            for key, value in (update or {}).items():
                if value in (None, ""):
                    target.pop(key, None)
                else:
                    target[key] = value
        self.run(f"{rel.endpoint}-relation-changed", rid, unit)

    def depart(self, rid: str, unit: str) -> None:
        """A remote unit leaves: it is gone from relation-list when ``-departed`` runs."""
        rel = self.relations[rid]
        rel.departed[unit] = rel.units.pop(unit)
        self.run(f"{rel.endpoint}-relation-departed", rid, unit)

    def break_(self, rid: str, *, listed_while_broken: bool = False) -> None:
        """The relation is removed: every unit departs, then ``-broken`` runs."""
        rel = self.relations[rid]
        for unit in sorted(rel.units):
            self.depart(rid, unit)
        rel.broken = True
        rel.listed_while_broken = listed_while_broken
        self.run(f"{rel.endpoint}-relation-broken", rid, None)
        del self.relations[rid]

    def run(
        self,
        hook_name: str,
        rid: str | None = None,
        remote_unit: str | None = None,
        body: Callable[[HookContext], None] | None = None,
    ) -> None:
        """Run one hook to completion (``body`` plays the charm's own handler, if given)."""
        with self.hook(hook_name, rid, remote_unit) as ctx:
            if body is not None:
                body(ctx)

    @contextlib.contextmanager
    def hook(
        self, hook_name: str, rid: str | None = None, remote_unit: str | None = None
    ) -> Iterator[HookContext]:
        """Run a hook like charms.reactive.main(); the ``with`` body runs after dispatch.

        Changes made in the body (relation data, flags) are published / committed at exit just
        as a handler's would be; if the body raises, nothing is committed, as in Juju.
        """
        env = {
            "JUJU_HOOK_NAME": hook_name,
            "JUJU_RELATION": self.relations[rid].endpoint if rid else None,
            "JUJU_RELATION_ID": rid,
            "JUJU_REMOTE_UNIT": remote_unit,
            "JUJU_REMOTE_APP": self.relations[rid].remote_app if rid else None,
        }
        saved = {key: os.environ.get(key) for key in env}
        _set_env(env)
        self._reset_process_state()
        self.hooks_run.append(hook_name)
        try:
            bus.discover()
            hookenv._atstart[:] = [(Endpoint._startup, (), {})]
            hookenv._run_atstart()
            bus.dispatch()
            yield HookContext(self)
            hookenv._run_atexit()
            unitdata.kv().flush()
        except BaseException:
            unitdata.kv().flush(save=False)
            raise
        finally:
            self._reset_process_state()
            _set_env(saved)

    def _reset_process_state(self) -> None:
        """Forget everything a hook process would not carry over to the next one."""
        hookenv.cache.clear()
        hookenv._atexit[:] = []
        hookenv._atstart[:] = []
        Endpoint._endpoints.clear()
        bus.Handler.clear()
        for name in list(sys.modules):
            if name in ("relations", "reactive", "charms.layer") or name.startswith(
                ("relations.", "reactive.", "charms.layer.")
            ):
                del sys.modules[name]
        if unitdata._KV is not None:
            unitdata._KV.close()
            unitdata._KV = None


def _set_env(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def only(flags: Iterable[str], prefix: str) -> set[str]:
    """The flags of one relation, so assertions ignore charms.reactive's own endpoint.* flags."""
    return {flag for flag in flags if flag == prefix or flag.startswith(prefix + ".")}
