"""Template namespaces: what a charm's Jinja templates can see.

Templates are written by charm authors who should not need to know relation databags, hook
tools or address resolution, so :func:`build_adapters` turns the charm and the interface objects
handed to a handler into a few namespaces (``options``, ``shared_db``, ``amqp``,
``identity_service``, ``cluster``). A missing relation renders empty (relations arrive in any
order) and collections are ordered, so the same inputs give byte-identical files. Charms extend
namespaces with :func:`adapter_property` / :func:`config_property` (_declared.py).
Details: docs/architecture.md, 'Templates: what they see'.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import reactive_openstack.ceph_adapter as ceph_adapter
from reactive_openstack._adapter_base import (
    Namespace,
    RelationAdapter,
    mapped_attribute,
    with_declared,
)
from reactive_openstack._api_support import STAT_PASSWORD_KEY, service_ports, stat_password
from reactive_openstack._declared import (
    DeclaredProperty,
    adapter_property,
    config_property,
    declared_properties,
)
from reactive_openstack._options_adapter import ConfigAdapter
from reactive_openstack._relation_adapters import (
    AMQPAdapter,
    ClusterAdapter,
    IdentityServiceAdapter,
    SharedDBAdapter,
    cluster_hosts,
)

if TYPE_CHECKING:
    from reactive_openstack.charm import OpenStackCharm

__all__ = [
    "AMQPAdapter",
    "Adapters",
    "ClusterAdapter",
    "ConfigAdapter",
    "DeclaredProperty",
    "IdentityServiceAdapter",
    "RelationAdapter",
    "STAT_PASSWORD_KEY",
    "SharedDBAdapter",
    "adapter_property",
    "build_adapters",
    "cluster_hosts",
    "config_property",
    "declared_properties",
    "service_ports",
    "stat_password",
]

#: namespace -> adapter class for the relations every API charm has.
DEFAULT_ADAPTER_CLASSES: Mapping[str, type[RelationAdapter]] = {
    "shared_db": SharedDBAdapter,
    "amqp": AMQPAdapter,
    "identity_service": IdentityServiceAdapter,
    "cluster": ClusterAdapter,
}


class Adapters(Mapping[str, Namespace]):
    """namespace -> adapter; pass ``dict(adapters)`` (or the mapping) as the Jinja context.

    Attribute access (``adapters.amqp``) works too, for charm code that inspects values.
    """

    def __init__(self, namespaces: Mapping[str, Namespace]) -> None:
        self._namespaces = dict(namespaces)

    def __getitem__(self, key: str) -> Namespace:
        return self._namespaces[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._namespaces)

    def __len__(self) -> int:
        return len(self._namespaces)

    def __getattr__(self, name: str) -> Any:
        return mapped_attribute(self._namespaces, name)

    def support_files(self) -> dict[str, bytes]:
        """Side files (DB/RabbitMQ client TLS material) templates point at, path -> content."""
        files: dict[str, bytes] = {}
        for adapter in self._namespaces.values():
            if callable(getattr(type(adapter), "support_files", None)) and adapter:
                files.update(adapter.support_files())
        return dict(sorted(files.items()))


def _namespace_of(interface: object) -> str:
    name = (
        getattr(interface, "endpoint_name", None)
        or getattr(interface, "relation_name", None)
        or type(interface).__name__
    )
    return str(name).replace("-", "_")


def build_adapters(charm: OpenStackCharm, interfaces: Iterable[Any] | None = None) -> Adapters:
    """Build the template namespaces for ``charm`` from the interface objects passed.

    Interfaces are keyed by their endpoint name (dashes as underscores). The standard namespaces
    (``shared_db``, ``amqp``, ``identity_service``, ``cluster``) always exist, empty (falsy) when
    the relation is absent, so templates can test them without guarding against undefined names.
    A charm may map extra namespaces to its own RelationAdapter subclasses with a class attribute
    ``relation_adapters = {"my_rel": MyAdapter}``.
    """
    declared = declared_properties(type(charm))
    ceph_classes = ceph_adapter.adapter_classes(charm)
    classes: dict[str, type[RelationAdapter]] = {**DEFAULT_ADAPTER_CLASSES, **ceph_classes}
    classes.update(getattr(charm, "relation_adapters", None) or {})

    namespaces: dict[str, Namespace] = {
        "options": with_declared(ConfigAdapter(charm), declared.get("options", {}))
    }
    given: dict[str, Any] = {}
    for interface in interfaces or ():
        if interface is not None:
            given.setdefault(_namespace_of(interface), interface)
    for name in ("cluster", *ceph_classes):
        # Handlers that render are triggered by the service relations, not by the peers or
        # ceph, yet haproxy.cfg lists every peer: take those endpoints from the host.
        found = given[name] if name in given else charm.host.endpoint(name)
        if found is not None:
            given[name] = found
    for name in [*given, *(n for n in classes if n not in given)]:
        adapter = classes.get(name, RelationAdapter)(charm, given.get(name))
        namespaces[name] = with_declared(adapter, declared.get(name, {}))
    return Adapters(namespaces)
