"""The runtime's bundled templates render working configs: oslo parts, haproxy.cfg, memcached."""

from __future__ import annotations

import configparser
import difflib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from reactive_openstack import testing_interfaces as fake
from reactive_openstack._rendering import render_text
from reactive_openstack.adapters import STAT_PASSWORD_KEY, build_adapters
from reactive_openstack.testing import FakeHost

from .sample_charm import CongressAPI

CONF = "/etc/congress/congress.conf"
HAPROXY = "/etc/haproxy/haproxy.cfg"
OSLO_TEMPLATE = """[DEFAULT]
debug = {{ options.debug }}
bind_host = {{ options.service_listen_info.congress_server.ip }}
bind_port = {{ options.service_listen_info.congress_server.port }}
{% include "parts/section-transport-url" %}

{% include "parts/section-database" %}

{% include "parts/section-keystone-authtoken" %}

{% include "parts/section-oslo-messaging-rabbit" %}

{% include "parts/section-oslo-middleware" %}
"""

EXPECTED_CONF = """[DEFAULT]
debug = False
bind_host = 10.0.0.10
bind_port = 1779
transport_url = rabbit://congress:r%40bbit@10.0.0.20:5672,congress:r%40bbit@[fd00::21]:5672/openstack

[database]
connection = mysql+pymysql://congress:db%2Fpw@10.0.0.30/congress
connection_recycle_time = 200

[keystone_authtoken]
www_authenticate_uri = http://10.0.0.50:5000
auth_url = http://10.0.0.50:35357
auth_type = password
project_domain_name = service_domain
user_domain_name = service_domain
project_name = services
username = congress
password = keystone-secret
region_name = RegionOne
service_type = policy
service_token_roles_required = true
memcached_servers = 127.0.0.1:11211

[oslo_messaging_rabbit]
rabbit_ha_queues = true

[oslo_middleware]
enable_proxy_headers_parsing = true
"""


class CongressCharm(CongressAPI):
    restart_map = {CONF: ["congress-server"]}


@pytest.fixture
def charm_dir(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "congress.conf").write_text(OSLO_TEMPLATE)
    return tmp_path


def make_charm(charm_dir: Path | str = "/nonexistent", unit: int = 0, **host_args: Any) -> Any:
    host_args.setdefault("config", {"region": "RegionOne"})
    host_args.setdefault("unit_address", f"10.0.0.{10 + unit}")
    host = FakeHost(unit_name=f"congress/{unit}", charm_dir=str(charm_dir), **host_args)
    host.kv[STAT_PASSWORD_KEY] = "0123456789abcdef"
    return CongressCharm(release="yoga", host=host)


def relations() -> list[Any]:
    return [
        fake.FakeRabbitMQ(password="r@bbit", hosts=["fd00::21", "10.0.0.20"], ha_queues="True"),
        fake.FakeKeystone(**fake.keystone_data()),
        fake.FakeMySQLShared(
            database="congress", username="congress", db_host="10.0.0.30", password="db/pw"
        ),
    ]


