#!/bin/sh
# spf_cli.sh: 'spfdmarc spf' over a zone file (--zone), as TAP: result
# tokens, the plain and JSON output, --trace, the null sender and the
# HELO identity, DNSSEC states, exit codes and usage errors.
set -u
cli=${top_builddir:-.}/cli/spfdmarc
work=$(mktemp -d "${TMPDIR:-/tmp}/spf-cli.XXXXXX") || { echo "Bail out! mktemp"; exit 1; }
trap 'rm -rf "$work"' EXIT
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"
TAP_SHOW="$work/out $work/err"

# run ARGS...: the CLI over the test zone; output in $work/out, $work/err,
# exit status in $rc.
run() {
	"$cli" spf --zone "$work/zone" "$@" >"$work/out" 2>"$work/err"
	rc=$?
}
line1() { head -n 1 "$work/out"; }
has() { grep -qxF -- "$1" "$work/out"; }

cat >"$work/zone" <<'ZONE'
# The test zone of spf_cli.sh.
$DNSSEC insecure
example.com	TXT "v=spf1 ip4:192.0.2.0/24 a:mail.example.com" " include:_spf.example.net -all exp=exp.example.com"
exp.example.com	TXT "%{i} is not allowed to send for %{d}"
mail.example.com A 198.51.100.25
_spf.example.net TXT "v=spf1 ip4:198.51.100.128/25 ?all"
fail.example.com TXT "v=spf1 -all"
soft.example.com TXT "v=spf1 ~all"
neutral.example.com TXT "v=spf1 ?all"
broken.example.com TXT "v=spf1 foo:bar -all"
slow.example.com TIMEOUT
helo.example.org TXT "v=spf1 ip4:203.0.113.5 -all"
secure.example.org DNSSEC secure
secure.example.org TXT "v=spf1 +all"
bogus.example.org DNSSEC bogus
bogus.example.org TXT "v=spf1 +all"
slash.example.com TXT "v=spf1 -all exp=slashexp.example.com"
slashexp.example.com TXT "back\\slash"
ZONE

# --- results ------------------------------------------------------------------
run --ip 192.0.2.10 --sender alice@example.com
[ $rc -eq 0 ] && [ "$(line1)" = pass ]; ok $? "ip4 match: pass, exit 0"
has "mechanism: ip4:192.0.2.0/24"; ok $? "  mechanism as written"
has "dnssec: insecure"; ok $? "  dnssec line"
run --ip ::ffff:192.0.2.10 --sender alice@example.com
[ "$(line1)" = pass ]; ok $? "IPv4-mapped IPv6 client checked as IPv4"
run --ip 198.51.100.25 --sender alice@example.com
[ "$(line1)" = pass ] && has "mechanism: a:mail.example.com"; ok $? "a: match"
run --ip 198.51.100.200 --sender alice@example.com
[ "$(line1)" = pass ] && has "mechanism: include:_spf.example.net"
ok $? "include: match"
run --ip 203.0.113.9 --sender alice@example.com
[ $rc -eq 0 ] && [ "$(line1)" = fail ]; ok $? "no match: fail, exit 0"
has "explanation: 203.0.113.9 is not allowed to send for example.com"
ok $? "  exp= explanation expanded"
has "mechanism: -all"; ok $? "  mechanism -all"
run --ip 203.0.113.9 --sender bob@fail.example.com --default-explanation "see https://example.com/spf"
[ "$(line1)" = fail ] && has "explanation: see https://example.com/spf"
ok $? "--default-explanation for a fail without exp="
run --ip 203.0.113.9 --sender bob@fail.example.com
! grep -q "^explanation:" "$work/out"; ok $? "  no explanation line without one"
run --ip 203.0.113.9 --sender bob@soft.example.com
[ "$(line1)" = softfail ]; ok $? "softfail"
run --ip 203.0.113.9 --sender bob@neutral.example.com
[ "$(line1)" = neutral ]; ok $? "neutral"
run --ip 203.0.113.9 --sender bob@nothing.example.com
[ $rc -eq 0 ] && [ "$(line1)" = none ]; ok $? "no record: none, exit 0"
run --ip 203.0.113.9 --sender bob@broken.example.com
[ $rc -eq 0 ] && [ "$(line1)" = permerror ] && grep -q "^reason: ." "$work/out"
ok $? "unknown mechanism: permerror with a reason, exit 0"
run --ip 203.0.113.9 --sender bob@slow.example.com
[ $rc -eq 0 ] && [ "$(line1)" = temperror ] && grep -q "^reason: ." "$work/out"
ok $? "timeout: temperror with a reason, exit 0"
run --ip 203.0.113.9 --sender bob@slash.example.com
has 'explanation: back\\slash'; ok $? "a backslash in the explanation is escaped"

