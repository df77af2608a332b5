"""What the template sees: resolved answers plus the values derived from them.

Deriving names, origins and bundle targets here (not in Jinja) keeps the template declarative
and lets tests check the derivations directly. Python literals are produced by :func:`py`, an
explicit formatter that lays lists and dicts out the way ``ruff format`` would, so generated
code passes the generated charm's own format check and never depends on ``repr()``.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Any

from charmsmith.create import answers as answers_mod
from charmsmith.create import answers_file, defaults
from charmsmith.create import validation as v


@dataclass(frozen=True)
class BundleTarget:
    """Series, release and origin the generated zaza bundle (and config default) use."""

    series: str
    release: str
    origin: str

    @property
    def name(self) -> str:
        return f"{self.series}-{self.release}"

    @property
    def channel(self) -> str:
        """Charmhub track of the OpenStack charms for this release (``zed``, ``2023.1``...).

        Upstream charms named their tracks after the codename up to zed and after the
        version number from antelope (2023.1) on; ``edge`` is what their bundles test.
        """
        from reactive_openstack.releases import release_index, release_version

        if release_index(self.release) <= release_index("zed"):
            return f"{self.release}/edge"
        return f"{release_version(self.release)}/edge"

    @property
    def ceph_channel(self) -> str:
        """Charmhub track of ceph-mon and ceph-osd: the Ceph release the cloud archive pairs
        with this OpenStack release (quincy to antelope, reef for bobcat and caracal, then
        squid)."""
        from reactive_openstack.releases import release_index

        if release_index(self.release) <= release_index("antelope"):
            return "quincy/edge"
        if release_index(self.release) <= release_index("caracal"):
            return "reef/edge"
        return "squid/edge"


def bundle_target(release: str) -> BundleTarget:
    """Where a charm whose earliest release is ``release`` is deployed by default.

    Generated charms declare jammy and noble. A release that is a series' own (yoga on jammy,
    caracal on noble) installs from ``distro``; releases between come from the Ubuntu Cloud
    Archive of the older series; releases newer than noble's come from noble's cloud archive.
    Releases older than yoga cannot be installed on either series, so their charms default to
    jammy's distro (yoga) and the registry serves them with the earliest class.
    """
    from reactive_openstack.releases import SERIES_DEFAULTS, release_index

    jammy, noble = SERIES_DEFAULTS["jammy"], SERIES_DEFAULTS["noble"]
    index = release_index(release)
    if index <= release_index(jammy):
        return BundleTarget("jammy", jammy, "distro")
    if index < release_index(noble):
        return BundleTarget("jammy", release, f"cloud:jammy-{release}")
    if index == release_index(noble):
        return BundleTarget("noble", noble, "distro")
    return BundleTarget("noble", release, f"cloud:noble-{release}")


def series_targets(release: str) -> list[BundleTarget]:
    """One functional-test target per declared series that can run ``release`` or later.

    jammy reaches caracal through its cloud archive; noble starts at caracal. A charm whose
    earliest release is older than a series' own is tested there at the series' own release.
    """
    from reactive_openstack.releases import SERIES_DEFAULTS, release_index

    targets = []
    for series in v.SUPPORTED_SERIES:
        own = SERIES_DEFAULTS[series]
        if release_index(release) <= release_index(own):
            targets.append(BundleTarget(series, own, "distro"))
        elif series == "jammy" and release_index(release) <= release_index("caracal"):
            targets.append(BundleTarget(series, release, f"cloud:{series}-{release}"))
        elif series != "jammy":
            targets.append(BundleTarget(series, release, f"cloud:{series}-{release}"))
    return targets


def class_name(charm_name: str) -> str:
    """``my-svc`` -> ``MySvcCharm``."""
    return "".join(part[:1].upper() + part[1:] for part in charm_name.split("-")) + "Charm"


def build(ans: answers_mod.Answers, template_version: str) -> dict[str, Any]:
    """The namespace the template renders with (``{% set c = cookiecutter | charmsmith %}``)."""
    target = bundle_target(ans.release)
    services = [ans.api_service] + [s for s in ans.init_services if s != ans.api_service]
    ports = {"public": ans.port, "admin": ans.port, "internal": ans.port}
    return {
        "answers": ans,
        "name": ans.charm_name,
        "ident": ans.charm_ident,
        "class_name": class_name(ans.charm_name),
        "service_name": ans.service_name,
        "service_type": ans.service_type,
        "port": ans.port,
        "release": ans.release,
        "packages": list(ans.packages),
        "api_service": ans.api_service,
        "api_key": ans.api_service.replace("-", "_"),
        "services": services,
        "api_ports": {ans.api_service: ports},
        "config_files": [
            {"path": path, "basename": posixpath.basename(path)} for path in ans.config_files
        ],
        "restart_map": {path: services for path in ans.config_files},
        "sync_commands": [list(cmd) for cmd in ans.db_sync_commands],
        "release_package": ans.release_package,
        "package_codenames": dict(ans.package_codenames),
        "certificates": ans.certificates,
        "ceph_pools": [
            {"name": p.name, "replicas": p.replicas, "app_name": p.app_name} for p in ans.ceph_pools
        ],
        # glance keeps images in its first pool through glance_store's rbd driver
        "ceph_glance": bool(ans.ceph_pools) and ans.service_type == "image",
        "ceph_config": ans.config_files[0] if ans.ceph_pools else None,
        "codenames_known": defaults.codenames(ans.release_package, ans.release)[1],
        "group": ans.service_name,
        "maintainer": ans.maintainer,
        "summary": ans.summary,
        "description_lines": ans.description.split("\n"),
        "origin": target.origin,
        "bundle": target,
        "bundles": series_targets(ans.release),
        "series": list(v.SUPPORTED_SERIES),
        "template_version": template_version,
        "answers_yaml": answers_file.dump(ans, template_version),
    }


def py(value: Any, indent: int = 0, used: int = 0, width: int = 99) -> str:
    """A Python literal for ``value`` as ``ruff format`` lays it out.

    ``indent`` is the statement's indentation and ``used`` the characters already on the line
    before the literal. A collection stays on one line if it fits; otherwise one item per line
    with a trailing comma (ruff's "magic trailing comma" keeps that stable).
    """
    flat = _flat(value)
    if not isinstance(value, list | dict) or indent + used + len(flat) <= width or not value:
        return flat
    pad = " " * (indent + 4)
    lines = []
    if isinstance(value, list):
        for item in value:
            lines.append(pad + py(item, indent + 4, 0, width - 1) + ",")
        return "[\n" + "\n".join(lines) + "\n" + " " * indent + "]"
    for key, item in value.items():
        head = f"{_flat(key)}: "
        lines.append(pad + head + py(item, indent + 4, len(head), width - 1) + ",")
    return "{\n" + "\n".join(lines) + "\n" + " " * indent + "}"


def _flat(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flat(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(item)}" for k, item in value.items()) + "}"
    raise TypeError(f"no literal form for {type(value).__name__}")
