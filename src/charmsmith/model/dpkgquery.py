"""`dpkg-query` in an emulated unit: the unit's packages over the base image's (the host's).

Why: charmhelpers decides what to install from `dpkg-query --list PKG...` (it maps columns by
the `||/ Name Version Architecture Description` heading line, so the heading must be there) and
our runtime from `dpkg-query -W -f`. Each package is answered by where it lives on the unit:
installed by the shim (its record), a host-backed package the unit has not installed (not
there: model/hostpkgs.py), or anything else the base image has (the host's read-only dpkg
database). Output formats and exit codes are dpkg-query's (dpkg 1.21 as on jammy): exit 1 when
any package is not found, one `dpkg-query: no packages found matching X` line each.
"""

from __future__ import annotations

import re
import subprocess
from typing import TYPE_CHECKING

from charmsmith.model import hostpkgs
from charmsmith.model.tool_base import HookContext, Result

if TYPE_CHECKING:
    from charmsmith.model.protocols import ModelView

LIST_HEADING = (
    "Desired=Unknown/Install/Remove/Purge/Hold\n"
    "| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n"
    "|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n"
    "||/ Name           Version      Architecture Description\n"
    "+++-==============-============-============-=================================\n"
)
DEFAULT_FORMAT = "${binary:Package}\t${Version}\n"


def _parse(args: list[str]) -> tuple[str, str, list[str]]:
    """(mode show|status|list, format, packages)."""
    fmt, mode, pkgs = DEFAULT_FORMAT, "show", []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-f", "--showformat"):
            i += 1
            fmt = args[i] if i < len(args) else fmt
        elif arg.startswith(("--showformat=", "-f=")):
            fmt = arg.split("=", 1)[1]
        elif arg.startswith("-f") and len(arg) > 2:
            fmt = arg[2:]
        elif arg in ("-W", "--show"):
            mode = "show"
        elif arg in ("-s", "--status"):
            mode = "status"
        elif arg in ("-l", "--list"):
            mode = "list"
        elif not arg.startswith("-"):
            pkgs.append(arg)
        i += 1
    return mode, fmt, pkgs


def _record(mode: str, fmt: str, pkg: str, version: str) -> str:
    if mode == "status":
        return f"Package: {pkg}\nStatus: install ok installed\nVersion: {version}\n\n"
    if mode == "list":
        return f"ii  {pkg:<14} {version:<12} amd64        fake archive\n"
    fields = {
        "Package": pkg,
        "binary:Package": pkg,
        "Version": version,
        "Status": "install ok installed",
        "db:Status-Abbrev": "ii ",
        "Architecture": "amd64",
        "db:Status-Status": "installed",
    }
    text = re.sub(r"\$\{([^}]+)\}", lambda m: fields.get(m.group(1), ""), fmt)
    return text.encode().decode("unicode_escape")


def _not_found(mode: str, pkg: str) -> str:
    if mode == "status":
        return (
            f"dpkg-query: package '{pkg}' is not installed and no information is available\n"
            "Use dpkg --info (= dpkg-deb --info) to examine archive files.\n"
        )
    return f"dpkg-query: no packages found matching {pkg}\n"


def dpkg_query(model: ModelView, ctx: HookContext, args: list[str], stdin: bytes) -> Result:
    installed = model.unit(ctx.unit).packages
    mode, fmt, pkgs = _parse(args)
    if not pkgs:  # the whole database: the base image's answer
        proc = subprocess.run(["dpkg-query", *args], capture_output=True)
        return proc.returncode, proc.stdout, proc.stderr
    # only a package the unit has not installed can be a hidden host package
    unknown = [p for p in pkgs if p not in installed]
    hidden = set(hostpkgs.table(model.store.path)) if unknown else set()
    host = [p for p in unknown if p not in hidden]
    out: list[str] = []
    err: list[str] = []
    rc = 0
    if host:
        options = [a for a in args if a not in pkgs]
        queried = subprocess.run(["dpkg-query", *options, *host], capture_output=True, text=True)
        text = queried.stdout
        if mode == "list" and text.startswith(LIST_HEADING[:10]):
            text = text.split("\n", 5)[5] if text.count("\n") >= 5 else ""
        out.append(text)
        err.append(queried.stderr)
        rc = queried.returncode
    for pkg in pkgs:
        if pkg in installed:
            out.append(_record(mode, fmt, pkg, installed[pkg]))
        elif pkg in hidden:
            err.append(_not_found(mode, pkg))
            rc = 1
    body = "".join(out)
    if mode == "list" and body:
        body = LIST_HEADING + body
    return rc, body.encode(), "".join(err).encode()
