#!/bin/sh
# dns_cli.sh: the resolver options every spfdmarc subcommand shares
# (cli/resolver.c), driven through dnsq against the signed DNS world:
# --unbound-conf, --stub + --trust-anchor, --resolver + --trust-anchor
# through a forwarding unbound (secure, insecure and bogus reported
# correctly: libunbound validates end to end), --no-dnssec, and the errors
# for bad values.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init dns-cli
itest_world_start
itest_forwarder_start

DNSQ=$top_builddir/tests/integration/dnsq
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"

# check LABEL PATTERN... -- DNSQ ARGS: every grep -E pattern is in the output
check() {
	label=$1; shift
	patterns "$@"
	shift "$tap_used"
	"$DNSQ" "$@" >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
	rc=$?
	res=0
	[ $rc = 0 ] || res=1
	has_patterns "$ITEST_DIR/out" || res=1
	ok $res "$label"
	[ $res = 0 ] || sed 's/^/#   /' "$ITEST_DIR/out" "$ITEST_DIR/err"
}

# fails LABEL EXIT PATTERN -- DNSQ ARGS: exits EXIT, stderr matches
fails() {
	label=$1; want=$2; pat=$3; shift 4
	"$DNSQ" "$@" >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
	rc=$?
	res=0
	[ $rc = "$want" ] && grep -Eq -- "$pat" "$ITEST_DIR/err" || res=1
	ok $res "$label"
	[ $res = 0 ] || { echo "#   exit $rc, want $want"; sed 's/^/#   /' "$ITEST_DIR/err"; }
}

Q="secure.example TXT insecure.example TXT bogus.example TXT www.bogus2.example A nx.secure.example TXT nodata.insecure.example TXT"
STATES='^secure.example TXT ok secure
^insecure.example TXT ok insecure
^bogus.example TXT bogus bogus
^www.bogus2.example A bogus bogus
^nx.secure.example TXT nxdomain secure
^nodata.insecure.example TXT nodata insecure
why: DNSSEC bogus: .*expired
why: DNSSEC bogus: .*DS'

# shellcheck disable=SC2086
states() {
	label=$1; shift
	"$DNSQ" "$@" $Q >"$ITEST_DIR/out" 2>"$ITEST_DIR/err"
	rc=$?
	res=0
	[ $rc = 0 ] || res=1
	printf '%s\n' "$STATES" | while IFS= read -r p; do
		grep -Eq -- "$p" "$ITEST_DIR/out" || { echo "#   missing: $p"; exit 1; }
	done || res=1
	grep -A3 '^bogus' "$ITEST_DIR/out" | grep -q '  rr:' && res=1
	ok $res "$label: secure, insecure, bogus x2, nxdomain, nodata"
	[ $res = 0 ] || sed 's/^/#   /' "$ITEST_DIR/out" "$ITEST_DIR/err"
}

states "--unbound-conf" --unbound-conf "$DNSWORLD_UNBOUND_CONF"

set --
for z in $DNSWORLD_ZONES; do set -- "$@" --stub "$z=127.0.0.1@$DNSWORLD_PORT"; done
states "--stub --trust-anchor" "$@" --trust-anchor "$DNSWORLD_ANCHOR"
check "--stub --no-dnssec: indeterminate, bogus zone's data unchecked" \
	'^secure.example TXT ok indeterminate' '^bogus.example TXT ok indeterminate' \
	'rr: strings=1 len=27 "v=spf1 ip4:127.0.0.0/8 -all"' -- \
	"$@" --no-dnssec secure.example TXT bogus.example TXT

if [ -n "$ITEST_FORWARDER" ]; then
	states "--resolver $ITEST_FORWARDER --trust-anchor" \
		--resolver "$ITEST_FORWARDER" --trust-anchor "$DNSWORLD_ANCHOR"
	check "--resolver: TXT strings, CNAME, TCP-sized answer" \
		'rr: strings=3 len=28 "v=spf1 ip4:192.0.2.0/24 -all"' \
		'^alias.secure.example A ok secure' 'canon: www.secure.example' \
		'^big.secure.example TXT ok secure' 'rr: strings=7 len=13[0-9][0-9] ' -- \
		--resolver "$ITEST_FORWARDER" --trust-anchor "$DNSWORLD_ANCHOR" \
		split.secure.example TXT alias.secure.example A big.secure.example TXT
	check "--resolver twice (a dead one first), --timeout 10" \
		'^secure.example TXT ok secure' -- \
		--resolver 127.0.0.1@9 --resolver "$ITEST_FORWARDER" --timeout 10 \
		--trust-anchor "$DNSWORLD_ANCHOR" secure.example TXT
else
	skip "--resolver: Debian's unbound is not installed"
	skip "--resolver: Debian's unbound is not installed"
	skip "--resolver: Debian's unbound is not installed"
fi

fails "--resolver by name refused" 70 "forwarder 'dns.example'" -- \
	--resolver dns.example --no-dnssec secure.example TXT
fails "--resolver bad port refused" 70 "port 1-65535" -- \
	--resolver 127.0.0.1@0 --no-dnssec secure.example TXT
fails "--stub without '=' refused" 70 "ZONE=ADDRESS" -- \
	--stub example.com --no-dnssec secure.example TXT
fails "--trust-anchor missing file named" 70 "/nonexistent/anchor.key: No such file" -- \
	--trust-anchor /nonexistent/anchor.key secure.example TXT
fails "--unbound-conf missing file named" 70 "/nonexistent/unbound.conf" -- \
	--unbound-conf /nonexistent/unbound.conf secure.example TXT
fails "--no-dnssec with --trust-anchor refused" 70 "contradict" -- \
	--no-dnssec --trust-anchor "$DNSWORLD_ANCHOR" secure.example TXT
fails "--timeout abc refused" 64 "--timeout wants seconds" -- \
	--timeout abc secure.example TXT
fails "--timeout nan refused" 64 "--timeout wants seconds" -- \
	--timeout nan secure.example TXT
fails "--timeout 0 refused" 64 "--timeout wants seconds" -- \
	--timeout 0 secure.example TXT
fails "--trust-anchor twice refused" 64 "given twice" -- \
	--trust-anchor a --trust-anchor b secure.example TXT

tap_end
