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
import re
import sys
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from reactive_openstack.host import Host

#: Every OpenStack release in order with its version number.
RELEASES: tuple[tuple[str, str], ...] = (
    ("diablo", "2011.3"),
    ("essex", "2012.1"),
    ("folsom", "2012.2"),
    ("grizzly", "2013.1"),
    ("havana", "2013.2"),
    ("icehouse", "2014.1"),
    ("juno", "2014.2"),
    ("kilo", "2015.1"),
    ("liberty", "2015.2"),
    ("mitaka", "2016.1"),
    ("newton", "2016.2"),
    ("ocata", "2017.1"),
    ("pike", "2017.2"),
    ("queens", "2018.1"),
    ("rocky", "2018.2"),
    ("stein", "2019.1"),
    ("train", "2019.2"),
    ("ussuri", "2020.1"),
    ("victoria", "2020.2"),
    ("wallaby", "2021.1"),
    ("xena", "2021.2"),
    ("yoga", "2022.1"),
    ("zed", "2022.2"),
    ("antelope", "2023.1"),
    ("bobcat", "2023.2"),
    ("caracal", "2024.1"),
    ("dalmatian", "2024.2"),
    ("epoxy", "2025.1"),
    ("flamingo", "2025.2"),
)

CODENAMES: tuple[str, ...] = tuple(name for name, _ in RELEASES)
VERSIONS: dict[str, str] = dict(RELEASES)
CODENAME_BY_VERSION: dict[str, str] = {version: name for name, version in RELEASES}
_INDEX: dict[str, int] = {name: i for i, name in enumerate(CODENAMES)}

#: The OpenStack release each distribution series ships in its own archive ("distro" origin).
SERIES_DEFAULTS: dict[str, str] = {
    # Ubuntu
    "oneiric": "diablo",
    "precise": "essex",
    "quantal": "folsom",
    "raring": "grizzly",
    "saucy": "havana",
    "trusty": "icehouse",
    "utopic": "juno",
    "vivid": "kilo",
    "wily": "liberty",
    "xenial": "mitaka",
    "yakkety": "newton",
    "zesty": "ocata",
    "artful": "pike",
    "bionic": "queens",
    "cosmic": "rocky",
    "disco": "stein",
    "eoan": "train",
    "focal": "ussuri",
    "groovy": "victoria",
    "hirsute": "wallaby",
    "impish": "xena",
    "jammy": "yoga",
    "kinetic": "zed",
    "lunar": "antelope",
    "mantic": "bobcat",
    "noble": "caracal",
    "oracular": "dalmatian",
    "plucky": "epoxy",
    "questing": "flamingo",
    # Debian (the local model's units run on Debian hosts)
    "buster": "rocky",
    "bullseye": "victoria",
    "bookworm": "zed",
    "trixie": "epoxy",
}

KV_RELEASE_KEY = "reactive_openstack.release"


class UnknownRelease(ValueError):
    """A name that is not an OpenStack release codename (typo, or newer than this runtime)."""

    def __init__(self, release: str) -> None:
        self.release = release
        super().__init__(
            f"unknown OpenStack release {release!r}; known releases are "
            f"{CODENAMES[0]}..{CODENAMES[-1]}"
        )


class InvalidOrigin(ValueError):
    """``openstack-origin`` (or the machine's series) does not name a release we can use."""


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
# ordering


def release_index(release: str) -> int:
    """Position of ``release`` in the release order; raise UnknownRelease for other names."""
    try:
        return _INDEX[release]
    except KeyError:
        raise UnknownRelease(release) from None


def compare_releases(a: str, b: str) -> int:
    """-1, 0 or 1 as release ``a`` is older than, the same as, or newer than ``b``."""
    ia, ib = release_index(a), release_index(b)
    return (ia > ib) - (ia < ib)


def at_least(release: str, minimum: str) -> bool:
    """True if ``release`` is ``minimum`` or newer (e.g. feature gates in templates)."""
    return release_index(release) >= release_index(minimum)


def newer_than(release: str, other: str) -> bool:
    return release_index(release) > release_index(other)


def release_version(release: str) -> str:
    """The release's version number ("2023.1" for antelope)."""
    release_index(release)
    return VERSIONS[release]


# --------------------------------------------------------------------------------------------
# origins and series


