#!/bin/sh
# Stand-in for apt-get / apt-cache / dpkg-query / systemctl / service on a fake unit: the
# hooks under test must not touch the host's packages or services. Records the call and
# succeeds; dpkg-query reports every package as not installed.
printf '%s\n' "$(date +%s.%N) ${0##*/} $*" >> "${FAKE_JUJU_CALLS%.jsonl}.system.log"
case "${0##*/}" in
  dpkg-query) echo "dpkg-query: no packages found matching $*" >&2; exit 1 ;;
  apt-cache) exit 0 ;;
esac
exit 0
