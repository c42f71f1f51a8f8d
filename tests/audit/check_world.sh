#!/bin/sh
# check_world.sh: `spfdmarc check` over libunbound against the signed DNS
# world (tests/integration/world/dnsworld.sh): DNSSEC secure, insecure and
# bogus answers as the audit reports them, and a record in several
# character-strings whose real answer is over 512 bytes. One run under
# valgrind when it is installed. The world is stopped by the exit trap of
# tests/integration/lib.sh. TAP.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
SPFDMARC=$top_builddir/cli/spfdmarc
[ -x "$SPFDMARC" ] || { echo "Bail out! $SPFDMARC not built"; exit 1; }
itest_init check-world
itest_world_start

. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"

# check LABEL EXIT PATTERN... -- DOMAIN: `spfdmarc check` over the world
# exits EXIT and prints every grep -E pattern
check() {
	label=$1; want=$2; shift 2
	patterns "$@"
	shift "$tap_used"
	"$SPFDMARC" check --unbound-conf "$DNSWORLD_UNBOUND_CONF" --timeout 10 \
		"$@" >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
	rc=$?
	res=0
	[ $rc = "$want" ] || { echo "#   exit $rc, want $want"; res=1; }
	has_patterns "$ITEST_DIR/out" || res=1
	ok $res "$label"
	[ $res = 0 ] || sed 's/^/#   /' "$ITEST_DIR/out" "$ITEST_DIR/err"
}

check "secure zone: pass, every answer secure" 0 \
	'^secure\.example: pass ' '^DNSSEC: secure$' \
	'^  secure\.example TXT: ok, secure \(spf\)$' \
	'^  _dmarc\.secure\.example TXT: ok, secure \(dmarc\)$' \
	'info    dmarc-no-rua' -- secure.example
check "insecure zone: dns-insecure" 0 \
	'info    dns-insecure' '^DNSSEC: insecure$' -- insecure.example
check "bogus zone: dns-bogus, exit 2" 2 \
	'error   dns-bogus \(bogus\.example, .TXT.\)' '^DNSSEC: bogus$' \
	-- bogus.example
check "558-byte record in 200-byte strings: long string, large answer" 1 \
	'warning spf-long-string \(medium\.secure\.example\)' \
	'warning spf-large-answer \(medium\.secure\.example\)' \
	'3 strings' -- medium.secure.example
check "short record in three strings: no long-string finding" 0 \
	'^  record: v=spf1 ip4:192\.0\.2\.0/24 -all$' \
	'28 bytes in 3 strings' -- split.secure.example
"$SPFDMARC" check --json --unbound-conf "$DNSWORLD_UNBOUND_CONF" \
	--timeout 10 secure.example >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
if command -v jq >/dev/null 2>&1; then
	[ "$(jq -r '.dmarc.dnssec == "secure" and .spf.dnssec == "secure" and .dmarc.record_domain == "secure.example"' "$ITEST_DIR/out")" = true ]
	ok $? "JSON: DNSSEC states over libunbound"
else
	skip "jq not installed"
fi

if command -v valgrind >/dev/null 2>&1 && [ -x "$top_builddir/libtool" ] &&
    ! grep -q '^SAN_CFLAGS = .*-fsanitize' "${top_builddir:-.}/Makefile" 2>/dev/null; then
	"$top_builddir/libtool" --mode=execute valgrind -q --leak-check=full \
	    --error-exitcode=99 "$SPFDMARC" check --unbound-conf \
	    "$DNSWORLD_UNBOUND_CONF" --timeout 20 medium.secure.example \
	    >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
	rc=$?
	[ $rc = 1 ]; ok $? "valgrind over libunbound: clean (exit $rc)"
	[ $rc = 1 ] || sed 's/^/#   /' "$ITEST_DIR/err" | head -40
else
	skip "valgrind not installed, or a sanitizer build"
fi

tap_end
