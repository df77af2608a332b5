"""Requires side of the ``tls-certificates`` interface (relation usually named ``certificates``).

A charm asks a certificate authority charm for one server certificate per common name it
serves. Two provider generations exist (legacy: vault/easyrsa, the juju-solutions interface;
csr: the charms.tls_certificates_interface v4 library); this layer sends both requests and
reads the answer in the generation the provider uses. Flags are upstream's, but stricter:
malformed or partial data never raises an ``.available``. csr-generation private keys stay in
0600 files on the unit, never in relation data, the kv store or the log.

Details: docs/tls.md, 'Two protocol generations' and 'The interface layer'.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any, TypeGuard

from charmhelpers.core import hookenv
from charms.layer.charmsmith_endpoint import FlagEndpoint, toggle_flag
from charms.reactive import data_changed, set_flag

LEGACY = "legacy"
CSR = "csr"
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----")
_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")


def pem_blocks(text: Any, labels: tuple[str, ...]) -> list[str] | None:
    """The PEM blocks of ``text`` when it is only well-formed blocks with these labels.

    Each block must be base64 of one DER SEQUENCE whose length header matches its size, so a
    truncated or mangled value is refused without a crypto library on the unit.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    blocks = list(_PEM.finditer(text))
    if not blocks or _PEM.sub("", text).strip():
        return None
    for block in blocks:
        if block.group(1) not in labels or not _der_sequence(block.group(2)):
            return None
    return [block.group(0) for block in blocks]


def _der_sequence(body: str) -> bool:
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(der) < 2 or der[0] != 0x30:
        return False
    if der[1] < 0x80:
        return len(der) == 2 + der[1]
    width = der[1] & 0x7F
    return len(der) == 2 + width + int.from_bytes(der[2 : 2 + width], "big")


def _is_cert(text: Any) -> TypeGuard[str]:
    return pem_blocks(text, ("CERTIFICATE",)) is not None


def _is_key(text: Any) -> TypeGuard[str]:
    return pem_blocks(text, _KEY_LABELS) is not None


def _json(text: Any) -> Any:
    """A JSON wire value decoded, or None when absent or not JSON."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


class _Field:
    """A read-only attribute answering the dict item of its own name."""

    name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, certificate: dict[str, str], owner: type | None = None) -> str:
        return certificate[self.name]


class Certificate(dict[str, str]):
    """One issued certificate and its key; a dict (``cert_type``, ``common_name``, ``cert``,
    ``key``) as upstream's, so charms reading ``data['cert']`` work unchanged."""

    cert_type = _Field()
    common_name = _Field()
    cert = _Field()
    key = _Field()

    def __init__(self, cert_type: str, common_name: str, cert: str, key: str) -> None:
        super().__init__(cert_type=cert_type, common_name=common_name, cert=cert, key=key)


