#!/bin/bash
# genworld.sh -- the benchmark's DNS world and its workload, generated together so that the
# expected verdict of every message follows from how its sender domain is set up.
#
#   genworld.sh OUTDIR [NDOMAINS [NMESSAGES]]      (defaults: 1000 domains, 4000 messages)
#
# Writes OUTDIR/zones/*.zone (dnsworld.sh extra snippets, one signed child zone of example.
# each) and OUTDIR/workload.txt.
#
# Why one zone per domain: real sender domains are registrable domains, each its own zone
# delegated (NS + DS) from a TLD, and the DMARC organizational domain is that zone's apex.
# dN.example. as separate signed children of example. gives the validator the same chain of
# trust per domain (DS in the parent, DNSKEY in the child) and gives both filters the same
# organizational domain: OpenDMARC without a public suffix list takes the From domain as is,
# spfdmarc's RFC 9989 tree walk stops at _dmarc.dN.example. (Names inside one big zone would
# make every DNSKEY/DS lookup a cache hit after the first message: too kind to a cold cache.)
#
# Addresses. Client addresses are data in the milter protocol (SMFIC_CONNECT) and in SPF
# records, never contacted: nothing is sent to them. They are not from 127.0.0.0/8 because
# libspf2 (OpenDMARC's SPF) gives every loopback client a free "pass" without looking at DNS
# ("localhost is always allowed", SPF_request_is_loopback); they come from 198.18.0.0/15,
# the range RFC 2544 reserves for benchmarking, which no filter treats specially.
# Sender domain dI.example (I = 1..NDOMAINS, at most 1000) owns NET(I) = the /26 at
# 198.18.0.0 + 64*I; hosts H+n below are addresses in it. Provider pK owns 198.19.(16K).0/20.
# Failing clients come from 198.19.200.0-198.19.249.255, outside every SPF record.
# SPF shape by I % 5:
#   0  ip4 only                 v=spf1 ip4:NET(I) ALL
#   1  own include chain, 3 deep  v=spf1 include:_i1.dI.example ALL; _i1 -> _i2 -> _i3 (ip4)
#   2  shared provider, 3 deep  v=spf1 ip4:NET(I) include:_spf.pK.example ALL
#                               (_spf.pK -> _n1.pK -> _n2.pK -> ip4:198.19.(16K).0/20)
#   3  a and mx                 v=spf1 a mx ALL   (dI A H+11; MX mail.dI, A H+12)
#   4  mixed                    v=spf1 mx a:out.dI.example ip4:(upper /27 of NET(I)) ALL
#                               (out.dI A H+13)
# ALL is -all when (I/3) % 2 == 0, else ~all.
# DMARC by (I * 7) % 10: 0-2 p=reject, 3-4 p=quarantine, 5-7 p=none, 8 no record,
# 9 p=reject with rua (same-domain report address: no external-destination lookup).
#
# Workload line (whitespace separated, '#' comments):
#   CLIENT_IP HELO MAIL_FROM FROM_DOMAIN SPF DMARC ACTION
#   SPF pass|fail|softfail, DMARC pass|fail|none, ACTION accept|quarantine|reject.
# The first NDOMAINS lines name every domain once (a cold-cache run takes exactly those);
# about 30% of the messages come from failing clients.
set -eu
OUT=${1:?usage: genworld.sh OUTDIR [NDOMAINS [NMESSAGES]]}
ND=${2:-1000}
NM=${3:-4000}
NP=10
case "$ND" in *[!0-9]* | "" | 0) echo "genworld: NDOMAINS must be 1..1000" >&2; exit 2 ;; esac
[ "$ND" -le 1000 ] || { echo "genworld: NDOMAINS must be 1..1000 (address plan)" >&2; exit 2; }
mkdir -p "$OUT/zones"
rm -f "$OUT"/zones/*.zone
awk -v out="$OUT" -v nd="$ND" -v nm="$NM" -v np="$NP" '
# host n of domain i (in its /26), the /26, its upper /27, provider k /20
function host(i, n,  b) { b = i * 64; return "198.18." int(b / 256) "." (b % 256 + n) }
function net(i) { return host(i, 0) "/26" }
function upper(i) { return host(i, 32) "/27" }
function pnet(k) { return "198.19." (16 * k) ".0/20" }
function allq(i) { return (int(i / 3) % 2 == 0) ? "-all" : "~all" }
function dpol(i,  j) { j = (i * 7) % 10; return j <= 2 || j == 9 ? "reject" : j <= 4 ? "quarantine" : j <= 7 ? "none" : "" }
function pass_ip(i, k,  s) {
	s = i % 5
	if (s == 3) return host(i, k % 2 ? 12 : 11)
	if (s == 4) return host(i, k % 3 == 0 ? 13 : k % 3 == 1 ? 12 : 32 + k % 32)
	if (s == 2 && k % 2) return "198.19." (16 * (i % np + 1) + i % 16) "." (k % 250 + 1)
	return host(i, 1 + k % 60)
}
BEGIN {
	for (k = 1; k <= np; k++) {
		f = out "/zones/p" k ".example.zone"
		print "$ORIGIN p" k ".example." > f
		print "_spf TXT \"v=spf1 include:_n1.p" k ".example -all\"" > f
		print "_n1 TXT \"v=spf1 include:_n2.p" k ".example -all\"" > f
		print "_n2 TXT \"v=spf1 ip4:" pnet(k) " -all\"" > f
		close(f)
	}
	for (i = 1; i <= nd; i++) {
		d = "d" i ".example"
		f = out "/zones/" d ".zone"
		a = allq(i); s = i % 5
		print "$ORIGIN " d "." > f
		print "@ A " host(i, 11) > f
		print "@ MX 10 mail" > f
		print "mail A " host(i, 12) > f
		print "out A " host(i, 13) > f
		if (s == 0) spf = "v=spf1 ip4:" net(i) " " a
		if (s == 1) {
			spf = "v=spf1 include:_i1." d " " a
			print "_i1 TXT \"v=spf1 include:_i2." d " -all\"" > f
			print "_i2 TXT \"v=spf1 include:_i3." d " -all\"" > f
			print "_i3 TXT \"v=spf1 ip4:" net(i) " -all\"" > f
		}
		if (s == 2) spf = "v=spf1 ip4:" net(i) " include:_spf.p" (i % np + 1) ".example " a
		if (s == 3) spf = "v=spf1 a mx " a
		if (s == 4) spf = "v=spf1 mx a:out." d " ip4:" upper(i) " " a
		print "@ TXT \"" spf "\"" > f
		p = dpol(i)
		if (p != "") {
			rec = "v=DMARC1; p=" p
			if ((i * 7) % 10 == 9) rec = rec "; rua=mailto:dmarc-reports@" d
			print "_dmarc TXT \"" rec "\"" > f
		}
		close(f)
	}
	wl = out "/workload.txt"
	print "# client_ip helo mail_from from_domain spf dmarc action (genworld.sh " nd " " nm ")" > wl
	for (k = 0; k < nm; k++) {
		# every domain once first, in a scrambled order; then a deterministic mix
		i = (k < nd) ? ((k * 389) % nd) + 1 : ((k * 7919 + int(k / nd) * 13) % nd) + 1
		d = "d" i ".example"
		bad = (k * 37 % 100) < 30
		if (bad) { ip = "198.19." (200 + k % 50) "." (int(k / 50) % 250 + 1); spfr = allq(i) == "-all" ? "fail" : "softfail" }
		else { ip = pass_ip(i, k); spfr = "pass" }
		p = dpol(i)
		if (p == "") { dm = "none"; act = "accept" }
		else if (spfr == "pass") { dm = "pass"; act = "accept" }
		else { dm = "fail"; act = p == "none" ? "accept" : p }
		printf "%s mail.%s user%d@%s %s %s %s %s\n", ip, d, k % 97, d, d, spfr, dm, act > wl
	}
	close(wl)
}'
echo "genworld: $ND domains + $NP providers in $OUT/zones, $NM messages in $OUT/workload.txt" >&2
