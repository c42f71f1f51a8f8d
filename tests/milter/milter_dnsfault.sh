#!/bin/sh
# milter_dnsfault.sh: the DNS server stops and comes back while
# spfdmarc-milter works (issue 7, fault injection). Every message names a
# sender domain of its own (flt.example, mcload's %n), so no answer can
# come from the resolver's cache. DNSTimeout is 1 s.
#  - DNS stopped while messages flow (dnsworld.sh stop, then NSD started
#    again on the same port): every message gets a verdict, those of the
#    outage dmarc=temperror and accepted (TempFailOnError no), the others
#    dmarc=pass; the milter lives on;
#  - DNS down: spf=temperror and dmarc=temperror in the A-R, accepted,
#    within the timeout; after a reload with TempFailOnError yes: 451 4.4.3;
#  - DNS back: the next messages pass again;
#  - the milter logged one line per message, every one within DNSTimeout.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init milter-dnsfault
. "$top_srcdir/tests/milter/mlib.sh"
[ -x "$MILTER" ] || itest_skip "no $MILTER"
[ -x "$MCDRIVE" ] || itest_skip "no $MCDRIVE"
: "${MCLOAD:=$top_builddir/tests/milter/mcload}"
[ -x "$MCLOAD" ] || itest_skip "no $MCLOAD"
flt_zone "$T/flt.zone" 1000
itest_world_start "$top_srcdir/tests/milter/milter.zone" "$T/flt.zone"
LPID=
trap 'stop_milter; [ -z "$LPID" ] || kill "$LPID" 2>/dev/null; itest_cleanup $?' EXIT

