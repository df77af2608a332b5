"""The shared base of charmsmith's interface layers: flag bookkeeping and wire text.

Every interface layer recomputes its public flags from the relation data at the start of each
hook, sets or clears a flag only when its value changes (``clear_flag`` always makes
charms.reactive re-test handlers), and reads values that the real provider charms send as raw
strings while Endpoint-style peers send JSON. Keeping one copy here makes the layers agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, overload

from charmhelpers.core import hookenv
from charms.reactive import Endpoint, clear_flag, is_flag_set, set_flag


def wire_text(value: Any) -> str | None:
    """A relation value as plain text, or None when it carries nothing.

    A JSON string literal (an Endpoint-style peer's ``'"abc"'``) is unwrapped; JSON ``null``,
    ``""`` and whitespace mean absent. Nothing else is JSON-decoded, so a password such as
    ``1234`` stays text, as the real charms sent it.
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


def first_text(values: Iterable[Any]) -> str | None:
    """The first of ``values`` that carries text (see :func:`wire_text`), else None."""
    for value in values:
        text = wire_text(value)
        if text is not None:
            return text
    return None


def wire_truthy(value: Any) -> bool:
    """A boolean as the charms send it: ``True``/``true``/``yes`` in any case, quoted or not."""
    text = wire_text(value)
    return text is not None and text.strip().lower() in ("true", "yes")


def wire_port(value: Any) -> int | None:
    """A TCP port; anything that is not one (``'abc'``, ``'0'``, ``'99999'``) is None."""
    text = wire_text(value)
    if text is None:
        return None
    try:
        port = int(text.strip())
    except ValueError:
        return None
    return port if 0 < port < 65536 else None


def toggle_flag(flag: str, value: bool) -> None:
    """Set or clear ``flag`` only when that changes it."""
    if value and not is_flag_set(flag):
        set_flag(flag)
    elif not value and is_flag_set(flag):
        clear_flag(flag)


class FlagEndpoint(Endpoint):
    """An Endpoint whose flags are recomputed from the relation data in every hook.

    charms.reactive calls :meth:`manage_flags` at start-up of every hook of the relation (and
    while it is absent), so a departed unit or withdrawn value clears ``.available`` before any
    charm handler acts on stale data. Subclasses implement :meth:`update_flags`.
    """

    def manage_flags(self) -> None:
        self.update_flags()
        for suffix in ("changed", "departed"):
            toggle_flag(self.expand_name(suffix), False)

    def update_flags(self) -> None:
        raise NotImplementedError

    def flag(self, suffix: str) -> str:
        """``<endpoint name>.<suffix>``."""
        return self.expand_name("{endpoint_name}." + suffix)

    def remote(self, key: str) -> str | None:
        """First non-empty value of ``key`` among the joined remote units (lowest id first)."""
        return first_text(unit.received_raw.get(key) for unit in self.all_joined_units)

    def local(self, key: str) -> str | None:
        """What we published under ``key``: our own databag is the record of our requests."""
        return first_text(relation.to_publish_raw.get(key) for relation in self.relations)

    def own_address(self) -> str | None:
        """The address the remote side sees us on: this relation's binding, else the unit's."""
        try:
            return hookenv.network_get_primary_address(self.endpoint_name)
        except Exception:  # noqa: BLE001 - network-get absent or failing: fall back, as Juju 1.x
            return hookenv.unit_private_ip()

    def publish_raw(self, settings: Mapping[str, str | None]) -> None:
        """Write raw values to every relation, touching only keys whose value changed.

        None removes a key (``relation-set key=``); an unchanged key is not touched, so a
        steady-state hook costs no ``relation-set``.
        """
        for relation in self.relations:
            databag = relation.to_publish_raw
            for key, value in settings.items():
                if value is None:
                    if databag.get(key) is not None:
                        databag[key] = None
                elif databag.get(key) != value:
                    databag[key] = value


class RelationValue:
    """An accessor method ``<name>()``: what the remote units sent under the key ``<name>``.

    Declared in the class body (``ssl_ca = RelationValue("Base64 CA ...")``) instead of one
    three-line method per key; with ``local=True`` it answers what we published there.
    """

    def __init__(self, doc: str, local: bool = False) -> None:
        self.__doc__ = doc
        self.key = ""
        self.local = local

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    @overload
    def __get__(self, endpoint: None, owner: type) -> RelationValue: ...
    @overload
    def __get__(
        self, endpoint: FlagEndpoint, owner: type | None = None
    ) -> Callable[[], str | None]: ...
    def __get__(
        self, endpoint: FlagEndpoint | None, owner: type | None = None
    ) -> RelationValue | Callable[[], str | None]:
        if endpoint is None:
            return self
        return lambda: self(endpoint)

    def __call__(self, endpoint: FlagEndpoint) -> str | None:
        return endpoint.local(self.key) if self.local else endpoint.remote(self.key)
