"""The peers' side of the wire protocols (docs/model.md): what they hand out and when."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from reactive_openstack.wire_keys import KEYSTONE_BASE_KEYS

from charmsmith.errors import CharmsmithError
from charmsmith.model.harness import tool_session
from charmsmith.model.peers.real.supervisor import ServiceError

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
KEYSTONE_BASE = KEYSTONE_BASE_KEYS


def _related(tmp_path: Path, peer: str, units: int = 1, config: dict[str, str] | None = None):
    session = tool_session(tmp_path / "m", CHARM, units=units)
    s = session.__enter__()
    s.model.deploy_peer(peer, None, 1, "emulated", config)
    rel = s.model.relate("fixture-api", peer)
    return session, s, rel


def _send(s, rel, unit: str, data: dict[str, str]) -> None:
    rel.unit_data[unit] = {**rel.unit_data.get(unit, {}), **data}
    s.model._changed(rel, "fixture-api", unit)


def test_keystone(tmp_path: Path, monkeypatch):
    session, s, rel = _related(tmp_path, "keystone")
    try:
        assert set(rel.unit_data["keystone/0"]) == {
            "private-address",
            "ingress-address",
            "egress-subnets",
        }  # nothing before asked
        _send(
            s,
            rel,
            "fixture-api/0",
            {
                "service": "swift",  # one keystone registers (charm-keystone valid_services)
                "region": "RegionOne",
                "public_url": "http://203.0.113.2:8080",
                "internal_url": "http://203.0.113.2:8080",
                "admin_url": "http://203.0.113.2:8080",
            },
        )
        data = rel.unit_data["keystone/0"]
        assert all(data.get(k) for k in KEYSTONE_BASE)
        assert data["service_tenant"] == "services" and data["api_version"] == "3"
        assert data["service_host"] == s.model.unit("keystone/0").address
        password = data["service_password"]
        catalog = s.model.peer("keystone").catalog()
        assert catalog["swift"]["admin_url"] == "http://203.0.113.2:8080"
        # the password is in the 0600 state only, never in logs
        s.model.store.save()
        assert password in (s.model.store.path / "state.json").read_text()
        log = s.model.store.path / "debug-log.txt"
        assert not log.exists() or password not in log.read_text()
        # credentials-only consumers get no catalog entry
        _send(s, rel, "fixture-api/0", {"public_url": "None"})
        assert rel.unit_data["keystone/0"]["service_password"] == password
    finally:
        session.__exit__(None, None, None)


def test_mysql_allowed_units_and_prefixes(tmp_path: Path, monkeypatch):
    """percona-cluster: plain keys win over prefixed ones; a unit is listed once granted."""
    session, s, rel = _related(tmp_path, "mysql", units=2)
    try:
        plain = {"database": "fixture", "username": "fixture", "hostname": "198.18.9.1"}
        nova = {"nova_database": "nova", "nova_username": "nova", "nova_hostname": "198.18.9.1"}
        _send(s, rel, "fixture-api/0", {**plain, **nova})
        data = rel.unit_data["mysql/0"]
        assert data["allowed_units"] == "fixture-api/0"
        assert "nova_password" not in data  # percona serves only the plain request then
        assert data["db_host"] == s.model.unit("mysql/0").address and "db_port" not in data
        _send(s, rel, "fixture-api/1", {**plain, "hostname": "198.18.9.2"})
        assert rel.unit_data["mysql/0"]["allowed_units"] == "fixture-api/0 fixture-api/1"
        assert rel.unit_data["mysql/0"]["password"] == data["password"]
    finally:
        session.__exit__(None, None, None)


def test_rabbitmq(tmp_path: Path, monkeypatch):
    session, s, rel = _related(tmp_path, "rabbitmq")
    try:
        assert "password" not in rel.unit_data["rabbitmq/0"]
        _send(s, rel, "fixture-api/0", {"username": "fixture", "vhost": "openstack"})
        data = rel.unit_data["rabbitmq/0"]
        assert data["password"] and data["private-address"] == s.model.unit("rabbitmq/0").address
    finally:
        session.__exit__(None, None, None)


def test_hacluster(tmp_path: Path, monkeypatch):
    session, s, rel = _related(tmp_path, "hacluster", config={"cluster_count": "1"})
    try:
        resources = {"res_fixture_eth0_vip": "ocf:heartbeat:IPaddr2"}
        _send(
            s,
            rel,
            "fixture-api/0",
            {
                "corosync_bindiface": "eth0",
                "corosync_mcastport": "4440",
                "json_resources": json.dumps(resources, sort_keys=True),
            },
        )
        assert rel.unit_data["hacluster/0"]["clustered"] == "yes"
        recorded = s.model.app("hacluster").peer_state["resources"]["fixture-api/0"]
        assert recorded["resources"] == resources and recorded["corosync_mcastport"] == "4440"
    finally:
        session.__exit__(None, None, None)


def test_requested_vips_parses_crm_params():
    from charmsmith.model.peers.hacluster import requested_vips

    sections = {
        "resources": {"res_x_eth0_vip": "ocf:heartbeat:IPaddr2", "res_x_haproxy": "lsb:haproxy"},
        "resource_params": {
            "res_x_eth0_vip": 'params ip="198.51.100.250" nic="eth0" cidr_netmask="24" '
            'op monitor timeout="20s" interval="10s" depth="0"',
            "res_x_haproxy": 'op monitor interval="5s"',
        },
    }
    assert requested_vips(sections) == {"198.51.100.250": {"nic": "eth0", "cidr": 24}}


# -- the `real` backend's wiring, with fakes instead of daemons --------------------------------


class FakeDaemons:
    """What the model did to a daemon backend, shared by every instance built from the state."""

    calls: list[tuple] = []


def _daemon_backend(base: type, fail: BaseException | None = None) -> type:
    """A backend that runs 'daemons' the way the real ones are driven, recording each call."""

    class Fake(base):
        name = "real"
        DAEMONS = True
        USERS = ()  # no daemon user: nothing to make reachable

        def __init__(self, peer_state):
            super().__init__(peer_state)
            self.settings = peer_state["real"]  # raises, as the real ones do, if unconfigured

        @staticmethod
        def configure(peer_state, state_dir, address):
            peer_state["real"] = {"state_dir": str(state_dir), "address": address}
            FakeDaemons.calls.append(("configure", Path(state_dir), address))

        def start(self):
            FakeDaemons.calls.append(("start", self.settings["state_dir"]))
            Path(self.settings["state_dir"], "log").mkdir()
            if fail is not None:
                raise fail
            return 1.5

        def stop(self):
            FakeDaemons.calls.append(("stop", self.settings["state_dir"]))
            return True

    return Fake


@pytest.fixture()
def fake_network(monkeypatch):
    """`destroy` touches no bridge (the sessions' substrate is fake: no bridge was made)."""
    monkeypatch.setattr("charmsmith.model.network.remove_bridge", lambda *a: None)
    FakeDaemons.calls = []


def _with_real(monkeypatch, peer: type, backend: type) -> None:
    monkeypatch.setattr(peer, "BACKENDS", {**peer.BACKENDS, "real": backend})


def test_real_backend_registers_lazily_without_an_import_cycle(monkeypatch):
    from charmsmith.model.peers import PEERS
    from charmsmith.model.peers.real import backends

    for kind in ("keystone", "mysql", "rabbitmq"):
        cls = PEERS[kind]
        monkeypatch.setattr(cls, "BACKENDS", {"emulated": cls.BACKENDS["emulated"]})
        assert cls.backend_class("real") is backends.BACKENDS[kind]
        assert cls.BACKENDS["real"] is backends.BACKENDS[kind]
    with pytest.raises(CharmsmithError, match="backend 'real' is not available"):
        PEERS["hacluster"].backend_class("real")
    # importing the peers must not import the real backends (they import the peers)
    probe = "import sys, charmsmith.model.sequencer; print(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    assert "charmsmith.model.peers.real.backends" not in out


def test_deploy_real_configures_starts_and_destroy_stops(tmp_path: Path, monkeypatch, fake_network):
    from charmsmith.model.peers.mysql import MySQL, MySQLBackend
    from charmsmith.model.sequencer import Model

    _with_real(monkeypatch, MySQL, _daemon_backend(MySQLBackend))
    with tool_session(tmp_path / "m", CHARM) as s:
        lines: list[str] = []
        s.model.echo = lines.append
        s.model.deploy_peer("mysql", None, 1, "real")
        state_dir = s.model.store.path / "peers" / "mysql"
        address = s.model.unit("mysql/0").address
        assert FakeDaemons.calls == [("configure", state_dir, address), ("start", str(state_dir))]
        assert lines[0] == f"mysql: starting the real mysql backend on {address}"
        assert "ready in 1.5 s" in lines[1]
        assert s.model.unit("mysql/0").workload["status"] == "active"
        assert stat_mode(state_dir) == 0o711 and stat_mode(state_dir.parent) == 0o711
        marker = state_dir / "peer.json"
        assert stat_mode(marker) == 0o600
        # answers still come from the peer, through the (fake) real backend
        rel = s.model.relate("fixture-api", "mysql")
        request = {"database": "fixture", "username": "fixture", "hostname": address}
        _send(s, rel, "fixture-api/0", request)
        password = rel.unit_data["mysql/0"]["password"]
        assert password not in marker.read_text()  # secrets stay in state.json only
        s.model.store.save()
        # another process (a later `charmsmith model destroy`) finds the daemons by the marker
        FakeDaemons.calls = []
        Model(s.model.store, echo=lines.append).destroy()
        assert FakeDaemons.calls == [("stop", str(state_dir))]
        assert lines[-1] == "mysql: stopped the real backend"


@pytest.mark.parametrize(
    "failure", [ServiceError("mariadbd died while starting"), KeyboardInterrupt()]
)
def test_failed_real_start_leaves_no_application(
    tmp_path: Path, monkeypatch, fake_network, failure
):
    from charmsmith.model.peers.mysql import MySQL, MySQLBackend

    _with_real(monkeypatch, MySQL, _daemon_backend(MySQLBackend, fail=failure))
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.echo = lambda _line: None
        units_before = set(s.model.state.units)
        expected = CharmsmithError if isinstance(failure, CharmsmithError) else KeyboardInterrupt
        with pytest.raises(expected) as caught:
            s.model.deploy_peer("mysql", None, 1, "real")
        peers = s.model.store.path / "peers"
        if isinstance(failure, ServiceError):
            assert "mariadbd died" in str(caught.value) and "mysql.failed" in str(caught.value)
        assert "mysql" not in s.model.state.applications
        assert set(s.model.state.units) == units_before
        assert [c[0] for c in FakeDaemons.calls] == ["configure", "start", "stop"]
        left = s.model.substrate.left_bridge  # type: ignore[attr-defined]
        assert left == [FakeDaemons.calls[0][2]]  # the peer's address left the bridge
        assert not (peers / "mysql").exists() and (peers / "mysql.failed" / "log").is_dir()
        assert not (peers / "mysql.failed" / "peer.json").exists()  # destroy won't chase it


def test_real_backend_refuses_several_units_and_records_nothing(tmp_path: Path, monkeypatch):
    from charmsmith.model.peers.rabbitmq import RabbitMQ, RabbitMQBackend

    _with_real(monkeypatch, RabbitMQ, _daemon_backend(RabbitMQBackend))
    with tool_session(tmp_path / "m", CHARM) as s:
        with pytest.raises(CharmsmithError, match="runs one server"):
            s.model.deploy_peer("rabbitmq", None, 2, "real")
        with pytest.raises(CharmsmithError, match="not available"):
            s.model.deploy_peer("hacluster", None, 1, "real")
        assert set(s.model.state.applications) == {"fixture-api"}


def test_keystone_merges_the_real_identity_over_the_emulated_answer(
    tmp_path: Path, monkeypatch, fake_network
):
    from charmsmith.model.peers.keystone import Keystone, KeystoneBackend

    base = _daemon_backend(KeystoneBackend)

    class RealishKeystone(base):
        def service_user(self, service):
            raise AssertionError("identity_data() already made the user")

        def identity_data(self, service):
            return {
                "service_username": service,
                "service_password": "from-real-keystone",
                "service_tenant_id": "c0ffee",
                "service_user_id": "u-123",
                "service_domain": "service_domain",
                "auth_port": "35357",
            }

        def catalog(self):
            return {"from-real": {"region": "RegionOne"}}

    _with_real(monkeypatch, Keystone, RealishKeystone)
    with tool_session(tmp_path / "m", CHARM) as s:
        s.model.echo = lambda _line: None
        s.model.deploy_peer("keystone", None, 1, "real")
        rel = s.model.relate("fixture-api", "keystone")
        urls = {f"{i}_url": "http://203.0.113.9:8080" for i in ("public", "internal", "admin")}
        _send(s, rel, "fixture-api/0", {"service": "swift", "region": "RegionOne", **urls})
        data = rel.unit_data["keystone/0"]
        assert all(data.get(k) for k in KEYSTONE_BASE)
        assert data["service_password"] == "from-real-keystone"
        assert (data["service_tenant_id"], data["service_user_id"]) == ("c0ffee", "u-123")
        host = s.model.unit("keystone/0").address
        assert (data["internal_host"], data["internal_port"]) == (host, "5000")  # emulated stay
        assert not {"region", "internal-auth-url"} & set(data)  # keys keystone never sends
        assert s.model.peer("keystone").catalog() == {"from-real": {"region": "RegionOne"}}


@pytest.fixture()
def reachable_root():
    """A 0711 temp dir (not pytest's 0700 tmp_path): probes run as other users must reach it."""
    root = Path(tempfile.mkdtemp(prefix="charmsmith-acl-"))
    root.chmod(0o711)
    yield root
    shutil.rmtree(root)


def test_grant_search_lets_one_user_through_a_private_dir(reachable_root: Path):
    import errno
    import os
    import pwd

    from charmsmith.model.peers.real import access
    from charmsmith.model.peers.real.supervisor import can_search

    private = reachable_root / "model"
    private.mkdir(mode=0o700)
    try:
        access.grant_search(private, ["nobody"])
    except ServiceError as err:  # a filesystem without ACLs
        pytest.skip(str(err))
    except OSError as err:  # e.g. not the directory's owner
        if err.errno in (errno.EPERM, errno.EACCES):
            pytest.skip(str(err))
        raise
    acl = access._acl(private)
    nobody = pwd.getpwnam("nobody").pw_uid
    assert acl[(access._USER, nobody)] == 0o1 and acl[(access._MASK, access._NO_ID)] == 0o1
    assert stat_mode(private) == 0o710  # the mask; the owning group's entry stays ---
    access.grant_search(private, ["nobody"])  # idempotent
    assert access._acl(private) == acl
    if os.geteuid() == 0:  # probing as another user needs root
        (private / "peers").mkdir(mode=0o711)
        assert can_search(private / "peers", "nobody")
        assert not can_search(private / "peers", "daemon")


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize(
    ("kind", "backend", "config", "refusal"),
    [
        ("hacluster", "emulated", {"cluster_count": "three"}, 'option "cluster_count" expects int'),
        (
            "hacluster",
            "emulated",
            {"cluster_count": "0"},
            "cluster_count must be a positive number",
        ),
        ("rabbitmq", "emulated", {"ssl": "yes"}, "option ssl must be one of off, on, only"),
        ("rabbitmq", "real", {"ssl": "on"}, "real rabbitmq backend serves plain AMQP only"),
    ],
)
def test_bad_peer_config_is_refused_in_one_line_before_anything_is_recorded(
    tmp_path: Path, kind: str, backend: str, config: dict[str, str], refusal: str
):
    with tool_session(tmp_path / "m", CHARM) as s:
        with pytest.raises(CharmsmithError, match=refusal):
            s.model.deploy_peer(kind, None, 1, backend, config)
        assert kind not in s.model.state.applications
