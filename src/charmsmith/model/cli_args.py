"""The `charmsmith model` verbs' arguments: one argparse sub-parser per verb, in help order.

Why apart from the verbs: `charmsmith model --help` lists the verbs in this file's order, which
mixes verb groups (cli_change, cli_units, cli_inspect); the handlers stay free of parsing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from charmsmith.model import configops
from charmsmith.model.peers import PEERS


def _list_option(parser: argparse.ArgumentParser, flag: str, metavar: str, **how: Any) -> None:
    """An option whose values collect in a list (empty when never given)."""
    parser.add_argument(flag, default=[], metavar=metavar, **how)


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["tabular", "json"], default="tabular")


def _num_units_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", "--num-units", type=int, default=1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="model directory (default: $CHARMSMITH_MODEL or ./.charmsmith-model)",
    )
    sub = parser.add_subparsers(dest="model_command", metavar="ACTION", required=True)

    p = sub.add_parser("deploy", help="deploy a built charm dir, or a peer: " + ", ".join(PEERS))
    p.add_argument("charm")
    p.add_argument("app", nargs="?")
    _list_option(p, "--config", "KEY=VALUE", action="append")
    _num_units_option(p)
    p.add_argument(
        "--mode",
        choices=["emulated", "real"],
        default=None,
        help="package/service control in units: emulated shims (default) or real",
    )
    p.add_argument(
        "--backend",
        choices=["emulated", "real"],
        default="emulated",
        help="peer backend: emulated (default), or real Debian daemons for keystone, mysql, "
        "rabbitmq (docs/model.md, Peer backends)",
    )
    _list_option(
        p,
        "--archive",
        "PKG=VERSION",
        action="append",
        help="add or override a package version in the fake archive",
    )

    p = sub.add_parser("relate", help="relate two applications: A[:endpoint] B[:endpoint]")
    p.add_argument("left")
    p.add_argument("right")

    p = sub.add_parser("config", help="show, set or reset an application's config")
    p.add_argument("app")
    p.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
    _list_option(
        p,
        "--reset",
        "KEY[,KEY]",
        action=configops.ResetAction,
        nargs="+",
        help="return options to their charm defaults (unset when there is none)",
    )

    p = sub.add_parser("add-unit", help="add units to an application")
    p.add_argument("app")
    _num_units_option(p)

    p = sub.add_parser("remove-unit", help="remove units (departed/broken, stop, remove)")
    p.add_argument("units", nargs="+")
    p.add_argument(
        "--force", action="store_true", help="remove now, without running the unit's hooks"
    )

    p = sub.add_parser(
        "remove-relation", help="remove a relation: A[:endpoint] B[:endpoint], or its id"
    )
    p.add_argument("left")
    p.add_argument("right", nargs="?")

    p = sub.add_parser("resolved", help="retry a unit's failed hook, or skip it (--no-retry)")
    p.add_argument("unit")
    p.add_argument("--no-retry", action="store_true", help="mark it resolved, do not run it")

    p = sub.add_parser("run-hook", help="retry a unit's failed hook, or run HOOK now")
    p.add_argument("unit")
    p.add_argument("hook", nargs="?")

    p = sub.add_parser("run-action", help="run an action on a unit")
    p.add_argument("unit")
    p.add_argument("action")
    p.add_argument("params", nargs="*", metavar="KEY=VALUE")

    p = sub.add_parser(
        "attach-resource", help="attach a file as an application's resource: APP NAME=FILE"
    )
    p.add_argument("app")
    p.add_argument("resource", nargs="+", metavar="NAME=FILE")

    p = sub.add_parser(
        "upgrade-series", help="fire a unit's pre- (prepare) or post-series-upgrade (complete)"
    )
    p.add_argument("unit")
    p.add_argument("phase", choices=["prepare", "complete"])

    p = sub.add_parser("update-status", help="fire update-status on one or all units")
    p.add_argument("unit", nargs="?")

    p = sub.add_parser(
        "upgrade-charm", help="replace an application's charm and fire upgrade-charm"
    )
    p.add_argument("app")
    p.add_argument("--path", type=Path, default=None)

    p = sub.add_parser("fail", help="a unit goes down (no hooks, no traffic; VIPs move)")
    p.add_argument("unit")

    p = sub.add_parser("recover", help="a failed unit comes back (start fires again)")
    p.add_argument("unit")

    p = sub.add_parser("status", help="juju status-like table")
    _format_option(p)

    p = sub.add_parser("debug-log", help="juju-log output and model events")
    p.add_argument("-n", "--lines", type=int, default=0, help="only the last N lines")

    p = sub.add_parser("hooks", help="hook history: wall time, exit code, hook-tool calls")
    p.add_argument("unit", nargs="?")
    _format_option(p)
    p.add_argument("--calls", action="store_true", help="list each hook's tool calls")
    p.add_argument("--output", action="store_true", help="show each hook's output")

    p = sub.add_parser("ssh", help="a shell or a command inside a unit's view")
    p.add_argument("unit")
    p.add_argument("command", nargs=argparse.REMAINDER)

    p = sub.add_parser("catalog", help="keystone's endpoint catalog")
    _format_option(p)

    sub.add_parser("destroy", help="kill unit processes, remove namespaces, bridge and the model")
