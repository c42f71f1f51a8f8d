#!/bin/bash
# dnsworld.sh -- a small DNSSEC-signed DNS hierarchy served by NSD on loopback.
#
#   dnsworld.sh start  DIR [EXTRA.zone ...]   generate keys, sign, start NSD; write DIR/env
#   dnsworld.sh stop   DIR                     stop what "start" started (idempotent; DIR is kept)
#   dnsworld.sh status DIR                     exit 0 if running
#   dnsworld.sh delay  DIR MS                  change the delay of a running delayer (see below)
#
# Hierarchy (zone apexes are fixed; tests rely on them). All zones are served by one NSD
# on 127.0.0.1:PORT (a random free port, never 53); DIR/unbound.conf has one stub-zone
# per zone pointing there, because NSD referrals carry no port.
#
#   .                  signed (own KSK+ZSK); trust anchor DIR/root.ds; delegates example. (DS)
#   example.           signed; holds ns.example. A 127.0.0.1 (every NS is ns.example.)
#     secure.example.    signed, DS in example.                       -> secure
#     insecure.example.  unsigned, NS only in example.                -> insecure
#     bogus.example.     signed with RRSIGs that expired, DS          -> bogus (expired)
#     bogus2.example.    signed, DS for a key the zone does not use   -> bogus (wrong DS)
#
# Each of secure/insecure/bogus/bogus2.example. holds: @ TXT "v=spf1 ip4:127.0.0.0/8 -all",
# _dmarc TXT "v=DMARC1; p=reject", www A 127.0.0.2 + AAAA ::1, mail A 127.0.0.3, @ MX 10 mail,
# split (one TXT in 3 strings), medium (one ~560-byte SPF TXT: > 512, < 1232), big (one
# ~1370-byte SPF TXT: TC over UDP even with EDNS 1232 -> TCP), nodata (A only: NODATA for
# TXT), alias CNAME www, zone TXT "<label>". Any other name (e.g. nx.) is NXDOMAIN.
#
# The records of each zone live in zones/<zone>.zone next to this script ("root.zone" for
# "."); the script prepends $ORIGIN/$TTL/SOA/NS, the glue and the delegations, appends
# the extra snippets and signs with ldns-signzone (fresh ECDSAP256SHA256 keys every start).
#
# Extra snippets: each EXTRA.zone must start (comments/blank lines aside) with
# "$ORIGIN name." and is appended to a zone before signing:
#   - name is an existing zone (e.g. "$ORIGIN secure.example.")  -> appended to that zone;
#   - name is a new child of example. or of the root (e.g. "$ORIGIN spftest.example." or
#     "$ORIGIN example.com.")  -> a new zone, signed, delegated with NS+DS from example.
#     (resp. from "."), with its own stub-zone; put "; dnsworld: unsigned" in the file to
#     get an unsigned zone delegated without DS (insecure) instead;
#   - name is deeper inside an existing zone (e.g. "$ORIGIN a.b.secure.example.") ->
#     appended to that zone; "; dnsworld: zone" in the file makes it a new signed zone
#     delegated from the closest enclosing zone instead.
#   Several snippets may name the same origin. A new zone gets SOA and NS from the script.
#
# DIR/env (sourceable) sets DNSWORLD_DIR, DNSWORLD_ADDR (127.0.0.1), DNSWORLD_PORT (the port
# resolvers must query), DNSWORLD_NSD_PORT, DNSWORLD_NSD_PID, DNSWORLD_DELAY_MS,
# DNSWORLD_ANCHOR (DIR/root.ds, DS format), DNSWORLD_ANCHOR_KEY (DIR/root.key, root DNSKEYs, for drill -k),
# DNSWORLD_UNBOUND_CONF (DIR/unbound.conf, validating), DNSWORLD_UNBOUND_CONF_NOVALIDATE
# (same stubs, iterator only), DNSWORLD_ZONES (all zone apexes).
#
# Delay: DNSWORLD_DELAY_MS=N dnsworld.sh start ... puts dnsdelay (dnsdelay.c next to this
# script, compiled into DIR, or the binary named by $DNSDELAY) in front of NSD: a UDP+TCP
# relay that holds every answer N ms. DNSWORLD_PORT is then the relay's port. N < 0 makes
# it drop all answers (timeouts). "dnsworld.sh delay DIR N" changes N while running.
# (DNSWORLD_DELAY_MS=0 starts the relay with no delay, so that the delay can be raised later.)
# DNSWORLD_QUIET=1 silences the progress messages on stderr.
#
# Needs: nsd, ldns-keygen, ldns-key2ds, ldns-signzone, drill (ldnsutils), cc for the delayer.
# Runs as root or not; never touches /etc or port 53. Check with e.g.
#   unbound-host -C DIR/unbound.conf -v -t TXT secure.example    -> ... (secure)
set -eu

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ZONEBODIES="$HERE/zones"
ADDR=127.0.0.1
ALG=ECDSAP256SHA256

