"""Requires side of the ``keystone`` interface (relation usually named ``identity-service``).

An API charm asks keystone to put its endpoints in the service catalog and receives the service
credentials and the keystone address it needs for ``[keystone_authtoken]``; the keys are the
ones the real keystone charm reads and writes. Flags are recomputed from relation data in
:meth:`KeystoneRequires.manage_flags` at the start of every hook, so importing this module
reads no metadata and touches no hook tool.

Details (wire keys, flags): docs/architecture.md, 'Interface layer APIs'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from subprocess import CalledProcessError
from typing import Any

from charms.layer.charmsmith_endpoint import FlagEndpoint, first_text, toggle_flag, wire_port
from reactive_openstack.wire_keys import (
    KEYSTONE_BASE_KEYS,
    KEYSTONE_KEYS,
    KEYSTONE_PORT_KEYS,
    KEYSTONE_SSL_KEYS,
)

# The key lists the runtime's adapters and test fakes use too (one source, in the runtime every
# charmsmith-built charm carries): BASE_KEYS make `.available`, each of ACCESSOR_KEYS has an
# accessor method, SSL_KEYS make `.available.ssl`.
BASE_KEYS: tuple[str, ...] = KEYSTONE_BASE_KEYS
ACCESSOR_KEYS: tuple[str, ...] = KEYSTONE_KEYS
SSL_KEYS: tuple[str, ...] = KEYSTONE_SSL_KEYS

# Everything keystone may send that a consumer can ask for through get() / an accessor.
KNOWN_KEYS: tuple[str, ...] = tuple(
    dict.fromkeys(
        ACCESSOR_KEYS
        + SSL_KEYS
        + ("ssl_cert", "ssl_key", "public-auth-url", "internal-auth-url", "admin-auth-url")
    )
)

# keystone-k8s publishes in the application databag under these names; every other key there is
# the unit-databag key with "_" replaced by "-".
APP_KEY_NAMES: dict[str, str] = {
    "service_username": "service-user-name",
    "service_tenant": "service-project-name",
    "service_tenant_id": "service-project-id",
    "service_domain": "service-domain-name",
}

# keystone uses this placeholder for "no certificate"; it must never count as a value.
NULL_MARKER = "__null__"

FLAG_SUFFIXES: tuple[str, ...] = ("connected", "available", "available.auth", "available.ssl")


def _app_key(key: str) -> str:
    """Name under which keystone-k8s publishes ``key`` in its application databag."""
    return APP_KEY_NAMES.get(key, key.replace("_", "-"))


_UNIT_KEY_NAMES: dict[str, str] = {_app_key(key): key for key in KNOWN_KEYS}


class KeystoneRequires(FlagEndpoint):
    """Consumer side of the keystone interface; one instance per relation name in metadata."""

    # -- flags ---------------------------------------------------------------------------------

    def update_flags(self) -> None:
        joined = self.is_joined
        available = joined and self.base_data_complete()
        toggle_flag(self.flag("connected"), joined)
        toggle_flag(self.flag("available"), available)
        toggle_flag(self.flag("available.auth"), available)
        toggle_flag(self.flag("available.ssl"), available and self._ssl_complete())

    def _ssl_complete(self) -> bool:
        return all(self.get(key) not in (None, NULL_MARKER) for key in SSL_KEYS)

    # -- what we send --------------------------------------------------------------------------

    def register_endpoints(
        self,
        service: str,
        region: str,
        public_url: str,
        internal_url: str,
        admin_url: str,
        requested_roles: Iterable[str] | str | None = None,
        add_role_to_admin: Iterable[str] | str | None = None,
    ) -> None:
        """Ask keystone to register our endpoints, on every relation of this endpoint.

        Values go out as raw strings because the keystone charm reads them raw; a key whose value
        is unchanged is not touched, so a steady-state hook causes no ``relation-set``.
        """
        settings = {
            "service": service,
            "region": region,
            "public_url": public_url,
            "internal_url": internal_url,
            "admin_url": admin_url,
        }
        if requested_roles is not None:
            settings["requested_roles"] = _comma_join(requested_roles)
        if add_role_to_admin is not None:
            settings["add_role_to_admin"] = _comma_join(add_role_to_admin)
        self.publish_raw(settings)

    # -- what we read --------------------------------------------------------------------------

    def _app_databags(self) -> Iterator[Any]:
        """Remote application databags, lowest relation id first.

        Relations with no joined unit are skipped: charms.reactive would then resolve the
        application name to *our own* application and hand back our own data.
        """
        for relation in self.relations:
            if not relation.joined_units:
                continue
            try:
                databag = relation.received_app_raw
            except (CalledProcessError, OSError):
                # An agent without application data (Juju < 2.7): the unit data still counts.
                continue
            yield databag

    def get(self, key: str) -> str | None:
        """Value keystone sent for ``key``: application databag first, then the unit databags.

        Returns None when nobody sent it (or sent an empty value); never raises on odd data.
        """
        app_key = _app_key(key)
        from_app = first_text(databag.get(app_key) for databag in self._app_databags())
        return from_app if from_app is not None else self.remote(key)

    def all_data(self) -> dict[str, str]:
        """Every value keystone sent, merged (app databag wins), under unit-databag key names."""
        keys: set[str] = set()
        for databag in self._app_databags():
            keys.update(_UNIT_KEY_NAMES.get(name, name) for name in (databag.data or {}))
        for unit in self.all_joined_units:
            keys.update(unit.received_raw.data or {})
        merged = {}
        for key in sorted(keys):
            value = self.get(key)
            if value is not None:
                merged[key] = value
        return merged

    def base_data_complete(self) -> bool:
        """True when the ten values needed to authenticate are present (ports must be numeric)."""
        if any(self.get(key) is None for key in BASE_KEYS):
            return False
        return all(wire_port(self.get(key)) is not None for key in KEYSTONE_PORT_KEYS)


def _accessor(key: str) -> Callable[[KeystoneRequires], str | int | None]:
    """The accessor method of ``key``: keystone's value, a port as an int (None unless numeric)."""

    def accessor(self: KeystoneRequires) -> str | int | None:
        value = self.get(key)
        return wire_port(value) if key in KEYSTONE_PORT_KEYS else value

    accessor.__name__, accessor.__qualname__ = key, f"KeystoneRequires.{key}"
    accessor.__doc__ = f"Keystone's ``{key}`` (None until sent)."
    return accessor


for _key in ACCESSOR_KEYS:
    setattr(KeystoneRequires, _key, _accessor(_key))


def _comma_join(values: Iterable[str] | str) -> str:
    """Keystone splits role lists on commas; a single string is sent as it is."""
    if isinstance(values, str):
        return values
    return ",".join(str(value) for value in values)
