#!/bin/sh
# check_cli.sh: 'spfdmarc check' over tests/audit/audit.zone, as TAP: exit
# codes (0 pass, 1 warnings, 2 errors, 64 usage), the plain output, the
# JSON schema (with jq, else only its validity with python3), --list, and
# one run under valgrind when it is installed.
set -u
cli=${top_builddir:-.}/cli/spfdmarc
zone=${top_srcdir:-.}/tests/audit/audit.zone
work=$(mktemp -d "${TMPDIR:-/tmp}/check-cli.XXXXXX") || { echo "Bail out! mktemp"; exit 1; }
trap 'rm -rf "$work"' EXIT
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"
TAP_SHOW="$work/out $work/err"

# run ARGS...: output in $work/out and $work/err, exit status in $rc.
run() {
	"$cli" check "$@" >"$work/out" 2>"$work/err"
	rc=$?
}
has() { grep -qF -- "$1" "$work/out"; }

if command -v jq >/dev/null 2>&1; then
	jq=yes
else
	jq=no
fi
json_valid() {
	if [ $jq = yes ]; then
		jq -e . "$work/out" >/dev/null 2>&1
	elif command -v python3 >/dev/null 2>&1; then
		python3 -m json.tool "$work/out" >/dev/null 2>&1
	else
		return 0
	fi
}
# jqtest FILTER DESCRIPTION: FILTER must print true.
jqtest() {
	if [ $jq = no ]; then
		skip "jq not installed: $2"
		return
	fi
	[ "$(jq -r "$1" "$work/out" 2>/dev/null)" = true ]
	ok $? "$2"
}

# --- exit codes --------------------------------------------------------------
run --zone "$zone" good.dm
[ $rc -eq 0 ]; ok $? "clean domain: exit 0"
[ "$(head -n 1 "$work/out")" = "good.dm: pass (0 errors, 0 warnings, 1 info)" ]
ok $? "  first line: grade and counts"
run --zone "$zone" ptr.example
[ $rc -eq 1 ]; ok $? "warnings only: exit 1"
has "warning spf-ptr (ptr.example, 'ptr', offset 7)"; ok $? "  finding line with its location"
has "fix: replace 'ptr'"; ok $? "  fix line"
run --zone "$zone" plusall.example
[ $rc -eq 2 ]; ok $? "an error: exit 2"
has "error   spf-plus-all"; ok $? "  severity column"
run --zone "$zone" timeout.example
[ $rc -eq 2 ]; ok $? "DNS timeout: exit 2"
has "dns-timeout"; ok $? "  dns-timeout reported"

# --- plain output --------------------------------------------------------------
run --zone "$zone" many.example
has "DNS-querying terms: 11 of 10; void lookups: 0 of 2; ends in: -all"; ok $? "lookup summary"
has "    many.example  11 lookups, dnssec secure"; ok $? "tree root with its count"
has "      include:_s.many.example  6 lookups, dnssec secure"; ok $? "include branch with its count"
run --zone "$zone" loop.example
has "include:loop.example  1 lookup [loop]"; ok $? "a loop is marked in the tree"
run --zone "$zone" macro.example
has "include:%{l}.x.macro.example  1 lookup [macro]"; ok $? "a macro target is marked"
run --zone "$zone" sub.good.dm
has "at _dmarc.good.dm (organizational); dnssec secure"; ok $? "DMARC record found at the org"
has "Organizational Domain: good.dm"; ok $? "org domain line"
has "_dmarc.sub.good.dm TXT: nxdomain, secure (dmarc)"; ok $? "DNSSEC state of each answer"
run --zone "$zone" weird.example
[ $rc -eq 2 ] && has '\xc3\xa9\xff\x01"\\ -all'; ok $? "record bytes escaped in plain output"

# --- JSON ----------------------------------------------------------------------
for d in good.dm many.example syntax.example extrua.dm weird.example bogus.example \
    dmarctimeout.dm orphan.psdtld macro.example deep.example nospf.example; do
	run --json --zone "$zone" "$d"
	json_valid; ok $? "$d: valid JSON"
done
run --json --zone "$zone" weird.example
jqtest '.spf.tree.record | test("é")' "valid UTF-8 passes through"
jqtest '.spf.tree.record | test("\u00ff\u0001")' "other bytes become code points"

