"""Peer side of the ``openstack-ha`` interface (peer relation usually named ``cluster``).

Units of one OpenStack API application tell each other their per-binding addresses so each can
render haproxy backends for all of them.

Wire protocol (plain strings): each unit sets ``<binding>-address`` (``public-address``,
``internal-address``, ``admin-address``); Juju provides ``private-address``.

Flags: ``<ep>.connected`` while at least one peer unit is joined; ``<ep>.available`` while some
peer has a ``private-address`` (the address haproxy backends default to).
"""

from __future__ import annotations

import json
from typing import Any

from charms.reactive import Endpoint, clear_flag, is_flag_set, set_flag

FLAG_SUFFIXES: tuple[str, ...] = ("connected", "available")


def _text(value: Any) -> str | None:
    """A wire value as plain stripped text (JSON string literals unwrapped), None if empty."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        if isinstance(decoded, str):
            text = decoded
    text = text.strip()
    if not text or text == "null":
        return None
    return text


def _unit_number(unit_name: str) -> tuple[int, str]:
    """Sort key: ``app/10`` after ``app/2``; a malformed name sorts last instead of raising."""
    _, _, number = unit_name.rpartition("/")
    try:
        return (int(number), unit_name)
    except ValueError:
        return (2**31, unit_name)


class OpenStackHAPeers(Endpoint):
    """The peer relation between units of one HA OpenStack application."""

    # -- flags ---------------------------------------------------------------------------------

    def manage_flags(self) -> None:
        """Recompute the public flags at start-up of every hook of this relation.

        charms.reactive calls this on joined / changed / departed / broken (and while no peer
        exists), so a departed peer drops out of ``.available`` at once.
        """
        self._update_flags()
        for suffix in ("changed", "departed"):
            self._set(self.expand_name(suffix), False)

    def _flag(self, suffix: str) -> str:
        return self.expand_name("{endpoint_name}." + suffix)

    @staticmethod
    def _set(flag: str, value: bool) -> None:
        """Set or clear only on change: clear_flag() always forces handler re-tests."""
        if value and not is_flag_set(flag):
            set_flag(flag)
        elif not value and is_flag_set(flag):
            clear_flag(flag)

    def _update_flags(self) -> None:
        joined = self.is_joined
        self._set(self._flag("connected"), joined)
        self._set(self._flag("available"), joined and bool(self.ip_map()))

    # -- what we send --------------------------------------------------------------------------

    def set_address(self, address_type: str, address: str) -> None:
        """Publish our ``<address_type>-address`` to every peer, only when it changed."""
        if not address_type:
            raise ValueError("address_type must be a binding name such as 'public'")
        key = f"{address_type}-address"
        for relation in self.relations:
            local = relation.to_publish_raw
            if local.get(key) != address:
                local[key] = address

    # -- what we read --------------------------------------------------------------------------

    def ip_map(self, address_key: str = "private-address") -> list[tuple[str, str]]:
        """``[(unit-name-with-dash, address), ...]`` for peers that sent ``address_key``.

        Sorted by unit number so rendered haproxy backends keep a stable order.
        """
        found: dict[str, str] = {}
        for unit in self.all_joined_units:
            address = _text(unit.received_raw.get(address_key))
            if address is not None and unit.unit_name not in found:
                found[unit.unit_name] = address
        return [(name.replace("/", "-"), found[name]) for name in sorted(found, key=_unit_number)]

    def peer_addresses(self, address_key: str = "private-address") -> list[str]:
        """Peers' addresses for ``address_key``, in the order of :meth:`ip_map`."""
        return [address for _, address in self.ip_map(address_key)]
