"""What every real peer backend shares: where its server lives, and start, stop and running.

A real backend subclasses its peer's emulated one (the wire answers stay the same) and adds a
server built from the state directory and address the model records at deploy (`configure`).
start, stop and running go to that server; an answer first makes sure it is live, because a
reboot or a kill may have stopped it since.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from charmsmith.model.peers.base import Backend
from charmsmith.model.peers.real.supervisor import ServiceError


class Server(Protocol):
    def start(self) -> float: ...

    def stop(self) -> bool: ...

    def running(self) -> bool: ...


ServerT = TypeVar("ServerT", bound=Server)


def settings(peer_state: dict[str, Any]) -> tuple[Path, str]:
    """The state directory and address `configure` recorded; one-line error when it did not."""
    real = peer_state.get("real")
    if not real or "state_dir" not in real:
        raise ServiceError(
            "real backend not configured: the model must call configure(peer_state, state_dir, "
            "address) when deploying with the real backend"
        )
    return Path(real["state_dir"]), real.get("address", "127.0.0.1")


class ServerBackend(Backend, Generic[ServerT]):
    """A peer backend served by `server`, built from the recorded state directory and address."""

    name: ClassVar[str] = "real"
    DAEMONS: ClassVar[bool] = True
    server: ServerT

    def __init__(self, peer_state: dict[str, Any]) -> None:
        super().__init__(peer_state)
        self.server = self.make_server(*settings(peer_state))

    def make_server(self, state_dir: Path, address: str) -> ServerT:
        raise NotImplementedError

    @staticmethod
    def configure(peer_state: dict[str, Any], state_dir: str | Path, address: str) -> None:
        peer_state["real"] = {"state_dir": str(Path(state_dir).absolute()), "address": address}

    def start(self) -> float:
        return self.server.start()

    def stop(self) -> bool:
        return self.server.stop()

    def running(self) -> bool:
        return self.server.running()

    def live(self) -> None:
        """Start the server again if it is not running (a reboot, a kill): the answer a relation
        is about to get must come from a live server; starting is idempotent, prints progress."""
        if not self.running():
            self.start()
