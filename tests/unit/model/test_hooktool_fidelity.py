"""Hook tools answer as Juju 3.x's jujuc does: texts, exit codes, shapes, key order.

Each test names the jujuc file (juju/worker/uniter/runner/jujuc) whose behaviour it pins;
the tools run through the real compiled client, as a hook would call them.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from charmsmith.model import runner
from charmsmith.model.harness import ToolSession, tool_session
from charmsmith.model.state import Relation

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


@pytest.fixture()
def s(tmp_path: Path):
    with tool_session(tmp_path / "m", CHARM, units=2) as session:
        yield session


def run(s: ToolSession, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), env=s.env, capture_output=True, text=True)


def out(s: ToolSession, *argv: str) -> str:
    proc = run(s, *argv)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def refused(s: ToolSession, code: int, *argv: str) -> str:
    proc = run(s, *argv)
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    return proc.stderr


def other_app(s: ToolSession) -> Relation:
    """A second application related to fixture-api (backend -> website)."""
    model = s.model
    app = dataclasses.replace(
        model.app("fixture-api"), name="other-api", units=[], leader=None, next_unit=0
    )
    model.state.applications["other-api"] = app
    model.new_unit("other-api")
    app.leader = "other-api/0"
    return model.new_relation(("fixture-api", "other-api"), ("backend", "website"), "http")


def test_argument_errors_exit_2_and_refusals_exit_1(s):
    """juju/cmd Main: an Init error exits 2, a Run error exits 1; both print `ERROR <msg>`."""
    assert refused(s, 2, "status-set", "bogus") == (
        'ERROR invalid status "bogus", expected one of [maintenance blocked waiting active]\n'
    )
    assert refused(s, 2, "status-set") == "ERROR invalid args, require <status> [message]\n"
    # status-set.go takes one message argument: an unquoted message is a usage error
    assert refused(s, 2, "status-set", "active", "Unit", "ready") == (
        'ERROR unrecognized args: ["ready"]\n'
    )
    assert refused(s, 2, "unit-get", "nope") == 'ERROR unknown setting "nope"\n'
    assert refused(s, 2, "unit-get") == "ERROR no setting specified\n"
    assert refused(s, 2, "juju-log") == "ERROR no message specified\n"
    assert refused(s, 2, "application-version-set", "1.0", "x") == (
        'ERROR unrecognized args: ["x"]\n'
    )
    assert refused(s, 2, "leader-get", "a=b") == 'ERROR invalid key "a=b"\n'
    assert refused(s, 2, "goal-state", "--format=smart").startswith("ERROR invalid value")
    assert refused(s, 2, "relation-ids") == "ERROR no relation name specified\n"
    s.context("fixture-api/1", "update-status")
    assert refused(s, 1, "status-set", "--application", "active", "ok") == (
        "ERROR this unit is not the leader\n"
    )
    assert refused(s, 1, "credential-get") == (
        "ERROR cannot access cloud credentials: permission denied\n"
    )


def test_status_get_prints_message_and_data_only_with_include_data(s):
    """status-get.go toDetails: without --include-data only the status is written."""
    out(s, "status-set", "blocked", "Missing relations: amqp")
    assert json.loads(out(s, "status-get", "--format=json")) == {"status": "blocked"}
    assert json.loads(out(s, "status-get", "--format=json", "--include-data")) == {
        "message": "Missing relations: amqp",
        "status": "blocked",
        "status-data": {},
    }
    out(s, "status-set", "--application", "active", "all good")
    assert out(s, "status-get", "--application") == "active\n"
    app = json.loads(out(s, "status-get", "--application", "--format=json"))
    assert app == {
        "application-status": {
            "status": "active",
            "units": {
                "fixture-api/0": {"status": "blocked"},
                "fixture-api/1": {"status": "waiting"},
            },
        }
    }
    assert refused(s, 2, "status-get", "message").startswith("ERROR unrecognized args")


def test_missing_keys_print_nil(s):
    """relation-get.go and leader-get.go write nil for a missing key: json `null`."""
    rel = s.model.relations_of("fixture-api")[0]
    rel.unit_data["fixture-api/1"] = {"x": "y"}
    s.context(
        "fixture-api/0",
        "cluster-relation-changed",
        relation_id=rel.id,
        remote_unit="fixture-api/1",
        remote_app="fixture-api",
    )
    assert out(s, "relation-get", "--format=json", "missing") == "null\n"
    assert out(s, "leader-get", "--format=json", "missing") == "null\n"
    assert out(s, "leader-get", "missing") == ""


def test_json_is_written_as_go_writes_it(s):
    """Go's encoding/json sorts map keys and escapes <, > and & (charms parse either way, but
    a byte-for-byte comparison or a diff of hook output sees it)."""
    out(s, "leader-set", "zeta=1", "alpha=<a&b>")
    written = out(s, "leader-get", "--format=json")
    assert written == '{"alpha":"\\u003ca\\u0026b\\u003e","zeta":"1"}\n'
    keys = list(json.loads(out(s, "config-get", "--all", "--format=json")))
    assert keys == sorted(keys)


def test_relation_get_reads_the_remote_app_databag_when_no_remote_unit(s):
    """relation-get.go determineUnitOrAppName: in a hook with a remote application but no
    remote unit (an app-databag -changed), the default target is that app's databag."""
    rel = other_app(s)
    rel.app_data["other-api"] = {"url": "http://x"}
    s.context(
        "fixture-api/0", "backend-relation-changed", relation_id=rel.id, remote_app="other-api"
    )
    assert out(s, "relation-get", "url") == "http://x\n"
    # --app with a unit name reads that unit's application
    assert out(s, "relation-get", "--app", "url", "other-api/0") == "http://x\n"