class TlsRequires(FlagEndpoint):
    """Consumer side of tls-certificates, legacy and csr generations."""

    # -- flags ---------------------------------------------------------------------------------

    def manage_flags(self) -> None:
        """Recompute the flags at the start of every hook (charms.reactive calls this)."""
        joined = self.is_joined
        if joined and self.relations:
            unit_name = hookenv.local_unit().replace("/", "_")
            if self.relations[0].to_publish_raw.get("unit_name") != unit_name:
                self.relations[0].to_publish_raw["unit_name"] = unit_name
        prefix = self.expand_name("{endpoint_name}.")
        ca = self.root_ca_cert if joined else None
        certs = self.server_certs if joined else []
        complete = bool(certs) and ca is not None and not self.missing_requests()
        toggle_flag(prefix + "available", joined)
        toggle_flag(prefix + "ca.available", ca is not None)
        for name in ("certs", "server.certs", "server.cert", "batch.cert"):
            toggle_flag(f"{prefix}{name}.available", complete)
        if ca is not None and data_changed(prefix + "ca", [ca, self.root_ca_chain]):
            set_flag(prefix + "ca.changed")
        if complete and data_changed(prefix + "servers", [dict(c) for c in certs]):
            set_flag(prefix + "certs.changed")
            set_flag(prefix + "server.certs.changed")
        if not joined:
            for name in ("ca.changed", "certs.changed", "server.certs.changed"):
                toggle_flag(prefix + name, False)

    # -- what we send --------------------------------------------------------------------------

    def request_server_cert(
        self, cn: str, sans: list[str] | None = None, cert_name: str | None = None
    ) -> None:
        """Ask for a server certificate for ``cn`` with ``sans``, in both generations.

        The first common name goes in the legacy top-level fields, the others in
        ``cert_requests``; each also gets a key and a CSR for the csr generation. Asking again
        with the same SANs changes nothing; a revoked csr answer makes a new key and CSR.
        """
        if not self.relations:
            return
        sans = sorted(set(sans or []))
        relation = self.relations[0]
        raw, js = relation.to_publish_raw, relation.to_publish
        if raw.get("common_name") in (None, "", cn):
            raw["common_name"] = cn
            js["sans"] = sans
            # a stable name where upstream draws a uuid4: the same request reads the same
            raw["certificate_name"] = raw.get("certificate_name") or cert_name or _digest(cn, 16)
        else:
            requests = dict(js.get("cert_requests") or {})
            if requests.get(cn) != {"sans": sans}:
                requests[cn] = {"sans": sans}
                js["cert_requests"] = requests
        self._request_csr(cn, sans)

    def add_request_server_cert(self, cn: str, sans: list[str]) -> None:
        """Deprecated upstream name of request_server_cert."""
        self.request_server_cert(cn, sans)

    def request_server_certs(self) -> None:
        """Deprecated upstream; requests go out as they are made."""

    def requested(self) -> dict[str, list[str]]:
        """What we asked for: {common name: sorted SANs}, read back from our databag."""
        if not self.relations:
            return {}
        relation = self.relations[0]
        asked: dict[str, list[str]] = {}
        top = relation.to_publish_raw.get("common_name")
        if top:
            asked[top] = list(relation.to_publish.get("sans") or [])
        for cn, request in (relation.to_publish.get("cert_requests") or {}).items():
            asked[cn] = list(request.get("sans") or [])
        return asked

    def _request_csr(self, cn: str, sans: list[str]) -> None:
        relation = self.relations[0]
        entries = list(relation.to_publish.get("certificate_signing_requests") or [])
        store = _KeyStore(self.endpoint_name)
        old = store.csr(cn)
        answer = self._csr_answers().get(old.strip()) if old else None
        if old and store.sans(cn) == sans and not (answer and answer.get("revoked")):
            # still good; a new relation (another provider) has not seen it yet
            if all(e.get("certificate_signing_request") != old for e in entries):
                relation.to_publish["certificate_signing_requests"] = [
                    *entries,
                    {"certificate_signing_request": old, "ca": False},
                ]
            return
        csr = store.new_csr(cn, sans)
        entries = [e for e in entries if e.get("certificate_signing_request") != old]
        entries.append({"certificate_signing_request": csr, "ca": False})
        relation.to_publish["certificate_signing_requests"] = entries

    # -- what we read --------------------------------------------------------------------------

    @property
    def generation(self) -> str | None:
        """Which protocol the provider answers in: csr, legacy, or None (nothing yet)."""
        for relation in self.relations:  # no remote unit yet: charms.reactive would read ours
            if relation.joined_units and relation.received_app_raw.get("certificates") is not None:
                return CSR
        for unit in self.all_joined_units:
            if any(
                key == "ca" or key.endswith((".processed_requests", ".server.cert"))
                for key in unit.received_raw
            ):
                return LEGACY
        return None

    def _legacy(self, key: str) -> str | None:
        for unit in self.all_joined_units:
            value = unit.received_raw.get(key)
            if value:
                return value
        return None

    def _csr_answers(self) -> dict[str, dict[str, Any]]:
        """The provider's csr-generation answers, by the CSR they answer (stripped)."""
        answers: dict[str, dict[str, Any]] = {}
        for relation in self.relations:
            if not relation.joined_units:  # charms.reactive would read our own app's databag
                continue
            listed = _json(relation.received_app_raw.get("certificates"))
            for entry in listed if isinstance(listed, list) else []:
                csr = entry.get("certificate_signing_request") if isinstance(entry, dict) else None
                if isinstance(csr, str):
                    answers[csr.strip()] = entry
        return answers

    def _csr_certs(self) -> list[tuple[Certificate, dict[str, Any]]]:
        store = _KeyStore(self.endpoint_name)
        answers = self._csr_answers()
        found = []
        for cn in self.requested():
            csr = store.csr(cn)
            entry = answers.get(csr.strip()) if csr else None
            key = store.key(cn)
            if not entry or entry.get("revoked") or key is None:
                continue
            if _is_cert(entry.get("certificate")) and _is_cert(entry.get("ca")):
                found.append((Certificate("server", cn, entry["certificate"], key), entry))
        return found

    @property
    def root_ca_cert(self) -> str | None:
        """The CA certificate (PEM) when well-formed, from the generation the provider speaks."""
        if self.generation == CSR:
            cas = [entry["ca"] for _cert, entry in self._csr_certs()]
            return cas[0] if cas else None
        ca = self._legacy("ca")
        return ca if _is_cert(ca) else None

    def get_ca(self) -> str | None:
        return self.root_ca_cert

    @property
    def root_ca_chain(self) -> str | None:
        """Intermediate certificates between the CA and the issued certificates, if any."""
        if self.generation == CSR:
            for cert, entry in self._csr_certs():
                listed = entry.get("chain")
                middle = [
                    c
                    for c in (listed if isinstance(listed, list) else [])
                    if c.strip() not in (cert.cert.strip(), entry["ca"].strip())
                ]
                return "\n".join(middle) if middle and all(map(_is_cert, middle)) else None
            return None
        chain = self._legacy("chain")
        return chain if _is_cert(chain) else None

    def get_chain(self) -> str | None:
        return self.root_ca_chain

    @property
    def server_certs(self) -> list[Certificate]:
        """Well-formed certificates (with keys) answering our requests, in request order."""
        if self.generation == CSR:
            return [cert for cert, _entry in self._csr_certs()]
        unit_name = hookenv.local_unit().replace("/", "_")
        asked = self.requested()
        certs = []
        top = self.relations[0].to_publish_raw.get("common_name") if self.relations else None
        cert = self._legacy(f"{unit_name}.server.cert")
        key = self._legacy(f"{unit_name}.server.key")
        if top and _is_cert(cert) and _is_key(key):
            certs.append(Certificate("server", top, cert, key))
        processed = _json(self._legacy(f"{unit_name}.processed_requests"))
        for cn, data in (processed if isinstance(processed, dict) else {}).items():
            if cn in asked and cn != top and isinstance(data, dict):
                if _is_cert(data.get("cert")) and _is_key(data.get("key")):
                    certs.append(Certificate("server", cn, data["cert"], data["key"]))
        return certs

    @property
    def server_certs_map(self) -> dict[str, Certificate]:
        return {cert.common_name: cert for cert in self.server_certs}

    def get_batch_requests(self) -> dict[str, Certificate]:
        """Deprecated upstream name of server_certs_map (charms.openstack still calls it)."""
        return self.server_certs_map

    def missing_requests(self) -> list[str]:
        """Common names we asked for that have no well-formed answer yet."""
        have = self.server_certs_map
        return [cn for cn in self.requested() if cn not in have]


