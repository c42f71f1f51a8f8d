#!/bin/sh
# milter_ops.sh: spfdmarc-milter as an administrator runs it, over the
# signed DNS world (tests/milter/milter.zone):
#  - UserID nobody:nogroup (as root only): the ids, groups and the unix
#    socket (created before the drop, in a directory only root may write,
#    owned by the user, SocketMode) after start-up; mail still evaluated;
#  - PidFile written and removed at exit;
#  - background mode (no -f): the launcher returns once the filter is
#    ready, the daemon is a session leader with its stdio on /dev/null, the
#    PID file names it, SIGTERM stops it; a start-up failure is the
#    launcher's exit status;
#  - inet:PORT@127.0.0.1 and inet6:PORT@[::1] (when ::1 exists), with
#    TCP_NODELAY on the listening socket and RCPT and DATA answered (no
#    ~44 ms Nagle/delayed-ACK stall per message);
#  - MultipleFrom strictest: every author domain evaluated, the strictest
#    outcome applied;
#  - a UTF-8 From domain evaluated as its A-label.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init milter-ops
. "$top_srcdir/tests/milter/mlib.sh"
[ -x "$MILTER" ] || itest_skip "no $MILTER"
[ -x "$MCDRIVE" ] || itest_skip "no $MCDRIVE"
: "${MCLOAD:=$top_builddir/tests/milter/mcload}"
[ -x "$MCLOAD" ] || itest_skip "no $MCLOAD"
itest_world_start "$top_srcdir/tests/milter/milter.zone"

BGPID=
stop_bg() {
	if [ -n "$BGPID" ]; then
		kill -TERM "$BGPID" 2>/dev/null
		_i=0
		while kill -0 "$BGPID" 2>/dev/null && [ $_i -lt 100 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		kill -KILL "$BGPID" 2>/dev/null
		BGPID=
	fi
}
trap 'stop_milter; stop_bg; itest_cleanup $?' EXIT

msg Q1 127.0.0.10 helo.mt.example alice@pass.mt.example \
    "From: Alice <alice@pass.mt.example>" >"$T/pass.txt"

# --- UserID, SocketMode, PidFile -------------------------------------------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 &&
    getent group nogroup >/dev/null 2>&1; then
	uid=$(id -u nobody)
	gid=$(getent group nogroup | cut -d: -f3)
	# The socket directory: only root may create files in it, so a socket
	# found there was made before the drop. The PID file's directory
	# belongs to the user, who must remove the file at exit.
	mkdir -m 0755 "$T/rootdir" "$T/run"
	chown nobody:nogroup "$T/run"
	chmod 0711 "$T"
	SOCK=$T/rootdir/milter.sock
	MSPEC=unix:$SOCK
	write_conf "UserID nobody:nogroup
SocketMode 0660
PidFile $T/run/milter.pid"
	start_milter
	ok "$([ "$(proc_field "$MPID" Uid)" = "$uid $uid $uid $uid" ]; echo $?)" \
	    "UserID: real, effective, saved and fs uid are nobody's"
	ok "$([ "$(proc_field "$MPID" Gid)" = "$gid $gid $gid $gid" ]; echo $?)" \
	    "UserID: every gid is nogroup's"
	groups=$(proc_field "$MPID" Groups)
	case " $groups " in
	*" 0 "*) ok 1 "UserID: no supplementary group root (Groups: $groups)" ;;
	*) ok 0 "UserID: no supplementary group root (Groups: $groups)" ;;
	esac
	ok "$([ "$(proc_field "$MPID" CapEff)" = 0000000000000000 ]; echo $?)" \
	    "UserID: no effective capability left"
	ok "$([ "$(stat -c '%U:%G %a' "$SOCK")" = "nobody:nogroup 660" ]; echo $?)" \
	    "socket made before the drop, owner UserID, mode SocketMode ($(stat -c '%U:%G %a' "$SOCK"))"
	ok "$([ "$(cat "$T/run/milter.pid" 2>/dev/null)" = "$MPID" ]; echo $?)" \
	    "PidFile holds the filter's pid"
	drive pass
	has pass "after the drop: still resolving and evaluating" \
	    "dmarc=pass (p=reject t=n dnssec=secure) header.from=pass.mt.example"
	stop_milter
	ok "$([ ! -e "$T/run/milter.pid" ]; echo $?)" "PidFile removed at exit"
	chmod 0700 "$T"
