#!/bin/sh
# install-deps.sh: install every Debian (12, bookworm) package spfdmarc
# needs to build and to run its whole test suite.
#
# Idempotent and non-interactive: packages already installed are left
# alone, and when nothing is missing the script changes nothing (not even
# the apt lists). Run as root, or as a user with sudo.
#
# Installing must not turn this machine into a mail or DNS server: postfix
# is preseeded with "No configuration" (it then has no main.cf and does
# not start), and no service may start during the install (policy-rc.d).
# An nsd, unbound or opendmarc installed here is disabled afterwards: the
# tests and the benchmark run their own instances on loopback (unbound is
# the validating forwarder of the DNS tests, opendmarc the benchmark's
# point of comparison), and system services would hold their ports.
set -eu

PACKAGES="build-essential autoconf automake libtool pkg-config
libmilter-dev libunbound-dev libbsd-dev libpsl-dev libidn2-dev libyaml-dev
zlib1g-dev python3-spf nsd ldnsutils unbound-host dns-root-data
publicsuffix postfix swaks valgrind clang libclang-rt-14-dev iproute2
ca-certificates unbound jq perl
opendmarc nftables"

say() { echo "install-deps: $*"; }

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	say "run me as root (or install sudo)" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
	say "this script is for Debian (apt-get and dpkg-query not found)" >&2
	exit 1
fi

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	say "all $(echo "$PACKAGES" | wc -w) packages are installed; nothing to do"
	exit 0
fi
say "installing:$missing"

# The daemons that were not here before this run, to disable afterwards.
new_daemons=
for d in nsd unbound opendmarc; do
	installed "$d" || new_daemons="$new_daemons $d"
done

# Answer postfix's question before apt asks it.
echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections

# Forbid service starts while installing, unless the system already has
# its own policy (containers often do); take ours away again at the end.
policy=/usr/sbin/policy-rc.d
own_policy=no
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# installed by spfdmarc contrib/install-deps.sh\nexit 101\n' |
	    $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	own_policy=yes
fi
cleanup() {
	if [ "$own_policy" = yes ]; then
		$SUDO rm -f "$policy"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The package lists are refreshed only because something is missing.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # word splitting of the list is intended
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -q -y \
    --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold $missing

if [ -n "$new_daemons" ] && [ -d /run/systemd/system ] &&
    command -v systemctl >/dev/null 2>&1; then
	for d in $new_daemons; do
		say "disabling the system $d service (the tests run their own)"
		$SUDO systemctl disable --now "$d.service" >/dev/null 2>&1 || true
	done
fi

for p in $PACKAGES; do
	if ! installed "$p"; then
		say "$p is still not installed" >&2
		exit 1
	fi
done
say "done"
