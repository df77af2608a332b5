"""Requirers that a kinder model let through and the real keystone / percona-cluster do not.

Each app is a patched copy of tests/fixtures/model-charm with one mistake; on a real Juju it
would stay `waiting` because the provider charm never answers what it expects (rules in
charmsmith/model/peers/keystone_rules.py and mysql_rules.py). The unpatched fixture beside a
mysql-router reaches active with the router's loopback address.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI

pytestmark = pytest.mark.netns

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "model-charm"

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("gcc"):
    pytest.skip("needs root, iproute2 and gcc", allow_module_level=True)

KEYSTONE_REQUEST = (
    'relation_set(rid, service="swift", region="RegionOne", public_url=url,\n'
    "                         internal_url=url, admin_url=url)"
)
DB_REQUEST = 'relation_set(rid, database="fixture", username="fixture", hostname=address)'
# app name -> (text in the fixture's hook, its wrong replacement)
MISTAKES = {
    # credentials-only request ('None' URLs) that still waits for a password
    "ks-none": (KEYSTONE_REQUEST, KEYSTONE_REQUEST.replace("admin_url=url", 'admin_url="None"')),
    # request missing `region`: keystone answers nothing at all
    "ks-noregion": (KEYSTONE_REQUEST, KEYSTONE_REQUEST.replace('region="RegionOne", ', "")),
    # reads the region from keystone's answer (machine keystone never sends it with credentials)
    "ks-region": ('and ks.get("service_password"))', 'and ks.get("region"))'),
    # reads the last keystone unit only, as if every unit answered (only the leader, /0, does)
    "ks-follower": (
        'for unit in tool("relation-list", "-r", rid):',
        'for unit in tool("relation-list", "-r", rid)[-1:]:',
    ),
    # no hostname: percona-cluster serves nothing
    "db-nohost": (DB_REQUEST, 'relation_set(rid, database="fixture", username="fixture")'),
    # a prefix holding '_': percona cuts it at the first '_' and the request is incomplete
    "db-prefix": (
        DB_REQUEST,
        "relation_set(rid, fixture_db_database='fixture', fixture_db_username='fixture', "
        "fixture_db_hostname=address)",
    ),
}


def _wrong_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    charm = tmp_path / name
    shutil.copytree(FIXTURE, charm, symlinks=True)
    hook = charm / "hooks" / "dispatch"
    text = hook.read_text()
    assert old in text, f"fixture changed: {old!r} not found"
    if name == "db-prefix":  # the patched charm reads its prefixed answer
        for key in ("password", "allowed_units"):
            text = text.replace(f'db.get("{key}"', f'db.get("fixture_db_{key}"')
        text = text.replace("db['password']", "db['fixture_db_password']")
    hook.write_text(text.replace(old, new))
    return charm


def test_wrong_requirers_stay_waiting_and_a_routed_one_goes_active(cli: CLI, tmp_path: Path):
    cli("deploy", "keystone", "-n", "2")
    for peer in ("mysql", "rabbitmq"):
        cli("deploy", peer)
    for name, (old, new) in MISTAKES.items():
        cli("deploy", str(_wrong_copy(tmp_path, name, old, new)), name)
        for peer in ("keystone", "mysql", "rabbitmq"):
            cli("relate", name, peer)
    cli("deploy", str(FIXTURE), "routed")
    cli("deploy", "mysql-router")
    cli("relate", "routed", "mysql-router")
    for peer in ("keystone", "rabbitmq"):
        cli("relate", "routed", peer)

    apps = cli.status()["applications"]
    for name in MISTAKES:
        unit = apps[name]["units"][f"{name}/0"]
        assert (unit["workload-status"], unit["message"]) == ("waiting", "Incomplete relations"), (
            name
        )
    routed = apps["routed"]["units"]["routed/0"]
    assert routed["workload-status"] == "active", routed
    conf = cli("ssh", "routed/0", "cat /etc/fixture/fixture.conf").stdout
    assert "@127.0.0.1/fixture" in conf
