#!/bin/sh
# run-suite-dns.sh: the RFC 7208 test suite over real DNS, as TAP. Every
# scenario's zonedata is served by its own NSD on 127.0.0.1 (one zone for
# "." holding all its names, unsigned), and every case is run as
#   spfdmarc spf --resolver 127.0.0.1@PORT --unbound-conf DIR/unbound.conf
#                --no-dnssec --timeout 3 --ip HOST --sender MAILFROM
#                --helo HELO --default-explanation DEFAULT
# so the answers go through libunbound, not the zone backend. Names that
# time out in the suite are forwarded (by that unbound.conf) to a local
# port that never answers. A TIMEOUT that spares some types of a name
# cannot be given by NSD: those names are served without it and the
# runner says so on a '#' line.
#
# Skips itself (TAP SKIP, with the reason) without nsd or drill, or when
# the CLI has no libunbound backend. KEEP=1 keeps the work directory;
# SPFDMARC_CLI runs another program as the CLI (a valgrind wrapper, say);
# SPF_SUITE_TIMEOUT is each evaluation's time budget in seconds (3): the
# suite's TIMEOUT cases wait that long.
# Extra arguments go to the runner: --only TEXT, -v.
set -u
suite=${RFC7208_SUITE:-/usr/share/doc/python3-spf/rfc7208-tests.yml.gz}
prog=${top_builddir:-.}/tests/spf-suite/spf-suite
cli=${SPFDMARC_CLI:-${top_builddir:-.}/cli/spfdmarc}

skip() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; exit 1; }

[ -r "$suite" ] || bail "RFC 7208 suite not found: $suite (install python3-spf)"
command -v nsd >/dev/null 2>&1 || skip "nsd not installed"
command -v drill >/dev/null 2>&1 || skip "drill (ldnsutils) not installed"

# Does the CLI resolve through libunbound? (Nothing listens on port 9.)
probe=$("$cli" spf --resolver 127.0.0.1@9 --no-dnssec --timeout 0.5 \
	--ip 192.0.2.1 --sender a@example.com 2>&1)
case $probe in
*"resolver:"*) skip "spfdmarc spf cannot open libunbound: $(echo "$probe" | head -n 1)" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/spf-suite-dns.XXXXXX") || bail "mktemp"
bh_pid=
cleanup() {
	for pf in "$work"/[0-9][0-9]/nsd.pid; do
		[ -s "$pf" ] || continue
		pid=$(cat "$pf")
		kill "$pid" 2>/dev/null
	done
	[ -z "$bh_pid" ] || kill "$bh_pid" 2>/dev/null
	[ -z "$bh_pid" ] || wait "$bh_pid" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

case $suite in
*.gz)	gzip -dc "$suite" >"$work/suite.yml" || bail "cannot read $suite" ;;
*)	cp "$suite" "$work/suite.yml" || bail "cannot read $suite" ;;
esac
"$prog" --suite "$work/suite.yml" --emit-zones "$work" >"$work/emit.out" 2>"$work/emit.err" ||
	bail "cannot write the zones: $(cat "$work/emit.err")"

"$prog" --blackhole "$work/blackhole.port" &
bh_pid=$!
i=0
while [ ! -s "$work/blackhole.port" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || bail "the black hole did not start"
	sleep 0.05
done
bh_port=$(cat "$work/blackhole.port")

# Start one NSD for the scenario in $1; write $1/nsd.port.
start_nsd() {
	d=$1
	nsd-checkzone . "$d/root.zone" >"$d/checkzone.out" 2>&1 ||
		bail "zone $d/root.zone does not load: $(tail -n 3 "$d/checkzone.out")"
	for attempt in 1 2 3 4 5; do
		port=$("$prog" --free-port) || bail "no free port"
		cat >"$d/nsd.conf" <<NSDCONF
server:
	ip-address: 127.0.0.1
	port: $port
	do-ip4: yes
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	verbosity: 1
	hide-version: yes
	refuse-any: no
	tcp-count: 64
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "root.zone"
NSDCONF
		rm -f "$d/nsd.pid"
		if nsd -c "$d/nsd.conf" 2>>"$d/nsd.stderr"; then
			i=0
			while [ $i -lt 100 ]; do
				if drill -Q -p "$port" SOA . @127.0.0.1 2>/dev/null |
				    grep -q hostmaster.spf-suite; then
					echo "$port" >"$d/nsd.port"
					sed -e "s/@NSD_PORT@/$port/g" \
					    -e "s/@BLACKHOLE_PORT@/$bh_port/g" \
					    "$d/unbound.conf.in" >"$d/unbound.conf"
					return 0
				fi
				i=$((i + 1))
				sleep 0.05
			done
		fi
		# lost a race for the port, or worse: stop it and retry
		[ ! -s "$d/nsd.pid" ] || kill "$(cat "$d/nsd.pid")" 2>/dev/null
		sleep 0.2
	done
	bail "nsd did not start for $d: $(tail -n 3 "$d/nsd.log" "$d/nsd.stderr" 2>/dev/null)"
}

for d in "$work"/[0-9][0-9]; do
	start_nsd "$d"
done

"$prog" --suite "$work/suite.yml" --cli "$cli" --emitted "$work" \
	--timeout "${SPF_SUITE_TIMEOUT:-3}" "$@"
