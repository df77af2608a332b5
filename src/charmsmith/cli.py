"""The `charmsmith` command line: one argparse front door, one module per subcommand.

Each subcommand module exposes ``add_arguments(parser)`` and ``run(args) -> int``; modules are
imported only when their subcommand runs, so `charmsmith create` never pays for the model code.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

from charmsmith import __version__
from charmsmith.errors import CharmsmithError

# name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "create": ("charmsmith.create.command", "generate a new OpenStack API charm"),
    "update": ("charmsmith.create.update", "merge a newer template into a generated charm"),
    "build": ("charmsmith.build", "build a charm offline with charm-tools and our layers"),
    "model": ("charmsmith.model.cli", "deploy and relate built charms on the local test model"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="charmsmith", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"charmsmith {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
        if name in _selected(sys.argv[1:]):
            importlib.import_module(module_name).add_arguments(sub)
    return parser


def _selected(argv: list[str]) -> set[str]:
    """The subcommand of this invocation, whose arguments argparse must know."""
    return next(({a} for a in argv if a in SUBCOMMANDS), set())


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every `finally` runs: staging directories go, a
    running hook is killed, the model state is saved. Python's default for SIGTERM is to die
    on the spot, which leaves all of that behind."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    if argv is not None:
        sys.argv[1:] = argv
    parser = build_parser()
    args = parser.parse_args()
    ours = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    if ours:
        signal.signal(signal.SIGTERM, _terminated)
    try:
        return importlib.import_module(args._module).run(args) or 0
    except CharmsmithError as err:
        print(f"charmsmith: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt as interrupt:
        print("charmsmith: interrupted", file=sys.stderr)
        return 143 if isinstance(interrupt, Terminated) else 130
    finally:
        if ours:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
