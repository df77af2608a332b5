"""Generated charms run Debian's real glance-api and barbican-api, registered in a real Keystone.

Each charm comes from `charmsmith create --answers tests/e2e/answers/<service>.yaml`, plus the
service-specific edits of author_edits.py, is built offline and deployed in real mode: apt-get,
`service` and the db sync run for real inside the unit, and keystone, mysql and rabbitmq are
played by real Keystone, MariaDB and RabbitMQ. Acceptance (issue 7 item 3), per service: the
unit is active; the real `openstack catalog show` lists its endpoints; an authenticated API call
through the haproxy port succeeds; its tables exist in MariaDB; `oslo-config-validator` accepts
the rendered config with the service's namespaces. All traffic goes to the model bridge.
"""

from __future__ import annotations

import json
import secrets
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from model_cli import ModelCLI
from real_charms import openstack, peer_backend, real_model, until_ok

pytestmark = pytest.mark.e2e

COMMON_NAMESPACES = (
    "keystonemiddleware.auth_token",
    "oslo.log",
    "oslo.messaging",
    "oslo.middleware",
    "oslo.policy",
)


@dataclass(frozen=True)
class Service:
    kind: str  # the catalog's service type, which keystone derives from the name we register
    port: int  # haproxy's; the service listens on port - 10
    daemon: str  # process name behind haproxy
    conf: str
    namespaces: tuple[str, ...]
    table: str  # one of the tables its db sync creates
    listing: tuple[str, ...]  # an authenticated `openstack` call


SERVICES = {
    "glance": Service(
        "image",
        9292,
        "glance-api",
        "/etc/glance/glance-api.conf",
        ("glance.api", "glance.store", "oslo.concurrency", "oslo.db", *COMMON_NAMESPACES),
        "images",
        ("image", "list"),
    ),
    "barbican": Service(
        "key-manager",
        9311,
        "uwsgi",
        "/etc/barbican/barbican.conf",
        (
            "barbican.common.config",
            "barbican.plugin.crypto",
            "barbican.plugin.crypto.simple",
            "barbican.plugin.secret_store",
            *COMMON_NAMESPACES,
        ),
        "secrets",
        ("secret", "list"),
    ),
}


@pytest.fixture(scope="module")
def model() -> Iterator[ModelCLI]:
    """One model: the three real peers, then both services in real mode, related to them."""
    with real_model("services", dict.fromkeys(SERVICES, 1)) as cli:
        yield cli


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_runs_for_real(model: ModelCLI, name: str) -> None:
    service = SERVICES[name]
    unit = model.status()["applications"][name]["units"][f"{name}/0"]
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready"), unit
    address = unit["address"]

    env = peer_backend(model, "keystone").server.admin_env()
    shown = openstack(env, "catalog", "show", name)
    assert shown.returncode == 0, shown.stderr
    entry = json.loads(shown.stdout)
    assert (entry["name"], entry["type"]) == (name, service.kind)
    urls = {e["interface"]: e["url"] for e in _endpoints(entry)}
    assert urls == {i: f"http://{address}:{service.port}" for i in ("public", "internal", "admin")}

    # the catalog URL is haproxy's port; the service itself listens 10 below, behind it
    sockets = model("ssh", f"{name}/0", "ss -Hltnp").stdout.splitlines()
    assert any(f":{service.port} " in s and '"haproxy"' in s for s in sockets), sockets
    assert any(f":{service.port - 10} " in s and f'"{service.daemon}' in s for s in sockets)
    listing = until_ok(env, *service.listing)
    assert json.loads(listing.stdout) == []

    assert service.table in peer_backend(model, "mysql").server.tables(name)

    # in the unit: the service's option namespaces come with its packages, installed there only
    namespaces = " ".join(f"--namespace {ns}" for ns in service.namespaces)
    model("ssh", f"{name}/0", f"oslo-config-validator --input-file {service.conf} {namespaces}")


def _endpoints(shown: dict[str, Any]) -> list[dict[str, str]]:
    """`openstack catalog show -f json` gives endpoints as text lines "interface: url"."""
    text = shown["endpoints"]
    if isinstance(text, list):
        return text
    found = []
    for line in text.splitlines():
        key, _, value = line.strip().partition(": ")
        if key in ("public", "internal", "admin"):
            found.append({"interface": key, "url": value})
    return found


