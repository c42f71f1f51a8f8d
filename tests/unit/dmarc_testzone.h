/*
 * dmarc_testzone.h: the DMARC unit tests' DNS: a zone file from
 * tests/dmarc/ loaded into the shared in-memory zone backend
 * (spfdmarc/dns_zone.h), and a trace callback that records lookups in
 * the order the evaluation made them.
 */
#ifndef DMARC_TESTZONE_H
#define DMARC_TESTZONE_H

#include <stddef.h>

#include "spfdmarc/dns.h"
#include "spfdmarc/dns_zone.h"

/* A resolver over tests/dmarc/<file> ($top_srcdir when set, else the
 * source tree this was built from). Prints a TAP "Bail out!" and exits
 * when the file cannot be read or loaded: no vector could run. */
struct spfdmarc_dns *testzone_open(const char *file,
    struct spfdmarc_dns_zone **zone);

/* The zone's query log as "TYPE name\n" lines, in the order the
 * queries were started, into out[size]. */
void testzone_log(struct spfdmarc_dns_zone *zone, char *out, size_t size);

/* A trace callback (spfdmarc_dns_ctx_set_trace) appending "TYPE name\n"
 * in lookup order. */
struct testzone_trace {
	char text[4096];
	size_t len;
};
void testzone_trace_fn(const struct spfdmarc_dns_answer *a, void *arg);

#endif
