"""The emulated hacluster places a VIP as IPaddr2 would and processes json_delete_resources."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from charmsmith.model.harness import tool_session
from charmsmith.model.peers import ipaddr

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"
META = 'meta migration-threshold="INFINITY" failure-timeout="5s" op monitor interval="10s"'
ETH0 = {"eth0": ipaddress.ip_interface("203.0.113.5/24")}


def test_params_stop_at_meta_and_op():
    text = f'params ip="10.0.0.1" nic="ens3" cidr_netmask=22 {META} other="x"'
    assert ipaddr.params(text) == {"ip": "10.0.0.1", "nic": "ens3", "cidr_netmask": "22"}
    assert ipaddr.vip_of("ocf:heartbeat:IPv6addr", 'params ipv6addr="fd00::5"') == {
        "vip": "fd00::5",
        "nic": None,
        "cidr": None,
    }
    assert ipaddr.vip_of("lsb:haproxy", META) is None


def test_ip_only_goes_on_the_interface_that_carries_its_network():
    assert ipaddr.placement(ETH0, "203.0.113.250", None, None) == ("eth0", 24)
    assert ipaddr.placement(ETH0, "203.0.113.250", None, 28) == ("eth0", 28)
    assert ipaddr.placement(ETH0, "198.51.100.7", None, None) == "Unable to find nic or netmask"
    assert ipaddr.placement(ETH0, "fd00::7", None, None) == "Unable to find nic or netmask"


def test_nic_is_honoured_only_when_given_and_must_exist():
    assert ipaddr.placement(ETH0, "198.51.100.7", "eth0", 24) == ("eth0", 24)
    assert ipaddr.placement(ETH0, "203.0.113.250", "ens3", 24).startswith("Unknown interface")
    assert ipaddr.placement(ETH0, "198.51.100.7", "eth0", None) == "Unable to find nic or netmask"


def _send(s, rel, data):
    rel.unit_data["fixture-api/0"] = {**rel.unit_data.get("fixture-api/0", {}), **data}
    s.model._changed(rel, "fixture-api", "fixture-api/0")


def _vip_sections(names: dict[str, str], deleted: list[str]) -> dict[str, str]:
    resources = {name: "ocf:heartbeat:IPaddr2" for name in names}
    params = {name: f'params ip="{vip}" {META}' for name, vip in names.items()}
    return {
        "json_resources": json.dumps(resources, sort_keys=True),
        "json_resource_params": json.dumps(params, sort_keys=True),
        "json_delete_resources": json.dumps(deleted),
    }


def test_a_vip_stays_until_deleted_and_goes_when_deleted(tmp_path: Path, monkeypatch):
    with tool_session(tmp_path / "m", CHARM) as s:
        plumbed = s.model.substrate.vips
        s.model.deploy_peer("hacluster", None, 1, "emulated", {"cluster_count": "1"})
        s.model.unit("fixture-api/0").netns = "fake"
        rel = s.model.relate("fixture-api", "hacluster")
        _send(s, rel, _vip_sections({"res_f_aaaaaaa_vip": "203.0.113.250"}, []))
        vips = s.model.app("hacluster").peer_state["vips"]
        assert vips["203.0.113.250"]["unit"] == "fixture-api/0"
        assert (vips["203.0.113.250"]["nic"], vips["203.0.113.250"]["prefix"]) == ("eth0", 24)
        assert plumbed == [("add", "fixture-api/0", "203.0.113.250", 24)]

        # a new VIP without deleting the old one: pacemaker keeps both up
        _send(s, rel, _vip_sections({"res_f_bbbbbbb_vip": "203.0.113.251"}, []))
        assert set(vips) == {"203.0.113.250", "203.0.113.251"}

        # deleted by name: the old address goes
        _send(s, rel, _vip_sections({"res_f_bbbbbbb_vip": "203.0.113.251"}, ["res_f_aaaaaaa_vip"]))
        assert set(vips) == {"203.0.113.251"}
        assert ("del", "fixture-api/0", "203.0.113.250", 24) in plumbed

        # a VIP on no network of the unit is not brought up, and says why
        _send(s, rel, _vip_sections({"res_f_ccccccc_vip": "198.51.100.9"}, []))
        assert vips["198.51.100.9"]["unit"] is None
        assert vips["198.51.100.9"]["error"] == "Unable to find nic or netmask"
