"""The seam between the runtime and the machine it runs on.

Every effect the framework has on the world (hook tools, files, packages, services, ports, flags,
the unit's kv store) goes through one object implementing :class:`Host`: the rest of the runtime
is then testable with :class:`reactive_openstack.testing.FakeHost`, and the real side effects
sit in one place where their cost is controlled (hook-tool reads cached for the hook, unchanged
status writes skipped). Importing it imports nothing from charmhelpers or charms.reactive:
charmhelpers.core.host refuses non-Ubuntu systems, and update-status must not pay for them.
Details: docs/architecture.md, 'The Host seam'.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from reactive_openstack._hook_tools import CommandFailed, hook_facts
from reactive_openstack._host_network import JujuNetwork
from reactive_openstack._host_packages import JujuPackages, cloud_archive_line
from reactive_openstack._host_resources import JujuResources
from reactive_openstack._host_services import JujuServiceStates
from reactive_openstack.workload_status import WorkloadState

__all__ = ["CommandFailed", "Host", "JujuHost", "cloud_archive_line"]

#: kv keys under which JujuHost remembers what it last told Juju, so unchanged values are not
#: re-sent in every hook (each is a hook-tool call and a controller round trip).
STATUS_KV_KEY = "reactive_openstack.host.status"
VERSION_KV_KEY = "reactive_openstack.host.application-version"

_FLAG_PREFIX = "reactive.states."
_MISSING = object()


@runtime_checkable
class Host(Protocol):
    """Everything the runtime may do to the outside world.

    Relation data is deliberately absent: relations are the interface layers' Endpoint objects.
    """

    unit_name: str
    application_name: str
    charm_dir: str
    hook_name: str
    #: differs between hooks (Juju's JUJU_CONTEXT_ID); "" when unknown: memoise nothing then
    hook_id: str

    # config, leadership, status, log
    def config(self) -> dict[str, Any]: ...
    def is_leader(self) -> bool: ...
    def leader_get(self, key: str) -> str | None: ...
    def leader_set(self, values: dict[str, str]) -> None: ...
    def status_set(self, state: WorkloadState, message: str) -> None: ...
    def application_version_set(self, version: str) -> None: ...
    def log(self, message: str, level: str = "INFO") -> None: ...
    def atexit(self, callback: Callable[[], None]) -> None: ...

    # network
    def unit_address(self) -> str: ...
    def binding_address(self, binding: str) -> str | None: ...
    def binding_network(self, binding: str) -> str | None: ...
    # (interface, address, prefixlen) of every address the machine holds (_netaddrs.py)
    def local_addresses(self) -> list[tuple[str, str, int]]: ...

    # ports
    def opened_ports(self) -> set[int]: ...
    def open_port(self, port: int) -> None: ...
    def close_port(self, port: int) -> None: ...
    def listening_ports(self) -> set[int]: ...

    # relations: the interface layer's Endpoint object of a relation name, or None
    def endpoint(self, name: str) -> Any | None: ...

    # reactive flags and the unit's key/value store
    def is_flag_set(self, flag: str) -> bool: ...
    def set_flag(self, flag: str, value: Any = None) -> None: ...
    def clear_flag(self, flag: str) -> None: ...
    def get_flag_value(self, flag: str) -> Any: ...
    def kv_get(self, key: str, default: Any = None) -> Any: ...
    def kv_set(self, key: str, value: Any) -> None: ...
    def kv_unset(self, key: str) -> None: ...

    # files
    def read_file(self, path: str) -> bytes | None: ...
    def write_file(
        self,
        path: str,
        content: bytes,
        mode: int = 0o640,
        owner: str = "root",
        group: str = "root",
    ) -> bool: ...
    def exists(self, path: str) -> bool: ...
    def remove_file(self, path: str) -> bool: ...  # False if absent (_host_resources.py)
    def resource_get(self, name: str) -> str | None: ...  # the attached file's path, or None
    def mkdir(
        self, path: str, mode: int = 0o755, owner: str = "root", group: str = "root"
    ) -> None: ...

    # packages, services, commands
    def installed_version(self, package: str) -> str | None: ...
    def add_source(self, origin: str) -> None: ...
    def install_packages(self, packages: list[str]) -> None: ...
    def purge_packages(self, packages: list[str]) -> None: ...
    def service_running(self, service: str) -> bool: ...
    def services_running(self, services: list[str]) -> set[str]: ...  # _host_services.py
    def service_start(self, service: str) -> None: ...
    def service_stop(self, service: str) -> None: ...
    def service_restart(self, service: str) -> None: ...
    def services_started(self) -> set[str]: ...  # started or restarted by this hook process
    def run(self, argv: list[str]) -> None: ...
    def sleep(self, seconds: float) -> None: ...


class JujuHost(JujuNetwork, JujuPackages, JujuResources, JujuServiceStates):
    """The real host: Juju hook tools via subprocess, apt, `service`, /proc and the unit kv.

    One instance lives for one hook process; all reads from hook tools are cached on it. Files,
    packages, network and services are its mixins (``_host_*.py``); the rest is here.
    """

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.unit_name = env.get("JUJU_UNIT_NAME", "")
        self.application_name = self.unit_name.split("/")[0]
        self.charm_dir = env.get("CHARM_DIR") or env.get("JUJU_CHARM_DIR") or os.getcwd()
        self.hook_name = env.get("JUJU_HOOK_NAME", "")
        self.hook_id = env.get("JUJU_CONTEXT_ID", "")
        self._cache: dict[str, Any] = {}
        self._installed: dict[str, str | None] = {}
        self._started: set[str] = set()

    # -- plumbing -----------------------------------------------------------------------------

    def _kv(self) -> Any:
        from charmhelpers.core import unitdata

        return unitdata.kv()

    def flush(self) -> None:
        """Persist the unit kv; the charms.reactive main loop does this itself, the fast
        update-status path must call it."""
        self._kv().flush()

    # -- config, leadership, status, log --------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """charm-helpers' copy inside a reactive hook (one config-get per hook)."""
        if hook_facts() is not None:
            from charmhelpers.core import hookenv

            return self._cached("config", lambda: dict(hookenv.config()))
        return self._cached(
            "config",
            lambda: dict(json.loads(self._call(["config-get", "--all", "--format=json"]))),
        )

    def is_leader(self) -> bool:
        return self._cached(
            "is-leader", lambda: bool(json.loads(self._call(["is-leader", "--format=json"])))
        )

    def _leader_settings(self) -> dict[str, str]:
        return self._cached(
            "leader-get",
            lambda: dict(json.loads(self._call(["leader-get", "--format=json"]) or "{}") or {}),
        )

    def leader_get(self, key: str) -> str | None:
        value = self._leader_settings().get(key)
        return None if value is None else str(value)

    def leader_set(self, values: dict[str, str]) -> None:
        settings = self._leader_settings()
        changed = {k: v for k, v in values.items() if settings.get(k) != v}
        if not changed:
            return
        self._call(["leader-set"] + [f"{k}={'' if v is None else v}" for k, v in changed.items()])
        for key, value in changed.items():
            if value is None or value == "":
                settings.pop(key, None)
            else:
                settings[key] = value

    def status_set(self, state: WorkloadState, message: str) -> None:
        kv = self._kv()
        if kv.get(STATUS_KV_KEY) == [state, message]:
            return
        self._call(["status-set", state, message])
        kv.set(STATUS_KV_KEY, [state, message])

    def application_version_set(self, version: str) -> None:
        kv = self._kv()
        if kv.get(VERSION_KV_KEY) == version:
            return
        self._call(["application-version-set", version])
        kv.set(VERSION_KV_KEY, version)

    def log(self, message: str, level: str = "INFO") -> None:
        """Through charm-helpers when a reactive hook loaded it (its log is batched into one
        juju-log call per hook); directly otherwise (update-status never imports it)."""
        hookenv = sys.modules.get("charmhelpers.core.hookenv")
        if hookenv is not None:
            hookenv.log(message, level)
            return
        try:
            self._call(["juju-log", "-l", level, message])
        except CommandFailed:
            # Outside a hook (juju-log missing) logging must not break the caller.
            print(f"{level}: {message}", file=sys.stderr)

    def atexit(self, callback: Callable[[], None]) -> None:
        from charmhelpers.core import hookenv

        hookenv.atexit(callback)

    # -- endpoints ----------------------------------------------------------------------------

    def endpoint(self, name: str) -> Any | None:
        # charms.reactive instantiates every interface layer's Endpoint when its main loop
        # starts; outside that loop (the fast update-status path) there is none to return.
        # An endpoint the charm does not declare is None without asking charms.reactive, which
        # would log an ERROR line (one juju-log call) in every hook that looks for it.
        from charmhelpers.core import hookenv

        declared = hookenv.metadata()
        if not any(
            name in (declared.get(kind) or {}) for kind in ("requires", "provides", "peers")
        ):
            return None
        from charms.reactive import endpoint_from_name

        return endpoint_from_name(name)

    # -- flags and kv ---------------------------------------------------------------------------

    def is_flag_set(self, flag: str) -> bool:
        # Read the unit state directly: charms.reactive stores a set flag as a key (value may be
        # null), and reading it this way works on the fast path without importing the framework.
        return self._kv().get(_FLAG_PREFIX + flag, _MISSING) is not _MISSING

    def set_flag(self, flag: str, value: Any = None) -> None:
        from charms.reactive import flags

        flags.set_flag(flag, value)

    def clear_flag(self, flag: str) -> None:
        from charms.reactive import flags

        flags.clear_flag(flag)

    def get_flag_value(self, flag: str) -> Any:
        return self._kv().get(_FLAG_PREFIX + flag)

    def kv_get(self, key: str, default: Any = None) -> Any:
        return self._kv().get(key, default)

    def kv_set(self, key: str, value: Any) -> None:
        self._kv().set(key, value)

    def kv_unset(self, key: str) -> None:
        self._kv().unset(key)

    # -- commands -------------------------------------------------------------------------------

    def run(self, argv: list[str]) -> None:
        self._call(list(argv))

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
