#!/bin/bash
# run.sh -- `make bench`: spfdmarc-milter and OpenDMARC side by side, and a do-nothing
# libmilter filter as the ceiling, under the milter-protocol load generator.
#
#   run.sh [--quick] [--only null,opendmarc,spfdmarc] [--domains N] [--messages N] [--repeat N]
#
# Environment (set by tests/bench.mk): BENCH_BUILDDIR (the build tree: loadgen, nullfilter,
# results), BENCH_MILTER (spfdmarc-milter; skipped when absent). Optional: BENCH_WORLD_DIR +
# BENCH_GEN_DIR (a dnsworld already running inside the namespace with genworld.sh output, to
# skip the ~2 minutes of signing while developing), BENCH_NETNS=0 (run on the host's loopback:
# no OpenDMARC, which needs a resolv.conf of its own).
#
# What runs where. Everything runs inside a network namespace made here for the purpose
# (spfdmarc-bench-PID; loopback only, no other interface), so OpenDMARC can have a
# resolv.conf of its own (/etc/netns/NAME/resolv.conf, which "ip netns exec" mounts over
# /etc/resolv.conf for the processes in it; the system's /etc/resolv.conf is not touched):
#   - the bench DNS world: genworld.sh's 1,000 signed sender zones + 10 SPF providers, under
#     tests/integration/world/dnsworld.sh (NSD on 127.0.0.1:random), with its delaying relay
#     always in the path (0 ms; 20 ms for the slow cold run);
#   - spfdmarc-milter: its libunbound reads the world's unbound.conf (stub zones to the relay,
#     the world's trust anchor): UnboundConfig;
#   - OpenDMARC (Debian's opendmarc, SPFSelfValidate with libspf2) resolves through libc's
#     resolver -> nameserver 127.0.0.1 -> a validating unbound started here on 127.0.0.1:53
#     of the namespace, configured with the same world unbound.conf;
#   - nftables counters on the NSD port count the queries that reach the authoritative server.
# Runs: warm cache at concurrency 1, 8, 64 and 500 (after a warm-up pass over the whole
# workload), an inet: socket run at concurrency 1, cold cache (filter and resolver restarted
# before each run, each message a sender domain not seen yet) at concurrency 1, 8, 64 with
# 0 ms per DNS answer and at concurrency 8 with 20 ms per answer.
# Every run is repeated (--repeat, default 3; cold runs restart the filter and the resolver
# before each repetition) and the table shows the median of each figure over the repetitions
# (wrong answers: the sum), with the spread of msg/s and p50 (min-max).
# Output: a table on stdout and BENCH_BUILDDIR/tests/bench/results.json (every repetition).
# Every loadgen run is bounded (per-packet timeout, per-run time limit); the whole inner run is
# under `timeout`; everything started here is stopped by PID on exit.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILDDIR=${BENCH_BUILDDIR:-$(pwd)}
WORLD=$TOP/tests/integration/world/dnsworld.sh
LOADGEN=$BUILDDIR/tests/bench/loadgen
NULLFILTER=$BUILDDIR/tests/bench/nullfilter
MILTER=${BENCH_MILTER:-$BUILDDIR/milter/spfdmarc-milter}
OUTDIR=$BUILDDIR/tests/bench
RESULTS=$OUTDIR/results.json
ND=1000
NM=4000
ONLY=null,opendmarc,spfdmarc
QUICK=0
REPEAT=3
TOTAL_LIMIT=2400	# s, the whole inner run

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

INNER=0
while [ $# -gt 0 ]; do
	case "$1" in
	--inner) INNER=1 ;;
	--quick) QUICK=1; ND=200; NM=1000 ;;
	--only) ONLY=$2; shift ;;
	--domains) ND=$2; shift ;;
	--messages) NM=$2; shift ;;
	--repeat) REPEAT=$2; shift ;;
	*) die "usage: run.sh [--quick] [--only null,opendmarc,spfdmarc] [--domains N] [--messages N] [--repeat N]" ;;
	esac
	shift
done
case "$ND$NM$REPEAT" in *[!0-9]*) die "--domains/--messages/--repeat take numbers" ;; esac
[ "$REPEAT" -ge 1 ] || die "--repeat takes a number >= 1"

# --- outer: make the namespace, run ourselves inside it, clean up ---------------------------

