#!/bin/sh
# postfix_e2e.sh: end to end through a real Postfix. A private Postfix
# instance (its own config_directory and queue_directory under the test
# folder, smtpd on a free loopback port, smtpd_milters pointing at the
# real spfdmarc-milter, delivery by a pipe transport into files) receives
# mail sent with swaks from 127.0.0.10 (authorized by the SPF records of
# tests/milter/milter.zone) and 127.0.0.20 (not authorized). The milter
# resolves through the signed DNS world. Checked: the delivered headers
# (Authentication-Results with Postfix's $myhostname as authserv-id, taken
# from the j macro; Received-SPF; the forged A-R gone), the 550 for a
# p=reject failure, the held message for p=quarantine.
#
# Needs root (Postfix's master), postfix and swaks; skips otherwise.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

MILTER=$top_builddir/milter/spfdmarc-milter
[ "$(id -u)" = 0 ] || itest_skip "not root (Postfix's master needs it)"
[ -x "$MILTER" ] || itest_skip "no $MILTER"
for t in postfix postconf postqueue swaks; do
	command -v "$t" >/dev/null 2>&1 || itest_skip "$t not found (Debian packages postfix, swaks)"
done
id postfix >/dev/null 2>&1 || itest_skip "no postfix user"
itest_init milter-postfix
itest_world_start "$top_srcdir/tests/milter/milter.zone"

T=$ITEST_DIR
PF=$T/pf
SOCK=$T/milter.sock
MPID=
PF_UP=
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"

stop_all() {
	if [ -n "$PF_UP" ]; then
		postfix -c "$PF/etc" stop >/dev/null 2>&1
		PF_UP=
	fi
	if [ -n "$MPID" ]; then
		kill -TERM "$MPID" 2>/dev/null
		i=0
		while kill -0 "$MPID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$MPID" 2>/dev/null
		wait "$MPID" 2>/dev/null
		MPID=
	fi
}
trap 'stop_all; itest_cleanup $?' EXIT

# --- the milter ----------------------------------------------------------
cat >"$T/spfdmarc.conf" <<EOF
Socket unix:$SOCK
SocketMode 0666
UnboundConfig $DNSWORLD_UNBOUND_CONF
IgnoreHosts none
Syslog no
LogLevel info
EOF
"$MILTER" -f -c "$T/spfdmarc.conf" >"$T/milter.log" 2>&1 &
MPID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do
	kill -0 "$MPID" 2>/dev/null || break
	sleep 0.1; i=$((i + 1))
done
[ -S "$SOCK" ] || { sed 's/^/# /' "$T/milter.log"; echo "Bail out! milter"; exit 1; }

# --- the private Postfix ---------------------------------------------------
PORT=$(itest_free_port) || { echo "Bail out! no free port"; exit 1; }
mkdir -p "$PF/etc" "$PF/queue" "$PF/data" "$T/mail"
chown postfix "$PF/data"
chmod 1777 "$T/mail"
chmod 755 "$T"
cat >"$T/deliver.sh" <<EOF
#!/bin/sh
# pipe(8) delivery into one file per message
f=\$(mktemp "$T/mail/msg.XXXXXX") && cat >"\$f"
EOF
chmod 755 "$T/deliver.sh"
cat >"$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test.example
mydomain = test.example
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
relay_domains = test.example
default_transport = filedrop
relay_transport = filedrop
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtputf8_enable = no
biff = no
maillog_file = $PF/maillog
maillog_file_prefixes = $T
smtpd_milters = unix:$SOCK
non_smtpd_milters =
milter_protocol = 6
milter_default_action = tempfail
alias_maps =
alias_database =
EOF
cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$PORT inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
flush     unix n - n 1000? 0 flush
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
proxymap  unix - - n - - proxymap
postlog   unix-dgram n - n - 1 postlogd
filedrop  unix - n n - - pipe user=nobody argv=$T/deliver.sh
EOF
if ! postfix -c "$PF/etc" check >"$T/pfcheck.log" 2>&1 ||
    ! postfix -c "$PF/etc" start >"$T/pfstart.log" 2>&1; then
	sed 's/^/# /' "$T/pfcheck.log" "$T/pfstart.log" "$PF/maillog" 2>/dev/null
	echo "Bail out! the private Postfix did not start"
	exit 1
