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

import grp
import json
import os
import pwd
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from reactive_openstack._host_resources import JujuResources
from reactive_openstack._host_services import JujuServiceStates
from reactive_openstack.workload_status import WorkloadState

#: kv keys under which JujuHost remembers what it last told Juju, so unchanged values are not
#: re-sent in every hook (each is a hook-tool call and a controller round trip).
STATUS_KV_KEY = "reactive_openstack.host.status"
VERSION_KV_KEY = "reactive_openstack.host.application-version"

_FLAG_PREFIX = "reactive.states."
_MISSING = object()


class CommandFailed(Exception):
    """A command (hook tool, apt, service, db sync ...) exited non-zero.

    Carries the argv and the combined output so callers can name the command in a status message
    and log the output, without having to know which subprocess API produced it.
    """

    def __init__(self, argv: list[str], returncode: int, output: str = "") -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.output = output
        super().__init__(f"command {' '.join(self.argv)!r} failed with exit code {returncode}")


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
    # (interface, address, prefixlen) of every address the machine holds (netaddrs.py)
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
    def remove_file(self, path: str) -> bool: ...  # False if absent (host_resources.py)
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
    def services_running(self, services: list[str]) -> set[str]: ...  # host_services.py
    def service_start(self, service: str) -> None: ...
    def service_stop(self, service: str) -> None: ...
    def service_restart(self, service: str) -> None: ...
    def services_started(self) -> set[str]: ...  # started or restarted by this hook process
    def run(self, argv: list[str]) -> None: ...
    def sleep(self, seconds: float) -> None: ...


# --------------------------------------------------------------------------------------------
# helpers shared by JujuHost (module-level functions, no state)


def cloud_archive_line(origin: str) -> str | None:
    """Translate ``cloud:<series>-<release>[/updates|/proposed]`` to an apt source line.

    Other origins (``distro``, a bare codename) need no extra source; a literal ``deb ...`` line is
    used as it is.
    """
    origin = origin.strip()
    if origin.startswith("deb "):
        return origin
    if not origin.startswith("cloud:"):
        return None
    spec = origin[len("cloud:") :]
    pocket = "updates"
    if "/" in spec:
        spec, _, pocket = spec.partition("/")
    series, _, release = spec.partition("-")
    if not series or not release:
        raise ValueError(f"malformed cloud archive origin {origin!r}")
    pocket = "proposed" if pocket == "proposed" else "updates"
    return f"deb http://ubuntu-cloud.archive.canonical.com/ubuntu {series}-{pocket}/{release} main"


def _hook_facts() -> Any | None:
    """The base layer's cross-hook fact cache when a reactive hook started it, else None.

    Inside a hook it keeps addresses until a hook in which they may change, and holds the
    hook's charm-helpers state; looked up by module name so the runtime needs no base layer
    (unit tests and the update-status fast path run without it).
    """
    module = sys.modules.get("charms.layer.charmsmith_hookfacts")
    return module if module is not None and module.active() is not None else None


