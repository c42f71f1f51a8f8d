/*
 * test_dns_core.c: the DNS core (lib/dns.c) against a fake backend written
 * here to the lib/dns_backend.h contract: dedup of (name, type), the query
 * cap, invalid names, answers from another thread, timeouts, cancel on
 * ctx_free, peek, stats, trace, warming of the chain of trust, the answer
 * cache; and the wire decoders
 * (dns_rdata_decode, dns_wire_name_to_text).
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_backend.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/err.h"
#include "tap.h"

/* --- the fake backend ---------------------------------------------------- */

enum fake_mode {
	FAKE_NOW,	/* answer inside resolve() */
	FAKE_LATER,	/* answer from another thread after delay_ms */
	FAKE_NEVER,	/* hold the query until cancelled */
	FAKE_REFUSE,	/* resolve() returns an error */
};

#define FAKE_MAX	64

struct fake {
	pthread_mutex_t lock;
	enum fake_mode mode;
	unsigned delay_ms;
	unsigned resolves;
	unsigned cancels;
	bool destroyed;
	struct dns_query *held[FAKE_MAX];	/* pending, backend-owned */
	size_t nheld;
	pthread_t threads[FAKE_MAX];
	size_t nthreads;
	/* LATER: first wait until this context has seen gate_lookups
	 * lookups, so a test knows its lookup had to wait. */
	struct spfdmarc_dns_ctx *gate_ctx;
	unsigned gate_lookups;
	/* NOW mode with the warm op: what reached the backend, in order */
	char log[1024];
};

struct later {
	struct fake *f;
	struct dns_query *q;
};

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		continue;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Answer by name: "nx*" does not exist, others have A 192.0.2.1. */
static void
fake_fill(struct dns_query *q)
{
	struct spfdmarc_dns_answer *ans = dns_query_answer(q);
	struct spfdmarc_dns_rr *rr;

	if (strncmp(dns_query_name(q), "nx", 2) == 0) {
		ans->status = SPFDMARC_DNS_NXDOMAIN;
		ans->rcode = 3;
		return;
	}
	rr = dns_answer_alloc_rr(q, 1);
	if (rr == NULL) {
		ans->status = SPFDMARC_DNS_ERROR;
		return;
	}
	rr->type = dns_query_type(q);
	rr->ttl = 300;
	rr->u.addr.family = SPFDMARC_AF_INET;
	rr->u.addr.bytes[0] = 192;
	rr->u.addr.bytes[2] = 2;
	rr->u.addr.bytes[3] = 1;
	ans->status = SPFDMARC_DNS_OK;
	ans->rcode = 0;
	ans->ttl = 300;
	ans->dnssec = SPFDMARC_DNSSEC_SECURE;
}

/* Remove q from the held list; true if it was there (under f->lock). */
static bool
fake_unhold(struct fake *f, struct dns_query *q)
{
	for (size_t i = 0; i < f->nheld; i++) {
		if (f->held[i] == q) {
			f->held[i] = f->held[--f->nheld];
			return true;
		}
	}
	return false;
}

static void *
fake_later_main(void *arg)
{
	struct later *l = arg;
	struct fake *f = l->f;
	struct spfdmarc_dns_stats st;
	bool mine;

	if (f->gate_ctx != NULL) {
		for (;;) {
			spfdmarc_dns_ctx_stats(f->gate_ctx, &st);
			if (st.lookups >= f->gate_lookups)
				break;
			sleep_ms(1);
		}
	}
	sleep_ms(f->delay_ms);
	pthread_mutex_lock(&f->lock);
	mine = fake_unhold(f, l->q);
	pthread_mutex_unlock(&f->lock);
	if (mine) {		/* not cancelled meanwhile */
		fake_fill(l->q);
		dns_query_complete(l->q);
	}
	free(l);
	return NULL;
}

