#!/bin/sh
# milter_load.sh: 500 milter connections open at once (issue 7), with
# mixed outcomes: DMARC pass, reject, quarantine (p=quarantine and t=y),
# none, fail under p=none, no From field (permerror) and a DNSSEC-bogus
# domain (temperror). mcload opens all 500 connections, waits until the
# last one is up, then each sends 2 messages. Nothing may be lost: every
# message gets the expected verdict, and the counts are reconciled three
# ways: the workload's expectation, what mcload saw, what the milter
# logged. Twice, to see that memory does not grow from one round to the
# next. The milter's RSS with 500 connections is reported, and checked
# against the 50 MB target except in sanitizer builds.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init milter-load
. "$top_srcdir/tests/milter/mlib.sh"
[ -x "$MILTER" ] || itest_skip "no $MILTER"
: "${MCLOAD:=$top_builddir/tests/milter/mcload}"
[ -x "$MCLOAD" ] || itest_skip "no $MCLOAD"
CONNS=500
MSGS=2
# each connection: a socket in mcload and one in the milter (same process
# limits when both run here), plus the resolver's sockets
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((CONNS + 300)) ] ||
	ulimit -n $((CONNS + 300)) 2>/dev/null ||
	itest_skip "open files limit $(ulimit -n) < $((CONNS + 300))"
itest_world_start "$top_srcdir/tests/milter/milter.zone"
trap 'stop_milter; itest_cleanup $?' EXIT

cat >"$T/mixed.wl" <<EOF
127.0.0.10 helo.mt.example a@pass.mt.example a@pass.mt.example accept pass
127.0.0.20 client.example b@reject.mt.example b@reject.mt.example reject
127.0.0.20 client.example b@quar.mt.example b@quar.mt.example quarantine fail
127.0.0.20 client.example b@nodmarc.mt.example b@nodmarc.mt.example accept none
127.0.0.20 client.example b@relaxed.mt.example b@relaxed.mt.example accept fail
127.0.0.20 client.example b@testing.mt.example b@testing.mt.example quarantine fail
127.0.0.10 helo.mt.example a@pass.mt.example - accept permerror
127.0.0.10 helo.mt.example a@bogus.example a@bogus.example accept temperror
EOF
# What the workload must give: connection i sends line i mod 8, MSGS times.
awk -v c=$CONNS -v m=$MSGS '
	{ act[NR - 1] = $5; dm[NR - 1] = $6 }
	END {
		for (i = 0; i < c; i++) { want[act[i % NR]] += m; wantd[dm[i % NR]] += m }
		for (a in want) print a "=" want[a]
		for (d in wantd) print "dmarc_" d "=" wantd[d]
	}' "$T/mixed.wl" >"$T/want"
want() { sed -n "s/^$1=//p" "$T/want"; }

SAN=
grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" 2>/dev/null && SAN=1

LOGLEVEL=info
write_conf ""
start_milter
total=0
for round in 1 2; do
	t0=$(date +%s)
	"$MCLOAD" -s "$MSPEC" -w "$T/mixed.wl" -c $CONNS -m $MSGS -P "$MPID" \
	    -q "R$round." -t 60000 >"$T/round$round.out" 2>"$T/round$round.err"
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	o=$T/round$round.out
	echo "# round $round ($secs s): $(tr '\n' ' ' <"$o")"
	sed 's/^/#   /' "$T/round$round.err"
	ok $rc "round $round: $CONNS connections x $MSGS messages, every verdict as expected"
	ok "$([ "$(kv "$o" messages)" = $((CONNS * MSGS)) ] && [ "$(kv "$o" errors)" = 0 ]; echo $?)" \
	    "round $round: $(kv "$o" messages) messages, $(kv "$o" errors) errors"
	for a in accept quarantine reject tempfail; do
		w=$(want "$a"); w=${w:-0}
		ok "$([ "$(kv "$o" "$a")" = "$w" ]; echo $?)" "round $round: $a $(kv "$o" "$a") of $w expected"
	done
	for d in pass fail none permerror temperror; do
		w=$(want "dmarc_$d"); w=${w:-0}
		ok "$([ "$(kv "$o" "dmarc_$d")" = "$w" ]; echo $?)" \
		    "round $round: dmarc=$d $(kv "$o" "dmarc_$d") of $w expected"
	done
	fig="RSS $(kv "$o" filter_rss_kb_open) kB with $CONNS open, peak $(kv "$o" filter_rss_kb_peak) kB, $(kv "$o" filter_threads_peak) threads at most"
	if [ -n "$SAN" ]; then
		skip "round $round: RSS target in a sanitizer build ($fig)"
	else
		ok "$([ "$(kv "$o" filter_rss_kb_peak)" -le 51200 ]; echo $?)" \
		    "round $round: $fig (target 50 MB)"
	fi
	total=$((total + CONNS * MSGS))
done
# the milter's own account: one line per message, by action
lines=$(log_count "action=")
ok "$([ "$lines" = $total ]; echo $?)" "the milter logged $lines of $total messages"
for a in accept quarantine reject; do
	w=$(( $(want "$a") * 2 ))
	ok "$([ "$(log_count "action=$a ")" = "$w" ]; echo $?)" \
	    "the milter logged action=$a $(log_count "action=$a ") times, $w expected"
done
hwm=$(kv "$T/round2.out" filter_hwm_kb)
rss1=$(kv "$T/round1.out" filter_rss_kb_done)
rss2=$(kv "$T/round2.out" filter_rss_kb_done)
echo "# milter memory: VmHWM $hwm kB; RSS after round 1 $rss1 kB, after round 2 $rss2 kB"
if [ -n "$SAN" ]; then
	skip "RSS target in a sanitizer build (VmHWM $hwm kB)"
else
	ok "$([ "$hwm" -le 51200 ]; echo $?)" "VmHWM $hwm kB <= 50 MB with $CONNS connections"
	ok "$([ "$rss2" -le $((rss1 + 8192)) ]; echo $?)" \
	    "no growth from round 1 to round 2 beyond 8 MB ($rss1 -> $rss2 kB)"
fi
kill -0 "$MPID" 2>/dev/null
ok $? "the milter lives on"
stop_milter
if grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | grep -q .; then
	ok 1 "no error in the milter's log"
	grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | sed 's/^/#   /' | head -n 40
else
	ok 0 "no error in the milter's log"
fi
tap_end
