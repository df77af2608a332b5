"""The host's dpkg status: each installed package's version and what it Depends on.

Why: host-backed packages (model/hostpkgs.py) are the host's real Debian packages, so what
installing one pulls in is what Debian declares, not a table kept by hand: `build-essential`
brings gcc, g++, make, libc6-dev and, through them, gcc-12, cpp-12, binutils... whose names
carry the host's versions. The record format is dpkg's (deb-control(5): `Package:`,
`Version:`, `Depends:`, `Pre-Depends:`, records separated by a blank line; a relation is a
comma-separated list of alternatives `a | b`, each `name[:arch] [(op version)]`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STATUS = Path("/var/lib/dpkg/status")


@dataclass(frozen=True)
class Record:
    """One installed package of the host, as dpkg's status file holds it."""

    version: str
    depends: tuple[tuple[str, ...], ...]  # each relation: its alternatives, in order


def _names(relation: str) -> tuple[str, ...]:
    return tuple(alt.split()[0].split(":")[0] for alt in relation.split("|") if alt.strip())


@functools.lru_cache(maxsize=4)
def _records(_mtime: float, wanted: Callable[[str], bool]) -> dict[str, Record]:
    found: dict[str, Record] = {}
    text = STATUS.read_text(errors="replace") if STATUS.exists() else ""
    for block in text.split("\n\n"):
        block = block.strip("\n")
        # only the packages asked about are parsed: the whole file takes ~10x longer
        if not block.startswith("Package: ") or not wanted(block[9:].partition("\n")[0]):
            continue
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()  # a folded continuation line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "install ok installed" not in fields.get("Status", ""):
            continue
        relations = ",".join(fields.get(k, "") for k in ("Pre-Depends", "Depends"))
        depends = tuple(_names(r) for r in relations.split(",") if r.strip())
        found[fields["Package"]] = Record(fields.get("Version", ""), depends)
    return found


def records(wanted: Callable[[str], bool]) -> dict[str, Record]:
    """The installed packages `wanted` accepts, by name; read again whenever dpkg changed its
    status file."""
    return _records(STATUS.stat().st_mtime if STATUS.exists() else 0.0, wanted)


def depends(pkg: str, among: set[str], wanted: Callable[[str], bool]) -> list[str]:
    """What installing `pkg` brings of the packages `among`: per relation, the first
    alternative in it (as apt picks), in the order Debian lists them."""
    record = records(wanted).get(pkg)
    out: list[str] = []
    for alternatives in record.depends if record else ():
        chosen = next((a for a in alternatives if a in among), None)
        if chosen is not None and chosen not in out and chosen != pkg:
            out.append(chosen)
    return out