def series_from_os_release(text: str) -> str | None:
    """The distribution series (``VERSION_CODENAME``/``UBUNTU_CODENAME``) from os-release text."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip("\"'")
    return values.get("UBUNTU_CODENAME") or values.get("VERSION_CODENAME") or None


def host_series(host: Host) -> str | None:
    """The series of the machine behind ``host`` (read through the seam, so tests can fake it)."""
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        content = host.read_file(path)
        if content:
            return series_from_os_release(content.decode(errors="replace"))
    return None


def series_default(series: str) -> str:
    """The release a series ships by default; ValueError names the unknown series."""
    try:
        return SERIES_DEFAULTS[series]
    except KeyError:
        raise InvalidOrigin(f"no default OpenStack release known for series {series!r}") from None


def parse_origin(origin: str, series: str | None = None) -> str:
    """The OpenStack release an ``openstack-origin`` value selects.

    Accepted forms: ``distro`` (the series' default; ``series`` must be given), ``cloud:<series>-
    <release>`` optionally followed by ``/updates`` or ``/proposed``, the older
    ``cloud:<series>-<pocket>/<release>``, a bare codename, or a version such as ``2023.1``.
    """
    value = origin.strip()
    if value in ("", "distro", "distro-proposed"):
        if not series:
            raise InvalidOrigin("openstack-origin 'distro' needs the machine's series to resolve")
        return series_default(series)
    if value.startswith("cloud:"):
        spec = value[len("cloud:") :]
        head, _, tail = spec.partition("/")
        _, _, after_series = head.partition("-")
        if tail and after_series in ("updates", "proposed", "staging"):
            candidate = tail
        else:
            candidate = after_series
        candidate = candidate.split("/")[0]
        if not candidate:
            raise InvalidOrigin(f"malformed openstack-origin {origin!r}")
        release_index(candidate)
        return candidate
    if value in _INDEX:
        return value
    if value in CODENAME_BY_VERSION:
        return CODENAME_BY_VERSION[value]
    raise InvalidOrigin(
        f"cannot tell the OpenStack release from openstack-origin {origin!r}; use 'distro', "
        "'cloud:<series>-<release>' or a release codename"
    )


# --------------------------------------------------------------------------------------------
# package versions -> codename


def upstream_version(debian_version: str) -> str:
    """Strip the epoch and Debian revision: ``2:15.0.0-0ubuntu1`` -> ``15.0.0``."""
    version = debian_version.strip()
    if ":" in version:
        version = version.split(":", 1)[1]
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    version = re.split(r"[~+]", version, maxsplit=1)[0]
    return version


def _numeric(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        match = re.match(r"\d+", piece)
        if not match:
            break
        parts.append(int(match.group()))
    return tuple(parts)


def codename_from_version(version: str, table: dict[str, str]) -> str | None:
    """Map a package version through a ``{version prefix: codename}`` table.

    The longest key that is a dotted prefix of the version wins, so ``{"17": "zed", "17.1":
    "antelope"}`` maps 17.0.3 to zed and 17.1.0 to antelope. When releases share a major and no
    key is a prefix (keys ``17.0`` and ``17.2``, version 17.1.5), the newest key with that major
    that is not newer than the version wins. Returns None when nothing matches.
    """
    if not version:
        return None
    plain = upstream_version(version)
    parts = plain.split(".")
    best: str | None = None
    for key in table:
        key_parts = key.split(".")
        if parts[: len(key_parts)] == key_parts and (
            best is None or len(key_parts) > len(best.split("."))
        ):
            best = key
    if best is not None:
        return table[best]
    have = _numeric(plain)
    if not have:
        return None
    candidates = [key for key in table if _numeric(key)[:1] == have[:1] and _numeric(key) <= have]
    if not candidates:
        return None
    return table[max(candidates, key=_numeric)]


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
        self._instance: Any = None

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
            return cached
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

    def instance(self) -> Any:
        """This hook's charm instance (created on first use; UnsupportedRelease propagates)."""
        if self._instance is None:
            host = self.host
            release = self.release_for(host)
            cls = self.select(release)
            self._instance = cls(release=release, host=host, registry=self)
        return self._instance

    def reset_instance(self) -> None:
        """Drop the cached instance (after an upgrade changed the release)."""
        self._instance = None

    def set_instance(self, instance: Any) -> None:
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
