"""A unit's private filesystem view: overlays over the host's system dirs, upper dirs in the model.

Why overlays: the charm must run with the host's Python and libraries, yet nothing it writes may
land in the host's /etc; each upper dir lives under <model>/units/<unit>/upper/, so what a unit
wrote is inspectable from the host. The view is built by the small C launcher in a fresh mount
namespace (cheap; a killed command leaves no mounts). It is seeded to look like an Ubuntu jammy
unit where charm code checks (os-release, PATH, no host pip config, Juju's agent layout).

Details: docs/model.md, 'Units: isolation'.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

from charmsmith.errors import CharmsmithError
from charmsmith.model.state import ModelState, Unit

OVERLAY_DIRS = [
    "/usr",  # before /usr/local, which is an overlay of its own on top
    "/etc",
    "/var/lib",
    "/var/log",
    "/usr/local",
    "/opt",
    "/srv",
    "/root",
    "/run",
    "/tmp",
]
# /tmp always starts empty (a unit never sees the host's scratch files or the model dir itself).
PRIVATE_LOWER = {"/tmp"}

TOOLS_MOUNT = "/var/lib/juju/charmsmith"  # the model's bin/ + socket, bind-mounted into each unit
TOOLS_BIN = f"{TOOLS_MOUNT}/bin"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HOOK_PATH = f"{TOOLS_BIN}:{SYSTEM_PATH}"
REAL_HOOK_PATH = f"{TOOLS_MOUNT}/bin-real:{SYSTEM_PATH}"


def hook_path(real: bool) -> str:
    """Tools first; real-mode units see no shims (the real apt-get/service run)."""
    return REAL_HOOK_PATH if real else HOOK_PATH


SHIMMED_BINARIES = [
    "/usr/bin/apt-get",
    "/usr/bin/apt-cache",
    "/usr/bin/dpkg-query",
    "/usr/bin/systemctl",
    "/usr/sbin/service",
    "/usr/bin/add-apt-repository",
]
HIDDEN_FILES = ["/etc/pip.conf", "/root/.config/pip/pip.conf", "/etc/xdg/pip/pip.conf"]

OS_RELEASE = """PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
UBUNTU_CODENAME=jammy
"""
LSB_RELEASE = """DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=22.04
DISTRIB_CODENAME=jammy
DISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"
"""


def unit_tag(name: str) -> str:
    """`congress/0` -> `unit-congress-0` (Juju's agent directory name)."""
    return "unit-" + name.replace("/", "-")


def unit_dir(model_dir: Path, name: str) -> Path:
    return model_dir / "units" / name.replace("/", "-")


def charm_dir_in_unit(name: str) -> str:
    return f"/var/lib/juju/agents/{unit_tag(name)}/charm"


def upper(model_dir: Path, name: str, target: str) -> Path:
    return unit_dir(model_dir, name) / "upper" / target.strip("/").replace("/", "_")


def host_view(model_dir: Path, name: str, path: str) -> Path | None:
    """The file a unit sees at `path`, resolved from the host (upper dir first, then lower).

    Used by the emulated `service` shim to read a unit's config files without entering it.
    """
    for target in sorted(OVERLAY_DIRS, key=len, reverse=True):
        if path == target or path.startswith(target + "/"):
            candidate = upper(model_dir, name, target) / path[len(target) :].lstrip("/")
            if candidate.exists():
                return candidate
            if target in PRIVATE_LOWER:
                return None
            break
    return Path(path) if Path(path).exists() else None


def _whiteout(path: Path) -> None:
    """An overlayfs whiteout (char device 0:0) hides the lower file from the unit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mknod(path, stat.S_IFCHR | 0o000, os.makedev(0, 0))


def _in_upper(model_dir: Path, name: str, path: str) -> Path:
    for target in sorted(OVERLAY_DIRS, key=len, reverse=True):
        if path.startswith(target + "/"):
            return upper(model_dir, name, target) / path[len(target) + 1 :]
    raise ValueError(path)


def prepare_unit(
    model_dir: Path,
    unit: Unit,
    charm_src: Path,
    real: bool,
    hide_packages: Callable[[Path, str], None] | None = None,
) -> None:
    """Create the unit's upper dirs and seed them (os-release, environment, charm, whiteouts).

    An emulated unit starts without the host's packages: `hide_packages` (hostpkgs.hide_all,
    which builds on this module) whites them out.
    """
    name = unit.name
    base = unit_dir(model_dir, name)
    for target in OVERLAY_DIRS:
        for kind in ("upper", "work"):
            (base / kind / target.strip("/").replace("/", "_")).mkdir(parents=True, exist_ok=True)
    (base / "lower-empty").mkdir(exist_ok=True)
    resolved = model_dir.resolve()
    for target in OVERLAY_DIRS:
        if target not in PRIVATE_LOWER and Path(target) in [resolved, *resolved.parents]:
            raise CharmsmithError(
                f"the model dir {model_dir} is inside {target}, which units overlay;"
                " choose a model dir elsewhere (e.g. under /work or /tmp)"
            )

    def put(path: str, text: str, mode: int = 0o644) -> None:
        dest = _in_upper(model_dir, name, path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_symlink():
            dest.unlink()
        dest.write_text(text)
        dest.chmod(mode)

    put("/etc/os-release", OS_RELEASE)
    put("/etc/lsb-release", LSB_RELEASE)
    put("/etc/environment", f'PATH="{hook_path(real)}"\n')
    put("/etc/hostname", f"juju-{unit_tag(name)[5:]}\n")
    if not real:
        _in_upper(model_dir, name, "/run/systemd/system/.keep").parent.mkdir(
            parents=True, exist_ok=True
        )
    else:
        cap = haproxy_maxconn_cap()
        if cap:
            # haproxy's init script passes EXTRAOPTS; see haproxy_maxconn_cap for why
            put("/etc/default/haproxy", f'EXTRAOPTS="-n {cap}"\n')
    _in_upper(model_dir, name, TOOLS_MOUNT + "/.keep").parent.mkdir(parents=True, exist_ok=True)
    if not real and hide_packages is not None:
        hide_packages(model_dir, name)  # a fresh image has none of them installed
    for hidden in HIDDEN_FILES:
        _whiteout(_in_upper(model_dir, name, hidden))
    install_charm(model_dir, unit, charm_src)


def haproxy_maxconn_cap(wanted: int = 20000) -> int | None:
    """The connection limit haproxy can afford here, if below the runtime's `maxconn` (20000).

    haproxy.service on a real unit runs with a high LimitNOFILE; this machine's hard descriptor
    limit may be lower (20000 in this sandbox, where maxconn 20000 needs 40k) and haproxy then
    refuses to start. `-n` takes precedence over `maxconn` and only lowers a ceiling no test
    comes near.
    """
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        return None
    affordable = (hard - 100) // 2
    return affordable if affordable < wanted else None


def install_charm(model_dir: Path, unit: Unit, charm_src: Path) -> None:
    """Copy the built charm to Juju's agent layout and write the `revision` file Juju writes."""
    dest = _in_upper(model_dir, unit.name, charm_dir_in_unit(unit.name))
    if dest.exists():
        # upgrade-charm: replace the charm's files but keep what hooks created beside it (.venv);
        # written from outside, so a pinned view must not hide them: the next hook makes a new
        # one (daemons left in the old view keep it until they restart)
        release_view(model_dir, unit.name)
        shutil.rmtree(dest)
    shutil.copytree(charm_src, dest, symlinks=True)
    revision = dest / "revision"
    if not revision.exists():
        revision.write_text(str(unit.revision or 0) + "\n")
    # juju's tools dir; some helpers ask `jujud version`
    tools = _in_upper(model_dir, unit.name, "/var/lib/juju/tools/machine-0/jujud")
    tools.parent.mkdir(parents=True, exist_ok=True)
    tools.write_text("#!/bin/sh\necho 3.4.0-ubuntu-amd64\n")
    tools.chmod(0o755)


