"""The fake Ubuntu archive of emulated units: which version of a package apt would install.

Why one table per release: charms read the release back from what apt installed (charmhelpers'
`get_os_codename_package` from a package version, `get_installed_os_version` from
/etc/openstack-release), so every package of one unit must come from the same release, as it
does on a real unit where the sources decide. The release follows the unit's apt sources as
charmhelpers' `add_source` and our runtime write them (a `<series>-updates/<codename>` pocket of
the Ubuntu Cloud Archive in /etc/apt/sources.list.d/), else the series' own release (jammy:
yoga). Cloud-archive versions carry `~cloud0`, as the UCA's do. `deploy --archive PKG=VERSION`
pins a version for the whole model.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reactive_openstack.releases import CODENAMES, SERIES_DEFAULTS, VERSIONS

from charmsmith.model.hostpkgs import depends as host_depends
from charmsmith.model.hostpkgs import host_version, is_host_package

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView
    from charmsmith.model.unitview import UnitView

SERIES = "jammy"  # what units report in /etc/os-release (model/units.py)
SOURCES_DIR = "/etc/apt/sources.list.d"
UCA = "http://ubuntu-cloud.archive.canonical.com/ubuntu"
POCKET = re.compile(re.escape(UCA) + r"\s+[a-z]+-(?:updates|proposed)/([a-z]+)")

# project -> (Debian epoch, upstream major version in yoga); one major version a release since
PROJECTS: dict[str, tuple[str, int]] = {
    "aodh": ("", 14),
    "barbican": ("1:", 14),
    "cinder": ("2:", 20),
    "designate": ("1:", 14),
    "glance": ("2:", 24),
    "heat": ("1:", 18),
    "keystone": ("2:", 21),
    "neutron": ("2:", 20),
    "nova": ("3:", 25),
    "placement": ("1:", 7),
    "sample": ("", 25),  # tests/fixtures/sample-api's made-up service (its codenames: 25 yoga)
}
# jammy's own versions of the infrastructure packages (their files are the host's: hostpkgs.py)
JAMMY_VERSIONS = {
    "haproxy": "2.4.24-0ubuntu0.22.04.1",
    "apache2": "2.4.52-1ubuntu4.12",
    "apache2-bin": "2.4.52-1ubuntu4.12",
    "apache2-data": "2.4.52-1ubuntu4.12",
    "apache2-utils": "2.4.52-1ubuntu4.12",
    "libapache2-mod-wsgi-py3": "4.9.0-1ubuntu0.1",
    "memcached": "1.6.14-1ubuntu0.1",
    "python3-memcache": "1.59-6",
    "virtualenv": "20.13.0+ds-2",
    "python3-virtualenv": "20.13.0+ds-2",
    "netcat": "1.218-4ubuntu1",
    "netcat-openbsd": "1.218-4ubuntu1",
    "ubuntu-cloud-keyring": "2021.03.26",
    "build-essential": "12.9ubuntu3",
    "gcc": "4:11.2.0-1ubuntu1",
    "g++": "4:11.2.0-1ubuntu1",
    "cpp": "4:11.2.0-1ubuntu1",
    "make": "4.3-4.1build1",
    "libc6-dev": "2.35-0ubuntu3.8",
    "python3-dev": "3.10.6-1~22.04.1",
    "libpython3-dev": "3.10.6-1~22.04.1",
}
DEFAULT_VERSION = "1.0.0-0ubuntu1"  # a project this table does not know
DEPENDENCIES: dict[str, list[str]] = {
    "glance-common": ["python3-glance"],
    "keystone": ["keystone-common", "apache2", "libapache2-mod-wsgi-py3"],
    "apache2": ["apache2-bin", "apache2-data", "apache2-utils"],
    "virtualenv": ["python3-virtualenv"],
    "netcat": ["netcat-openbsd"],  # jammy's transitional package
}
# API packages Ubuntu runs under apache2's mod_wsgi: each ships a site and enables it (postinst
# a2ensite), e.g. aodh-api's /etc/apache2/sites-available/aodh-api.conf. package -> (site, port)
WSGI_SITES: dict[str, tuple[str, int]] = {
    "aodh-api": ("aodh-api", 8042),
    "cinder-api": ("cinder-wsgi", 8776),
    "gnocchi-api": ("gnocchi-api", 8041),
    "keystone": ("keystone", 5000),
    "octavia-api": ("octavia-api", 9876),
    "panko-api": ("panko-api", 8977),
    "placement-api": ("placement-api", 8778),
}
DAEMON_SUFFIXES = (
    "api",
    "server",
    "scheduler",
    "engine",
    "worker",
    "agent",
    "listener",
    "notifier",
    "evaluator",
    "expirer",
    "conductor",
    "manage",
    "wsgi",
)


def unit_release(view: UnitView) -> str:
    """The OpenStack release the unit's apt sources give (the last cloud-archive pocket wins)."""
    found = None
    for name in view.list_dir(SOURCES_DIR):
        if name.endswith(".list"):
            for match in POCKET.finditer(view.read_text(f"{SOURCES_DIR}/{name}")):
                found = match.group(1)
    return found if found in CODENAMES else SERIES_DEFAULTS[SERIES]


def project_of(pkg: str) -> str | None:
    if pkg in PROJECTS:
        return pkg
    prefix, _, suffix = pkg.partition("-")
    if pkg.startswith("python3-"):
        prefix = pkg[len("python3-") :]
        return prefix if prefix in PROJECTS else None
    ours = prefix in PROJECTS and (suffix == "common" or suffix in DAEMON_SUFFIXES)
    return prefix if ours else None


def version_of(model: ModelView, pkg: str, release: str) -> str:
    pinned = model.state.archive.get(pkg)
    if pinned:
        return pinned
    cloud = release != SERIES_DEFAULTS[SERIES]
    suffix = "~cloud0" if cloud else ""
    if pkg == "openstack-release":
        return f"{VERSIONS[release]}-0ubuntu1{suffix}"
    project = project_of(pkg)
    if project is not None:
        epoch, yoga_major = PROJECTS[project]
        major = yoga_major + CODENAMES.index(release) - CODENAMES.index("yoga")
        return f"{epoch}{major}.0.0-0ubuntu1{suffix}"
    if pkg in JAMMY_VERSIONS:
        return JAMMY_VERSIONS[pkg]
    return host_version(pkg) or DEFAULT_VERSION  # gcc-12: a name jammy lacks, the host's


def dependencies(pkg: str) -> list[str]:
    """Modelled Depends: as the Ubuntu packages declare them (the parts charms rely on)."""
    if pkg in DEPENDENCIES:
        return DEPENDENCIES[pkg]
    if is_host_package(pkg):
        return host_depends(pkg)  # the host's Debian package: its own Depends
    prefix, _, suffix = pkg.partition("-")
    deps = []
    if suffix in DAEMON_SUFFIXES:
        deps.append(f"{prefix}-common")
    if pkg in WSGI_SITES:
        deps += ["apache2", "libapache2-mod-wsgi-py3"]
    return deps
