"""Which of several services run, asked in one command, on the Host seam (status checks).

Why: the status check asks about every service of the charm (API, memcached, haproxy ...) in
every hook. ``service X status`` is one process per service and, on systemd, reads the unit's
journal too; ``systemctl is-active A B C`` answers for all of them at once, one line per unit
in the order given (systemctl(1)), "active" or "reloading" for a running one. Kept out of
host.py and testing.py (both past their size budget) as one mixin per host.
"""

from __future__ import annotations

from typing import Any

from reactive_openstack._hook_tools import CommandFailed, HookToolCaller

#: is-active answers for a unit that runs (systemctl counts a reloading unit as active).
RUNNING_STATES = frozenset({"active", "reloading"})
#: Every ActiveState systemd reports (systemd.unit(5)); any other line is not an answer.
ACTIVE_STATES = RUNNING_STATES | {
    "inactive",
    "failed",
    "activating",
    "deactivating",
    "maintenance",
    "refreshing",
}


class JujuServiceStates(HookToolCaller):
    """Mixed into JujuHost (which creates ``_started``): start, stop, restart and ask."""

    _started: set[str]

    def service_running(self, service: str) -> bool:
        try:
            self._call(["service", service, "status"])
        except CommandFailed:
            return False
        return True

    def service_start(self, service: str) -> None:
        self._call(["service", service, "start"])
        self._started.add(service)

    def service_stop(self, service: str) -> None:
        self._call(["service", service, "stop"])

    def service_restart(self, service: str) -> None:
        self._call(["service", service, "restart"])
        self._started.add(service)

    def services_started(self) -> set[str]:
        return set(self._started)

    def services_running(self, services: list[str]) -> set[str]:
        """The services of ``services`` that run. Without systemctl, or when its answer is not
        one state line per service (no systemd as init), each is asked with ``service X
        status``."""
        if not services:
            return set()
        try:
            out = self._call(["systemctl", "is-active", *services])
        except CommandFailed as failed:
            # non-zero when none of them is active; 127/126: no systemctl on this machine
            out = "" if failed.returncode in (126, 127) else failed.output
        states = [line.strip() for line in out.splitlines()]
        if len(states) != len(services) or not ACTIVE_STATES.issuperset(states):
            return {s for s in services if self.service_running(s)}
        return {s for s, state in zip(services, states, strict=True) if state in RUNNING_STATES}


class FakeServiceStates:
    """Mixed into FakeHost: answers from ``host.services``; each question is kept in
    ``host.service_queries`` (``service_calls`` holds only what changes a service)."""

    def services_running(self, services: list[str]) -> set[str]:
        host: Any = self
        host.__dict__.setdefault("service_queries", []).append(list(services))
        return {s for s in services if host.services.get(s)}
