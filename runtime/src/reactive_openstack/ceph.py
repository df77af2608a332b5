"""Ceph storage over the ``ceph`` relation (interface ceph-client): pools, ceph.conf, keyring.

A charm class that declares ``ceph_pools`` asks ceph-mon's broker for them as the relation
joins; once the mons answer with a key and their addresses its units get ``/etc/ceph/ceph.conf``
and the client keyring (0640 root:<service group>: the service reads it, nobody else). The files
are written from complete data only and removed when the relation goes; a change restarts only
``ceph_services``, once; the key is never logged; the status names the pools not yet granted
and the broker's reason when it refused. Details: docs/ceph.md, 'On the unit' and 'Statuses'.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from reactive_openstack.workload_status import Status

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

__all__ = [
    "CONF_PATH",
    "CephClientData",
    "CephPool",
    "add_services",
    "check",
    "configure",
    "keyring_path",
    "request_pools",
]

ENDPOINT = "ceph"
CEPH_DIR = "/etc/ceph"
CONF_PATH = "/etc/ceph/ceph.conf"
CONNECTED, AVAILABLE, POOLS_AVAILABLE = "ceph.connected", "ceph.available", "ceph.pools.available"
#: Packages a Ceph client of an OpenStack service needs (the rbd tools and Python bindings).
DEFAULT_PACKAGES = ("ceph-common", "python3-rados", "python3-rbd")
#: kv: what the files were written from (digest) and which paths we wrote.
FILES_KEY = "reactive_openstack.ceph-files"
#: kv: the broker's refusal of our current request, so update-status can still name it.
REFUSAL_KEY = "reactive_openstack.ceph-refusal"
#: Templates (the charm's templates/ first, then the runtime's) of the two files.
CONF_TEMPLATE, KEYRING_TEMPLATE = "ceph.conf", "ceph.keyring"


@dataclass(frozen=True)
class CephPool:
    """One pool the charm asks the broker for (a replicated pool tagged with ``app_name``)."""

    name: str
    replicas: int = 3
    app_name: str = "rbd"


@dataclass(frozen=True)
class CephClientData:
    """What the mons gave us, complete: the files are rendered from this only."""

    client: str
    auth: str
    key: str
    mon_hosts: tuple[str, ...]
    rbd_features: int | None


def pools(charm: Charm) -> tuple[CephPool, ...]:
    return tuple(getattr(charm, "ceph_pools", None) or ())


def packages(charm: Charm) -> list[str]:
    """Extra packages: the Ceph client's, only for a charm that declares pools."""
    if not pools(charm):
        return []
    return list(getattr(charm, "ceph_packages", None) or DEFAULT_PACKAGES)


def services(charm: Charm) -> list[str]:
    """Services whose config uses the Ceph files (default: the API service, else all)."""
    declared = getattr(charm, "ceph_services", None)
    if declared:
        return list(declared)
    default = getattr(charm, "default_service", None)
    return [default] if default else list(getattr(charm, "services", []))


def keyring_path(charm: Charm) -> str:
    """The key of client.<application>: ceph-mon names the key after the remote application."""
    return f"{CEPH_DIR}/ceph.client.{charm.host.application_name}.keyring"


def _endpoint(charm: Charm) -> Any | None:
    found = charm.host.endpoint(ENDPOINT)
    return found if found is not None and getattr(found, "relations", None) else None


def request_pools(charm: Charm) -> None:
    """Ask the broker for every declared pool (the layer sends only what changed).

    Also records the broker's refusal of the current request, or clears it, for the status.
    """
    ep = _endpoint(charm)
    if ep is None or not pools(charm):
        return
    for pool in pools(charm):
        ep.create_replicated_pool(pool.name, replicas=pool.replicas, app_name=pool.app_name)
    response = ep.broker_response()
    host = charm.host
    if response is not None and not response.ok:
        refusal = {"request_id": response.request_id, "stderr": _one_line(response.stderr)}
        if host.kv_get(REFUSAL_KEY) != refusal:
            host.kv_set(REFUSAL_KEY, refusal)
            host.log(f"ceph: the broker refused request {response.request_id[:8]}", "WARNING")
    elif host.kv_get(REFUSAL_KEY) is not None:
        host.kv_unset(REFUSAL_KEY)


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def client_data(charm: Charm) -> CephClientData | None:
    """The mons' answer when the layer found it complete (``ceph.available``), else None."""
    if not charm.host.is_flag_set(AVAILABLE):
        return None
    ep = _endpoint(charm)
    if ep is None:
        return None
    auth, key, mon_hosts = ep.auth, ep.key, tuple(ep.mon_hosts())
    if not (auth and key and mon_hosts):
        return None
    return CephClientData(charm.host.application_name, auth, key, mon_hosts, ep.rbd_features)


