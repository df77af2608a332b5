"""The interface layers as charm-tools and charms.reactive will find them in a built charm."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import charms
import pytest
import yaml
from charms.reactive import Endpoint

from .harness import BASE_LAYER_LIB, INTERFACES_DIR

# interface -> (role file charm build copies and charms.reactive imports, class, public API)
CONTRACT = {
    "keystone": (
        "requires",
        "KeystoneRequires",
        "register_endpoints get service_host service_protocol service_port auth_host "
        "auth_protocol auth_port service_tenant service_username service_password "
        "service_tenant_id service_domain api_version admin_token ca_cert https_keystone "
        "admin_domain_id admin_user_id admin_project_id service_type base_data_complete all_data",
    ),
    "mysql-shared": (
        "requires",
        "MySQLSharedRequires",
        "configure db_host db_port password allowed_units database username hostname ssl_ca "
        "ssl_cert ssl_key prefixes base_data_complete",
    ),
    "rabbitmq": (
        "requires",
        "RabbitMQRequires",
        "request_access username vhost password ssl_port ssl_ca ha_queues clustered vip "
        "rabbitmq_ready_hosts",
    ),
    "hacluster": ("requires", "HAClusterRequires", "bind_on publish_resources is_clustered"),
    "openstack-ha": ("peers", "OpenStackHAPeers", "set_address ip_map peer_addresses"),
    "tls-certificates": (
        "requires",
        "TlsRequires",
        "request_server_cert add_request_server_cert request_server_certs requested get_ca "
        "get_chain get_batch_requests missing_requests",
    ),
    "ceph-client": (
        "requires",
        "CephClientRequires",
        "create_replicated_pool create_pool send_request_if_needed current_ops requested_pools "
        "mon_hosts broker_response",
    ),
}


def test_exactly_the_contract_interfaces_ship() -> None:
    shipped = {p.name for p in INTERFACES_DIR.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert shipped == set(CONTRACT)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_interface_yaml(name: str) -> None:
    data = yaml.safe_load((INTERFACES_DIR / name / "interface.yaml").read_text())
    # charm build and Juju match on the directory / interface name: they must agree
    assert data["name"] == name
    assert data["summary"] and data["maintainer"]
    assert "tests" in data["ignore"]


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_role_module_is_an_endpoint_with_the_contract_api(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importable as relations.<name>.<role> with no charm, no metadata and no hook tools."""
    role, class_name, api = CONTRACT[name]
    hooks = tmp_path / "hooks" / "relations"
    hooks.mkdir(parents=True)
    (hooks / name).symlink_to(INTERFACES_DIR / name)
    for var in ("JUJU_CHARM_DIR", "CHARM_DIR", "JUJU_UNIT_NAME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "hooks"), str(BASE_LAYER_LIB), *sys.path])
    monkeypatch.setattr(charms, "__path__", [*charms.__path__, str(BASE_LAYER_LIB / "charms")])
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # no __pycache__ in package data

    def no_tools(*args, **kwargs):
        raise AssertionError(f"hook tool called at import: {args}")

    monkeypatch.setattr(subprocess, "check_output", no_tools)
    monkeypatch.setattr(subprocess, "check_call", no_tools)
    for mod in [m for m in sys.modules if m.startswith(("relations", "charms.layer"))]:
        monkeypatch.delitem(sys.modules, mod)
    module = importlib.import_module(f"relations.{name}.{role}")
    try:
        endpoints = [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and issubclass(obj, Endpoint)
            and obj.__module__ == module.__name__
        ]
        assert [cls.__name__ for cls in endpoints] == [class_name]
        cls = endpoints[0]
        for method in api.split():
            assert callable(getattr(cls, method, None)), f"{class_name}.{method} missing"
        assert (INTERFACES_DIR / name / f"{role}.py").exists()
    finally:
        for mod in [m for m in sys.modules if m.startswith(("relations", "charms.layer"))]:
            del sys.modules[mod]


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_no_other_python_modules_to_discover(name: str) -> None:
    """charms.reactive imports every .py under hooks/relations: keep each layer to one file."""
    assert sorted(p.name for p in (INTERFACES_DIR / name).glob("*.py")) == [
        f"{CONTRACT[name][0]}.py"
    ]
