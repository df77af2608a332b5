"""The relation keys the interface layers, the template adapters and the test fakes share.

One list each, here, because all three must agree: the keystone interface layer builds its
accessors and its ``.available`` rule from it, ``identity_service`` in templates exposes the
same names, and FakeKeystone answers them. The runtime ships in every built charm's wheelhouse,
so the interface layers (hooks/relations/<name>/ in a built charm) can import this module;
it imports nothing and has no side effects.
"""

from __future__ import annotations

__all__ = [
    "ENDPOINT_TYPES",
    "KEYSTONE_BASE_KEYS",
    "KEYSTONE_ENDPOINT_KEYS",
    "KEYSTONE_KEYS",
    "KEYSTONE_PORT_KEYS",
    "KEYSTONE_SSL_KEYS",
    "MYSQL_SSL_KEYS",
]

#: The endpoint types of a keystone catalog entry (``<type>_url``), in the order sent.
ENDPOINT_TYPES: tuple[str, ...] = ("public", "internal", "admin")

#: What a consumer sends keystone for its catalog entry (upstream add_service_to_keystone's
#: `single` request): the catalog name, the region and one URL per endpoint type.
KEYSTONE_ENDPOINT_KEYS: tuple[str, ...] = ("service", "region") + tuple(
    f"{endpoint_type}_url" for endpoint_type in ENDPOINT_TYPES
)

#: The ten values without which a service cannot authenticate tokens (``.available``).
KEYSTONE_BASE_KEYS: tuple[str, ...] = (
    "service_host",
    "service_protocol",
    "service_port",
    "auth_host",
    "auth_protocol",
    "auth_port",
    "service_tenant",
    "service_username",
    "service_password",
    "service_tenant_id",
)

#: Every keystone value with an accessor method of the same name (interface, fakes, templates).
KEYSTONE_KEYS: tuple[str, ...] = KEYSTONE_BASE_KEYS + (
    "service_domain",
    "service_domain_id",
    "api_version",
    "admin_token",
    "ca_cert",
    "https_keystone",
    "admin_domain_id",
    "admin_user_id",
    "admin_project_id",
    "service_type",
)

#: Keys whose accessor answers a TCP port (an int, None unless numeric).
KEYSTONE_PORT_KEYS: frozenset[str] = frozenset({"service_port", "auth_port"})

#: ``.available.ssl``: keystone issued a certificate/key pair for every endpoint and its CA.
KEYSTONE_SSL_KEYS: tuple[str, ...] = (
    "ssl_cert_admin",
    "ssl_cert_internal",
    "ssl_cert_public",
    "ssl_key_admin",
    "ssl_key_internal",
    "ssl_key_public",
    "ca_cert",
)

#: Client TLS material a MySQL server may send (base64), each with an accessor method.
MYSQL_SSL_KEYS: tuple[str, ...] = ("ssl_ca", "ssl_cert", "ssl_key")
