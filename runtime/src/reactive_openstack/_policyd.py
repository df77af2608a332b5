"""Policy overrides as charm-helpers' policyd offers them: a zip resource of YAML policy files.

With ``use-policyd-override`` true, the ``policyd-override`` resource's valid YAML files go to
``/etc/<service>/policy.d/``, which oslo.policy reads on its own; turning the option off removes
exactly the files written. One deliberate difference from upstream: a bad zip leaves the
previous overrides in place (upstream empties policy.d) and blocks the unit naming the file and
the rule it broke.

Details: docs/day2.md, 'Policy overrides'.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reactive_openstack.workload_status import Status

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

CONFIG_OPTION = "use-policyd-override"
RESOURCE_NAME = "policyd-override"
YAML_EXTENSIONS = (".yaml", ".yml")
KV_KEY = "reactive_openstack.policyd"
#: oslo.policy reads policy.d from this release on (charm-helpers refuses older ones too).
EARLIEST_RELEASE = "queens"
#: What a rule name may hold: oslo.policy names such as ``os_compute_api:servers:index`` or
#: ``get_images``, ``context_is_admin``, ``identity:list_users``.
RULE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:.\-/]*$")


class BadPolicyZip(ValueError):
    """The resource cannot be used; the message names the file and the rule it breaks."""


@dataclass
class Overrides:
    """What the unit kv remembers between hooks: the zip applied and the files written."""

    digest: str = ""
    paths: list[str] = field(default_factory=list)
    error: str = ""

    @classmethod
    def load(cls, host: Any) -> Overrides:
        raw = host.kv_get(KV_KEY) or {}
        return cls(raw.get("digest", ""), list(raw.get("paths", [])), raw.get("error", ""))

    def save(self, host: Any) -> None:
        host.kv_set(KV_KEY, {"digest": self.digest, "paths": self.paths, "error": self.error})


def enabled(charm: Charm) -> bool:
    from reactive_openstack._config_checks import option_on

    return option_on(charm.config, CONFIG_OPTION)


def policy_dir(charm: Charm) -> str:
    service = getattr(charm, "policyd_service_name", None) or charm.name
    return f"/etc/{service}/policy.d"


def _check_document(filename: str, text: bytes, blacklist: list[str]) -> bytes:
    """The file's content to write, after the rules policyd applies to each document."""
    import yaml

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise BadPolicyZip(f"{filename}: not valid YAML{where}") from None
    if not isinstance(document, dict) or not document:
        raise BadPolicyZip(f"{filename}: not a mapping of rule names to rules")
    for key, value in document.items():
        if not isinstance(key, str) or not RULE_NAME.match(key):
            raise BadPolicyZip(f"{filename}: {key!r} is not a policy rule name")
        if key in blacklist:
            raise BadPolicyZip(f"{filename}: rule {key!r} may not be overridden by this charm")
        if not isinstance(value, str):
            raise BadPolicyZip(f"{filename}: rule {key!r} must be a string check, not {value!r}")
    return yaml.safe_dump(document, default_flow_style=False, sort_keys=True).encode()


def read_zip(data: bytes, blacklist: list[str] | None = None) -> dict[str, bytes]:
    """``{<name>.yaml: content}`` from the resource's bytes; BadPolicyZip says what is wrong."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BadPolicyZip(f"{RESOURCE_NAME}: not a zip file") from None
    chosen: dict[str, str] = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            stem, ext = os.path.splitext(os.path.basename(info.filename))
            if ext.lower() not in YAML_EXTENSIONS:
                continue
            if stem in chosen:
                raise BadPolicyZip(
                    f"{chosen[stem]} and {info.filename}: both would be policy.d/{stem}.yaml"
                )
            chosen[stem] = info.filename
        if not chosen:
            raise BadPolicyZip(f"{RESOURCE_NAME}: the zip holds no .yaml or .yml file")
        return {
            f"{stem}.yaml": _check_document(name, archive.read(name), list(blacklist or []))
            for stem, name in sorted(chosen.items())
        }


def _remove(charm: Charm, paths: list[str]) -> None:
    for path in paths:
        charm.host.remove_file(path)


def apply(charm: Charm) -> bool:
    """Bring policy.d in line with the option and the resource; True if the services must restart.

    oslo.policy re-reads policy.d when a file there is added or changed, but keeps the rules of
    a file that was deleted until the service restarts; so, as charm-helpers calls its
    restart handler after cleaning the directory, a removal asks for a restart.
    """
    from reactive_openstack.releases import at_least

    host = charm.host
    record = Overrides.load(host)
    if not enabled(charm):
        if not record.paths and not record.error:
            return False
        _remove(charm, record.paths)
        host.kv_unset(KV_KEY)
        host.log(f"{CONFIG_OPTION} is off: policy overrides removed", "INFO")
        return bool(record.paths)  # files went: only a restart forgets their rules
    if not at_least(charm.release, EARLIEST_RELEASE):
        record.error = f"policy overrides need OpenStack {EARLIEST_RELEASE} or newer"
        record.save(host)
        return False
    path = host.resource_get(RESOURCE_NAME)
    data = host.read_file(path) if path else None
    if not data:
        record.error = f"{CONFIG_OPTION} is set but no {RESOURCE_NAME} resource is attached"
        record.save(host)
        return False
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    if digest == record.digest and not record.error:
        return False
    try:
        files = read_zip(data, getattr(charm, "policyd_blacklist_keys", []))
    except BadPolicyZip as exc:
        record.error = str(exc)
        record.save(host)
        host.log(f"{RESOURCE_NAME} rejected, previous overrides kept: {exc}", "ERROR")
        return False
    directory = policy_dir(charm)
    host.mkdir(directory, 0o755, owner="root", group=charm.group)
    written = [f"{directory}/{name}" for name in files]
    for name, content in files.items():
        # read-only for the service, like the configs rendered for it (_rendering.py)
        target = f"{directory}/{name}"
        host.write_file(target, content, mode=0o640, owner="root", group=charm.group)
    stale = [p for p in record.paths if p not in written]
    _remove(charm, stale)
    Overrides(digest, written, "").save(host)
    host.log(f"policy overrides installed: {', '.join(sorted(files))}", "INFO")
    return bool(stale)  # new and changed files are re-read by the service itself


def check(charm: Charm) -> Status | None:
    """Blocked while the option is on and the resource could not be applied."""
    if not enabled(charm):
        return None
    error = Overrides.load(charm.host).error
    if error:
        return Status("blocked", f"{RESOURCE_NAME} not applied: {error}")
    return None


def status_prefix(charm: Charm) -> str:
    """``PO: `` / ``PO (broken): `` while the option is on, as charm-helpers prefixes it."""
    if not enabled(charm):
        return ""
    record = Overrides.load(charm.host)
    return "PO: " if record.paths and not record.error else "PO (broken): "
