#!/bin/sh
# selftest.sh: prove the milter client against a real libmilter filter.
#
# Starts testfilter (one instance per negotiation mode) on unix sockets in
# a temporary directory, runs mcdrive scripts against it and checks the
# output with grep; a small perl stand-in plays broken filters for the
# error paths. Prints TAP. Compiles nothing: the binaries come from
#   MCDRIVE     (default ./mcdrive)
#   TESTFILTER  (default ./testfilter)
# and MCDRIVE_PREFIX, if set, is put in front of every mcdrive run (e.g.
# "valgrind -q --error-exitcode=99 --leak-check=full").
set -u

MCDRIVE=${MCDRIVE:-./mcdrive}
TESTFILTER=${TESTFILTER:-./testfilter}
MCDRIVE_PREFIX=${MCDRIVE_PREFIX:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mcselftest.XXXXXX") || exit 99
pids=""
n=0
failed=0
cur=""

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

bail() {
	echo "Bail out! $*"
	exit 99
}

# wait_sock PATH: up to 10 s for a listening socket to appear.
wait_sock() {
	i=0
	while [ ! -S "$1" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$1" ]
}

# start_filter MODE: testfilter on $tmp/MODE.sock.
start_filter() {
	"$TESTFILTER" -p "unix:$tmp/$1.sock" -m "$1" 2>"$tmp/filter-$1.err" &
	pids="$pids $!"
	wait_sock "$tmp/$1.sock" || bail "testfilter -m $1 did not start"
}

# start_fake MODE: the perl stand-in on $tmp/fake-MODE.sock (one client).
start_fake() {
	perl "$tmp/fake.pl" "$tmp/fake-$1.sock" "$1" 2>"$tmp/fake-$1.err" &
	pids="$pids $!"
	wait_sock "$tmp/fake-$1.sock" || bail "fake filter $1 did not start"
}

# run NAME SOCKET [mcdrive options]: script $tmp/NAME.txt, output in
# $tmp/NAME.out, .err and .rc.
run() {
	cur=$1
	sock=$2
	shift 2
	# shellcheck disable=SC2086 # MCDRIVE_PREFIX is a word list
	$MCDRIVE_PREFIX "$MCDRIVE" -s "$sock" "$@" "$tmp/$cur.txt" \
	    >"$tmp/$cur.out" 2>"$tmp/$cur.err"
	echo $? >"$tmp/$cur.rc"
}

# check DESCRIPTION COMMAND...: one TAP line; output of the run on failure.
check() {
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $cur: $desc"
	else
		echo "not ok $n - $cur: $desc"
		failed=$((failed + 1))
		sed 's/^/# out: /' "$tmp/$cur.out"
		sed 's/^/# err: /' "$tmp/$cur.err"
		echo "# rc: $(cat "$tmp/$cur.rc")"
	fi
}

rc_is() { [ "$(cat "$tmp/$cur.rc")" = "$1" ]; }
has() { grep -Fqx -- "$1" "$tmp/$cur.out"; }
hasnt() { ! grep -Fq -- "$1" "$tmp/$cur.out"; }
like() { grep -Eq -- "$1" "$tmp/$cur.out"; }
count_is() { [ "$(grep -Fxc -- "$1" "$tmp/$cur.out")" -eq "$2" ]; }
err_like() { grep -Eq -- "$1" "$tmp/$cur.err"; }
# hdrs_are FILE: the "hdr:" lines are exactly FILE.
hdrs_are() { grep '^hdr: ' "$tmp/$cur.out" | cmp -s - "$tmp/$1"; }

[ -x "$MCDRIVE" ] || bail "no mcdrive at $MCDRIVE"
[ -x "$TESTFILTER" ] || bail "no testfilter at $TESTFILTER"

cat >"$tmp/fake.pl" <<'EOF'
# A broken milter: serves one connection as MODE says.
use strict;
use warnings;
use IO::Socket::UNIX;
my ($path, $mode) = @ARGV;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => "$path.t",
    Listen => 5) or die "listen: $!";
rename("$path.t", $path) or die "rename: $!";
my $c = $srv->accept or die "accept: $!";
sub rd {
	my ($n, $buf) = (shift, '');
	while (length($buf) < $n) {
		my $r = sysread($c, $buf, $n - length($buf), length($buf));
		return undef unless $r;
	}
	return $buf;
}
sub pkt { my $h = rd(4); return undef unless defined $h; return rd(unpack('N', $h)); }
sub reply { my ($cmd, $d) = @_; $d //= ''; syswrite($c, pack('N', 1 + length($d)) . $cmd . $d); }
pkt() // exit 0;
if ($mode eq 'silent') { sleep 5; exit 0; }
if ($mode eq 'bigpkt') { syswrite($c, pack('N', 0x7fffffff) . 'O'); sleep 2; exit 0; }
if ($mode eq 'overask') { reply('O', pack('NNN', 7, 1, 0)); sleep 2; exit 0; }
reply('O', pack('NNN', 6, 1, 0));
pkt();
if ($mode eq 'truncated') { syswrite($c, pack('N', 100) . 'c'); exit 0; }
if ($mode eq 'modconnect') { reply('h', "X-A\0b\0"); sleep 2; exit 0; }
if ($mode eq 'badreplycode') { reply('y', "250 ok\0"); sleep 2; exit 0; }
exit 0;
EOF

start_filter nr
start_filter all
start_filter leadspc
NR="unix:$tmp/nr.sock"
ALL="unix:$tmp/all.sock"
LS="unix:$tmp/leadspc.sock"

# --- One message, no-reply negotiation, macros, header edits -----------
cat >"$tmp/basic.txt" <<'EOF'
# The filter negotiates SMFIP_NR_CONN/DATA/HDR/EOH, NOBODY, macro lists.
macro j mx.example.net
macro daemon_name smtpd
macro unwanted not-on-the-list
connect mail.example.org 4 127.0.0.2 25
helo mail.example.org
macro i 4AbC123
macro auth_authen alice
mail <alice@example.org> SIZE=100
rcpt <bob@example.net>
mtaheader Received: from mail.example.org by mx.example.net
header From: Alice <alice@example.org>
header Subject: hi
header X-Change-Me: one
header X-Drop: a
header X-Change-Me: two
header X-Drop: b
eoh
body Hello
eom
quit
EOF
cat >"$tmp/basic.hdrs" <<'EOF'
hdr: X-Testfilter-Top: inserted at index 0
hdr: Received: from mail.example.org by mx.example.net
hdr: From: Alice <alice@example.org>
hdr: Subject: hi
hdr: X-Change-Me: one
hdr: X-Change-Me: changed by testfilter
hdr: X-Testfilter: j=mx.example.net; daemon_name=smtpd; i=4AbC123; auth_authen=alice; unwanted=-
hdr: Authentication-Results: mx.example.net;\n\tspf=pass smtp.mailfrom=example.org
EOF
run basic "$NR" -H
check "exit 0" rc_is 0
check "no-reply flags negotiated" \
    like '^negotiate: protocol NOBODY,NR_HDR,NOUNKNOWN,NR_CONN,NR_DATA,NR_EOH$'
check "macro list for connect" has "symlist: connect j {daemon_name}"
check "connect without reply" has "connect: noreply"
check "helo answered" has "helo: continue"
check "headers without reply" count_is "header: noreply" 6
check "eoh without reply" has "eoh: noreply"
check "body not sent (NOBODY)" has "body: notsent"
check "macros seen, unlisted one not sent" has \
    "addheader: X-Testfilter: j=mx.example.net; daemon_name=smtpd; i=4AbC123; auth_authen=alice; unwanted=-"
check "multi-line value escaped" has \
    'addheader: Authentication-Results: mx.example.net;\n\tspf=pass smtp.mailfrom=example.org'
check "insert at index 0" has "insheader: 0 X-Testfilter-Top: inserted at index 0"
check "change by index" has "chgheader: X-Change-Me 2 'changed by testfilter'"
check "delete highest index first" sh -c \
    "grep -F \"chgheader: X-Drop\" '$tmp/basic.out' | tr '\n' '|' |
     grep -Fqx \"chgheader: X-Drop 2 ''|chgheader: X-Drop 1 ''|\""
check "progress seen" has "progress: 1"
check "eom continue" has "eom: continue"
check "headers as delivered" hdrs_are basic.hdrs

# --- Two messages on one connection -----------------------------------
cat >"$tmp/twomsg.txt" <<'EOF'
connect mail.example.org 4 127.0.0.2 25
helo mail.example.org
macro i FIRST1
mail <a@example.org>
rcpt <b@example.net>
header Subject: one
eom
macro i SECOND2
mail <c@example.org>
rcpt <d@example.net>
rcpt <e@example.net>
header Subject: two
eom
quit
EOF
run twomsg "$NR"
check "exit 0" rc_is 0
check "two end-of-messages" count_is "eom: continue" 2
check "first queue id" like '^addheader: X-Testfilter: .*i=FIRST1;'
check "second queue id" like '^addheader: X-Testfilter: .*i=SECOND2;'
check "three recipients" count_is "rcpt: continue" 3

# --- Abort mid-message, then a clean one -------------------------------
cat >"$tmp/abort.txt" <<'EOF'
connect mail.example.org 4 127.0.0.2 25
helo mail.example.org
mail <a@example.org>
rcpt <b@example.net>
header Subject: quarantine this
body part one
bodyflush
abort
mail <a@example.org>
rcpt <b@example.net>
header Subject: plain
body all of it
eom
quit
EOF
run abort "$ALL"
check "exit 0" rc_is 0
check "every step replied (ALL_OPTS)" has "negotiate: protocol SKIP"
check "a body chunk went out before abort" has "body: skip"
check "abort has no reply" has "abort: noreply"
check "aborted message forgotten" hasnt "quarantine:"
check "second message completes" count_is "eom: continue" 1

# --- Reject on From, quarantine, tempfail, discard at eom -------------
cat >"$tmp/verdicts.txt" <<'EOF'
connect mail.example.org 4 127.0.0.2 25
helo mail.example.org
mail <a@example.org>
rcpt <b@example.net>
header From: Mallory <reject@example.org>
header Subject: anything
eom
mail <a@example.org>
rcpt <b@example.net>
header From: Alice <alice@example.org>
header Subject: please quarantine me
eom
mail <a@example.org>
rcpt <b@example.net>
header Subject: tempfail me
eom
mail <a@example.org>
rcpt <b@example.net>
header Subject: discard me
eom
quit
EOF
run verdicts "$NR"
check "exit 0" rc_is 0
check "reject with smfi_setreply text" \
    has "eom: reject 550 5.7.1 From: rejected by testfilter"
check "quarantine reason" has "quarantine: Subject asked for quarantine"
check "quarantined message still continues" count_is "eom: continue" 1
check "tempfail with text" has "eom: tempfail 451 4.7.1 Subject asked for tempfail"
check "discard" has "eom: discard"
check "no edits on rejected messages" count_is \
    "insheader: 0 X-Testfilter-Top: inserted at index 0" 1

# --- Envelope and HELO verdicts, and what is then not sent -------------
cat >"$tmp/envelope.txt" <<'EOF'
connect mail.example.org 4 127.0.0.2 25
helo mail.example.org
mail <reject-mail@example.org>
rcpt <b@example.net>
header Subject: x
eom
mail <a@example.org>
rcpt <reject-rcpt@example.net>
rcpt <tempfail-rcpt@example.net>
rcpt <b@example.net>
abort
mail <accept-mail@example.org>
rcpt <b@example.net>
eom
unknown XYZZY
helo reject.example
mail <a@example.org>
quit
EOF
run envelope "$ALL"
check "exit 0" rc_is 0
check "MAIL rejected with text" \
    has "mail: reject 550 5.7.1 sender rejected by testfilter"
check "nothing more for a rejected MAIL" count_is "rcpt: notsent" 2
check "plain RCPT reject" has "rcpt: reject"
check "RCPT tempfail with text" \
    has "rcpt: tempfail 451 4.2.0 recipient deferred by testfilter"
check "MAIL accepted" has "mail: accept"
check "no eom after accept or reject" count_is "eom: notsent" 2
check "unknown command" has "unknown: continue"
check "HELO rejected" has "helo: reject 550 5.7.0 HELO rejected by testfilter"
check "nothing after a connection reject" has "mail: notsent"

# --- SMFIR_SKIP with a multi-chunk body; QUIT_NC; IPv6 connect --------
cat >"$tmp/skip.txt" <<'EOF'
connect mail.example.org 6 2001:db8::25 52000
helo mail.example.org
mail <a@example.org>
rcpt <b@example.net>
header Subject: big
bodyrepeat 3000 0123456789012345678901234567890123456789
eom
quitnc
connect second.example.org U
helo second.example.org
mail <a@example.org>
rcpt <b@example.net>
eom
quit
EOF
run skip "$ALL"
check "exit 0" rc_is 0
check "filter skips the body" has "body: skip"
check "no chunk after skip" has "body: notsent"
check "filter saw one chunk" has "addheader: X-Body: chunks=1 bytes=65535"
check "new session after quitnc" count_is "connect: continue" 2
check "message in the new session" count_is "eom: continue" 2

# --- SMFIP_HDR_LEADSPC --------------------------------------------------
cat >"$tmp/leadspc.txt" <<'EOF'
connect mail.example.org 4 127.0.0.2 25
helo mail.example.org
mail <a@example.org>
rcpt <b@example.net>
header Subject:  two spaces
header X-Tab:\tvalue
eom
quit
EOF
run leadspc "$LS" -H
check "exit 0" rc_is 0
check "flag negotiated" has "negotiate: protocol SKIP,HDR_LEADSPC"
check "value sent with its leading space" \
    has "addheader: X-Subject-Raw: [  two spaces]"
check "filter values applied verbatim" \
    has "hdr: X-Testfilter-Top:inserted at index 0"
check "original values untouched" has "hdr: Subject:  two spaces"

# --- An MTA that offers no SMFIP_NR_*: libmilter fakes the replies -----
cat >"$tmp/nonr.txt" <<'EOF'
connect mail.example.org 4 127.0.0.2 25
helo mail.example.org
mail <a@example.org>
rcpt <b@example.net>
header Subject: hi
eom
quit
EOF
run nonr "$NR" -P 0x0000077f
check "exit 0" rc_is 0
check "no NR flags agreed" \
    has "negotiate: protocol NOBODY,NOUNKNOWN"
check "connect now answered" has "connect: continue"
check "headers now answered" has "header: continue"

# --- Script and state errors ------------------------------------------
printf 'connect h 4 192.0.2.1 25\nfrobnicate\n' >"$tmp/badcmd.txt"
run badcmd "$NR"
check "unknown command: exit 2" rc_is 2
check "names the line" err_like 'badcmd.txt:2: unknown command "frobnicate"'

printf 'connect h 4 192.0.2.1 25\nhelo h\nheader Subject: x\n' \
    >"$tmp/order.txt"
run order "$NR"
check "header before MAIL: exit 2" rc_is 2
check "says why" err_like 'not valid in this protocol state'

printf 'connect h 4 192.0.2.1 25\nhelo h\nquitnc\n' >"$tmp/qnc.txt"
run qnc "$ALL"
check "quitnc where libmilter ignores it: exit 2" rc_is 2
check "says why" err_like 'SMFIC_QUIT_NC only after'

printf 'quit\n' >"$tmp/nosock.txt"
run nosock "unix:$tmp/absent.sock"
check "no filter: exit 1" rc_is 1
check "says why" err_like 'cannot connect to the filter'

# --- Broken filters ----------------------------------------------------
printf 'connect h 4 192.0.2.1 25\nquit\n' >"$tmp/broken.txt"
for mode in silent bigpkt overask truncated modconnect badreplycode; do
	start_fake "$mode"
	cp "$tmp/broken.txt" "$tmp/$mode.txt"
	run "$mode" "unix:$tmp/fake-$mode.sock" -t 700
	check "exit 1" rc_is 1
	case $mode in
	silent)		check "timeout" err_like 'timed out waiting.*SMFIC_OPTNEG' ;;
	bigpkt)		check "length refused" err_like 'size limit exceeded' ;;
	overask)	check "version refused" err_like 'negotiation failed.*version 7' ;;
	truncated)	check "short packet" err_like 'closed the connection' ;;
	modconnect)	check "edit outside eom" err_like "protocol error: unexpected reply 'h' to SMFIC_CONNECT" ;;
	badreplycode)	check "2xx reply code" err_like 'not a 4xx or 5xx reply' ;;
	esac
done

echo "1..$n"
[ "$failed" -eq 0 ]