fi
PF_UP=1
# wait until smtpd's port listens (state 0A in /proc/net/tcp)
hexport=$(printf '%04X' "$PORT")
i=0
while ! grep -q "^ *[0-9]*: 0100007F:$hexport 00000000:0000 0A" /proc/net/tcp &&
    [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done

# send NAME SOURCE-IP MAILFROM FROM-HEADER [swaks args...]
send() {
	name=$1 ip=$2 mf=$3 from=$4
	shift 4
	swaks --server 127.0.0.1 --port "$PORT" --local-interface "$ip" \
	    --ehlo "${EHLO:-client.example}" --from "$mf" --to rcpt@test.example \
	    --header "From: $from" --header "Subject: e2e $name" \
	    --header "Message-Id: <$name@e2e.test>" "$@" \
	    >"$T/$name.swaks" 2>&1
	echo "rc=$?" >>"$T/$name.swaks"
}

# delivered NAME: the file of the delivered message NAME (waits up to 20s)
delivered() {
	i=0
	while [ $i -lt 200 ]; do
		f=$(grep -l "Message-Id: <$1@e2e.test>" "$T"/mail/msg.* 2>/dev/null | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# The header of a delivered file, folded lines joined with "\n\t".
header_of() {
	awk 'NF == 0 { exit } { print }' "$1"
}

# --- pass: SPF and DMARC pass; a forged A-R is deleted --------------------
EHLO=helo.mt.example send pass 127.0.0.10 alice@pass.mt.example \
    "Alice <alice@pass.mt.example>" \
    --add-header "Authentication-Results: mx.test.example; dkim=pass header.d=pass.mt.example"
grep -q "^<- *250 .*queued as" "$T/pass.swaks"
ok $? "pass: accepted (250)"
f=$(delivered pass)
ok $? "pass: delivered"
if [ -n "$f" ]; then
	header_of "$f" >"$T/pass.hdr"
	echo "# delivered header of the pass message:"
	sed 's/^/#   /' "$T/pass.hdr"
	grep -q "^Authentication-Results: mx.test.example;" "$T/pass.hdr"
	ok $? "pass: A-R with Postfix's \$myhostname (j macro)"
	grep -q "spf=pass (dnssec=secure helo=pass) smtp.mailfrom=alice@pass.mt.example smtp.helo=helo.mt.example;" "$T/pass.hdr"
	ok $? "pass: spf=pass with smtp.mailfrom and smtp.helo"
	grep -q "dmarc=pass (p=reject t=n dnssec=secure) header.from=pass.mt.example policy.dmarc=reject" "$T/pass.hdr"
	ok $? "pass: dmarc=pass with policy.dmarc"
	grep -q "^Received-SPF: pass (mx.test.example: domain of alice@pass.mt.example designates 127.0.0.10 as permitted sender)" "$T/pass.hdr"
	ok $? "pass: Received-SPF"
	grep -q "client-ip=127.0.0.10;" "$T/pass.hdr"
	ok $? "pass: Received-SPF client-ip"
	! grep -q "dkim=pass header.d=pass.mt.example" "$T/pass.hdr"
	ok $? "pass: the forged A-R was deleted"
	[ "$(grep -c '^Authentication-Results:' "$T/pass.hdr")" = 1 ]
	ok $? "pass: exactly one A-R delivered"
	awk '/^Authentication-Results:/ { a = NR } /^Received: / && !r { r = NR } END { exit !(a && r && a < r) }' "$T/pass.hdr"
	ok $? "pass: A-R above Postfix's Received"
else
	for t in 1 2 3 4 5 6 7; do ok 1 "pass: header check (not delivered)"; done
fi

# --- SPF fail, no DMARC record: delivered and marked ---------------------
send spffail 127.0.0.20 bob@nodmarc.mt.example "bob@nodmarc.mt.example"
f=$(delivered spffail)
ok $? "spffail: delivered"
if [ -n "$f" ]; then
	header_of "$f" >"$T/spffail.hdr"
	grep -q "spf=fail" "$T/spffail.hdr" && grep -q "dmarc=none" "$T/spffail.hdr"
	ok $? "spffail: spf=fail, dmarc=none"
	grep -q "^Received-SPF: fail" "$T/spffail.hdr"
	ok $? "spffail: Received-SPF fail"
else
	ok 1 "spffail: spf=fail, dmarc=none"; ok 1 "spffail: Received-SPF fail"
fi

# --- DMARC p=reject: 550 after DATA ----------------------------------------
send reject 127.0.0.20 bob@reject.mt.example "Bob <bob@reject.mt.example>"
echo "# swaks, the rejected message:"
grep -E "^(<-|<\*\*) *5" "$T/reject.swaks" | sed 's/^/#   /'
grep -Eq "^<\*\* *550 5\.7\.1 Message rejected: DMARC policy of reject\.mt\.example" "$T/reject.swaks"
ok $? "reject: 550 5.7.1 with the domain"

# --- DMARC p=quarantine: the hold queue ------------------------------------
send quar 127.0.0.20 bob@quar.mt.example "bob@quar.mt.example"
grep -q "^<- *250 .*queued as" "$T/quar.swaks"
ok $? "quar: accepted (250)"
i=0
while [ $i -lt 100 ]; do
	postqueue -c "$PF/etc" -j >"$T/queue.json" 2>/dev/null
	grep -q '"queue_name": *"hold"' "$T/queue.json" && break
	sleep 0.1; i=$((i + 1))
done
grep -q '"queue_name": *"hold"' "$T/queue.json" &&
    grep -q '"sender": *"bob@quar.mt.example"' "$T/queue.json"
ok $? "quar: the message is in the hold queue"
sed 's/^/#   /' "$T/queue.json"
grep -q "milter-hold: END-OF-MESSAGE .*from=<bob@quar.mt.example>" "$PF/maillog"
ok $? "quar: Postfix logged the milter's HOLD"

# --- nothing of the rejected message was delivered --------------------------
sleep 1
! grep -lq "Message-Id: <reject@e2e.test>" "$T"/mail/msg.* 2>/dev/null
ok $? "reject: not delivered"

grep -q "client=127.0.0.20 helo=client.example mailfrom=reject.mt.example from=reject.mt.example spf=fail helo_spf=none dmarc=fail policy=reject action=reject dnssec=secure" "$T/milter.log"
ok $? "the milter logged the rejection with Postfix's queue id"
sed 's/^/# milter: /' "$T/milter.log"

# --- the milter over inet: no Nagle/delayed-ACK stall ------------------------
# Postfix does not set TCP_NODELAY on its milter connections. Without the
# milter's TCP_NODELAY and its answers to RCPT and DATA, each message
# waited twice for a delayed ACK (~90 ms at end of data); now it costs
# about what a unix socket does.
MPORT=$(itest_free_port) || { echo "Bail out! no free port"; exit 1; }
sed "s|^Socket .*|Socket inet:$MPORT@127.0.0.1|" "$T/spfdmarc.conf" >"$T/inet.conf"
: >"$T/milter-inet.log"
"$MILTER" -f -c "$T/inet.conf" >>"$T/milter-inet.log" 2>&1 &
MPID2=$!
i=0
while ! grep -q "started on inet:$MPORT" "$T/milter-inet.log" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
postconf -c "$PF/etc" -e "smtpd_milters = inet:127.0.0.1:$MPORT" &&
    postfix -c "$PF/etc" reload >/dev/null 2>&1
ok $? "Postfix now uses the milter over inet:127.0.0.1:$MPORT"
sleep 1	# smtpd processes of the old configuration go away
for k in 1 2 3 4 5; do
	EHLO=helo.mt.example send "inet$k" 127.0.0.10 alice@pass.mt.example \
	    "alice@pass.mt.example" --show-time-lapse
done
# swaks -stl: "=== response in N.NNNs" after each exchange; the one
# after the end of data ("-> .") holds the milter's message work.
for k in 1 2 3 4 5; do
	awk '/^ -> \.$/ { d = 1; next } d && /^=== response in [0-9.]+s/ { match($0, /[0-9]+\.[0-9]+/); print substr($0, RSTART, RLENGTH); exit }' \
	    "$T/inet$k.swaks"
done | sort -n >"$T/inet-lapse.txt"
med=$(sed -n 3p "$T/inet-lapse.txt")
echo "# end of data to 250 over inet (s): $(tr '\n' ' ' <"$T/inet-lapse.txt")"
ok "$([ "$(grep -c 'action=accept' "$T/milter-inet.log")" = 5 ]; echo $?)" \
    "inet: 5 messages evaluated and accepted"
ok "$(awk -v m="$med" 'BEGIN { exit !(m != "" && m < 0.030) }'; echo $?)" \
    "inet: median end of data to 250 is $med s (no 40 ms stall)"
kill -TERM "$MPID2" 2>/dev/null
wait "$MPID2" 2>/dev/null

tap_end
