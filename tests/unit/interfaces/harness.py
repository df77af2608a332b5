"""In-process Juju unit for driving interface layers the way a real hook would.

The behaviour we must get right lives in the seams: charms.reactive's discovery of
``hooks/relations/<interface>/<role>.py``, the Endpoint built from relation-ids/relation-list,
and one relation-set at hook exit. So :class:`FakeJuju` lays out a charm directory as
``charm build`` does, holds its unit in charmsmith's model (``model.harness.unit_session``:
Juju's rules, the model's own hook tools) and runs each hook like ``charms.reactive.main()``:
a fresh "process", a model hook context, dispatch, the at-exit flush and the model's commit.
"""

from __future__ import annotations

import contextlib
import os
import re
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
from charmsmith.model.harness import HOOK_VARIABLES, UnitSession, unit_session
from charmsmith.model.state import Relation
from charmsmith.model.store import DEBUG_LOG
from charmsmith.model.tool_base import HookContext as ModelHookContext

from .tool_processes import ToolProcesses

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


MODEL_SUBNET = "203.0.113.0/24"  # remote units' addresses unless a test gives them
GOODBYES = ("-relation-departed", "-relation-broken")
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (\S+) +(\S+): (.*)$")


class FakeJuju:
    """A single unit of a charm whose only content is our interface layers, in a model.

    The test plays every other application: it relates them, adds their units and writes
    their databags; the unit's hooks run only when the test says so. Call :meth:`close` at
    the end (the ``make_juju`` fixture does).

    Typical use::

        juju = FakeJuju(tmp_path, monkeypatch, requires={"amqp": "rabbitmq"})
        rid = juju.relate("amqp", "rabbitmq-server")
        juju.join(rid, "rabbitmq-server/0", {"private-address": "10.0.0.5"})
        with juju.hook("amqp-relation-changed", rid, "rabbitmq-server/0") as hook:
            hook.endpoint("amqp").request_access("nova", "openstack")
        assert juju.flags >= {"amqp.connected"}
        assert juju.local_data(rid)["username"] == "nova"
    """

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
        absent_tools: frozenset[str] = frozenset(),
    ) -> None:
        self.unit = unit
        self.hooks_run: list[str] = []
        self.charm_dir = tmp_path / "charm"
        self._lay_out_charm(requires or {}, peers or {}, provides or {})
        # the model's own address range, named so that creating it asks nothing of the host
        monkeypatch.setenv("CHARMSMITH_SUBNET", MODEL_SUBNET)
        self._closing = contextlib.ExitStack()
        self.session: UnitSession = self._closing.enter_context(
            unit_session(tmp_path / "model", self.charm_dir, unit, private_address, leader)
        )
        self._context: ModelHookContext | None = None
        self._processes = ToolProcesses(
            self._run_tool, lambda: os.environ.get("JUJU_RELATION_ID"), absent=absent_tools
        )
        self._patch(monkeypatch)

    def close(self) -> None:
        """Release the model (its lock and log)."""
        self._closing.close()

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

    # -- hook tools: the model's, called in-process --------------------------------------------

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
        for name in HOOK_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setattr(hookenv, "subprocess", self._processes)
        monkeypatch.setattr(unitdata, "_KV", None)
        self._reset_process_state()

    def _run_tool(self, argv: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
        if self._context is None:  # no hook is running: the model refuses, as jujuc would
            return self.session.model.handle_tool("", str(self.charm_dir), stdin, argv)
        return self.session.call(self._context, argv, stdin)

    @property
    def relation_set_calls(self) -> list[tuple[str | None, dict[str, str | None], bool]]:
        """Every relation-set the charm ran, as (relation id, settings, --app), oldest first."""
        return [(c.relation_id, c.settings, c.app) for c in self._processes.relation_sets]

    @property
    def log(self) -> list[tuple[str, str]]:
        """(level, message) of each line our unit logged, from the model's debug log."""
        path = self.session.model.store.path / DEBUG_LOG
        lines: list[tuple[str, str]] = []
        for text in path.read_text().splitlines() if path.exists() else []:
            match = LOG_LINE.match(text)
            if match is None and lines:  # a message's next line
                lines[-1] = (lines[-1][0], f"{lines[-1][1]}\n{text}")
            elif match is not None and match[2] == self.unit:
                lines.append((match[1], match[3]))
        return lines

    # -- the model -----------------------------------------------------------------------------

    def relation(self, rid: str) -> Relation:
        """The relation ``rid`` (e.g. ``amqp:1``) as the model holds it."""
        return self.session.model.relation(int(rid.rpartition(":")[2]))

    def relate(self, endpoint: str, remote_app: str, remote_app_data: dict | None = None) -> str:
        """Relate our ``endpoint`` to ``remote_app`` (no hook of ours runs: the test runs them).
        Our own app name gives the peer relation, which exists from deploy on."""
        rel = self.session.relate(endpoint, remote_app)
        if remote_app_data:
            self.session.publish(rel, remote_app, remote_app_data)
        return self.session.model.relation_key(rel, self.session.app)

    def local_data(self, rid: str) -> dict[str, str]:
        """Our unit databag as the remote side would read it (committed writes only)."""
        return self.session.databag(self.relation(rid), self.unit)

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
        """A remote unit enters the relation with exactly ``data`` in its databag: our
        ``-joined`` then ``-changed`` run, as Juju runs them."""
        rel = self.relation(rid)
        self.session.add_remote_unit(rel, unit, (data or {}).get("private-address") or None)
        self._write(rel, unit, dict(data or {}), replace=True)
        endpoint = self.session.model.endpoint_of(rel, self.session.app)
        self.run(f"{endpoint}-relation-joined", rid, unit)
        self.run(f"{endpoint}-relation-changed", rid, unit)

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
        rel = self.relation(rid)
        self._write(rel, unit, dict(data or {}), replace)
        if app_data:
            self.session.publish(rel, unit.partition("/")[0], app_data)
        endpoint = self.session.model.endpoint_of(rel, self.session.app)
        self.run(f"{endpoint}-relation-changed", rid, unit)

    def _write(self, rel: Relation, unit: str, data: dict[str, str | None], replace: bool) -> None:
        if replace:
            data = {**dict.fromkeys(self.session.databag(rel, unit)), **data}
        if data:
            self.session.publish(rel, unit, data)

    def depart(self, rid: str, unit: str) -> None:
        """A remote unit leaves (it is removed): it is gone from relation-list when our
        ``-departed`` runs, its settings still readable."""
        self.session.remove_unit(unit)
        endpoint = self.session.model.endpoint_of(self.relation(rid), self.session.app)
        self.run(f"{endpoint}-relation-departed", rid, unit)

    def break_(self, rid: str) -> None:
        """The relation is removed: our ``-departed`` per remote unit we saw, then ``-broken``
        (the relation is not listed by relation-ids in it), as the model queued them."""
        rel = self.relation(rid)
        self.session.remove_relation(rel)
        while goodbyes := [e for e in self.session.pending(rel) if e.hook.endswith(GOODBYES)]:
            self.run(goodbyes[0].hook, rid, goodbyes[0].remote_unit)

    def run_queued(self, rid: str) -> None:
        """Run our unit's hooks the model queued about relation ``rid``, head first (what a
        charmsmith-played application's answer set off)."""
        rel = self.relation(rid)
        while queued := self.session.pending(rel):
            self.run(queued[0].hook, rid, queued[0].remote_unit)

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
        rel = self.relation(rid) if rid else None
        context, env = self.session.begin(hook_name, rel, remote_unit)
        saved = {key: os.environ.get(key) for key in HOOK_VARIABLES}
        _set_env({key: env.get(key) for key in HOOK_VARIABLES})
        self._context = context
        self._reset_process_state()
        self.hooks_run.append(hook_name)
        succeeded = False
        try:
            bus.discover()
            hookenv._atstart[:] = [(Endpoint._startup, (), {})]
            hookenv._run_atstart()
            bus.dispatch()
            yield HookContext(self)
            hookenv._run_atexit()
            unitdata.kv().flush()
            succeeded = True
        except BaseException:
            unitdata.kv().flush(save=False)
            raise
        finally:
            self._context = None
            self.session.end(context, succeeded)
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
