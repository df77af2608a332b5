"""Requires side of the ``rabbitmq`` interface (relation usually named ``amqp``).

The charm asks rabbitmq-server for a user and a vhost; each broker unit answers with the
password and its address, from which the charm builds its oslo.messaging ``transport_url``.
What we asked for is read back from our own unit databag, the single source of truth.

Details (wire keys, flags): docs/architecture.md, 'Interface layer APIs'.
"""

from __future__ import annotations

from charms.layer.charmsmith_endpoint import (
    FlagEndpoint,
    RelationValue,
    toggle_flag,
    wire_port,
    wire_text,
    wire_truthy,
)

FLAG_SUFFIXES: tuple[str, ...] = ("connected", "available", "available.ssl")


class RabbitMQRequires(FlagEndpoint):
    """Consumer side of the rabbitmq interface."""

    # -- flags ---------------------------------------------------------------------------------

    def update_flags(self) -> None:
        joined = self.is_joined
        available = (
            joined
            and self.username() is not None
            and self.vhost() is not None
            and bool(self.rabbitmq_ready_hosts())
        )
        ssl = available and self.ssl_port() is not None and self.ssl_ca() is not None
        toggle_flag(self.flag("connected"), joined)
        toggle_flag(self.flag("available"), available)
        toggle_flag(self.flag("available.ssl"), ssl)

    # -- what we send --------------------------------------------------------------------------

    def request_access(self, username: str, vhost: str, hostname: str | None = None) -> None:
        """Ask for ``username`` on ``vhost``, connecting from ``hostname``.

        ``hostname`` defaults to this relation's binding address, else the unit's private
        address.  Values go out as raw strings, only when they differ from what was sent.
        """
        settings = {
            "username": username,
            "vhost": vhost,
            "private-address": hostname or self.own_address(),
        }
        self.publish_raw({key: value for key, value in settings.items() if value is not None})
        self.update_flags()

    # -- what we read --------------------------------------------------------------------------

    username = RelationValue("The user we asked for.", local=True)
    vhost = RelationValue("The vhost we asked for.", local=True)
    password = RelationValue("Password of our user, from the first broker unit that sent it.")
    ssl_ca = RelationValue("Base64 CA the brokers' TLS certificate is signed with.")
    vip = RelationValue("The brokers' VIP, when clustered with hacluster.")

    def ssl_port(self) -> int | None:
        """TLS listener port when sent and numeric."""
        return wire_port(self.remote("ssl_port"))

    def ha_queues(self) -> bool:
        """Whether the brokers mirror queues (oslo's ``rabbit_ha_queues``)."""
        return wire_truthy(self.remote("ha_queues"))

    def clustered(self) -> bool:
        """Whether the brokers report being clustered behind a VIP."""
        return wire_truthy(self.remote("clustered"))

    def rabbitmq_ready_hosts(self) -> list[str]:
        """Sorted, distinct addresses of broker units that have sent our password.

        A broker that has not created the user yet must not appear in the transport URL, or
        the service would try (and fail) to log in there.
        """
        hosts: set[str] = set()
        for unit in self.all_joined_units:
            address = wire_text(unit.received_raw.get("private-address"))
            if address is not None and wire_text(unit.received_raw.get("password")) is not None:
                hosts.add(address.strip())
        return sorted(hosts)
