"""How the certificates providers read a requirer's databag, as pure rules.

Why one module: every rule by which the vault and self-signed-certificates peers decide what a
unit asked for, and which requests they refuse, lives here, readable against the charms they
follow and testable without a model; peers/certificates.py applies them. Legacy protocol:
juju-solutions interface-tls-certificates provides.py `all_requests`, tls_certificates_common.py
`CertificateRequest`, charm-vault `create_certs`. CSR protocol: charms.tls_certificates_interface
v4 `TLSCertificatesProvidesV4.get_certificate_requests`, `_load_requirer_databag`.

Details: docs/tls.md, 'Two protocol generations' and 'The certificates peers of the local model'.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class Refused(Exception):
    """The real provider's hook raises on this data: the reason, in the charm's terms."""


@dataclass(frozen=True)
class LegacyRequest:
    """One server certificate a unit asked for in the legacy protocol."""

    unit_name: str  # as published: "glance_0"
    common_name: str
    sans: tuple[str, ...]
    top_level: bool  # answered in <unit_name>.server.cert/.key rather than processed_requests


def _received(value: str | None) -> Any:
    """charms.reactive's `received[key]`: JSON decoded, else the raw string; "" stays ""."""
    if not value:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _sans(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(sorted({str(v) for v in value}))
    return ()


def legacy_requests(juju_unit: str, data: dict[str, str]) -> list[LegacyRequest]:
    """The server requests in one requirer unit's databag (all_requests, server only)."""
    unit_name = (data.get("unit_name") or juju_unit).replace("/", "_")
    found = []
    if data.get("common_name"):
        sans = _sans(_received(data.get("sans")))
        found.append(LegacyRequest(unit_name, data["common_name"], sans, True))
    requests = _received(data.get("cert_requests"))
    if requests in (None, ""):
        return found
    if not isinstance(requests, dict):
        raise Refused(f"AttributeError: cert_requests of {juju_unit} is not a JSON object")
    for cn, request in requests.items():
        if not isinstance(request, dict) or "sans" not in request:
            raise Refused(f"KeyError 'sans': cert_requests[{cn!r}] of {juju_unit}")
        found.append(LegacyRequest(unit_name, cn, _sans(request["sans"]), False))
    return found


def csr_requests(data: dict[str, str]) -> list[str] | None:
    """The CSRs (PEM text) in one databag, or None when the databag fails validation.

    `CertificateSigningRequest(raw)` is built for each, so an unparsable one is a refusal;
    the caller decides that by trying to load each (the CA module does).
    """
    raw = data.get("certificate_signing_requests")
    if raw is None:
        return []
    try:
        listed = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(listed, list):
        return None
    csrs = []
    for entry in listed:
        if not isinstance(entry, dict):
            return None
        csr, is_ca = entry.get("certificate_signing_request"), entry.get("ca")
        if not isinstance(csr, str) or "ca" not in entry:  # pydantic: `ca` is required
            return None
        if is_ca is not None and not isinstance(is_ca, bool):
            return None
        csrs.append(csr)
    return csrs
