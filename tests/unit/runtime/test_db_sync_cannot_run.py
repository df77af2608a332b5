"""A db-sync program that is missing or not executable fails at once, without the backoff.

Exit 127/126 are what the real host reports for those (the shell's codes); retrying for a
minute cannot make the program appear. Any other failure keeps the retries.
"""

from __future__ import annotations

import pytest
from reactive_openstack import database
from reactive_openstack.host import CommandFailed, JujuHost

from .sample import charm_for, ready_host

SYNC = ["congress-db-manage", "--config-file", "/etc/congress/congress.conf", "upgrade", "head"]
SHOWN = "congress-db-manage --config-file /etc/congress/congress.conf upgrade head"


@pytest.mark.parametrize(
    ("returncode", "reason"), [(127, "command not found"), (126, "command not executable")]
)
def test_sync_program_that_cannot_run_blocks_without_retrying(returncode, reason):
    host = ready_host()
    host.fail_command(SYNC, times=len(database.BACKOFF) + 1, returncode=returncode)
    charm = charm_for(host)
    assert charm.db_sync() is False
    assert host.commands == [SYNC]  # one attempt
    assert host.sleeps == []  # no backoff
    assert "db-sync-done" not in host.leader_settings
    assert host.status == ("blocked", f"Database sync failed: {SHOWN} ({reason})")


def test_other_failures_still_retry_with_backoff():
    host = ready_host()
    host.fail_command(SYNC, times=len(database.BACKOFF) + 1, returncode=2)
    assert charm_for(host).db_sync() is False
    assert len(host.commands) == len(database.BACKOFF) + 1
    assert host.sleeps == list(database.BACKOFF)
    assert host.status == ("blocked", f"Database sync failed: {SHOWN}")


def test_real_host_reports_missing_and_non_executable_programs_as_127_and_126(tmp_path):
    host = JujuHost({})
    with pytest.raises(CommandFailed) as missing:
        host.run([str(tmp_path / "no-such-db-manage"), "upgrade"])
    assert missing.value.returncode == 127
    script = tmp_path / "db-manage"
    script.write_text("#!/bin/sh\nexit 0\n")  # mode 0644: not executable
    with pytest.raises(CommandFailed) as not_executable:
        host.run([str(script), "upgrade"])
    assert not_executable.value.returncode == 126
