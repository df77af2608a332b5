"""A real certificate authority for the certificates peers, made with `cryptography`.

Why real: the units serve TLS with what the peer issues, and clients verify it against the CA,
so the certificates must be what vault or self-signed-certificates would hand out: RSA keys,
the requested names as subjectAltName (IP addresses as IP entries, the rest as DNS names, the
common name added as vault's PKI adds it), serverAuth usage, a fresh random serial each time.

The CA's private key is kept as PEM in the peer's state (in the model's 0600 state.json, under
`secrets`), and never printed or logged.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_BITS = 2048


class BadRequest(ValueError):
    """A request the CA cannot sign (unparsable CSR, unencodable name)."""


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _name(common_name: str) -> x509.Name:
    try:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    except ValueError as exc:  # empty, or longer than X.509's 64 characters
        raise BadRequest(f"common name {common_name!r}: {exc}") from exc


def general_names(names: list[str]) -> list[x509.GeneralName]:
    """IP SANs and DNS SANs, split as vault's sort_sans splits them, each once, sorted."""
    ips, dns = set(), set()
    for name in names:
        try:
            ips.add(ipaddress.ip_address(name))
        except ValueError:
            dns.add(name)
    return [x509.IPAddress(ip) for ip in sorted(ips, key=str)] + [
        x509.DNSName(name) for name in sorted(dns)
    ]


def load_csr(csr_pem: str) -> x509.CertificateSigningRequest:
    """The CSR, or BadRequest as the v4 library's CertificateSigningRequest(raw) refuses it."""
    try:
        return x509.load_pem_x509_csr(csr_pem.encode())
    except ValueError as exc:
        raise BadRequest("Could not load CSR") from exc


@dataclass(frozen=True)
class Authority:
    """A CA certificate and its private key (PEM)."""

    cert: str
    key: str

    @classmethod
    def self_signed(cls, common_name: str, days: float) -> Authority:
        key = new_key()
        subject = _name(common_name)
        cert = _build(subject, subject, key.public_key(), key, days, ca=True)
        return cls(_cert_pem(cert), key_pem(key))

    def intermediate(self, common_name: str, days: float) -> Authority:
        """A CA signed by this one (vault issues from an intermediate under its root)."""
        key = new_key()
        cert = _build(
            _name(common_name), self._subject(), key.public_key(), self._key(), days, ca=True
        )
        return Authority(_cert_pem(cert), key_pem(key))

    def issue(self, common_name: str, sans: list[str], days: float) -> tuple[str, str]:
        """(certificate, private key) for a legacy request: the provider makes the key."""
        key = new_key()
        names = general_names([common_name, *sans])
        cert = _build(
            _name(common_name), self._subject(), key.public_key(), self._key(), days, names
        )
        return _cert_pem(cert), key_pem(key)

    def sign(self, csr_pem: str, days: float) -> str:
        """A certificate for a CSR, with the CSR's subject and subjectAltName."""
        csr = load_csr(csr_pem)
        try:
            names = list(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
        except x509.ExtensionNotFound:
            names = []
        cert = _build(csr.subject, self._subject(), csr.public_key(), self._key(), days, names)
        return _cert_pem(cert)

    def _key(self) -> rsa.RSAPrivateKey:
        return serialization.load_pem_private_key(self.key.encode(), None)  # type: ignore[return-value]

    def _subject(self) -> x509.Name:
        return x509.load_pem_x509_certificate(self.cert.encode()).subject


def _build(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: CertificatePublicKeyTypes,
    signing_key: rsa.RSAPrivateKey,
    days: float,
    names: list[x509.GeneralName] | None = None,
    *,
    ca: bool = False,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signing_key, hashes.SHA256())
