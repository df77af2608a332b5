"""The certificates peers issue real certificates: verified here with `cryptography`.

vault answers the legacy protocol from its leader's unit databag (root CA in `ca`, the issuing
intermediate in `chain`); self-signed-certificates answers CSRs in its application databag.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from charmsmith.errors import CharmsmithError
from charmsmith.model import configops
from charmsmith.model.harness import tool_session

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
UNIT = "fixture-api/0"
PUBLIC, INTERNAL = "198.18.0.5", "198.18.1.5"


def _session(tmp_path: Path):
    return tool_session(tmp_path / "m", CHARM)


def _relate(s, provider: str, **config: str):
    app = s.model.app("fixture-api")
    app.metadata["requires"]["certificates"] = {"interface": "tls-certificates"}
    s.model.deploy_peer(provider, None, 2, "emulated", config)
    return s.model.relate("fixture-api", provider)


def _send(s, rel, data: dict[str, str]) -> None:
    rel.unit_data[UNIT] = {**rel.unit_data.get(UNIT, {}), **data}
    s.model._changed(rel, "fixture-api", UNIT)


def _load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def _verify(tmp_path: Path, cert: str, ca: str, chain: str = "") -> subprocess.CompletedProcess:
    """openssl verify, as a TLS client checks the chain: CA trusted, intermediate untrusted."""
    (tmp_path / "ca.pem").write_text(ca)
    (tmp_path / "leaf.pem").write_text(cert)
    args = ["openssl", "verify", "-CAfile", str(tmp_path / "ca.pem")]
    if chain:
        (tmp_path / "chain.pem").write_text(chain)
        args += ["-untrusted", str(tmp_path / "chain.pem")]
    return subprocess.run([*args, str(tmp_path / "leaf.pem")], capture_output=True, text=True)


def _sans(cert: x509.Certificate) -> tuple[list, list]:
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return ext.get_values_for_type(x509.IPAddress), ext.get_values_for_type(x509.DNSName)


LEGACY_REQUEST = {
    "unit_name": "fixture-api_0",
    "common_name": PUBLIC,
    "sans": json.dumps([PUBLIC, "api.example.com"]),
    "certificate_name": "x",
    "cert_requests": json.dumps({INTERNAL: {"sans": [INTERNAL]}}),
}


# -- vault ----------------------------------------------------------------------------------------


def test_vault_issues_for_the_requested_sans(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "vault")
        _send(s, rel, LEGACY_REQUEST)
        answer = rel.unit_data["vault/0"]
        assert "ca" not in rel.unit_data["vault/1"]  # only the leader answers
        top = answer["fixture-api_0.server.cert"]
        ips, dns = _sans(_load(top))
        assert ips == [ipaddress.ip_address(PUBLIC)] and dns == ["api.example.com"]
        key = serialization.load_pem_private_key(answer["fixture-api_0.server.key"].encode(), None)
        assert key.public_key().public_numbers() == _load(top).public_key().public_numbers()
        other = json.loads(answer["fixture-api_0.processed_requests"])[INTERNAL]
        assert _sans(_load(other["cert"]))[0] == [ipaddress.ip_address(INTERNAL)]
        # the root CA alone does not verify: the chain (the intermediate) is needed, as with vault
        assert _verify(tmp_path, top, answer["ca"]).returncode != 0
        result = _verify(tmp_path, other["cert"], answer["ca"], answer["chain"])
        assert result.returncode == 0, result.stderr


def test_vault_keeps_a_handled_request_and_reissues_on_new_sans(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "vault")
        _send(s, rel, LEGACY_REQUEST)
        first = dict(rel.unit_data["vault/0"])
        _send(s, rel, {"certificate_name": "y"})  # nothing asked anew: nothing issued anew
        assert rel.unit_data["vault/0"] == first
        _send(s, rel, {"cert_requests": json.dumps({INTERNAL: {"sans": [INTERNAL, "10.0.0.9"]}})})
        now = rel.unit_data["vault/0"]
        assert now["fixture-api_0.server.cert"] == first["fixture-api_0.server.cert"]
        assert now["fixture-api_0.processed_requests"] != first["fixture-api_0.processed_requests"]


def test_vault_reissue_changes_serials_not_the_ca(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "vault")
        _send(s, rel, LEGACY_REQUEST)
        before = dict(rel.unit_data["vault/0"])
        vault = s.model.peer("vault")
        assert vault.run_action(s.model, "vault/1", "reissue-certificates", {}).failed == ""
        assert rel.unit_data["vault/0"] == before  # not the leader: nothing happens
        vault.run_action(s.model, "vault/0", "reissue-certificates", {})
        after = rel.unit_data["vault/0"]
        assert (after["ca"], after["chain"]) == (before["ca"], before["chain"])
        old, new = (_load(b["fixture-api_0.server.cert"]) for b in (before, after))
        assert old.serial_number != new.serial_number
        assert _sans(old) == _sans(new)
        assert vault.run_action(s.model, "vault/0", "get-root-ca", {}).results == {
            "output": after["ca"]
        }


@pytest.mark.parametrize(
    "bad", [{"cert_requests": "not json"}, {"cert_requests": json.dumps({INTERNAL: {}})}]
)
def test_vault_fails_its_hook_on_malformed_requests(tmp_path: Path, bad):
    with _session(tmp_path) as s:
        rel = _relate(s, "vault")
        _send(s, rel, {**LEGACY_REQUEST, **bad})
        assert (
            s.model.unit("vault/0").agent_message == 'hook failed: "certificates-relation-changed"'
        )
        assert "fixture-api_0.server.cert" not in rel.unit_data["vault/0"]
        assert s.model.failures


def test_vault_skips_a_name_it_cannot_issue(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "vault")
        _send(s, rel, {**LEGACY_REQUEST, "cert_requests": json.dumps({"x" * 65: {"sans": []}})})
        answer = rel.unit_data["vault/0"]
        assert "fixture-api_0.server.cert" in answer
        assert "fixture-api_0.processed_requests" not in answer
        assert not s.model.failures


def test_unknown_action_is_refused_as_juju_does(tmp_path: Path):
    with _session(tmp_path) as s:
        _relate(s, "vault")
        with pytest.raises(CharmsmithError, match='action "rotate" not defined on unit "vault/0"'):
            s.model.peer("vault").run_action(s.model, "vault/0", "rotate", {})


def test_ca_private_key_only_in_the_0600_state(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "vault")
        _send(s, rel, LEGACY_REQUEST)
        state = s.model.app("vault").peer_state
        assert all("PRIVATE KEY" in v for v in state["secrets"].values())
        assert not any("PRIVATE KEY" in v for v in state["ca"].values())
    assert (tmp_path / "m" / "state.json").stat().st_mode & 0o077 == 0
    log = (tmp_path / "m").glob("*.log")
    assert not any("PRIVATE KEY" in p.read_text() for p in log)


# -- self-signed-certificates ---------------------------------------------------------------------


def _csr(cn: str, sans: list[str]) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.IPAddress(ipaddress.ip_address(n)) for n in sans]
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def _csrs(*pems: str) -> dict[str, str]:
    entries = [{"certificate_signing_request": p, "ca": False} for p in pems]
    return {"certificate_signing_requests": json.dumps(entries)}


def _certificates(rel) -> list[dict]:
    return json.loads(rel.app_data["self-signed-certificates"]["certificates"])


def test_self_signed_signs_each_csr(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "self-signed-certificates")
        public, internal = _csr(PUBLIC, [PUBLIC]), _csr(INTERNAL, [INTERNAL])
        _send(s, rel, _csrs(public, internal))
        certs = _certificates(rel)
        assert [c["certificate_signing_request"] for c in certs] == [
            public.strip(),
            internal.strip(),
        ]
        for entry in certs:
            assert entry["chain"] == [entry["certificate"], entry["ca"]]
            assert _verify(tmp_path, entry["certificate"], entry["ca"]).returncode == 0
        leaf = _load(certs[0]["certificate"])
        assert _sans(leaf)[0] == [ipaddress.ip_address(PUBLIC)]
        assert leaf.issuer.rfc4514_string() == "CN=self-signed-certificates-operator"
        csr = x509.load_pem_x509_csr(public.encode())
        assert leaf.public_key().public_numbers() == csr.public_key().public_numbers()


def test_self_signed_refuses_an_unparsable_csr(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "self-signed-certificates")
        _send(s, rel, _csrs(_csr(PUBLIC, [PUBLIC]), "-----BEGIN CERTIFICATE REQUEST-----\nAA"))
        leader = s.model.unit("self-signed-certificates/0")
        assert leader.agent_message == 'hook failed: "certificates-relation-changed"'
        assert "self-signed-certificates" not in rel.app_data  # nothing was published
        assert any("Could not load CSR" in f for f in s.model.failures)


@pytest.mark.parametrize("raw", ["not json", '{"a": 1}', '[{"certificate_signing_request": 1}]'])
def test_self_signed_skips_invalid_databags(tmp_path: Path, raw: str):
    with _session(tmp_path) as s:
        rel = _relate(s, "self-signed-certificates")
        _send(s, rel, {"certificate_signing_requests": raw})
        assert "self-signed-certificates" not in rel.app_data
        assert not s.model.failures


def test_self_signed_rotation_revokes_and_signs_new_csrs_with_the_new_ca(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "self-signed-certificates")
        first = _csr(PUBLIC, [PUBLIC])
        _send(s, rel, _csrs(first))
        old = _certificates(rel)[0]
        peer = s.model.peer("self-signed-certificates")
        refused = peer.run_action(s.model, "self-signed-certificates/1", "rotate-private-key", {})
        assert refused.failed == "This action can only be run on the leader unit."
        peer.run_action(s.model, "self-signed-certificates/0", "rotate-private-key", {})
        revoked = _certificates(rel)
        assert revoked == [{**old, "revoked": True}]
        second = _csr(PUBLIC, [PUBLIC])
        _send(s, rel, _csrs(second))  # the requirer asks again with a new key
        (new,) = _certificates(rel)
        assert new["certificate_signing_request"] == second.strip()
        assert new["ca"] != old["ca"]
        assert _verify(tmp_path, new["certificate"], new["ca"]).returncode == 0
        assert _verify(tmp_path, new["certificate"], old["ca"]).returncode != 0
        assert _load(new["certificate"]).serial_number != _load(old["certificate"]).serial_number


@pytest.mark.parametrize(
    ("validity", "refusal"),
    [("soon", "certificate-validity"), ("200d", "at most half of root-ca-validity")],
)
def test_self_signed_config_is_checked(tmp_path: Path, validity: str, refusal: str):
    """A validity that does not parse, or that does not fit twice in the root CA's, is refused."""
    with _session(tmp_path) as s:
        _relate(s, "self-signed-certificates")
        with pytest.raises(CharmsmithError, match=refusal):
            configops.update_config(
                s.model, "self-signed-certificates", {"certificate-validity": validity}, []
            )


