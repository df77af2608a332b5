"""The model's facade: one object the CLI holds under the lock, Juju's rules behind it.

Why a facade: the commands need one handle on the model, while each job sits in its own
module - look-ups (view.py), the persisted hook queue and its fan-out (hookqueue.py), deploy
and add-unit (deploy.py), relations (relate.py), config (configops.py), removal, failure and
update-status (lifecycle.py), peer daemons (peerdaemons.py) and hook-tool dispatch (tools.py).
Tools, peers and operations see the model through protocols.py, not through this class.
"""

from __future__ import annotations

from collections.abc import Callable

from charmsmith.model import configops, hookqueue, lifecycle, peerdaemons, tools
from charmsmith.model import deploy as deploying
from charmsmith.model import relate as relating
from charmsmith.model.protocols import Substrate
from charmsmith.model.store import ModelStore
from charmsmith.model.substrate import HostSubstrate
from charmsmith.model.teardown import destroy_host_objects
from charmsmith.model.tool_base import HookContext
from charmsmith.model.view import StateView

MAX_HOOKS_PER_COMMAND = hookqueue.MAX_HOOKS_PER_COMMAND


class Model(StateView):
    """In-memory view of the model state with Juju's rules; the CLI holds it under the lock.

    Each method is a module's function taking the model first (protocols.ModelAPI).
    """

    def __init__(
        self,
        store: ModelStore,
        echo: Callable[[str], None] = print,
        substrate: Substrate | None = None,
    ) -> None:
        super().__init__(store, echo)
        self.substrate: Substrate = substrate or HostSubstrate()
        self.contexts: dict[str, HookContext] = {}
        self.current: HookContext | None = None
        self.failures: list[str] = []

    handle_tool = tools.handle_tool

    enqueue = hookqueue.enqueue
    run_queue = hookqueue.run_queue
    commit = hookqueue.commit
    _changed = hookqueue.changed
    peer_respond = hookqueue.peer_respond
    peer_publish = hookqueue.peer_publish

    new_unit = deploying.new_unit
    deploy = deploying.deploy
    add_unit = deploying.add_unit
    upgrade_charm = deploying.upgrade_charm
    coerce_config = configops.coerce_config
    set_config = configops.set_config

    set_juju_keys = relating.set_juju_keys
    new_relation = relating.new_relation
    ensure_peer_relations = relating.ensure_peer_relations
    relate = relating.relate

    remove_unit = lifecycle.remove_unit
    finish_removal = lifecycle.finish_removal
    drop_unit = lifecycle.drop_unit
    fail_unit = lifecycle.fail_unit
    recover_unit = lifecycle.recover_unit
    update_status = lifecycle.update_status

    deploy_peer = peerdaemons.deploy_peer
    peer_dir = peerdaemons.peer_dir

    def destroy(self) -> None:
        """Host objects go (teardown.py: step by step, daemons first); failures are reported."""
        for problem in destroy_host_objects(self.store.path, self.store.state.to_json(), self.echo):
            self.echo(f"could not remove: {problem}")
