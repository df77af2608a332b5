"""The service names machine keystone registers, with the catalog type it gives each one.

Why a table: the keystone charm does not take a consumer's word for what it is. It registers a
catalog entry only for a ``service`` name it lists, and takes the catalog type from its own list,
not from the consumer. A charm whose service is not listed gets no credentials on a real
deployment, so both the generator (which warns at the question and derives ``service_type``
from here) and the model's emulated keystone (which refuses such a request) read this one table.

Facts from charm-keystone's ``hooks/keystone_utils.py`` (its ``valid_services`` mapping and
``ensure_valid_service`` / ``add_endpoint``), written out here by hand: name -> catalog type.
"""

from __future__ import annotations

#: Where the table comes from, for messages that tell the user what keystone must learn.
SOURCE = "charm-keystone's valid_services (hooks/keystone_utils.py)"

#: service name a consumer sends -> catalog type keystone registers it under.
SERVICE_TYPES: dict[str, str] = {
    "aodh": "alarming",
    "astara": "astara",
    "barbican": "key-manager",
    "ceilometer": "metering",
    "cinder": "volume",
    "cinderv2": "volumev2",
    "cinderv3": "volumev3",
    "cloudkitty": "rating",
    "congress": "policy",
    "contrail-analytics": "OpServer",
    "contrail-api": "ApiServer",
    "designate": "dns",
    "dmapi": "datamover",
    "ec2": "ec2",
    "glance": "image",
    "gnocchi": "metric",
    "heat": "orchestration",
    "heat-cfn": "cloudformation",
    "image-stream": "product-streams",
    "ironic": "baremetal",
    "keystone": "identity",
    "magnum": "container-infra",
    "manila": "share",
    "manilav2": "sharev2",
    "masakari": "instance-ha",
    "midonet": "network-overlay",
    "mistral": "workflowv2",
    "murano": "application-catalog",
    "nbosdmapi": "datamoverapi",
    "neutron": "network",
    "nova": "compute",
    "nova-volume": "volume",
    "octavia": "load-balancer",
    "oxygen": "oxygen",
    "panko": "event",
    "placement": "placement",
    "quantum": "network",
    "s3": "s3",
    "swift": "object-store",
    "trove": "database",
    "watcher": "infra-optim",
    "workloadmgr": "workloads",
    "zaqar": "messaging",
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
