"""`charmsmith model config APP --reset KEY[,KEY]`, as `juju config --reset`, without namespaces."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from fake_charm import model_on

from charmsmith.errors import CharmsmithError
from charmsmith.model import cli as model_cli
from charmsmith.model import configops
from charmsmith.model.sequencer import Model
from charmsmith.model.state import QueuedEvent

CHARM = Path(__file__).resolve().parents[2] / "fixtures" / "model-charm"


@pytest.fixture()
def model(tmp_path: Path):
    """A deployed fixture-api (two units) whose hooks are only recorded in `ran`."""
    ran: list[tuple[str, str]] = []

    def run_event(model: Model, event: QueuedEvent) -> bool:
        ran.append((event.unit, event.hook))
        model.unit(event.unit).agent = "idle"
        return True

    with model_on(tmp_path, run_event) as m:
        m.deploy(CHARM, None, {}, 2)
        # an option without a default, as most of the OpenStack layer's are
        m.app("fixture-api").options["region"] = {"type": "string", "description": "r"}
        m.run_queue()
        ran.clear()
        m.ran = ran  # type: ignore[attr-defined]
        yield m


def _changed(model: Model) -> list[str]:
    model.run_queue()
    hooks = [unit for unit, hook in model.ran if hook == "config-changed"]  # type: ignore[attr-defined]
    model.ran.clear()  # type: ignore[attr-defined]
    return hooks


def test_reset_returns_to_the_default_and_fires_config_changed(model: Model):
    configops.update_config(model, "fixture-api", {"port": "9000", "region": "Two"}, [])
    assert _changed(model) == ["fixture-api/0", "fixture-api/1"]
    queued = configops.update_config(model, "fixture-api", {}, ["port", "region"])
    assert queued == ["fixture-api/0", "fixture-api/1"]
    values = model.config_values("fixture-api")
    assert values["port"] == 8080  # the charm's default
    assert "region" not in values  # no default: unset, as config-get then reports
    assert model.app("fixture-api").config == {}
    assert _changed(model) == ["fixture-api/0", "fixture-api/1"]


def test_reset_of_an_unchanged_option_runs_no_hook(model: Model):
    assert configops.update_config(model, "fixture-api", {}, ["port"]) == []
    assert _changed(model) == []


def test_set_and_reset_in_one_command(model: Model):
    configops.update_config(model, "fixture-api", {"port": "9000"}, [])
    _changed(model)
    configops.update_config(model, "fixture-api", {"debug": "true"}, ["port"])
    assert model.config_values("fixture-api")["port"] == 8080
    assert model.config_values("fixture-api")["debug"] is True
    assert _changed(model) == ["fixture-api/0", "fixture-api/1"]  # one hook for both


@pytest.mark.parametrize(
    "pairs, reset, message",
    [
        ({"port": "9001"}, ["port"], 'cannot set and reset option "port" in one command'),
        ({}, ["nope"], 'unknown option "nope" for application "fixture-api"'),
        ({"port": "x"}, ["debug"], 'option "port" expects int, got "x"'),
    ],
)
def test_refused_commands_change_nothing(model: Model, pairs, reset, message):
    configops.update_config(model, "fixture-api", {"debug": "true"}, [])
    _changed(model)
    before = dict(model.app("fixture-api").config)
    with pytest.raises(CharmsmithError) as err:
        configops.update_config(model, "fixture-api", pairs, reset)
    assert str(err.value) == message
    assert model.app("fixture-api").config == before
    assert _changed(model) == []


@pytest.mark.parametrize(
    "values, keys",
    [
        (["port"], ["port"]),
        (["port,debug", "vip"], ["port", "debug", "vip"]),
        ([" port , port"], ["port"]),
    ],
)
def test_reset_keys_are_comma_separated_option_names(values, keys):
    assert configops.parse_reset(values) == keys


@pytest.mark.parametrize("value", ["", "port,,debug", "port=1", ","])
def test_reset_refuses_what_is_not_an_option_name(value):
    with pytest.raises(CharmsmithError, match=r"^--reset takes option names \(KEY\[,KEY\]\)"):
        configops.parse_reset([value])


def test_settings_may_follow_the_reset_as_in_juju_config():
    parser = argparse.ArgumentParser()
    model_cli.add_arguments(parser)
    args = parser.parse_args(["config", "app", "x=0", "--reset", "a,b", "c=1", "--reset", "d"])
    assert args.reset == ["a,b", "d"] and args.reset_pairs == ["c=1"] and args.pairs == ["x=0"]
    assert configops.parse_reset(args.reset) == ["a", "b", "d"]
