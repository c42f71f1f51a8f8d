/*
 * dmarc_testdns.h: a tiny in-memory DNS backend for the DMARC unit tests,
 * written against lib/dns_backend.h. Records come from a static table;
 * every query the core hands over is logged, so tests can assert which
 * names were asked, and in which order they were started.
 *
 * Names not in the table: NXDOMAIN, unless some entry lies at or under
 * the name (then NODATA, as for an empty non-terminal). Entries with a
 * status other than OK answer every query for their (name, type) with it.
 */
#ifndef DMARC_TESTDNS_H
#define DMARC_TESTDNS_H

#include "spfdmarc/dns.h"

struct testdns_rr {
	const char *name;
	enum spfdmarc_dns_type type;
	const char *text;		/* TXT text; A/AAAA address */
	enum spfdmarc_dns_status status;	/* OK (0) unless a marker */
	int dnssec;			/* 0: the backend default; else
					 * 1 + enum spfdmarc_dnssec */
};

#define TESTDNS_SECURE		(1 + SPFDMARC_DNSSEC_SECURE)
#define TESTDNS_INSECURE	(1 + SPFDMARC_DNSSEC_INSECURE)
#define TESTDNS_BOGUS		(1 + SPFDMARC_DNSSEC_BOGUS)

struct testdns;

/* A resolver over table (terminated by an entry with name NULL), whose
 * answers carry dnssec by default. */
struct spfdmarc_dns *testdns_new(const struct testdns_rr *table,
    enum spfdmarc_dnssec dnssec, struct testdns **state);

/* The log of started queries: "TXT _dmarc.example.com\n..." */
const char *testdns_log(const struct testdns *t);
/* How many queries were started. */
unsigned testdns_count(const struct testdns *t);
void testdns_clear(struct testdns *t);

/* A trace callback (spfdmarc_dns_ctx_set_trace) appending "TYPE name\n"
 * in lookup order to the struct testdns_trace's buffer. */
struct testdns_trace {
	char text[4096];
	size_t len;
};
void testdns_trace_fn(const struct spfdmarc_dns_answer *a, void *arg);

#endif
