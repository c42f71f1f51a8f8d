/*
 * spfdmarc/dns_unbound.h: the production DNS backend, libunbound with
 * DNSSEC validation. One resolver per process: a single ub_ctx resolving
 * in libunbound's own thread, its answers delivered by one dispatcher
 * thread of ours, shared by every DNS context of every thread.
 *
 * DNSSEC states of the answers (spfdmarc/dns.h): SECURE when validated
 * from the trust anchor, INSECURE when provably unsigned, BOGUS (status
 * SPFDMARC_DNS_BOGUS, no records, why "DNSSEC bogus: " and libunbound's
 * reason) when validation fails, INDETERMINATE when nothing was validated:
 * DNSSEC off, an unbound.conf whose module-config has no validator, or a
 * failure with no answer to validate (SERVFAIL, timeout).
 */
#ifndef SPFDMARC_DNS_UNBOUND_H
#define SPFDMARC_DNS_UNBOUND_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/dns.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPFDMARC_DNS_DEFAULT_TRUST_ANCHOR "/usr/share/dns/root.key"

struct spfdmarc_dns_unbound_options {
	/* Forward every query to these servers ("ADDR" or "ADDR@PORT",
	 * IPv4 or IPv6 addresses: libunbound does not resolve server
	 * names); none: full recursion from the root. Answers are still
	 * validated here, so the servers must return signatures (a
	 * validating or at least DNSSEC-aware recursive resolver). */
	const char *const *forwarders;
	size_t nforwarders;
	/* Stub zones, for tests: "ZONE=ADDR" or "ZONE=ADDR@PORT" each; the
	 * same zone given twice gets both servers. */
	const char *const *stubs;
	size_t nstubs;
	/* DNSSEC validation (default on: set dnssec_off to disable). Off,
	 * the validator module is not loaded at all (module-config
	 * "iterator", whatever an unbound.conf says), the trust anchor is
	 * ignored and every answer is INDETERMINATE. */
	bool dnssec_off;
	/* Trust anchor file (DS or DNSKEY records, as unbound's
	 * trust-anchor-file); NULL: the unbound.conf's anchors if it has
	 * any, else SPFDMARC_DNS_DEFAULT_TRUST_ANCHOR. A file that cannot
	 * be read is an error naming it. */
	const char *trust_anchor_file;
	/* An unbound.conf applied to the resolver, or NULL. It is read
	 * after spfdmarc's defaults for a mail filter (larger caches, more
	 * outgoing ports) and before the options above, which win. */
	const char *unbound_conf;
	/* The longest wait for one server before libunbound retries
	 * elsewhere, in ms (unbound's infra-cache-max-rtt; 0: libunbound's
	 * 120 s). The time an evaluation waits in all is the DNS context's
	 * budget (struct spfdmarc_dns_limits), whatever this says. Below
	 * 12 s, a server that timed out is forgotten after 30 s
	 * (infra-host-ttl, unless an unbound.conf sets it): unbound would
	 * not probe it again before its 900 s host TTL ran out. */
	unsigned query_timeout_ms;
	/* With validation on, the first query into a zone not seen for
	 * 5 minutes also fetches the zone's DS and DNSKEY at once (the
	 * zone guessed as the name's Organizational Domain by the Public
	 * Suffix List), so that a cold answer validates after one round
	 * trip instead of three. key_prefetch_off: let the validator fetch
	 * them one after the other, when it needs them. */
	bool key_prefetch_off;
	/* Answers (not failures) are kept in the DNS layer for their TTL
	 * (at most 5 minutes) and repeated queries answered from there:
	 * reaching libunbound's own cache costs two thread hops each way.
	 * answer_cache_off: ask libunbound every time. */
	bool answer_cache_off;
	/* libunbound contexts, each resolving and checking signatures in
	 * a thread of its own, each query sent to the one its zone (the
	 * name's Organizational Domain) hashes to; every context has the
	 * whole configuration and a cache of its own. 0: one per CPU.
	 * At most 4. */
	unsigned resolver_threads;
};

/*
 * Create the resolver: the whole configuration is applied and checked now
 * (a bad file or value fails here, not at the first query), and the
 * resolver threads are started with every signal blocked. No query leaves
 * the host before the first lookup. opts NULL: the defaults (full
 * recursion, DNSSEC with the default trust anchor).
 *
 * On failure returns SPFDMARC_ECONFIG (a bad option or file),
 * SPFDMARC_EDNS (libunbound or a thread could not start) or
 * SPFDMARC_ENOMEM, and writes a message into errbuf that names the option
 * or file and includes libunbound's own error text (ub_strerror). For an
 * unbound.conf syntax error libunbound prints the line on standard error.
 *
 * Create it after any fork() (daemonizing): its threads do not survive a
 * fork. Creating it before dropping privileges is right: the trust anchor
 * and the unbound.conf are read here, and the threads follow the
 * process's credentials.
 *
 * Free with spfdmarc_dns_free() once every context using it is freed:
 * contexts cancel their pending queries, and a query still pending then
 * would never complete.
 */
int spfdmarc_dns_unbound_new(struct spfdmarc_dns **out,
    const struct spfdmarc_dns_unbound_options *opts, char *errbuf,
    size_t errsize);

#ifdef __cplusplus
}
#endif

#endif