def mount_spec(model_dir: Path, state: ModelState, unit: Unit) -> Path:
    """Write the launcher's spec file (overlays, tool bind mounts, sysfs) for this unit."""
    name = unit.name
    base = unit_dir(model_dir, name)
    real = unit_mode(state, unit) == "real"
    lines: list[str] = []
    last: list[str] = []
    for target in OVERLAY_DIRS:
        key = target.strip("/").replace("/", "_")
        lower = str(base / "lower-empty") if target in PRIVATE_LOWER else target
        line = f"overlay {target} {lower} {base / 'upper' / key} {base / 'work' / key}"
        # private-lower overlays (/tmp) go last: the model dir may live under them on the host
        (last if target in PRIVATE_LOWER else lines).append(line)
    lines.append(f"bind {model_dir / 'run'} {TOOLS_MOUNT}")
    if not real:
        client = model_dir / "run" / "bin" / "apt-get"
        for binary in SHIMMED_BINARIES:
            if Path(binary).exists():
                lines.append(f"bind {client} {binary}")
    lines.extend(last)
    lines.append("sysfs /sys")
    spec = base / "mounts.spec"
    text = "\n".join(lines) + "\n"
    if not spec.exists() or spec.read_text() != text:
        spec.write_text(text)
    pin = view_pin(model_dir, name)
    if real and not pin.exists():
        pin.touch(0o600)  # asks the launcher for one pinned view (see native/hooktool.c)
    return spec


def view_pin(model_dir: Path, name: str) -> Path:
    """Where the launcher pins a real-mode unit's mount namespace (its one filesystem view).

    Emulated units have none: the shims write into their upper dirs from outside, which only
    a fresh overlay mount per command is sure to see. Real-mode units need one: their daemons
    outlive hooks (see native/hooktool.c).
    """
    return unit_dir(model_dir, name) / "mounts.spec.mntns"


def release_view(model_dir: Path, name: str) -> None:
    """Unpin the unit's mount namespace (it goes once its last process is gone)."""
    pin = view_pin(model_dir, name)
    if pin.exists():
        subprocess.run(["umount", "-l", str(pin)], capture_output=True, check=False)
        pin.unlink(missing_ok=True)  # mount_spec asks for a new one if the unit lives on


def unit_mode(state: ModelState, unit: Unit) -> str:
    """The unit's application's mode, else the model's (emulated or real)."""
    app = state.applications.get(unit.app)
    return (app.mode if app is not None else None) or state.mode
