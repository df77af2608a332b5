"""Which local TCP ports have a listener, asked of the kernel the way ``ss -ltn`` asks.

Why: the status check runs in every hook, and reading ``/proc/net/tcp`` and ``tcp6`` makes the
kernel walk its whole established-connection table, about 10 ms per file on a busy host, where a
sock_diag netlink dump restricted to the LISTEN state (man 7 sock_diag) walks only the listening
sockets. The ``/proc`` tables stay as the fallback for a kernel or sandbox that refuses the
netlink socket.
"""

from __future__ import annotations

import socket
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
TCP_LISTEN = 10
#: nlmsghdr: length, type, flags, sequence, port id (host byte order)
_NLMSGHDR = struct.Struct("=IHHII")
#: inet_diag_req_v2: family, protocol, extensions, pad, state mask, then a zeroed socket id
_REQUEST = struct.Struct("=BBBBI48x")
#: in an inet_diag_msg the source port follows family, state, timer and retransmits
_SPORT_OFFSET = 4


def parse_proc_net_tcp(text: str) -> set[int]:
    """The local ports in LISTEN state (``0A``) of a /proc/net/tcp{,6} table."""
    ports: set[int] = set()
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A":
            continue
        _, _, port_hex = fields[1].rpartition(":")
        try:
            ports.add(int(port_hex, 16))
        except ValueError:
            continue
    return ports


def _diag_dump(family: int) -> set[int]:
    """Ports of the listening TCP sockets of one address family (OSError if refused)."""
    request = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, 1 << TCP_LISTEN)
    header = _NLMSGHDR.pack(
        _NLMSGHDR.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0
    )
    ports: set[int] = set()
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as sock:
        sock.sendall(header + request)
        while True:
            data = sock.recv(65536)
            if not data:
                raise OSError("sock_diag: the kernel closed the dump")
            offset = 0
            while offset + _NLMSGHDR.size <= len(data):
                length, kind, _, _, _ = _NLMSGHDR.unpack_from(data, offset)
                if kind == NLMSG_DONE:
                    return ports
                if kind == NLMSG_ERROR or length < _NLMSGHDR.size:
                    raise OSError("sock_diag: the kernel refused the dump")
                body = offset + _NLMSGHDR.size
                if data[body + 1] == TCP_LISTEN:
                    (port,) = struct.unpack_from("!H", data, body + _SPORT_OFFSET)
                    ports.add(port)
                offset += (length + 3) & ~3


def _from_proc() -> set[int]:
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as handle:
                ports |= parse_proc_net_tcp(handle.read())
        except OSError:
            continue
    return ports


def listening_ports() -> set[int]:
    """Local TCP ports in LISTEN state, IPv4 and IPv6."""
    try:
        return _diag_dump(socket.AF_INET) | _diag_dump(socket.AF_INET6)
    except OSError:
        return _from_proc()
