"""What charmsmith knows about OpenStack API services: one row per service, one table.

The generator proposes a charm's port and version table from it, warns about port clashes and
about names keystone will refuse; the model's emulated keystone registers catalog entries by it.
Every other view (keystone_services.SERVICE_TYPES, the clash check's owners) is derived here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Majors:
    """Upstream major version per release, from one anchor.

    Each project bumps its major once per coordinated release, so the first release with its
    major (and the last release, for a retired project) gives the whole table.
    """

    first_release: str
    first_major: int
    last_release: str | None = None


@dataclass(frozen=True)
class Service:
    """One OpenStack service (or a second listener of one, like keystone-admin)."""

    name: str
    #: The type keystone registers the name under; None when keystone refuses the name.
    catalog_type: str | None = None
    #: The well-known API port (port clash warnings name this service).
    port: int | None = None
    #: Whether `charmsmith create <name>` proposes ``port`` (else the generic default).
    propose_port: bool = True
    majors: Majors | None = None


_LIBERTY_1 = Majors("liberty", 1)

# Catalog types: charm-keystone's hooks/keystone_utils.py (valid_services, read by
# ensure_valid_service and add_endpoint), written out by hand. Majors checked against upstream
# release notes, e.g. glance 25 = zed, aodh 12 = wallaby, placement 11 = caracal,
# octavia 14 = caracal, congress 10 = train (its last release). propose_port is False where
# the generator never proposed the port: listeners that are not an API charm of their own
# (keystone's, heat-cfn, nova-metadata) and swift, murano, sahara, freezer.
SERVICES: tuple[Service, ...] = (
    Service("aodh", "alarming", 8042, majors=_LIBERTY_1),
    Service("astara", "astara"),
    Service("barbican", "key-manager", 9311, majors=_LIBERTY_1),
    Service("ceilometer", "metering", 8777, majors=Majors("liberty", 5)),
    Service("cinder", "volume", 8776, majors=Majors("liberty", 7)),
    Service("cinderv2", "volumev2"),
    Service("cinderv3", "volumev3"),
    Service("cloudkitty", "rating", 8889),
    Service("congress", "policy", 1789, majors=Majors("liberty", 2, "train")),
    Service("contrail-analytics", "OpServer"),
    Service("contrail-api", "ApiServer"),
    Service("designate", "dns", 9001, majors=_LIBERTY_1),
    Service("dmapi", "datamover"),
    Service("ec2", "ec2"),
    Service("freezer", port=9890, propose_port=False),
    Service("glance", "image", 9292, majors=Majors("liberty", 11)),
    Service("gnocchi", "metric", 8041),
    Service("heat", "orchestration", 8004, majors=Majors("liberty", 5)),
    Service("heat-cfn", "cloudformation", 8000, propose_port=False),
    Service("image-stream", "product-streams"),
    Service("ironic", "baremetal", 6385),
    Service("keystone", "identity", 5000, propose_port=False, majors=Majors("liberty", 8)),
    Service("keystone-admin", port=35357, propose_port=False),
    Service("magnum", "container-infra", 9511, majors=_LIBERTY_1),
    Service("manila", "share", 8786, majors=_LIBERTY_1),
    Service("manilav2", "sharev2"),
    Service("masakari", "instance-ha", 15868),
    Service("midonet", "network-overlay"),
    Service("mistral", "workflowv2", 8989),
    Service("murano", "application-catalog", 8082, propose_port=False),
    Service("nbosdmapi", "datamoverapi"),
    Service("neutron", "network", 9696, majors=Majors("liberty", 7)),
    Service("nova", "compute", 8774, majors=Majors("liberty", 12)),
    Service("nova-metadata", port=8775, propose_port=False),
    Service("nova-volume", "volume"),
    Service("octavia", "load-balancer", 9876, majors=Majors("pike", 1)),
    Service("oxygen", "oxygen"),
    Service("panko", "event"),
    Service("placement", "placement", 8778, majors=Majors("stein", 1)),
    Service("quantum", "network"),
    Service("s3", "s3"),
    Service("sahara", port=8386, propose_port=False),
    Service("swift", "object-store", 8080, propose_port=False),
    Service("trove", "database", 8779),
    Service("watcher", "infra-optim", 9322),
    Service("workloadmgr", "workloads"),
    Service("zaqar", "messaging", 8888),
)

BY_NAME: dict[str, Service] = {service.name: service for service in SERVICES}

#: Well-known port -> the service that owns it.
PORT_OWNERS: dict[int, str] = {s.port: s.name for s in SERVICES if s.port is not None}


def proposed_port(name: str) -> int | None:
    """The port `charmsmith create <name>` proposes, or None when it knows none for the name."""
    service = BY_NAME.get(name)
    return service.port if service and service.propose_port else None


def majors(project: str) -> Majors | None:
    """The version anchor of an upstream project, when known."""
    service = BY_NAME.get(project)
    return service.majors if service else None
