#!/bin/sh
# milter_drop.sh: the MTA drops the filter connection in the middle of a
# message (issue 7, fault injection): closed without QUIT after the
# connect step, after MAIL FROM, after the headers and after the end of
# headers, one connection at a time and many at once. The milter must free
# each session's state (run under valgrind --leak-check=full, or, in an
# --enable-sanitizers build, with LeakSanitizer: no leak, no error
# reported when it exits) and keep serving: the messages that did complete
# all got their verdict and their log line, the dropped ones none.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init milter-drop
. "$top_srcdir/tests/milter/mlib.sh"
[ -x "$MILTER" ] || itest_skip "no $MILTER"
[ -x "$MCDRIVE" ] || itest_skip "no $MCDRIVE"
: "${MCLOAD:=$top_builddir/tests/milter/mcload}"
[ -x "$MCLOAD" ] || itest_skip "no $MCLOAD"
itest_world_start "$top_srcdir/tests/milter/milter.zone"
trap 'stop_milter; itest_cleanup $?' EXIT

# How leaks are found: LeakSanitizer in a sanitizer build (valgrind
# cannot run those), else valgrind when installed.
CHECKER=none
if grep -q '^SAN_CFLAGS = .*-fsanitize=[a-z,]*address' "$top_builddir/Makefile" 2>/dev/null; then
	CHECKER=lsan
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
	export ASAN_OPTIONS
elif command -v valgrind >/dev/null 2>&1 && [ -x "$top_builddir/libtool" ]; then
	CHECKER=valgrind
	MILTER_PREFIX="$top_builddir/libtool --mode=execute valgrind -q
	    --leak-check=full --errors-for-leak-kinds=definite,indirect
	    --show-leak-kinds=definite,indirect,possible
	    --log-file=$T/valgrind.log"
	START_TRIES=600
fi
echo "# leak checker: $CHECKER"

cat >"$T/mixed.wl" <<EOF
127.0.0.10 helo.mt.example a@pass.mt.example a@pass.mt.example accept pass
127.0.0.20 client.example b@reject.mt.example b@reject.mt.example reject
127.0.0.20 client.example b@quar.mt.example b@quar.mt.example quarantine fail
127.0.0.20 client.example b@nodmarc.mt.example b@nodmarc.mt.example accept none
EOF
done_msgs=0
# load NAME ARGS: mcload; adds the completed (not dropped) messages
load() {
	_name=$1
	shift
	"$MCLOAD" -s "$MSPEC" -w "$T/mixed.wl" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	_rc=$?
	done_msgs=$((done_msgs + $(kv "$T/$_name.out" messages) - $(kv "$T/$_name.out" dropped)))
	echo "# $_name: $(grep -E '^(messages|accept|quarantine|reject|dropped|errors)=' "$T/$_name.out" | tr '\n' ' ')"
	sed 's/^/#   /' "$T/$_name.err"
	return $_rc
}

LOGLEVEL=info
write_conf ""
start_milter

# One connection dropped after its connect step (a script without quit
# still sends QUIT; mcload with -D closes the socket).
cat >"$T/conn.txt" <<'EOF'
macro j mx.test.example
connect client.example 4 127.0.0.10 25
helo helo.mt.example
quit
EOF
drive conn
has conn "connect and quit: fine" "rc=0"

for step in mail header eoh; do
	load "one-$step" -c 1 -m 2 -D "$step"
	ok $? "one connection: a message, then one dropped after $step"
	load "many-$step" -c 40 -m 3 -D "$step"
	ok $? "40 connections at once, each dropped after $step in its third message"
done

# Still serving, with every verdict right.
load after -c 20 -m 4
ok $? "after the drops: 80 messages on 20 connections, all verdicts right"
ok "$([ "$(kv "$T/after.out" reject)" = 20 ] && [ "$(kv "$T/after.out" quarantine)" = 20 ]; echo $?)" \
    "after the drops: 20 rejected, 20 quarantined"
kill -0 "$MPID" 2>/dev/null
ok $? "the milter lives on"

stop_milter
lines=$(log_count "action=")
ok "$([ "$lines" = "$done_msgs" ]; echo $?)" \
    "one log line per completed message, none for a dropped one ($lines lines, $done_msgs messages)"

case $CHECKER in
valgrind)
	# -q: only errors and leak reports are written
	if grep -q "ERROR SUMMARY: [1-9]\|definitely lost: [1-9]\|indirectly lost: [1-9]\|Invalid \|uninitialised\|Mismatched" "$T/valgrind.log"; then
		ok 1 "valgrind: no error, nothing definitely or indirectly lost"
		sed 's/^/#   /' "$T/valgrind.log" | head -n 80
	else
		ok 0 "valgrind: no error, nothing definitely or indirectly lost"
	fi
	# "possibly lost" blocks are libunbound's and the configuration's,
	# still held at exit; none may come from the per-session code.
	if awk 'BEGIN { RS = "" } /lost in loss record/ && /(session|headers|verdict|callbacks)\.c/ { found = 1; print } END { exit !found }' \
	    "$T/valgrind.log" >"$T/session-leaks.txt"; then
		ok 1 "valgrind: no block of a session or message lost"
		sed 's/^/#   /' "$T/session-leaks.txt" | head -n 60
	else
		ok 0 "valgrind: no block of a session or message lost"
	fi
	;;
lsan)
	if grep -q "Sanitizer" "$T/milter.log"; then
		ok 1 "LeakSanitizer/AddressSanitizer: nothing reported"
		grep -A 30 "Sanitizer" "$T/milter.log" | sed 's/^/#   /' | head -n 80
	else
		ok 0 "LeakSanitizer/AddressSanitizer: nothing reported"
	fi
	;;
*)
	skip "no leak checker (valgrind not installed)"
	;;
esac
if grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | grep -q .; then
	ok 1 "no error in the milter's log"
	grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | sed 's/^/#   /' | head -n 40
else
	ok 0 "no error in the milter's log"
fi
tap_end
