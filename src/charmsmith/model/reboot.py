"""`charmsmith model recover`: a failed unit's machine boots again.

Why a boot and not just a hook: after `fail`, every process of the unit is gone. On a real
machine the init system starts every *enabled* service at boot (systemctl(1), "enable"), and
then the unit agent fires `start` (Juju documentation, "Hook kinds": start runs after install
and after every reboot). Starting only the hook would leave the services down until someone
restarted them by hand, and the unit's status checks would say so forever.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from charmsmith.model import services

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView


def boot_services(model: ModelView, unit_name: str) -> list[str]:
    """Start the unit's enabled services (disabled ones stay down); returns those that failed."""
    failed = []
    for name, entry in sorted(model.unit(unit_name).services.items()):
        if not entry.get("enabled", True):
            services.stop_listener(entry)
            entry.update(running=False, failed=False)
            continue
        rc, _, err = services.start_service(model, unit_name, name)
        if rc != 0 or entry.get("failed"):
            failed.append(name)
            why = err.decode(errors="replace").strip() or "its process exited at once"
            model.store.log(unit_name, "WARNING", f"boot: {name} failed to start: {why}")
    return failed
