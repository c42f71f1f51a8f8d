#!/bin/bash
# selftest.sh -- checks dnsworld.sh end to end: start a world (with an extra child zone and,
# if cc works, the delaying relay), ask unbound-host for the DNSSEC state of each zone,
# NODATA vs NXDOMAIN and the >1232-byte TCP answer, stop, and check no process is left.
# Exit 0 pass, 1 fail, 77 skip (automake) when nsd/ldnsutils/unbound-host are missing.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for t in nsd ldns-signzone drill unbound-host; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/dnsworld-selftest.XXXXXX")
fails=0
trap '"$HERE/dnsworld.sh" stop "$W/world" >/dev/null 2>&1' EXIT

cat >"$W/extra.zone" <<'EOF'
; a new signed child of example., plus a record added to secure.example.
$ORIGIN selftest.example.
@ TXT "v=spf1 -all"
EOF
cat >"$W/extra2.zone" <<'EOF'
$ORIGIN secure.example.
added TXT "added"
EOF

delay=
command -v cc >/dev/null && delay=20
DNSWORLD_QUIET=1 DNSWORLD_DELAY_MS=$delay "$HERE/dnsworld.sh" start "$W/world" "$W/extra.zone" "$W/extra2.zone" ||
	{ echo "FAIL: start"; exit 1; }
. "$W/world/env"

expect() { # TYPE NAME PATTERN
	local out
	out=$(unbound-host -C "$DNSWORLD_UNBOUND_CONF" -v -t "$1" "$2" 2>&1)
	if printf '%s' "$out" | grep -qF -- "$3"; then
		echo "ok   $1 $2: $3"
	else
		echo "FAIL $1 $2: wanted '$3', got: $out"
		fails=$((fails + 1))
	fi
}
expect TXT example '"example. test TLD" (secure)'
expect TXT secure.example '"v=spf1 ip4:127.0.0.0/8 -all" (secure)'
expect TXT insecure.example '"v=spf1 ip4:127.0.0.0/8 -all" (insecure)'
expect TXT bogus.example '(BOGUS (security failure))'
expect TXT bogus.example 'signature expired'
expect TXT bogus2.example '(BOGUS (security failure))'
expect TXT bogus2.example 'no keys have a DS'
expect TXT nodata.secure.example 'has no TXT record (secure)'
expect TXT nx.secure.example 'not found: 3(NXDOMAIN). (secure)'
expect TXT nodata.insecure.example 'has no TXT record (insecure)'
expect TXT nx.insecure.example 'not found: 3(NXDOMAIN). (insecure)'
expect TXT big.secure.example 'ip4:192.0.2.90 ip4:127.0.0.0/8 -all" (secure)'
expect TXT split.secure.example '"v=spf1 " "ip4:192.0.2.0/24 " "-all" (secure)'
expect A alias.secure.example 'has address 127.0.0.2 (secure)'
expect MX secure.example 'handled by 10 mail.secure.example. (secure)'
expect TXT selftest.example '"v=spf1 -all" (secure)'
expect TXT added.secure.example '"added" (secure)'

# the big answer really needs TCP: over UDP with EDNS 1232 NSD sets TC
if drill -D -b 1232 -p "$DNSWORLD_PORT" TXT big.secure.example @"$DNSWORLD_ADDR" | grep -q 'flags: qr aa tc'; then
	echo "ok   big.secure.example is truncated over UDP"
else
	echo "FAIL big.secure.example not truncated over UDP"; fails=$((fails + 1))
fi

"$HERE/dnsworld.sh" stop "$W/world" || { echo "FAIL: stop"; fails=$((fails + 1)); }
left=$(ps -eo stat=,args= | awk -v d="$W/world/" '$1 !~ /^Z/ && index($0, d)' | grep -v awk || true)
if [ -n "$left" ]; then echo "FAIL: left running: $left"; fails=$((fails + 1)); else echo "ok   nothing left running"; fi

[ "$fails" = 0 ] && rm -rf "$W"
[ "$fails" = 0 ] || { echo "$fails failure(s); world kept in $W"; exit 1; }
echo "PASS"