def test_relation_get_of_a_departed_unit(s):
    """A unit that left keeps its settings readable for -departed hooks (state leaves them
    behind on LeaveScope) until the relation goes; a unit that never joined has none, and a
    unit whose application is not in the relation is refused."""
    model = s.model
    rel = model.relations_of("fixture-api")[0]
    rel.unit_data["fixture-api/1"] = {"private-address": "203.0.113.3", "x": "y"}
    model.finish_removal("fixture-api/1")
    assert "fixture-api/1" not in model.state.units
    s.context(
        "fixture-api/0",
        "cluster-relation-departed",
        relation_id=rel.id,
        remote_unit="fixture-api/1",
        remote_app="fixture-api",
        departing_unit="fixture-api/1",
    )
    assert out(s, "relation-get", "x") == "y\n"
    assert json.loads(out(s, "relation-list", "--format=json")) == []
    assert refused(s, 1, "relation-get", "-", "fixture-api/7") == (
        'ERROR cannot read settings for unit "fixture-api/7" in relation '
        '"fixture-api:cluster": settings not found\n'
    )
    assert refused(s, 1, "relation-get", "-", "keystone/0") == "ERROR permission denied\n"


def test_relation_ids_of_an_endpoint_without_relations_is_empty(s):
    """relation-ids.go filters the unit's relations by name: an unknown name is no error."""
    assert json.loads(out(s, "relation-ids", "--format=json", "amqp")) == []
    assert out(s, "relation-ids", "no-such-endpoint") == ""


def test_network_get_writes_network_info_in_go_field_order(s):
    """network-get.go writes params.NetworkInfoResult: struct fields in declared order, the
    NIC's MAC under both spellings; --primary-address must come alone."""
    text = out(s, "network-get", "website")
    fields = [line.strip().lstrip("- ").split(":")[0] for line in text.splitlines()]
    assert fields[:10] == [
        "bind-addresses",
        "mac-address",
        "interface-name",
        "addresses",
        "hostname",
        "value",
        "cidr",
        "address",
        "macaddress",
        "interfacename",
    ]
    info = yaml.safe_load(text)
    nic = info["bind-addresses"][0]
    assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", nic["mac-address"])
    assert nic["macaddress"] == nic["mac-address"]
    assert nic["addresses"][0]["cidr"] == "203.0.113.0/24"
    assert list(info)[1:] == ["egress-subnets", "ingress-addresses"]
    assert json.loads(out(s, "network-get", "website", "--format=json")) == info
    assert refused(s, 1, "network-get", "website", "--primary-address", "--bind-address") == (
        "ERROR --primary-address must be the only flag specified\n"
    )
    assert refused(s, 2, "network-get", "website", "extra").startswith("ERROR unrecognized")


