"""TLS on the API port (tls.py): requests, served files and modes, https URLs, reload on renewal."""

from __future__ import annotations

import base64

import pytest
from reactive_openstack import tls
from reactive_openstack.testing_interfaces import FakeKeystone, FakeMySQLShared, keystone_data
from reactive_openstack.testing_tls import FakeCertificates

from charmsmith.model.peers.certificate_authority import Authority

from .sample import charm_for, ready_host, write_templates

HAPROXY = "/etc/haproxy/haproxy.cfg"
PEM = "/etc/haproxy/tls/10.0.0.10.pem"
CA_FILE = "/usr/local/share/ca-certificates/congress.crt"


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority.self_signed("test root", 30)


@pytest.fixture
def charm_dir(tmp_path):
    return write_templates(tmp_path)


def _answered(authority: Authority, chain: str | None = None) -> FakeCertificates:
    certs = FakeCertificates(ca=authority.cert, chain=chain)
    certs.answer("10.0.0.10", *authority.issue("10.0.0.10", ["10.0.0.10"], 30))
    return certs


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_one_request_per_name_with_the_vips_of_its_network():
    host = ready_host(
        config={"vip": "10.0.0.100 192.168.9.100", "os-admin-hostname": "admin.example.com"},
        bindings={"public": ("192.168.9.10", "192.168.9.0/24")},
        interfaces={"eth0": ["10.0.0.10/24"], "eth1": ["192.168.9.10/24"]},
    )
    assert tls.certificate_requests(charm_for(host)) == {
        "10.0.0.10": ["10.0.0.10", "10.0.0.100"],
        "192.168.9.10": ["192.168.9.10", "192.168.9.100"],
        "admin.example.com": ["10.0.0.10", "10.0.0.100", "admin.example.com"],
    }


def test_certificate_arrival_switches_the_catalog_to_https_in_the_same_hook(authority):
    host = ready_host()
    certs = FakeCertificates()
    host.endpoints["certificates"] = certs
    keystone = FakeKeystone(**keystone_data())
    charm_for(host).register_endpoints(keystone)
    assert certs.requests == {"10.0.0.10": ["10.0.0.10"]}
    assert keystone.sent["public_url"] == "http://10.0.0.10:1789"

    host.new_hook("certificates-relation-changed")
    host.endpoints["certificates"] = _answered(authority, chain="")
    charm = charm_for(host)
    charm.register_endpoints(keystone)
    tls.configure(charm)  # another handler of the same hook: nothing more happens
    assert {keystone.sent[f"{kind}_url"] for kind in ("public", "internal", "admin")} == {
        "https://10.0.0.10:1789"
    }
    record = host.files[PEM]
    assert (record.mode, record.owner, record.group) == (0o640, "root", "haproxy")
    assert b"BEGIN CERTIFICATE" in record.content and b"PRIVATE KEY" in record.content
    ca = host.files[CA_FILE]
    assert (ca.mode, ca.content) == (0o644, authority.cert.strip().encode() + b"\n")
    assert host.commands == [["update-ca-certificates", "--fresh"]]
    assert host.is_flag_set("ssl.enabled")
    assert not any("PRIVATE KEY" in message for _, message in host.logs)


def test_the_chain_is_served_after_the_certificate(authority):
    intermediate = authority.intermediate("issuing", 30)
    certs = FakeCertificates(ca=authority.cert, chain=intermediate.cert)
    leaf, key = intermediate.issue("10.0.0.10", ["10.0.0.10"], 30)
    certs.answer("10.0.0.10", leaf, key)
    host = ready_host(endpoints={"certificates": certs})
    tls.configure(charm_for(host))
    served = host.file_text(PEM)
    assert served.index(leaf.strip()) < served.index(intermediate.cert.strip())
    assert served.index(intermediate.cert.strip()) < served.index(key.strip())


def test_relation_gone_switches_back_to_http_and_removes_what_it_wrote(authority):
    certs = _answered(authority)
    host = ready_host(endpoints={"certificates": certs})
    keystone = FakeKeystone(**keystone_data())
    charm_for(host).register_endpoints(keystone)
    assert keystone.sent["admin_url"].startswith("https://")

    host.new_hook("certificates-relation-broken")
    certs.joined = False
    charm_for(host).register_endpoints(keystone)
    assert keystone.sent["admin_url"] == "http://10.0.0.10:1789"
    assert PEM not in host.files and CA_FILE not in host.files
    assert host.commands == [["update-ca-certificates", "--fresh"]]
    assert not host.is_flag_set("ssl.enabled")