class JujuHost(JujuResources, JujuServiceStates):
    """The real host: Juju hook tools via subprocess, apt, `service`, /proc and the unit kv.

    One instance lives for one hook process; all reads from hook tools are cached on it.
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

    def _call(self, argv: list[str], env: dict[str, str] | None = None) -> str:
        """Run a command, returning stdout; raise CommandFailed with its output otherwise."""
        try:
            proc = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                check=False,
            )
        except OSError as exc:
            # the shell's codes: 127 the program does not exist, 126 it cannot be executed
            code = 127 if isinstance(exc, FileNotFoundError) else 126
            raise CommandFailed(argv, code, str(exc)) from exc
        if proc.returncode != 0:
            raise CommandFailed(argv, proc.returncode, proc.stdout)
        return proc.stdout

    def _cached(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

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
        if _hook_facts() is not None:
            from charmhelpers.core import hookenv

            return self._cached("config", lambda: dict(hookenv.config()))
        return self._cached(
            "config", lambda: json.loads(self._call(["config-get", "--all", "--format=json"]))
        )

    def is_leader(self) -> bool:
        return self._cached(
            "is-leader", lambda: bool(json.loads(self._call(["is-leader", "--format=json"])))
        )

    def _leader_settings(self) -> dict[str, str]:
        return self._cached(
            "leader-get",
            lambda: json.loads(self._call(["leader-get", "--format=json"]) or "{}") or {},
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

    # -- network --------------------------------------------------------------------------------

    def unit_address(self) -> str:
        return self._cached(
            "unit-address", lambda: self._call(["unit-get", "private-address"]).strip()
        )

    def _network_get(self, binding: str) -> dict[str, Any] | None:
        facts = _hook_facts()

        def load() -> dict[str, Any] | None:
            try:
                if facts is not None:
                    return facts.network_info(binding)
                return json.loads(self._call(["network-get", binding, "--format=json"]))
            except (CommandFailed, subprocess.CalledProcessError, OSError, ValueError):
                return None

        return self._cached(f"network-get:{binding}", load)

    def _primary(self, binding: str) -> dict[str, Any] | None:
        data = self._network_get(binding)
        if not data:
            return None
        for info in data.get("bind-addresses") or []:
            for addr in info.get("addresses") or []:
                if addr.get("address") or addr.get("value"):
                    return addr
        ingress = data.get("ingress-addresses") or []
        return {"address": ingress[0]} if ingress else None

    def binding_address(self, binding: str) -> str | None:
        addr = self._primary(binding)
        if not addr:
            return None
        return addr.get("address") or addr.get("value")

    def binding_network(self, binding: str) -> str | None:
        addr = self._primary(binding)
        return addr.get("cidr") if addr else None

    def local_addresses(self) -> list[tuple[str, str, int]]:
        """Read from the kernel once per hook: which interface carries which network."""
        from reactive_openstack import _netaddrs as netaddrs

        return self._cached("local-addresses", netaddrs.local_addresses)

    # -- ports ----------------------------------------------------------------------------------

    def opened_ports(self) -> set[int]:
        def load() -> set[int]:
            raw = json.loads(self._call(["opened-ports", "--format=json"]) or "[]") or []
            ports: set[int] = set()
            for item in raw:
                number, _, proto = str(item).partition("/")
                if proto in ("", "tcp") and number.isdigit():
                    ports.add(int(number))
            return ports

        return self._cached("opened-ports", load)

    def open_port(self, port: int) -> None:
        ports = self.opened_ports()
        if port in ports:
            return
        self._call(["open-port", f"{port}/tcp"])
        ports.add(port)

    def close_port(self, port: int) -> None:
        ports = self.opened_ports()
        if port not in ports:
            return
        self._call(["close-port", f"{port}/tcp"])
        ports.discard(port)

    def listening_ports(self) -> set[int]:
        from reactive_openstack import _listeners as listeners

        return listeners.listening_ports()

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

    # -- files ----------------------------------------------------------------------------------

    def read_file(self, path: str) -> bytes | None:
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def mkdir(self, path: str, mode: int = 0o755, owner: str = "root", group: str = "root") -> None:
        if os.path.isdir(path):
            return
        parent = os.path.dirname(path.rstrip("/"))
        if parent and not os.path.isdir(parent):
            self.mkdir(parent, 0o755)
        os.mkdir(path, mode)
        os.chmod(path, mode)
        self._chown(path, owner, group)

    @staticmethod
    def _ids(owner: str, group: str) -> tuple[int, int]:
        return pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid

    def _chown(self, path: str, owner: str, group: str) -> None:
        uid, gid = self._ids(owner, group)
        st = os.stat(path)
        if (st.st_uid, st.st_gid) != (uid, gid):
            os.chown(path, uid, gid)

    def write_file(
        self,
        path: str,
        content: bytes,
        mode: int = 0o640,
        owner: str = "root",
        group: str = "root",
    ) -> bool:
        """Write atomically; only touch the file (or its metadata) when something differs.

        A reader (the service) sees either the old or the new file, never half a file.
        """
        uid, gid = self._ids(owner, group)
        if self.read_file(path) == content:
            st = os.stat(path)
            if st.st_mode & 0o7777 != mode:
                os.chmod(path, mode)
            if (st.st_uid, st.st_gid) != (uid, gid):
                os.chown(path, uid, gid)
            return False
        directory = os.path.dirname(os.path.abspath(path))
        self.mkdir(directory, 0o755)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-" + os.path.basename(path))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.chown(tmp, uid, gid)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return True

    # -- packages -------------------------------------------------------------------------------

    @staticmethod
    def _apt_env() -> dict[str, str]:
        env = dict(os.environ)
        env["DEBIAN_FRONTEND"] = "noninteractive"
        return env

    def installed_version(self, package: str) -> str | None:
        if package not in self._installed:
            try:
                out = self._call(["dpkg-query", "-W", "-f=${Status}\t${Version}", package])
            except CommandFailed:
                out = ""
            status, _, version = out.partition("\t")
            installed = status.endswith(" installed") and version.strip()
            self._installed[package] = version.strip() if installed else None
        return self._installed[package]

    def add_source(self, origin: str) -> None:
        line = cloud_archive_line(origin)
        if line is None:
            return
        if line.startswith("deb http://ubuntu-cloud.archive.canonical.com"):
            if self.installed_version("ubuntu-cloud-keyring") is None:
                self.install_packages(["ubuntu-cloud-keyring"])
        self.write_file("/etc/apt/sources.list.d/cloud-archive.list", (line + "\n").encode(), 0o644)
        self._call(["apt-get", "update", "-q"], env=self._apt_env())

    def install_packages(self, packages: list[str]) -> None:
        if not packages:
            return
        self._call(
            [
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "-o",
                "Dpkg::Options::=--force-confdef",
                "-o",
                "Dpkg::Options::=--force-confold",
                *packages,
            ],
            env=self._apt_env(),
        )
        for package in packages:
            self._installed.pop(package, None)

    def purge_packages(self, packages: list[str]) -> None:
        if not packages:
            return
        self._call(["apt-get", "purge", "-y", "-q", *packages], env=self._apt_env())
        for package in packages:
            self._installed.pop(package, None)

    # -- services, commands -----------------------------------------------------------------------

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

    def run(self, argv: list[str]) -> None:
        self._call(list(argv))

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
