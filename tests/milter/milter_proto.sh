#!/bin/sh
# milter_proto.sh: the real spfdmarc-milter driven through the milter
# protocol by mcdrive (tests/milterclient/), with its resolver pointed at
# the signed DNS world plus tests/milter/milter.zone. Covers: SPF and
# DMARC pass, SPF fail with DMARC none, DMARC reject (550), quarantine,
# t=y, forged Authentication-Results removed, several messages on one
# connection, abort mid-message, missing and multiple From, hostile HELO
# and MAIL FROM, IgnoreHosts, authenticated clients, DNSSEC states,
# SIGHUP reload (good and bad file) with SPFRejectFail.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init milter-proto
. "$top_srcdir/tests/milter/mlib.sh"
[ -x "$MILTER" ] || itest_skip "no $MILTER"
[ -x "$MCDRIVE" ] || itest_skip "no $MCDRIVE"
itest_world_start "$top_srcdir/tests/milter/milter.zone"
trap 'stop_milter; itest_cleanup $?' EXIT

write_conf ""
start_milter

# --- pass: SPF pass (and HELO), DMARC pass; forged A-R removed ---------
msg Q1 127.0.0.10 helo.mt.example alice@pass.mt.example \
    "From: Alice <alice@pass.mt.example>" \
    "Authentication-Results: mx.test.example; dkim=pass header.d=pass.mt.example" \
    >"$T/pass.txt"
drive pass
has pass "conversation completes" "rc=0"
has pass "no body, no rcpt, no-reply header and helo negotiated" \
    "negotiate: protocol NORCPT,NOBODY,NOEOH,NR_HDR,NOUNKNOWN,NODATA,NR_HELO"
has pass "A-R as in DESIGN.md" "hdr: Authentication-Results: mx.test.example;\n\tspf=pass (dnssec=secure helo=pass) smtp.mailfrom=alice@pass.mt.example smtp.helo=helo.mt.example;\n\tdmarc=pass (p=reject t=n dnssec=secure) header.from=pass.mt.example policy.dmarc=reject"
has pass "Received-SPF (RFC 7208 9.1)" "hdr: Received-SPF: pass (mx.test.example: domain of alice@pass.mt.example designates 127.0.0.10 as permitted sender)\n\treceiver=mx.test.example; client-ip=127.0.0.10; envelope-from=\"alice@pass.mt.example\"; helo=helo.mt.example; identity=mailfrom;"
has pass "forged A-R deleted" "chgheader: Authentication-Results 1 ''"
hasnt pass "forged A-R gone from the delivered header" "dkim=pass header.d=pass.mt.example"
has pass "accepted" "eom: continue"
logged "one line per message" "Q1: client=127.0.0.10 helo=helo.mt.example mailfrom=pass.mt.example from=pass.mt.example spf=pass helo_spf=pass dmarc=pass policy=reject action=accept dnssec=secure elapsed="

# --- SPF fail, no DMARC record -----------------------------------------
msg Q2 127.0.0.20 client.example bob@nodmarc.mt.example \
    "From: bob@nodmarc.mt.example" >"$T/spffail.txt"
drive spffail
has spffail "spf=fail" "spf=fail (dnssec=secure helo=none) smtp.mailfrom=bob@nodmarc.mt.example"
has spffail "dmarc=none" "dmarc=none (dnssec=secure"
has spffail "Received-SPF fail" "hdr: Received-SPF: fail (mx.test.example: domain of bob@nodmarc.mt.example does not designate 127.0.0.20 as permitted sender)"
has spffail "accepted" "eom: continue"

# --- DMARC p=reject ----------------------------------------------------
msg Q3 127.0.0.20 client.example bob@reject.mt.example \
    "From: Bob <bob@reject.mt.example>" >"$T/reject.txt"
drive reject
has reject "550 5.7.1 with the domain" \
    "eom: reject 550 5.7.1 Message rejected: DMARC policy of reject.mt.example"
hasnt reject "no header added to a rejected message" "insheader:"
logged "reject logged" "Q3: client=127.0.0.20 helo=client.example mailfrom=reject.mt.example from=reject.mt.example spf=fail helo_spf=none dmarc=fail policy=reject action=reject dnssec=secure"

# --- DMARC p=quarantine: the hold queue --------------------------------
msg Q4 127.0.0.20 client.example bob@quar.mt.example \
    "From: bob@quar.mt.example" >"$T/quar.txt"
drive quar
has quar "smfi_quarantine" "quarantine: spfdmarc: DMARC policy of quar.mt.example is quarantine"
has quar "A-R: dmarc=fail, published policy" "dmarc=fail (p=quarantine t=n dnssec=secure: no SPF or DKIM pass)"
has quar "A-R: policy.dmarc=quarantine" "header.from=quar.mt.example policy.dmarc=quarantine"
has quar "accepted (held)" "eom: continue"

# --- t=y: one level less -----------------------------------------------
msg Q5 127.0.0.20 client.example bob@testing.mt.example \
    "From: bob@testing.mt.example" >"$T/testing.txt"