def configure(charm: Charm) -> list[str]:
    """Request the pools, then write (or remove) ceph.conf and the keyring; changed paths.

    Called before the charm's own files are rendered, so a config never points at a Ceph file
    that is not there yet; the caller restarts :func:`add_services` for the changed paths.
    """
    if not pools(charm):
        return []
    request_pools(charm)
    data = client_data(charm)
    if data is None:
        return _remove_files(charm)
    return _write_files(charm, data)


def _write_files(charm: Charm, data: CephClientData) -> list[str]:
    """Render and write both files; a hook whose inputs are the last one's renders nothing."""
    host = charm.host
    keyring = keyring_path(charm)
    group = getattr(charm, "group", None) or "root"
    plan = {CONF_PATH: (0o644, "root"), keyring: (0o640, group)}
    previous = host.kv_get(FILES_KEY) or {}
    inputs = _inputs_digest(charm, data, keyring)
    on_disk = {path: host.read_file(path) for path in plan}
    if previous.get("inputs") == inputs and previous.get("files") == {
        path: _sha(content) for path, content in on_disk.items()
    }:
        for path, (mode, file_group) in plan.items():  # same bytes: put back a drifted mode
            host.write_file(path, on_disk[path] or b"", mode, "root", file_group)
        return []
    contents = _render(charm, data, keyring)
    host.mkdir(CEPH_DIR, 0o755, "root", "root")
    changed = []
    for path, (mode, file_group) in plan.items():
        if host.write_file(path, contents[path], mode, "root", file_group):
            changed.append(path)
    for path in sorted(set(previous.get("files", {})) - set(plan)):
        if host.remove_file(path):  # the application was renamed: the old key goes
            changed.append(path)
    host.kv_set(FILES_KEY, {"inputs": inputs, "files": {p: _sha(c) for p, c in contents.items()}})
    if changed:
        hosts = " ".join(data.mon_hosts)
        host.log(f"ceph: wrote ceph.conf (mons {hosts}) and the keyring of client.{data.client}")
    return changed


def _sha(content: bytes | None) -> str | None:
    return hashlib.sha256(content).hexdigest() if content is not None else None


def _inputs_digest(charm: Charm, data: CephClientData, keyring: str) -> str:
    """Digest of everything the two files follow from: the data and the template sources."""
    from reactive_openstack._rendering import template_search_path

    sources = []
    for name in (CONF_TEMPLATE, KEYRING_TEMPLATE):
        for directory in template_search_path(charm.host.charm_dir, charm.release):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    sources.append(_sha(handle.read()))
                break
    text = json.dumps([asdict(data), keyring, sources], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _remove_files(charm: Charm) -> list[str]:
    """The relation went (or its data is incomplete): take our Ceph files away."""
    host = charm.host
    previous = host.kv_get(FILES_KEY)
    if not previous:
        return []
    removed = [path for path in previous.get("files", {}) if host.remove_file(path)]
    host.kv_unset(FILES_KEY)
    if removed:
        host.log("ceph: no complete ceph relation; removed ceph.conf and the keyring")
    return removed


def _render(charm: Charm, data: CephClientData, keyring: str) -> dict[str, bytes]:
    """ceph.conf and the keyring from their templates (a charm may ship its own)."""
    from reactive_openstack._rendering import make_environment, template_search_path

    env = make_environment(template_search_path(charm.host.charm_dir, charm.release))
    context = {"ceph": {**asdict(data), "mon_hosts": " ".join(data.mon_hosts), "keyring": keyring}}
    return {
        CONF_PATH: env.get_template(CONF_TEMPLATE).render(context).encode(),
        keyring: env.get_template(KEYRING_TEMPLATE).render(context).encode(),
    }


def add_services(charm: Charm, changed_paths: Iterable[str], found: list[str]) -> list[str]:
    """``found`` plus the Ceph services (each once) when one of our files changed."""
    if not pools(charm):
        return found
    ours = {CONF_PATH, keyring_path(charm), *(charm.host.kv_get(FILES_KEY) or {}).get("files", {})}
    extra = services(charm) if ours & set(changed_paths) else []
    return found + [service for service in extra if service not in found]


def check(charm: Charm) -> Status | None:
    """The status while the relation is up but the pools are not granted; None otherwise.

    Reads only flags and the unit kv, so the fast update-status path gives the same answer.
    """
    declared = pools(charm)
    host = charm.host
    if not declared or not host.is_flag_set(CONNECTED) or host.is_flag_set(POOLS_AVAILABLE):
        return None
    if not host.is_flag_set(AVAILABLE):
        return Status("waiting", f"'{ENDPOINT}' incomplete")
    noun = "pool" if len(declared) == 1 else "pools"
    names = ", ".join(pool.name for pool in declared)
    refusal = host.kv_get(REFUSAL_KEY)
    if refusal:
        reason = refusal.get("stderr") or "no reason given"
        return Status("blocked", f"ceph: broker refused {noun} {names}: {reason}")
    return Status("waiting", f"ceph: waiting for {noun} {names} (broker has not answered)")