# --- identities -----------------------------------------------------------------
run --ip 203.0.113.5 --sender '' --helo helo.example.org --json
[ "$(line1 | cut -c1-17)" = '{"result":"pass",' ]; ok $? "null sender: checked as postmaster@helo"
grep -qF '"sender":"postmaster@helo.example.org"' "$work/out"; ok $? "  sender in JSON"
grep -qF '"identity":"mailfrom"' "$work/out"; ok $? "  identity mailfrom"
run --ip 203.0.113.6 --identity helo --helo helo.example.org
[ "$(line1)" = fail ]; ok $? "--identity helo"
run --ip 203.0.113.6 --identity helo --helo helo.example.org --json
grep -qF '"identity":"helo"' "$work/out" && grep -qF '"domain":"helo.example.org"' "$work/out"
ok $? "  identity and domain in JSON"

# --- DNSSEC ----------------------------------------------------------------------
run --ip 203.0.113.9 --sender x@secure.example.org
[ "$(line1)" = pass ] && has "dnssec: secure"; ok $? "secure zone: dnssec secure"
run --ip 203.0.113.9 --sender x@bogus.example.org
[ "$(line1)" = temperror ]; ok $? "bogus answer: temperror, never its data"

# --- JSON and trace -----------------------------------------------------------------
run --ip 203.0.113.9 --sender alice@example.com --json
[ $rc -eq 0 ] && [ "$(wc -l <"$work/out")" -eq 1 ]; ok $? "--json: one line"
for key in result explanation mechanism domain dns_lookups void_lookups dnssec reason sender; do
	grep -qF "\"$key\":" "$work/out"; ok $? "  has $key"
done
grep -qF '"dns_lookups":2,' "$work/out"; ok $? "  dns_lookups counts a: and include:"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["result"] == "fail"' <"$work/out"
	ok $? "  valid JSON (python3)"
	run --ip 203.0.113.9 --sender alice@example.com --json --trace
	python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["trace"]) > 3' <"$work/out"
	ok $? "  --json --trace: valid JSON with a trace array"
fi
run --ip 203.0.113.9 --sender alice@example.com --trace
[ "$(line1)" = fail ] && has "trace:"; ok $? "--trace: the result stays first"
grep -qF '  dns: example.com TXT -> ok' "$work/out"; ok $? "  every DNS answer"
grep -qF 'dns: mail.example.com A -> ok rcode 0 dnssec insecure: 198.51.100.25' "$work/out"
ok $? "  with its records"
grep -qF "'ip4:192.0.2.0/24'" "$work/out"; ok $? "  every term evaluated"

# --- usage errors ------------------------------------------------------------------
usage() {	# usage DESCRIPTION ARGS...: exit 64 expected
	d=$1
	shift
	"$cli" spf "$@" >"$work/out" 2>"$work/err"
	[ $? -eq 64 ]; ok $? "usage error, exit 64: $d"
}
usage "no --ip" --zone "$work/zone" --sender a@example.com
usage "bad --ip" --zone "$work/zone" --ip 192.0.2 --sender a@example.com
usage "no --sender" --zone "$work/zone" --ip 192.0.2.1
usage "--identity helo without --helo" --zone "$work/zone" --ip 192.0.2.1 --identity helo
usage "bad --identity" --zone "$work/zone" --ip 192.0.2.1 --sender a@b.c --identity rcpt
usage "unknown option" --zone "$work/zone" --ip 192.0.2.1 --sender a@b.c --frobnicate
usage "extra argument" --zone "$work/zone" --ip 192.0.2.1 --sender a@b.c extra
usage "--zone with --resolver" --zone "$work/zone" --resolver 127.0.0.1 --ip 192.0.2.1 --sender a@b.c
usage "missing zone file" --zone "$work/nonexistent" --ip 192.0.2.1 --sender a@b.c
printf 'ok.example TXT "v=spf1 -all"\nbad.example A 300.1.2.3\n' >"$work/badzone"
usage "bad zone file" --zone "$work/badzone" --ip 192.0.2.1 --sender a@b.c
grep -qF "line 2: bad IPv4 address" "$work/err"; ok $? "  the zone error names its line"
"$cli" spf --help >"$work/out" 2>&1
[ $? -eq 0 ] && grep -q "^usage: spfdmarc spf" "$work/out"; ok $? "--help: usage, exit 0"

tap_end
