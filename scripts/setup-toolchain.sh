#!/bin/sh
# The charm author's own tools (tox, charmcraft) in a venv of their own, .venv-toolchain, for
# tests/integration/test_generated_toolchain.py. Kept apart from .venv so those tests see the
# tools as a user installs them. Idempotent: reinstalls only when requirements/toolchain.txt
# changes.
set -eu
cd "$(dirname "$0")/.."
venv=.venv-toolchain
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  python3 -m venv "$venv"
fi
stamp=$venv/.installed
if [ ! -f "$stamp" ] || [ requirements/toolchain.txt -nt "$stamp" ]; then
  echo "setup: installing the charm toolchain (tox, charmcraft) into $venv"
  "$venv/bin/python" -m pip install -q -r requirements/toolchain.txt
  touch "$stamp"
fi
