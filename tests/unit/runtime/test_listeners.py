"""Listening TCP ports: the sock_diag dump and the /proc tables agree, and a refused netlink
socket falls back to the tables."""

from __future__ import annotations

import socket
import textwrap

import pytest
from reactive_openstack import _listeners as listeners


def test_parse_proc_net_tcp_only_listeners():
    table = textwrap.dedent(
        """\
          sl  local_address rem_address   st tx_queue rx_queue
           0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000
           1: 0100007F:0016 0100007F:9C40 01 00000000:00000000 00:00000000 00000000
           2: 00000000000000000000000000000000:06FD 00000000000000000000000000000000:0000 0A x
        """
    )
    assert listeners.parse_proc_net_tcp(table) == {8080, 1789}


@pytest.fixture
def sockets():
    """A v4 and a v6 listener, and a connected (not listening) socket pair."""
    opened = []

    def listen(family, address):
        sock = socket.socket(family, socket.SOCK_STREAM)
        opened.append(sock)
        sock.bind((address, 0))
        sock.listen()
        return sock.getsockname()[1]

    v4 = listen(socket.AF_INET, "127.0.0.1")
    v6 = listen(socket.AF_INET6, "::1") if socket.has_ipv6 else None
    client = socket.create_connection(("127.0.0.1", v4))
    opened.append(client)
    yield v4, v6, client.getsockname()[1]
    for sock in opened:
        sock.close()


def test_the_netlink_dump_finds_listeners_and_only_them(sockets):
    v4, v6, connected = sockets
    found = listeners._diag_dump(socket.AF_INET) | listeners._diag_dump(socket.AF_INET6)
    assert v4 in found and connected not in found
    from_proc = listeners._from_proc()  # the tables agree on these sockets
    assert v4 in from_proc and connected not in from_proc
    if v6 is not None:
        assert v6 in found and v6 in from_proc


def test_a_refused_netlink_socket_falls_back_to_proc(sockets, monkeypatch):
    v4, _, connected = sockets

    def refused(family):
        raise PermissionError("netlink refused")

    monkeypatch.setattr(listeners, "_diag_dump", refused)
    found = listeners.listening_ports()
    assert v4 in found and connected not in found
