"""Addresses and ports of the real host: network-get, unit-get, opened-ports, /proc.

A mixin of JujuHost. Each hook-tool answer is read once per hook (and, inside a reactive hook,
taken from the base layer's cross-hook fact cache); opening a port already open costs nothing.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from reactive_openstack._hook_tools import CommandFailed, HookToolCaller, hook_facts


class JujuNetwork(HookToolCaller):
    """Mixed into JujuHost: bindings, local addresses, opened and listening ports."""

    def unit_address(self) -> str:
        return self._cached(
            "unit-address", lambda: self._call(["unit-get", "private-address"]).strip()
        )

    def _network_get(self, binding: str) -> dict[str, Any] | None:
        facts = hook_facts()

        def load() -> dict[str, Any] | None:
            try:
                if facts is not None:
                    info: dict[str, Any] | None = facts.network_info(binding)
                    return info
                data: dict[str, Any] = json.loads(
                    self._call(["network-get", binding, "--format=json"])
                )
                return data
            except (CommandFailed, subprocess.CalledProcessError, OSError, ValueError):
                return None

        return self._cached(f"network-get:{binding}", load)

    def _primary(self, binding: str) -> dict[str, Any] | None:
        data = self._network_get(binding)
        if not data:
            return None
        for info in data.get("bind-addresses") or []:
            for addr in info.get("addresses") or []:
                if addr.get("address") or addr.get("value"):
                    return dict(addr)
        ingress = data.get("ingress-addresses") or []
        return {"address": ingress[0]} if ingress else None

    def binding_address(self, binding: str) -> str | None:
        addr = self._primary(binding)
        if not addr:
            return None
        return str(addr.get("address") or addr.get("value") or "") or None

    def binding_network(self, binding: str) -> str | None:
        addr = self._primary(binding)
        cidr = addr.get("cidr") if addr else None
        return str(cidr) if cidr else None

    def local_addresses(self) -> list[tuple[str, str, int]]:
        """Read from the kernel once per hook: which interface carries which network."""
        import reactive_openstack._netaddrs as netaddrs

        return self._cached("local-addresses", netaddrs.local_addresses)

    # -- ports ----------------------------------------------------------------------------------

    def opened_ports(self) -> set[int]:
        def load() -> set[int]:
            raw = json.loads(self._call(["opened-ports", "--format=json"]) or "[]") or []
            ports: set[int] = set()
            for item in raw:
                number, _, proto = str(item).partition("/")
                if proto in ("", "tcp") and number.isdigit():
                    ports.add(int(number))
            return ports

        return self._cached("opened-ports", load)

    def open_port(self, port: int) -> None:
        ports = self.opened_ports()
        if port in ports:
            return
        self._call(["open-port", f"{port}/tcp"])
        ports.add(port)

    def close_port(self, port: int) -> None:
        ports = self.opened_ports()
        if port not in ports:
            return
        self._call(["close-port", f"{port}/tcp"])
        ports.discard(port)

    def listening_ports(self) -> set[int]:
        import reactive_openstack._listeners as listeners

        return listeners.listening_ports()
