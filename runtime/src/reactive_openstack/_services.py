"""Starting and restarting services without letting a failure pass for success.

A restart that fails (haproxy refusing its config, a daemon that cannot bind) must not end as
"Unit is ready". The hook itself carries on - the other services and relations still need
their turn, and re-running the hook does not fix a config - but the failure is remembered for
the rest of the hook, so the status evaluated at hook exit says which service did not come
back and does not wait for ports that nobody is going to open. The command's output is not
logged: service errors may quote config lines, and configs hold secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reactive_openstack.host import CommandFailed

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

__all__ = ["failed", "failure_message", "restart", "start"]


def _failures(charm: Charm) -> dict[str, str]:
    return charm.memo.service_failures


def _control(charm: Charm, verb: str, service: str) -> bool:
    action = charm.host.service_restart if verb == "restart" else charm.host.service_start
    try:
        action(service)
    except CommandFailed as exc:
        _failures(charm)[service] = verb
        charm.host.log(
            f"service {service} {verb} failed with exit code {exc.returncode}; "
            "see the service's own log",
            "ERROR",
        )
        return False
    _failures(charm).pop(service, None)
    return True


def restart(charm: Charm, service: str) -> bool:
    """Restart ``service``; False (and remembered for the status) if it failed."""
    return _control(charm, "restart", service)


def start(charm: Charm, service: str) -> bool:
    """Start ``service``; False (and remembered for the status) if it failed."""
    return _control(charm, "start", service)


def failed(charm: Charm) -> dict[str, str]:
    """Services whose last start/restart in this hook failed -> the verb that failed."""
    return dict(_failures(charm))


def failure_message(charm: Charm) -> str | None:
    """``"haproxy restart failed"`` (comma separated), or None."""
    found = failed(charm)
    if not found:
        return None
    return ", ".join(f"{service} {verb} failed" for service, verb in found.items())
