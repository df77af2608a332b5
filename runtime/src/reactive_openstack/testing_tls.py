"""A stand-in for the ``tls-certificates`` requirer endpoint, for unit tests with FakeHost.

It offers the part of the interface layer's API the runtime reads (``relations``,
``request_server_cert``, ``get_ca``, ``get_chain``, ``server_certs_map``) and records the
requests, so a test can answer exactly what was asked: ``FakeCertificates(ca=...)`` then
``certs.answer(cn, cert, key)``. Seed it with ``host.endpoints["certificates"] = certs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FakeCertificates", "IssuedCert"]


@dataclass(frozen=True)
class IssuedCert:
    """What the layer's ``server_certs_map`` holds per common name (its ``.cert``/``.key``)."""

    cert: str
    key: str


@dataclass
class FakeCertificates:
    """A joined ``certificates`` relation; ``joined=False`` plays one that has gone."""

    ca: str | None = None
    chain: str | None = None
    joined: bool = True
    issued: dict[str, IssuedCert] = field(default_factory=dict)
    requests: dict[str, list[str]] = field(default_factory=dict)

    @property
    def relations(self) -> list[str]:
        return ["certificates:1"] if self.joined else []

    def request_server_cert(self, cn: str, sans: list[str] | None = None) -> None:
        self.requests[cn] = sorted(set(sans or []))

    def answer(self, cn: str, cert: str, key: str) -> None:
        self.issued[cn] = IssuedCert(cert, key)

    def get_ca(self) -> str | None:
        return self.ca

    def get_chain(self) -> str | None:
        return self.chain

    @property
    def server_certs_map(self) -> dict[str, IssuedCert]:
        return dict(self.issued)