else
	skip "UserID: not root, or no nobody/nogroup"
fi
SOCK=$T/milter.sock
MSPEC=unix:$SOCK

# --- background mode -----------------------------------------------------------
write_conf "PidFile $T/bg.pid"
"$MILTER" -c "$T/spfdmarc.conf" >"$T/bg.out" 2>&1
rc=$?
ok "$rc" "background: the launcher exits 0 once the filter is ready"
BGPID=$(cat "$T/bg.pid" 2>/dev/null)
if [ -n "$BGPID" ] && kill -0 "$BGPID" 2>/dev/null; then
	ok 0 "background: the PID file names a live process"
	# /proc/PID/stat: pid (comm) state ppid pgrp session ...
	sid=$(sed 's/^.*) //' "/proc/$BGPID/stat" | cut -d' ' -f4)
	ok "$([ "$sid" = "$BGPID" ]; echo $?)" "background: a session leader (setsid)"
	ok "$([ "$(readlink "/proc/$BGPID/fd/0")" = /dev/null ] &&
	    [ "$(readlink "/proc/$BGPID/fd/2")" = /dev/null ]; echo $?)" \
	    "background: stdin and stderr on /dev/null"
	# chdir("/"), unless the UnboundConfig's "directory:" moved it
	# (libunbound changes to that directory as unbound does).
	cwd=$(readlink "/proc/$BGPID/cwd")
	ok "$([ "$cwd" = / ] || [ "$cwd" = "$DNSWORLD_DIR" ]; echo $?)" \
	    "background: working directory / or UnboundConfig's ($cwd)"
	ok "$([ -S "$SOCK" ]; echo $?)" "background: the socket is there when the launcher returns"
	drive pass
	has pass "background: evaluates mail" "dmarc=pass"
	kill -TERM "$BGPID"
	i=0
	while kill -0 "$BGPID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	if kill -0 "$BGPID" 2>/dev/null; then
		ok 1 "background: SIGTERM stops it"
	else
		ok 0 "background: SIGTERM stops it"
		BGPID=
	fi
	ok "$([ ! -e "$T/bg.pid" ]; echo $?)" "background: PID file removed"
else
	ok 1 "background: the PID file names a live process"
	sed 's/^/#   /' "$T/bg.out"
	BGPID=
fi
# A start-up failure reaches the launcher's exit status.
write_conf "PidFile $T/bg2.pid"
sed -i "s|^Socket .*|Socket unix:$T/no/such/dir/milter.sock|" "$T/spfdmarc.conf"
"$MILTER" -c "$T/spfdmarc.conf" >"$T/bg2.out" 2>&1
rc=$?
ok "$([ $rc != 0 ]; echo $?)" "background: a socket that cannot be made fails the launcher (exit $rc)"
ok "$(grep -q "start-up failed" "$T/bg2.out"; echo $?)" "background: the launcher says so"

# --- inet and inet6 sockets, TCP_NODELAY -------------------------------------
cat >"$T/wl" <<EOF
127.0.0.10 helo.mt.example a@pass.mt.example a@pass.mt.example accept pass
EOF
# inet_case SPEC LABEL
inet_case() {
	MSPEC=$1
	write_conf ""
	start_milter
	drive pass
	has pass "$2: evaluated" "dmarc=pass (p=reject t=n dnssec=secure) header.from=pass.mt.example"
	logged "$2: TCP_NODELAY on the listening socket" "TCP_NODELAY set on the listening socket"
	# RCPT and DATA answered over TCP, so no macro packet of the MTA
	# waits for a delayed ACK (see session_negotiate)
	has pass "$2: RCPT and DATA negotiated with a reply" \
	    "negotiate: protocol NOBODY,NOEOH,NR_HDR,NOUNKNOWN,NR_HELO"
	has pass "$2: RCPT answered" "rcpt: continue"
	has pass "$2: DATA answered" "data: continue"
	# 40 messages on one connection: with Nagle and delayed ACKs each
	# costs ~44 ms; without, well under a millisecond.
	"$MCLOAD" -s "$MSPEC" -w "$T/wl" -c 1 -m 40 >"$T/inet.out" 2>&1
	rc=$?
	ok $rc "$2: 40 messages, all verdicts right"
	[ $rc = 0 ] || sed 's/^/#   /' "$T/inet.out"
	p50=$(sed -n 's/^p50_ms=//p' "$T/inet.out")
	ok "$(awk -v p="$p50" 'BEGIN { exit !(p != "" && p < 20) }'; echo $?)" \
	    "$2: p50 $p50 ms per message (no Nagle/delayed-ACK stall)"
	stop_milter
}
PORT=$(itest_free_port)
inet_case "inet:$PORT@127.0.0.1" inet
if grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
	PORT=$(itest_free_port)
	inet_case "inet6:$PORT@[::1]" inet6