static int
fake_resolve(void *impl, struct dns_query *q)
{
	struct fake *f = impl;
	struct later *l;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	f->resolves++;
	switch (f->mode) {
	case FAKE_NOW:
		pthread_mutex_unlock(&f->lock);
		fake_fill(q);
		dns_query_complete(q);
		return 0;
	case FAKE_REFUSE:
		rc = SPFDMARC_EDNS;
		break;
	case FAKE_NEVER:
		if (f->nheld == FAKE_MAX) {
			rc = SPFDMARC_ENOMEM;
			break;
		}
		f->held[f->nheld++] = q;
		break;
	case FAKE_LATER:
		l = malloc(sizeof(*l));
		if (l == NULL || f->nheld == FAKE_MAX || f->nthreads == FAKE_MAX) {
			free(l);
			rc = SPFDMARC_ENOMEM;
			break;
		}
		l->f = f;
		l->q = q;
		f->held[f->nheld++] = q;
		if (pthread_create(&f->threads[f->nthreads], NULL,
		    fake_later_main, l) != 0) {
			f->nheld--;
			free(l);
			rc = SPFDMARC_ENOMEM;
			break;
		}
		f->nthreads++;
		break;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static void
fake_cancel(void *impl, struct dns_query *q)
{
	struct fake *f = impl;
	bool mine;

	pthread_mutex_lock(&f->lock);
	f->cancels++;
	mine = fake_unhold(f, q);
	pthread_mutex_unlock(&f->lock);
	/* Not held: a LATER thread has taken it and completes it. */
	if (mine)
		dns_query_release(q);
}

static void
fake_destroy(void *impl)
{
	((struct fake *)impl)->destroyed = true;
}

/* Log a warm() or resolve() call ("warm:ZONE" or "NAME/TYPE"). */
static void
fake_log(struct fake *f, const char *what, const char *name, int type)
{
	size_t len = strlen(f->log);

	(void)snprintf(f->log + len, sizeof(f->log) - len, "%s%s%s%.0d",
	    len > 0 ? " " : "", what, name, type);
}

static void
fake_warm(void *impl, const char *zone)
{
	struct fake *f = impl;

	pthread_mutex_lock(&f->lock);
	fake_log(f, "warm:", zone, 0);
	pthread_mutex_unlock(&f->lock);
}

static int
fake_resolve_logged(void *impl, struct dns_query *q)
{
	struct fake *f = impl;

	pthread_mutex_lock(&f->lock);
	fake_log(f, "", dns_query_name(q), (int)dns_query_type(q));
	pthread_mutex_unlock(&f->lock);
	return fake_resolve(impl, q);
}

static const struct dns_backend_ops fake_warm_ops = {
	.name = "fake-warm",
	.resolve = fake_resolve_logged,
	.cancel = fake_cancel,
	.warm = fake_warm,
	.destroy = fake_destroy,
};

static const struct dns_backend_ops fake_ops = {
	.name = "fake",
	.resolve = fake_resolve,
	.cancel = fake_cancel,
	.destroy = fake_destroy,
};

static void
fake_init(struct fake *f, enum fake_mode mode, unsigned delay_ms)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->mode = mode;
	f->delay_ms = delay_ms;
}

/* Wait for every LATER thread (call before the fake goes away). */
static void
fake_join(struct fake *f)
{
	for (size_t i = 0; i < f->nthreads; i++)
		pthread_join(f->threads[i], NULL);
	f->nthreads = 0;
}

static unsigned
fake_resolves(struct fake *f)
{
	unsigned n;

	pthread_mutex_lock(&f->lock);
	n = f->resolves;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* --- trace -------------------------------------------------------------- */

struct tracer {
	pthread_mutex_t lock;
	unsigned calls;
	const struct spfdmarc_dns_answer *last;
};

static void
trace_fn(const struct spfdmarc_dns_answer *ans, void *arg)
{
	struct tracer *t = arg;

	pthread_mutex_lock(&t->lock);
	t->calls++;
	t->last = ans;
	pthread_mutex_unlock(&t->lock);
}

/* --- tests -------------------------------------------------------------- */

static void
test_names(void)
{
	is_str(spfdmarc_dns_status_name(SPFDMARC_DNS_NXDOMAIN), "nxdomain",
	    "status name");
	is_str(spfdmarc_dns_status_name((enum spfdmarc_dns_status)99), "unknown",
	    "unknown status name");
	ok(!spfdmarc_dns_status_is_error(SPFDMARC_DNS_OK) &&
	    !spfdmarc_dns_status_is_error(SPFDMARC_DNS_NODATA) &&
	    !spfdmarc_dns_status_is_error(SPFDMARC_DNS_NXDOMAIN),
	    "OK, NODATA, NXDOMAIN are answers");
	ok(spfdmarc_dns_status_is_error(SPFDMARC_DNS_SERVFAIL) &&
	    spfdmarc_dns_status_is_error(SPFDMARC_DNS_TIMEOUT) &&
	    spfdmarc_dns_status_is_error(SPFDMARC_DNS_BOGUS) &&
	    spfdmarc_dns_status_is_error(SPFDMARC_DNS_ERROR),
	    "the rest are failures");
	is_str(spfdmarc_dnssec_name(SPFDMARC_DNSSEC_BOGUS), "bogus", "dnssec name");
	is_int(spfdmarc_dnssec_worst(SPFDMARC_DNSSEC_SECURE,
	    SPFDMARC_DNSSEC_INSECURE), SPFDMARC_DNSSEC_INSECURE, "worst of two");
	is_str(spfdmarc_dns_type_name(SPFDMARC_DNS_AAAA), "AAAA", "type name");
	is_str(spfdmarc_dns_type_name((enum spfdmarc_dns_type)6), "TYPE?",
	    "unknown type name");
}

static void
test_dedup_and_stats(void)
{
	struct fake f;
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_dns_stats st;
	struct tracer t = { PTHREAD_MUTEX_INITIALIZER, 0, NULL };
	const struct spfdmarc_dns_answer *a1, *a2, *a3, *a4;

	fake_init(&f, FAKE_NOW, 0);
	dns = dns_new(&fake_ops, &f);
	ok(dns != NULL, "dns_new");
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	ok(ctx != NULL, "ctx_new with default limits");
	spfdmarc_dns_ctx_set_trace(ctx, trace_fn, &t);

	ok(spfdmarc_dns_peek(ctx, "example.com", SPFDMARC_DNS_A) == NULL,
	    "peek before any query: NULL");
	is_int(fake_resolves(&f), 0, "peek does not start a query");

	a1 = spfdmarc_dns_lookup(ctx, "Example.COM.", SPFDMARC_DNS_A);
	ok(a1 != NULL && a1->status == SPFDMARC_DNS_OK, "lookup: OK");
	is_str(a1->qname, "example.com", "qname lower case, no trailing dot");
	ok(a1->qtype == SPFDMARC_DNS_A && a1->count == 1 &&
	    a1->rr[0].u.addr.bytes[0] == 192, "the record");
	ok(a1->why == NULL, "no why on success");
	a2 = spfdmarc_dns_lookup(ctx, "example.com", SPFDMARC_DNS_A);
	a3 = spfdmarc_dns_lookup(ctx, "EXAMPLE.com.", SPFDMARC_DNS_A);
	ok(a1 == a2 && a2 == a3, "same answer for case and trailing dot variants");
	is_int(fake_resolves(&f), 1, "one backend query for the three");
	is_int(spfdmarc_dns_start(ctx, "eXample.com", SPFDMARC_DNS_A), 0,
	    "start of a known query: 0");
	is_int(fake_resolves(&f), 1, "... and no new backend query");

	a4 = spfdmarc_dns_lookup(ctx, "example.com", SPFDMARC_DNS_AAAA);
	ok(a4 != a1 && a4->qtype == SPFDMARC_DNS_AAAA, "another type: another query");
	is_int(fake_resolves(&f), 2, "two backend queries");
	ok(spfdmarc_dns_peek(ctx, "EXAMPLE.COM.", SPFDMARC_DNS_AAAA) == a4,
	    "peek finds a finished answer, any case");
	ok(spfdmarc_dns_peek(ctx, "example.com", SPFDMARC_DNS_TXT) == NULL,
	    "peek of an unknown type: NULL");

	a1 = spfdmarc_dns_lookup(ctx, "nx.example.com", SPFDMARC_DNS_TXT);
	ok(a1->status == SPFDMARC_DNS_NXDOMAIN && a1->rcode == 3 &&
	    a1->count == 0, "NXDOMAIN passes through");

	spfdmarc_dns_ctx_stats(ctx, &st);
	is_int(st.queries, 3, "stats: 3 queries");
	is_int(st.answered, 3, "stats: 3 answered");
	is_int(st.lookups, 5, "stats: 5 lookups");
	is_int(st.waited, 0, "stats: none waited (synchronous backend)");
	is_int(t.calls, 3, "trace: once per answer, not per lookup");
	ok(t.last == a1, "trace got the answer the lookup returned");

	spfdmarc_dns_ctx_free(ctx);
	is_int(f.cancels, 0, "nothing to cancel");
	spfdmarc_dns_ctx_free(NULL);
	spfdmarc_dns_free(dns);
	ok(f.destroyed, "dns_free destroys the backend");
	spfdmarc_dns_free(NULL);
	pthread_mutex_destroy(&f.lock);
}

static void
test_limits_and_invalid(void)
{
	struct fake f;
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_dns_limits lim = { .max_queries = 3 };
	struct spfdmarc_dns_stats st;
	const struct spfdmarc_dns_answer *a;
	char name[300];

	fake_init(&f, FAKE_NOW, 0);
	dns = dns_new(&fake_ops, &f);
	ctx = spfdmarc_dns_ctx_new(dns, &lim);

	is_int(spfdmarc_dns_start(ctx, "a.example", SPFDMARC_DNS_A), 0, "query 1");
	is_int(spfdmarc_dns_start(ctx, "b.example", SPFDMARC_DNS_A), 0, "query 2");
	is_int(spfdmarc_dns_start(ctx, "c.example", SPFDMARC_DNS_A), 0, "query 3");
	is_int(spfdmarc_dns_start(ctx, "d.example", SPFDMARC_DNS_A),
	    SPFDMARC_ERANGE, "query 4 over the cap: ERANGE");
	is_int(fake_resolves(&f), 3, "the backend saw 3");
	a = spfdmarc_dns_lookup(ctx, "d.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_ERROR, "capped query answers ERROR");
	ok(a->why != NULL && strstr(a->why, "limit") != NULL,
	    "with a reason: %s", a->why ? a->why : "(null)");
	a = spfdmarc_dns_lookup(ctx, "e.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_ERROR, "lookup over the cap: ERROR");
	a = spfdmarc_dns_lookup(ctx, "A.EXAMPLE", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "a query under the cap still answers");
	is_int(fake_resolves(&f), 3, "still 3 backend queries");
	spfdmarc_dns_ctx_free(ctx);

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	is_int(spfdmarc_dns_start(ctx, "", SPFDMARC_DNS_A), SPFDMARC_EINVAL,
	    "empty name: EINVAL");
	is_int(spfdmarc_dns_start(ctx, ".", SPFDMARC_DNS_A), SPFDMARC_EINVAL,
	    "root: EINVAL");
	is_int(spfdmarc_dns_start(ctx, "a..b", SPFDMARC_DNS_A), SPFDMARC_EINVAL,
	    "empty label: EINVAL");
	memset(name, 'a', 64);
	memcpy(name + 64, ".com", 5);
	is_int(spfdmarc_dns_start(ctx, name, SPFDMARC_DNS_A), SPFDMARC_EINVAL,
	    "64-byte label: EINVAL");
	memset(name, 'a', 254);
	for (size_t i = 63; i < 254; i += 64)
		name[i] = '.';
	name[254] = '\0';
	is_int(spfdmarc_dns_start(ctx, name, SPFDMARC_DNS_A), SPFDMARC_EINVAL,
	    "254-byte name: EINVAL");
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	a = spfdmarc_dns_lookup(ctx, name, SPFDMARC_DNS_A);
	ok(a->status == SPFDMARC_DNS_ERROR && a->qname != NULL &&
	    strlen(a->qname) < SPFDMARC_DNAME_BUFSIZE,
	    "299-byte name: ERROR, bounded qname");
	a = spfdmarc_dns_lookup(ctx, "bad\x01..name", SPFDMARC_DNS_A);
	ok(a->status == SPFDMARC_DNS_ERROR && strcmp(a->qname, "bad?..name") == 0,
	    "invalid name: control bytes are not echoed in qname");
	is_int(fake_resolves(&f), 3, "invalid names never reach the backend");
	a = spfdmarc_dns_lookup(ctx, "a..b", SPFDMARC_DNS_A);
	ok(a->status == SPFDMARC_DNS_ERROR && a->why != NULL,
	    "invalid name lookup: ERROR with a reason");

	memset(name, 'a', 254);
	for (size_t i = 63; i < 254; i += 64)
		name[i] = '.';
	name[253] = '.';			/* 253 bytes + trailing dot */
	name[254] = '\0';
	a = spfdmarc_dns_lookup(ctx, name, SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "253-byte name with a trailing dot: OK");
	is_int((long long)strlen(a->qname), 253, "qname without the dot");
	is_int(fake_resolves(&f), 4, "it reached the backend");
	ok(spfdmarc_dns_peek(ctx, "a..b", SPFDMARC_DNS_A) == NULL,
	    "peek of an invalid name: NULL");

	spfdmarc_dns_ctx_stats(ctx, &st);
	is_int(st.queries, 1, "stats: invalid names are not queries");
	ok(st.answered <= st.queries, "stats: answered (%u) <= queries (%u)",
	    st.answered, st.queries);
	spfdmarc_dns_ctx_free(ctx);

	/* A backend that refuses: the core answers ERROR itself. */
	f.mode = FAKE_REFUSE;
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = spfdmarc_dns_lookup(ctx, "example.com", SPFDMARC_DNS_MX);
	ok(a->status == SPFDMARC_DNS_ERROR && a->why != NULL &&
	    strstr(a->why, "resolver") != NULL,
	    "resolve() error: ERROR, why: %s", a->why ? a->why : "(null)");
	is_int(a->rcode, -1, "no rcode");
	spfdmarc_dns_ctx_free(ctx);
	is_int(f.cancels, 0, "a refused query is not cancelled");

	spfdmarc_dns_free(dns);
	pthread_mutex_destroy(&f.lock);
}

struct waiter {
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *ans;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->ans = spfdmarc_dns_lookup(w->ctx, "later.example", SPFDMARC_DNS_TXT);
	return NULL;
}

static void
test_async(void)
{
	struct fake f;
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_ctx *ctx;
	/* A budget that only bounds a hang: slow machines (valgrind on a
	 * loaded CI host) must not turn these answers into timeouts. */
	struct spfdmarc_dns_limits lim = { .timeout_ms = 20000 };
	struct spfdmarc_dns_stats st;
	struct tracer t = { PTHREAD_MUTEX_INITIALIZER, 0, NULL };
	const struct spfdmarc_dns_answer *a;
	struct waiter w[4];
	pthread_t th[4];
	long t0;
	int same = 1, started = 0;

	/* Completed later from another thread: the lookup waits for it. */
	fake_init(&f, FAKE_LATER, 30);
	dns = dns_new(&fake_ops, &f);
	ctx = spfdmarc_dns_ctx_new(dns, &lim);
	spfdmarc_dns_ctx_set_trace(ctx, trace_fn, &t);
	f.gate_ctx = ctx;		/* answer only once the lookup runs */
	f.gate_lookups = 1;
	t0 = now_ms();
	is_int(spfdmarc_dns_start(ctx, "later.example", SPFDMARC_DNS_A), 0,
	    "start returns at once");
	ok(spfdmarc_dns_peek(ctx, "later.example", SPFDMARC_DNS_A) == NULL,
	    "peek of a pending query: NULL");
	a = spfdmarc_dns_lookup(ctx, "later.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "lookup waited for the answer");
	ok(now_ms() - t0 >= 29, "it took at least the backend's delay (%ld ms)",
	    now_ms() - t0);
	ok(spfdmarc_dns_peek(ctx, "later.example", SPFDMARC_DNS_A) == a,
	    "peek now has it");
	spfdmarc_dns_ctx_stats(ctx, &st);
	is_int(st.waited, 1, "stats: one lookup waited");

	/* Several threads wait on one query: one backend query, one answer. */
	f.gate_ctx = NULL;
	spfdmarc_dns_ctx_restart_clock(ctx);
	for (int i = 0; i < 4; i++) {
		w[i].ctx = ctx;
		w[i].ans = NULL;
		if (pthread_create(&th[i], NULL, waiter_main, &w[i]) == 0)
			started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (int i = 1; i < started; i++)
		same &= w[i].ans == w[0].ans;
	ok(started == 4 && same && w[0].ans != NULL &&
	    w[0].ans->status == SPFDMARC_DNS_OK,
	    "4 threads waiting on one query get the same answer (%s)",
	    w[0].ans != NULL ? spfdmarc_dns_status_name(w[0].ans->status) : "none");
	is_int(fake_resolves(&f), 2, "two backend queries in all");
	is_int(t.calls, 2, "trace once per answer, even with 4 waiters");
	spfdmarc_dns_ctx_free(ctx);
	fake_join(&f);
	spfdmarc_dns_free(dns);
	pthread_mutex_destroy(&f.lock);
}

static void
test_timeout(void)
{
	struct fake f;
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_dns_limits lim = { .timeout_ms = 100 };
	struct spfdmarc_dns_limits lim2 = { .timeout_ms = 200 };
	struct spfdmarc_dns_stats st;
	struct tracer t = { PTHREAD_MUTEX_INITIALIZER, 0, NULL };
	const struct spfdmarc_dns_answer *a, *b;
	long t0, took;

	/* A backend that never answers: TIMEOUT after the budget. */
	fake_init(&f, FAKE_NEVER, 0);
	dns = dns_new(&fake_ops, &f);
	t0 = now_ms();			/* the budget runs from ctx_new */
	ctx = spfdmarc_dns_ctx_new(dns, &lim);
	spfdmarc_dns_ctx_set_trace(ctx, trace_fn, &t);
	a = spfdmarc_dns_lookup(ctx, "silent.example", SPFDMARC_DNS_A);
	took = now_ms() - t0;
	is_int(a->status, SPFDMARC_DNS_TIMEOUT, "never answered: TIMEOUT");
	ok(took >= 99 && took < 2500, "after the 100 ms budget (%ld ms)", took);
	ok(a->why != NULL && strstr(a->why, "100 ms") != NULL,
	    "why: %s", a->why ? a->why : "(null)");
	is_str(a->qname, "silent.example", "the timeout answer has the qname");
	is_int(a->rcode, -1, "no rcode");
	t0 = now_ms();
	b = spfdmarc_dns_lookup(ctx, "SILENT.example.", SPFDMARC_DNS_A);
	ok(b == a && now_ms() - t0 < 80, "asked again: the same TIMEOUT, at once");
	ok(spfdmarc_dns_peek(ctx, "silent.example", SPFDMARC_DNS_A) == a,
	    "peek gives the TIMEOUT answer");
	/* The budget is spent: a new query times out at once. */
	t0 = now_ms();
	b = spfdmarc_dns_lookup(ctx, "other.example", SPFDMARC_DNS_A);
	ok(b->status == SPFDMARC_DNS_TIMEOUT && now_ms() - t0 < 80,
	    "a new query after the budget: TIMEOUT without waiting");
	is_int(t.calls, 2, "trace called for the two timeouts");
	spfdmarc_dns_ctx_stats(ctx, &st);
	is_int(st.waited, 2, "stats: the two first lookups waited, not the repeat");
	is_int((long long)f.nheld, 2, "the backend still holds both");
	spfdmarc_dns_ctx_free(ctx);
	is_int(f.cancels, 2, "ctx_free cancels both");
	is_int((long long)f.nheld, 0, "and the backend dropped them");

	/* Pending queries never waited for are cancelled too. */
	ctx = spfdmarc_dns_ctx_new(dns, &lim);
	for (int i = 0; i < 5; i++) {
		char name[32];

		(void)snprintf(name, sizeof(name), "q%d.example", i);
		(void)spfdmarc_dns_start(ctx, name, SPFDMARC_DNS_TXT);
	}
	is_int((long long)f.nheld, 5, "5 pending queries");
	spfdmarc_dns_ctx_free(ctx);
	is_int(f.cancels, 7, "ctx_free cancels all 5");
	is_int((long long)f.nheld, 0, "none left behind");

	/* restart_clock gives a fresh budget. */
	f.mode = FAKE_LATER;
	f.delay_ms = 10;
	ctx = spfdmarc_dns_ctx_new(dns, &lim2);
	sleep_ms(250);
	spfdmarc_dns_ctx_restart_clock(ctx);
	a = spfdmarc_dns_lookup(ctx, "fresh.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "after restart_clock: answered in time");
	spfdmarc_dns_ctx_free(ctx);
	fake_join(&f);

	/* An answer that comes after the deadline is not used. */
	f.delay_ms = 300;
	ctx = spfdmarc_dns_ctx_new(dns, &lim);
	a = spfdmarc_dns_lookup(ctx, "slow.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_TIMEOUT, "slow backend: TIMEOUT");
	fake_join(&f);			/* now the backend has completed it */
	b = spfdmarc_dns_lookup(ctx, "slow.example", SPFDMARC_DNS_A);
	ok(b == a && b->status == SPFDMARC_DNS_TIMEOUT,
	    "the late answer does not replace the TIMEOUT");
	ok(spfdmarc_dns_peek(ctx, "slow.example", SPFDMARC_DNS_A) == a,
	    "nor for peek");
	spfdmarc_dns_ctx_free(ctx);

	/* ctx_free while a LATER thread is still running: it completes a
	 * cancelled query the context no longer waits for; no leak. */
	f.delay_ms = 50;
	ctx = spfdmarc_dns_ctx_new(dns, &lim);
	(void)spfdmarc_dns_start(ctx, "racing.example", SPFDMARC_DNS_A);
	spfdmarc_dns_ctx_free(ctx);
	fake_join(&f);
	ok(1, "ctx_free with a query in flight");

	spfdmarc_dns_free(dns);
	pthread_mutex_destroy(&f.lock);
}

/* --- wire format --------------------------------------------------------- */

static int
name_is(const char *wire, size_t len, size_t outsize, int want_rc,
    const char *want, size_t want_used)
{
	char out[300];
	size_t used = 9999;
	int rc;

	memset(out, '#', sizeof(out));
	rc = dns_wire_name_to_text((const unsigned char *)wire, len, &used, out,
	    outsize);
	if (rc != want_rc) {
		diag("rc %d, want %d", rc, want_rc);
		return 0;
	}
	if (rc != 0)
		return 1;
	if (strcmp(out, want) != 0 || used != want_used) {
		diag("got '%s' used %zu, want '%s' used %zu", out, used, want,
		    want_used);
		return 0;
	}
	return 1;
}

static void
test_wire_name(void)
{
	unsigned char wire[300];
	char out[SPFDMARC_DNAME_BUFSIZE];
	size_t o = 0, used;

	ok(name_is("\0", 1, 1, 0, "", 1), "root: empty text, 1 byte used");
	ok(name_is("\x03" "WwW\x07" "Example\x03" "COM\0", 17, 64, 0,
	    "www.example.com", 17), "www.example.com, lower-cased");
	ok(name_is("\x01" "a\0\xff\xff", 5, 64, 0, "a", 3),
	    "trailing bytes are not consumed (used 3)");
	ok(name_is("\x01" "a\0", 3, 2, 0, "a", 3), "'a' into 2 bytes: fits");
	ok(name_is("\x01" "a\0", 3, 1, SPFDMARC_ERANGE, NULL, 0),
	    "'a' into 1 byte: ERANGE");
	ok(name_is("\x01" "a\x01" "b\0", 5, 4, 0, "a.b", 5), "'a.b' into 4 bytes");
	ok(name_is("\x01" "a\x01" "b\0", 5, 3, SPFDMARC_ERANGE, NULL, 0),
	    "'a.b' into 3 bytes: ERANGE");
	ok(name_is("\0", 1, 0, SPFDMARC_EINVAL, NULL, 0), "outsize 0: EINVAL");
	ok(name_is("", 0, 64, SPFDMARC_ESYNTAX, NULL, 0), "no bytes: ESYNTAX");
	ok(name_is("\x01" "a", 2, 64, SPFDMARC_ESYNTAX, NULL, 0),
	    "no terminating root label: ESYNTAX");
	ok(name_is("\x05" "ab\0", 4, 64, SPFDMARC_ESYNTAX, NULL, 0),
	    "label longer than the data: ESYNTAX");
	ok(name_is("\xc0\x0c", 2, 64, SPFDMARC_ESYNTAX, NULL, 0),
	    "compression pointer: ESYNTAX");
	ok(name_is("\x01" "a\xc0\x0c", 4, 64, SPFDMARC_ESYNTAX, NULL, 0),
	    "compression pointer after a label: ESYNTAX");
	ok(name_is("\x40" "a", 2, 64, SPFDMARC_ESYNTAX, NULL, 0),
	    "extended label type 0x40: ESYNTAX");
	ok(name_is("\x80" "a", 2, 64, SPFDMARC_ESYNTAX, NULL, 0),
	    "label type 0x80: ESYNTAX");
	ok(dns_wire_name_to_text((const unsigned char *)"\x01" "a\0", 3, NULL,
	    out, sizeof(out)) == 0, "used may be NULL");

	/* 63-byte labels; the longest name: 255 wire bytes, 253 text bytes. */
	memset(wire, 'a', sizeof(wire));
	for (int i = 0; i < 3; i++) {
		wire[o] = 63;
		o += 64;
	}
	wire[o] = 61;
	o += 62;
	wire[o++] = 0;
	is_int((long long)o, 255, "wire name of 255 bytes built");
	ok(dns_wire_name_to_text(wire, o, &used, out, sizeof(out)) == 0 &&
	    strlen(out) == 253 && used == 255, "255-byte wire name: 253 characters");
	ok(dns_wire_name_to_text(wire, o, &used, out, 253) == SPFDMARC_ERANGE,
	    "253 characters into 253 bytes: ERANGE");
	ok(dns_wire_name_to_text(wire, o, &used, out, 254) == 0,
	    "253 characters into 254 bytes: fits");
	wire[192] = 62;			/* one label byte more: 256 wire bytes */
	memset(wire + 193, 'b', 62);
	wire[255] = 0;
	ok(dns_wire_name_to_text(wire, 256, &used, out, sizeof(out)) != 0,
	    "256-byte wire name (254 characters): rejected");
}

/* A query to decode into: held by a FAKE_NEVER backend. */
static struct dns_query *
held_query(struct fake *f, struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type)
{
	(void)spfdmarc_dns_start(ctx, name, type);
	return f->nheld > 0 ? f->held[f->nheld - 1] : NULL;
}

static int
decode(struct dns_query *q, enum spfdmarc_dns_type type, const char *rdata,
    size_t len, struct spfdmarc_dns_rr *rr)
{
	memset(rr, 0, sizeof(*rr));
	return dns_rdata_decode(q, type, (const unsigned char *)rdata, len, rr);
}

static void
test_rdata(void)
{
	struct fake f;
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_ctx *ctx;
	struct dns_query *q;
	struct spfdmarc_dns_rr rr;
	unsigned char big[1 + 255 + 1 + 255];

	fake_init(&f, FAKE_NEVER, 0);
	dns = dns_new(&fake_ops, &f);
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	q = held_query(&f, ctx, "decode.example", SPFDMARC_DNS_TXT);
	ok(q != NULL, "a held query to decode into");
	if (q == NULL)
		goto out;
	is_str(dns_query_name(q), "decode.example", "dns_query_name");
	is_int(dns_query_type(q), SPFDMARC_DNS_TXT, "dns_query_type");
	dns_query_set_backend_data(q, 42);
	is_int(dns_query_backend_data(q), 42, "backend data slot");

	/* A */
	ok(decode(q, SPFDMARC_DNS_A, "\xc0\x00\x02\x01", 4, &rr) == 0 &&
	    rr.type == SPFDMARC_DNS_A && rr.u.addr.family == SPFDMARC_AF_INET &&
	    rr.u.addr.bytes[0] == 192 && rr.u.addr.bytes[3] == 1, "A 192.0.2.1");
	is_int(decode(q, SPFDMARC_DNS_A, "\1\2\3", 3, &rr), SPFDMARC_ESYNTAX,
	    "A of 3 bytes");
	is_int(decode(q, SPFDMARC_DNS_A, "\1\2\3\4\5", 5, &rr), SPFDMARC_ESYNTAX,
	    "A of 5 bytes");
	is_int(decode(q, SPFDMARC_DNS_A, "", 0, &rr), SPFDMARC_ESYNTAX, "A of 0 bytes");

	/* AAAA */
	ok(decode(q, SPFDMARC_DNS_AAAA,
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16, &rr) == 0 &&
	    rr.u.addr.family == SPFDMARC_AF_INET6 && rr.u.addr.bytes[1] == 1 &&
	    rr.u.addr.bytes[15] == 1, "AAAA 2001:db8::1");
	is_int(decode(q, SPFDMARC_DNS_AAAA, "\1\2\3\4", 4, &rr), SPFDMARC_ESYNTAX,
	    "AAAA of 4 bytes");
	is_int(decode(q, SPFDMARC_DNS_AAAA, "0123456789abcdefg", 17, &rr),
	    SPFDMARC_ESYNTAX, "AAAA of 17 bytes");

	/* MX */
	ok(decode(q, SPFDMARC_DNS_MX, "\x00\x0a\x04" "MAIL\x07" "example\x03"
	    "com\0", 20, &rr) == 0 && rr.u.mx.preference == 10 &&
	    strcmp(rr.u.mx.exchange, "mail.example.com") == 0,
	    "MX 10 mail.example.com (lower case)");
	ok(decode(q, SPFDMARC_DNS_MX, "\xff\xff\0", 3, &rr) == 0 &&
	    rr.u.mx.preference == 65535 && strcmp(rr.u.mx.exchange, "") == 0,
	    "null MX (RFC 7505): preference 65535, exchange root");
	is_int(decode(q, SPFDMARC_DNS_MX, "\0\x0a", 2, &rr), SPFDMARC_ESYNTAX,
	    "MX without exchange");
	is_int(decode(q, SPFDMARC_DNS_MX, "\0\x0a\x01" "a\0\0", 6, &rr),
	    SPFDMARC_ESYNTAX, "MX with trailing bytes");
	is_int(decode(q, SPFDMARC_DNS_MX, "\0\x0a\xc0\x0c", 4, &rr),
	    SPFDMARC_ESYNTAX, "MX with a compression pointer");

	/* PTR */
	ok(decode(q, SPFDMARC_DNS_PTR, "\x04" "Host\x07" "example\0", 14, &rr) == 0 &&
	    strcmp(rr.u.name, "host.example") == 0, "PTR host.example");
	is_int(decode(q, SPFDMARC_DNS_PTR, "", 0, &rr), SPFDMARC_ESYNTAX, "empty PTR");
	is_int(decode(q, SPFDMARC_DNS_PTR, "\x04" "host", 5, &rr), SPFDMARC_ESYNTAX,
	    "PTR without the root label");
	is_int(decode(q, SPFDMARC_DNS_PTR, "\x09" "host\0", 6, &rr),
	    SPFDMARC_ESYNTAX, "PTR label longer than the data");
	is_int(decode(q, SPFDMARC_DNS_PTR, "\x41" "host\0", 6, &rr),
	    SPFDMARC_ESYNTAX, "PTR bad label type");
	is_int(decode(q, SPFDMARC_DNS_PTR, "\x04" "host\xc0\x0c", 7, &rr),
	    SPFDMARC_ESYNTAX, "PTR with a compression pointer");
	is_int(decode(q, SPFDMARC_DNS_PTR, "\x01" "a\0\0", 4, &rr),
	    SPFDMARC_ESYNTAX, "PTR with trailing bytes");

	/* TXT */
	ok(decode(q, SPFDMARC_DNS_TXT, "\x06" "v=spf1\x05" " -all", 13, &rr) == 0 &&
	    rr.u.txt.len == 11 && strcmp(rr.u.txt.text, "v=spf1 -all") == 0 &&
	    rr.u.txt.nstrings == 2 && rr.u.txt.longest == 6,
	    "TXT of two strings, concatenated without a space");
	ok(decode(q, SPFDMARC_DNS_TXT, "\0", 1, &rr) == 0 && rr.u.txt.len == 0 &&
	    strcmp(rr.u.txt.text, "") == 0 && rr.u.txt.nstrings == 1 &&
	    rr.u.txt.longest == 0, "TXT of one empty string");
	ok(decode(q, SPFDMARC_DNS_TXT, "\x01" "a\0\x01" "b", 5, &rr) == 0 &&
	    strcmp(rr.u.txt.text, "ab") == 0 && rr.u.txt.nstrings == 3,
	    "TXT with an empty string in the middle");
	ok(decode(q, SPFDMARC_DNS_TXT, "\x03" "a\0b", 4, &rr) == 0 &&
	    rr.u.txt.len == 3 && memcmp(rr.u.txt.text, "a\0b", 4) == 0,
	    "TXT with a NUL byte: len counts it, text terminated");
	is_int(decode(q, SPFDMARC_DNS_TXT, "", 0, &rr), SPFDMARC_ESYNTAX,
	    "TXT of no strings");
	is_int(decode(q, SPFDMARC_DNS_TXT, "\x05" "abc", 4, &rr), SPFDMARC_ESYNTAX,
	    "TXT string length past the data");
	is_int(decode(q, SPFDMARC_DNS_TXT, "\x01" "a\x02" "b", 4, &rr),
	    SPFDMARC_ESYNTAX, "TXT second string truncated");
	big[0] = 255;
	memset(big + 1, 's', 255);
	big[256] = 255;
	memset(big + 257, 't', 255);
	ok(decode(q, SPFDMARC_DNS_TXT, (const char *)big, sizeof(big), &rr) == 0 &&
	    rr.u.txt.len == 510 && rr.u.txt.longest == 255 &&
	    rr.u.txt.nstrings == 2 && rr.u.txt.text[510] == '\0',
	    "TXT of two 255-byte strings");
	ok(decode(q, SPFDMARC_DNS_SPF, "\x03" "v=s", 4, &rr) == 0 &&
	    rr.type == SPFDMARC_DNS_SPF && strcmp(rr.u.txt.text, "v=s") == 0,
	    "type SPF decodes as TXT");
	is_int(decode(q, (enum spfdmarc_dns_type)6, "\0", 1, &rr), SPFDMARC_ESYNTAX,
	    "an unknown type");

	/* Helpers that fill answers. */
	ok(dns_answer_set_why(q, "because %d", 7) == 0 &&
	    strcmp(dns_query_answer(q)->why, "because 7") == 0, "set_why");
	ok(dns_answer_alloc_rr(q, 3) != NULL && dns_query_answer(q)->count == 3,
	    "alloc_rr sets count");
	ok(dns_query_arena(q) != NULL, "the query's arena");
out:
	spfdmarc_dns_ctx_free(ctx);
	is_int((long long)f.nheld, 0, "the held query was cancelled");
	spfdmarc_dns_free(dns);
	pthread_mutex_destroy(&f.lock);
}

/* Start (name, type) in a new context; return the backend's log of it. */
static const char *
warm_step(struct fake *f, struct spfdmarc_dns *dns, const char *name,
    enum spfdmarc_dns_type type)
{
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);

	f->log[0] = '\0';
	(void)spfdmarc_dns_start(ctx, name, type);
	spfdmarc_dns_ctx_free(ctx);
	return f->log;
}

static void
test_warm(void)
{
	struct fake f;
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_dns_stats st;

	fake_init(&f, FAKE_NOW, 0);
	dns = dns_new(&fake_warm_ops, &f);
	if (!ok(dns != NULL, "warm: dns_new"))
		return;
	is_str(warm_step(&f, dns, "D1.Example.", SPFDMARC_DNS_TXT),
	    "warm:d1.example d1.example16",
	    "the zone (Organizational Domain) is warmed before the query");
	is_str(warm_step(&f, dns, "mail.d1.example", SPFDMARC_DNS_A),
	    "mail.d1.example1", "once per zone, not per name ...");
	is_str(warm_step(&f, dns, "_i1.d1.example", SPFDMARC_DNS_TXT),
	    "_i1.d1.example16", "... nor per context");
	is_str(warm_step(&f, dns, "_spf.p1.example", SPFDMARC_DNS_TXT),
	    "warm:p1.example _spf.p1.example16", "another zone: warmed");
	is_str(warm_step(&f, dns, "bounce.shop.example.co.uk",
	    SPFDMARC_DNS_MX), "warm:example.co.uk bounce.shop.example.co.uk15",
	    "the Public Suffix List decides (co.uk)");
	is_str(warm_step(&f, dns, "_dmarc.example", SPFDMARC_DNS_TXT),
	    "_dmarc.example16", "no zone starts with an underscore label "
	    "(a DMARC walk's last step)");
	is_str(warm_step(&f, dns, "example", SPFDMARC_DNS_TXT), "example16",
	    "a top-level domain: not warmed");
	is_str(warm_step(&f, dns, "1.2.0.192.in-addr.arpa", SPFDMARC_DNS_PTR),
	    "1.2.0.192.in-addr.arpa12", "reverse names: not warmed");
	is_str(warm_step(&f, dns, "bad..name", SPFDMARC_DNS_TXT), "",
	    "an invalid name reaches neither");

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	(void)spfdmarc_dns_start(ctx, "d2.example", SPFDMARC_DNS_TXT);
	spfdmarc_dns_ctx_stats(ctx, &st);
	is_int(st.queries, 1, "warming is not a query of the context");
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
	pthread_mutex_destroy(&f.lock);

	fake_init(&f, FAKE_NOW, 0);
	dns = dns_new(&fake_ops, &f);
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	ok(spfdmarc_dns_lookup(ctx, "d3.example", SPFDMARC_DNS_TXT)->status ==
	    SPFDMARC_DNS_OK, "a backend without warm() works as before");
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
	pthread_mutex_destroy(&f.lock);
}

/* --- the answer cache ----------------------------------------------------- */

static unsigned cache_resolves;

/*
 * Answers by name: "sf*" SERVFAIL, "bog*" bogus, "zero*" OK with TTL 0,
 * "nx*" NXDOMAIN (TTL 60); TXT: the name itself as text, then a NUL and
 * "x" (two strings), with a canonical name; MX: 10 mail.<name>; else A.
 */
static int
cache_resolve(void *impl, struct dns_query *q)
{
	struct spfdmarc_dns_answer *a = dns_query_answer(q);
	const char *name = dns_query_name(q);
	struct spfdmarc_dns_rr *rr;
	char buf[SPFDMARC_DNAME_BUFSIZE + 8];
	char *text;
	size_t len;

	(void)impl;
	cache_resolves++;
	a->ttl = 300;
	a->dnssec = SPFDMARC_DNSSEC_SECURE;
	if (strncmp(name, "sf", 2) == 0) {
		a->status = SPFDMARC_DNS_SERVFAIL;
		(void)dns_answer_set_why(q, "server failure");
	} else if (strncmp(name, "bog", 3) == 0) {
		a->status = SPFDMARC_DNS_BOGUS;
		a->dnssec = SPFDMARC_DNSSEC_BOGUS;
	} else if (strncmp(name, "nx", 2) == 0) {
		a->status = SPFDMARC_DNS_NXDOMAIN;
		a->rcode = 3;
		a->ttl = 60;
	} else if ((rr = dns_answer_alloc_rr(q, 1)) == NULL) {
		a->status = SPFDMARC_DNS_ERROR;
	} else {
		a->status = SPFDMARC_DNS_OK;
		a->rcode = 0;
		if (strncmp(name, "zero", 4) == 0)
			a->ttl = 0;
		rr->type = dns_query_type(q);
		rr->ttl = a->ttl;
		switch (rr->type) {
		case SPFDMARC_DNS_TXT:
			len = strlen(name);
			memcpy(buf, name, len);
			memcpy(buf + len, "\0x", 3);
			text = spfdmarc_arena_alloc(dns_query_arena(q), len + 3);
			if (text != NULL)
				memcpy(text, buf, len + 3);
			rr->u.txt.text = text;
			rr->u.txt.len = len + 2;
			rr->u.txt.nstrings = 2;
			a->canonname = "canon.example";
			break;
		case SPFDMARC_DNS_MX:
			(void)snprintf(buf, sizeof(buf), "mail.%s", name);
			rr->u.mx.preference = 10;
			rr->u.mx.exchange = spfdmarc_arena_strdup(
			    dns_query_arena(q), buf);
			break;
		default:
			rr->u.addr.family = SPFDMARC_AF_INET;
			rr->u.addr.bytes[0] = 192;
			rr->u.addr.bytes[3] = 7;
			break;
		}
	}
	dns_query_complete(q);
	return 0;
}

static void
cache_destroy(void *impl)
{
	(void)impl;
}

static const struct dns_backend_ops cache_ops = {
	.name = "fake-cache",
	.resolve = cache_resolve,
	.cancel = fake_cancel,
	.cache = true,
	.destroy = cache_destroy,
};

/* One lookup in a context of its own; the answer's text (TXT) or status
 * name, and whether the backend was asked. */
static const char *
cache_once(struct spfdmarc_dns *dns, const char *name,
    enum spfdmarc_dns_type type, bool *asked, char *out, size_t size)
{
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
	const struct spfdmarc_dns_answer *a;
	unsigned before = cache_resolves;

	a = spfdmarc_dns_lookup(ctx, name, type);
	*asked = cache_resolves != before;
	if (a->status == SPFDMARC_DNS_OK && type == SPFDMARC_DNS_TXT &&
	    a->count == 1 && a->rr[0].u.txt.len == strlen(a->qname) + 2 &&
	    memcmp(a->rr[0].u.txt.text + strlen(a->qname), "\0x", 3) == 0)
		(void)snprintf(out, size, "%s", a->rr[0].u.txt.text);
	else
		(void)snprintf(out, size, "%s",
		    spfdmarc_dns_status_name(a->status));
	spfdmarc_dns_ctx_free(ctx);
	return out;
}

static void
test_cache(void)
{
	struct spfdmarc_dns *dns = dns_new(&cache_ops, NULL);
	struct spfdmarc_dns_limits one = { .max_queries = 1 };
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;
	struct spfdmarc_dns_stats st;
	char out[SPFDMARC_DNAME_BUFSIZE + 8];
	unsigned before, bad;
	bool asked;

	if (!ok(dns != NULL, "cache: dns_new"))
		return;
	cache_once(dns, "t.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out));
	ok(asked, "cache: the first lookup asks the backend");
	is_str(cache_once(dns, "T.Example.", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out)), "t.example", "cache: the answer again, whole "
	    "(bytes after a NUL too), any case of the name");
	ok(!asked, "... from the cache, in a new context");

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = spfdmarc_dns_lookup(ctx, "t.example", SPFDMARC_DNS_TXT);
	ok(a->dnssec == SPFDMARC_DNSSEC_SECURE && a->canonname != NULL &&
	    strcmp(a->canonname, "canon.example") == 0 &&
	    a->rr[0].u.txt.nstrings == 2 && a->ttl <= 300 && a->ttl >= 299,
	    "cache: DNSSEC state, canonical name, strings, TTL kept");
	a = spfdmarc_dns_lookup(ctx, "t.example", SPFDMARC_DNS_MX);
	before = cache_resolves;
	spfdmarc_dns_ctx_free(ctx);
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = spfdmarc_dns_lookup(ctx, "t.example", SPFDMARC_DNS_MX);
	ok(cache_resolves == before && a->count == 1 &&
	    a->rr[0].u.mx.preference == 10 &&
	    strcmp(a->rr[0].u.mx.exchange, "mail.t.example") == 0,
	    "cache: another type is another answer (MX kept too)");
	spfdmarc_dns_ctx_stats(ctx, &st);
	is_int(st.queries, 1, "cache: a hit is a query of the context");
	spfdmarc_dns_ctx_free(ctx);

	cache_once(dns, "nx.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out));
	is_str(cache_once(dns, "nx.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out)), "nxdomain", "cache: NXDOMAIN is an answer ...");
	ok(!asked, "... kept");
	cache_once(dns, "sf.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out));
	is_str(cache_once(dns, "sf.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out)), "servfail", "cache: a failure ...");
	ok(asked, "... is not kept: asked again");
	cache_once(dns, "bog.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out));
	cache_once(dns, "bog.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out));
	ok(asked, "cache: a bogus answer is not kept");
	cache_once(dns, "zero.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out));
	cache_once(dns, "zero.example", SPFDMARC_DNS_TXT, &asked, out,
	    sizeof(out));
	ok(asked, "cache: TTL 0 is not kept");

	ctx = spfdmarc_dns_ctx_new(dns, &one);
	(void)spfdmarc_dns_lookup(ctx, "t.example", SPFDMARC_DNS_TXT);
	a = spfdmarc_dns_lookup(ctx, "t.example", SPFDMARC_DNS_MX);
	ok(a->status == SPFDMARC_DNS_ERROR, "cache: hits count against "
	    "the context's query cap");
	spfdmarc_dns_ctx_free(ctx);

	/* More names than the cache holds: answers replaced, never mixed
	 * up, memory freed (valgrind and ASan runs check). */
	before = cache_resolves;
	bad = 0;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 10000; i++) {
			char name[32];

			(void)snprintf(name, sizeof(name), "t%d.example", i);
			if (strcmp(cache_once(dns, name, SPFDMARC_DNS_TXT,
			    &asked, out, sizeof(out)), name) != 0)
				bad++;
		}
	}
	is_int(bad, 0, "cache: 2 x 10,000 names, every answer its own");
	ok(cache_resolves - before > 10000 && cache_resolves - before < 20000,
	    "cache: some kept, some replaced (%u backend queries)",
	    cache_resolves - before);
	spfdmarc_dns_free(dns);
}

int
main(void)
{
	test_names();
	test_dedup_and_stats();
	test_limits_and_invalid();
	test_async();
	test_timeout();
	test_wire_name();
	test_rdata();
	test_warm();
	test_cache();
	return done_testing();
}