def test_goal_state_lists_units_and_related_apps_by_status(s):
    """goal-state.go + the uniter facade: own units with their workload status (dying while
    they are), relations per endpoint (peers left out) with the remote app's relation status
    and its units; `since` in Juju's ISO format."""
    other_app(s)
    out(s, "status-set", "active", "ready")
    s.model.unit("fixture-api/1").dying = True
    goal = yaml.safe_load(out(s, "goal-state"))
    assert {u: v["status"] for u, v in goal["units"].items()} == {
        "fixture-api/0": "active",
        "fixture-api/1": "dying",
    }
    assert list(goal["relations"]) == ["backend"]
    backend = goal["relations"]["backend"]
    assert backend["other-api"]["status"] == "joined"
    assert backend["other-api/0"]["status"] == "waiting"
    since = goal["units"]["fixture-api/0"]["since"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", since)
    as_json = json.loads(out(s, "goal-state", "--format=json"))
    assert as_json["units"]["fixture-api/0"]["since"] == since


def test_opened_ports_sorted_and_with_endpoints(s):
    """opened-ports.go: ranges sorted by port; --endpoints appends the endpoints, `*` = all."""
    for spec in ("8080/tcp", "53/udp", "1000-1010/tcp"):
        out(s, "open-port", spec)
    assert out(s, "opened-ports") == "53/udp\n1000-1010/tcp\n8080/tcp\n"
    assert json.loads(out(s, "opened-ports", "--endpoints", "--format=json"))[0] == "53/udp (*)"


def test_juju_log_levels_and_relation_prefix(s):
    """juju-log.go: loggo's level names; an unknown one is warned about and logged at INFO;
    in a relation hook the message carries the relation id."""
    out(s, "juju-log", "-l", "warn", "low disk")
    out(s, "juju-log", "--log-level", "LOUD", "hello")
    rel = s.model.relations_of("fixture-api")[0]
    s.context("fixture-api/0", "cluster-relation-changed", relation_id=rel.id)
    out(s, "juju-log", "joined")
    log = (s.model.store.path / "debug-log.txt").read_text()
    lines = [" ".join(line.split()[1:]) for line in log.splitlines()]  # without the time
    assert lines == [
        "WARNING fixture-api/0: low disk",
        'WARNING fixture-api/0: Specified log level of "LOUD" is not valid',
        "INFO fixture-api/0: hello",
        f"INFO fixture-api/0: cluster:{rel.id}: joined",
    ]


def test_action_environment_and_nested_action_get(s):
    """runner.go: an action dispatches as `actions/<name>` and its context has no hook name;
    HookVars/env.go give every hook Ubuntu's apt variables and Juju's TERM."""
    ctx = runner.new_context(
        s.model, "fixture-api/0", "backup", action={"name": "backup", "uuid": "7", "params": {}}
    )
    env = runner.hook_env(s.model, ctx)
    assert env["JUJU_DISPATCH_PATH"] == "actions/backup"
    assert env["JUJU_HOOK_NAME"] == ""
    assert env["JUJU_ACTION_TAG"] == "action-7"
    hook = runner.hook_env(s.model, runner.new_context(s.model, "fixture-api/0", "install"))
    assert hook["JUJU_DISPATCH_PATH"] == "hooks/install" and hook["JUJU_HOOK_NAME"] == "install"
    assert hook["DEBIAN_FRONTEND"] == "noninteractive"
    assert hook["APT_LISTCHANGES_FRONTEND"] == "none"
    assert hook["TERM"] == "tmux-256color"
    assert "CLOUD_API_VERSION" in hook and "JUJU_ACTION_NAME" not in hook
    s.context(
        "fixture-api/0",
        "backup",
        action={"name": "backup", "uuid": "7", "params": {"target": {"path": "/srv", "n": 2}}},
    )
    assert out(s, "action-get", "target.path") == "/srv\n"
    assert out(s, "action-get", "target.nope", "--format=json") == "null\n"
    assert refused(s, 2, "action-get", "a", "b") == 'ERROR unrecognized args: ["b"]\n'