else
	skip "inet6: no ::1 here"
fi
MSPEC=unix:$SOCK

# --- MultipleFrom strictest, UTF-8 From ------------------------------------------
write_conf "MultipleFrom strictest"
start_milter
msg S1 127.0.0.10 helo.mt.example a@pass.mt.example \
    "From: a@pass.mt.example, b@reject.mt.example" >"$T/strict1.txt"
drive strict1
has strict1 "pass and reject domains: the reject applies" \
    "eom: reject 550 5.7.1 Message rejected: DMARC policy of reject.mt.example"
msg S2 127.0.0.10 helo.mt.example a@pass.mt.example \
    "From: a@pass.mt.example" "From: b@quar.mt.example" >"$T/strict2.txt"
drive strict2
has strict2 "two From fields, pass and quarantine: quarantined" \
    "quarantine: spfdmarc: DMARC policy of quar.mt.example is quarantine"
has strict2 "A-R names the strictest domain" \
    "dmarc=fail (p=quarantine t=n dnssec=secure"
has strict2 "A-R header.from and policy of that domain" \
    "header.from=quar.mt.example policy.dmarc=quarantine"
msg S3 127.0.0.20 client.example b@relaxed.mt.example \
    "From: b@relaxed.mt.example, c@nodmarc.mt.example" >"$T/strict3.txt"
drive strict3
has strict3 "p=none fail and no policy: accepted" "eom: continue"
has strict3 "the fail with p=none is the stricter result" \
    "dmarc=fail (p=none t=n dnssec=secure"
msg S4 127.0.0.10 helo.mt.example a@pass.mt.example \
    "From: a@pass.mt.example, b@PASS.mt.example" >"$T/strict4.txt"
drive strict4
has strict4 "one domain twice: plain pass" "dmarc=pass (p=reject t=n dnssec=secure) header.from=pass.mt.example"
logged "strictest: one line, the applied domain" \
    "S1: client=127.0.0.10 helo=helo.mt.example mailfrom=pass.mt.example from=reject.mt.example spf=pass helo_spf=pass dmarc=fail policy=reject action=reject"

# UTF-8 (RFC 6532) author domain: evaluated as its A-label.
msg U1 127.0.0.10 helo.mt.example a@xn--bcher-kva.mt.example \
    "From: Jürgen <jürgen@bücher.mt.example>" >"$T/utf8.txt"
drive utf8
has utf8 "header.from is the A-label" \
    "dmarc=pass (p=reject t=n dnssec=secure) header.from=xn--bcher-kva.mt.example policy.dmarc=reject"
has utf8 "accepted" "eom: continue"
msg U2 127.0.0.20 client.example a@xn--bcher-kva.mt.example \
    "From: jürgen@BÜCHER.mt.example" >"$T/utf8rej.txt"
drive utf8rej
has utf8rej "upper-case U-label, SPF fail: the A-label's p=reject" \
    "eom: reject 550 5.7.1 Message rejected: DMARC policy of xn--bcher-kva.mt.example"
stop_milter

if grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | grep -v "Socket unix:$T/no/such" | grep -q .; then
	ok 1 "no error in the milter's log"
	grep -E "error:|Sanitizer|runtime error" "$T/milter.log" | sed 's/^/#   /'
else
	ok 0 "no error in the milter's log"
fi
tap_end
