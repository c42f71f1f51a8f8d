#!/bin/sh
# milter_slowdns.sh: a DNS server that answers slowly, or not at all
# (issue 7, fault injection). The DNS world runs behind its delaying relay
# (DNSWORLD_DELAY_MS=0, then "dnsworld.sh delay DIR MS"); every message
# names a sender domain of its own (flt.example, mcload's %n) so each
# needs the server. DNSTimeout is 1 s.
#  - 100 ms per answer: still evaluated, dmarc=pass;
#  - 3000 ms per answer, then no answers at all: every evaluation ends at
#    DNSTimeout with dmarc=temperror (logged elapsed time), the message is
#    accepted, the milter's threads stay bounded by the connections and
#    return to their idle count afterwards (no pile-up);
#  - delay back to 0: mail passes again (the time it took is reported).
# The latency the MTA sees can exceed DNSTimeout: libmilter's worker pool
# (Debian builds it with _FFR_WORKERS_POOL) may queue one session's
# command behind another session's slow end of message. Reported, not
# asserted.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init milter-slowdns
. "$top_srcdir/tests/milter/mlib.sh"
[ -x "$MILTER" ] || itest_skip "no $MILTER"
: "${MCLOAD:=$top_builddir/tests/milter/mcload}"
[ -x "$MCLOAD" ] || itest_skip "no $MCLOAD"
flt_zone "$T/flt.zone" 1000
DNSWORLD_DELAY_MS=0
export DNSWORLD_DELAY_MS
itest_world_start "$top_srcdir/tests/milter/milter.zone" "$T/flt.zone"
trap 'stop_milter; itest_cleanup $?' EXIT

delay() {
	DNSWORLD_QUIET=1 bash "$ITEST_WORLD_SH" delay "$DNSWORLD_DIR" "$1"
}
echo '127.0.0.10 helo.mt.example a@d%n.flt.example a@d%n.flt.example accept pass' >"$T/pass.wl"
echo '127.0.0.10 helo.mt.example a@d%n.flt.example a@d%n.flt.example accept temperror' >"$T/temp.wl"
load() {
	_name=$1
	shift
	"$MCLOAD" -s "$MSPEC" -P "$MPID" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
}
show() {
	echo "# $1: $(grep -E '^(messages|accept|dmarc_pass|dmarc_temperror|errors|p50_ms|max_ms|filter_threads_idle|filter_threads_peak)=' "$T/$1.out" | tr '\n' ' ')"
	sed 's/^/#   /' "$T/$1.err"
}
# bounded NAME CONNS: the thread count stayed within the connections
# plus the fixed threads (main, milter loop, signals, pool controller,
# resolver, dispatcher, a few idle workers)
bounded() {
	_peak=$(kv "$T/$1.out" filter_threads_peak)
	_idle=$(kv "$T/$1.out" filter_threads_idle)
	ok "$([ "$_peak" -le $(($2 + _idle + 4)) ]; echo $?)" \
	    "$1: threads bounded ($_peak at most, $_idle idle, $2 connections)"
}

LOGLEVEL=info
write_conf "DNSTimeout 1"
start_milter
idle=$(proc_field "$MPID" Threads)

load fast -w "$T/pass.wl" -c 5 -m 2 -o 0
ok $? "no delay: 10 messages pass"
show fast

delay 100
load d100 -w "$T/pass.wl" -c 10 -m 1 -o 100
ok $? "100 ms per answer: 10 concurrent messages still pass"
show d100

delay 3000
load d3000 -w "$T/temp.wl" -c 20 -m 2 -o 200
ok $? "3000 ms per answer: 40 messages accepted with dmarc=temperror"
show d3000
bounded d3000 20

delay -1
load drop -w "$T/temp.wl" -c 20 -m 1 -o 300
ok $? "no answers: 20 messages accepted with dmarc=temperror"
show drop
bounded drop 20

# No pile-up: once the sessions are over the threads go back (libmilter's
# idle workers wait up to 10 s before they leave).
i=0
while [ "$(proc_field "$MPID" Threads)" -gt $((idle + 2)) ] && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
now=$(proc_field "$MPID" Threads)
ok "$([ "$now" -le $((idle + 2)) ]; echo $?)" "threads back to $now (idle at start: $idle)"

# Recovery: the resolver backed off from the silent server; it must find
# it again by itself.
delay 0
t0=$(date +%s)
k=0
recovered=1
while [ $k -lt 15 ]; do
	load back -w "$T/pass.wl" -c 5 -m 1 -o $((400 + k * 5))
	if [ $? = 0 ]; then recovered=0; break; fi
	sleep 1; k=$((k + 1))
done
ok $recovered "delay 0: mail passes again (after $(( $(date +%s) - t0 )) s, $k batch(es) with temperror first)"
show back

stop_milter
over=$(sed -n 's/.* elapsed=\([0-9]*\)ms$/\1/p' "$T/milter.log" | awk '$1 > 1200' | wc -l)
max=$(sed -n 's/.* elapsed=\([0-9]*\)ms$/\1/p' "$T/milter.log" | sort -n | tail -n 1)
ok "$([ "$over" = 0 ]; echo $?)" "every evaluation ended within DNSTimeout + 200 ms (longest ${max} ms)"
if grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | grep -q .; then
	ok 1 "no error in the milter's log"
	grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | sed 's/^/#   /'
else
	ok 0 "no error in the milter's log"
fi
tap_end
