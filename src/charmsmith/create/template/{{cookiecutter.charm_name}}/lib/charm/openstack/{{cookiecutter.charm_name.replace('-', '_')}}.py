{% set c = cookiecutter | charmsmith %}
"""The {{ c.name }} charm classes, one per OpenStack release where behaviour changes.

The registry picks, for the unit's release, the newest class whose ``release`` is not newer.
When {{ c.service_name }} changes packages, services or config files in a later release, add a
subclass with that ``release`` and override only what changed, e.g.::

    @registry.register
    class {{ c.class_name }}Flamingo({{ c.class_name }}):
        release = "flamingo"
"""

from __future__ import annotations

import reactive_openstack as ro

registry = ro.ReleaseRegistry()


@registry.register
class {{ c.class_name }}(ro.HAOpenStackCharm):
    """{{ c.service_name }} ({{ c.service_type }}) from {{ c.release }} on."""

    release = "{{ c.release }}"
    name = "{{ c.name }}"
    service_name = "{{ c.service_name }}"
    service_type = "{{ c.service_type }}"
    packages = {{ c.packages | py(4, 11) }}
    purge_packages: list[str] = []
    services = {{ c.services | py(4, 11) }}
    api_ports = {{ c.api_ports | py(4, 12) }}
    default_service = "{{ c.api_service }}"
{% if c.ceph_pools %}
    required_relations = ["shared-db", "amqp", "identity-service", "ceph"]
{% else %}
    required_relations = ["shared-db", "amqp", "identity-service"]
{% endif %}
    mandatory_config: list[str] = []
    restart_map = {{ c.restart_map | py(4, 14) }}
    sync_commands = {{ c.sync_commands | py(4, 16) }}
    release_package = "{{ c.release_package }}"
{% if not c.codenames_known %}
    # Upstream major version -> release. charmsmith had no table for {{ c.release_package }}
    # and assumed one major per release from 1; check it against the project's release notes.
{% endif %}
    package_codenames = {{ c.package_codenames | py(4, 20) }}
    ha_resources = ["vips", "haproxy"]
    group = "{{ c.group }}"
    permission_override_map: dict[str, int] = {}
{% if c.ceph_pools %}
    # Pools the ceph-mon broker creates (replicas, Ceph application tag); ceph_services are
    # restarted when /etc/ceph/ceph.conf or the keyring change: their config uses them.
    ceph_pools = [
{% for pool in c.ceph_pools %}
{% set line = '        ro.CephPool("' ~ pool.name ~ '", replicas=' ~ pool.replicas ~ ', app_name="' ~ pool.app_name ~ '"),' %}
{% if line | length <= 99 %}
{{ line }}
{% else %}
        ro.CephPool(
            "{{ pool.name }}",
            replicas={{ pool.replicas }},
            app_name="{{ pool.app_name }}",
        ),
{% endif %}
{% endfor %}
    ]
    ceph_services = ["{{ c.api_service }}"]
{% endif %}
