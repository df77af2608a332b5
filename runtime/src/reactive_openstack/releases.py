"""OpenStack releases: their order, versions, distro defaults, and the per-charm class registry.

A charm serves several OpenStack releases with one subclass per release where behaviour changes.
Which class runs is decided per hook from the unit's release (cached, else ``openstack-origin``,
else the installed package version). Everything here is plain data and pure functions, plus the
:class:`ReleaseRegistry` that each charm module creates for itself: there is no module-global
registry, so two charms (or two tests) never see each other's classes.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, TypeVar

from reactive_openstack._release_table import (
    CODENAME_BY_VERSION,
    CODENAMES,
    RELEASES,
    SERIES_DEFAULTS,
    VERSIONS,
    InvalidOrigin,
    UnknownRelease,
    at_least,
    codename_from_version,
    compare_releases,
    host_series,
    newer_than,
    parse_origin,
    release_index,
    release_version,
    series_default,
    series_from_os_release,
    upstream_version,
)

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm
    from reactive_openstack.host import Host

__all__ = [
    "CODENAMES",
    "CODENAME_BY_VERSION",
    "KV_RELEASE_KEY",
    "RELEASES",
    "RELEASE_ERRORS",
    "SERIES_DEFAULTS",
    "VERSIONS",
    "InvalidOrigin",
    "ReleaseRegistry",
    "UnknownRelease",
    "UnsupportedRelease",
    "at_least",
    "codename_from_version",
    "compare_releases",
    "discover_registry",
    "host_series",
    "newer_than",
    "parse_origin",
    "release_index",
    "release_version",
    "series_default",
    "series_from_os_release",
    "upstream_version",
]

KV_RELEASE_KEY = "reactive_openstack.release"


class UnsupportedRelease(Exception):
    """The unit's release is older than every class the charm registered.

    Its message names both releases because it becomes the unit's blocked status.
    """

    def __init__(self, release: str, earliest: str) -> None:
        self.release = release
        self.earliest = earliest
        super().__init__(
            f"OpenStack release {release} is not supported by this charm "
            f"(earliest supported: {earliest})"
        )


# --------------------------------------------------------------------------------------------
# the registry

C = TypeVar("C", bound=type)


class ReleaseRegistry:
    """The charm classes of one charm, keyed by the earliest release each serves.

    Also holds the per-hook state that belongs to "this charm in this process": the host seam
    (``registry.host``, a JujuHost unless a test sets a FakeHost) and the cached instance. Tests
    create a fresh registry (or set a fresh host) and need no global reset.
    """

    def __init__(self) -> None:
        self._classes: dict[str, type] = {}
        self._host: Host | None = None
        self._instance: Charm | None = None

    # -- registration and selection ---------------------------------------------------------------

    def register(self, cls: C) -> C:
        """Class decorator: register ``cls`` for ``cls.release`` and newer releases."""
        release = getattr(cls, "release", None)
        if not isinstance(release, str):
            raise ValueError(f"{cls.__name__} must set a 'release' codename to be registered")
        release_index(release)
        if release in self._classes:
            raise ValueError(
                f"{cls.__name__} and {self._classes[release].__name__} both register release "
                f"{release!r}"
            )
        self._classes[release] = cls
        return cls

    @property
    def releases(self) -> list[str]:
        """Registered releases, oldest first."""
        return sorted(self._classes, key=release_index)

    @property
    def classes(self) -> list[type]:
        return [self._classes[r] for r in self.releases]

    @property
    def earliest(self) -> str:
        if not self._classes:
            raise LookupError("no charm class is registered")
        return self.releases[0]

    def select(self, release: str) -> type:
        """The newest registered class whose release is at or below ``release``."""
        wanted = release_index(release)
        chosen: type | None = None
        for name in self.releases:
            if release_index(name) <= wanted:
                chosen = self._classes[name]
        if chosen is None:
            raise UnsupportedRelease(release, self.earliest)
        return chosen

    def newest(self) -> type:
        if not self._classes:
            raise LookupError("no charm class is registered")
        return self._classes[self.releases[-1]]

    # -- per-process state --------------------------------------------------------------------

    @property
    def host(self) -> Host:
        if self._host is None:
            from reactive_openstack.host import JujuHost

            self._host = JujuHost()
        return self._host

    @host.setter
    def host(self, value: Host) -> None:
        self._host = value
        self._instance = None

    def release_for(self, host: Host | None = None) -> str:
        """The unit's release: cached kv value, else openstack-origin, else the installed package.

        A supported answer is cached in the unit kv so every later hook agrees with this one
        (upgrades update it explicitly).
        """
        host = host or self.host
        cached = host.kv_get(KV_RELEASE_KEY)
        if cached:
            return str(cached)
        release = self._detect_release(host)
        if release_index(release) >= release_index(self.earliest):
            host.kv_set(KV_RELEASE_KEY, release)
        return release

    def _detect_release(self, host: Host) -> str:
        config = host.config()
        origin = config.get("openstack-origin")
        if origin:
            return parse_origin(origin, host_series(host) if origin.startswith("distro") else None)
        cls = self.newest()
        package = getattr(cls, "release_package", None)
        if package:
            version = host.installed_version(package)
            codename = codename_from_version(version or "", getattr(cls, "package_codenames", {}))
            if codename:
                return codename
        series = host_series(host)
        if series and series in SERIES_DEFAULTS:
            return SERIES_DEFAULTS[series]
        return self.releases[-1]

    def instance(self) -> Charm:
        """This hook's charm instance (created on first use; UnsupportedRelease propagates)."""
        if self._instance is None:
            host = self.host
            release = self.release_for(host)
            cls = self.select(release)
            created: Charm = cls(release=release, host=host, registry=self)
            self._instance = created
        return self._instance

    def reset_instance(self) -> None:
        """Drop the cached instance (a test simulating the next hook's new process)."""
        self._instance = None

    def set_instance(self, instance: Charm) -> None:
        """Hand out ``instance`` from now on (an upgrade's successor: OpenStackCharm.successor)."""
        self._instance = instance