drive testing
has testing "t=y noted" "dmarc=fail (p=reject t=y dnssec=secure"
has testing "evaluated as quarantine" "header.from=testing.mt.example policy.dmarc=quarantine"
has testing "quarantined, not rejected" "quarantine: spfdmarc: DMARC policy of testing.mt.example is quarantine"
hasnt testing "not rejected" "eom: reject"

# --- forged A-R: only ours deleted, highest index first ----------------
msg Q6 127.0.0.10 helo.mt.example a@pass.mt.example \
    "Authentication-Results: MX.Test.Example; dmarc=pass header.from=reject.mt.example" \
    "Authentication-Results: upstream.example; spf=pass smtp.mailfrom=x@y.example" \
    "From: a@pass.mt.example" \
    "Authentication-Results: (sneaky) \"mx.test.example\" 1; dkim=pass header.d=pass.mt.example" \
    >"$T/forged.txt"
drive forged
has forged "third deleted first" "chgheader: Authentication-Results 3 ''"
has forged "then the first" "chgheader: Authentication-Results 1 ''"
hasnt forged "the upstream one kept" "chgheader: Authentication-Results 2"
has forged "upstream A-R still delivered" "hdr: Authentication-Results: upstream.example; spf=pass smtp.mailfrom=x@y.example"

# --- DKIM from a trusted verifier's A-R; an untrusted one is ignored -----
msg Q17 127.0.0.20 client.example bob@reject.mt.example \
    "Authentication-Results: dkim.test.example; dkim=pass header.d=reject.mt.example header.s=s1" \
    "From: bob@reject.mt.example" >"$T/dkim.txt"
drive dkim
has dkim "aligned trusted DKIM pass: dmarc=pass" "dmarc=pass (p=reject t=n dnssec=secure) header.from=reject.mt.example"
has dkim "accepted" "eom: continue"
msg Q18 127.0.0.20 client.example bob@reject.mt.example \
    "Authentication-Results: evil.example; dkim=pass header.d=reject.mt.example" \
    "Authentication-Results: dkim.test.example.evil.example; dkim=pass header.d=reject.mt.example" \
    "From: bob@reject.mt.example" >"$T/nodkim.txt"
drive nodkim
has nodkim "untrusted DKIM results ignored" "eom: reject 550 5.7.1"

# --- null sender (a bounce): SPF checks postmaster@HELO (RFC 7208 §2.4)
# as the MAIL FROM identity, and DMARC aligns on that pass (RFC 7489
# §4.1 says so; RFC 9989 refers to the same processing). A client the
# HELO domain does not authorize gets no pass, so no alignment.
msg Q19 127.0.0.10 pass.mt.example "" \
    "From: MAILER-DAEMON@pass.mt.example" >"$T/bounce.txt"
drive bounce
has bounce "null sender: SPF of postmaster@HELO passes" \
    "spf=pass (dnssec=secure helo=pass) smtp.mailfrom=postmaster@pass.mt.example smtp.helo=pass.mt.example"
has bounce "null sender: DMARC aligns on the HELO domain's pass" \
    "dmarc=pass (p=reject t=n dnssec=secure) header.from=pass.mt.example"
has bounce "null sender: accepted" "eom: continue"
msg Q20 127.0.0.20 pass.mt.example "" \
    "From: MAILER-DAEMON@pass.mt.example" >"$T/bounce2.txt"
drive bounce2
has bounce2 "null sender, client not authorized by the HELO domain: rejected" \
    "eom: reject 550 5.7.1 Message rejected: DMARC policy of pass.mt.example"

# --- several messages on one connection, and an abort ------------------
cat >"$T/multi.txt" <<'EOF'
macro j mx.test.example
connect client.example 4 127.0.0.20 25
helo client.example
macro i M1
mail <x@reject.mt.example>
rcpt <r@test.example>
header From: x@reject.mt.example
abort
macro i M2
mail <a@pass.mt.example>
rcpt <r@test.example>
header Subject: no From yet
eom
macro i M3
mail <a@quar.mt.example>
rcpt <r@test.example>
header From: a@quar.mt.example
eom
macro i M4
mail <a@reject.mt.example>
rcpt <r@test.example>
header From: a@reject.mt.example
eom
quit
EOF
drive multi
has multi "conversation completes" "rc=0"
has multi "abort acknowledged" "abort: noreply"
has multi "after the abort: no From left over -> permerror" "dmarc=permerror (dnssec=indeterminate: no From field)"
has multi "second message quarantined" "quarantine: spfdmarc: DMARC policy of quar.mt.example is quarantine"
has multi "third message rejected" "eom: reject 550 5.7.1 Message rejected: DMARC policy of reject.mt.example"
logged "abort leaves no line for M1, M2 logged" "M2: client=127.0.0.20"
hasnt_log() {
	if grep -Fq -- "$2" "$T/milter.log"; then ok 1 "log: $1"; else ok 0 "log: $1"; fi
}
hasnt_log "the aborted message is not evaluated" "M1: client="

