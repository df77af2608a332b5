"""This machine's interface addresses, and which interface carries a given network.

Why: a VIP must come up on the interface that carries its network, and MAAS machines name
those ``ens3``, ``bond0`` or ``br-ex``, never reliably ``eth0``. charm-helpers answers this with
netifaces; we read the same facts from the kernel (an ioctl pair per interface for IPv4,
``/proc/net/if_inet6`` for IPv6), so the runtime needs no compiled dependency. Each address is
an ``(interface, address, prefixlen)`` triple, counted as charm-helpers counts them.

Details: docs/architecture.md, 'HA resources'.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from collections.abc import Iterable
from typing import Any

__all__ = [
    "address_in_network",
    "endpoint_address",
    "interface_for",
    "ipv6_addresses",
    "local_addresses",
    "parse_if_inet6",
]

Address = tuple[str, str, int]

# Linux ioctls on an AF_INET socket (include/uapi/linux/sockios.h)
_SIOCGIFADDR = 0x8915
_SIOCGIFNETMASK = 0x891B
# struct ifreq: 16 bytes of name, then a sockaddr_in whose address starts 4 bytes in
_ADDR = slice(20, 24)
_IF_INET6 = "/proc/net/if_inet6"
_LINK_LOCAL = 0x20


def ipv4_addresses() -> list[Address]:
    """The primary IPv4 address and prefix of every interface that has one."""
    import fcntl

    found: list[Address] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                address = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)[_ADDR]
                netmask = fcntl.ioctl(sock.fileno(), _SIOCGIFNETMASK, request)[_ADDR]
            except OSError:  # no IPv4 address on this interface
                continue
            prefix = ipaddress.IPv4Network(f"0.0.0.0/{socket.inet_ntoa(netmask)}").prefixlen
            found.append((name, socket.inet_ntoa(address), prefix))
    return found


def parse_if_inet6(text: str) -> list[Address]:
    """Global IPv6 addresses from the kernel's ``if_inet6`` table (address, index, prefix
    length, scope, flags, name; hexadecimal fields)."""
    found: list[Address] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 6 or len(fields[0]) != 32:
            continue
        try:
            scope = int(fields[3], 16)
            prefix = int(fields[2], 16)
            packed = bytes.fromhex(fields[0])
        except ValueError:
            continue
        if scope & _LINK_LOCAL:
            continue
        found.append((fields[5], str(ipaddress.IPv6Address(packed)), prefix))
    return found


def ipv6_addresses() -> list[Address]:
    try:
        with open(_IF_INET6, encoding="ascii") as handle:
            return parse_if_inet6(handle.read())
    except OSError:  # IPv6 disabled
        return []


def local_addresses() -> list[Address]:
    """Every interface address this machine holds (IPv4 primaries first, then IPv6)."""
    return ipv4_addresses() + ipv6_addresses()


def interface_for(addresses: Iterable[Address], ip: str) -> tuple[str, int] | None:
    """(interface, prefixlen) of the first local address whose network contains ``ip``."""
    try:
        wanted = ipaddress.ip_address(ip)
    except ValueError:
        return None
    for name, address, prefix in addresses:
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        if wanted.version == network.version and wanted in network:
            return name, prefix
    return None


def address_in_network(addresses: Iterable[Address], cidr: str) -> str | None:
    """The first local address inside ``cidr`` (charm-helpers' get_address_in_network)."""
    try:
        network = ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        return None
    for _, address, _ in addresses:
        ip = ipaddress.ip_address(address)
        if ip.version == network.version and ip in network:
            return address
    return None


def endpoint_address(host: Any, endpoint_type: str) -> tuple[str | None, str | None]:
    """(address, network) this unit serves ``endpoint_type`` on, for its peers.

    ``os-<type>-network`` wins when set and a local interface is on it (charm-helpers'
    ``get_relation_ip(binding, cidr)``); otherwise the Juju binding's address and network.
    """
    cidr = host.config().get(f"os-{endpoint_type}-network")
    if cidr:
        found = address_in_network(host.local_addresses(), str(cidr))
        if found:
            return found, str(ipaddress.ip_network(str(cidr).strip(), strict=False))
    return host.binding_address(endpoint_type), host.binding_network(endpoint_type)
