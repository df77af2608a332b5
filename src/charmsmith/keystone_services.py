"""Keystone's view of the service table: which names it registers, under which catalog type.

The keystone charm does not take a consumer's word for what it is: it registers a catalog
entry only for a ``service`` name it lists, under the type from its own list. A charm whose
service is not listed gets no credentials on a real deployment, so the generator (warning at
the question, deriving ``service_type``) and the model's emulated keystone (refusing such a
request) both read it, from :mod:`charmsmith.openstack_services`.
"""

from __future__ import annotations

from charmsmith.openstack_services import SERVICES

#: Where the table comes from, for messages that tell the user what keystone must learn.
SOURCE = "charm-keystone's valid_services (hooks/keystone_utils.py)"

#: service name a consumer sends -> catalog type keystone registers it under.
SERVICE_TYPES: dict[str, str] = {
    s.name: s.catalog_type for s in SERVICES if s.catalog_type is not None
}


def catalog_type(service: str) -> str | None:
    """The type keystone registers ``service`` under, or None when keystone refuses the name."""
    return SERVICE_TYPES.get(service)


def unknown_service_warning(service: str, field: str = "service_name") -> str | None:
    """One line for a service name keystone will not register (None when it will).

    Says what a real deployment does with it and the two ways out, because the failure shows up
    far from the cause: in the keystone unit's hook, after the charm is built and deployed.
    """
    if service in SERVICE_TYPES:
        return None
    return (
        f"{field}: keystone does not register {service!r} (not in {SOURCE}); on a real "
        "deployment keystone's identity-service hook fails on it and this charm never gets "
        "credentials - use a listed name (e.g. the project's own, like 'glance') or have the "
        "keystone charm learn it first"
    )


def type_mismatch_warning(
    service: str, service_type: str, field: str = "service_type"
) -> str | None:
    """One line when keystone would register ``service`` under a different type (else None)."""
    registered = SERVICE_TYPES.get(service)
    if registered is None or registered == service_type:
        return None
    return (
        f"{field}: keystone registers {service!r} as {registered!r}, not {service_type!r} "
        f"({SOURCE}); clients look the endpoint up by {registered!r}"
    )
