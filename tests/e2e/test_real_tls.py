"""The generated glance charm serves its real API over TLS with certificates from vault.

Issue 15 item 4. Two glance units from `charmsmith create` run Debian's glance-api in real mode
next to the real Keystone, MariaDB and RabbitMQ (real_charms.py); relating them to the model's
vault peer turns the catalog to https. Real clients prove it: the `openstack` CLI trusting only
vault's root, `openssl s_client -verify_return_error` against every unit (and refused without that
root), and a loop of token-authenticated HTTPS requests that loses none while vault reissues the
certificates and each unit's haproxy reloads (Debian's init script: a new haproxy with `-sf`).
self-signed-certificates (the csr generation) is left to tests/integration/test_model_tls.py:
switching providers re-registers the catalog twice in the real Keystone, over 2 minutes here.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from model_cli import ModelCLI
from real_charms import openstack, peer_backend, real_model, timed, until_ok

pytestmark = pytest.mark.e2e

PORT = 9292
UNITS = 2
CLIENTS = 4  # threads each sending one request at a time
WARM = 20  # requests per unit with a certificate before and after the rotation


@pytest.fixture(scope="module")
def model() -> Iterator[ModelCLI]:
    with real_model("tls", {"glance": UNITS}) as cli:
        yield cli


@pytest.fixture(scope="module")
def vault_root(model: ModelCLI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """vault related to glance (the legacy protocol); its root CA, the only one clients trust."""
    timed("deploy vault", model, "deploy", "vault")
    related = timed("relate glance vault", model, "relate", "glance:certificates", "vault")
    hooks = [line for line in related.stdout.splitlines() if "certificates-relation" in line]
    print("e2e: " + "\ne2e: ".join(hooks), file=sys.stderr, flush=True)
    output = json.loads(model("run-action", "vault/0", "get-root-ca").stdout)["results"]["output"]
    root = tmp_path_factory.mktemp("vault") / "root.pem"
    root.write_text(output)
    return root


def _addresses(model: ModelCLI) -> list[str]:
    units = model.status()["applications"]["glance"]["units"]
    assert len(units) == UNITS
    return [unit["address"] for unit in units.values()]


def _s_client(address: str, cafile: Path | None) -> subprocess.CompletedProcess[str]:
    """The real openssl client, failing on any verification error (and on the IP not matching)."""
    argv = ["openssl", "s_client", "-connect", f"{address}:{PORT}", "-verify_return_error"]
    argv += ["-verify_ip", address] + (["-CAfile", str(cafile)] if cafile else [])
    return subprocess.run(argv, input="", capture_output=True, text=True, timeout=30)


def test_the_https_catalog_entry_serves_image_list_to_a_client_trusting_vault(
    model: ModelCLI, vault_root: Path
) -> None:
    entry = json.loads(model("catalog", "--format", "json").stdout)["glance"]
    urls = {entry[f"{kind}_url"] for kind in ("public", "internal", "admin")}
    assert len(urls) == 1 and next(iter(urls)).startswith("https://"), urls
    env = peer_backend(model, "keystone").server.admin_env()

    # haproxy restarted with TLS on: its check may not have seen glance-api come up yet
    listing = until_ok(env, "--os-cacert", str(vault_root), "image", "list")
    assert json.loads(listing.stdout) == []
    refused = openstack(env, "image", "list")  # the system's CAs do not include vault's root
    assert refused.returncode != 0, refused.stdout
    assert f"Failed to contact the endpoint at {next(iter(urls))}" in refused.stderr


def test_every_unit_verifies_against_vault_and_not_without_it(
    model: ModelCLI, vault_root: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other-ca.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=another CA", "-keyout", str(tmp_path / "key"), "-out", str(other)],
        check=True,
        capture_output=True,
    )
    for address in _addresses(model):
        trusted = _s_client(address, vault_root)
        assert trusted.returncode == 0, trusted.stdout + trusted.stderr
        assert "Verify return code: 0 (ok)" in trusted.stdout
        for cafile in (None, other):
            refused = _s_client(address, cafile)
            assert refused.returncode != 0, f"{address} verified with {cafile}"
            assert "verify error" in refused.stderr, refused.stderr


@dataclass
class RequestLoop:
    """Authenticated GET /v2/images over fresh TLS connections to every unit, never retried.

    Each answer records the serial of the certificate its connection was served with, so the
    loop itself shows each unit going from the old certificate to the new one.
    """

    addresses: list[str]
    token: str
    cafile: Path
    served: dict[str, list[int]] = field(default_factory=dict)  # address -> serials, in order
    failed: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        context = ssl.create_default_context(cafile=str(self.cafile))
        while not self.stop.is_set():
            for address in self.addresses:
                try:
                    status, serial = self._get(context, address)
                except OSError as exc:  # refused, reset, TLS failure, timeout
                    self.failed.append(f"{address}: {exc!r}")
                    continue
                if status != "200":
                    self.failed.append(f"{address}: HTTP {status}")
                self.served.setdefault(address, []).append(serial)

    def _get(self, context: ssl.SSLContext, address: str) -> tuple[str, int]:
        request = (
            f"GET /v2/images HTTP/1.1\r\nHost: {address}:{PORT}\r\n"
            f"X-Auth-Token: {self.token}\r\nConnection: close\r\n\r\n"
        )
        with socket.create_connection((address, PORT), timeout=60) as sock:
            with context.wrap_socket(sock, server_hostname=address) as tls:
                serial = _serial(tls)
                tls.sendall(request.encode())
                reply = b""
                while chunk := tls.recv(65536):
                    reply += chunk
        status = reply.split(b" ", 2)[1].decode() if reply.startswith(b"HTTP/") else repr(reply)
        return status, serial

    def sees(self, serials: dict[str, int], times: int) -> bool:
        """Every unit has answered ``times`` requests with its certificate in ``serials``."""
        return all(self.served.get(a, []).count(serials[a]) >= times for a in serials)

    def counts(self) -> dict[str, int]:
        return {address: len(self.served.get(address, [])) for address in self.addresses}


def _serial(tls: ssl.SSLSocket) -> int:
    der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def _serials(addresses: list[str], cafile: Path) -> dict[str, int]:
    """The serial of the certificate each unit serves now (verified against ``cafile``)."""
    context = ssl.create_default_context(cafile=str(cafile))
    found = {}
    for address in addresses:
        with socket.create_connection((address, PORT), timeout=30) as sock:
            with context.wrap_socket(sock, server_hostname=address) as tls:
                found[address] = _serial(tls)
    return found


def _renewals(model: ModelCLI) -> int:
    return model("debug-log").stdout.count("TLS certificates renewed: reloading haproxy")


def test_reissued_certificates_are_served_without_dropping_a_request(
    model: ModelCLI, vault_root: Path
) -> None:
    keystone = peer_backend(model, "keystone").server
    addresses = _addresses(model)
    token = keystone.token("admin", keystone.admin_password, "admin")
    renewals = _renewals(model)
    loop = RequestLoop(addresses, token, vault_root)
    threads = [threading.Thread(target=loop.run) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        before = _serials(addresses, vault_root)
        deadline = time.monotonic() + 120
        # steady flow to every unit first (each glance worker has validated the token once)
        while not loop.sees(before, WARM):
            assert time.monotonic() < deadline and not loop.failed, loop.failed[:5]
            time.sleep(0.5)
        started = loop.counts()
        rotated = timed(
            "vault reissue-certificates", model, "run-action", "vault/0", "reissue-certificates"
        )
        ended = loop.counts()
        after = _serials(addresses, vault_root)
        deadline = time.monotonic() + 120
        while not loop.sees(after, WARM):  # and on with the new certificate on every unit
            assert time.monotonic() < deadline, "the loop never saw the new certificates"
            time.sleep(0.5)
    finally:
        loop.stop.set()
        for thread in threads:
            thread.join(timeout=120)
    during = {address: ended[address] - started[address] for address in addresses}
    print(f"e2e: rotation: {loop.counts()} requests, {during} during the action", file=sys.stderr)
    assert loop.failed == [], loop.failed[:5]
    assert all(during.values()), during  # the reloads happened while requests were flowing
    assert all(after[address] != before[address] for address in addresses), (before, after)
    assert rotated.stdout.count("certificates-relation-changed (vault/0) ok") == UNITS
    assert _renewals(model) == renewals + UNITS
