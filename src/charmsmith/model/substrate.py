"""The host under the model, as one object: unit networks, unit filesystems, hook execution.

Why a seam: the operations (deploy, removal, failure) and the queue touch the host through
these few calls; the Model takes a substrate, so a test hands it `FakeSubstrate` (no
namespaces, no overlays, hooks played by a Python callable) instead of patching modules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from charmsmith.model import hostpkgs, network, runner
from charmsmith.model import units as unitfs
from charmsmith.model.protocols import ModelAPI, ModelView, State
from charmsmith.model.state import QueuedEvent, Unit
from charmsmith.model.unitexec import unit_command

HookPlayer = Callable[[ModelAPI, QueuedEvent], bool]


class HostSubstrate:
    """This machine: network namespaces on the model's bridge, overlay views, the launcher."""

    def prepare_unit(self, model_dir: Path, unit: Unit, charm_src: Path, real: bool) -> None:
        unitfs.prepare_unit(model_dir, unit, charm_src, real, hostpkgs.hide_all)

    def create_unit_network(self, state: State, unit: Unit) -> str:
        """The unit's namespace, veth and address; returns the namespace's path."""
        network.create_unit_network(state, unit)
        return network.netns_path(state, unit)

    def remove_unit_network(self, state: State, unit: Unit) -> None:
        network.remove_unit_network(state.id, unit.index)

    def set_link(self, state: State, unit: Unit, up: bool) -> None:
        network.set_link(state, unit, up)

    def add_bridge_address(self, state: State, address: str) -> None:
        network.add_bridge_address(state, address)

    def del_bridge_address(self, state: State, address: str) -> None:
        network.del_bridge_address(state.bridge, address)

    def add_unit_address(self, state: State, unit: Unit, address: str, prefix: int) -> None:
        network.add_unit_address(state, unit, address, prefix)

    def del_unit_address(self, state: State, unit: Unit, address: str, prefix: int) -> None:
        network.del_unit_address(state, unit, address, prefix)

    def run_event(self, model: ModelAPI, event: QueuedEvent) -> bool:
        return runner.run_event(model, event)

    def enter_unit(self, model: ModelView, unit: str, argv: list[str], cwd: str) -> list[str]:
        """`argv` through the launcher: in the unit's namespaces and filesystem view."""
        return unit_command(model, unit, argv, cwd)


class FakeSubstrate:
    """No host objects at all; each hook is played by `hooks` (it returns the hook's success).

    What would have touched the host is recorded: addresses taken off the bridge, and VIPs
    put on ("add") or taken off ("del") a unit, as (what, unit name, address, prefix).
    """

    def __init__(self, hooks: HookPlayer) -> None:
        self.hooks = hooks
        self.left_bridge: list[str] = []
        self.vips: list[tuple[str, str, str, int]] = []

    def prepare_unit(self, model_dir: Path, unit: Unit, charm_src: Path, real: bool) -> None:
        pass

    def create_unit_network(self, state: State, unit: Unit) -> str:
        return ""  # no namespace: nothing to enter or kill

    def remove_unit_network(self, state: State, unit: Unit) -> None:
        pass

    def set_link(self, state: State, unit: Unit, up: bool) -> None:
        pass

    def add_bridge_address(self, state: State, address: str) -> None:
        pass

    def del_bridge_address(self, state: State, address: str) -> None:
        self.left_bridge.append(address)

    def add_unit_address(self, state: State, unit: Unit, address: str, prefix: int) -> None:
        self.vips.append(("add", unit.name, address, prefix))

    def del_unit_address(self, state: State, unit: Unit, address: str, prefix: int) -> None:
        self.vips.append(("del", unit.name, address, prefix))

    def run_event(self, model: ModelAPI, event: QueuedEvent) -> bool:
        return self.hooks(model, event)

    def enter_unit(self, model: ModelView, unit: str, argv: list[str], cwd: str) -> list[str]:
        return list(argv)  # the program runs on this host as it is