die() { echo "dnsworld: $*" >&2; exit 1; }
log() { [ -n "${DNSWORLD_QUIET:-}" ] || echo "dnsworld: $*" >&2; }

# --- helpers -----------------------------------------------------------------------------

# lower-case, absolute (trailing dot) form of a domain name
canon() {
	local n
	n=$(printf '%s' "$1" | tr "[:upper:]" "[:lower:]")
	case "$n" in *.) ;; *) n="$n." ;; esac
	case "$n" in ..) n=. ;; esac
	printf '%s' "$n"
}
# file-name stem of a zone: "." -> root, "secure.example." -> secure.example
stem() { if [ "$1" = . ]; then echo root; else echo "${1%.}"; fi; }
# parent name: "a.b." -> "b.", "b." -> "."
parent_name() { local p=${1#*.}; [ -n "$p" ] && echo "$p" || echo .; }
# number of labels
depth() { if [ "$1" = . ]; then echo 0; else local d=${1//[^.]/}; echo ${#d}; fi; }

# Is a local UDP or TCP port (IPv4 or IPv6, any state) in use? Reads /proc, so it needs
# neither ss nor netstat.
port_in_use() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h="$hex" 'FNR > 1 { split($2, a, ":"); if (a[2] == h) f = 1 } END { exit !f }' \
		/proc/net/udp /proc/net/tcp /proc/net/udp6 /proc/net/tcp6 2>/dev/null
}
pick_port() {
	local i p
	for i in $(seq 1 500); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	return 1
}

# alive = exists and is not a zombie (daemons are reparented to pid 1, which may reap late)
pid_alive() {
	local st
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	st=$(sed -E "s/^.*\) ([A-Za-z]).*/\1/" "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ] && [ -n "$st" ]
}
# does /proc/PID/cmdline contain STRING (checks a pid from a pidfile is still ours)
pid_matches() {
	local -a a
	[ -r "/proc/$1/cmdline" ] || return 1
	mapfile -t -d "" a <"/proc/$1/cmdline" 2>/dev/null || return 1
	[[ " ${a[*]} " == *"$2"* ]]
}

# TERM a pid (if it is still the process described by MATCH), wait up to ~5 s, then KILL
stop_pid() {
	local pid=$1 match=$2 i
	pid_alive "$pid" && pid_matches "$pid" "$match" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 50); do pid_alive "$pid" || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	for i in $(seq 1 20); do pid_alive "$pid" || return 0; sleep 0.1; done
	echo "dnsworld: pid $pid did not exit" >&2
	return 1
}
# pids whose command line contains MATCH (used only with DIR-specific strings)
pids_matching() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" != $$ ] && pid_matches "$p" "$1" && echo "$p"
	done 2>/dev/null || true
}

# --- start ---------------------------------------------------------------------------------

declare -a ZONES=()        # zone apexes, parents before children
declare -A MODE=()         # zone -> secure | unsigned | expired | wrongds
declare -A EXTRAS=()       # zone -> newline-separated extra snippet files
declare -A DSREC=()        # zone -> DS records to put in the parent
declare -A CHILDREN=()     # zone -> space-separated child zones

add_zone() {
	ZONES+=("$1"); MODE[$1]=$3; EXTRAS[$1]=""
	[ -z "$2" ] || CHILDREN[$2]="${CHILDREN[$2]:-} $1"
}
have_zone() { [ -n "${MODE[$1]+x}" ]; }

# read and classify the extra snippets (see the header comment)
classify_extras() {
	local f origin list="" d o e flagzone flagunsigned
	for f in "$@"; do
		[ -r "$f" ] || die "extra snippet $f not readable"
		origin=$(awk '/^[ \t]*(;.*)?$/ { next } { if (toupper($1) == "$ORIGIN") print $2; exit }' "$f")
		[ -n "$origin" ] || die "$f: first record line must be \$ORIGIN name."
		origin=$(canon "$origin")
		list="$list$(depth "$origin") $origin $(cd "$(dirname "$f")" && pwd)/$(basename "$f")"$'\n'
	done
	# shallow origins first, so "x.example." exists before "a.x.example." is classified
	while read -r d o f; do
		[ -n "$o" ] || continue
		if grep -qiE '^[[:space:]]*;+[[:space:]]*dnsworld:[[:space:]]*zone' "$f"; then flagzone=1; else flagzone=0; fi
		if grep -qiE '^[[:space:]]*;+[[:space:]]*dnsworld:[[:space:]]*unsigned' "$f"; then flagunsigned=1; else flagunsigned=0; fi
		if ! have_zone "$o"; then
			e=$(parent_name "$o")
			while ! have_zone "$e"; do e=$(parent_name "$e"); done
			if [ "$e" = . ] || [ "$e" = example. ] || [ "$flagzone" = 1 ]; then
				if [ "$flagunsigned" = 1 ]; then add_zone "$o" "$e" unsigned; else add_zone "$o" "$e" secure; fi
				log "extra zone $o (${MODE[$o]}) delegated from $e"
			else
				o=$e
			fi
		fi
		EXTRAS[$o]="${EXTRAS[$o]}$f"$'\n'
	done < <(printf '%s' "$list" | sort -s -n -k1,1)
}

# generate a key: prints the key basename (relative to DIR/keys)
keygen() { (cd "$DIR/keys" && ldns-keygen -a "$ALG" ${2:+-k} -r /dev/urandom "$1"); }

# write DIR/zones/STEM.zone: header + body + delegations + extras
write_zone() {
	local z=$1 st c f
	st=$(stem "$z")
	{
		printf '; generated by dnsworld.sh -- do not edit\n$ORIGIN %s\n$TTL 300\n' "$z"
		printf '@ IN SOA ns.example. hostmaster.example. %s 3600 600 86400 300\n' "$SERIAL"
		printf '@ IN NS ns.example.\n'
		# ns.example. is authoritative data in example. and glue in the root
		case "$z" in .|example.) printf 'ns.example. IN A %s\n' "$ADDR" ;; esac
		for c in ${CHILDREN[$z]:-}; do
			printf '%s IN NS ns.example.\n' "$c"
			[ -z "${DSREC[$c]:-}" ] || printf '%s\n' "${DSREC[$c]}"
		done
		if [ -r "$ZONEBODIES/$st.zone" ]; then
			printf '\n; ---- %s\n$ORIGIN %s\n' "$ZONEBODIES/$st.zone" "$z"
			cat "$ZONEBODIES/$st.zone"
		fi
		while IFS= read -r f; do
			[ -n "$f" ] || continue
			printf '\n; ---- extra %s\n' "$f"
			cat "$f"
			printf '\n'
		done <<<"${EXTRAS[$z]}"
	} >"$DIR/zones/$st.zone"
}

# does NSD load it? (fail fast, with its messages, instead of waiting for an NSD that will not serve)
check_zone() {
	local out
	out=$(nsd-checkzone "$1" "$2.signed" 2>&1) || { printf "%s\n" "$out" >&2; die "zone $1 does not load ($2.zone)"; }
}

# sign zone z (children must be done: their DS records go into this zone)
sign_zone() {
	local z=$1 st ksk zsk other inc exp
	st=$(stem "$z")
	write_zone "$z"
	if [ "${MODE[$z]}" = unsigned ]; then
		cp "$DIR/zones/$st.zone" "$DIR/zones/$st.signed"
		check_zone "$z" "$DIR/zones/$st"
		return 0
	fi
	ksk=$(keygen "$z" k)
	zsk=$(keygen "$z")
	inc=$(date -u -d "@$((NOW - 3600))" +%Y%m%d%H%M%S)
	exp=$(date -u -d "@$((NOW + 30 * 86400))" +%Y%m%d%H%M%S)
	if [ "${MODE[$z]}" = expired ]; then
		inc=$(date -u -d "@$((NOW - 30 * 86400))" +%Y%m%d%H%M%S)
		exp=$(date -u -d "@$((NOW - 2 * 86400))" +%Y%m%d%H%M%S)
	fi
	(cd "$DIR/keys" && ldns-signzone -i "$inc" -e "$exp" -o "$z" -f "$DIR/zones/$st.signed" \
		"$DIR/zones/$st.zone" "$ksk" "$zsk") || die "ldns-signzone failed for $z"
	check_zone "$z" "$DIR/zones/$st"
	if [ "${MODE[$z]}" = wrongds ]; then
		# a DS for a KSK that exists nowhere in the zone
		other=$(keygen "$z" k)
		DSREC[$z]=$(cd "$DIR/keys" && ldns-key2ds -n -2 "$other.key")
	else
		DSREC[$z]=$(cd "$DIR/keys" && ldns-key2ds -n -2 "$ksk.key")
	fi
	if [ "$z" = . ]; then
		printf '%s\n' "${DSREC[$z]}" >"$DIR/root.ds"
		grep -h DNSKEY "$DIR/keys/$ksk.key" "$DIR/keys/$zsk.key" >"$DIR/root.key"
	fi
}

write_nsd_conf() {
	local z st
	{
		cat <<EOF
# generated by dnsworld.sh
server:
	ip-address: $ADDR
	port: $NSD_PORT
	do-ip4: yes
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$DIR/zones"
	database: ""
	zonelistfile: "$DIR/nsd/zone.list"
	xfrdfile: "$DIR/nsd/xfrd.state"
	xfrdir: "$DIR/nsd"
	pidfile: "$DIR/nsd/nsd.pid"
	logfile: "$DIR/nsd/nsd.log"
	verbosity: 1
	hide-version: yes
	identity: "dnsworld"
	tcp-count: 256
	refuse-any: no
	# Debian builds NSD with response rate limiting (200/s by default):
	# tests and benchmarks send far more than that on loopback.
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
EOF
		for z in "${ZONES[@]}"; do
			st=$(stem "$z")
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.signed"\n' "$z" "$st"
		done
	} >"$DIR/nsd/nsd.conf"
}

write_unbound_conf() {
	local f=$1 validate=$2 z
	{
		cat <<EOF
# generated by dnsworld.sh: libunbound (ub_ctx_config) / unbound-host -C configuration
# resolving only the dnsworld on $ADDR@$PORT; no system resolver, no real root.
server:
	do-not-query-localhost: no
	do-ip6: no
	do-ip4: yes
	do-udp: yes
	do-tcp: yes
	username: ""
	chroot: ""
	directory: "$DIR"
	target-fetch-policy: "0 0 0 0 0"
	harden-referral-path: no
	harden-glue: yes
	harden-dnssec-stripped: yes
	harden-below-nxdomain: yes
	qname-minimisation: no
	prefetch: no
	edns-buffer-size: 1232
EOF
		if [ "$validate" = 1 ]; then
			cat <<EOF
	module-config: "validator iterator"
	trust-anchor-file: "$DIR/root.ds"
	val-log-level: 2
	val-permissive-mode: no
EOF
		else
			printf '\tmodule-config: "iterator"\n'
		fi
		for z in "${ZONES[@]}"; do
			printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: %s@%s\n\tstub-prime: no\n' "$z" "$ADDR" "$PORT"
		done
	} >"$f"
}

# wait until NSD answers authoritatively for every zone (bounded)
wait_answering() {
	local port=$1 tries=$2 z out ok i
	for i in $(seq 1 "$tries"); do
		ok=1
		for z in "${ZONES[@]}"; do
			out=$(drill -Q -p "$port" SOA "$z" @"$ADDR" 2>/dev/null) || { ok=0; break; }
			case "$out" in *hostmaster.example.*) ;; *) ok=0; break ;; esac
		done
		[ "$ok" = 1 ] && return 0
		pid_alive "$(cat "$DIR/nsd/nsd.pid" 2>/dev/null || true)" || [ "$i" -lt 10 ] || return 1
		sleep 0.1
	done
	return 1
}

