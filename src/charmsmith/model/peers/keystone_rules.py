"""What the keystone charm does with one consumer's identity-service request, as pure rules.

Why one module: every rule by which the emulated (and real-backend) keystone peer decides whether
and what to answer lives here, so it can be read against the charm it follows and tested without
a model; peers/keystone.py only applies the decision. Followed: charm-keystone
hooks/keystone_hooks.py `identity_changed` and hooks/keystone_utils.py `add_service_to_keystone`,
`assemble_endpoints`, `ensure_valid_service`, `add_endpoint`, `get_requested_roles`.

Details: docs/model.md, 'Fidelity' ('keystone': the three request paths, the key set).
"""

from __future__ import annotations

from dataclasses import dataclass

from reactive_openstack.wire_keys import KEYSTONE_ENDPOINT_KEYS

from charmsmith.keystone_services import catalog_type
from charmsmith.model.peers.wire import group_by_prefix

# The five keys one endpoint needs (keystone_utils.add_service_to_keystone: `single`).
ENDPOINT_KEYS: tuple[str, ...] = KEYSTONE_ENDPOINT_KEYS
# keystone's config defaults the answers carry (charm-keystone config.yaml).
SERVICE_PORT = 5000
ADMIN_PORT = 35357
REGION = "RegionOne"
ADMIN_ROLE = "Admin"
SERVICE_TENANT = "services"
SERVICE_DOMAIN = "service_domain"


@dataclass(frozen=True)
class EndpointRequest:
    """One service's three URLs in one region, as keystone registers them."""

    service: str
    region: str
    public_url: str
    internal_url: str
    admin_url: str

    def urls(self) -> dict[str, str]:
        return {
            "public_url": self.public_url,
            "internal_url": self.internal_url,
            "admin_url": self.admin_url,
        }


@dataclass(frozen=True)
class Decision:
    """What keystone does for one remote unit's databag.

    `refused` names services whose lookup in keystone's table fails (the hook errors out);
    `credentials` is False for the 'None' path and for requests with nothing to register.
    `addresses_only` is the 'None' path: addresses, region and type, no credentials.
    """

    endpoints: tuple[EndpointRequest, ...] = ()
    service_username: str = ""
    credentials: bool = False
    addresses_only: bool = False
    service_type: str | None = None
    requested_roles: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()

    @property
    def answers(self) -> bool:
        return self.credentials or self.addresses_only


def requested_roles(settings: dict[str, str]) -> tuple[str, ...]:
    """`requested_roles` split on ',' unless absent or 'None' (get_requested_roles)."""
    value = settings.get("requested_roles")
    if value is None or value == "None":
        return ()
    return tuple(value.split(","))


def _endpoint(fields: dict[str, str]) -> EndpointRequest:
    return EndpointRequest(*(fields[key] for key in ENDPOINT_KEYS))


def decide(settings: dict[str, str]) -> Decision:
    """keystone's reading of one remote unit's identity-service settings (Juju keys included)."""
    roles = requested_roles(settings)
    has_none = "None" in settings.values()
    if all(key in settings for key in ENDPOINT_KEYS):
        if has_none:
            listed = catalog_type(settings["service"].partition("_")[0])
            return Decision(addresses_only=True, service_type=listed, requested_roles=roles)
        endpoints: tuple[EndpointRequest, ...] = (_endpoint(settings),)
        username = settings["service"]
    else:
        groups = group_by_prefix(settings).values()
        complete = [g for g in groups if all(k in g for k in ENDPOINT_KEYS)]
        endpoints = tuple(_endpoint(group) for group in complete)
        username = "_".join(sorted(e.service for e in endpoints))
    refused = [e.service for e in endpoints if catalog_type(e.service) is None]
    if has_none or not username or refused:
        return Decision(endpoints=endpoints, refused=tuple(refused))
    # the type comes from the first `*_service` key, else `service` (a KeyError fails the hook)
    type_key = next((k for k in sorted(settings) if k.endswith("_service")), "service")
    service_type = catalog_type(settings[type_key]) if type_key in settings else None
    if type_key in settings and service_type is None:
        return Decision(endpoints=endpoints, refused=(settings[type_key],))
    return Decision(
        endpoints=endpoints,
        service_username=username,
        credentials=True,
        service_type=service_type,
        requested_roles=roles,
    )


def addresses(host: str) -> dict[str, str]:
    """Where keystone is: the part of every answer (resolve_address, service/admin ports)."""
    return {
        "auth_host": host,
        "service_host": host,
        "internal_host": host,
        "auth_protocol": "http",
        "service_protocol": "http",
        "internal_protocol": "http",
        "auth_port": str(ADMIN_PORT),
        "service_port": str(SERVICE_PORT),
        "internal_port": str(SERVICE_PORT),
    }


def addresses_only_answer(host: str, decision: Decision, admin_domain_id: str) -> dict[str, str]:
    """The 'None' path: no credentials, but the region and (when listed) the service type."""
    answer = {
        **addresses(host),
        "region": REGION,
        "api_version": "3",
        "admin_domain_id": admin_domain_id,
        "created_roles": ",".join(decision.requested_roles),
    }
    if decision.service_type:
        answer["service_type"] = decision.service_type
    return answer
