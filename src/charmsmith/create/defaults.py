"""The default of each question, derived from the answers resolved before it.

Most follow from the charm name; ports and version tables of known services come from
:mod:`charmsmith.openstack_services`. Each function takes the answers so far (in the
questions' resolve order) and returns a raw value that goes through the question's rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from charmsmith import keystone_services, openstack_services
from charmsmith.create import validation as v
from charmsmith.errors import CharmsmithError

Got = Mapping[str, Any]

DEFAULT_RELEASE = "caracal"
DEFAULT_PORT = 8700
PLACEHOLDER_MAINTAINER = "Charm Maintainer <maintainer@example.com>"


def port(got: Got) -> int:
    return openstack_services.proposed_port(got["charm_name"]) or DEFAULT_PORT


def service_name(got: Got) -> str:
    return got["charm_name"]


def service_type(got: Got) -> str:
    return keystone_services.catalog_type(got["service_name"]) or got["service_name"]


def api_service(got: Got) -> str:
    return f"{got['charm_name']}-api"


def release(got: Got) -> str:
    return DEFAULT_RELEASE


def db_sync_commands(got: Got) -> list[list[str]]:
    return [[f"{got['charm_name']}-manage", "db", "sync"]]


def packages(got: Got) -> list[str]:
    """The API service when it is a package name too, and ``<name>-common``."""
    first = got["api_service"]
    found = [first] if _is_package(first) else []
    common = f"{got['charm_name']}-common"
    return found if common in found else [*found, common]


def config_files(got: Got) -> list[str]:
    name = got["charm_name"]
    return [f"/etc/{name}/{name}.conf"]


def init_services(got: Got) -> list[str]:
    return [got["api_service"]]


def release_package(got: Got) -> str:
    common = f"{got['charm_name']}-common"
    return common if common in got["packages"] else got["packages"][0]


def package_codenames(got: Got) -> list[tuple[str, str]]:
    return codenames(got["release_package"], got["release"])[0]


def maintainer(got: Got) -> str:
    """Debian's DEBFULLNAME/DEBEMAIL when set (packagers have them), else a placeholder."""
    name = os.environ.get("DEBFULLNAME", "").strip()
    email = os.environ.get("DEBEMAIL", "").strip()
    if name and email:
        try:
            return v.maintainer(f"{name} <{email}>")
        except CharmsmithError:
            pass
    return PLACEHOLDER_MAINTAINER


def summary(got: Got) -> str:
    return f"OpenStack {got['service_name']} ({got['service_type']}) API service"


def description(got: Got) -> str:
    return (
        f"Deploys and operates the OpenStack {got['service_name']} API service "
        f"({got['service_type']}),\nregistered in keystone, backed by MySQL and RabbitMQ, "
        "with optional HA."
    )


def release_project(package: str) -> str:
    """``glance-common`` -> ``glance``: the upstream project a release package belongs to."""
    name = re.sub(r"^python3?-", "", package)
    return re.sub(r"-(common|api|server|manage|core)$", "", name)


def codenames(release_package: str, earliest: str) -> tuple[list[tuple[str, str]], bool]:
    """The version table for ``release_package`` from ``earliest`` on; second item: known?

    Known projects get their real majors. For others we assume major 1 at the earliest
    release and one bump per release: wrong for most projects, but it makes the earliest
    release map, and the generated module says to check it.
    """
    releases = v.known_releases()
    start = releases.index(earliest)
    known = openstack_services.majors(release_project(release_package))
    if known:
        first_i = releases.index(known.first_release)
        last_i = releases.index(known.last_release) if known.last_release else len(releases) - 1
        table = [
            (str(known.first_major + i - first_i), releases[i])
            for i in range(max(start, first_i), last_i + 1)
        ]
        if table:
            return table, True
    return [(str(1 + i), name) for i, name in enumerate(releases[start:])], False


def _is_package(name: str) -> bool:
    try:
        v.package(name)
    except CharmsmithError:
        return False
    return True