dns_stop() {
	DNSWORLD_QUIET=1 bash "$ITEST_WORLD_SH" stop "$DNSWORLD_DIR"
}
# NSD again with the same configuration: the same port, so the milter's
# resolver (stub zones on that port) finds it without a restart.
dns_start() {
	nsd -c "$DNSWORLD_DIR/nsd/nsd.conf" 2>>"$T/nsd-restart.log" || return 1
	_i=0
	while [ $_i -lt 50 ]; do
		drill -Q -p "$DNSWORLD_NSD_PORT" SOA flt.example @127.0.0.1 2>/dev/null |
		    grep -q hostmaster && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

echo '127.0.0.10 helo.mt.example a@d%n.flt.example a@d%n.flt.example accept pass' >"$T/pass.wl"
echo '127.0.0.10 helo.mt.example a@d%n.flt.example a@d%n.flt.example accept *' >"$T/any.wl"
echo '127.0.0.10 helo.mt.example a@d%n.flt.example a@d%n.flt.example accept temperror' >"$T/temp.wl"
echo '127.0.0.10 helo.mt.example a@d%n.flt.example a@d%n.flt.example tempfail' >"$T/451.wl"
sent=0
# load NAME ARGS...: mcload into $T/NAME.out; counts the messages
load() {
	_name=$1
	shift
	"$MCLOAD" -s "$MSPEC" -P "$MPID" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	_rc=$?
	sent=$((sent + $(kv "$T/$_name.out" messages)))
	return $_rc
}
# show NAME: the figures, as TAP comments
show() {
	echo "# $1: $(grep -E '^(messages|accept|tempfail|dmarc_pass|dmarc_temperror|errors|p50_ms|max_ms|filter_threads_peak)=' "$T/$1.out" | tr '\n' ' ')"
	sed 's/^/#   /' "$T/$1.err"
}

LOGLEVEL=info
write_conf "DNSTimeout 1"
start_milter

load up -w "$T/pass.wl" -c 5 -m 2 -o 0
ok $? "DNS up: 10 messages pass"
show up

# --- DNS stopped while messages flow ------------------------------------
"$MCLOAD" -s "$MSPEC" -P "$MPID" -w "$T/any.wl" -c 4 -m 40 -i 25 -o 100 \
    >"$T/flow.out" 2>"$T/flow.err" &
LPID=$!
sleep 0.4
dns_stop
ok $? "dnsworld.sh stop while messages flow"
sleep 1.5
dns_start
ok $? "NSD started again on port $DNSWORLD_NSD_PORT"
wait "$LPID"
rc=$?
LPID=
sent=$((sent + $(kv "$T/flow.out" messages)))
show flow
ok $rc "flow: every message accepted (TempFailOnError no), no error"
ok "$([ "$(kv "$T/flow.out" messages)" = 160 ]; echo $?)" "flow: 160 messages, 160 verdicts"
pass=$(kv "$T/flow.out" dmarc_pass)
temp=$(kv "$T/flow.out" dmarc_temperror)
ok "$([ $((pass + temp)) = 160 ] && [ "$temp" -gt 0 ] && [ "$pass" -gt 0 ]; echo $?)" \
    "flow: $pass dmarc=pass, $temp dmarc=temperror during the outage"
kill -0 "$MPID" 2>/dev/null
ok $? "flow: the milter lives on"

# --- DNS down: temperror, accepted, within DNSTimeout ---------------------
dns_stop
msg T1 127.0.0.10 helo.mt.example a@d900.flt.example "From: a@d900.flt.example" >"$T/down.txt"
drive down
sent=$((sent + 1))
has down "spf=temperror" "spf=temperror (dnssec=indeterminate"
has down "dmarc=temperror" "dmarc=temperror"
has down "accepted (TempFailOnError no)" "eom: continue"
load down -w "$T/temp.wl" -c 10 -m 1 -o 300
ok $? "DNS down: 10 concurrent messages accepted with dmarc=temperror"
show down
# The evaluations end at DNSTimeout (checked in the log below); what the
# MTA waits can be a multiple of it, when libmilter's worker pool queues a
# session behind another's end of message (see milter_slowdns.sh).
echo "# DNS down: the MTA waited p50 $(kv "$T/down.out" p50_ms) ms, at most $(kv "$T/down.out" max_ms) ms"

# --- TempFailOnError yes: 451 ------------------------------------------------
write_conf "DNSTimeout 1
TempFailOnError yes"
before=$(log_count "configuration reloaded")
kill -HUP "$MPID"
i=0
while [ "$(log_count "configuration reloaded")" = "$before" ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
msg T2 127.0.0.10 helo.mt.example a@d901.flt.example "From: a@d901.flt.example" >"$T/down451.txt"
drive down451
sent=$((sent + 1))
has down451 "451 4.4.3 naming the domain" \
    "eom: tempfail 451 4.4.3 Temporary DNS failure evaluating DMARC for d901.flt.example"
load down451 -w "$T/451.wl" -c 10 -m 1 -o 400
ok $? "DNS down, TempFailOnError yes: 10 concurrent messages tempfailed"
show down451

# --- DNS back -------------------------------------------------------------------
dns_start
ok $? "NSD started again"
load back -w "$T/pass.wl" -c 10 -m 1 -o 500
ok $? "DNS back: the next 10 messages pass"
show back

# --- the milter's account -------------------------------------------------------
stop_milter
lines=$(log_count "action=")
ok "$([ "$lines" = "$sent" ]; echo $?)" "one log line per message ($lines lines, $sent messages)"
ok "$([ "$(log_count "action=tempfail")" = 11 ]; echo $?)" "11 tempfails logged"
slow=$(sed -n 's/.* elapsed=\([0-9]*\)ms$/\1/p' "$T/milter.log" | awk '$1 > 1200' | wc -l)
ok "$([ "$slow" = 0 ]; echo $?)" "every evaluation ended within DNSTimeout (+200 ms): $slow over"
if grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | grep -q .; then
	ok 1 "no error in the milter's log"
	grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | sed 's/^/#   /'
else
	ok 0 "no error in the milter's log"
fi
tap_end