def test_self_signed_new_ca_name_revokes_what_the_old_ca_signed(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "self-signed-certificates")
        _send(s, rel, _csrs(_csr(PUBLIC, [PUBLIC])))
        (old,) = _certificates(rel)
        configops.update_config(s.model, "self-signed-certificates", {"ca-common-name": "lab"}, [])
        assert _certificates(rel) == [{**old, "revoked": True}]
        _send(s, rel, _csrs(_csr(PUBLIC, [PUBLIC])))
        (new,) = _certificates(rel)
        assert _load(new["ca"]).subject.rfc4514_string() == "CN=lab"


def test_statuses_as_the_charms_set_them(tmp_path: Path):
    with _session(tmp_path) as s:
        _relate(s, "self-signed-certificates")
        _relate(s, "vault")
        s.model.run_queue()
        workload = {u: s.model.unit(u).workload for u in s.model.state.units}
        assert workload["self-signed-certificates/0"] == {"status": "active", "message": ""}
        assert workload["self-signed-certificates/1"] == {
            "status": "blocked",
            "message": "Scaling is not implemented for this charm",
        }
        assert workload["vault/1"]["message"] == "Unit is ready (active: true, mlock: disabled)"


def test_self_signed_signs_at_most_certificate_limit_per_answer(tmp_path: Path):
    with _session(tmp_path) as s:
        rel = _relate(s, "self-signed-certificates", **{"certificate-limit": "1"})
        _send(s, rel, _csrs(_csr(PUBLIC, [PUBLIC]), _csr(INTERNAL, [INTERNAL])))
        assert len(_certificates(rel)) == 1


def test_self_signed_validity_that_fits_twice_in_the_root_ca_is_taken(tmp_path: Path):
    with _session(tmp_path) as s:
        _relate(s, "self-signed-certificates")
        configops.update_config(
            s.model, "self-signed-certificates", {"certificate-validity": "26w"}, []
        )