# --- missing and multiple From -----------------------------------------
msg Q7 127.0.0.10 helo.mt.example a@pass.mt.example \
    "From: a@pass.mt.example" "From: b@reject.mt.example" >"$T/twofrom.txt"
drive twofrom
has twofrom "two From fields: permerror" "dmarc=permerror"
has twofrom "accepted by default" "eom: continue"
msg Q8 127.0.0.10 helo.mt.example a@pass.mt.example \
    "From: a@pass.mt.example, b@reject.mt.example" >"$T/twodom.txt"
drive twodom
has twodom "two domains in one From: permerror" "dmarc=permerror"
msg Q9 127.0.0.10 helo.mt.example a@pass.mt.example \
    "From: a@pass.mt.example, b@PASS.mt.example." >"$T/samedom.txt"
drive samedom
has samedom "two mailboxes, one domain: evaluated" "dmarc=pass"

# --- hostile envelope: nothing injected, nothing unquoted ---------------
cat >"$T/evil.txt" <<'EOF'
macro j mx.test.example
connect client.example 4 127.0.0.10 25
helo evil;dkim=pass(x"
macro i Q10
mail <"a;b(c"@pass.mt.example>
rcpt <r@test.example>
header From: a@pass.mt.example
eom
quit
EOF
drive evil
has evil "HELO quoted in A-R" 'smtp.helo="evil;dkim=pass(x\\""'
has evil "local part quoted in A-R" 'smtp.mailfrom="\\"a;b(c\\""@pass.mt.example'
has evil "HELO quoted in Received-SPF" 'helo="evil;dkim=pass(x\\"";'
has evil "comment delimiters escaped" 'domain of "a;b\\(c"@pass.mt.example designates'
has evil "accepted" "eom: continue"

# --- DNSSEC states -----------------------------------------------------
msg Q11 127.0.0.10 helo.mt.example a@insecure.example \
    "From: a@insecure.example" >"$T/insecure.txt"
drive insecure
has insecure "insecure zone" "spf=pass (dnssec=insecure"
has insecure "DMARC pass, insecure" "dmarc=pass (p=reject t=n dnssec=insecure) header.from=insecure.example"
msg Q12 127.0.0.10 helo.mt.example a@bogus.example \
    "From: a@bogus.example" >"$T/bogus.txt"
drive bogus
has bogus "bogus: SPF temperror" "spf=temperror (dnssec=bogus"
has bogus "bogus: DMARC temperror" "dmarc=temperror"
has bogus "temperror accepted (TempFailOnError no)" "eom: continue"

# --- IgnoreHosts and authenticated clients -----------------------------
cat >"$T/auth.txt" <<'EOF'
macro j mx.test.example
connect client.example 4 127.0.0.20 25
helo client.example
macro i Q13
macro auth_authen alice
mail <a@reject.mt.example>
rcpt <r@test.example>
header From: a@reject.mt.example
eom
quit
EOF
drive auth
has auth "authenticated client: accepted at MAIL" "mail: accept"
hasnt auth "not rejected" "eom: reject"

# --- SIGHUP: a bad file is refused, a good one applies ------------------
IGNORE=127.0.0.30
write_conf "SPFRejectFail yes
TempFailOnError yes
NoSuchKey 1"
kill -HUP "$MPID"
sleep 0.5
logged "bad reload refused with file:line" "spfdmarc.conf:10: unknown key 'NoSuchKey'; keeping the current configuration"
msg Q14 127.0.0.20 client.example a@reject.mt.example \
    "From: a@reject.mt.example" >"$T/afterbad.txt"
drive afterbad
has afterbad "old configuration still in force" "eom: reject 550 5.7.1"
write_conf "SPFRejectFail yes
TempFailOnError yes"
kill -HUP "$MPID"
sleep 0.5
logged "good reload" "configuration reloaded from $T/spfdmarc.conf"
drive afterbad
has afterbad "SPFRejectFail: 550 at MAIL FROM" "mail: reject 550 5.7.23 SPF: reject.mt.example does not authorize this host"
msg Q15 127.0.0.10 helo.mt.example a@bogus.example \
    "From: a@bogus.example" >"$T/bogus2.txt"
drive bogus2
has bogus2 "TempFailOnError: 451 on temperror" "eom: tempfail 451 4.4.3"
msg Q16 127.0.0.30 client.example a@reject.mt.example \
    "From: a@reject.mt.example" >"$T/ignored.txt"
drive ignored
has ignored "IgnoreHosts: accepted at connect" "connect: accept"

stop_milter
kill -0 "$DNSWORLD_NSD_PID" 2>/dev/null
ok $? "the DNS world survived"
if grep -E "error:|Sanitizer" "$T/milter.log" | grep -vq "error: reload:"; then
	ok 1 "no error in the milter's log"
	grep "error:" "$T/milter.log" | sed 's/^/#   /'
else
	ok 0 "no error in the milter's log"
fi
tap_end
