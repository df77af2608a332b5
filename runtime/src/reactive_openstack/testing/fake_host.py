"""FakeHost: the whole Host protocol in memory, recording every effect a hook would have.

The hook-tool half lives here (config, leadership, status, log, network, ports, flags, kv);
the machine half (files, packages, services, commands) in fake_machine.py. Seed state in the
constructor or by assignment, run the code under test, then read the public attributes back.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from reactive_openstack._host_resources import FakeResources
from reactive_openstack._host_services import FakeServiceStates
from reactive_openstack.host import CommandFailed
from reactive_openstack.testing.fake_machine import FakeMachine

STATUS_KV_KEY = "reactive_openstack.host.status"
VERSION_KV_KEY = "reactive_openstack.host.application-version"


class FakeHost(FakeMachine, FakeResources, FakeServiceStates):
    """Implements the whole Host protocol in memory and records every effect.

    Recorded effects (all lists are in call order):

    * ``statuses``: every status actually sent (unchanged values are skipped, like JujuHost);
      ``status`` is the last one.
    * ``tool_calls``: hook-tool invocations JujuHost would have made (reads once, thanks to
      caching), e.g. ``["config-get", "is-leader", "status-set"]`` - for call-count budgets.
    * ``files`` (path -> FileRecord), ``writes`` (paths written, in order).
    * ``packages`` (name -> version installed), ``installs`` / ``purges`` (package lists per call),
      ``sources`` (origins added), ``apt_updates`` (count).
    * ``services`` (name -> running), ``service_calls`` (``("restart", "haproxy")`` ...).
    * ``commands`` (argv lists from :meth:`run`), ``sleeps`` (seconds).
    * ``leader_settings``, ``flags`` (flag -> value), ``kv``, ``ports`` (opened), ``logs``
      (``(level, message)``), ``atexit_callbacks``.

    Seeding helpers: ``listening`` (set of ports with a listener; if ``None`` the ports of
    ``service_ports`` of running services are used), ``bindings`` (binding -> (address, cidr)),
    ``interfaces`` (interface -> ``["address/prefixlen", ...]``, default ``eth0`` holding the unit
    address in a /24), ``available_versions`` (package -> version that install_packages will
    "install"),
    :meth:`fail_command` to make a command fail a number of times, :meth:`fail_service` to make
    a service's start or restart fail (the service is then stopped, as after a failed restart).
    """

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        leader: bool = True,
        unit_name: str = "charm/0",
        charm_dir: str = "/var/lib/juju/agents/unit-charm-0/charm",
        hook_name: str = "",
        unit_address: str = "10.0.0.10",
        bindings: dict[str, tuple[str, str]] | None = None,
        leader_settings: dict[str, str] | None = None,
        flags: dict[str, Any] | set[str] | list[str] | None = None,
        kv: dict[str, Any] | None = None,
        packages: dict[str, str] | None = None,
        available_versions: dict[str, str] | None = None,
        services: dict[str, bool] | None = None,
        service_ports: dict[str, list[int]] | None = None,
        listening: set[int] | None = None,
        files: dict[str, bytes] | None = None,
        ports: set[int] | None = None,
        endpoints: dict[str, Any] | None = None,
        interfaces: dict[str, list[str]] | None = None,
    ) -> None:
        self._init_machine(files, packages, available_versions, services)
        self.unit_name = unit_name
        self.application_name = unit_name.split("/")[0]
        self.charm_dir = charm_dir
        self.hook_name = hook_name
        self._hooks_begun = 1
        self.hook_id = "fake-hook-1"  # new_hook gives the next one, as Juju's JUJU_CONTEXT_ID
        self.config_values: dict[str, Any] = dict(config or {})
        self.leader = leader
        self.address = unit_address
        self.bindings: dict[str, tuple[str, str]] = dict(bindings or {})
        self.leader_settings: dict[str, str] = dict(leader_settings or {})
        if isinstance(flags, dict):
            self.flags: dict[str, Any] = dict(flags)
        else:
            self.flags = {flag: None for flag in flags or ()}
        self.kv: dict[str, Any] = copy.deepcopy(kv or {})
        self.service_ports: dict[str, list[int]] = dict(service_ports or {})
        self.listening = listening
        self.ports: set[int] = set(ports or ())
        self.endpoints: dict[str, Any] = dict(endpoints or {})
        # interface -> ["address/prefixlen", ...]; by default eth0 carries the unit's address
        self.interfaces: dict[str, list[str]] = (
            {name: list(addrs) for name, addrs in interfaces.items()}
            if interfaces is not None
            else {"eth0": [f"{unit_address}/24"]}
        )
        self.atexit_callbacks: list[Callable[[], None]] = []
        self._reset_tool_records()

    # -- recording helpers ----------------------------------------------------------------------

    def _reset_tool_records(self) -> None:
        self.statuses: list[tuple[str, str]] = []
        self.application_versions: list[str] = []
        self.tool_calls: list[str] = []
        self.logs: list[tuple[str, str]] = []
        self.port_calls: list[tuple[str, int]] = []
        self._read_once: set[str] = set()

    def _read_tool(self, name: str) -> None:
        """Record a cached hook-tool read the first time only, as JujuHost would make it."""
        if name not in self._read_once:
            self._read_once.add(name)
            self.tool_calls.append(name)

    @property
    def status(self) -> tuple[str, str] | None:
        """The last status sent, or None."""
        return self.statuses[-1] if self.statuses else None

    def run_atexit(self) -> None:
        """Run the registered exit callbacks like charmhelpers does (last registered first)."""
        callbacks, self.atexit_callbacks = self.atexit_callbacks, []
        for callback in reversed(callbacks):
            callback()

    def reset_records(self) -> None:
        """Forget recorded effects (not state), e.g. between two simulated hooks."""
        self._reset_tool_records()
        self._reset_machine_records()

    def new_hook(self, hook_name: str = "") -> FakeHost:
        """Start a simulated new hook on the same unit: forget records and pending exits."""
        self.reset_records()
        self.atexit_callbacks = []
        self.hook_name = hook_name
        self._hooks_begun += 1
        self.hook_id = f"fake-hook-{self._hooks_begun}"
        return self

    # -- config, leadership, status, log --------------------------------------------------------

    def config(self) -> dict[str, Any]:
        self._read_tool("config-get")
        return self.config_values

    def is_leader(self) -> bool:
        self._read_tool("is-leader")
        return self.leader

    def leader_get(self, key: str) -> str | None:
        self._read_tool("leader-get")
        return self.leader_settings.get(key)

    def leader_set(self, values: dict[str, str]) -> None:
        if not self.leader:
            raise CommandFailed(["leader-set"], 1, "cannot write leadership settings: not leader")
        changed = {k: v for k, v in values.items() if self.leader_settings.get(k) != v}
        if not changed:
            return
        self.tool_calls.append("leader-set")
        for key, value in changed.items():
            if value is None or value == "":
                self.leader_settings.pop(key, None)
            else:
                self.leader_settings[key] = str(value)

    def status_set(self, state: str, message: str) -> None:
        if self.kv.get(STATUS_KV_KEY) == [state, message]:
            return
        self.tool_calls.append("status-set")
        self.statuses.append((state, message))
        self.kv[STATUS_KV_KEY] = [state, message]

    def application_version_set(self, version: str) -> None:
        if self.kv.get(VERSION_KV_KEY) == version:
            return
        self.tool_calls.append("application-version-set")
        self.application_versions.append(version)
        self.kv[VERSION_KV_KEY] = version

    def log(self, message: str, level: str = "INFO") -> None:
        self.logs.append((level, message))

    def atexit(self, callback: Callable[[], None]) -> None:
        self.atexit_callbacks.append(callback)

    # -- network --------------------------------------------------------------------------------

    def unit_address(self) -> str:
        self._read_tool("unit-get")
        return self.address

    def binding_address(self, binding: str) -> str | None:
        self._read_tool(f"network-get {binding}")
        found = self.bindings.get(binding)
        return found[0] if found else None

    def binding_network(self, binding: str) -> str | None:
        self._read_tool(f"network-get {binding}")
        found = self.bindings.get(binding)
        return found[1] if found else None

    def local_addresses(self) -> list[tuple[str, str, int]]:
        found = []
        for name, addresses in self.interfaces.items():
            for text in addresses:
                address, _, prefix = text.partition("/")
                found.append((name, address, int(prefix)))
        return found

    # -- ports ----------------------------------------------------------------------------------

    def opened_ports(self) -> set[int]:
        self._read_tool("opened-ports")
        return set(self.ports)

    def open_port(self, port: int) -> None:
        if port not in self.ports:
            self.tool_calls.append("open-port")
            self.port_calls.append(("open", port))
            self.ports.add(port)

    def close_port(self, port: int) -> None:
        if port in self.ports:
            self.tool_calls.append("close-port")
            self.port_calls.append(("close", port))
            self.ports.discard(port)

    def listening_ports(self) -> set[int]:
        if self.listening is not None:
            return set(self.listening)
        found: set[int] = set()
        for service, ports in self.service_ports.items():
            if self.services.get(service):
                found.update(ports)
        return found

    def endpoint(self, name: str) -> Any | None:
        return self.endpoints.get(name)

    # -- flags and kv ---------------------------------------------------------------------------

    def is_flag_set(self, flag: str) -> bool:
        return flag in self.flags

    def set_flag(self, flag: str, value: Any = None) -> None:
        self.flags[flag] = value

    def clear_flag(self, flag: str) -> None:
        self.flags.pop(flag, None)

    def get_flag_value(self, flag: str) -> Any:
        return self.flags.get(flag)

    def kv_get(self, key: str, default: Any = None) -> Any:
        return copy.deepcopy(self.kv.get(key, default))

    def kv_set(self, key: str, value: Any) -> None:
        self.kv[key] = copy.deepcopy(value)

    def kv_unset(self, key: str) -> None:
        self.kv.pop(key, None)