if [ "$INNER" = 0 ]; then
	[ -x "$LOADGEN" ] && [ -x "$NULLFILTER" ] || die "build first: make tests/bench/loadgen tests/bench/nullfilter"
	mkdir -p "$OUTDIR"
	args=(--domains "$ND" --messages "$NM" --only "$ONLY" --repeat "$REPEAT")
	[ "$QUICK" = 1 ] && args+=(--quick)
	if [ "${BENCH_NETNS:-1}" = 0 ] || [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
		log "no network namespace (not root, no ip, or BENCH_NETNS=0): host loopback, no OpenDMARC"
		BENCH_NO_NETNS=1 exec timeout -k 10 "$TOTAL_LIMIT" "$0" --inner "${args[@]}"
	fi
	NS=${BENCH_NETNS_NAME:-spfdmarc-bench-$$}
	cleanup() {
		local p
		# whatever is still alive in our own namespace was started by this run
		for p in $(ip netns pids "$NS" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
		sleep 0.5
		for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		[ -n "${BENCH_NETNS_NAME:-}" ] || ip netns del "$NS" 2>/dev/null
		[ -n "${BENCH_NETNS_NAME:-}" ] || rm -rf "/etc/netns/$NS"
	}
	if [ -z "${BENCH_NETNS_NAME:-}" ]; then
		ip netns add "$NS" || die "ip netns add failed"
		trap cleanup EXIT INT TERM
		ip netns exec "$NS" ip link set lo up || die "cannot bring up lo in $NS"
		mkdir -p "/etc/netns/$NS"
		printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:2\n' >"/etc/netns/$NS/resolv.conf"
	fi
	timeout -k 10 "$TOTAL_LIMIT" ip netns exec "$NS" "$0" --inner "${args[@]}"
	exit $?
fi

# --- inner ------------------------------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/spfdmarc-bench.XXXXXX")
RUN=$WORK/run
mkdir -p "$RUN"
declare -a PIDS=()
STARTED_WORLD=0

stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
finish() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	[ "$STARTED_WORLD" = 0 ] || DNSWORLD_QUIET=1 "$WORLD" stop "$WORLD_DIR" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap finish EXIT
trap 'exit 130' INT TERM

# the world
if [ -n "${BENCH_WORLD_DIR:-}" ]; then
	WORLD_DIR=$BENCH_WORLD_DIR
	GEN=${BENCH_GEN_DIR:?BENCH_GEN_DIR with BENCH_WORLD_DIR}
	"$WORLD" status "$WORLD_DIR" >/dev/null || die "no world running in $WORLD_DIR"
else
	GEN=$WORK/gen
	WORLD_DIR=$WORK/world
	"$HERE/genworld.sh" "$GEN" "$ND" "$NM" || die "genworld failed"
	log "signing and serving $((ND + 10)) zones (takes ~2 min for 1,000)..."
	t0=$(date +%s)
	STARTED_WORLD=1
	DNSWORLD_QUIET=1 DNSWORLD_DELAY_MS=0 "$WORLD" start "$WORLD_DIR" "$GEN"/zones/*.zone || die "dnsworld start failed"
	log "world up in $(($(date +%s) - t0)) s"
fi
# shellcheck disable=SC1091
. "$WORLD_DIR/env"
[ -n "$DNSWORLD_DELAY_MS" ] || die "the world must run with its relay (DNSWORLD_DELAY_MS=0)"
WORKLOAD=$GEN/workload.txt
ND=$(find "$GEN/zones" -name "d*.zone" | wc -l)
NM=$(grep -vc '^#' "$WORKLOAD")

# query counting at the authoritative server
COUNT=none
if [ -z "${BENCH_NO_NETNS:-}" ] && command -v nft >/dev/null; then
	nft delete table inet spfdmarcbench 2>/dev/null
	if nft add table inet spfdmarcbench 2>/dev/null &&
		nft add chain inet spfdmarcbench input '{ type filter hook input priority 0 ; policy accept ; }' &&
		nft add rule inet spfdmarcbench input udp dport "$DNSWORLD_NSD_PORT" counter &&
		nft add rule inet spfdmarcbench input tcp dport "$DNSWORLD_NSD_PORT" tcp flags syn counter; then
		COUNT=nft
	fi
fi
[ "$COUNT" = nft ] || log "nft not usable: DNS queries per message not counted (Debian package nftables)"
dns_count() {
	[ "$COUNT" = nft ] || { echo -1; return; }
	nft list chain inet spfdmarcbench input 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# --- filters -----------------------------------------------------------------------------------

FPID=""	# the filter
RPID=""	# OpenDMARC's resolver
SOCK=""

wait_socket() {
	local spec=$1 pid=$2 i port
	for i in $(seq 1 150); do
		kill -0 "$pid" 2>/dev/null || return 1
		case "$spec" in
		unix:*) [ -S "${spec#unix:}" ] && return 0 ;;
		inet:*) port=${spec#inet:}; port=${port%@*}
			(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}
free_port() {
	local p
	for p in $(seq 24000 24100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	echo 24999
}

start_unbound() {
	cat >"$RUN/unbound.conf" <<EOF
# OpenDMARC's resolver in the bench namespace: validating, the world's stubs and anchor
server:
	interface: 127.0.0.1
	port: 53
	access-control: 127.0.0.0/8 allow
	do-daemonize: no
	use-syslog: no
	logfile: "$RUN/unbound.log"
	pidfile: "$RUN/unbound.pid"
	verbosity: 0
	num-threads: 1
remote-control:
	control-enable: no
include: "$DNSWORLD_UNBOUND_CONF"
EOF
	unbound -d -c "$RUN/unbound.conf" >>"$RUN/unbound.out" 2>&1 &
	RPID=$!
	PIDS+=("$RPID")
	local i
	for i in $(seq 1 100); do
		drill -Q -p 53 SOA example. @127.0.0.1 >/dev/null 2>&1 && return 0
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.1
	done
	tail -5 "$RUN/unbound.log" "$RUN/unbound.out" >&2
	die "unbound did not start"
}

start_filter() {	# NAME SOCKSPEC
	local name=$1 spec=$2
	rm -f "$RUN"/*.sock
	case "$name" in
	null)
		"$NULLFILTER" -p "$spec" >>"$RUN/null.log" 2>&1 &
		;;
	opendmarc)
		[ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null || start_unbound
		echo "::2" >"$RUN/opendmarc.ignore"	# not 127/8: the clients come from there
		cat >"$RUN/opendmarc.conf" <<EOF
AuthservID mx.bench.example
TrustedAuthservIDs upstream.bench.example
Socket ${spec/unix:/local:}
Background false
PidFile $RUN/opendmarc.pid
Syslog false
SPFSelfValidate true
SPFIgnoreResults true
RejectFailures true
HoldQuarantinedMessages true
IgnoreHosts $RUN/opendmarc.ignore
IgnoreAuthenticatedClients false
FailureReports false
RequiredHeaders false
EOF
		opendmarc -f -c "$RUN/opendmarc.conf" >>"$RUN/opendmarc.log" 2>&1 &
		;;
	spfdmarc)
		cat >"$RUN/spfdmarc.conf" <<EOF
Socket $spec
PidFile $RUN/spfdmarc.pid
Syslog no
LogLevel warning
UnboundConfig $DNSWORLD_UNBOUND_CONF
TrustAnchorFile $DNSWORLD_ANCHOR
AuthservID mx.bench.example
TrustedAuthservIDs upstream.bench.example
IgnoreHosts none
IgnoreAuthenticatedClients no
# parity with OpenDMARC, which checks HELO only for a null sender
SPFCheckHELO no
RejectFailures yes
QuarantineAction hold
EOF
		"$MILTER" -f -c "$RUN/spfdmarc.conf" >>"$RUN/spfdmarc.log" 2>&1 &
		;;
	esac
	FPID=$!
	PIDS+=("$FPID")
	SOCK=$spec
	wait_socket "$spec" "$FPID" || { tail -5 "$RUN/$name.log" >&2; die "$name did not start on $spec"; }
}
stop_filter() { stop_pid "$FPID"; FPID=""; }
stop_resolver() { stop_pid "$RPID"; RPID=""; }
rss_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo -1; }

# --- runs ----------------------------------------------------------------------------------------

: >"$RESULTS.tmp"
FAILED=0

# loadgen FILTER RUN REP CONC MESSAGES OFFSET [extra loadgen args]: one measured run
measure() {
	local f=$1 run=$2 r=$3 c=$4 n=$5 off=$6 q0 q1 out rc rss rrss
	shift 6
	q0=$(dns_count)
	out=$("$LOADGEN" -s "$SOCK" -w "$WORKLOAD" -c "$c" -n "$n" -o "$off" -p "$(profile "$f")" \
		-t 10000 -T 300 -l "$f $run #$r" "$@" 2>"$RUN/loadgen.err")
	rc=$?
	q1=$(dns_count)
	cat "$RUN/loadgen.err" >&2
	[ "$rc" = 0 ] || FAILED=1
	[ -n "$out" ] || { log "$f $run: loadgen printed nothing"; FAILED=1; return; }
	rss=$(rss_kb "$FPID")
	rrss=-1
	[ "$f" != opendmarc ] || rrss=$(rss_kb "$RPID")
	printf '{"filter":"%s","run":"%s","rep":%s,"rss_kb":%s,"resolver_rss_kb":%s,"dns_queries":%s,%s\n' \
		"$f" "$run" "$r" "${rss:--1}" "${rrss:--1}" "$([ "$q0" -ge 0 ] && echo $((q1 - q0)) || echo -1)" \
		"${out#\{}" >>"$RESULTS.tmp"
}
profile() { case "$1" in null) echo none ;; *) echo "$1" ;; esac; }
warmup() {	# a pass over the whole workload, checked, not recorded
	"$LOADGEN" -s "$SOCK" -w "$WORKLOAD" -c 8 -n "$NM" -p "$(profile "$1")" -t 10000 -T 300 \
		-l "$1 warm-up" -q >/dev/null 2>"$RUN/loadgen.err" || { cat "$RUN/loadgen.err" >&2; FAILED=1; }
}

bench_filter() {
	local f=$1 c port r ninet
	log "== $f"
	# warm cache, unix socket: one warm-up, then each run REPEAT times
	start_filter "$f" "unix:$RUN/$f.sock"
	warmup "$f"
	# (the runs in order of concurrency: peak RSS is the high-water mark so far)
	for r in $(seq 1 "$REPEAT"); do measure "$f" warm-c1 "$r" 1 $((NM / 2)) 0; done
	for c in 8 64 500; do
		for r in $(seq 1 "$REPEAT"); do measure "$f" "warm-c$c" "$r" "$c" "$NM" 0; done
	done
	stop_filter
	# warm cache, inet socket, concurrency 1. A filter that meets the
	# Nagle/delayed-ACK stall takes ~44 ms a message: 1/20 of the
	# workload (at least 100) gives a stable p50 in seconds, not minutes.
	ninet=$((NM / 20 > 100 ? NM / 20 : 100))
	port=$(free_port)
	start_filter "$f" "inet:$port@127.0.0.1"
	warmup "$f"
	for r in $(seq 1 "$REPEAT"); do measure "$f" inet-warm-c1 "$r" 1 "$ninet" 0; done
	stop_filter
	[ "$f" != null ] || return 0
	# cold cache: filter and resolver restarted before every repetition,
	# every message a new sender domain
	for c in 1 8 64; do
		for r in $(seq 1 "$REPEAT"); do
			stop_resolver
			start_filter "$f" "unix:$RUN/$f.sock"
			measure "$f" "cold-c$c" "$r" "$c" "$ND" 0
			stop_filter
		done
	done
	"$WORLD" delay "$WORLD_DIR" 20 || die "cannot set the relay delay"
	for r in $(seq 1 "$REPEAT"); do
		stop_resolver
		start_filter "$f" "unix:$RUN/$f.sock"
		measure "$f" cold20ms-c8 "$r" 8 $((ND < 400 ? ND : 400)) 0
		stop_filter
	done
	stop_resolver
	"$WORLD" delay "$WORLD_DIR" 0
}

for f in ${ONLY//,/ }; do
	case "$f" in
	null) bench_filter null ;;
	opendmarc)
		if [ -n "${BENCH_NO_NETNS:-}" ]; then log "opendmarc skipped: needs the network namespace"
		elif ! command -v opendmarc >/dev/null || ! command -v unbound >/dev/null; then
			log "opendmarc skipped: install the Debian packages opendmarc and unbound"
		else bench_filter opendmarc; fi ;;
	spfdmarc)
		if [ -x "$MILTER" ]; then bench_filter spfdmarc
		else log "spfdmarc skipped: $MILTER not built"; fi ;;
	*) die "unknown filter $f" ;;
	esac
done

# --- results -------------------------------------------------------------------------------------

{
	printf '{"bench":"spfdmarc","date":"%s","host_cpus":%s,"domains":%s,"workload_messages":%s,' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$ND" "$NM"
	printf '"opendmarc_version":"%s","dns_counting":"%s","repeat":%s,"runs":[\n' \
		"$(dpkg-query -W -f '${Version}' opendmarc 2>/dev/null || echo none)" "$COUNT" "$REPEAT"
	sed '$!s/$/,/' "$RESULTS.tmp"
	printf ']}\n'
} >"$RESULTS"
rm -f "$RESULTS.tmp"

awk '
function num(s, key,  m) { if (match(s, "\"" key "\":-?[0-9.]+")) { m = substr(s, RSTART, RLENGTH); sub(/.*:/, "", m); return m + 0 } return -1 }
function str(s, key,  m) { if (match(s, "\"" key "\":\"[^\"]*\"")) { m = substr(s, RSTART, RLENGTH); sub(/^[^:]*:"/, "", m); sub(/"$/, "", m); return m } return "" }
# values are kept as "a b c" lists per key; the median of an odd count is the middle one,
# of an even count the mean of the two middle ones
function add(arr, k, v) { arr[k] = (k in arr) ? arr[k] " " v : v }
function sorted(list, a,  n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n
}
function med(list,  a, n) { n = sorted(list, a); if (n == 0) return -1; return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2 }
function lo(list,  a) { sorted(list, a); return a[1] + 0 }
function hi(list,  a, n) { n = sorted(list, a); return a[n] + 0 }
/^\{"filter"/ {
	f = str($0, "filter"); r = str($0, "run")
	if (!(r in seen)) { seen[r] = 1; runs[++nr] = r }
	if (!(f in fseen)) { fseen[f] = 1; fl[++nf] = f }
	k = f SUBSEP r
	add(mps, k, num($0, "msgs_per_s")); add(p50, k, num($0, "p50_ms")); add(p99, k, num($0, "p99_ms"))
	add(rss, k, num($0, "rss_kb")); add(rrss, k, num($0, "resolver_rss_kb"))
	q = num($0, "dns_queries"); n = num($0, "messages")
	if (q >= 0 && n > 0) add(qpm, k, q / n)
	wr[k] += num($0, "wrong"); reps[k]++; have[k] = 1
}
END {
	printf "%-10s %-14s %9s %9s %9s %14s %8s %6s %3s  %s\n", "filter", "run", "msg/s", "p50 ms", "p99 ms", "peak RSS MB", "DNS q/msg", "wrong", "n", "msg/s and p50 min-max"
	for (i = 1; i <= nr; i++) for (j = 1; j <= nf; j++) {
		k = fl[j] SUBSEP runs[i]; if (!(k in have)) continue
		M[k] = med(mps[k]); P[k] = med(p50[k])
		m = sprintf("%.1f", med(rss[k]) / 1024); if (med(rrss[k]) > 0) m = m sprintf("+%.1f", med(rrss[k]) / 1024)
		printf "%-10s %-14s %9.1f %9.2f %9.2f %14s %8s %6d %3d  %.0f-%.0f, %.2f-%.2f\n", fl[j], runs[i], M[k], P[k], med(p99[k]), m, \
			((k in qpm) ? sprintf("%.2f", med(qpm[k])) : "n/a"), wr[k], reps[k], lo(mps[k]), hi(mps[k]), lo(p50[k]), hi(p50[k])
	}
	for (i = 1; i <= nr; i++) {
		a = "spfdmarc" SUBSEP runs[i]; b = "opendmarc" SUBSEP runs[i]; c = "null" SUBSEP runs[i]
		if ((a in have) && (b in have) && M[b] > 0)
			printf "ratio spfdmarc/opendmarc %-14s msg/s x%.2f, p50 x%.2f\n", runs[i], M[a] / M[b], (P[b] > 0 ? P[a] / P[b] : 0)
		if ((a in have) && (c in have) && M[c] > 0)
			printf "spfdmarc vs ceiling     %-14s %.0f%% of the do-nothing filter\n", runs[i], 100 * M[a] / M[c]
		if (!(a in have) && (b in have) && (c in have) && M[c] > 0)
			printf "opendmarc vs ceiling    %-14s %.0f%% of the do-nothing filter\n", runs[i], 100 * M[b] / M[c]
	}
}' "$RESULTS"
log "results: $RESULTS"
[ "$FAILED" = 0 ] || { log "some runs had wrong answers or errors (see above)"; exit 1; }
exit 0
