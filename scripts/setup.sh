#!/bin/sh
# Prepare a fresh machine for charmsmith: Debian packages, then .venv with the project (editable).
# Idempotent: it only installs what is missing, so `make test` after `make demo` costs a second.
set -eu
cd "$(dirname "$0")/.."

missing=""
for pkg in $(grep -v '^#' requirements/apt.txt); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  # the model's units use these packages' files (apache2, haproxy, ...); the host must not run
  # their daemons: without a policy-rc.d, one that refuses service starts is in place meanwhile
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.charmsmith-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ runtime/pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing charmsmith and its dependencies into .venv"
  .venv/bin/python -m pip install -q -U pip
  .venv/bin/python -m pip install -q -e ./runtime -e '.[dev]'
  touch "$stamp"
fi
