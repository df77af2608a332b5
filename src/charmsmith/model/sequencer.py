"""The model engine: applications, units, relations, leadership — and Juju's hook sequencing.

Why a queue: Juju is event driven; one user action (relate, config, remove-unit) fans out into
hooks on both sides, and a relation-set in one hook queues -changed hooks for the other side.
We persist the queue in the model state and drain it until quiescent, so a killed command
simply leaves the remaining hooks pending for the next command. A failed hook stays at the head
of its unit's queue (the unit is in error) until `run-hook` retries it, as `juju resolve` does.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from charmsmith import charmfiles
from charmsmith.errors import CharmsmithError
from charmsmith.model import network, procs, reboot, scope, shims
from charmsmith.model import units as unitfs
from charmsmith.model.names import check_app_name
from charmsmith.model.peers import PEERS, PeerApp
from charmsmith.model.peers.base import PeerView
from charmsmith.model.store import ModelStore, write_atomic
from charmsmith.model.tools import TOOLS, HookContext, ToolError

MAX_HOOKS_PER_COMMAND = 2000
JUJU_KEYS = ("private-address", "ingress-address", "egress-subnets")


SECRET_WORDS = ("pass", "secret", "token", "key", "cert")
PEER_MARKER = "peer.json"  # in <model>/peers/<app>/: which backend runs there (no secrets)


def redact(tool: str, args: list[str]) -> list[str]:
    """Call logs keep keys, not secret values (relation-set/leader-set/action-set k=v)."""
    if tool not in ("relation-set", "leader-set", "action-set"):
        return list(args)
    out = []
    for arg in args:
        key, eq, _ = arg.partition("=")
        out.append(
            f"{key}=<redacted>" if eq and any(w in key.lower() for w in SECRET_WORDS) else arg
        )
    return out


class Model:
    """In-memory view of the model state with Juju's rules; the CLI holds it under the lock."""

    def __init__(self, store: ModelStore, echo: Callable[[str], None] = print) -> None:
        self.store = store
        self.echo = echo
        self.contexts: dict[str, HookContext] = {}
        self.current: HookContext | None = None
        self.failures: list[str] = []

    @property
    def state(self) -> dict[str, Any]:
        return self.store.state

    # -- lookups --------------------------------------------------------------------------------

    def app(self, name: str) -> dict[str, Any]:
        try:
            return self.state["applications"][name]
        except KeyError:
            raise CharmsmithError(f'application "{name}" not found in the model') from None

    def unit(self, name: str) -> dict[str, Any]:
        try:
            return self.state["units"][name]
        except KeyError:
            raise CharmsmithError(f'unit "{name}" not found in the model') from None

    def relation(self, rid: int) -> dict[str, Any]:
        return self.state["relations"][str(rid)]

    @staticmethod
    def unit_sort_key(name: str) -> tuple[str, int]:
        app, _, num = name.partition("/")
        return app, int(num) if num.isdigit() else 0

    def relations_of(self, app: str) -> list[dict[str, Any]]:
        rels = [
            r
            for r in self.state["relations"].values()
            if app in (ep["app"] for ep in r["endpoints"])
        ]
        return sorted(rels, key=lambda r: r["id"])

    def endpoint_of(self, rel: dict[str, Any], app: str) -> str:
        return next(ep["endpoint"] for ep in rel["endpoints"] if ep["app"] == app)

    def remote_app(self, rel: dict[str, Any], app: str) -> str:
        others = [ep["app"] for ep in rel["endpoints"] if ep["app"] != app]
        return others[0] if others else app  # peer relation: the app itself

    def relation_key(self, rel: dict[str, Any], app: str) -> str:
        return f"{self.endpoint_of(rel, app)}:{rel['id']}"

    def endpoints(self, app: str) -> dict[str, dict[str, Any]]:
        meta = self.app(app)["metadata"]
        out: dict[str, dict[str, Any]] = {}
        for role in ("provides", "requires", "peers"):
            for name, spec in (meta.get(role) or {}).items():
                spec = spec if isinstance(spec, dict) else {"interface": spec}
                out[name] = {**spec, "role": role}
        return out

    def bindings(self, app: str) -> set[str]:
        meta = self.app(app)["metadata"]
        return set(self.endpoints(app)) | set(meta.get("extra-bindings") or {})

    def config_values(self, app: str) -> dict[str, Any]:
        a = self.app(app)
        values = {
            k: o["default"] for k, o in a.get("options", {}).items() if o.get("default") is not None
        }
        values.update(a.get("config", {}))
        return values

    def is_leader(self, unit: str) -> bool:
        return self.app(self.unit(unit)["app"]).get("leader") == unit

    def is_peer(self, app: str) -> bool:
        return self.app(app)["kind"] == "peer"

    def peer(self, app: str) -> PeerApp:
        a = self.app(app)
        return PEERS[a["peer"]](a)

    def app_status(self, app: str) -> dict[str, Any]:
        """Juju's derived application status: the most severe unit status."""
        a = self.app(app)
        if a.get("status"):
            return a["status"]
        order = ["error", "blocked", "maintenance", "waiting", "active", "unknown"]
        statuses = [
            self.unit(u).get("workload", {"status": "unknown", "message": ""}) for u in a["units"]
        ]
        for unit_name in a["units"]:
            if self.unit(unit_name).get("agent") == "error":
                return {"status": "error", "message": self.unit(unit_name).get("agent_message", "")}
        if not statuses:
            return {"status": "unknown", "message": ""}
        return min(
            statuses,
            key=lambda s: (
                order.index(s.get("status", "unknown")) if s.get("status") in order else len(order)
            ),
        )

    def remote_units(self, rel: dict[str, Any], unit: str) -> list[str]:
        """Units on the other side of `rel`, in its scope, that `unit` can see (scope.py)."""
        return scope.remote_units(self, rel, unit)

    # -- hook tools -----------------------------------------------------------------------------

    def handle_tool(
        self, context_id: str, cwd: str, stdin: bytes, argv: list[str]
    ) -> tuple[int, bytes, bytes]:
        """Server entry: run one tool in its hook context and log the call (tool, args, time)."""
        start = time.perf_counter()
        ctx = self.contexts.get(context_id) or self.current
        tool = argv[0]
        if ctx is None:
            return 1, b"", f"ERROR {tool}: not running in a hook context\n".encode()
        func = TOOLS.get(tool) or shims.SHIMS.get(tool)
        if func is None and shims.is_stand_in(tool):
            rc, out, err = shims.stand_in_command(self, ctx, argv)
        elif func is None:
            rc, out, err = 1, b"", f"ERROR unknown hook tool {tool}\n".encode()
        else:
            try:
                rc, out, err = func(self, ctx, argv[1:], stdin)
            except ToolError as exc:
                rc, out, err = exc.code, b"", f"ERROR {exc}\n".encode()
            except CharmsmithError as exc:
                rc, out, err = 1, b"", f"ERROR {exc}\n".encode()
        ctx.calls.append(
            {
                "tool": tool,
                "args": redact(tool, argv[1:]),
                "rc": rc,
                "ms": round((time.perf_counter() - start) * 1000, 3),
                "shim": tool not in TOOLS,
            }
        )
        return rc, out, err

    # -- queue ----------------------------------------------------------------------------------

    def enqueue(self, unit: str, hook: str, **extra: Any) -> None:
        """Queue a hook; an identical pending event is not queued twice (Juju coalesces)."""
        event = {"unit": unit, "hook": hook, **{k: v for k, v in extra.items() if v is not None}}
        if hook.endswith("-relation-changed") or hook in (
            "config-changed",
            "leader-settings-changed",
            "update-status",
        ):
            if event in self.state["queue"]:
                return
        self.state["queue"].append(event)

    def charm_units(self, app: str) -> list[str]:
        return [] if self.is_peer(app) else list(self.app(app)["units"])

    def run_queue(self) -> None:
        """Run pending hooks until none is runnable (quiescent) or every blocked unit errs."""
        from charmsmith.model.runner import run_event

        ran = 0
        while True:
            event = self._next_runnable()
            if event is None:
                for app in [a for a in self.state["applications"] if self.is_peer(a)]:
                    self.peer(app).step(self)  # peers' later work, e.g. rabbit clustering
                event = self._next_runnable()
            if event is None:
                return
            ran += 1
            if ran > MAX_HOOKS_PER_COMMAND:
                raise CharmsmithError("the model did not settle: too many hooks (relation loop?)")
            self.state["queue"].remove(event)
            self._before(event)
            try:
                ok = run_event(self, event)
            except BaseException:
                self.state["queue"].insert(0, event)  # interrupted: it runs next time
                raise
            if not ok:
                self.state["queue"].insert(0, event)
            self.store.save()

    def _next_runnable(self) -> dict[str, Any] | None:
        for event in self.state["queue"]:
            unit = self.state["units"].get(event["unit"])
            if unit is None:
                self.state["queue"].remove(event)
                return self._next_runnable()
            if unit.get("agent") != "error" and not unit.get("down"):
                return event
        return None

    def _before(self, event: dict[str, Any]) -> None:
        """Membership changes Juju makes visible to the hook (relation-list) before it runs."""
        rid = event.get("relation_id")
        if rid is None or str(rid) not in self.state["relations"]:
            return
        rel = self.relation(rid)
        joined = rel.setdefault("joined", {}).setdefault(event["unit"], [])
        remote = event.get("remote_unit")
        if event["hook"].endswith("-relation-joined") and remote and remote not in joined:
            joined.append(remote)
        if event["hook"].endswith("-relation-departed") and remote in joined:
            joined.remove(remote)

    # -- commit after a successful hook -------------------------------------------------------

    def commit(self, ctx: HookContext) -> None:
        """Apply the hook's relation/leader writes and queue what Juju would fire next."""
        for (rid, bag), data in sorted(ctx.pending.items()):
            if str(rid) not in self.state["relations"]:
                continue
            rel = self.relation(rid)
            app = self.unit(ctx.unit)["app"]
            if bag == "app":
                if rel["app_data"].get(app, {}) != data:
                    rel["app_data"][app] = data
                    self._changed(rel, app, None)
            elif rel["unit_data"].get(ctx.unit, {}) != data:
                rel["unit_data"][ctx.unit] = data
                self._changed(rel, app, ctx.unit)
        if ctx.pending_leader is not None:
            app = self.unit(ctx.unit)["app"]
            if self.app(app).get("leader_settings", {}) != ctx.pending_leader:
                self.app(app)["leader_settings"] = ctx.pending_leader
                for unit in self.charm_units(app):
                    if unit != ctx.unit:
                        self.enqueue(unit, "leader-settings-changed")
        if ctx.hook == "install" and ctx.action is None:
            scope.install_done(self, ctx.unit)

    def _changed(self, rel: dict[str, Any], app: str, unit: str | None) -> None:
        """A databag of `unit` (or of `app` when unit is None) changed: notify the other side."""
        other = self.remote_app(rel, app)
        if self.is_peer(other):
            self.peer_respond(rel, other)
            return
        for target in self.charm_units(other):
            if target == unit:
                continue
            endpoint = self.endpoint_of(rel, other)
            seen = rel.get("joined", {}).get(target, [])
            if unit is None:
                if seen:
                    self.enqueue(
                        target,
                        f"{endpoint}-relation-changed",
                        relation_id=rel["id"],
                        remote_app=app,
                    )
            elif unit in seen:
                self.enqueue(
                    target,
                    f"{endpoint}-relation-changed",
                    relation_id=rel["id"],
                    remote_unit=unit,
                    remote_app=app,
                )

    def peer_respond(self, rel: dict[str, Any], peer_app: str) -> None:
        view = PeerView(self, rel, peer_app, self.endpoint_of(rel, peer_app))
        self.peer(peer_app).respond(view)

    def peer_publish(
        self,
        rel: dict[str, Any],
        unit: str | None,
        settings: dict[str, str],
        app: str | None = None,
    ) -> None:
        """A peer writes its databag; charm units that see it get -changed, as from a hook."""
        owner_app = app or self.unit(unit)["app"]  # type: ignore[arg-type]
        bag = rel["app_data"] if unit is None else rel["unit_data"]
        key = owner_app if unit is None else unit
        new = {**bag.get(key, {}), **settings}
        new = {k: v for k, v in new.items() if v != ""}
        if bag.get(key, {}) != new:
            bag[key] = new
            self._changed(rel, owner_app, unit)

    # -- user operations ------------------------------------------------------------------------

    def _new_unit(self, app: str, principal: str | None = None) -> str:
        a = self.app(app)
        number = a.get("next_unit", 0)
        a["next_unit"] = number + 1
        name = f"{app}/{number}"
        index = self.state.setdefault("next_unit_index", 0)
        self.state["next_unit_index"] = index + 1
        address = (
            self.unit(principal)["address"] if principal else network.allocate_address(self.state)
        )
        now = time.time()
        unit = {
            "name": name,
            "app": app,
            "number": number,
            "index": index,
            "address": address,
            "agent": "idle",
            "workload": {"status": "waiting", "message": "agent initialising", "since": now},
            "ports": [],
            "machine": str(index),
        }
        if principal:
            unit["principal"] = principal
        self.state["units"][name] = unit
        a["units"].append(name)
        return name

    def deploy(
        self,
        charm_dir: Path,
        app_name: str | None,
        config: dict[str, str],
        count: int,
        mode: str | None = None,
        archive: dict[str, str] | None = None,
    ) -> str:
        charm_dir = charmfiles.built_charm(charm_dir)
        metadata = charmfiles.read_metadata(charm_dir)
        options = charmfiles.read_options(charm_dir)
        name = app_name or metadata["name"]
        self._check_new_app(name)
        app = {
            "name": name,
            "kind": "charm",
            "charm": metadata["name"],
            "charm_dir": str(charm_dir),
            "metadata": metadata,
            "options": options,
            "config": {},
            "units": [],
            "leader": None,
            "revision": 0,
            "mode": mode or self.state.get("mode", "emulated"),
            "version": "",
        }
        self.state["applications"][name] = app
        try:
            app["config"] = self.coerce_config(name, config)
            if metadata.get("subordinate"):
                raise CharmsmithError("deploying subordinate charms is not supported here")
        except CharmsmithError:
            del self.state["applications"][name]  # a rejected deploy leaves no trace
            raise
        if archive:
            self.state.setdefault("archive", {}).update(archive)
        if metadata.get("subordinate"):
            raise CharmsmithError(
                "deploying subordinate charms is not supported by the local model"
            )
        self.ensure_peer_relations(name)
        for _ in range(max(count, 1)):
            self.add_unit(name)
        return name

    def deploy_peer(
        self,
        kind: str,
        app_name: str | None,
        count: int,
        backend: str,
        config: dict[str, str] | None = None,
    ) -> str:
        """A peer application; with a daemon backend (real) its servers are started here.

        A deploy that fails part way (a daemon that does not start, Ctrl-C) is rolled back:
        no application, unit or running daemon is left behind.
        """
        cls = PEERS[kind]
        name = app_name or kind
        self._check_new_app(name)
        backend_cls = cls.backend_class(backend)  # refused before the model records anything
        if backend_cls.DAEMONS and count > 1:
            raise CharmsmithError(
                f"{kind}: the {backend} backend runs one server; deploy it with one unit"
            )
        app = {
            "name": name,
            "kind": "peer",
            "peer": kind,
            "charm": kind,
            "backend": backend,
            "metadata": cls.metadata(),
            "options": cls.OPTIONS,
            "config": {},
            "units": [],
            "leader": None,
            "version": "",
            "subordinate": cls.SUBORDINATE,
            "peer_state": {},
        }
        self.state["applications"][name] = app
        try:
            app["config"] = self.coerce_config(name, config or {})
            cls.check_config(self.config_values(name), backend)
            if not cls.SUBORDINATE:
                for _ in range(max(count, 1)):
                    unit = self._new_unit(name)
                    network.add_bridge_address(self.state, self.unit(unit)["address"])
                app["leader"] = app["units"][0]
            if backend_cls.DAEMONS:
                self._start_peer_backend(name)
            status = dict(zip(("status", "message"), self.peer(name).status(), strict=True))
            for unit in app["units"]:
                self.unit(unit)["workload"] = dict(status)
        except BaseException as exc:
            kept = self._forget_peer(name)
            if kept is not None and isinstance(exc, CharmsmithError):
                raise CharmsmithError(f"{exc}\n(the failed backend's files: {kept})") from exc
            raise
        return name

    def peer_dir(self, app: str) -> Path:
        """Where a daemon backend keeps its data, logs, pidfiles and secrets."""
        return self.store.path / "peers" / app

    def _start_peer_backend(self, name: str) -> None:
        """configure + start on the peer unit's bridge address; a marker lets any later process
        (destroy) find and stop the daemons even if this one dies before saving the state."""
        from charmsmith.model.peers.real.access import reach_state_dir

        a = self.app(name)
        backend_cls = self.peer_class(name).backend_class(a["backend"])
        state_dir = self.peer_dir(name)
        address = self.unit(a["units"][0])["address"]
        reach_state_dir(state_dir, self.store.path, backend_cls.USERS)
        backend_cls.configure(a["peer_state"], state_dir, address)
        public = {k: v for k, v in a["peer_state"].items() if k != "secrets"}
        marker = {"peer": a["peer"], "backend": a["backend"], "peer_state": public}
        write_atomic(state_dir / PEER_MARKER, json.dumps(marker, sort_keys=True).encode())
        self.echo(f"{name}: starting the {a['backend']} {a['peer']} backend on {address}")
        seconds = self.peer(name).backend.start()
        self.echo(f"{name}: {a['backend']} backend ready in {seconds:.1f} s ({state_dir})")

    def _forget_peer(self, name: str) -> Path | None:
        """Undo a failed deploy_peer: stop what started, drop app, units and bridge addresses.

        A daemon backend's directory is moved aside to `<app>.failed` (its logs explain the
        failure, and a new deploy must not inherit a half-initialised datadir); returns it.
        """
        a = self.state["applications"].pop(name)
        for unit in a["units"]:
            record = self.state["units"].pop(unit, None)
            if record:
                network.del_bridge_address(self.state, record["address"])
        state_dir = self.peer_dir(name)
        if not state_dir.exists():
            return None
        if a["peer_state"]:
            try:
                PEERS[a["peer"]](a).backend.stop()
            except CharmsmithError as err:
                # left in place with its marker, so that `destroy` tries again
                self.echo(f"{name}: could not stop the failed backend: {err}")
                return state_dir
        (state_dir / PEER_MARKER).unlink(missing_ok=True)
        if not any(state_dir.iterdir()):
            state_dir.rmdir()  # failed before writing anything: nothing to keep
            return None
        kept = state_dir.with_name(f"{name}.failed")
        shutil.rmtree(kept, ignore_errors=True)
        state_dir.rename(kept)
        return kept

    def _check_new_app(self, name: str) -> None:
        check_app_name(name)
        if name in self.state["applications"]:
            raise CharmsmithError(f'application "{name}" already exists')

    def coerce_config(self, app: str, pairs: dict[str, str]) -> dict[str, Any]:
        """Type user values by config.yaml (`juju config` rejects unknown keys and bad types)."""
        options = self.app(app).get("options", {})
        out: dict[str, Any] = {}
        for key, raw in pairs.items():
            if key not in options:
                raise CharmsmithError(f'unknown option "{key}" for application "{app}"')
            kind = options[key].get("type", "string")
            try:
                if kind == "int":
                    out[key] = int(raw)
                elif kind == "float":
                    out[key] = float(raw)
                elif kind == "boolean":
                    if raw.lower() not in ("true", "false", "yes", "no", "1", "0"):
                        raise ValueError(raw)
                    out[key] = raw.lower() in ("true", "yes", "1")
                else:
                    out[key] = raw
            except ValueError:
                raise CharmsmithError(f'option "{key}" expects {kind}, got "{raw}"') from None
        return out

    def add_unit(self, app: str) -> str:
        a = self.app(app)
        if a["kind"] == "peer":
            raise CharmsmithError(f"{app} is played by charmsmith; add-unit applies to charms")
        charmfiles.built_charm(a["charm_dir"])  # as deploy does: it may have been rebuilt away
        name = self._new_unit(app)
        unit = self.unit(name)
        unit["revision"] = a.get("revision", 0)
        unitfs.prepare_unit(self.store.path, unit, Path(a["charm_dir"]), a.get("mode") == "real")
        network.create_unit_network(self.state, unit)
        unit["netns"] = network.netns_path(self.state, unit)
        self.enqueue(name, "install")
        first = a["leader"] is None
        for rel in self.relations_of(app):
            endpoint = self.endpoint_of(rel, app)
            self.enqueue(
                name,
                f"{endpoint}-relation-created",
                relation_id=rel["id"],
                remote_app=self.remote_app(rel, app),
            )
        if first:
            a["leader"] = name
            self.enqueue(name, "leader-elected")
        else:
            self.enqueue(name, "leader-settings-changed")
        self.enqueue(name, "config-changed")
        self.enqueue(name, "start")
        return name  # it enters its relations' scope once installed (scope.install_done)

    def peer_class(self, app: str) -> type[PeerApp]:
        return PEERS[self.app(app)["peer"]]

    def _set_juju_keys(self, rel: dict[str, Any], unit: str) -> None:
        addr = self.unit(unit)["address"]
        bag = rel["unit_data"].setdefault(unit, {})
        bag.update(
            {"private-address": addr, "ingress-address": addr, "egress-subnets": f"{addr}/32"}
        )

    def new_relation(
        self,
        apps: tuple[str, str],
        endpoints: tuple[str, str],
        interface: str,
        scope: str = "global",
    ) -> dict[str, Any]:
        rid = self.state["next_relation_id"]
        self.state["next_relation_id"] = rid + 1
        rel = {
            "id": rid,
            "interface": interface,
            "scope": scope,
            "endpoints": [{"app": a, "endpoint": e} for a, e in zip(apps, endpoints, strict=True)],
            "unit_data": {},
            "app_data": {},
            "joined": {},
            "since": time.time(),  # goal-state's relation `since`
        }
        if apps[0] == apps[1]:
            rel["endpoints"] = rel["endpoints"][:1]
        self.state["relations"][str(rid)] = rel
        return rel

    def ensure_peer_relations(self, app: str) -> None:
        """Peer relations (metadata `peers:`) exist from deploy on, as in Juju."""
        for name, spec in (self.app(app)["metadata"].get("peers") or {}).items():
            if not any(
                self.endpoint_of(r, app) == name and self.remote_app(r, app) == app
                for r in self.relations_of(app)
            ):
                interface = spec["interface"] if isinstance(spec, dict) else spec
                self.new_relation((app, app), (name, name), interface)

    def relate(self, left: str, right: str) -> dict[str, Any]:
        (a, ea), (b, eb) = self._resolve_endpoints(left, right)
        for rel in self.state["relations"].values():
            pairs = {(ep["app"], ep["endpoint"]) for ep in rel["endpoints"]}
            if pairs == {(a, ea), (b, eb)}:
                raise CharmsmithError(f"relation {a}:{ea} {b}:{eb} already exists")
        spec_a, spec_b = self.endpoints(a)[ea], self.endpoints(b)[eb]
        container = "container" in (spec_a.get("scope"), spec_b.get("scope"))
        rel = self.new_relation(
            (a, b), (ea, eb), spec_a["interface"], "container" if container else "global"
        )
        for app, other in ((a, b), (b, a)):
            for unit in self.charm_units(app):
                self.enqueue(
                    unit,
                    f"{self.endpoint_of(rel, app)}-relation-created",
                    relation_id=rel["id"],
                    remote_app=other,
                )
        for app in (a, b):
            for unit in self.app(app)["units"] if self.is_peer(app) else []:
                self._set_juju_keys(rel, unit)  # charm units' come with their scope entry
        scope.enter_installed(self, rel, a if not self.is_peer(a) else b)
        return rel

    def _resolve_endpoints(self, left: str, right: str) -> tuple[tuple[str, str], tuple[str, str]]:
        """Match `A[:ep] B[:ep]` by interface and opposite roles, like `juju integrate`."""

        def split(text: str) -> tuple[str, str | None]:
            app, _, ep = text.partition(":")
            self.app(app)
            if ep and ep not in self.endpoints(app):
                raise CharmsmithError(f'application "{app}" has no endpoint "{ep}"')
            return app, ep or None

        (a, ea), (b, eb) = split(left), split(right)
        if a == b:
            raise CharmsmithError("cannot relate an application to itself (peers are automatic)")
        candidates = []
        for name_a, spec_a in self.endpoints(a).items():
            for name_b, spec_b in self.endpoints(b).items():
                if ea and name_a != ea or eb and name_b != eb:
                    continue
                roles = {spec_a["role"], spec_b["role"]}
                if spec_a["interface"] == spec_b["interface"] and roles == {"provides", "requires"}:
                    candidates.append(((a, name_a), (b, name_b)))
        if not candidates:
            want_a = f"{a}:{ea}" if ea else a
            want_b = f"{b}:{eb}" if eb else b
            if ea and eb:
                ia, ib = self.endpoints(a)[ea], self.endpoints(b)[eb]
                raise CharmsmithError(
                    f"incompatible endpoints {want_a} ({ia['role']} {ia['interface']}) and "
                    f"{want_b} ({ib['role']} {ib['interface']})"
                )
            raise CharmsmithError(f"no compatible endpoints between {want_a} and {want_b}")
        if len(candidates) > 1:
            names = ", ".join(f"{x[0]}:{x[1]} {y[0]}:{y[1]}" for x, y in candidates)
            raise CharmsmithError(f"ambiguous relation, specify endpoints: {names}")
        return candidates[0]

    def set_config(self, app: str, pairs: dict[str, str]) -> None:
        a = self.app(app)
        if a["kind"] == "peer":
            raise CharmsmithError(f"{app} is played by charmsmith and has no charm config")
        new = {**a["config"], **self.coerce_config(app, pairs)}
        before = self.config_values(app)
        a["config"] = new
        if self.config_values(app) != before:
            for unit in a["units"]:
                self.enqueue(unit, "config-changed")

    def remove_unit(self, name: str) -> None:
        unit = self.unit(name)
        app = unit["app"]
        if self.is_peer(app):
            raise CharmsmithError(f"{name} is played by charmsmith; remove-unit applies to charms")
        if unit.get("dying"):
            # a redo after a kill: Juju does nothing for a unit no longer alive
            # (juju/juju state/unit.go, DestroyUnitOperation: errAlreadyDying, no operations)
            return
        scope.queue_goodbyes(self, name)
        self.enqueue(name, "stop")
        self.enqueue(name, "remove")
        unit["dying"] = True
        self.state.setdefault("removing", []).append(name)

    def finish_removal(self, name: str) -> None:
        """After the unit's last hook: drop it, its data, network, and elect a new leader."""
        unit = self.unit(name)
        app = unit["app"]
        for service in unit.get("services", {}).values():
            shims.stop_listener(service)
        self._kill_unit_processes(unit)
        network.remove_unit_network(self.state, unit)
        unitfs.release_view(self.store.path, name)
        for rel in self.state["relations"].values():
            if name in rel["unit_data"]:  # readable by relation-get until the relation goes
                rel.setdefault("departed_data", {})[name] = rel["unit_data"].pop(name)
            rel.get("joined", {}).pop(name, None)
            scope.RelationScope.of(rel).leave(name)
            for seen in rel.get("joined", {}).values():
                if name in seen:
                    seen.remove(name)
            for sub in [u for u, d in self.state["units"].items() if d.get("principal") == name]:
                self._drop(sub)
        self._drop(name)
        shutil.rmtree(unitfs.unit_dir(self.store.path, name), ignore_errors=True)
        a = self.app(app)
        if a["leader"] == name:
            live = [u for u in a["units"] if not self.unit(u).get("down")]
            a["leader"] = live[0] if live else None
            if a["leader"]:
                self.enqueue(a["leader"], "leader-elected")
        self._after_membership_change(app, gone=None)
        for rel in self.relations_of(app):
            other = self.remote_app(rel, app)
            if self.is_peer(other):
                self.peer_respond(rel, other)

    def fail_unit(self, name: str) -> None:
        """The unit's machine goes down: no hooks, no traffic; VIPs and leadership move."""
        unit = self.unit(name)
        if self.is_peer(unit["app"]):
            raise CharmsmithError(f"{name} is played by charmsmith; fail applies to charm units")
        unit["down"] = True
        unit["agent"] = "lost"
        for service in unit.get("services", {}).values():
            shims.stop_listener(service)
            service["running"] = False
        self._kill_unit_processes(unit)
        network.set_link(self.state, unit, up=False)
        self._after_membership_change(unit["app"], gone=name)

    def recover_unit(self, name: str) -> None:
        unit = self.unit(name)
        if not unit.get("down"):
            raise CharmsmithError(f"{name} is not down")
        unit.pop("down")
        unit["agent"] = "idle"
        network.set_link(self.state, unit, up=True)
        reboot.boot_services(self, name)  # enabled services start, as at a machine's boot
        self.enqueue(name, "start")
        self._after_membership_change(unit["app"], gone=None)

    def _after_membership_change(self, app: str, gone: str | None) -> None:
        """Leadership moves off a gone/down unit; hacluster re-places VIPs."""
        a = self.app(app)
        if gone is not None and a.get("leader") == gone:
            live = [u for u in a["units"] if u != gone and not self.unit(u).get("down")]
            a["leader"] = live[0] if live else None
            if a["leader"]:
                self.enqueue(a["leader"], "leader-elected")
        from charmsmith.model.peers.hacluster import place_vips

        for other in self.state["applications"].values():
            if other.get("peer") == "hacluster":
                place_vips(self, other["name"])

    def _drop(self, name: str) -> None:
        unit = self.state["units"].pop(name, None)
        if unit:
            self.app(unit["app"])["units"].remove(name)
        self.state["queue"] = [e for e in self.state["queue"] if e["unit"] != name]

    def _kill_unit_processes(self, unit: dict[str, Any]) -> None:
        """Everything left in the unit's namespace, each process checked through a pidfd."""
        if unit.get("netns"):
            procs.kill_netns(unit["netns"])

    def upgrade_charm(self, app: str, charm_dir: Path | None) -> None:
        a = self.app(app)
        if a["kind"] == "peer":
            raise CharmsmithError(f"{app} is played by charmsmith")
        src = charmfiles.built_charm(charm_dir or a["charm_dir"])
        meta, options = charmfiles.read_metadata(src), charmfiles.read_options(src)
        a["charm_dir"] = str(src)
        a["revision"] = a.get("revision", 0) + 1
        a["metadata"] = meta
        a["options"] = options
        for unit in a["units"]:
            self.unit(unit)["revision"] = a["revision"]
            unitfs.install_charm(self.store.path, self.unit(unit), src)
            self.enqueue(unit, "upgrade-charm")
            self.enqueue(unit, "config-changed")

    def update_status(self, unit: str | None) -> None:
        names = (
            [unit] if unit else [u for a in self.state["applications"] for u in self.charm_units(a)]
        )
        for name in names:
            if self.is_peer(self.unit(name)["app"]):
                raise CharmsmithError(f"{name} is played by charmsmith and runs no hooks")
            if not self.unit(name).get("down"):
                self.enqueue(name, "update-status")

    def destroy(self) -> None:
        """Host objects go (teardown.py: step by step, daemons first); failures are reported."""
        from charmsmith.model.teardown import destroy_host_objects

        for problem in destroy_host_objects(self):
            self.echo(f"could not remove: {problem}")
