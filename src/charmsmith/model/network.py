"""The model's private network: one bridge, one network namespace + veth per unit.

Why documentation ranges (RFC 5737, then RFC 2544's): they are never routed on the internet,
the bridge is the only place the chosen one exists and unit namespaces get no default route,
so nothing a unit sends can leave the machine. A range the host already routes, or one holding
an address the host must keep reaching (its nameservers, package indexes), is never taken: it
would cut the host off. Each unit has its own namespace, so two can listen on one port; host
object names carry the model's short id so models never collide.

Details: docs/model.md, 'Units: isolation'.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
import subprocess
from pathlib import Path

from charmsmith.errors import CharmsmithError
from charmsmith.model.state import ModelState, Unit

NETNS_DIR = Path("/run/netns")


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise CharmsmithError(f"ip {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc


CANDIDATE_SUBNETS = [
    "198.51.100.0/24",
    "203.0.113.0/24",
    "192.0.2.0/24",
    *(f"198.18.{n}.0/24" for n in range(8)),
]

# Hosts the machine must keep reaching (package indexes), whatever the model does.
EGRESS_HOSTS = ("pypi.org", "files.pythonhosted.org", "deb.debian.org", "registry.npmjs.org")


def host_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 prefix the host routes or owns (routes of all tables + interface addresses)."""
    nets = []
    for args in (["-4", "route", "show", "table", "all"], ["-4", "-o", "addr", "show"]):
        for line in _ip(*args, check=False).stdout.splitlines():
            for word in line.split():
                if "." in word and word[0].isdigit():
                    try:
                        nets.append(ipaddress.IPv4Network(word, strict=False))
                    except ValueError:
                        pass
    return nets


def egress_addresses() -> list[ipaddress.IPv4Address]:
    """The resolver's nameservers and the package-index hosts' IPv4 addresses."""
    found: set[str] = set()
    try:
        for line in Path("/etc/resolv.conf").read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "nameserver":
                found.add(words[1])
    except OSError:
        pass
    for name in EGRESS_HOSTS:
        try:
            found.update(str(info[4][0]) for info in socket.getaddrinfo(name, 443, socket.AF_INET))
        except OSError:
            pass  # offline: nothing to protect
    addresses = []
    for text in found:
        try:
            addresses.append(ipaddress.IPv4Address(text))
        except ValueError:
            pass  # an IPv6 nameserver cannot clash with an IPv4 bridge
    return addresses


def _clashes(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network,
    taken: list[ipaddress.IPv4Network],
    egress: list[ipaddress.IPv4Address],
) -> bool:
    return any(net.overlaps(other) for other in taken) or any(a in net for a in egress)


def overlaps_host(subnet: str, own_bridge: str | None = None) -> bool:
    net = ipaddress.ip_network(subnet)
    if own_bridge and _ip("link", "show", own_bridge, check=False).returncode == 0:
        return False  # already ours
    return _clashes(net, host_networks(), egress_addresses())


def pick_subnet() -> str:
    """CHARMSMITH_SUBNET if set (checked later), else the first documentation range not in use."""
    explicit = os.environ.get("CHARMSMITH_SUBNET")
    if explicit:
        return explicit
    # read once: egress_addresses() asks DNS, which is slow to fail on an offline machine
    taken, egress = host_networks(), egress_addresses()
    for candidate in CANDIDATE_SUBNETS:
        if not _clashes(ipaddress.ip_network(candidate), taken, egress):
            return candidate
    raise CharmsmithError(
        "every unrouted candidate range (" + ", ".join(CANDIDATE_SUBNETS) + ") is already used"
        " on this host; destroy another model or set CHARMSMITH_SUBNET"
    )


def gateway(state: ModelState) -> str:
    return str(next(iter(ipaddress.ip_network(state.subnet).hosts())))


def prefixlen(state: ModelState) -> int:
    return ipaddress.ip_network(state.subnet).prefixlen


def allocate_address(state: ModelState) -> str:
    """Next free host address of the model subnet (.1 is the bridge)."""
    net = ipaddress.ip_network(state.subnet)
    index = state.next_host
    if index >= net.num_addresses - 1:
        raise CharmsmithError(f"model subnet {net} is full")
    state.next_host = index + 1
    return str(net.network_address + index)


def ensure_bridge(state: ModelState) -> None:
    """Create the model bridge with the gateway address (idempotent)."""
    bridge = state.bridge
    if _ip("link", "show", bridge, check=False).returncode != 0:
        if overlaps_host(state.subnet):
            raise CharmsmithError(
                f"model subnet {state.subnet} overlaps a network of this host; the model"
                " would shadow it. Destroy this model and retry (another range is picked)"
            )
        _ip("link", "add", bridge, "type", "bridge")
        _ip("addr", "add", f"{gateway(state)}/{prefixlen(state)}", "dev", bridge)
    _ip("link", "set", bridge, "up")