def discover_registry(charm_dir: str) -> ReleaseRegistry:
    """Import ``<charm_dir>/lib/charm/openstack/*.py`` and return the one registry they define.

    The modules are imported as ``charm.openstack.<name>`` (the name handlers use), so the
    registry found here is the same object the handlers decorate with.
    """
    lib = os.path.join(charm_dir, "lib")
    package_dir = os.path.join(lib, "charm", "openstack")
    if not os.path.isdir(package_dir):
        raise LookupError(f"no charm class directory {package_dir}")
    if lib not in sys.path:
        sys.path.insert(0, lib)
    found: dict[int, ReleaseRegistry] = {}
    where: dict[int, list[str]] = {}
    for filename in sorted(os.listdir(package_dir)):
        if not filename.endswith(".py") or filename.startswith("_"):
            continue
        module_name = f"charm.openstack.{filename[:-3]}"
        module = importlib.import_module(module_name)
        for attr, value in vars(module).items():
            if isinstance(value, ReleaseRegistry):
                found[id(value)] = value
                where.setdefault(id(value), []).append(f"{module_name}.{attr}")
    if not found:
        raise LookupError(f"no ReleaseRegistry defined in {package_dir}/*.py")
    if len(found) > 1:
        names = ", ".join(sorted(n for names in where.values() for n in names[:1]))
        raise LookupError(f"several ReleaseRegistry objects found ({names}); a charm needs one")
    return next(iter(found.values()))


#: What can go wrong while choosing the unit's release; the instance provider turns these into a
#: blocked status instead of a hook error.
RELEASE_ERRORS: tuple[type[Exception], ...] = (UnsupportedRelease, UnknownRelease, InvalidOrigin)
