"""The model's facade: one object the CLI holds under the lock, Juju's rules behind it.

Why a facade: the commands need one handle on the model, while each job sits in its own
module - look-ups (view.py), the persisted hook queue and its fan-out (hookqueue.py), deploy
and add-unit (deploy.py), relations (relate.py), config (configops.py), removal, failure and
update-status (lifecycle.py), peer daemons (peerdaemons.py) and hook-tool dispatch (tools.py).
Tools, peers and operations see the model through protocols.py, not through this class.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from charmsmith.model import configops, deploy, hookqueue, lifecycle, peerdaemons, relate, tools
from charmsmith.model.store import ModelStore
from charmsmith.model.teardown import destroy_host_objects
from charmsmith.model.tool_base import HookContext
from charmsmith.model.view import StateView

MAX_HOOKS_PER_COMMAND = hookqueue.MAX_HOOKS_PER_COMMAND
PEER_MARKER = peerdaemons.PEER_MARKER
redact = tools.redact


class Model(StateView):
    """In-memory view of the model state with Juju's rules; the CLI holds it under the lock."""

    def __init__(self, store: ModelStore, echo: Callable[[str], None] = print) -> None:
        super().__init__(store, echo)
        self.contexts: dict[str, HookContext] = {}
        self.current: HookContext | None = None
        self.failures: list[str] = []

    # -- hook tools and the queue ----------------------------------------------------------------

    def handle_tool(
        self, context_id: str, cwd: str, stdin: bytes, argv: list[str]
    ) -> tuple[int, bytes, bytes]:
        return tools.handle_tool(self, context_id, cwd, stdin, argv)

    def enqueue(self, unit: str, hook: str, **extra: Any) -> None:
        hookqueue.enqueue(self, unit, hook, **extra)

    def run_queue(self) -> None:
        hookqueue.run_queue(self)

    def commit(self, ctx: HookContext) -> None:
        hookqueue.commit(self, ctx)

    def _changed(self, rel: dict[str, Any], app: str, unit: str | None) -> None:
        hookqueue.changed(self, rel, app, unit)

    def peer_respond(self, rel: dict[str, Any], peer_app: str) -> None:
        hookqueue.peer_respond(self, rel, peer_app)

    def peer_publish(
        self,
        rel: dict[str, Any],
        unit: str | None,
        settings: dict[str, str],
        app: str | None = None,
    ) -> None:
        hookqueue.peer_publish(self, rel, unit, settings, app)

    # -- operations ------------------------------------------------------------------------------

    def new_unit(self, app: str, principal: str | None = None) -> str:
        return deploy.new_unit(self, app, principal)

    def deploy(
        self,
        charm_dir: Path,
        app_name: str | None,
        config: dict[str, str],
        count: int,
        mode: str | None = None,
        archive: dict[str, str] | None = None,
    ) -> str:
        return deploy.deploy(self, charm_dir, app_name, config, count, mode, archive)

    def add_unit(self, app: str) -> str:
        return deploy.add_unit(self, app)

    def upgrade_charm(self, app: str, charm_dir: Path | None) -> None:
        deploy.upgrade_charm(self, app, charm_dir)

    def coerce_config(self, app: str, pairs: dict[str, str]) -> dict[str, Any]:
        return configops.coerce_config(self, app, pairs)

    def set_config(self, app: str, pairs: dict[str, str]) -> None:
        configops.set_config(self, app, pairs)

    def set_juju_keys(self, rel: dict[str, Any], unit: str) -> None:
        relate.set_juju_keys(self, rel, unit)

    def new_relation(
        self,
        apps: tuple[str, str],
        endpoints: tuple[str, str],
        interface: str,
        scope: str = "global",
    ) -> dict[str, Any]:
        return relate.new_relation(self, apps, endpoints, interface, scope)

    def ensure_peer_relations(self, app: str) -> None:
        relate.ensure_peer_relations(self, app)

    def relate(self, left: str, right: str) -> dict[str, Any]:
        return relate.relate(self, left, right)

    def remove_unit(self, name: str) -> None:
        lifecycle.remove_unit(self, name)

    def finish_removal(self, name: str) -> None:
        lifecycle.finish_removal(self, name)

    def drop_unit(self, name: str) -> None:
        lifecycle.drop_unit(self, name)

    def fail_unit(self, name: str) -> None:
        lifecycle.fail_unit(self, name)

    def recover_unit(self, name: str) -> None:
        lifecycle.recover_unit(self, name)

    def update_status(self, unit: str | None) -> None:
        lifecycle.update_status(self, unit)

    # -- peers played by charmsmith --------------------------------------------------------------

    def deploy_peer(
        self,
        kind: str,
        app_name: str | None,
        count: int,
        backend: str,
        config: dict[str, str] | None = None,
    ) -> str:
        return peerdaemons.deploy_peer(self, kind, app_name, count, backend, config)

    def peer_dir(self, app: str) -> Path:
        return peerdaemons.peer_dir(self, app)

    def destroy(self) -> None:
        """Host objects go (teardown.py: step by step, daemons first); failures are reported."""
        for problem in destroy_host_objects(self.store, self.echo):
            self.echo(f"could not remove: {problem}")