start_nsd() {
	local attempt pid
	for attempt in 1 2 3 4 5; do
		NSD_PORT=$(pick_port) || die "no free port"
		write_nsd_conf
		nsd-checkconf "$DIR/nsd/nsd.conf" || die "bad nsd.conf"
		rm -f "$DIR/nsd/nsd.pid"
		if nsd -c "$DIR/nsd/nsd.conf" 2>>"$DIR/nsd/nsd.stderr" && wait_answering "$NSD_PORT" 100; then
			return 0
		fi
		# lost a race for the port (or worse): clean up and retry
		pid=$(cat "$DIR/nsd/nsd.pid" 2>/dev/null || true)
		[ -z "$pid" ] || stop_pid "$pid" "nsd -c $DIR/nsd/nsd.conf " || true
		for pid in $(pids_matching "nsd -c $DIR/nsd/nsd.conf "); do stop_pid "$pid" "nsd -c $DIR/nsd/nsd.conf " || true; done
		log "nsd did not come up on port $NSD_PORT (attempt $attempt), see $DIR/nsd/nsd.log"
	done
	tail -n 20 "$DIR/nsd/nsd.log" "$DIR/nsd/nsd.stderr" >&2 2>/dev/null || true
	die "could not start nsd"
}

start_delay() {
	local bin=${DNSDELAY:-} i
	if [ -z "$bin" ]; then
		bin="$DIR/dnsdelay"
		cc -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$HERE/dnsdelay.c" || die "cannot compile dnsdelay.c"
	fi
	[ -x "$bin" ] || die "dnsdelay binary $bin not executable"
	printf '%s\n' "$DELAY_MS" >"$DIR/delay/delay_ms"
	rm -f "$DIR/delay/port" "$DIR/delay/pid"
	# dnsdelay binds UDP+TCP on the same free port itself and writes it to the port file
	"$bin" -a "$ADDR" -u "$NSD_PORT" -d "$DELAY_MS" -f "$DIR/delay/delay_ms" \
		-P "$DIR/delay/pid" -o "$DIR/delay/port" </dev/null >>"$DIR/delay/log" 2>&1 &
	for i in $(seq 1 100); do
		[ -s "$DIR/delay/port" ] && [ -s "$DIR/delay/pid" ] && break
		sleep 0.05
	done
	[ -s "$DIR/delay/port" ] || die "dnsdelay did not start (see $DIR/delay/log)"
	PORT=$(cat "$DIR/delay/port")
}

