"""TLS on the API port: certificates from the ``certificates`` relation or the ``ssl_*`` options.

Upstream (charms.openstack) terminates TLS in apache2 on N-10 behind haproxy. Our units already
run haproxy on N on every unit, so haproxy terminates TLS there (``bind ... ssl crt <dir>``) and
balances plain HTTP to each unit's API on N-10, as without TLS. :func:`configure` acts once per
hook (later calls return its answer): it requests one certificate per name a client may use,
serves the relation's certificates, else the options', else none (PEMs 0640 root:haproxy, never
logged; the CA in the trust store), sets ``ssl.enabled`` and reloads (never restarts) haproxy
when only the certificates changed. Details: docs/tls.md, 'HTTPS on the API port'.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reactive_openstack._config_checks import check_ssl_options, decode_ssl_option
from reactive_openstack._endpoints import ENDPOINT_TYPES, vips
from reactive_openstack._netaddrs import endpoint_address, interface_for
from reactive_openstack.host import CommandFailed

if TYPE_CHECKING:
    from reactive_openstack._charm_view import Charm

__all__ = [
    "CA_DIR",
    "CERTS_DIR",
    "SSL_ENABLED_FLAG",
    "ServedCert",
    "TlsMaterial",
    "certificate_requests",
    "configure",
    "material",
]

#: haproxy loads every PEM in this directory (``crt <dir>``) and picks one by SNI.
CERTS_DIR = "/etc/haproxy/tls"
#: update-ca-certificates picks up every ``*.crt`` here (as charm-helpers installs a CA).
CA_DIR = "/usr/local/share/ca-certificates"
SSL_ENABLED_FLAG = "ssl.enabled"
ENDPOINT = "certificates"
#: kv key: file name -> sha256 of what is served (tells a renewal from the first certificate).
SERVED_KEY = "reactive_openstack.tls-served"


@dataclass(frozen=True)
class ServedCert:
    """One certificate haproxy serves: the leaf and its chain, and the private key."""

    name: str
    cert: str
    key: str

    def pem(self) -> bytes:
        parts = [self.cert.strip(), self.key.strip()]
        return ("\n".join(parts) + "\n").encode()

    @property
    def file_name(self) -> str:
        """A file name safe for any common name (a hostname, an IPv6 literal)."""
        safe = "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in self.name)
        return f"{safe}.pem"


@dataclass(frozen=True)
class TlsMaterial:
    """What the unit serves and trusts; ``source`` is ``relation`` or ``config``."""

    certs: tuple[ServedCert, ...]
    ca: str | None
    source: str


def _in_network(address: str, network: str | None) -> bool:
    if not network:
        return True
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def _network_of(host: Any, address: str) -> str | None:
    """The network of the local interface carrying ``address`` (None if none does)."""
    found = interface_for(host.local_addresses(), address)
    if found is None:
        return None
    return str(ipaddress.ip_network(f"{address}/{found[1]}", strict=False))


def certificate_requests(charm: Charm) -> dict[str, list[str]]:
    """Common name -> SANs: one request per name clients may reach this unit by.

    As charm-helpers' get_certificate_request: per endpoint type, the common name is
    ``os-<type>-hostname`` when set, else the unit's address on that network; the SANs hold
    that address and the VIPs on that network (asked for before hacluster clusters, so the
    certificate is already right when the VIP comes up). Types sharing a name share a request.
    """
    host = charm.host
    config = host.config()
    requests: dict[str, set[str]] = {}
    for kind in ENDPOINT_TYPES:
        address, network = endpoint_address(host, kind)
        address = address or host.unit_address()
        network = network or _network_of(host, address)
        names = {address} | {vip for vip in vips(charm) if _in_network(vip, network)}
        hostname = config.get(f"os-{kind}-hostname")
        cn = str(hostname).replace("{service_name}", host.application_name) if hostname else address
        requests.setdefault(cn, set()).update(names | {cn})
    return {cn: sorted(names) for cn, names in sorted(requests.items())}


def _relation_material(charm: Charm, certificates: Any) -> TlsMaterial | None:
    """The relation's answer, only when every request has a certificate and the CA is there."""
    if certificates is None or not getattr(certificates, "relations", None):
        return None
    wanted = certificate_requests(charm)
    ca = certificates.get_ca()
    answers = certificates.server_certs_map
    if not ca or any(cn not in answers for cn in wanted):
        return None
    chain = (certificates.get_chain() or "").strip()
    served = []
    for cn in wanted:
        answer = answers[cn]
        cert = answer.cert.strip() + ("\n" + chain if chain else "")
        served.append(ServedCert(cn, cert, answer.key))
    return TlsMaterial(tuple(served), ca, "relation")