# Host object names take the model id and the unit's index, plain values: destroy
# (teardown.py) takes them from a document the records may not load.


def netns_name(model_id: str, index: int) -> str:
    return f"cs{model_id}-{index}"


def veth_name(model_id: str, index: int) -> str:
    """The host end of the unit's veth pair, on the bridge."""
    return f"csv{model_id}{index}"


def netns_path(state: ModelState, unit: Unit) -> str:
    return str(NETNS_DIR / netns_name(state.id, unit.index))


def create_unit_network(state: ModelState, unit: Unit) -> None:
    """Namespace + veth pair (host end on the bridge, `eth0` inside with the unit address)."""
    ensure_bridge(state)
    ns = netns_name(state.id, unit.index)
    host_end = veth_name(state.id, unit.index)
    if not (NETNS_DIR / ns).exists():
        _ip("netns", "add", ns)
    if _ip("link", "show", host_end, check=False).returncode != 0:
        _ip("link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns", ns)
    _ip("link", "set", host_end, "master", state.bridge, "up")
    _ip("-n", ns, "link", "set", "lo", "up")
    addr = f"{unit.address}/{prefixlen(state)}"
    if addr.split("/")[0] not in _ip("-n", ns, "addr", "show", "eth0").stdout:
        _ip("-n", ns, "addr", "add", addr, "dev", "eth0")
    _ip("-n", ns, "link", "set", "eth0", "address", unit_mac(state, unit))
    _ip("-n", ns, "link", "set", "eth0", "up")


def unit_mac(state: ModelState, unit: Unit) -> str:
    """eth0's MAC: locally administered and fixed per model and unit, so network-get can name
    it without asking the kernel (Juju reports the NIC's MAC in bind-addresses)."""
    digest = hashlib.sha256(f"{state.id}/{unit.index}".encode()).digest()
    return ":".join(f"{b:02x}" for b in (0x02, *digest[:5]))


def add_bridge_address(state: ModelState, address: str) -> None:
    """Peers played in-process answer on the bridge itself, so their addresses are reachable."""
    ensure_bridge(state)
    _ip("addr", "add", f"{address}/32", "dev", state.bridge, check=False)


def del_bridge_address(bridge: str, address: str) -> None:
    """Undo add_bridge_address (a peer unit whose deploy was rolled back)."""
    _ip("addr", "del", f"{address}/32", "dev", bridge, check=False)


def accepts(address: str, port: int, timeout: float = 0.2) -> bool:
    """Whether a TCP connect succeeds (callers pass bridge or loopback addresses only)."""
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def netns_pids(state: ModelState, unit: Unit) -> list[int]:
    proc = _ip("netns", "pids", netns_name(state.id, unit.index), check=False)
    return [int(p) for p in proc.stdout.split()]


def remove_unit_network(model_id: str, index: int) -> None:
    _ip("link", "del", veth_name(model_id, index), check=False)
    _ip("netns", "del", netns_name(model_id, index), check=False)


def remove_bridge(bridge: str) -> None:
    _ip("link", "del", bridge, check=False)


def add_unit_address(state: ModelState, unit: Unit, address: str, prefix: int) -> None:
    """A VIP on a unit's eth0 (hacluster peer), and the host's neighbour entry pointed at it."""
    ns = netns_name(state.id, unit.index)
    _ip("-n", ns, "addr", "add", f"{address}/{prefix}", "dev", "eth0", check=False)
    # no arping here: do a gratuitous ARP's job for the host side of the bridge
    link = _ip("-n", ns, "-o", "link", "show", "eth0", check=False).stdout
    if "link/ether " in link:
        mac = link.split("link/ether ")[1].split()[0]
        _ip(
            "neigh",
            "replace",
            address,
            "lladdr",
            mac,
            "dev",
            state.bridge,
            "nud",
            "stale",
            check=False,
        )


def del_unit_address(state: ModelState, unit: Unit, address: str, prefix: int) -> None:
    _ip(
        "-n",
        netns_name(state.id, unit.index),
        "addr",
        "del",
        f"{address}/{prefix}",
        "dev",
        "eth0",
        check=False,
    )


def set_link(state: ModelState, unit: Unit, up: bool) -> None:
    """A failed unit drops off the bridge: its eth0 goes down."""
    _ip(
        "-n",
        netns_name(state.id, unit.index),
        "link",
        "set",
        "eth0",
        "up" if up else "down",
        check=False,
    )
