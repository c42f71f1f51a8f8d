#!/bin/sh
# world.sh: `spfdmarc dmarc` over libunbound against the signed DNS world
# (tests/integration/world/dnsworld.sh, with tests/dmarc/world-walk.zone
# added as a signed child of example.): DNSSEC secure, insecure and bogus
# answers as DMARC sees them, an RFC 9989 §4.10 tree walk from a deep
# name to its Organizational Domain's sp=/np=, and t=y. The world is
# stopped by the exit trap of tests/integration/lib.sh. TAP.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
SPFDMARC=$top_builddir/cli/spfdmarc
[ -x "$SPFDMARC" ] || { echo "Bail out! $SPFDMARC not built"; exit 1; }
itest_init dmarc-world
itest_world_start "$top_srcdir/tests/dmarc/world-walk.zone"

. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"

# check LABEL FIRSTLINE PATTERN... -- ARGS: `spfdmarc dmarc` over the world
# exits 0, prints FIRSTLINE first, and every grep -E pattern
check() {
	label=$1; first=$2; shift 2
	patterns "$@"
	shift "$tap_used"
	"$SPFDMARC" dmarc --unbound-conf "$DNSWORLD_UNBOUND_CONF" --timeout 10 \
		"$@" >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
	rc=$?
	res=0
	[ $rc = 0 ] || { echo "#   exit $rc"; res=1; }
	[ "$(head -n 1 "$ITEST_DIR/out")" = "$first" ] ||
		{ echo "#   first line is not '$first'"; res=1; }
	has_patterns "$ITEST_DIR/out" || res=1
	ok $res "$label"
	[ $res = 0 ] || sed 's/^/#   /' "$ITEST_DIR/out" "$ITEST_DIR/err"
}

check "secure p=reject, alignment fails: fail, reject, dnssec secure" fail \
	'^record: v=DMARC1; p=reject$' \
	'^record_location: _dmarc\.secure\.example \(author\)$' \
	'^spf: elsewhere\.example not aligned' '^disposition: reject$' \
	'^dnssec: secure$' -- \
	--from 'Jane <jane@secure.example>' --spf-pass-domain elsewhere.example
check "secure: relaxed SPF from a subdomain aligns after its walk" pass \
	'^org_domain: secure\.example$' \
	'^spf: mail\.secure\.example aligned' '^disposition: none$' \
	'^dnssec: secure$' -- \
	--from jane@secure.example --spf-pass-domain mail.secure.example
check "insecure zone: dnssec insecure" fail \
	'^record_location: _dmarc\.insecure\.example \(author\)$' \
	'^disposition: reject$' '^dnssec: insecure$' -- \
	--from jane@insecure.example
check "bogus zone (expired signatures): temperror, DNSSEC bogus" temperror \
	'^reason: DNSSEC bogus: _dmarc\.bogus\.example TXT' '^dnssec: bogus$' \
	'^disposition: none$' -- --from jane@bogus.example
check "bogus zone (DS for another key): temperror, DNSSEC bogus" temperror \
	'^reason: DNSSEC bogus: _dmarc\.bogus2\.example TXT' '^dnssec: bogus$' -- \
	--from jane@bogus2.example
check "tree walk from a 12-label name: the org record's sp=" fail \
	'^author_domain: m\.l\.k\.j\.i\.h\.g\.f\.e\.d\.dmarcwalk\.example$' \
	'^record_location: _dmarc\.dmarcwalk\.example \(organizational\)$' \
	'^org_domain: dmarcwalk\.example$' \
	'^published_policy: quarantine \(sp=\)$' '^author_domain_exists: yes$' \
	'^disposition: quarantine$' '^dnssec: secure$' -- \
	--from a@m.l.k.j.i.h.g.f.e.d.dmarcwalk.example
check "tree walk from a non-existent 9-label name: np= (signed NXDOMAIN)" fail \
	'^record_location: _dmarc\.dmarcwalk\.example \(organizational\)$' \
	'^published_policy: reject \(np=\)$' '^author_domain_exists: no$' \
	'^disposition: reject$' '^dnssec: secure$' -- \
	--from a@z.y.x.w.v.u.t.dmarcwalk.example
check "tree walk: relaxed DKIM d= of the org domain aligns" pass \
	'^dkim: aligned d=dmarcwalk\.example' '^dnssec: secure$' -- \
	--from a@m.l.k.j.i.h.g.f.e.d.dmarcwalk.example \
	--dkim-pass-domain dmarcwalk.example
check "t=y: p=reject evaluated as quarantine" fail \
	'^record_location: _dmarc\.testing\.dmarcwalk\.example \(author\)$' \
	'^published_policy: reject \(p=\)$' '^evaluated_policy: quarantine$' \
	'^testing: yes \(t=y\)$' '^disposition: quarantine$' \
	'^dnssec: secure$' -- --from a@testing.dmarcwalk.example

if command -v jq >/dev/null 2>&1; then
	"$SPFDMARC" dmarc --unbound-conf "$DNSWORLD_UNBOUND_CONF" --json \
		--from a@testing.dmarcwalk.example >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
	rc=$?
	res=0
	[ $rc = 0 ] && jq -e '.result == "fail" and .testing == true and
		.evaluated_policy == "quarantine" and .dnssec == "secure" and
		.record_domain == "testing.dmarcwalk.example"' \
		"$ITEST_DIR/out" >/dev/null || res=1
	ok $res "--json over libunbound"
	[ $res = 0 ] || sed 's/^/#   /' "$ITEST_DIR/out" "$ITEST_DIR/err"
else
	skip "--json: jq is not installed"
fi

tap_end