run --json --zone "$zone" good.dm
jqtest '.version == 1 and .domain == "good.dm" and .grade == "pass" and .exit_code == 0' "top-level fields"
jqtest '.counts == {"error":0,"warning":0,"info":1}' "counts"
jqtest '.findings[0] | (.id == "dmarc-org-domain" and .severity == "info" and (.message|length) > 0 and (.fix|length) > 0 and .location.name == "good.dm")' "a finding's fields"
jqtest '.spf.record == "v=spf1 ip4:192.0.2.1 include:_spf.good.dm -all" and .spf.lookups == 1 and .spf.lookup_limit == 10 and .spf.void_limit == 2 and .spf.all == "-all" and .spf.type99 == false and .spf.dnssec == "secure"' "spf object"
jqtest '.spf.tree | (.domain == "good.dm" and .via == null and .state == "ok" and .strings == 1 and .answer_size > 0 and .record_lookups == 1 and (.children|length) == 1)' "tree root"
jqtest '.spf.tree.children[0] | (.via == "include:_spf.good.dm" and .domain == "_spf.good.dm" and .lookups == 1 and .all == "-all" and .children == [])' "tree child"
jqtest '.dmarc | (.record_domain == "good.dm" and .org_domain == "good.dm" and .source == "author" and .p == "reject" and .sp == null and .policy == "reject" and .effective_policy == "reject" and .testing == false and .adkim == "r" and .rua == ["mailto:dmarc@good.dm"] and .ruf == [] and .dnssec == "secure")' "dmarc object"
jqtest '.dnssec.overall == "secure" and (.dnssec.answers | map(select(.name == "_dmarc.good.dm" and .type == "TXT" and .status == "ok" and .dnssec == "secure" and .role == "dmarc")) | length) == 1' "dnssec object"

run --json --zone "$zone" syntax.example
[ $rc -eq 2 ]; ok $? "--json keeps the exit code"
jqtest '.grade == "fail" and .exit_code == 2' "grade fail"
jqtest '.findings[] | select(.id == "spf-syntax") | .location.offset == 21 and .location.name == "syntax.example"' "syntax offset in the location"
run --json --zone "$zone" many.example
jqtest '.spf.lookups == 11 and .spf.tree.children[0].lookups == 6' "lookup counts"
jqtest '[.findings[].id] | index("spf-too-many-lookups") != null' "too-many-lookups id"
run --json --zone "$zone" bogus.example
jqtest '.dnssec.overall == "bogus" and .spf.tree.state == "dns-error" and (.dnssec.answers[0].why | test("bogus"))' "bogus: state and why"
run --json --zone "$zone" dmarctimeout.dm
jqtest '.dmarc.record == null and .dmarc.org_domain == null and .dmarc.source == "none"' "DMARC timeout: nulls"
run --json --zone "$zone" softtest.example
jqtest '.dmarc.policy == "quarantine" and .dmarc.effective_policy == "none" and .dmarc.testing' "t=y: policy and effective policy"

# --- --list --------------------------------------------------------------------
run --list
[ $rc -eq 0 ] && has "spf-too-many-lookups" && has "dmarc-unauthorized-external-report"; ok $? "--list"
lines=$(wc -l <"$work/out")
run --list --json
json_valid; ok $? "--list --json: valid"
jqtest "length == $lines and (map(.id) | unique | length) == $lines" "--list --json: same checks, unique ids"

# --- usage -----------------------------------------------------------------------
run --zone "$zone"
[ $rc -eq 64 ] && grep -q "a domain is required" "$work/err"; ok $? "no domain: 64"
run --zone "$zone" a.example b.example
[ $rc -eq 64 ]; ok $? "two domains: 64"
run --zone "$zone" "not a domain"
[ $rc -eq 64 ] && grep -q "not a usable mail domain" "$work/err"; ok $? "bad domain: 64"
run --zone "$work/nonexistent" good.dm
[ $rc -eq 64 ]; ok $? "missing zone file: 64"
printf 'x.example BOGUSTYPE 1\n' >"$work/bad.zone"
run --zone "$work/bad.zone" good.dm
[ $rc -eq 64 ] && grep -q "line 1" "$work/err"; ok $? "bad zone file: 64 with the line"
run --zone "$zone" --resolver 127.0.0.1 good.dm
[ $rc -eq 64 ]; ok $? "--zone with --resolver: 64"
run --zone "$zone" --zone "$zone" good.dm
[ $rc -eq 64 ]; ok $? "--zone twice: 64"
run --frobnicate good.dm
[ $rc -eq 64 ]; ok $? "unknown option: 64"
run --timeout 0 good.dm
[ $rc -eq 64 ]; ok $? "bad --timeout: 64"
run --list good.dm
[ $rc -eq 64 ]; ok $? "--list with a domain: 64"
run --help
[ $rc -eq 0 ] && has "usage: spfdmarc check DOMAIN"; ok $? "--help: 0"
run --zone "$zone" --timeout 2 --no-dnssec good.dm
[ $rc -eq 0 ]; ok $? "--timeout and --no-dnssec go with --zone"

# --- valgrind ----------------------------------------------------------------------
if command -v valgrind >/dev/null 2>&1 && [ -x "${top_builddir:-.}/libtool" ] &&
    ! grep -q '^SAN_CFLAGS = .*-fsanitize' "${top_builddir:-.}/Makefile" 2>/dev/null; then
	"${top_builddir:-.}/libtool" --mode=execute valgrind -q --leak-check=full \
	    --error-exitcode=99 "$cli" check --json --zone "$zone" many.example \
	    >"$work/out" 2>"$work/err"
	rc=$?
	[ $rc -eq 2 ]; ok $? "valgrind: clean (exit $rc)"
else
	skip "valgrind not installed, or a sanitizer build"
fi

tap_end
