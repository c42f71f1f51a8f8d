# mlib.sh: shared by the milter test scripts (sourced after
# tests/integration/lib.sh and itest_init; POSIX sh).
#
#   ok, skip, tap_end          from tests/tap.sh
#   write_conf EXTRA           $T/spfdmarc.conf for the DNS world, plus EXTRA
#                              (IgnoreHosts $IGNORE, default none)
#   start_milter [ARGS..]      spfdmarc-milter -f -c $T/spfdmarc.conf in the
#                              background (MILTER_PREFIX, if set, goes in
#                              front, e.g. valgrind); waits for $SOCK, or for
#                              $MSPEC to accept a milter conversation
#   stop_milter                SIGTERM to $MPID, SIGKILL after 5 s
#   drive NAME                 mcdrive -H on $T/NAME.txt into $T/NAME.out
#   has/hasnt NAME LABEL TEXT  $T/NAME.out holds / lacks the fixed TEXT
#   logged LABEL TEXT          the milter's log holds TEXT
#   msg QID IP HELO MAILFROM FROM-HEADER..   a one-message script
#   proc_field PID FIELD       a line's value from /proc/PID/status
#
# $MSPEC is the socket the scripts drive (default unix:$SOCK).

MILTER=$top_builddir/milter/spfdmarc-milter
: "${MCDRIVE:=$top_builddir/tests/milterclient/mcdrive}"
T=$ITEST_DIR
SOCK=$T/milter.sock
MSPEC=unix:$SOCK
MILTER_PREFIX=${MILTER_PREFIX:-}
MPID=
. "$top_srcdir/tests/tap.sh"

stop_milter() {
	if [ -n "$MPID" ]; then
		kill -TERM "$MPID" 2>/dev/null
		_i=0
		while kill -0 "$MPID" 2>/dev/null && [ $_i -lt 100 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		kill -KILL "$MPID" 2>/dev/null
		wait "$MPID" 2>/dev/null
		MPID=
	fi
}

write_conf() {
	cat >"$T/spfdmarc.conf" <<EOF
Socket ${MSPEC}
AuthservID mx.test.example
UnboundConfig ${UNBOUND_CONF:-$DNSWORLD_UNBOUND_CONF}
IgnoreHosts ${IGNORE:-none}
TrustedAuthservIDs dkim.test.example
Syslog no
LogLevel ${LOGLEVEL:-debug}
$1
EOF
}

# milter_ready: does $MSPEC answer a milter conversation?
milter_ready() {
	printf 'quit\n' | "$MCDRIVE" -t 1000 -s "$MSPEC" >/dev/null 2>&1
}

start_milter() {
	case "$MSPEC" in unix:*) rm -f "$SOCK" ;; esac
	# shellcheck disable=SC2086
	$MILTER_PREFIX "$MILTER" -f -c "$T/spfdmarc.conf" "$@" \
	    >>"$T/milter.log" 2>&1 &
	MPID=$!
	_i=0
	# Ready means answering a conversation, not just a socket file: under
	# valgrind the socket exists long before the milter serves it.
	while [ $_i -lt "${START_TRIES:-100}" ]; do
		kill -0 "$MPID" 2>/dev/null || break
		milter_ready && break
		sleep 0.1; _i=$((_i + 1))
	done
	if ! kill -0 "$MPID" 2>/dev/null || ! milter_ready; then
		sed 's/^/# /' "$T/milter.log"
		echo "Bail out! the milter did not start on $MSPEC"
		exit 1
	fi
}

drive() {
	"$MCDRIVE" -H -s "$MSPEC" "$T/$1.txt" >"$T/$1.out" 2>&1
	echo "rc=$?" >>"$T/$1.out"
}

has() {
	if grep -Fq -- "$3" "$T/$1.out"; then ok 0 "$1: $2"
	else ok 1 "$1: $2"; echo "#   missing: $3"; sed 's/^/#   /' "$T/$1.out"
	fi
}

hasnt() {
	if grep -Fq -- "$3" "$T/$1.out"; then
		ok 1 "$1: $2"; echo "#   present: $3"; sed 's/^/#   /' "$T/$1.out"
	else ok 0 "$1: $2"
	fi
}

logged() {
	if grep -Fq -- "$2" "$T/milter.log"; then ok 0 "log: $1"
	else ok 1 "log: $1"; echo "#   missing: $2"; tail -n 30 "$T/milter.log" | sed 's/^/#   /'
	fi
}

msg() {
	qid=$1 ip=$2 helo=$3 mf=$4
	shift 4
	cat <<EOF
macro j mx.test.example
connect client.example 4 $ip 25
helo $helo
macro i $qid
mail <$mf>
rcpt <rcpt@test.example>
EOF
	for h in "$@"; do echo "header $h"; done
	cat <<EOF
header Subject: test
body hello
macro i $qid
eom
quit
EOF
}

proc_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null |
	    tr -s ' \t' ' ' | sed 's/ $//'
}

# flt_zone FILE COUNT: a zone snippet for flt.example. with COUNT sender
# domains d0..d(COUNT-1), each "v=spf1 ip4:127.0.0.10 -all" and p=reject:
# one domain per message (mcload's %n), so no answer comes from a cache.
flt_zone() {
	awk -v n="$2" 'BEGIN {
		print "$ORIGIN flt.example."
		for (i = 0; i < n; i++) {
			printf "d%d TXT \"v=spf1 ip4:127.0.0.10 -all\"\n", i
			printf "_dmarc.d%d TXT \"v=DMARC1; p=reject\"\n", i
		}
	}' >"$1"
}

# kv FILE KEY: a value from mcload's output
kv() {
	sed -n "s/^$2=//p" "$1"
}

# log_count TEXT: lines of the milter's log holding TEXT
log_count() {
	grep -cF -- "$1" "$T/milter.log"
}
