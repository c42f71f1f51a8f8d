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
# Sender domains dI.example (I = 1..NDOMAINS) own 127.A.B.0/24, A = 1 + I/256, B = I%256.
# SPF shape by I % 5:
#   0  ip4 only                 v=spf1 ip4:127.A.B.0/24 ALL
#   1  own include chain, 3 deep  v=spf1 include:_i1.dI.example ALL; _i1 -> _i2 -> _i3 (ip4)
#   2  shared provider, 3 deep  v=spf1 ip4:127.A.B.0/24 include:_spf.pK.example ALL
#                               (_spf.pK -> _n1.pK -> _n2.pK -> ip4:127.(100+K).0.0/16)
#   3  a and mx                 v=spf1 a mx ALL   (dI A 127.A.B.11; MX mail.dI A 127.A.B.12)
#   4  mixed                    v=spf1 mx a:out.dI.example ip4:127.A.B.128/25 ALL
# ALL is -all when (I/3) % 2 == 0, else ~all.
# DMARC by (I * 7) % 10: 0-2 p=reject, 3-4 p=quarantine, 5-7 p=none, 8 no record,
# 9 p=reject with rua (same-domain report address: no external-destination lookup).
#
# Workload line (whitespace separated, '#' comments):
#   CLIENT_IP HELO MAIL_FROM FROM_DOMAIN SPF DMARC ACTION
#   SPF pass|fail|softfail, DMARC pass|fail|none, ACTION accept|quarantine|reject.
# The first NDOMAINS lines name every domain once (a cold-cache run takes exactly those);
# about 30% of the messages come from 127.200.X.Y, outside every domain's networks.
set -eu
OUT=${1:?usage: genworld.sh OUTDIR [NDOMAINS [NMESSAGES]]}
ND=${2:-1000}
NM=${3:-4000}
NP=10
mkdir -p "$OUT/zones"
rm -f "$OUT"/zones/*.zone
awk -v out="$OUT" -v nd="$ND" -v nm="$NM" -v np="$NP" '
function net(i) { return "127." (1 + int(i / 256)) "." (i % 256) }
function allq(i) { return (int(i / 3) % 2 == 0) ? "-all" : "~all" }
function dpol(i,  j) { j = (i * 7) % 10; return j <= 2 || j == 9 ? "reject" : j <= 4 ? "quarantine" : j <= 7 ? "none" : "" }
function pass_ip(i, k,  s) {
	s = i % 5
	if (s == 3) return net(i) "." (k % 2 ? 12 : 11)
	if (s == 4) return net(i) "." (k % 3 == 0 ? 13 : k % 3 == 1 ? 12 : 200)
	if (s == 2 && k % 2) return "127." (100 + i % np + 1) "." (i % 256) "." (k % 250 + 1)
	return net(i) "." (10 + k % 100)
}
BEGIN {
	for (k = 1; k <= np; k++) {
		f = out "/zones/p" k ".example.zone"
		print "$ORIGIN p" k ".example." > f
		print "_spf TXT \"v=spf1 include:_n1.p" k ".example -all\"" > f
		print "_n1 TXT \"v=spf1 include:_n2.p" k ".example -all\"" > f
		print "_n2 TXT \"v=spf1 ip4:127." (100 + k) ".0.0/16 -all\"" > f
		close(f)
	}
	for (i = 1; i <= nd; i++) {
		d = "d" i ".example"
		f = out "/zones/" d ".zone"
		n = net(i); a = allq(i); s = i % 5
		print "$ORIGIN " d "." > f
		print "@ A " n ".11" > f
		print "@ MX 10 mail" > f
		print "mail A " n ".12" > f
		print "out A " n ".13" > f
		if (s == 0) spf = "v=spf1 ip4:" n ".0/24 " a
		if (s == 1) {
			spf = "v=spf1 include:_i1." d " " a
			print "_i1 TXT \"v=spf1 include:_i2." d " -all\"" > f
			print "_i2 TXT \"v=spf1 include:_i3." d " -all\"" > f
			print "_i3 TXT \"v=spf1 ip4:" n ".0/24 -all\"" > f
		}
		if (s == 2) spf = "v=spf1 ip4:" n ".0/24 include:_spf.p" (i % np + 1) ".example " a
		if (s == 3) spf = "v=spf1 a mx " a
		if (s == 4) spf = "v=spf1 mx a:out." d " ip4:" n ".128/25 " a
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
		if (bad) { ip = "127.200." (k % 250 + 1) "." (int(k / 250) % 250 + 1); spfr = allq(i) == "-all" ? "fail" : "softfail" }
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
