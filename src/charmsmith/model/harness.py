"""Models with no namespaces and no bridge, for tests: the hook tools without a host.

Why: hook-tool formats and costs are properties of the C client + server alone, and what an
interface layer does over the tools is a property of the tools' answers; testing either must
not need root, a bridge or a charm build. `tool_session` yields a Model holding one app with
units, a live hook context and a hook's environment, so callers run the real compiled tools;
`unit_session` holds one unit whose hooks a test runs in-process (tests/unit/interfaces),
calling the same tools through `UnitSession.call`, while the test plays the other apps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from charmsmith import charmfiles
from charmsmith.model import events, hookqueue, hooktools, operations, runner, scope
from charmsmith.model.deploy import charm_app
from charmsmith.model.sequencer import Model
from charmsmith.model.state import QueuedEvent, Relation
from charmsmith.model.store import ModelStore
from charmsmith.model.substrate import FakeSubstrate
from charmsmith.model.tool_base import HookContext, Result


@dataclass
class ToolSession:
    model: Model
    ctx: HookContext
    env: dict[str, str]
    bin_dir: Path

    def context(self, unit: str, hook: str, **extra: Any) -> dict[str, str]:
        """Switch to a new hook context; returns the env to run tools with."""
        self.ctx = runner.new_context(self.model, unit, hook, **extra)
        self.env = _env(self)
        return self.env


def _env(session: ToolSession) -> dict[str, str]:
    return {
        "PATH": f"{session.bin_dir}:/usr/bin:/bin",
        "JUJU_CONTEXT_ID": session.ctx.id,
        "JUJU_UNIT_NAME": session.ctx.unit,
        "CHARMSMITH_SOCKET": str(session.model.store.path / "run" / "hooktools.sock"),
        "LANG": "C.UTF-8",
    }


@contextlib.contextmanager
def tool_session(model_dir: Path, charm_dir: Path, units: int = 1) -> Iterator[ToolSession]:
    store = ModelStore(model_dir)
    with store.locked(create=True):
        store.state.subnet = "203.0.113.0/24"  # never put on a bridge here
        model = Model(store, echo=lambda _line: None, substrate=FakeSubstrate(runner.run_event))
        metadata = yaml.safe_load((charm_dir / "metadata.yaml").read_text())
        options = (yaml.safe_load((charm_dir / "config.yaml").read_text()) or {}).get("options", {})
        name = metadata["name"]
        app = store.state.applications[name] = charm_app(
            name, charm_dir, metadata, options, "emulated"
        )
        for _ in range(units):
            model.new_unit(name)
        app.leader = f"{name}/0"
        model.ensure_peer_relations(name)
        for unit in app.units:
            model.unit(unit).installed = True  # the session plays installed units, in scope
            for rel in model.relations_of(name):
                scope.RelationScope.of(rel).enter(unit)
        run_dir = store.path / "run"
        run_dir.mkdir(exist_ok=True)
        bin_dir = hooktools.ensure_client(run_dir)
        with hooktools.HookToolServer(run_dir, model.handle_tool):
            session = ToolSession(
                model, runner.new_context(model, f"{name}/0", "install"), {}, bin_dir
            )
            session.env = _env(session)
            yield session


# -- one charm unit under test, its hooks run in-process by the test ---------------------------

HOOK_VARIABLES = (
    "JUJU_HOOK_NAME",
    "JUJU_DISPATCH_PATH",
    "JUJU_CONTEXT_ID",
    "JUJU_VERSION",
    "JUJU_MODEL_NAME",
    "JUJU_MODEL_UUID",
    "JUJU_RELATION",
    "JUJU_RELATION_ID",
    "JUJU_REMOTE_UNIT",
    "JUJU_REMOTE_APP",
    "JUJU_DEPARTING_UNIT",
)
OPPOSITE_ROLE = {"requires": "provides", "provides": "requires"}


class UnitSession:
    """One unit of a charm under test in a model held in memory; the test plays the rest.

    Nothing runs by itself: the test opens and closes the unit's hooks (`begin`/`end`) and
    acts for the other applications (`relate`, `add_remote_unit`, `publish`, `remove_unit`,
    `remove_relation`), whose units run no hooks. The model keeps Juju's rules: relation
    scope and relation-list membership, permissions, and relation-set buffered until commit.
    """

    def __init__(self, model: Model, unit: str) -> None:
        self.model = model
        self.unit = unit
        self.app = model.unit(unit).app
        self.played: set[str] = set()  # the apps this session added (hookless charms)

    # -- the other applications --------------------------------------------------------------

    def relate(self, endpoint: str, remote_app: str) -> Relation:
        """Relate our `endpoint` to `remote_app`, our unit being past its install by then.

        An application the model lacks is added with a hookless charm whose endpoint of the
        same name has the opposite role; for our own app, this is the peer relation Juju
        made at deploy.
        """
        self.ensure_installed()
        if remote_app == self.app:
            return next(
                rel
                for rel in self.model.relations_of(self.app)
                if self.model.remote_app(rel, self.app) == self.app
                and self.model.endpoint_of(rel, self.app) == endpoint
            )
        spec = self.model.endpoints(self.app)[endpoint]
        if remote_app not in self.model.state.applications:
            _add_charm_app(self.model, self._remote_charm(remote_app))
            self.played.add(remote_app)
        target = remote_app
        if remote_app in self.played:
            metadata = self.model.app(remote_app).metadata
            section = metadata.setdefault(OPPOSITE_ROLE[spec["role"]], {})
            section[endpoint] = {"interface": spec["interface"]}
            target = f"{remote_app}:{endpoint}"
        rel = self.model.relate(f"{self.app}:{endpoint}", target)
        self.settle_others()
        return rel

    def _remote_charm(self, name: str) -> Path:
        """A hookless charm for a remote application (add-unit wants a built charm)."""
        charm = self.model.store.path / "remote-charms" / name
        (charm / "hooks").mkdir(parents=True, exist_ok=True)
        (charm / "metadata.yaml").write_text(yaml.safe_dump({"name": name, "summary": name}))
        return charm

    def add_remote_unit(self, rel: Relation, name: str, address: str | None = None) -> None:
        """Unit `name` of the other side (or a peer of ours), at `address` if given (else
        the model's next), is installed: it enters scope."""
        app, _, number = name.partition("/")
        self.model.app(app).next_unit = int(number)
        added = self.model.add_unit(app)
        assert added == name, f"{name} exists already"
        if address is not None:
            self.model.unit(name).address = address
        scope.install_done(self.model, name)
        self.settle_others()

    def publish(self, rel: Relation, owner: str, settings: dict[str, str | None]) -> None:
        """Unit `owner` (or application `owner`, without a slash) writes its databag;
        None or "" removes a key."""
        values = {key: value or "" for key, value in settings.items()}
        if "/" in owner:
            self.model.peer_publish(rel, owner, values)
        else:
            self.model.peer_publish(rel, None, values, app=owner)
        self.settle_others()

    def databag(self, rel: Relation, owner: str) -> dict[str, str]:
        """The committed databag of unit (or application) `owner`."""
        bags = rel.unit_data if "/" in owner else rel.app_data
        return dict(bags.get(owner, {}))

    def remove_unit(self, name: str) -> None:
        """A remote unit goes (`remove-unit --force`): our unit is told by -departed."""
        operations.force_remove_unit(self.model, name)
        self.settle_others()

    def remove_relation(self, rel: Relation) -> None:
        """`juju remove-relation`: -departed per remote unit, then -broken, are queued."""
        operations.remove_relation(self.model, str(rel.id), None)
        self.settle_others()

    def settle_others(self) -> None:
        """Run the other units' queued hooks; their charms have none, so each is skipped and
        committed as Juju does for a hook a charm lacks."""
        while event := next((e for e in self.model.state.queue if e.unit != self.unit), None):
            self.model.state.queue.remove(event)
            hookqueue.before_hook(self.model, event)
            runner.run_event(self.model, event)

    # -- our unit ----------------------------------------------------------------------------

    def ensure_installed(self) -> None:
        """Our unit is past its install hook (it enters the scope of its relations)."""
        scope.install_done(self.model, self.unit)
        self.settle_others()

    def set_leader(self, leader: bool) -> None:
        self.model.app(self.app).leader = self.unit if leader else None

    def pending(self, rel: Relation | None = None) -> list[QueuedEvent]:
        """Our unit's queued hooks (about `rel` only, if given), head first."""
        return [
            event
            for event in events.queued(self.model.state)
            if event.unit == self.unit and (rel is None or event.relation_id == rel.id)
        ]

    def begin(
        self, hook: str, rel: Relation | None = None, remote_unit: str | None = None
    ) -> tuple[HookContext, dict[str, str]]:
        """Open our unit's `hook` (the queued one if there is, as the agent would take it):
        relation-list changes as Juju shows it to the hook; returns its context and the
        hook's JUJU_* environment."""
        if hook != "install":
            self.ensure_installed()
        rid = rel.id if rel is not None else None
        queued = next(
            (
                event
                for event in self.pending()
                if (event.hook, event.relation_id, event.remote_unit) == (hook, rid, remote_unit)
            ),
            None,
        )
        if queued is not None:
            self.model.state.queue.remove(queued)
        else:
            remote_app = remote_unit.partition("/")[0] if remote_unit else None
            if rel is not None and remote_app is None:
                remote_app = self.model.remote_app(rel, self.app)
            departing = remote_unit if hook.endswith("-relation-departed") else None
            queued = QueuedEvent(
                self.unit,
                hook,
                relation_id=rid,
                remote_unit=remote_unit,
                remote_app=remote_app,
                departing_unit=departing,
            )
        hookqueue.before_hook(self.model, queued)
        ctx = runner.new_context(
            self.model,
            self.unit,
            hook,
            relation_id=queued.relation_id,
            remote_unit=queued.remote_unit,
            remote_app=queued.remote_app,
            departing_unit=queued.departing_unit,
        )
        self.model.current = ctx
        env = runner.hook_env(self.model, ctx)
        return ctx, {key: env[key] for key in HOOK_VARIABLES if key in env}

    def call(self, ctx: HookContext, argv: list[str], stdin: bytes = b"") -> Result:
        """One hook tool, as the socket server would run it for a process of this hook."""
        return self.model.handle_tool(ctx.id, str(self.model.store.path), stdin, argv)

    def end(self, ctx: HookContext, succeeded: bool) -> None:
        """Close the hook: commit its writes if it succeeded (Juju discards a failed hook's)."""
        self.model.current = None
        self.model.contexts.pop(ctx.id, None)
        if succeeded:
            runner.after_success(self.model, ctx, self.model.unit(self.unit))
            self.settle_others()


def _add_charm_app(model: Model, charm_dir: Path) -> str:
    """A charm application with no units, from a charm directory's metadata and config."""
    metadata = charmfiles.read_metadata(charm_dir)
    name = metadata["name"]
    app = charm_app(name, charm_dir, metadata, charmfiles.read_options(charm_dir), "emulated")
    model.state.applications[name] = app
    model.ensure_peer_relations(name)
    return name


@contextlib.contextmanager
def unit_session(
    model_dir: Path, charm_dir: Path, unit: str, address: str, leader: bool = True
) -> Iterator[UnitSession]:
    """A model holding `unit` of the charm in `charm_dir` at `address`, on a substrate that
    touches nothing on the host. The unit is installed by its install hook, or by whatever
    comes after it (a relation, another hook)."""
    store = ModelStore(model_dir)
    with store.locked(create=True):
        model = Model(store, echo=lambda _line: None, substrate=FakeSubstrate(runner.run_event))
        app = _add_charm_app(model, charm_dir)
        model.app(app).next_unit = int(unit.partition("/")[2])
        model.add_unit(app)
        model.unit(unit).address = address
        session = UnitSession(model, unit)
        session.set_leader(leader)
        yield session
