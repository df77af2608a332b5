"""The unit's own dpkg database records what the emulated apt-get installed.

Why: an operator checks a unit with `dpkg -l` over `juju ssh`, outside any hook, where the
`dpkg-query` shim (which answers only inside hooks) is not there. So `apt-get install` also
writes the package's record into the unit's /var/lib/dpkg/status (its overlay, never the
host's), as dpkg's configure step does, and `apt-get purge` takes it out. The record's fields
are the ones dpkg(1) keeps for an installed package (deb-control(5), dpkg's status file).
"""

from __future__ import annotations

from charmsmith.model.unitview import UnitView

STATUS_FILE = "/var/lib/dpkg/status"


def _stanzas(text: str) -> list[str]:
    return [s for s in text.strip("\n").split("\n\n") if s.strip()]


def _is_record_of(stanza: str, pkg: str) -> bool:
    return stanza.startswith(f"Package: {pkg}\n")


def _write(view: UnitView, stanzas: list[str]) -> None:
    view.write_text(STATUS_FILE, "\n\n".join(stanzas) + "\n\n")


def record(view: UnitView, pkg: str, version: str) -> None:
    """`pkg` at `version` is installed (replacing any older record of it, as an upgrade does)."""
    stanza = (
        f"Package: {pkg}\nStatus: install ok installed\nPriority: optional\nSection: misc\n"
        f"Architecture: amd64\nVersion: {version}\nDescription: {pkg} (charmsmith fake archive)"
    )
    kept = [s for s in _stanzas(view.read_text(STATUS_FILE)) if not _is_record_of(s, pkg)]
    _write(view, [*kept, stanza])


def forget(view: UnitView, pkg: str) -> None:
    """`apt-get purge pkg`: dpkg drops the package's record."""
    stanzas = _stanzas(view.read_text(STATUS_FILE))
    kept = [s for s in stanzas if not _is_record_of(s, pkg)]
    if len(kept) != len(stanzas):
        _write(view, kept)
