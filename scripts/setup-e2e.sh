#!/bin/sh
# Install the Debian packages the end-to-end suite (tests/e2e, `make e2e`) runs for real:
# MariaDB, RabbitMQ, Keystone and a single-node Ceph (mon, mgr, one OSD) as peer backends, the OpenStack CLI to check the catalog,
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
# The ceph-mon peer's real backend: Debian 12's Ceph 16.2 (no systemd: charmsmith runs the
# daemons in the foreground). Installed in its own step so its cost is reported on its own.
CEPH_PACKAGES="ceph-mon ceph-mgr ceph-osd ceph-common"
# What the e2e charms install themselves, for real, inside their units' own filesystem view: the
# host keeps only the .debs (and their missing dependencies) in apt's cache, because units have
# no route off the machine and apt-get in a unit must find every archive already downloaded.
# ceph-common, python3-rbd and python3-rados: glance's rbd store, related to the ceph-mon peer.
UNIT_PACKAGES="glance-api barbican-api memcached python3-memcache ceph-common python3-rbd
python3-rados"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=""
for pkg in $PACKAGES; do
  if installed "$pkg"; then
    echo "setup-e2e: $pkg already installed"
  else
    missing="$missing $pkg"
  fi
done
ceph_missing=""
for pkg in $CEPH_PACKAGES; do
  if installed "$pkg"; then
    echo "setup-e2e: $pkg already installed"
  else
    ceph_missing="$ceph_missing $pkg"
  fi
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# shellcheck disable=SC2086  # word splitting of the package list is intended
download() { $SUDO apt-get install -q -y --download-only --no-install-recommends $UNIT_PACKAGES >/dev/null; }
echo "setup-e2e: caching the units' packages:" $UNIT_PACKAGES
download || { $SUDO apt-get update -q >/dev/null && download; }

if [ -z "$missing$ceph_missing" ]; then
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

# install LABEL PKG...: apt-get install with progress lines, timed; exits on a package missing after.
install() {
  label=$1
  shift
  start=$(now)
  echo "setup-e2e: installing $label:" "$@"
  log=$(mktemp /tmp/setup-e2e.XXXXXX.log)
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" 2>&1 |
    tee "$log" |
    awk '/^(Setting up|Unpacking) / { n++; if (n % 50 == 0) { print "setup-e2e: ... " n " dpkg steps"; fflush() } }'
  for pkg in "$@"; do
    installed "$pkg" || {
      echo "setup-e2e: $pkg failed to install; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      [ "$made_policy" = 1 ] && $SUDO rm -f "$policy"
      exit 1
    }
  done
  rm -f "$log"
  echo "setup-e2e: installed $label in $(elapsed "$start") s"
}

# shellcheck disable=SC2086  # word splitting of the package lists is intended
[ -z "$missing" ] || install "services" $missing
# shellcheck disable=SC2086
[ -z "$ceph_missing" ] || install "Ceph" $ceph_missing
[ "$made_policy" = 1 ] && $SUDO rm -f "$policy"
exit 0