class _KeyStore:
    """Per-common-name private key (0600 file) and CSR of the csr generation, on the unit."""

    def __init__(self, endpoint: str) -> None:
        self.root = Path(hookenv.charm_dir()) / ".tls-certificates" / endpoint

    def _path(self, cn: str, suffix: str) -> Path:
        return self.root / f"{_digest(cn, 20)}.{suffix}"

    def _read(self, cn: str, suffix: str) -> str | None:
        path = self._path(cn, suffix)
        return path.read_text() if path.exists() else None

    def csr(self, cn: str) -> str | None:
        return self._read(cn, "csr")

    def key(self, cn: str) -> str | None:
        return self._read(cn, "key")

    def sans(self, cn: str) -> list[str] | None:
        text = self._read(cn, "sans")
        return json.loads(text) if text else None

    def new_csr(self, cn: str, sans: list[str]) -> str:
        """A fresh RSA key and a CSR for cn + sans, made with the unit's openssl."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        with tempfile.TemporaryDirectory(dir=self.root) as tmp:
            key = Path(tmp) / "key"
            _openssl(
                "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key
            )
            subject = "/CN=" + re.sub(r"([/,+=\\])", r"\\\1", cn)
            args = ["req", "-new", "-key", key, "-subj", subject]
            if sans:
                args += ["-addext", "subjectAltName=" + ",".join(map(_san, sans))]
            csr = _openssl(*args)
            os.chmod(key, 0o600)
            os.replace(key, self._path(cn, "key"))
        self._path(cn, "csr").write_text(csr)
        self._path(cn, "sans").write_text(json.dumps(sans))
        return csr


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _san(name: str) -> str:
    """An openssl subjectAltName entry: IP for an address, DNS otherwise."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return f"DNS:{name}"
    return f"IP:{name}"


def _openssl(*args: Any) -> str:
    old = os.umask(0o077)
    try:
        return subprocess.run(
            ["openssl", *map(str, args)], check=True, capture_output=True, text=True
        ).stdout
    finally:
        os.umask(old)
