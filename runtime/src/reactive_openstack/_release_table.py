"""OpenStack releases as data: their order, versions, distro defaults, origins and packages.

Plain data and pure functions, shared by the runtime (which release a unit runs) and charmsmith
itself (which releases a charm may target); releases.py adds the per-charm class registry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

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
