"""Requires side of the ``rabbitmq`` interface (relation usually named ``amqp``).

The charm asks rabbitmq-server for a user and a vhost; each broker unit answers with the password
and its address, from which the charm builds its oslo.messaging ``transport_url``.

Wire protocol (plain strings both ways):

* we set ``username``, ``vhost`` and ``private-address`` (where we connect from);
* each broker unit sets ``password`` once the user exists, and may set ``ssl_port``, ``ssl_ca``
  (base64), ``ha_queues``, ``clustered`` and ``vip``; Juju provides ``private-address``.

Flags: ``<ep>.connected`` while a broker unit is joined; ``<ep>.available`` once we have asked for
a user and vhost and at least one broker unit has sent both its address and the password;
``<ep>.available.ssl`` when in addition ``ssl_port`` (numeric) and ``ssl_ca`` are set.

What we asked for is read back from our own unit databag, the single source of truth.
"""

from __future__ import annotations

import json
from typing import Any

from charmhelpers.core import hookenv
from charms.reactive import Endpoint, clear_flag, is_flag_set, set_flag

FLAG_SUFFIXES: tuple[str, ...] = ("connected", "available", "available.ssl")


def _text(value: Any) -> str | None:
    """Return a wire value as plain text, or None when it carries nothing.

    Raw strings (what rabbitmq-server sends) pass through; a JSON string literal (what an
    Endpoint-style peer sends) is unwrapped; JSON ``null``, ``""`` and whitespace mean absent.
    Nothing else is JSON-decoded, so a password like ``1234`` stays text.
    """
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
    if not text.strip() or text == "null":
        return None
    return text


def _truthy(value: str | None) -> bool:
    """Brokers send booleans as ``True``/``true``/``yes`` in any case."""
    return value is not None and value.strip().lower() in ("true", "yes")


class RabbitMQRequires(Endpoint):
    """Consumer side of the rabbitmq interface."""

    # -- flags ---------------------------------------------------------------------------------

    def manage_flags(self) -> None:
        """Recompute the public flags at start-up of every hook of this relation.

        charms.reactive calls this on joined / changed / departed / broken (and while the
        relation is absent), so losing the last ready broker clears ``.available`` before any
        charm handler renders a transport URL without hosts.
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
        available = (
            joined
            and self.username() is not None
            and self.vhost() is not None
            and bool(self.rabbitmq_ready_hosts())
        )
        ssl = available and self.ssl_port() is not None and self.ssl_ca() is not None
        self._set(self._flag("connected"), joined)
        self._set(self._flag("available"), available)
        self._set(self._flag("available.ssl"), ssl)

    # -- what we send --------------------------------------------------------------------------

    def request_access(self, username: str, vhost: str, hostname: str | None = None) -> None:
        """Ask for ``username`` on ``vhost``, connecting from ``hostname``.

        ``hostname`` defaults to this relation's binding address, else the unit's private
        address.  Values go out as raw strings, only when they differ from what was sent.
        """
        settings = {
            "username": username,
            "vhost": vhost,
            "private-address": hostname or self._own_address(),
        }
        for relation in self.relations:
            local = relation.to_publish_raw
            for key, value in settings.items():
                if value is not None and local.get(key) != value:
                    local[key] = value
        self._update_flags()

    def _own_address(self) -> str | None:
        try:
            return hookenv.network_get_primary_address(self.endpoint_name)
        except Exception:  # noqa: BLE001 - network-get absent or failing: fall back, as Juju 1.x
            return hookenv.unit_private_ip()

    # -- what we read --------------------------------------------------------------------------

    def _remote(self, key: str) -> str | None:
        """First non-empty value of ``key`` among the joined broker units (lowest id first)."""
        for unit in self.all_joined_units:
            value = _text(unit.received_raw.get(key))
            if value is not None:
                return value
        return None

    def _local(self, key: str) -> str | None:
        for relation in self.relations:
            value = _text(relation.to_publish_raw.get(key))
            if value is not None:
                return value
        return None

    def username(self) -> str | None:
        """The user we asked for."""
        return self._local("username")

    def vhost(self) -> str | None:
        """The vhost we asked for."""
        return self._local("vhost")

    def password(self) -> str | None:
        """Password of our user, from the first broker unit that sent it."""
        return self._remote("password")

    def ssl_port(self) -> int | None:
        """TLS listener port when sent and numeric."""
        value = self._remote("ssl_port")
        if value is None:
            return None
        try:
            port = int(value.strip())
        except ValueError:
            return None
        return port if 0 < port < 65536 else None

    def ssl_ca(self) -> str | None:
        """Base64 CA the brokers' TLS certificate is signed with."""
        return self._remote("ssl_ca")

    def ha_queues(self) -> bool:
        """Whether the brokers mirror queues (oslo's ``rabbit_ha_queues``)."""
        return _truthy(self._remote("ha_queues"))

    def clustered(self) -> bool:
        """Whether the brokers report being clustered behind a VIP."""
        return _truthy(self._remote("clustered"))

    def vip(self) -> str | None:
        """The brokers' VIP, when clustered with hacluster."""
        return self._remote("vip")

    def rabbitmq_ready_hosts(self) -> list[str]:
        """Sorted, distinct addresses of broker units that have sent our password.

        A broker that has not created the user yet must not appear in the transport URL, or
        the service would try (and fail) to log in there.
        """
        hosts: set[str] = set()
        for unit in self.all_joined_units:
            address = _text(unit.received_raw.get("private-address"))
            if address is not None and _text(unit.received_raw.get("password")) is not None:
                hosts.add(address.strip())
        return sorted(hosts)
