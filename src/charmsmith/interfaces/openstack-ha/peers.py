"""Peer side of the ``openstack-ha`` interface (peer relation usually named ``cluster``).

Units of one OpenStack API application tell each other their per-binding addresses so each can
render haproxy backends for all of them.

Wire protocol (plain strings): each unit sets ``<binding>-address`` (``public-address``,
``internal-address``, ``admin-address``); Juju provides ``private-address``.

Flags: ``<ep>.connected`` while at least one peer unit is joined; ``<ep>.available`` while some
peer has a ``private-address`` (the address haproxy backends default to).
"""

from __future__ import annotations

from charms.layer.charmsmith_endpoint import FlagEndpoint, toggle_flag, wire_text

FLAG_SUFFIXES: tuple[str, ...] = ("connected", "available")


def _unit_number(unit_name: str) -> tuple[int, str]:
    """Sort key: ``app/10`` after ``app/2``; a malformed name sorts last instead of raising."""
    _, _, number = unit_name.rpartition("/")
    try:
        return (int(number), unit_name)
    except ValueError:
        return (2**31, unit_name)


class OpenStackHAPeers(FlagEndpoint):
    """The peer relation between units of one HA OpenStack application."""

    # -- flags ---------------------------------------------------------------------------------

    def update_flags(self) -> None:
        joined = self.is_joined
        toggle_flag(self.flag("connected"), joined)
        toggle_flag(self.flag("available"), joined and bool(self.ip_map()))

    # -- what we send --------------------------------------------------------------------------

    def set_address(self, address_type: str, address: str) -> None:
        """Publish our ``<address_type>-address`` to every peer, only when it changed."""
        if not address_type:
            raise ValueError("address_type must be a binding name such as 'public'")
        key = f"{address_type}-address"
        self.publish_raw({key: address})

    # -- what we read --------------------------------------------------------------------------

    def ip_map(self, address_key: str = "private-address") -> list[tuple[str, str]]:
        """``[(unit-name-with-dash, address), ...]`` for peers that sent ``address_key``.

        Sorted by unit number so rendered haproxy backends keep a stable order.
        """
        found: dict[str, str] = {}
        for unit in self.all_joined_units:
            address = wire_text(unit.received_raw.get(address_key))
            if address is not None and unit.unit_name not in found:
                found[unit.unit_name] = address.strip()
        return [(name.replace("/", "-"), found[name]) for name in sorted(found, key=_unit_number)]

    def peer_addresses(self, address_key: str = "private-address") -> list[str]:
        """Peers' addresses for ``address_key``, in the order of :meth:`ip_map`."""
        return [address for _, address in self.ip_map(address_key)]
