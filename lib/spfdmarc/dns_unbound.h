/*
 * spfdmarc/dns_unbound.h: the production DNS backend, libunbound with
 * DNSSEC validation. One resolver per process: a single ub_ctx driven
 * asynchronously by a resolver thread, shared by every DNS context.
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
	/* Forward every query to these servers ("HOST" or "HOST@PORT",
	 * IPv4 or IPv6 literals); none: full recursion from the root. */
	const char *const *forwarders;
	size_t nforwarders;
	/* Stub zones, for tests: "ZONE=HOST@PORT" each. */
	const char *const *stubs;
	size_t nstubs;
	/* DNSSEC validation (default on: set dnssec_off to disable). */
	bool dnssec_off;
	/* Trust anchor file (DS or DNSKEY records, as unbound's
	 * trust-anchor-file); NULL: SPFDMARC_DNS_DEFAULT_TRUST_ANCHOR. */
	const char *trust_anchor_file;
	/* An unbound.conf applied to the resolver, or NULL. */
	const char *unbound_conf;
	/* Per-query timeout in ms (0: libunbound's own). */
	unsigned query_timeout_ms;
};

/*
 * Create the resolver. On failure returns an error code and writes
 * libunbound's own message (or ours) into errbuf.
 */
int spfdmarc_dns_unbound_new(struct spfdmarc_dns **out,
    const struct spfdmarc_dns_unbound_options *opts, char *errbuf,
    size_t errsize);

#ifdef __cplusplus
}
#endif

#endif
