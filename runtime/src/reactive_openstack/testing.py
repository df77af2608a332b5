"""An in-memory :class:`~reactive_openstack.host.Host` for unit tests.

The runtime's own tests and every generated charm's ``unit_tests/`` use :class:`FakeHost` so they
can assert what a hook *did* (bytes written, statuses set, commands run, services restarted)
instead of which mocks were called. Everything is a plain public attribute: seed it in the
constructor or by assignment, and read it back after the code under test has run.
Details and an example: docs/architecture.md, 'The Host seam'.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reactive_openstack._host_resources import FakeResources
from reactive_openstack._host_services import FakeServiceStates
from reactive_openstack.host import CommandFailed

__all__ = ["FakeHost", "FileRecord", "CommandFailed"]


@dataclass
class FileRecord:
    """A file as FakeHost stores it: content and the metadata a real write would set."""

    content: bytes
    mode: int = 0o640
    owner: str = "root"
    group: str = "root"


class FakeHost(FakeResources, FakeServiceStates):
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
        self.packages: dict[str, str] = dict(packages or {})
        self.available_versions: dict[str, str] = dict(available_versions or {})
        self.services: dict[str, bool] = dict(services or {})
        self.service_ports: dict[str, list[int]] = dict(service_ports or {})
        self.listening = listening
        self.files: dict[str, FileRecord] = {
            path: FileRecord(content) for path, content in (files or {}).items()
        }
        self.dirs: set[str] = set()
        self.ports: set[int] = set(ports or ())
        self.endpoints: dict[str, Any] = dict(endpoints or {})
        # interface -> ["address/prefixlen", ...]; by default eth0 carries the unit's address
        self.interfaces: dict[str, list[str]] = (
            {name: list(addrs) for name, addrs in interfaces.items()}
            if interfaces is not None
            else {"eth0": [f"{unit_address}/24"]}
        )

        self.statuses: list[tuple[str, str]] = []
        self.application_versions: list[str] = []
        self.tool_calls: list[str] = []
        self.writes: list[str] = []
        self.installs: list[list[str]] = []
        self.purges: list[list[str]] = []
        self.sources: list[str] = []
        self.apt_updates = 0
        self.service_calls: list[tuple[str, str]] = []
        self.commands: list[list[str]] = []
        self.sleeps: list[float] = []
        self.logs: list[tuple[str, str]] = []
        self.atexit_callbacks: list[Callable[[], None]] = []
        self.port_calls: list[tuple[str, int]] = []
        self._failures: dict[tuple[str, ...], list[Any]] = {}
        self._service_failures: dict[tuple[str, str], int] = {}
        self._read_once: set[str] = set()

    # -- recording helpers ----------------------------------------------------------------------

    def _read_tool(self, name: str) -> None:
        """Record a cached hook-tool read the first time only, as JujuHost would make it."""
        if name not in self._read_once:
            self._read_once.add(name)
            self.tool_calls.append(name)

    @property
    def status(self) -> tuple[str, str] | None:
        """The last status sent, or None."""
        return self.statuses[-1] if self.statuses else None

    def file_text(self, path: str) -> str:
        """The content of a written file as text (KeyError if it was never written)."""
        return self.files[path].content.decode()

    def fail_command(
        self, argv: list[str], times: int = 1, output: str = "boom", returncode: int = 1
    ) -> None:
        """Make :meth:`run` with exactly ``argv`` fail the next ``times`` calls."""
        self._failures.setdefault(tuple(argv), []).extend([(output, returncode)] * times)

    def fail_service(self, service: str, verb: str = "restart", times: int = 1) -> None:
        """Make the next ``times`` ``verb`` (start/restart) calls of ``service`` fail."""
        key = (verb, service)
        self._service_failures[key] = self._service_failures.get(key, 0) + times

    def _service_call(self, verb: str, service: str) -> None:
        self.service_calls.append((verb, service))
        key = (verb, service)
        if self._service_failures.get(key):
            self._service_failures[key] -= 1
            self.services[service] = False
            self.service_calls[-1] = (f"{verb}-failed", service)
            raise CommandFailed(["service", service, verb], 1, f"{service} failed to {verb}")
        self.services[service] = True

    def run_atexit(self) -> None:
        """Run the registered exit callbacks like charmhelpers does (last registered first)."""
        callbacks, self.atexit_callbacks = self.atexit_callbacks, []
        for callback in reversed(callbacks):
            callback()

    def reset_records(self) -> None:
        """Forget recorded effects (not state), e.g. between two simulated hooks."""
        self.statuses.clear()
        self.application_versions.clear()
        self.tool_calls.clear()
        self.writes.clear()
        self.installs.clear()
        self.purges.clear()
        self.sources.clear()
        self.apt_updates = 0
        self.service_calls.clear()
        self.commands.clear()
        self.sleeps.clear()
        self.logs.clear()
        self.port_calls.clear()
        self._read_once.clear()

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
        if self.kv.get("reactive_openstack.host.status") == [state, message]:
            return
        self.tool_calls.append("status-set")
        self.statuses.append((state, message))
        self.kv["reactive_openstack.host.status"] = [state, message]

    def application_version_set(self, version: str) -> None:
        if self.kv.get("reactive_openstack.host.application-version") == version:
            return
        self.tool_calls.append("application-version-set")
        self.application_versions.append(version)
        self.kv["reactive_openstack.host.application-version"] = version

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

    # -- files ----------------------------------------------------------------------------------

    def read_file(self, path: str) -> bytes | None:
        record = self.files.get(path)
        return record.content if record else None

    def exists(self, path: str) -> bool:
        if path in self.files or path in self.dirs:
            return True
        prefix = path.rstrip("/") + "/"
        return any(p.startswith(prefix) for p in self.files)

    def mkdir(self, path: str, mode: int = 0o755, owner: str = "root", group: str = "root") -> None:
        self.dirs.add(path.rstrip("/") or "/")

    def write_file(
        self,
        path: str,
        content: bytes,
        mode: int = 0o640,
        owner: str = "root",
        group: str = "root",
    ) -> bool:
        if not isinstance(content, bytes):
            raise TypeError(f"write_file needs bytes, got {type(content).__name__}")
        new = FileRecord(content, mode, owner, group)
        if self.files.get(path) == new:
            return False
        changed = path not in self.files or self.files[path].content != content
        self.files[path] = new
        self.dirs.add(os.path.dirname(path))
        if changed:
            self.writes.append(path)
        return changed

    # -- packages -------------------------------------------------------------------------------

    def installed_version(self, package: str) -> str | None:
        return self.packages.get(package)

    def add_source(self, origin: str) -> None:
        self.sources.append(origin)
        self.apt_updates += 1

    def install_packages(self, packages: list[str]) -> None:
        if not packages:
            return
        self.installs.append(list(packages))
        for package in packages:
            self.packages[package] = self.available_versions.get(
                package, self.packages.get(package, "1.0")
            )

    def purge_packages(self, packages: list[str]) -> None:
        if not packages:
            return
        self.purges.append(list(packages))
        for package in packages:
            self.packages.pop(package, None)

    # -- services, commands -----------------------------------------------------------------------

    def service_running(self, service: str) -> bool:
        return bool(self.services.get(service))

    def service_start(self, service: str) -> None:
        self._service_call("start", service)

    def service_stop(self, service: str) -> None:
        self.service_calls.append(("stop", service))
        self.services[service] = False

    def service_restart(self, service: str) -> None:
        self._service_call("restart", service)

    def services_started(self) -> set[str]:
        return {name for action, name in self.service_calls if action in ("start", "restart")}

    def restarted(self) -> list[str]:
        """Services restarted so far, in order (a convenience for assertions)."""
        return [name for action, name in self.service_calls if action == "restart"]

    def run(self, argv: list[str]) -> None:
        self.commands.append(list(argv))
        pending = self._failures.get(tuple(argv))
        if pending:
            output, returncode = pending.pop(0)
            raise CommandFailed(list(argv), returncode, output)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