cmd_start() {
	local z i t

	for t in nsd nsd-checkconf nsd-checkzone ldns-keygen ldns-signzone ldns-key2ds drill; do
		command -v "$t" >/dev/null || die "$t not found: need packages nsd and ldnsutils"
	done
	if cmd_status >/dev/null 2>&1; then die "already running in $DIR (stop it first)"; fi

	mkdir -p "$DIR"
	DIR=$(cd "$DIR" && pwd -P)
	rm -rf "$DIR/keys" "$DIR/zones" "$DIR/nsd" "$DIR/delay"
	rm -f "$DIR/env" "$DIR/unbound.conf" "$DIR/unbound-novalidate.conf" "$DIR/root.ds" "$DIR/root.key"
	mkdir -p "$DIR/keys" "$DIR/zones" "$DIR/nsd" "$DIR/delay"
	NOW=$(date -u +%s)
	SERIAL=$NOW

	add_zone . "" secure
	add_zone example. . secure
	add_zone secure.example. example. secure
	add_zone insecure.example. example. unsigned
	add_zone bogus.example. example. expired
	add_zone bogus2.example. example. wrongds
	classify_extras "$@"

	# sign children before parents (deepest first), so DS records are known
	for i in $(for z in "${ZONES[@]}"; do echo "$(depth "$z") $z"; done | sort -rn -k1,1 | cut -d' ' -f2); do
		sign_zone "$i"
	done

	# on any failure below, stop what we started
	trap 'cmd_stop >/dev/null 2>&1 || true' EXIT
	start_nsd
	PORT=$NSD_PORT
	DELAY_MS=${DNSWORLD_DELAY_MS:-}
	case "$DELAY_MS" in "" | -[0-9]* | [0-9]*) ;; *) die "DNSWORLD_DELAY_MS must be an integer" ;; esac
	[ -z "$DELAY_MS" ] || start_delay

	write_unbound_conf "$DIR/unbound.conf" 1
	write_unbound_conf "$DIR/unbound-novalidate.conf" 0
	{
		printf '# generated by dnsworld.sh start\n'
		printf 'DNSWORLD_DIR=%q\n' "$DIR"
		printf 'DNSWORLD_ADDR=%q\n' "$ADDR"
		printf 'DNSWORLD_PORT=%q\n' "$PORT"
		printf 'DNSWORLD_NSD_PORT=%q\n' "$NSD_PORT"
		printf 'DNSWORLD_NSD_PID=%q\n' "$(cat "$DIR/nsd/nsd.pid")"
		printf 'DNSWORLD_DELAY_MS=%q\n' "$DELAY_MS"
		printf 'DNSWORLD_ANCHOR=%q\n' "$DIR/root.ds"
		printf 'DNSWORLD_ANCHOR_KEY=%q\n' "$DIR/root.key"
		printf 'DNSWORLD_UNBOUND_CONF=%q\n' "$DIR/unbound.conf"
		printf 'DNSWORLD_UNBOUND_CONF_NOVALIDATE=%q\n' "$DIR/unbound-novalidate.conf"
		printf 'DNSWORLD_ZONES=%q\n' "${ZONES[*]}"
		printf 'export DNSWORLD_DIR DNSWORLD_ADDR DNSWORLD_PORT DNSWORLD_NSD_PORT DNSWORLD_NSD_PID DNSWORLD_DELAY_MS\n'
		printf 'export DNSWORLD_ANCHOR DNSWORLD_ANCHOR_KEY DNSWORLD_UNBOUND_CONF DNSWORLD_UNBOUND_CONF_NOVALIDATE DNSWORLD_ZONES\n'
	} >"$DIR/env"
	trap - EXIT
	log "up: nsd on $ADDR@$NSD_PORT${DELAY_MS:+, delayed ${DELAY_MS}ms via $ADDR@$PORT}; source $DIR/env"
}

