#!/bin/sh
# cli.sh: `spfdmarc dmarc` over a zone file (--zone tests/dmarc/cli.zone):
# the plain output's first line and fields, the JSON object's fields and
# types (checked with jq when it is installed), escaping of DNS text, and
# the usage errors (exit 64). TAP.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
SPFDMARC=$top_builddir/cli/spfdmarc
ZONE=$top_srcdir/tests/dmarc/cli.zone
TMP=$(mktemp -d "${TMPDIR:-/tmp}/spfdmarc-dmarc-cli.XXXXXX") ||
	{ echo "Bail out! mktemp"; exit 1; }
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM

. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"
show() { sed 's/^/#   /' "$TMP/out" "$TMP/err"; }

# run ARGS...: spfdmarc dmarc --zone ZONE ARGS, output in $TMP/out, $rc
run() {
	"$SPFDMARC" dmarc --zone "$ZONE" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# plain LABEL FIRSTLINE PATTERN... -- ARGS: exit 0, the first line is
# FIRSTLINE, every grep -E pattern is in the output
plain() {
	label=$1; first=$2; shift 2
	patterns "$@"
	shift "$tap_used"
	run "$@"
	res=0
	[ $rc = 0 ] || { echo "#   exit $rc"; res=1; }
	[ "$(head -n 1 "$TMP/out")" = "$first" ] ||
		{ echo "#   first line is not '$first'"; res=1; }
	has_patterns "$TMP/out" || res=1
	ok $res "$label"
	[ $res = 0 ] || show
}

# json LABEL JQ-EXPR -- ARGS: exit 0, one valid JSON object for which
# the jq expression is true
HAVE_JQ=
command -v jq >/dev/null 2>&1 && HAVE_JQ=1
json() {
	label=$1; expr=$2; shift 3
	if [ -z "$HAVE_JQ" ]; then
		skip "$label (jq is not installed)"
		return
	fi
	run --json "$@"
	res=0
	[ $rc = 0 ] || { echo "#   exit $rc"; res=1; }
	[ "$(wc -l <"$TMP/out")" = 1 ] || { echo "#   not one line"; res=1; }
	jq -e "$expr" "$TMP/out" >/dev/null 2>&1 || { echo "#   jq: $expr"; res=1; }
	ok $res "$label"
	[ $res = 0 ] || show
}

# usage LABEL PATTERN -- ARGS: exit 64, stderr matches, nothing on stdout
usage() {
	label=$1; pat=$2; shift 3
	"$SPFDMARC" dmarc "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	res=0
	[ $rc = 64 ] || { echo "#   exit $rc, want 64"; res=1; }
	grep -Eq -- "$pat" "$TMP/err" || { echo "#   stderr lacks: $pat"; res=1; }
	[ -s "$TMP/out" ] && { echo "#   stdout not empty"; res=1; }
	ok $res "$label"
	[ $res = 0 ] || show
}

[ -x "$SPFDMARC" ] || { echo "Bail out! $SPFDMARC not built"; exit 1; }

# --- plain output -------------------------------------------------------------
plain "p=reject, nothing aligned: fail/reject" fail \
	'^author_domain: reject\.example$' \
	'^record: v=DMARC1; p=reject; sp=quarantine; np=none; rua=mailto:agg@reject\.example$' \
	'^record_location: _dmarc\.reject\.example \(author\)$' \
	'^org_domain: reject\.example$' \
	'^spf: other\.example not aligned \(aspf=relaxed\)$' \
	'^dkim: not aligned \(adkim=relaxed\): d=x\.example$' \
	'^published_policy: reject \(p=\)$' '^evaluated_policy: reject$' \
	'^testing: no$' '^disposition: reject$' '^dnssec: secure$' \
	'^mode: rfc9989$' '^reason: no aligned SPF or DKIM identifier$' -- \
	--from 'Jane Doe <jane@reject.example>' --spf-pass-domain other.example \
	--dkim-pass-domain x.example
plain "relaxed SPF alignment from a subdomain: pass, disposition none" pass \
	'^spf: bounce\.reject\.example aligned \(aspf=relaxed\)$' \
	'^disposition: none$' -- \
	--from jane@reject.example --spf-pass-domain bounce.reject.example
plain "relaxed DKIM: the second d= aligns after its own walk" pass \
	'^dkim: aligned d=sign\.reject\.example \(adkim=relaxed\), of d=x\.example d=Sign\.Reject\.Example\.$' -- \
	--from jane@reject.example --dkim-pass-domain x.example \
	--dkim-pass-domain Sign.Reject.Example.
plain "existing subdomain: sp= from the org record" fail \
	'^record_location: _dmarc\.reject\.example \(organizational\)$' \
	'^published_policy: quarantine \(sp=\)$' '^author_domain_exists: yes$' \
	'^disposition: quarantine$' -- --from '<a@www.reject.example>'
plain "non-existent subdomain: np=" fail \
	'^published_policy: none \(np=\)$' '^author_domain_exists: no$' -- \
	--from a@nx.reject.example
plain "t=y: reject evaluated as quarantine" fail \
	'^published_policy: reject \(p=\)$' '^evaluated_policy: quarantine$' \
	'^testing: yes \(t=y\)$' '^disposition: quarantine$' -- \
	--from a@testing.example
plain "strict: a subdomain does not align" fail \
	'^spf: mail\.strict\.example not aligned \(aspf=strict\)$' -- \
	--from a@strict.example --spf-pass-domain mail.strict.example
plain "no record: none" none '^record: \(none\)$' \
	'^published_policy: \(none\)$' '^evaluated_policy: \(none\)$' \
	'^reason: no DMARC record' -- --from a@nothing.example
plain "SERVFAIL: temperror" temperror \
	'^reason: DNS server failure: _dmarc\.servfail\.example TXT' \
	'^disposition: none$' -- --from a@servfail.example
plain "bogus: temperror, DNSSEC bogus" temperror '^dnssec: bogus$' \
	'^reason: DNSSEC bogus: _dmarc\.bogus\.example TXT' -- \
	--from a@bogus.example
plain "insecure: dnssec insecure" fail '^dnssec: insecure$' -- \
	--from a@insecure.example
plain "two domains in From: permerror" permerror \
	'^author_domain: \(none\)$' '^reason: .*different domains' -- \
	--from 'a@reject.example, b@testing.example'
plain "display name that looks like an address is not the author" fail \
	'^author_domain: testing\.example$' -- \
	--from '"boss@reject.example" <x@testing.example>'
plain "U-label Author Domain: A-label" fail \
	'^author_domain: xn--bcher-kva\.example$' '^disposition: reject$' -- \
	--from 'x@bücher.example'
plain "DNS text is escaped: one value, one line" fail \
	'^record: v=DMARC1; p=none; x="q" \\\\ \\x01\\xff\\x09end$' -- \
	--from a@odd.example
plain "rfc7489: PSL org domain, pct spares this message" fail \
	'^record_location: _dmarc\.example\.co\.uk \(organizational\)$' \
	'^org_domain: example\.co\.uk$' '^evaluated_policy: quarantine$' \
	'^testing: yes \(pct=50\)$' '^mode: rfc7489$' -- \
	--from a@mail.example.co.uk --mode rfc7489 --pct-draw 70
plain "rfc7489: pct applies" fail '^evaluated_policy: reject$' \
	'^testing: no \(pct=50\)$' -- \
	--from a@mail.example.co.uk --mode 7489 --pct-draw 10

# --- JSON -----------------------------------------------------------------------
json "JSON: every documented field, with its type" '
	.result == "fail" and .author_domain == "reject.example" and
	.record_domain == "reject.example" and .org_domain == "reject.example" and
	.published_policy == "reject" and .evaluated_policy == "reject" and
	.testing == false and .spf_aligned == false and .dkim_aligned == false and
	.dnssec == "secure" and .reason == "no aligned SPF or DKIM identifier" and
	.disposition == "reject" and .source == "author" and
	.dkim_domains == ["x.example"] and .spf_domain == "other.example" and
	.mode == "rfc9989"' -- \
	--from jane@reject.example --spf-pass-domain other.example \
	--dkim-pass-domain x.example
json "JSON: no record: nulls" '
	.result == "none" and .record_domain == null and
	.published_policy == null and .evaluated_policy == null and
	.org_domain == "nothing.example" and .testing == false and
	(.reason | type) == "string"' -- --from a@nothing.example
json "JSON: t=y" '.testing == true and .published_policy == "reject" and
	.evaluated_policy == "quarantine" and .disposition == "quarantine"' -- \
	--from a@testing.example
json "JSON: pass through DKIM" '.result == "pass" and .dkim_aligned == true and
	.aligned_dkim_domain == "sign.reject.example" and .disposition == "none"' -- \
	--from jane@reject.example --dkim-pass-domain sign.reject.example
json "JSON: np for a non-existent subdomain" '.published_tag == "np" and
	.author_exists == "no" and .record_domain == "reject.example"' -- \
	--from a@nx.reject.example
json "JSON: permerror: author_domain null" '.result == "permerror" and
	.author_domain == null and .record_domain == null and .org_domain == null' -- \
	--from 'a@reject.example, b@testing.example'
json "JSON: bogus" '.result == "temperror" and .dnssec == "bogus" and
	(.reason | startswith("DNSSEC bogus: _dmarc.bogus.example TXT"))' -- \
	--from a@bogus.example
json "JSON: control and non-UTF-8 bytes escaped, valid JSON" '
	.record == "v=DMARC1; p=none; x=\"q\" \\ \u0001\u00ff\tend"' -- \
	--from a@odd.example
json "JSON: rfc7489 has pct" '.mode == "rfc7489" and .pct == 50 and
	.testing == true' -- --from a@mail.example.co.uk --mode rfc7489 --pct-draw 99

# --- usage errors: exit 64 ------------------------------------------------------
usage "no --from" "--from is required" -- --zone "$ZONE"
usage "--from twice" "--from given twice" -- --zone "$ZONE" --from a@b.example \
	--from c@d.example
usage "bad --mode" "--mode is rfc9989 or rfc7489" -- --zone "$ZONE" \
	--from a@b.example --mode dmarc2
usage "--pct-draw without rfc7489" "--pct-draw goes with --mode rfc7489" -- \
	--zone "$ZONE" --from a@b.example --pct-draw 5
usage "--pct-draw out of range" "--pct-draw wants 0..99" -- --zone "$ZONE" \
	--from a@b.example --mode rfc7489 --pct-draw 100
usage "empty --spf-pass-domain" "wants a domain" -- --zone "$ZONE" \
	--from a@b.example --spf-pass-domain ''
usage "unknown option" "usage: spfdmarc dmarc" -- --zone "$ZONE" \
	--from a@b.example --frobnicate
usage "extra argument" "unexpected argument 'extra'" -- --zone "$ZONE" \
	--from a@b.example extra
usage "--zone with --resolver" "does not go with --resolver" -- \
	--zone "$ZONE" --resolver 127.0.0.1 --from a@b.example
usage "--zone: missing file" "/nonexistent/x.zone: No such file" -- \
	--zone /nonexistent/x.zone --from a@b.example
printf 'example.com TXT "v=DMARC1; p=none"\nexample.com BOGUS\n' >"$TMP/bad.zone"
usage "--zone: bad line named" "bad.zone: line 2" -- --zone "$TMP/bad.zone" \
	--from a@example.com
set --
i=0
while [ $i -lt 17 ]; do set -- "$@" --dkim-pass-domain "d$i.example"; i=$((i + 1)); done
usage "17 --dkim-pass-domain" "at most 16" -- --zone "$ZONE" \
	--from a@b.example "$@"
usage "--timeout abc" "--timeout wants seconds" -- --zone "$ZONE" \
	--from a@b.example --timeout abc

"$SPFDMARC" dmarc --help >"$TMP/out" 2>"$TMP/err"
rc=$?
res=0
[ $rc = 0 ] && grep -q -- '--dkim-pass-domain' "$TMP/out" || res=1
ok $res "--help: exit 0, usage on stdout"

tap_end
