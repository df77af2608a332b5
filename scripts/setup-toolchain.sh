#!/bin/sh
# A charm author's own tools, in venvs of their own, for
# tests/integration/test_generated_toolchain.py (kept apart from .venv so those tests see the
# tools as a user installs them):
#   .venv-toolchain   tox (requirements/toolchain.txt)
#   .venv-charmtools  charm-tools, the `charm` snap's stand-in (requirements/charm-tools.txt)
#   .venv-charmcraft  charmcraft on Debian's python3 with python3-apt (requirements/charmcraft.txt)
# Idempotent: each venv is reinstalled only when its requirements file changes.
set -eu
cd "$(dirname "$0")/.."

install() {  # venv requirements python [venv options]
  venv=$1 reqs=$2 python=$3
  shift 3
  if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating $venv"
    "$python" -m venv "$@" "$venv"
  fi
  if [ ! -f "$venv/.installed" ] || [ "$reqs" -nt "$venv/.installed" ]; then
    echo "setup: installing $reqs into $venv"
    "$venv/bin/python" -m pip install -q -r "$reqs"
    touch "$venv/.installed"
  fi
}

install .venv-toolchain requirements/toolchain.txt python3
install .venv-charmtools requirements/charm-tools.txt python3
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import apt' 2>/dev/null; then
  install .venv-charmcraft requirements/charmcraft.txt /usr/bin/python3 --system-site-packages
else
  echo "setup: no python3-apt for /usr/bin/python3: charmcraft tests will be skipped"
fi
