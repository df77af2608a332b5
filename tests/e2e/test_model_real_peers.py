"""The model with real peers: sample-api's rendered credentials work against the real servers.

Why: the emulated peers can only agree with our own reading of the protocols. Here
`charmsmith model deploy keystone|mysql|rabbitmq --backend real` runs Debian's Keystone, MariaDB
and RabbitMQ on the peer units' bridge addresses; the built sample-api charm (emulated mode)
relates to them and must render a config whose database, Keystone and AMQP credentials log in
to those servers — and `destroy` must leave none of their processes behind.
All traffic goes to the model bridge's addresses, or loopback (rabbitmqctl to its node).
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from model_cli import ModelCLI, listening
from real_host import private_model, require_host

from charmsmith.model.peers.real.supervisor import group_members, pid_alive

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "sample-api"
PEERS = ("keystone", "mysql", "rabbitmq")
NEEDED = ("/usr/sbin/mariadbd", "/usr/bin/mariadb", "/usr/bin/keystone-manage", "/usr/bin/uwsgi")
ERLANG_LOOPBACK_PORTS = (4370, 25673)  # the real rabbitmq's fixed epmd/distribution ports


@pytest.fixture(scope="module")
def sample_charm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from charmsmith.build import build_charm

    out = tmp_path_factory.mktemp("sample-build")
    return build_charm(SAMPLE, out, binary_wheels=True, progress=lambda _line: None)


@pytest.fixture()
def cli() -> Iterator[ModelCLI]:
    require_host(NEEDED, tools=("ip", "gcc"))
    busy = [port for port in ERLANG_LOOPBACK_PORTS if listening("127.0.0.1", port)]
    if busy:
        pytest.skip(f"loopback ports of the real rabbitmq in use: {busy}")
    with private_model("charmsmith-e2e-model-") as c:
        yield c


def _daemon_pids(model: Path) -> list[int]:
    """Every live process of the peers' daemons, found through their pidfiles."""
    pids = []
    for pidfile in (model / "peers").rglob("*.pid"):
        words = pidfile.read_text().split()
        if len(words) == 2 and words[0].isdigit():  # our supervisor's "<pid> <start time>"
            pids.extend(group_members(int(words[0])))
    return [pid for pid in pids if pid_alive(pid)]


def _db_login(netns: str, uri: str) -> str:
    """Log in with the rendered DB URI from inside the unit's network namespace (where the
    grant applies); the password travels in a 0600 option file, never in argv."""
    parts = urlsplit(uri)
    fd, option_file = tempfile.mkstemp(prefix="charmsmith-e2e-", suffix=".cnf")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(f"[client]\npassword={unquote(parts.password or '')}\n")
        argv = [
            "nsenter",
            f"--net={netns}",
            "mariadb",
            f"--defaults-extra-file={option_file}",
            "--protocol=tcp",
            f"--host={parts.hostname}",
            f"--port={parts.port or 3306}",
            f"--user={unquote(parts.username or '')}",
            "--batch",
            "--skip-column-names",
            "--execute=SELECT CURRENT_USER()",
            parts.path.lstrip("/"),
        ]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    finally:
        os.unlink(option_file)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _token(auth: configparser.SectionProxy) -> str:
    """POST /v3/auth/tokens to the real Keystone with the rendered [keystone_authtoken] values."""
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": auth["username"],
                        "domain": {"name": auth["user_domain_name"]},
                        "password": auth["password"],
                    }
                },
            },
            "scope": {
                "project": {
                    "name": auth["project_name"],
                    "domain": {"name": auth["project_domain_name"]},
                }
            },
        }
    }
    base = auth["auth_url"].rstrip("/")
    if not base.endswith("/v3"):  # unversioned, as rendered: keystoneauth discovers v3 here
        base += "/v3"
    request = urllib.request.Request(
        base + "/auth/tokens",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # bridge only
    with opener.open(request, timeout=30) as response:
        assert response.status == 201
        return response.headers["X-Subject-Token"]


def test_sample_api_renders_credentials_that_work_on_real_peers(cli: ModelCLI, sample_charm: Path):
    begin = time.monotonic()
    starts = {}
    for peer in PEERS:
        t0 = time.monotonic()
        out = cli("deploy", peer, "--backend", "real").stdout
        starts[peer] = time.monotonic() - t0
        assert f"{peer}: real backend ready in" in out, out
    state = cli.records()
    address = {peer: state.units[f"{peer}/0"].address for peer in PEERS}
    assert listening(address["mysql"], 3306) and listening(address["rabbitmq"], 5672)
    assert listening(address["keystone"], 5000) and listening(address["keystone"], 35357)

    cli("deploy", str(sample_charm))
    for peer in PEERS:
        cli("relate", "sample-api", peer)
    status = json.loads(cli("status", "--format", "json").stdout)
    unit = status["applications"]["sample-api"]["units"]["sample-api/0"]
    assert (unit["workload-status"], unit["message"]) == ("active", "Unit is ready"), unit

    # the catalog is read from the real Keystone and lists the unit's URLs
    catalog = json.loads(cli("catalog", "--format", "json").stdout)
    assert catalog["panko"] == {  # the fixture's service_name, one keystone lists
        "region": "RegionOne",
        **{f"{i}_url": f"http://{unit['address']}:9393" for i in ("public", "internal", "admin")},
    }

    conf = configparser.ConfigParser(interpolation=None)
    conf.read_string(cli("ssh", "sample-api/0", "cat /etc/sample/sample-api.conf").stdout)
    state = cli.records()

    uri = conf["database"]["connection"]
    assert urlsplit(uri).hostname == address["mysql"]
    netns = state.units["sample-api/0"].netns or ""
    db_user = unquote(urlsplit(uri).username or "")
    assert _db_login(netns, uri) == f"{db_user}@{unit['address']}"  # the grant for this unit

    auth = conf["keystone_authtoken"]
    assert urlsplit(auth["auth_url"]).hostname == address["keystone"]
    assert _token(auth)

    from charmsmith.model.peers.real.backends import RealRabbitMQ

    transport = urlsplit(conf["DEFAULT"]["transport_url"])
    assert transport.hostname == address["rabbitmq"]
    rabbit = RealRabbitMQ(state.applications["rabbitmq"].peer_state or {}).server
    login = rabbit.ctl(
        "authenticate_user",
        unquote(transport.username or ""),
        input_text=unquote(transport.password or "") + "\n",  # stdin, not argv
        check=False,
    )
    assert login.returncode == 0, login.stdout + login.stderr

    daemons = _daemon_pids(cli.model)
    assert len(daemons) >= 4  # two MariaDBs, uwsgi (+ workers), epmd, the Erlang node
    out = cli("destroy").stdout
    assert all(f"{peer}: stopped the real backend" in out for peer in PEERS), out
    assert [pid for pid in daemons if pid_alive(pid)] == []
    # Not by connecting: with the bridge gone, those addresses would route off the machine.
    listeners = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True).stdout
    left = [f"{a}:{port}" for a in address.values() for port in (3306, 5000, 5672, 35357)]
    left += [f"127.0.0.1:{port}" for port in ERLANG_LOOPBACK_PORTS]
    assert [where for where in left if f" {where} " in listeners] == []
    print(
        "\nreal peers started in "
        + ", ".join(f"{peer} {seconds:.1f} s" for peer, seconds in starts.items())
        + f"; scenario {time.monotonic() - begin:.1f} s"
    )