def test_glance_policy_personas(model: ModelCLI, tmp_path: Path) -> None:
    """Issue 7 item 4, as the glance-operator README tests it: member, reader, other project."""
    model("config", "glance", "enforce-new-policy-defaults=true")
    conf = model("ssh", "glance/0", "cat /etc/glance/glance-api.conf").stdout
    assert "enforce_secure_rbac = true" in conf and "enforce_new_defaults = true" in conf

    keystone = peer_backend(model, "keystone").server
    admin = keystone.admin_env()
    users = {
        "member-a": ("policy-a", "member"),
        "reader-a": ("policy-a", "reader"),
        "reader-b": ("policy-b", "reader"),
    }
    env = {}
    for user, (project, role) in users.items():
        password = secrets.token_urlsafe(16)
        keystone.ensure_user(user, password, project, role)
        env[user] = {
            **admin,
            "OS_USERNAME": user,
            "OS_PASSWORD": password,
            "OS_PROJECT_NAME": project,
        }
    image = tmp_path / "tiny.raw"
    image.write_bytes(b"\0" * 4096)
    create = ("image", "create", "--private", "--disk-format", "raw")
    create += ("--container-format", "bare", "--file", str(image))

    until_ok(env["member-a"], *create, "policy-image")  # glance-api restarted with the policy
    refused = openstack(env["reader-a"], *create, "reader-image")
    assert refused.returncode != 0 and "403" in refused.stderr, refused.stderr

    def names(user: str) -> list[str]:
        return [entry["Name"] for entry in json.loads(until_ok(env[user], "image", "list").stdout)]

    assert "policy-image" in names("reader-a")
    assert "policy-image" not in names("reader-b")


def until_refused(env: dict[str, str], *args: str, within: float = 60) -> str:
    """An API call retried until it is refused (oslo.policy reads policy.d on a later request)."""
    deadline = time.monotonic() + within
    while (result := openstack(env, *args)).returncode == 0:
        assert time.monotonic() < deadline, f"still allowed: {' '.join(args)}"
        time.sleep(2)
    return result.stderr


def test_glance_policy_override(model: ModelCLI, tmp_path: Path) -> None:
    """Issue 17 item 5: a policyd-override zip forbids get_images to the reader; removing the
    override (use-policyd-override=false) restores glance's default."""
    keystone = peer_backend(model, "keystone").server
    env = {}
    for user, role in (("po-member", "member"), ("po-reader", "reader")):
        password = secrets.token_urlsafe(16)
        keystone.ensure_user(user, password, "policy-override", role)
        env[user] = {
            **keystone.admin_env(),
            "OS_USERNAME": user,
            "OS_PASSWORD": password,
            "OS_PROJECT_NAME": "policy-override",
        }
    until_ok(env["po-reader"], "image", "list")

    archive = tmp_path / "overrides.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readers-may-not-list.yaml", 'get_images: "role:member"\n')
    model("attach-resource", "glance", f"policyd-override={archive}")
    model("config", "glance", "use-policyd-override=true")
    unit = model.status()["applications"]["glance"]["units"]["glance/0"]
    assert (unit["workload-status"], unit["message"]) == ("active", "PO: Unit is ready")
    written = model(
        "ssh", "glance/0", "stat -c '%U:%G %a' /etc/glance/policy.d/readers-may-not-list.yaml"
    ).stdout
    assert written.strip() == "root:glance 640"

    refused = until_refused(env["po-reader"], "image", "list")
    assert "403" in refused, refused
    until_ok(env["po-member"], "image", "list")

    model("config", "glance", "use-policyd-override=false")
    gone = model("ssh", "glance/0", "ls /etc/glance/policy.d").stdout
    assert "readers-may-not-list.yaml" not in gone
    until_ok(env["po-reader"], "image", "list")
    unit = model.status()["applications"]["glance"]["units"]["glance/0"]
    assert unit["message"] == "Unit is ready"
