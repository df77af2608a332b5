"""What installing a package leaves on an emulated unit besides its dpkg record.

Why: charms rely on the files and users that Ubuntu's packages (their contents and maintainer
scripts) create, not on the package database alone. Each effect names the package behaviour it
follows (dpkg's unpack, postinst's `adduser --system`, `a2ensite`, the Ubuntu Cloud Archive's
openstack-release) and is written through the unit's live view (model/unitview.py), so the
hook that ran apt sees it at once.

Details: docs/model.md, 'The emulated shim'.
"""

from __future__ import annotations

import os
from collections.abc import Collection

from charmsmith.model import hostpkgs
from charmsmith.model import units as unitfs
from charmsmith.model.archive import DAEMON_SUFFIXES, WSGI_SITES
from charmsmith.model.unitview import UnitView

STAND_IN_COMMANDS = ("{}-manage", "{}-db-manage", "{}-dbsync")
USER_PACKAGES = ("haproxy", "memcached", "keystone")
FIRST_SYSTEM_ID, LAST_SYSTEM_ID = 120, 999  # adduser --system's range here (FIRST/LAST_SYSTEM_UID)

WSGI_SITE = """Listen {port}
<VirtualHost *:{port}>
    WSGIDaemonProcess {site} processes=2 threads=10 user={user} group={user} display-name=%{{GROUP}}
    WSGIProcessGroup {site}
    WSGIScriptAlias / /usr/bin/{site}
    WSGIApplicationGroup %{{GLOBAL}}
    WSGIPassAuthorization On
    ErrorLog /var/log/apache2/{site}_error.log
    CustomLog /var/log/apache2/{site}_access.log combined
</VirtualHost>
"""


def configure(view: UnitView, pkg: str, release: str, installed: Collection[str]) -> None:
    """Everything installing `pkg` leaves in the unit (its dependencies are configured apart)."""
    hostpkgs.unpack(view, pkg, installed)
    prefix, _, suffix = pkg.partition("-")
    if suffix == "common" or suffix in DAEMON_SUFFIXES:
        for pattern in STAND_IN_COMMANDS:
            link = view.path(f"/usr/local/bin/{pattern.format(prefix)}")
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.is_symlink() and not link.exists():
                os.symlink(f"{unitfs.TOOLS_BIN}/apt-get", link)
    if pkg.endswith("-common") or pkg in USER_PACKAGES:
        add_system_user(view, pkg[: -len("-common")] if pkg.endswith("-common") else pkg)
    if pkg == "openstack-release":
        view.write_text("/etc/openstack-release", f"OPENSTACK_CODENAME={release}\n")
    if pkg in WSGI_SITES:
        _enable_site(view, pkg, *WSGI_SITES[pkg])


def add_system_user(view: UnitView, user: str) -> None:
    """`adduser --system --group --home /var/lib/<user> <user>`, plus the package's dirs."""
    passwd = view.read_text("/etc/passwd").splitlines()
    group = view.read_text("/etc/group").splitlines()
    if any(line.split(":")[0] == user for line in passwd):
        return
    used = {int(f.split(":")[2]) for f in passwd if f.count(":") >= 3}
    used |= {int(f.split(":")[2]) for f in group if f.count(":") >= 2}
    uid = next(n for n in range(FIRST_SYSTEM_ID, LAST_SYSTEM_ID + 1) if n not in used)
    with view.writable("/etc/passwd").open("a") as fh:
        fh.write(f"{user}:x:{uid}:{uid}::/var/lib/{user}:/usr/sbin/nologin\n")
    with view.writable("/etc/group").open("a") as fh:
        fh.write(f"{user}:x:{uid}:\n")
    for directory in (f"/etc/{user}", f"/var/lib/{user}", f"/var/log/{user}"):
        view.makedirs(directory, owner=uid)


def _enable_site(view: UnitView, pkg: str, site: str, port: int) -> None:
    user = pkg.partition("-")[0]
    view.write_text(
        f"/etc/apache2/sites-available/{site}.conf",
        WSGI_SITE.format(port=port, site=site, user=user),
    )
    # what `a2ensite -m` (maintainer mode) leaves: the link and its state marker
    link = view.path(f"/etc/apache2/sites-enabled/{site}.conf")
    if not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(f"../sites-available/{site}.conf", link)
    view.makedirs("/var/lib/apache2/site/enabled_by_maint")
    view.write_text(f"/var/lib/apache2/site/enabled_by_maint/{site}", "")
