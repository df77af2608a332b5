#!/bin/sh
# Install the Debian packages the end-to-end suite (tests/e2e, `make e2e`) runs for real:
# MariaDB, RabbitMQ and Keystone as peer backends, the OpenStack CLI to check the catalog,
# oslo-config-validator and uwsgi; and it downloads (only) what the e2e charms' units install
# for themselves: glance-api, barbican-api, memcached, python3-memcache and their dependencies.
#
# Why a separate script: these packages cost minutes and ~1 GB, so `make test`/`make demo` must
# not pay for them. Idempotent: only missing packages are installed, so a second run costs a
# dpkg query. No service starts: policy-rc.d (or its absence of systemd) keeps apt from starting
# daemons; charmsmith starts its own private instances under the model directory.
set -eu

PACKAGES="mariadb-server mariadb-client rabbitmq-server keystone python3-openstackclient
python3-barbicanclient python3-oslo.config uwsgi uwsgi-plugin-python3"
# What the e2e charms install themselves, for real, inside their units' own filesystem view: the
# host keeps only the .debs (and their missing dependencies) in apt's cache, because units have
# no route off the machine and apt-get in a unit must find every archive already downloaded.
UNIT_PACKAGES="glance-api barbican-api memcached python3-memcache"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

missing=""
for pkg in $PACKAGES; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    echo "setup-e2e: $pkg already installed"
  else
    missing="$missing $pkg"
  fi
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# shellcheck disable=SC2086  # word splitting of the package list is intended
download() { $SUDO apt-get install -q -y --download-only --no-install-recommends $UNIT_PACKAGES >/dev/null; }
echo "setup-e2e: caching the units' packages:" $UNIT_PACKAGES
download || { $SUDO apt-get update -q >/dev/null && download; }

if [ -z "$missing" ]; then
  echo "setup-e2e: all e2e packages present"
  exit 0
fi

start=$(now)
echo "setup-e2e: apt-get update"
$SUDO apt-get update -q >/dev/null
echo "setup-e2e: apt-get update done in $(elapsed "$start") s"

# Policy-rc.d keeps the packages' init scripts from starting system-wide daemons that would take
# the ports our private instances use. Create one only for the install if none exists.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  made_policy=1
fi

start=$(now)
echo "setup-e2e: installing:$missing"
log=$(mktemp /tmp/setup-e2e.XXXXXX.log)
# shellcheck disable=SC2086  # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing 2>&1 |
  tee "$log" |
  awk '/^(Setting up|Unpacking) / { n++; if (n % 50 == 0) { print "setup-e2e: ... " n " dpkg steps"; fflush() } }'
[ "$made_policy" = 1 ] && $SUDO rm -f "$policy"

for pkg in $missing; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || {
    echo "setup-e2e: $pkg failed to install; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  }
done
rm -f "$log"
echo "setup-e2e: installed$missing in $(elapsed "$start") s"
