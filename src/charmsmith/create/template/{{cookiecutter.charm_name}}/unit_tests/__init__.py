"""Make the test process look like a unit before anything imports the charm or charms.reactive.

* ``lib/`` and ``reactive/`` go on ``sys.path``, as the built charm's hooks arrange on a unit.
* charms.reactive keeps flags in the unit's sqlite store: keep it in memory.
* charmhelpers refuses to import on hosts it does not know (Debian workstations, CI images);
  units run Ubuntu, so tell it so. Nothing in the tests touches the real host.
"""

import os
import platform
import sys
from pathlib import Path

CHARM_DIR = Path(__file__).resolve().parent.parent
for _path in (CHARM_DIR / "lib", CHARM_DIR / "reactive"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
os.environ["UNIT_STATE_DB"] = ":memory:"
os.environ.setdefault("CHARM_DIR", str(CHARM_DIR))
platform.linux_distribution = lambda: ("Ubuntu", "24.04", "noble")  # type: ignore[attr-defined]