def test_partial_answer_serves_nothing(authority):
    certs = FakeCertificates(ca=authority.cert)  # the CA came, the certificate not yet
    host = ready_host(endpoints={"certificates": certs})
    assert tls.configure(charm_for(host)) is None
    assert not host.is_flag_set("ssl.enabled") and PEM not in host.files


def test_renewal_reloads_haproxy_and_restarts_nothing(authority, charm_dir):
    certs = _answered(authority)
    host = ready_host(charm_dir=charm_dir, endpoints={"certificates": certs})
    db = FakeMySQLShared(db_host="10.0.0.30", password="dbpass", allowed_units="congress/0")
    charm_for(host).render_with_interfaces([db])
    assert "    bind *:1789 ssl crt /etc/haproxy/tls/\n" in host.file_text(HAPROXY)
    assert "haproxy" in host.restarted()  # switching TLS on changes haproxy.cfg
    first = host.files[PEM].content

    host.new_hook("certificates-relation-changed")
    certs.answer("10.0.0.10", *authority.issue("10.0.0.10", ["10.0.0.10"], 30))
    charm_for(host).render_with_interfaces([db])
    assert host.files[PEM].content != first
    assert host.commands == [["service", "haproxy", "reload"]]
    assert host.restarted() == []

    host.new_hook("update-status")
    charm_for(host).render_with_interfaces([db])
    assert host.commands == [] and host.restarted() == [] and host.writes == []


def test_options_serve_when_there_is_no_relation(authority):
    cert, key = authority.issue("10.0.0.10", ["10.0.0.10"], 30)
    config = {"ssl_cert": _b64(cert), "ssl_key": _b64(key), "ssl_ca": _b64(authority.cert)}
    host = ready_host(config=config)
    found = tls.configure(charm_for(host))
    assert found is not None and found.source == "config"
    assert host.file_text(PEM) == cert.strip() + "\n" + key.strip() + "\n"
    assert host.files[CA_FILE].content == authority.cert.strip().encode() + b"\n"


def test_the_relation_wins_over_the_options(authority):
    other = Authority.self_signed("operator root", 30)
    cert, key = other.issue("10.0.0.10", ["10.0.0.10"], 30)
    host = ready_host(
        config={"ssl_cert": _b64(cert), "ssl_key": _b64(key)},
        endpoints={"certificates": _answered(authority)},
    )
    found = tls.configure(charm_for(host))
    assert found is not None and found.source == "relation"
    assert cert.strip() not in host.file_text(PEM)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"ssl_cert": "not base64!", "ssl_key": "a2V5"},
            "config ssl_cert: must be a base64-encoded PEM",
        ),
        (
            {"ssl_cert": _b64("-----BEGIN CERTIFICATE-----\n")},
            "config ssl_key: ssl_cert and ssl_key must be set together",
        ),
    ],
)
def test_bad_options_block_naming_the_option_and_serve_nothing(config, message):
    host = ready_host(config=config)
    charm = charm_for(host)
    keystone = FakeKeystone(**keystone_data())
    charm.register_endpoints(keystone)
    assert charm._assess_status() == ("blocked", message)
    assert keystone.sends == [] and PEM not in host.files


def test_tls_is_worked_out_once_per_hook_however_many_handlers_ask(
    authority, charm_dir, monkeypatch
):
    calls = []
    material = tls.material

    def counted(*args, **kwargs):
        calls.append(1)
        return material(*args, **kwargs)

    monkeypatch.setattr(tls, "material", counted)
    host = ready_host(charm_dir=charm_dir, endpoints={"certificates": _answered(authority)})
    db = FakeMySQLShared(db_host="10.0.0.30", password="dbpass", allowed_units="congress/0")
    keystone = FakeKeystone(**keystone_data())
    charm = charm_for(host)
    # one hook's handlers: render (defaults.py), keystone registration, the relation's own
    charm.render_with_interfaces([db])
    charm.register_endpoints(keystone)
    tls.configure(charm)
    assert len(calls) == 1
    assert "ssl crt /etc/haproxy/tls/" in host.file_text(HAPROXY)
    assert keystone.sent["public_url"] == "https://10.0.0.10:1789"

    host.new_hook("certificates-relation-broken")  # the same instance, as in a charm's tests
    host.endpoints["certificates"].joined = False
    charm.render_with_interfaces([db])
    charm.register_endpoints(keystone)
    assert len(calls) == 2
    assert keystone.sent["public_url"] == "http://10.0.0.10:1789"
