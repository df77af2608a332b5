"""The machine half of FakeHost: files, packages, services and commands, all in memory.

Kept apart from the hook-tool half (fake_host.py) so each stays small; FakeHost combines the
two. Every effect is recorded in call order for assertions (``writes``, ``installs``,
``service_calls``, ``commands`` ...); ``fail_command`` and ``fail_service`` script failures.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from reactive_openstack.host import CommandFailed


@dataclass
class FileRecord:
    """A file as FakeHost stores it: content and the metadata a real write would set."""

    content: bytes
    mode: int = 0o640
    owner: str = "root"
    group: str = "root"


class FakeMachine:
    """Files, directories, packages, services and commands of a fake unit's machine."""

    files: dict[str, FileRecord]
    dirs: set[str]
    writes: list[str]
    packages: dict[str, str]
    available_versions: dict[str, str]
    installs: list[list[str]]
    purges: list[list[str]]
    sources: list[str]
    apt_updates: int
    services: dict[str, bool]
    service_calls: list[tuple[str, str]]
    commands: list[list[str]]
    sleeps: list[float]

    def _init_machine(
        self,
        files: dict[str, bytes] | None,
        packages: dict[str, str] | None,
        available_versions: dict[str, str] | None,
        services: dict[str, bool] | None,
    ) -> None:
        self.files = {path: FileRecord(content) for path, content in (files or {}).items()}
        self.dirs = set()
        self.packages = dict(packages or {})
        self.available_versions = dict(available_versions or {})
        self.services = dict(services or {})
        self._failures: dict[tuple[str, ...], list[Any]] = {}
        self._service_failures: dict[tuple[str, str], int] = {}
        self._reset_machine_records()

    def _reset_machine_records(self) -> None:
        self.writes = []
        self.installs = []
        self.purges = []
        self.sources = []
        self.apt_updates = 0
        self.service_calls = []
        self.commands = []
        self.sleeps = []

    # -- scripting failures ---------------------------------------------------------------------

    def fail_command(
        self, argv: list[str], times: int = 1, output: str = "boom", returncode: int = 1
    ) -> None:
        """Make :meth:`run` with exactly ``argv`` fail the next ``times`` calls."""
        self._failures.setdefault(tuple(argv), []).extend([(output, returncode)] * times)

    def fail_service(self, service: str, verb: str = "restart", times: int = 1) -> None:
        """Make the next ``times`` ``verb`` (start/restart) calls of ``service`` fail."""
        key = (verb, service)
        self._service_failures[key] = self._service_failures.get(key, 0) + times

    # -- files ----------------------------------------------------------------------------------

    def file_text(self, path: str) -> str:
        """The content of a written file as text (KeyError if it was never written)."""
        return self.files[path].content.decode()

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

    # -- services, commands ---------------------------------------------------------------------

    def _service_call(self, verb: str, service: str) -> None:
        self.service_calls.append((verb, service))
        key = (verb, service)
        if self._service_failures.get(key):
            self._service_failures[key] -= 1
            self.services[service] = False
            self.service_calls[-1] = (f"{verb}-failed", service)
            raise CommandFailed(["service", service, verb], 1, f"{service} failed to {verb}")
        self.services[service] = True

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
