"""Relation settings keyed `<prefix>_<field>`, as the OpenStack charms send several requests.

Why one helper: keystone's multi-service registrations (`<service>_public_url`) and the
mysql-shared interface's per-database requests (`<db>_database`) both group a flat databag
by the text before the first underscore.
"""

from __future__ import annotations


def group_by_prefix(settings: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each key split at its first '_' into (prefix, field): {prefix: {field: value}}."""
    groups: dict[str, dict[str, str]] = {}
    for key, value in settings.items():
        prefix, _, field = key.partition("_")
        groups.setdefault(prefix, {})[field] = value
    return groups
