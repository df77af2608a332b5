"""The tls-certificates requirer against the model's providers: each generation end to end.

The layer's unit and the vault / self-signed-certificates peer share one model: what the layer
publishes reaches the peer at the hook's commit and the peer's answer comes back as -changed
hooks, so the two sides are proven to speak the same protocol: the certificates flags come
up and the certificate the layer serves verifies for its names.
"""

from __future__ import annotations

import ipaddress
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .harness import FakeJuju, only

EP = "certificates"
ADDRESS = "10.5.0.10"


def _request(hook) -> None:
    hook.endpoint(EP).request_server_cert(ADDRESS, [ADDRESS, "glance.example.com"])


def _exchange(juju: FakeJuju, provider: str) -> str:
    """The provider played by the model next to our unit: relate, let our unit ask (the
    charm's handler), then run the -changed hooks its answer queued; the relation id."""
    juju.session.model.deploy_peer(provider, None, 1, "emulated")
    rid = juju.relate(EP, provider)
    juju.run_queued(rid)  # -joined, -changed for the provider's unit
    juju.run(f"{EP}-relation-changed", rid, f"{provider}/0", _request)
    juju.run_queued(rid)  # the provider answered our relation-set
    return rid


@pytest.mark.parametrize(
    ("provider", "generation"), [("vault", "legacy"), ("self-signed-certificates", "csr")]
)
def test_the_layer_gets_a_verifiable_certificate(make_juju, tmp_path: Path, provider, generation):
    juju: FakeJuju = make_juju(unit="glance/0", requires={EP: "tls-certificates"})
    _exchange(juju, provider)
    assert {f"{EP}.ca.available", f"{EP}.certs.available"} <= only(juju.flags, EP)
    with juju.hook("update-status") as hook:
        ep = hook.endpoint(EP)
        assert ep.generation == generation
        cert = ep.server_certs_map[ADDRESS]
        ca, chain = ep.get_ca(), ep.get_chain() or ""
    loaded = x509.load_pem_x509_certificate(cert.cert.encode())
    key = serialization.load_pem_private_key(cert.key.encode(), None)
    assert loaded.public_key().public_numbers() == key.public_key().public_numbers()
    names = loaded.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address(ADDRESS) in names.get_values_for_type(x509.IPAddress)
    assert "glance.example.com" in names.get_values_for_type(x509.DNSName)
    (tmp_path / "ca.pem").write_text(ca)
    (tmp_path / "leaf.pem").write_text(cert.cert + chain)  # as charms.openstack serves it
    verify = ["openssl", "verify", "-CAfile", str(tmp_path / "ca.pem")]
    verify += ["-untrusted", str(tmp_path / "leaf.pem"), "-verify_ip", ADDRESS]
    result = subprocess.run([*verify, str(tmp_path / "leaf.pem")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