# --- stop / status -------------------------------------------------------------------------

cmd_stop() {
	local pid rc=0
	[ -d "$DIR" ] || return 0
	DIR=$(cd "$DIR" && pwd -P)
	pid=$(cat "$DIR/delay/pid" 2>/dev/null || true)
	[ -z "$pid" ] || stop_pid "$pid" "-P $DIR/delay/pid " || rc=1
	pid=$(cat "$DIR/nsd/nsd.pid" 2>/dev/null || true)
	[ -z "$pid" ] || stop_pid "$pid" "nsd -c $DIR/nsd/nsd.conf " || rc=1
	# NSD's children (xfrd, server) exit with the main process; make sure of it
	for pid in $(pids_matching "nsd -c $DIR/nsd/nsd.conf "); do stop_pid "$pid" "nsd -c $DIR/nsd/nsd.conf " || rc=1; done
	rm -f "$DIR/delay/pid"
	return $rc
}

cmd_status() {
	local pid
	[ -d "$DIR" ] || { echo "stopped"; return 1; }
	DIR=$(cd "$DIR" && pwd -P)
	pid=$(cat "$DIR/nsd/nsd.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && pid_alive "$pid" && pid_matches "$pid" "nsd -c $DIR/nsd/nsd.conf "; then
		echo "running: nsd pid $pid"
		pid=$(cat "$DIR/delay/pid" 2>/dev/null || true)
		if [ -n "$pid" ] && pid_alive "$pid" && pid_matches "$pid" "-P $DIR/delay/pid "; then echo "running: dnsdelay pid $pid"; fi
		return 0
	fi
	echo "stopped"
	return 1
}

cmd_delay() {
	local ms=$1 pid
	case "$ms" in -[0-9]* | [0-9]*) ;; *) die "delay must be an integer (ms; < 0 drops answers)" ;; esac
	DIR=$(cd "$DIR" && pwd -P)
	pid=$(cat "$DIR/delay/pid" 2>/dev/null || true)
	if [ -z "$pid" ] || ! pid_alive "$pid" || ! pid_matches "$pid" "-P $DIR/delay/pid "; then
		die "no delayer running in $DIR (start with DNSWORLD_DELAY_MS=N)"
	fi
	printf '%s\n' "$ms" >"$DIR/delay/delay_ms"
	kill -HUP "$pid"
}

[ $# -ge 2 ] || die "usage: $0 start|stop|status|delay DIR [args...]"
CMD=$1
DIR=$2
shift 2
case "$CMD" in
start) cmd_start "$@" ;;
stop) cmd_stop ;;
status) cmd_status ;;
delay) [ $# -eq 1 ] || die "usage: $0 delay DIR MS"; cmd_delay "$1" ;;
*) die "unknown command $CMD" ;;
esac
