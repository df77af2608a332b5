"""``charm SUB ARGS``: the snap's dispatcher, for a pip-installed charm-tools.

The pip package of charm-tools installs ``charm-build``, ``charm-create``, ``charm-proof`` ...
but no ``charm``; guides (and charmcraft's reactive plugin) say ``charm create``/``charm build``.
This runs ``charm-<SUB>`` from the same environment (else PATH) with the remaining arguments.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: charm SUBCOMMAND [ARGS...]   (runs charm-SUBCOMMAND, e.g. charm create)")
        return 0 if args else 2
    sub = args.pop(0)
    local = Path(sys.executable).parent / f"charm-{sub}"
    tool = str(local) if local.exists() else shutil.which(f"charm-{sub}")
    if not tool:
        print(f"charm: unknown subcommand {sub!r} (no charm-{sub} found)", file=sys.stderr)
        return 2
    os.execv(tool, [tool, *args])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
