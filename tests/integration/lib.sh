# lib.sh: shared by the integration test scripts (sourced; POSIX sh).
#
#   itest_init NAME            a fresh folder in $ITEST_DIR and the exit trap
#                              that stops, by PID, everything started below
#   itest_world_start [ZONE..] start the signed DNS world (world/dnsworld.sh)
#                              in $ITEST_DIR/world and source its env; skips
#                              the test when nsd/ldnsutils are not installed
#   itest_forwarder_start      start a local unbound (Debian package unbound)
#                              that resolves the world through its stub zones
#                              and returns signatures: the validator module
#                              without a trust anchor of its own, so clients
#                              validate. Sets ITEST_FORWARDER=127.0.0.1@PORT,
#                              or leaves it empty when unbound is missing.
#   itest_skip REASON          TAP skip plan and exit
#
# Nothing listens or sends outside 127.0.0.1. ITEST_KEEP=1 keeps the folder.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
ITEST_WORLD_SH=$top_srcdir/tests/integration/world/dnsworld.sh
ITEST_DIR=
ITEST_FORWARDER=
ITEST_FWD_PID=
ITEST_WORLD_UP=

itest_skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

itest_log() { echo "# $*"; }

itest_cleanup() {
	status=$1
	if [ -n "$ITEST_FWD_PID" ]; then
		kill -TERM "$ITEST_FWD_PID" 2>/dev/null
		i=0
		while kill -0 "$ITEST_FWD_PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$ITEST_FWD_PID" 2>/dev/null
		wait "$ITEST_FWD_PID" 2>/dev/null
	fi
	if [ -n "$ITEST_WORLD_UP" ]; then
		DNSWORLD_QUIET=1 bash "$ITEST_WORLD_SH" stop "$ITEST_DIR/world" ||
			echo "# could not stop the DNS world in $ITEST_DIR/world"
	fi
	if [ -n "$ITEST_DIR" ]; then
		if [ "$status" != 0 ] || [ -n "${ITEST_KEEP:-}" ]; then
			echo "# kept $ITEST_DIR"
		else
			rm -rf "$ITEST_DIR"
		fi
	fi
}

itest_init() {
	ITEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/spfdmarc-$1.XXXXXX") ||
		{ echo "Bail out! mktemp"; exit 1; }
	trap 'itest_cleanup $?' EXIT
	trap 'exit 1' HUP INT TERM
}

itest_world_start() {
	[ -r "$ITEST_WORLD_SH" ] || itest_skip "no DNS world script ($ITEST_WORLD_SH)"
	for t in bash nsd nsd-checkzone ldns-keygen ldns-signzone ldns-key2ds drill cc; do
		command -v "$t" >/dev/null 2>&1 ||
			itest_skip "$t not found (Debian packages nsd, ldnsutils)"
	done
	ITEST_WORLD_UP=1
	if ! DNSWORLD_QUIET=1 bash "$ITEST_WORLD_SH" start "$ITEST_DIR/world" "$@" \
	    >"$ITEST_DIR/world.log" 2>&1; then
		sed 's/^/# /' "$ITEST_DIR/world.log"
		echo "Bail out! the DNS world did not start"
		exit 1
	fi
	. "$ITEST_DIR/world/env"
}

# a port free for UDP and TCP on loopback (from /proc, like dnsworld.sh)
itest_free_port() {
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		# not awk's srand(): seeded by the second, two scripts started
		# together would draw the same ports
		_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		_p=$((20000 + _r % 40000))
		_h=$(printf '%04X' "$_p")
		if ! awk -v h="$_h" 'FNR > 1 { split($2, a, ":"); if (a[2] == h) f = 1 } END { exit !f }' \
		    /proc/net/udp /proc/net/tcp /proc/net/udp6 /proc/net/tcp6 2>/dev/null; then
			echo "$_p"
			return 0
		fi
		sleep 0.01
	done
	return 1
}

itest_forwarder_start() {
	command -v unbound >/dev/null 2>&1 || {
		itest_log "unbound not installed: no forwarder tests"
		return 0
	}
	d=$ITEST_DIR/fwd
	mkdir -p "$d"
	for attempt in 1 2 3 4 5; do
		port=$(itest_free_port) || break
		{
			cat <<CONF
# a forwarder for the DNS world: resolves it through stub zones, returns
# RRSIGs to clients that set DO, validates nothing itself (no anchor)
server:
	interface: 127.0.0.1
	port: $port
	do-ip4: yes
	do-ip6: no
	do-udp: yes
	do-tcp: yes
	do-daemonize: no
	use-syslog: no
	logfile: "$d/unbound.log"
	pidfile: "$d/unbound.pid"
	username: ""
	chroot: ""
	directory: "$d"
	num-threads: 1
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	module-config: "validator iterator"
	# proves to itest_forwarder_start that the answers come from this one
	local-zone: "spfdmarc-itest." static
	local-data: 'spfdmarc-itest. TXT "$d"'
	target-fetch-policy: "0 0 0 0 0"
	harden-referral-path: no
	qname-minimisation: no
	prefetch: no
	edns-buffer-size: 1232
remote-control:
	control-enable: no
CONF
			sed -n '/^stub-zone:/,$p' "$DNSWORLD_UNBOUND_CONF_NOVALIDATE"
		} >"$d/unbound.conf"
		unbound -d -c "$d/unbound.conf" >>"$d/unbound.out" 2>&1 &
		ITEST_FWD_PID=$!
		i=0
		while [ $i -lt 50 ]; do
			# our own answer, not that of a forwarder another test
			# started on the same port a moment before
			if drill -Q -p "$port" TXT spfdmarc-itest. @127.0.0.1 2>/dev/null |
			    grep -qF "\"$d\""; then
				ITEST_FORWARDER=127.0.0.1@$port
				export ITEST_FORWARDER
				return 0
			fi
			kill -0 "$ITEST_FWD_PID" 2>/dev/null || break
			sleep 0.1; i=$((i + 1))
		done
		kill -TERM "$ITEST_FWD_PID" 2>/dev/null
		wait "$ITEST_FWD_PID" 2>/dev/null
		ITEST_FWD_PID=
	done
	sed 's/^/# /' "$d/unbound.out" "$d/unbound.log" 2>/dev/null
	echo "Bail out! the forwarding unbound did not start"
	exit 1
}
