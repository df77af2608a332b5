"""TLS in the local model: a generated charm related to each certificates peer serves HTTPS.

The charm comes from `charmsmith create` (examples/congress-answers.yaml: the certificates
relation is on by default) and the real charm-tools build. Clients are the real openssl and
Python's ssl, connecting over the model bridge to each unit's real haproxy.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from model_cli import ModelCLI as CLI

pytestmark = [pytest.mark.netns, pytest.mark.build]

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = ROOT / "examples" / "congress-answers.yaml"
PORT = 1789

if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("openssl"):
    pytest.skip("needs root, iproute2 and openssl", allow_module_level=True)


@pytest.fixture(scope="module")
def congress(build_generated) -> Path:
    return build_generated(ANSWERS, "congress")


def _catalog_schemes(cli: CLI) -> set[str]:
    entry = json.loads(cli("catalog", "--format", "json").stdout)["congress"]
    return {entry[f"{kind}_url"].split("://")[0] for kind in ("public", "internal", "admin")}


def _s_client(address: str, cafile: Path | None) -> int:
    """openssl s_client -verify_return_error against one unit; its exit code."""
    argv = ["openssl", "s_client", "-connect", f"{address}:{PORT}", "-verify_return_error"]
    argv += ["-CAfile", str(cafile), "-verify_ip", address] if cafile else []
    return subprocess.run(argv, input="", capture_output=True, timeout=20).returncode


def _https_get(address: str, cafile: Path) -> str:
    """GET / over TLS, verifying the chain and the IP against the CA (as clients do)."""
    context = ssl.create_default_context(cafile=str(cafile))
    with socket.create_connection((address, PORT), timeout=5) as sock:
        with context.wrap_socket(sock, server_hostname=address) as tls:
            tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return tls.recv(4096).decode()


def _action_output(cli: CLI, unit: str, action: str, key: str, path: Path) -> Path:
    path.write_text(json.loads(cli("run-action", unit, action).stdout)["results"][key])
    return path


def _serial(address: str) -> str:
    pem = ssl.get_server_certificate((address, PORT), timeout=5)
    return subprocess.run(
        ["openssl", "x509", "-noout", "-serial"], input=pem, capture_output=True, text=True
    ).stdout


def test_each_certificates_peer_turns_the_units_to_https_and_back(
    cli: CLI, congress: Path, tmp_path: Path, deploy_with_peers
):
    deploy_with_peers(congress, "congress", "-n", "2")
    assert _catalog_schemes(cli) == {"http"}
    units = cli.status()["applications"]["congress"]["units"]
    addresses = [unit["address"] for unit in units.values()]

    # the csr generation: self-signed-certificates signs the units' CSRs
    cli("deploy", "self-signed-certificates")
    cli("relate", "congress:certificates", "self-signed-certificates")
    assert _catalog_schemes(cli) == {"https"}
    ca = _action_output(
        cli, "self-signed-certificates/0", "get-ca-certificate", "ca-certificate", tmp_path / "a"
    )
    for address in addresses:
        assert _s_client(address, ca) == 0
        assert _s_client(address, None) != 0  # the CA is not in this machine's trust store
        assert "stand-in for congress-server" in _https_get(address, ca)
    # the unit trusts the CA itself (installed in its store), so no -CAfile is needed there
    check = f"openssl s_client -connect {addresses[1]}:{PORT} -verify_return_error </dev/null"
    assert cli("ssh", "congress/0", check, check=False).returncode == 0
    status = cli.status()["applications"]["congress"]["units"]
    assert {unit["workload-status"] for unit in status.values()} == {"active"}

    cli("remove-relation", "congress:certificates", "self-signed-certificates")
    assert _catalog_schemes(cli) == {"http"}
    listed = cli("ssh", "congress/0", "ls /etc/haproxy/tls /usr/local/share/ca-certificates")
    assert ".pem" not in listed.stdout and "congress.crt" not in listed.stdout

    # the legacy generation: vault makes the keys, serves from an intermediate under its root
    cli("deploy", "vault")
    cli("relate", "congress:certificates", "vault")
    assert _catalog_schemes(cli) == {"https"}
    root = _action_output(cli, "vault/0", "get-root-ca", "output", tmp_path / "root")
    for address in addresses:
        assert _s_client(address, root) == 0  # the unit serves the intermediate with its cert
        assert _s_client(address, ca) != 0

    # renewal: new certificates served after a reload of haproxy, never a restart
    before = _serial(addresses[0])
    seen = len(cli.records().units["congress/0"].service_log or [])
    cli("run-action", "vault/0", "reissue-certificates")
    assert _serial(addresses[0]) != before
    assert _s_client(addresses[0], root) == 0
    since = (cli.records().units["congress/0"].service_log or [])[seen:]
    assert ["reload", "haproxy"] in since and ["restart", "haproxy"] not in since

    # behind the VIP: the VIP is in every unit's certificate, the catalog names it in https
    vip = cli.status()["model"]["subnet"].rsplit(".", 1)[0] + ".250"
    cli("config", "congress", f"vip={vip}")
    cli("deploy", "hacluster", "--config", "cluster_count=2")  # two units: the cluster's size
    cli("relate", "congress", "hacluster")
    entry = json.loads(cli("catalog", "--format", "json").stdout)["congress"]
    assert {entry[f"{kind}_url"] for kind in ("public", "internal", "admin")} == {
        f"https://{vip}:{PORT}"
    }
    assert _s_client(vip, root) == 0
    assert "stand-in for congress-server" in _https_get(vip, root)