def parse(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


# -- oslo parts -------------------------------------------------------------------------------


def test_oslo_config_from_parts_has_exact_bytes_and_parses(charm_dir: Path) -> None:
    charm = make_charm(charm_dir)
    text = render_text(charm, build_adapters(charm, relations()), CONF)
    assert text == EXPECTED_CONF
    config = parse(text)
    assert config["DEFAULT"]["transport_url"].startswith("rabbit://congress:r%40bbit@10.0.0.20")
    assert config["database"]["connection"] == (
        "mysql+pymysql://congress:db%2Fpw@10.0.0.30/congress"
    )
    authtoken = config["keystone_authtoken"]
    for key in (
        "www_authenticate_uri",
        "auth_url",
        "auth_type",
        "project_domain_name",
        "user_domain_name",
        "project_name",
        "username",
        "password",
        "region_name",
        "memcached_servers",
        "service_token_roles_required",
    ):
        assert authtoken[key], key
    assert config["oslo_middleware"]["enable_proxy_headers_parsing"] == "true"


def test_oslo_config_without_relations_still_parses(charm_dir: Path) -> None:
    charm = make_charm(charm_dir)
    config = parse(render_text(charm, build_adapters(charm), CONF))
    assert config.sections() == ["oslo_middleware"]
    assert "transport_url" not in config["DEFAULT"]


def test_amqp_ssl_and_default_service_domain(charm_dir: Path) -> None:
    data = fake.keystone_data()
    del data["service_domain"]
    interfaces = [
        fake.FakeRabbitMQ(password="pw", hosts=["10.0.0.20"], ssl_port="5671", ssl_ca="Q0EK"),
        fake.FakeKeystone(**data),
    ]
    charm = make_charm(charm_dir)
    config = parse(render_text(charm, build_adapters(charm, interfaces), CONF))
    assert config["DEFAULT"]["transport_url"] == "rabbit://congress:pw@10.0.0.20:5671/openstack"
    rabbit = config["oslo_messaging_rabbit"]
    assert (rabbit["ssl"], rabbit["ssl_ca_file"]) == (
        "true",
        "/var/lib/charm/congress/rabbit-client-ca.pem",
    )
    assert "rabbit_ha_queues" not in rabbit
    assert config["keystone_authtoken"]["project_domain_name"] == "default"


def test_memcached_conf_exact_bytes() -> None:
    charm = make_charm()
    assert render_text(charm, build_adapters(charm), "/etc/memcached.conf") == (
        "# memcached for congress: local token cache of keystonemiddleware.\n"
        "# Managed by juju: local changes will be overwritten.\n"
        "-d\n"
        "logfile /var/log/memcached.log\n"
        "-m 64\n"
        "-p 11211\n"
        "-u memcache\n"
        "-l 127.0.0.1\n"
        "-P /var/run/memcached/memcached.pid\n"
    )


# -- haproxy ----------------------------------------------------------------------------------


HAPROXY_BIN = shutil.which("haproxy") or "/usr/sbin/haproxy"
needs_haproxy = pytest.mark.skipif(
    not os.path.exists(HAPROXY_BIN), reason="haproxy not installed (make setup installs it)"
)


def render_haproxy(units: int, **host_args: Any) -> str:
    peers = fake.FakeOpenStackHAPeers(
        peers={f"congress/{n}": {"private-address": f"10.0.0.{10 + n}"} for n in range(1, units)}
    )
    charm = make_charm(**host_args)
    return render_text(charm, build_adapters(charm, [peers]), HAPROXY)


def haproxy_check(text: str, tmp_path: Path) -> None:
    if " ssl crt /etc/haproxy/tls/" in text:  # a real certificate where haproxy will look
        from charmsmith.model.peers.certificate_authority import Authority

        certs = tmp_path / "tls"
        certs.mkdir()
        cert, key = Authority.self_signed("ca", 30).issue("10.0.0.10", [], 30)
        (certs / "10.0.0.10.pem").write_text(cert + key)
        text = text.replace(" crt /etc/haproxy/tls/", f" crt {certs}/")
    path = tmp_path / "haproxy.cfg"
    path.write_text(text)
    result = subprocess.run(
        [HAPROXY_BIN, "-c", "-f", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_haproxy_single_unit_exact_proxies() -> None:
    text = render_haproxy(1)
    assert text.endswith(
        "listen stats\n"
        "    bind 127.0.0.1:8888\n"
        "    mode http\n"
        "    stats enable\n"
        "    stats hide-version\n"
        "    stats realm Haproxy\\ Statistics\n"
        "    stats uri /\n"
        "    stats auth admin:0123456789abcdef\n"
        "\n"
        "frontend tcp-in_congress-server_admin\n"
        "    bind *:1789\n"
        "    default_backend congress-server_admin_10.0.0.10\n"
        "\n"
        "backend congress-server_admin_10.0.0.10\n"
        "    balance leastconn\n"
        "    option tcp-check\n"
        "    server congress-0 10.0.0.10:1779 check\n"
    )
    assert "timeout queue 9000\n" in text and "timeout server 90000\n" in text


@needs_haproxy
@pytest.mark.parametrize("units", [1, 3])
def test_haproxy_cfg_is_valid(units: int, tmp_path: Path) -> None:
    text = render_haproxy(units)
    assert text.count("    server congress-") == units
    haproxy_check(text, tmp_path)


@needs_haproxy
def test_haproxy_cfg_split_networks_ipv6_and_tls_are_valid(tmp_path: Path) -> None:
    peers = fake.FakeOpenStackHAPeers(
        peers={
            "congress/1": {"private-address": "10.0.0.11", "public-address": "2001:db8::11"},
            "congress/2": {"private-address": "10.0.0.12", "public-address": "2001:db8::12"},
        }
    )
    charm = make_charm(
        config={"prefer-ipv6": True, "haproxy-client-timeout": 30000},
        bindings={"public": ("2001:db8::10", "2001:db8::/64")},
    )
    charm.host.set_flag("ssl.enabled")
    text = render_text(charm, build_adapters(charm, [peers]), HAPROXY)
    assert "    acl net_2001:db8::10 dst 2001:db8::/64\n" in text
    assert "    use_backend congress-server_admin_2001:db8::10 if net_2001:db8::10\n" in text
    # haproxy terminates TLS on N on both families; backends stay plain HTTP on N-10
    assert "    server congress-2 [2001:db8::12]:1779 check\n" in text
    assert "    bind *:1789 ssl crt /etc/haproxy/tls/\n" in text
    assert "    bind :::1789 v6only ssl crt /etc/haproxy/tls/\n" in text
    assert "    timeout client 30000\n" in text
    haproxy_check(text, tmp_path)


def test_adding_a_unit_changes_only_its_server_line() -> None:
    diff = [
        line
        for line in difflib.unified_diff(
            render_haproxy(2).splitlines(), render_haproxy(3).splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == ["+    server congress-2 10.0.0.12:1779 check"]


def test_haproxy_render_is_deterministic() -> None:
    assert render_haproxy(3) == render_haproxy(3)


def test_peers_reach_haproxy_without_being_passed() -> None:
    """Render handlers fire on the service relations; the peers come from the host's endpoint."""
    peers = fake.FakeOpenStackHAPeers(
        peers={f"congress/{n}": {"private-address": f"10.0.0.{10 + n}"} for n in (1, 2)}
    )
    charm = make_charm(endpoints={"cluster": peers})
    text = render_text(charm, build_adapters(charm, []), HAPROXY)
    assert [line for line in text.splitlines() if line.startswith("    server ")] == [
        f"    server congress-{n} 10.0.0.{10 + n}:1779 check" for n in (0, 1, 2)
    ]
    alone = make_charm()
    assert render_text(alone, build_adapters(alone, []), HAPROXY).count("    server ") == 1


def test_policy_defaults_section_only_when_enabled(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "policy.conf").write_text('{% include "parts/section-oslo-policy" %}')
    off = make_charm(tmp_path)
    assert render_text(off, build_adapters(off), "/etc/x/policy.conf") == ""
    on = make_charm(tmp_path, config={"region": "RegionOne", "enforce-new-policy-defaults": True})
    assert render_text(on, build_adapters(on), "/etc/x/policy.conf") == (
        "[oslo_policy]\nenforce_new_defaults = true\nenforce_scope = true\n"
    )
