/* dmarc_testdns.c: see dmarc_testdns.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_testdns.h"
#include "dns_backend.h"
#include "spfdmarc/addr.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

struct testdns {
	const struct testdns_rr *table;
	enum spfdmarc_dnssec dnssec;
	char log[8192];
	size_t loglen;
	unsigned count;
};

static void
testdns_append(char *buf, size_t size, size_t *len, const char *type,
    const char *name)
{
	int n = snprintf(buf + *len, size - *len, "%s %s\n", type, name);

	if (n > 0 && (size_t)n < size - *len)
		*len += (size_t)n;
}

static int
testdns_resolve(void *impl, struct dns_query *q)
{
	struct testdns *t = impl;
	const char *name = dns_query_name(q);
	enum spfdmarc_dns_type type = dns_query_type(q);
	struct spfdmarc_dns_answer *a = dns_query_answer(q);
	size_t n = 0, nlen = strlen(name);
	bool exists = false;
	const struct testdns_rr *marker = NULL;
	struct spfdmarc_dns_rr *rr;

	t->count++;
	testdns_append(t->log, sizeof(t->log), &t->loglen,
	    spfdmarc_dns_type_name(type), name);
	a->dnssec = t->dnssec;
	for (const struct testdns_rr *e = t->table; e->name != NULL; e++) {
		if (spfdmarc_dname_is_under(e->name, strlen(e->name), name,
		    nlen))
			exists = true;
		if (!spfdmarc_dname_equal(e->name, strlen(e->name), name,
		    nlen) || e->type != type)
			continue;
		if (e->status != SPFDMARC_DNS_OK)
			marker = e;
		else
			n++;
	}
	if (marker != NULL) {
		a->status = marker->status;
		a->rcode = marker->status == SPFDMARC_DNS_NXDOMAIN ? 3 :
		    marker->status == SPFDMARC_DNS_SERVFAIL ? 2 : -1;
		if (marker->dnssec != 0)
			a->dnssec = (enum spfdmarc_dnssec)(marker->dnssec - 1);
		if (marker->status == SPFDMARC_DNS_BOGUS) {
			a->dnssec = SPFDMARC_DNSSEC_BOGUS;
			(void)dns_answer_set_why(q, "signature expired");
		} else if (marker->status == SPFDMARC_DNS_TIMEOUT) {
			(void)dns_answer_set_why(q, "no answer (test)");
		}
		dns_query_complete(q);
		return 0;
	}
	if (n == 0) {
		a->status = exists ? SPFDMARC_DNS_NODATA : SPFDMARC_DNS_NXDOMAIN;
		a->rcode = exists ? 0 : 3;
		dns_query_complete(q);
		return 0;
	}
	rr = dns_answer_alloc_rr(q, n);
	if (rr == NULL)
		return SPFDMARC_ENOMEM;
	n = 0;
	for (const struct testdns_rr *e = t->table; e->name != NULL; e++) {
		if (!spfdmarc_dname_equal(e->name, strlen(e->name), name,
		    nlen) || e->type != type)
			continue;
		rr[n].type = type;
		rr[n].ttl = 300;
		if (e->dnssec != 0)
			a->dnssec = spfdmarc_dnssec_worst(a->dnssec,
			    (enum spfdmarc_dnssec)(e->dnssec - 1));
		if (type == SPFDMARC_DNS_TXT) {
			char *text = spfdmarc_arena_strdup(dns_query_arena(q),
			    e->text);

			if (text == NULL)
				return SPFDMARC_ENOMEM;
			rr[n].u.txt.text = text;
			rr[n].u.txt.len = strlen(text);
			rr[n].u.txt.nstrings = 1;
			rr[n].u.txt.longest = rr[n].u.txt.len;
		} else if (type == SPFDMARC_DNS_A || type == SPFDMARC_DNS_AAAA) {
			(void)spfdmarc_addr_parse(&rr[n].u.addr, e->text,
			    strlen(e->text));
		} else if (type == SPFDMARC_DNS_MX) {
			rr[n].u.mx.preference = 10;
			rr[n].u.mx.exchange = e->text;
		}
		n++;
	}
	a->status = SPFDMARC_DNS_OK;
	a->rcode = 0;
	a->ttl = 300;
	dns_query_complete(q);
	return 0;
}

static void
testdns_cancel(void *impl, struct dns_query *q)
{
	(void)impl;
	(void)q;	/* every query completes inside resolve() */
}

static void
testdns_destroy(void *impl)
{
	free(impl);
}

static const struct dns_backend_ops testdns_ops = {
	.name = "testdns",
	.resolve = testdns_resolve,
	.cancel = testdns_cancel,
	.destroy = testdns_destroy,
};

struct spfdmarc_dns *
testdns_new(const struct testdns_rr *table, enum spfdmarc_dnssec dnssec,
    struct testdns **state)
{
	struct testdns *t = calloc(1, sizeof(*t));
	struct spfdmarc_dns *dns;

	if (t == NULL)
		return NULL;
	t->table = table;
	t->dnssec = dnssec;
	dns = dns_new(&testdns_ops, t);
	if (dns == NULL) {
		free(t);
		return NULL;
	}
	if (state != NULL)
		*state = t;
	return dns;
}

const char *
testdns_log(const struct testdns *t)
{
	return t->log;
}

unsigned
testdns_count(const struct testdns *t)
{
	return t->count;
}

void
testdns_clear(struct testdns *t)
{
	t->log[0] = '\0';
	t->loglen = 0;
	t->count = 0;
}

void
testdns_trace_fn(const struct spfdmarc_dns_answer *a, void *arg)
{
	struct testdns_trace *tr = arg;

	testdns_append(tr->text, sizeof(tr->text), &tr->len,
	    spfdmarc_dns_type_name(a->qtype), a->qname);
}