def _config_material(charm: Charm) -> TlsMaterial | None:
    config = charm.host.config()
    if check_ssl_options(config) is not None:
        return None
    cert, key = decode_ssl_option(config, "ssl_cert"), decode_ssl_option(config, "ssl_key")
    if not (cert and key):
        return None
    name = endpoint_address(charm.host, "public")[0] or charm.host.unit_address()
    ca = decode_ssl_option(config, "ssl_ca")
    return TlsMaterial((ServedCert(name, cert, key),), ca, "config")


def material(charm: Charm, certificates: Any = None) -> TlsMaterial | None:
    """What to serve now: the relation's certificates win over the ``ssl_*`` options."""
    return _relation_material(charm, certificates) or _config_material(charm)


def _ca_path(charm: Charm) -> str:
    return f"{CA_DIR}/{charm.service_name or charm.name}.crt"


def _install_ca(charm: Charm, ca: str | None) -> bool:
    """Put the CA in the trust store (or take ours out); True when the store changed."""
    host, path = charm.host, _ca_path(charm)
    if ca:
        changed = host.write_file(path, (ca.strip() + "\n").encode(), 0o644, "root", "root")
    else:
        changed = host.remove_file(path)
    if changed:
        host.run(["update-ca-certificates", "--fresh"])
    return changed


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_certs(charm: Charm, served: tuple[ServedCert, ...]) -> dict[str, str]:
    """Write each PEM 0640 root:haproxy and remove ours no longer served; name -> digest."""
    host = charm.host
    previous: dict[str, str] = dict(host.kv_get(SERVED_KEY) or {})
    current: dict[str, str] = {}
    if served:
        host.mkdir(CERTS_DIR, 0o750, "root", "haproxy")
    for cert in served:
        pem = cert.pem()
        host.write_file(f"{CERTS_DIR}/{cert.file_name}", pem, 0o640, "root", "haproxy")
        current[cert.file_name] = _digest(pem)
    for file_name in sorted(set(previous) - set(current)):
        host.remove_file(f"{CERTS_DIR}/{file_name}")
    if current != previous:
        host.kv_set(SERVED_KEY, current)
    return previous


def _reload_haproxy(charm: Charm) -> None:
    """A renewed certificate: haproxy re-reads its files on reload, keeping its connections."""
    host = charm.host
    if charm.paused or not host.service_running("haproxy"):
        return
    try:
        host.run(["service", "haproxy", "reload"])
    except CommandFailed as exc:
        host.log(f"haproxy reload failed with exit code {exc.returncode}", "ERROR")


@dataclass(frozen=True)
class _Configured:
    """What :func:`configure` found in one hook, kept on the hook's charm instance."""

    host: Any
    hook_id: str
    found: TlsMaterial | None


def configure(charm: Charm) -> TlsMaterial | None:
    """Request certificates, serve what is there, set ``ssl.enabled``; once per hook.

    The memo is keyed by the host and its hook id, not by the instance alone: in a charm's
    unit tests one instance sees several simulated hooks. Without a hook id nothing is kept.
    Only charms whose haproxy fronts the API can serve TLS; others are left alone.
    """
    if not getattr(charm, "haproxy_enabled", False):
        return None
    host = charm.host
    hook_id = getattr(host, "hook_id", "")
    memo = charm.memo.tls_configured
    if hook_id and isinstance(memo, _Configured) and memo.host is host and memo.hook_id == hook_id:
        return memo.found
    found = _configure(charm)
    if hook_id:
        charm.memo.tls_configured = _Configured(host, hook_id, found)
    return found


def _configure(charm: Charm) -> TlsMaterial | None:
    host = charm.host
    certificates = host.endpoint(ENDPOINT)
    if certificates is not None and getattr(certificates, "relations", None):
        for cn, sans in certificate_requests(charm).items():
            certificates.request_server_cert(cn, sans)
    found = material(charm, certificates)
    previous = _write_certs(charm, found.certs if found else ())
    _install_ca(charm, found.ca if found else None)
    was_enabled = host.is_flag_set(SSL_ENABLED_FLAG)
    if found is None:
        if was_enabled:
            host.clear_flag(SSL_ENABLED_FLAG)
            host.log("TLS off: no certificate to serve")
        return None
    if not was_enabled:
        host.set_flag(SSL_ENABLED_FLAG)
        host.log(f"TLS on: serving {len(found.certs)} certificate(s) from the {found.source}")
    elif host.kv_get(SERVED_KEY) != previous:
        host.log("TLS certificates renewed: reloading haproxy")
        _reload_haproxy(charm)
    return found
