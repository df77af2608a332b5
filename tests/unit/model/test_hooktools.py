"""Hook tools through the real compiled client: Juju's output formats and semantics."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from charmsmith.model.harness import ToolSession, tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


@pytest.fixture()
def s(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM, units=2) as session:
        yield session


def run(s: ToolSession, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), env=s.env, capture_output=True, text=True, input=stdin)


def out(s: ToolSession, *argv: str) -> str:
    proc = run(s, *argv)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_config_get_formats(s):
    assert json.loads(out(s, "config-get", "--all", "--format=json")) == {
        "port": 8080,
        "fail-hook": "",
        "hold-hook": "",
        "debug": False,
        "vip": "",
    }
    assert out(s, "config-get", "port") == "8080\n"
    assert out(s, "config-get", "--format", "json", "port") == "8080\n"
    assert out(s, "config-get", "nope") == ""
    assert out(s, "config-get", "nope", "--format=json") == "null\n"
    assert yaml.safe_load(out(s, "config-get")) == {
        "port": 8080,
        "fail-hook": "",
        "hold-hook": "",
        "debug": False,
        "vip": "",
    }


def test_config_get_lists_unset_options_as_null_only_with_all(s):
    """Juju prints every declared option under --all (null when unset and without a default);
    leaving them out made the config layer see 'absent' and raise config.changed.<opt>."""
    s.model.app("fixture-api").options["region"] = {"type": "string", "description": "r"}
    assert json.loads(out(s, "config-get", "--all", "--format=json"))["region"] is None
    assert "region" not in json.loads(out(s, "config-get", "--format=json"))
    assert out(s, "config-get", "region") == ""
    assert out(s, "config-get", "region", "--format=json") == "null\n"
    refused = run(s, "config-get", "--all", "port")
    assert refused.returncode == 2
    assert "cannot use argument --all together with key" in refused.stderr


def test_network_get_answers_the_implicit_juju_info_binding(s):
    address = s.model.unit("fixture-api/0").address
    assert out(s, "network-get", "juju-info", "--primary-address") == f"{address}\n"
    refused = run(s, "network-get", "no-such-binding")
    assert refused.returncode == 1
    assert 'no network config found for binding "no-such-binding"' in refused.stderr


def test_leadership(s):
    assert out(s, "is-leader", "--format=json") == "true\n"
    assert out(s, "is-leader") == "True\n"
    assert run(s, "leader-set", "a=1").returncode == 0
    assert json.loads(out(s, "leader-get", "--format=json")) == {"a": "1"}
    s.context("fixture-api/1", "config-changed")
    assert out(s, "is-leader", "--format=json") == "false\n"
    proc = run(s, "leader-set", "a=2")
    assert (
        proc.returncode == 1 and proc.stderr.startswith("ERROR") and "not the leader" in proc.stderr
    )
    # uncommitted leader writes of the other hook are not visible
    assert out(s, "leader-get", "a") == ""


def test_relation_tools(s):
    model = s.model
    rel = model.relations_of("fixture-api")[0]  # the cluster peer relation
    rel.unit_data["fixture-api/1"] = {"private-address": "203.0.113.3", "x": "y"}
    rel.joined = {"fixture-api/0": ["fixture-api/1"], "fixture-api/1": ["fixture-api/0"]}
    rid = f"cluster:{rel.id}"
    env = s.context(
        "fixture-api/0",
        "cluster-relation-changed",
        relation_id=rel.id,
        remote_unit="fixture-api/1",
        remote_app="fixture-api",
    )
    assert env
    assert json.loads(out(s, "relation-ids", "--format=json", "cluster")) == [rid]
    assert out(s, "relation-ids", "cluster") == rid + "\n"
    assert json.loads(out(s, "relation-list", "--format=json", "-r", rid)) == ["fixture-api/1"]
    assert json.loads(out(s, "relation-get", "--format=json", "-r", rid, "-", "fixture-api/1")) == {
        "private-address": "203.0.113.3",
        "x": "y",
    }
    assert out(s, "relation-get", "x") == "y\n"
    assert out(s, "relation-get", "missing") == ""
    assert out(s, "relation-get", "--format=json", "missing") == "null\n"  # Write(ctx, nil)
    assert "--file" in out(s, "relation-set", "--help")
    (Path(s.model.store.path) / "f.yaml").write_text("a: '1'\nb: two\n")
    proc = subprocess.run(
        ["relation-set", "-r", rid, "--file", str(s.model.store.path / "f.yaml"), "c=3"],
        env=s.env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert run(s, "relation-set", "--file", "-", stdin="d: 4\n").returncode == 0
    mine = json.loads(out(s, "relation-get", "--format=json", "-", "fixture-api/0"))
    assert mine == {"a": "1", "b": "two", "c": "3", "d": "4"}
    # not committed until the hook succeeds
    assert "a" not in rel.unit_data.get("fixture-api/0", {})
    s.model.commit(s.ctx)
    assert rel.unit_data["fixture-api/0"]["a"] == "1"
    assert s.model.state.queue[-1].hook == "cluster-relation-changed"
    assert s.model.state.queue[-1].unit == "fixture-api/1"


def test_app_databag_needs_leader(s):
    rel = s.model.relations_of("fixture-api")[0]
    rid = f"cluster:{rel.id}"
    assert run(s, "relation-set", "--app", "-r", rid, "k=v").returncode == 0
    s.context("fixture-api/1", "update-status")
    proc = run(s, "relation-set", "--app", "-r", rid, "k=v")
    assert proc.returncode == 1 and "leader" in proc.stderr


def test_status_ports_network(s):
    assert out(s, "status-set", "blocked", "Missing relations: amqp") == ""
    assert json.loads(out(s, "status-get", "--format=json", "--include-data")) == {
        "message": "Missing relations: amqp",
        "status": "blocked",
        "status-data": {},
    }
    assert out(s, "status-get") == "blocked\n"
    assert run(s, "status-set", "bogus").returncode == 2  # refused in Init: a usage error
    assert run(s, "status-set", "--application", "active", "ok").returncode == 0
    assert out(s, "open-port", "8080/TCP") == ""
    assert out(s, "open-port", "53/udp") == ""
    assert json.loads(out(s, "opened-ports", "--format=json")) == ["53/udp", "8080/tcp"]
    run(s, "close-port", "53/udp")
    assert out(s, "opened-ports") == "8080/tcp\n"
    address = s.model.unit("fixture-api/0").address
    assert out(s, "unit-get", "private-address") == address + "\n"
    assert out(s, "network-get", "public", "--ingress-address") == address + "\n"
    full = json.loads(out(s, "network-get", "shared-db", "--format=json"))
    assert full["ingress-addresses"] == [address]
    assert full["bind-addresses"][0]["addresses"][0]["value"] == address
    proc = run(s, "network-get", "nope")
    assert proc.returncode == 1 and 'no network config found for binding "nope"' in proc.stderr


def test_actions_and_misc(s):
    proc = run(s, "action-get")
    assert proc.returncode == 1 and "not running an action" in proc.stderr
    s.context(
        "fixture-api/0",
        "hello",
        action={"name": "hello", "uuid": "1", "params": {"name": "bob", "deep": {"x": 1}}},
    )
    assert out(s, "action-get", "name") == "bob\n"
    assert out(s, "action-get", "deep.x", "--format=json") == "1\n"
    run(s, "action-set", "a.b=c")
    assert s.ctx.action["results"] == {"a": {"b": "c"}}
    unit_1 = yaml.safe_load(out(s, "goal-state"))["units"]["fixture-api/1"]
    assert unit_1["status"] == s.model.unit("fixture-api/1").workload["status"]
    assert run(s, "juju-reboot").returncode == 0
    assert run(s, "add-metric", "x=1").returncode == 0
    assert out(s, "storage-list", "--format=json") == "[]\n"
    proc = run(s, "relation-get", "--bogus")
    assert proc.returncode == 2 and "option provided but not defined: --bogus" in proc.stderr


def test_calls_are_logged_with_duration(s):
    out(s, "config-get", "--all", "--format=json")
    out(s, "juju-log", "-l", "WARNING", "hello there")
    calls = s.ctx.calls
    assert [c["tool"] for c in calls] == ["config-get", "juju-log"]
    assert calls[0]["args"] == ["--all", "--format=json"] and calls[0]["ms"] >= 0
    log = (s.model.store.path / "debug-log.txt").read_text()
    assert "WARNING fixture-api/0: hello there" in log


def test_apt_cache_show_ends_every_record_with_a_blank_line(s):
    """charm-helpers splits `apt-cache show` output into records on blank lines; without the
    closing one the last package has no candidate (as seen with upstream's aodh charm)."""
    text = out(s, "apt-cache", "show", "glance-api", "haproxy")
    records = text.split("\n\n")
    assert records[-1] == "" and len(records) == 3
    assert records[0].startswith("Package: glance-api\n")
    assert records[1].startswith("Package: haproxy\nVersion: ")


def test_shims_record_and_answer(s):
    out(s, "add-apt-repository", "-y", "cloud-archive:zed")  # the versions follow the source
    assert "Setting up glance-api" in out(s, "apt-get", "install", "-y", "glance-api")
    packages = s.model.unit("fixture-api/0").packages
    assert packages["glance-common"] == "2:25.0.0-0ubuntu1~cloud0"  # pulled in as a dependency
    assert out(s, "dpkg-query", "-W", "-f=${Status}\t${Version}", "glance-common") == (
        "install ok installed\t2:25.0.0-0ubuntu1~cloud0"
    )
    assert "Candidate: 2:25.0.0" in out(s, "apt-cache", "policy", "glance-common")
    upper = s.model.store.path / "units" / "fixture-api-0" / "upper"
    assert "glance:x:" in (upper / "etc" / "passwd").read_text()
    assert run(s, "service", "glance-api", "status").returncode == 3
    assert run(s, "service", "glance-api", "start").returncode == 0
    assert out(s, "systemctl", "is-active", "glance-api") == "active\n"
    run(s, "systemctl", "stop", "glance-api.service")
    assert run(s, "service", "glance-api", "status").returncode == 3


def test_secret_values_are_not_logged(s):
    out(s, "leader-set", "db-password=hunter2", "plain=ok")
    assert s.ctx.calls[-1]["args"] == ["db-password=<redacted>", "plain=ok"]
