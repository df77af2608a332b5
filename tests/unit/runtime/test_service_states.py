"""Which services run, asked in one `systemctl is-active` instead of one `service X status` each.

JujuHost is run against fake `systemctl` and `service` programs on PATH that answer as the real
ones do (systemctl(1): one line per unit in the order given, exit 0 when at least one is active,
3 otherwise); the status check is run on FakeHost.
"""

from __future__ import annotations

import pytest
from reactive_openstack.host import JujuHost

from .sample import make_registry, ready_host

#: The fake programs' view of the machine: unit -> systemctl's ActiveState.
STATES = {"api": "active", "memcached": "inactive", "haproxy": "reloading"}


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A bin dir with `service` and `systemctl`; returns (bin dir, call log)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "calls.log"
    cases = "\n".join(f"    {name}) state={state} ;;" for name, state in STATES.items())
    (bindir / "systemctl").write_text(
        f"""#!/bin/sh
echo "systemctl $*" >> {log}
shift
rc=3
for unit in "$@"; do
  case "$unit" in
{cases}
    *) state=inactive ;;
  esac
  echo "$state"
  case "$state" in active|reloading) rc=0 ;; esac
done
exit $rc
"""
    )
    running = " ".join(n for n, s in STATES.items() if s in ("active", "reloading"))
    (bindir / "service").write_text(
        f"""#!/bin/sh
echo "service $*" >> {log}
case " {running} " in *" $1 "*) echo "$1 is running"; exit 0 ;; esac
echo "$1 is not running"; exit 3
"""
    )
    for program in bindir.iterdir():
        program.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))  # the scripts need only /bin/sh and its builtins
    return bindir, log


def test_one_systemctl_call_answers_for_every_service(machine):
    _, log = machine
    host = JujuHost({})
    assert host.services_running(["api", "memcached", "haproxy"]) == {"api", "haproxy"}
    assert host.services_running(["memcached", "gone"]) == set()  # exit 3, answers kept
    assert host.services_running([]) == set()
    assert log.read_text().splitlines() == [
        "systemctl is-active api memcached haproxy",
        "systemctl is-active memcached gone",
    ]


@pytest.mark.parametrize("systemctl", ["absent", "no systemd"])
def test_without_a_working_systemctl_each_service_is_asked(machine, systemctl):
    bindir, log = machine
    (bindir / "systemctl").unlink()
    if systemctl == "no systemd":  # what systemctl says in a container booted without systemd
        (bindir / "systemctl").write_text(
            "#!/bin/sh\necho 'System has not been booted with systemd as init system (PID 1).'\n"
            "echo 'Failed to connect to bus: Host is down'\nexit 1\n"
        )
        (bindir / "systemctl").chmod(0o755)
    host = JujuHost({})
    assert host.services_running(["api", "haproxy"]) == {"api", "haproxy"}
    assert host.services_running(["api", "memcached", "haproxy"]) == {"api", "haproxy"}
    assert [line for line in log.read_text().splitlines() if line.startswith("service")] == [
        "service api status",
        "service haproxy status",
        "service api status",
        "service memcached status",
        "service haproxy status",
    ]


def test_status_check_asks_once_and_names_the_stopped_services():
    host = ready_host()
    registry, _, _ = make_registry()
    registry.host = host
    charm = registry.instance()
    host.services["memcached"] = False
    charm.assess_status()
    host.run_atexit()
    assert host.status == ("blocked", "Services not running that should be: memcached")
    assert host.service_queries == [charm.services_to_check()]
