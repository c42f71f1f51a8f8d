/*
 * dns.c: the DNS core. Contexts hold the queries of one evaluation as
 * futures; backends (dns_backend.h) resolve them.
 *
 * A query has two owners: its context, and the backend until it completes
 * or drops it. Each query has its own lock and condition, so a backend
 * completing a query never touches the context, and a context may be freed
 * while a backend still holds a cancelled query.
 *
 * Warming the chain of trust. A validating resolver meeting a zone it has
 * no keys for fetches, after the answer, the zone's DS from the parent and
 * then its DNSKEY: with a cold cache every new zone costs three round
 * trips in a row, not one. Before resolving a query, the core guesses the
 * zone of its name (the Organizational Domain by the Public Suffix List:
 * what a sender's zone apex usually is) and, if the backend has a warm()
 * operation and that zone was not warmed in the last DNS_WARM_SECONDS,
 * has the DS and DNSKEY fetched first, in parallel with the query: the
 * answer then validates after about one round trip. A wrong guess costs
 * one NODATA answer, never a different result: these lookups only fill
 * the resolver's cache. They are not queries of the context (not in its
 * cap, its statistics or its trace).
 *
 * The answer cache. Reaching libunbound's cache is not cheap: the query
 * goes to its thread through a pipe, the answer comes back through
 * another to our dispatcher thread and wakes the waiter, some 45 to 100
 * microseconds of CPU and three thread switches a lookup (measured), most
 * of what a message costs when everything is cached. So a backend can ask
 * the core to keep answers (ops->cache): the ones that are answers (OK,
 * NODATA, NXDOMAIN; never a failure or a bogus answer), for their TTL as
 * the backend gave it, at most DNS_CACHE_TTL_MAX; handed out with the TTL
 * aged. The cache is bounded (DNS_CACHE_SETS x DNS_CACHE_WAYS answers of
 * at most DNS_CACHE_ENTRY_MAX bytes) and a hit is still a query of the
 * context, counted against its cap.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena_int.h"
#include "cursor.h"
#include "dns_backend.h"
#include "export.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "suffix.h"

#define DNS_DEFAULT_TIMEOUT_MS	5000
#define DNS_DEFAULT_MAX_QUERIES	200
#define DNS_ANSWER_ARENA_MAX	(256 * 1024)	/* per answer */
#define DNS_ANSWER_BLOCK	512	/* its first block */
#define DNS_WIRE_NAME_MAX	255	/* octets, RFC 1035 §3.1 */
#define DNS_WARM_SLOTS		4096	/* zones remembered as warmed */
#define DNS_WARM_SECONDS	300	/* before a zone is warmed again */
#define DNS_CACHE_SETS		4096	/* answers kept: sets x ways */
#define DNS_CACHE_WAYS		2
#define DNS_CACHE_LOCKS		64	/* set i under lock i % this */
#define DNS_CACHE_TTL_MAX	300	/* seconds an answer is kept at most */
#define DNS_CACHE_ENTRY_MAX	2048	/* bytes; bigger answers are not kept */
#define DNS_CACHE_BLOCK		512

/* A zone warmed lately: slot hash % DNS_WARM_SLOTS. */
struct dns_warm {
	uint64_t hash;
	time_t until;		/* CLOCK_MONOTONIC seconds */
};

/* A kept answer; it and everything it points to live in its arena. */
struct dns_cached {
	struct spfdmarc_arena *arena;
	uint64_t hash;
	time_t stored, expires;	/* CLOCK_MONOTONIC seconds */
	struct spfdmarc_dns_answer answer;
};

struct spfdmarc_dns {
	struct dns_backend_ops ops;	/* a copy: a backend may build its own */
	void *impl;
	pthread_mutex_t warm_lock;
	struct dns_warm *warm;	/* NULL if ops->warm is */
	pthread_mutex_t cache_lock[DNS_CACHE_LOCKS];
	struct dns_cached *(*cache)[DNS_CACHE_WAYS];	/* NULL: no cache */
};

struct dns_query {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned refs;		/* context + backend; under lock */
	bool done;		/* under lock */
	bool expired;		/* the context gave up waiting (ctx lock) */
	bool traced;		/* handed to the trace callback (ctx lock) */
	bool sent;		/* given to the backend (ctx lock) */
	struct dns_query *next;	/* the context's list (ctx lock) */
	enum spfdmarc_dns_type type;
	long backend_data;
	struct spfdmarc_dns *dns;	/* set if its answer may be kept */
	struct spfdmarc_arena *arena;
	struct spfdmarc_dns_answer answer;	/* backend's, until done */
	struct spfdmarc_dns_answer timeout;	/* context's, if expired */
	char timeout_why[64];	/* the backend may still be using arena */
	char name[SPFDMARC_DNAME_BUFSIZE];
};

struct spfdmarc_dns_ctx {
	struct spfdmarc_dns *dns;
	pthread_mutex_t lock;
	struct dns_query *queries;
	struct timespec deadline;	/* CLOCK_MONOTONIC */
	unsigned timeout_ms;
	unsigned max_queries;
	struct spfdmarc_dns_stats stats;
	spfdmarc_dns_trace_fn *trace;
	void *trace_arg;
};

SPFDMARC_PUBLIC bool
spfdmarc_dns_status_is_error(enum spfdmarc_dns_status status)
{
	return status > SPFDMARC_DNS_NXDOMAIN;
}

SPFDMARC_PUBLIC const char *
spfdmarc_dns_status_name(enum spfdmarc_dns_status status)
{
	switch (status) {
	case SPFDMARC_DNS_OK:		return "ok";
	case SPFDMARC_DNS_NODATA:	return "nodata";
	case SPFDMARC_DNS_NXDOMAIN:	return "nxdomain";
	case SPFDMARC_DNS_SERVFAIL:	return "servfail";
	case SPFDMARC_DNS_TIMEOUT:	return "timeout";
	case SPFDMARC_DNS_BOGUS:	return "bogus";
	case SPFDMARC_DNS_ERROR:	return "error";
	}
	return "unknown";
}

SPFDMARC_PUBLIC const char *
spfdmarc_dnssec_name(enum spfdmarc_dnssec state)
{
	switch (state) {
	case SPFDMARC_DNSSEC_SECURE:		return "secure";
	case SPFDMARC_DNSSEC_INSECURE:		return "insecure";
	case SPFDMARC_DNSSEC_INDETERMINATE:	return "indeterminate";
	case SPFDMARC_DNSSEC_BOGUS:		return "bogus";
	}
	return "unknown";
}

SPFDMARC_PUBLIC const char *
spfdmarc_dns_type_name(enum spfdmarc_dns_type type)
{
	switch (type) {
	case SPFDMARC_DNS_A:	return "A";
	case SPFDMARC_DNS_NS:	return "NS";
	case SPFDMARC_DNS_CNAME: return "CNAME";
	case SPFDMARC_DNS_PTR:	return "PTR";
	case SPFDMARC_DNS_MX:	return "MX";
	case SPFDMARC_DNS_TXT:	return "TXT";
	case SPFDMARC_DNS_AAAA:	return "AAAA";
	case SPFDMARC_DNS_SPF:	return "SPF";
	}
	return "TYPE?";
}

struct spfdmarc_dns *
dns_new(const struct dns_backend_ops *ops, void *impl)
{
	struct spfdmarc_dns *dns = malloc(sizeof(*dns));

	if (dns == NULL)
		return NULL;
	dns->ops = *ops;
	dns->impl = impl;
	dns->warm = NULL;
	if (ops->warm != NULL) {
		dns->warm = calloc(DNS_WARM_SLOTS, sizeof(*dns->warm));
		if (dns->warm == NULL) {
			free(dns);
			return NULL;
		}
	}
	pthread_mutex_init(&dns->warm_lock, NULL);
	dns->cache = NULL;
	if (ops->cache) {
		dns->cache = calloc(DNS_CACHE_SETS, sizeof(*dns->cache));
		if (dns->cache == NULL) {
			pthread_mutex_destroy(&dns->warm_lock);
			free(dns->warm);
			free(dns);
			return NULL;
		}
	}
	for (size_t i = 0; i < DNS_CACHE_LOCKS; i++)
		pthread_mutex_init(&dns->cache_lock[i], NULL);
	return dns;
}

SPFDMARC_PUBLIC void
spfdmarc_dns_free(struct spfdmarc_dns *dns)
{
	if (dns == NULL)
		return;
	dns->ops.destroy(dns->impl);
	pthread_mutex_destroy(&dns->warm_lock);
	free(dns->warm);
	for (size_t i = 0; i < DNS_CACHE_LOCKS; i++)
		pthread_mutex_destroy(&dns->cache_lock[i]);
	if (dns->cache != NULL) {
		for (size_t i = 0; i < DNS_CACHE_SETS; i++)
			for (size_t w = 0; w < DNS_CACHE_WAYS; w++)
				if (dns->cache[i][w] != NULL)
					spfdmarc_arena_free(
					    dns->cache[i][w]->arena);
		free(dns->cache);
	}
	free(dns);
}

/* --- warming the chain of trust (see the top of the file) ---------------- */

static uint64_t
dns_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* True if name (normalized) is under suffix (a name, no dots at ends). */
static bool
dns_name_under(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n == m ? strcmp(name, suffix) == 0 :
	    n > m && name[n - m - 1] == '.' && strcmp(name + n - m, suffix) == 0;
}

/* name: a valid, normalized query name. */
static void
dns_warm(struct spfdmarc_dns *dns, const char *name)
{
	char zone[SPFDMARC_DNAME_BUFSIZE];
	struct dns_warm *slot;
	struct timespec now;
	uint64_t h;
	bool fresh;

	if (dns->warm == NULL || dns_name_under(name, "arpa"))
		return;		/* reverse zones: not worth a guess */
	/* A TLD's keys are in every chain, cached at once; "_dmarc.com"
	 * (a DMARC walk's last step) is no zone. */
	if (suffix_org_domain(name, zone, sizeof(zone)) != 0 ||
	    strchr(zone, '.') == NULL || zone[0] == '_')
		return;
	h = dns_hash(zone);
	slot = &dns->warm[h % DNS_WARM_SLOTS];
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&dns->warm_lock);
	fresh = slot->hash == h && slot->until > now.tv_sec;
	if (!fresh) {
		slot->hash = h;
		slot->until = now.tv_sec + DNS_WARM_SECONDS;
	}
	pthread_mutex_unlock(&dns->warm_lock);
	if (!fresh)
		dns->ops.warm(dns->impl, zone);
}

/* --- the answer cache (see the top of the file) -------------------------- */

static uint64_t
dns_cache_hash(const char *name, enum spfdmarc_dns_type type)
{
	return dns_hash(name) ^ ((uint64_t)type * 0x9e3779b97f4a7c15ULL);
}

/* TTL less the seconds an answer has been kept, not below 0. */
static uint32_t
dns_ttl_aged(uint32_t ttl, uint32_t age)
{
	return ttl > age ? ttl - age : 0;
}

/*
 * Copy src into dst (all but dst->qname), every string and record into
 * arena, the TTLs aged by age seconds. 0 or SPFDMARC_ENOMEM (dst is then
 * half written).
 */
static int
dns_answer_copy(struct spfdmarc_arena *arena, struct spfdmarc_dns_answer *dst,
    const struct spfdmarc_dns_answer *src, uint32_t age)
{
	const char *qname = dst->qname;
	struct spfdmarc_dns_rr *rr;

	*dst = *src;
	dst->qname = qname;
	dst->canonname = NULL;
	dst->why = NULL;
	dst->rr = NULL;
	dst->count = 0;
	dst->ttl = dns_ttl_aged(src->ttl, age);
	if (src->canonname != NULL && (dst->canonname =
	    spfdmarc_arena_strdup(arena, src->canonname)) == NULL)
		return SPFDMARC_ENOMEM;
	if (src->why != NULL &&
	    (dst->why = spfdmarc_arena_strdup(arena, src->why)) == NULL)
		return SPFDMARC_ENOMEM;
	if (src->count == 0)
		return 0;
	rr = spfdmarc_arena_calloc(arena, src->count, sizeof(*rr));
	if (rr == NULL)
		return SPFDMARC_ENOMEM;
	for (size_t i = 0; i < src->count; i++) {
		const struct spfdmarc_dns_rr *r = &src->rr[i];
		const char **name = NULL;
		char *text;

		rr[i] = *r;
		rr[i].ttl = dns_ttl_aged(r->ttl, age);
		switch (r->type) {
		case SPFDMARC_DNS_MX:
			name = &rr[i].u.mx.exchange;
			break;
		case SPFDMARC_DNS_NS:
		case SPFDMARC_DNS_CNAME:
		case SPFDMARC_DNS_PTR:
			name = &rr[i].u.name;
			break;
		case SPFDMARC_DNS_TXT:
		case SPFDMARC_DNS_SPF:
			if (r->u.txt.text == NULL)
				break;
			text = spfdmarc_arena_alloc(arena, r->u.txt.len + 1);
			if (text == NULL)
				return SPFDMARC_ENOMEM;
			memcpy(text, r->u.txt.text, r->u.txt.len + 1);
			rr[i].u.txt.text = text;
			break;
		case SPFDMARC_DNS_A:
		case SPFDMARC_DNS_AAAA:
			break;
		}
		if (name != NULL && *name != NULL &&
		    (*name = spfdmarc_arena_strdup(arena, *name)) == NULL)
			return SPFDMARC_ENOMEM;
	}
	dst->rr = rr;
	dst->count = src->count;
	return 0;
}

/* Answer q from the cache if it holds an answer to it. */
static bool
dns_cache_get(struct spfdmarc_dns *dns, struct dns_query *q)
{
	uint64_t h = dns_cache_hash(q->name, q->type);
	size_t set = h % DNS_CACHE_SETS;
	pthread_mutex_t *lock = &dns->cache_lock[set % DNS_CACHE_LOCKS];
	struct spfdmarc_dns_answer fresh = q->answer;
	struct timespec now;
	bool hit = false;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(lock);
	for (size_t w = 0; w < DNS_CACHE_WAYS; w++) {
		const struct dns_cached *c = dns->cache[set][w];

		if (c == NULL || c->hash != h || c->answer.qtype != q->type ||
		    c->expires <= now.tv_sec ||
		    strcmp(c->answer.qname, q->name) != 0)
			continue;
		hit = dns_answer_copy(q->arena, &q->answer, &c->answer,
		    (uint32_t)(now.tv_sec - c->stored)) == 0;
		break;
	}
	pthread_mutex_unlock(lock);
	if (!hit)
		q->answer = fresh;	/* as the backend expects it */
	return hit;
}

/* Keep q's final answer if it is one to keep. */
static void
dns_cache_put(struct spfdmarc_dns *dns, const struct dns_query *q)
{
	const struct spfdmarc_dns_answer *a = &q->answer;
	uint64_t h = dns_cache_hash(q->name, q->type);
	size_t set = h % DNS_CACHE_SETS, way = 0;
	pthread_mutex_t *lock = &dns->cache_lock[set % DNS_CACHE_LOCKS];
	struct spfdmarc_arena *arena;
	struct dns_cached *c, *old;
	struct timespec now;

	if (spfdmarc_dns_status_is_error(a->status) || a->ttl == 0 ||
	    a->dnssec == SPFDMARC_DNSSEC_BOGUS)
		return;
	arena = arena_new_small(DNS_CACHE_ENTRY_MAX, DNS_CACHE_BLOCK);
	if (arena == NULL)
		return;
	c = spfdmarc_arena_zalloc(arena, sizeof(*c));
	if (c == NULL || (c->answer.qname = spfdmarc_arena_strdup(arena,
	    q->name)) == NULL || dns_answer_copy(arena, &c->answer, a, 0) != 0) {
		spfdmarc_arena_free(arena);	/* too big, or no memory */
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->arena = arena;
	c->hash = h;
	c->stored = now.tv_sec;
	c->expires = now.tv_sec + (a->ttl < DNS_CACHE_TTL_MAX ? a->ttl :
	    DNS_CACHE_TTL_MAX);

	pthread_mutex_lock(lock);
	/* the same key, else an empty or stale way, else the oldest */
	for (size_t w = 0; w < DNS_CACHE_WAYS; w++) {
		const struct dns_cached *o = dns->cache[set][w];

		if (o == NULL || o->expires <= now.tv_sec ||
		    (o->hash == h && o->answer.qtype == q->type &&
		    strcmp(o->answer.qname, q->name) == 0)) {
			way = w;
			break;
		}
		if (o->expires < dns->cache[set][way]->expires)
			way = w;
	}
	old = dns->cache[set][way];
	dns->cache[set][way] = c;
	pthread_mutex_unlock(lock);
	if (old != NULL)
		spfdmarc_arena_free(old->arena);
}

/* --- queries ----------------------------------------------------------- */

static struct dns_query *
dns_query_new(const char *name, enum spfdmarc_dns_type type)
{
	struct dns_query *q;
	pthread_condattr_t attr;

	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	/* Most answers take a few hundred bytes: no 4 KB block each. */
	q->arena = arena_new_small(DNS_ANSWER_ARENA_MAX, DNS_ANSWER_BLOCK);
	if (q->arena == NULL) {
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &attr);
	pthread_condattr_destroy(&attr);
	q->refs = 1;
	q->type = type;
	(void)strlcpy(q->name, name, sizeof(q->name));
	q->answer.qname = q->name;
	q->answer.qtype = type;
	q->answer.status = SPFDMARC_DNS_ERROR;
	q->answer.rcode = -1;
	q->answer.dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	q->timeout = q->answer;
	q->timeout.status = SPFDMARC_DNS_TIMEOUT;
	return q;
}

static void
dns_query_unref(struct dns_query *q)
{
	unsigned left;

	pthread_mutex_lock(&q->lock);
	left = --q->refs;
	pthread_mutex_unlock(&q->lock);
	if (left != 0)
		return;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	spfdmarc_arena_free(q->arena);
	free(q);
}

const char *
dns_query_name(const struct dns_query *q)
{
	return q->name;
}

enum spfdmarc_dns_type
dns_query_type(const struct dns_query *q)
{
	return q->type;
}

struct spfdmarc_dns_answer *
dns_query_answer(struct dns_query *q)
{
	return &q->answer;
}

struct spfdmarc_arena *
dns_query_arena(struct dns_query *q)
{
	return q->arena;
}

void
dns_query_set_backend_data(struct dns_query *q, long data)
{
	q->backend_data = data;
}

long
dns_query_backend_data(const struct dns_query *q)
{
	return q->backend_data;
}

void
dns_query_complete(struct dns_query *q)
{
	if (q->dns != NULL)
		dns_cache_put(q->dns, q);
	pthread_mutex_lock(&q->lock);
	q->done = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	dns_query_unref(q);
}

void
dns_query_release(struct dns_query *q)
{
	dns_query_unref(q);
}

int
dns_answer_set_why(struct dns_query *q, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);	/* a reason may be cut */
	va_end(ap);
	q->answer.why = spfdmarc_arena_strdup(q->arena, text);
	return q->answer.why == NULL ? SPFDMARC_ENOMEM : 0;
}

struct spfdmarc_dns_rr *
dns_answer_alloc_rr(struct dns_query *q, size_t n)
{
	struct spfdmarc_dns_rr *rr;

	rr = spfdmarc_arena_calloc(q->arena, n == 0 ? 1 : n, sizeof(*rr));
	if (rr == NULL)
		return NULL;
	q->answer.rr = rr;
	q->answer.count = n;
	return rr;
}

/* --- wire format --------------------------------------------------------- */

int
dns_wire_name_to_text(const unsigned char *wire, size_t len, size_t *used,
    char *out, size_t outsize)
{
	struct cursor c;
	size_t o = 0;

	if (outsize == 0)
		return SPFDMARC_EINVAL;
	cursor_init(&c, wire, len);
	for (;;) {
		/* RFC 1035 §3.1: a name is at most 255 octets on the wire;
		 * whatever is read beyond that is not a name. */
		if (c.pos >= DNS_WIRE_NAME_MAX)
			return SPFDMARC_ERANGE;
		uint8_t n = cursor_u8(&c);
		const char *label;

		if (!cursor_ok(&c))
			return SPFDMARC_ESYNTAX;
		if (n == 0)
			break;
		if (n > SPFDMARC_LABEL_MAX)	/* compression or extended */
			return SPFDMARC_ESYNTAX;
		if (!cursor_take(&c, n, &label))
			return SPFDMARC_ESYNTAX;
		if (o != 0) {
			if (o + 1 >= outsize)
				return SPFDMARC_ERANGE;
			out[o++] = '.';
		}
		if (o + n >= outsize)
			return SPFDMARC_ERANGE;
		for (size_t i = 0; i < n; i++) {
			char ch = label[i];

			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			out[o++] = ch;
		}
	}
	out[o] = '\0';
	if (used != NULL)
		*used = c.pos;
	return 0;
}

int
dns_rdata_decode(struct dns_query *q, enum spfdmarc_dns_type type,
    const unsigned char *rdata, size_t len, struct spfdmarc_dns_rr *rr)
{
	char name[SPFDMARC_DNAME_BUFSIZE];
	struct cursor c;
	size_t used;

	rr->type = type;
	switch (type) {
	case SPFDMARC_DNS_A:
		if (len != 4)
			return SPFDMARC_ESYNTAX;
		rr->u.addr.family = SPFDMARC_AF_INET;
		memcpy(rr->u.addr.bytes, rdata, 4);
		return 0;
	case SPFDMARC_DNS_AAAA:
		if (len != 16)
			return SPFDMARC_ESYNTAX;
		rr->u.addr.family = SPFDMARC_AF_INET6;
		memcpy(rr->u.addr.bytes, rdata, 16);
		return 0;
	case SPFDMARC_DNS_MX:
		if (len < 3)
			return SPFDMARC_ESYNTAX;
		rr->u.mx.preference = (uint16_t)(rdata[0] << 8 | rdata[1]);
		if (dns_wire_name_to_text(rdata + 2, len - 2, &used, name,
		    sizeof(name)) != 0 || used != len - 2)
			return SPFDMARC_ESYNTAX;
		rr->u.mx.exchange = spfdmarc_arena_strdup(q->arena, name);
		return rr->u.mx.exchange == NULL ? SPFDMARC_ENOMEM : 0;
	case SPFDMARC_DNS_PTR:
	case SPFDMARC_DNS_CNAME:
	case SPFDMARC_DNS_NS:
		if (dns_wire_name_to_text(rdata, len, &used, name,
		    sizeof(name)) != 0 || used != len)
			return SPFDMARC_ESYNTAX;
		rr->u.name = spfdmarc_arena_strdup(q->arena, name);
		return rr->u.name == NULL ? SPFDMARC_ENOMEM : 0;
	case SPFDMARC_DNS_TXT:
	case SPFDMARC_DNS_SPF: {
		char *text;
		size_t n = 0;

		/* The text is never longer than the RDATA. */
		text = spfdmarc_arena_alloc(q->arena, len + 1);
		if (text == NULL)
			return SPFDMARC_ENOMEM;
		rr->u.txt.nstrings = 0;
		rr->u.txt.longest = 0;
		cursor_init(&c, rdata, len);
		while (!cursor_eof(&c)) {
			uint8_t slen = cursor_u8(&c);
			const char *s;

			if (!cursor_take(&c, slen, &s))
				return SPFDMARC_ESYNTAX;
			memcpy(text + n, s, slen);
			n += slen;
			rr->u.txt.nstrings++;
			if (slen > rr->u.txt.longest)
				rr->u.txt.longest = slen;
		}
		if (rr->u.txt.nstrings == 0)	/* RFC 1035: one or more */
			return SPFDMARC_ESYNTAX;
		text[n] = '\0';
		rr->u.txt.text = text;
		rr->u.txt.len = n;
		return 0;
	}
	}
	return SPFDMARC_ESYNTAX;
}

/* --- contexts ------------------------------------------------------------ */

static void
dns_deadline_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

SPFDMARC_PUBLIC struct spfdmarc_dns_ctx *
spfdmarc_dns_ctx_new(struct spfdmarc_dns *dns,
    const struct spfdmarc_dns_limits *limits)
{
	struct spfdmarc_dns_ctx *ctx;

	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return NULL;
	ctx->dns = dns;
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->timeout_ms = DNS_DEFAULT_TIMEOUT_MS;
	ctx->max_queries = DNS_DEFAULT_MAX_QUERIES;
	if (limits != NULL && limits->timeout_ms != 0)
		ctx->timeout_ms = limits->timeout_ms;
	if (limits != NULL && limits->max_queries != 0)
		ctx->max_queries = limits->max_queries;
	dns_deadline_after(&ctx->deadline, ctx->timeout_ms);
	return ctx;
}

SPFDMARC_PUBLIC void
spfdmarc_dns_ctx_free(struct spfdmarc_dns_ctx *ctx)
{
	struct dns_query *q, *next;

	if (ctx == NULL)
		return;
	for (q = ctx->queries; q != NULL; q = next) {
		bool done;

		next = q->next;
		pthread_mutex_lock(&q->lock);
		done = q->done;
		pthread_mutex_unlock(&q->lock);
		if (!done)
			ctx->dns->ops.cancel(ctx->dns->impl, q);
		dns_query_unref(q);
	}
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

SPFDMARC_PUBLIC void
spfdmarc_dns_ctx_restart_clock(struct spfdmarc_dns_ctx *ctx)
{
	pthread_mutex_lock(&ctx->lock);
	dns_deadline_after(&ctx->deadline, ctx->timeout_ms);
	pthread_mutex_unlock(&ctx->lock);
}

SPFDMARC_PUBLIC void
spfdmarc_dns_ctx_set_trace(struct spfdmarc_dns_ctx *ctx,
    spfdmarc_dns_trace_fn *fn, void *arg)
{
	pthread_mutex_lock(&ctx->lock);
	ctx->trace = fn;
	ctx->trace_arg = arg;
	pthread_mutex_unlock(&ctx->lock);
}

SPFDMARC_PUBLIC void
spfdmarc_dns_ctx_stats(struct spfdmarc_dns_ctx *ctx,
    struct spfdmarc_dns_stats *out)
{
	pthread_mutex_lock(&ctx->lock);
	*out = ctx->stats;
	pthread_mutex_unlock(&ctx->lock);
}

/*
 * Normalize a query name: valid DNS syntax (any bytes but NUL and empty
 * labels: SPF's domain-spec allows them), lower case, no trailing dot.
 */
static bool
dns_normalize(const char *name, char *out, size_t outsize)
{
	size_t len = strnlen(name, SPFDMARC_DNAME_BUFSIZE);

	if (len >= SPFDMARC_DNAME_BUFSIZE || len >= outsize)
		return false;
	if (spfdmarc_dname_check(name, len, 0) != 0)
		return false;
	memcpy(out, name, len + 1);
	if (len > 0 && out[len - 1] == '.')
		out[--len] = '\0';
	spfdmarc_dname_lower(out, len);
	return true;
}

static struct dns_query *
dns_find(struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type)
{
	for (struct dns_query *q = ctx->queries; q != NULL; q = q->next) {
		if (q->type == type && strcmp(q->name, name) == 0)
			return q;
	}
	return NULL;
}

/* A query that failed locally: completed at once with an ERROR answer. */
static void
dns_fail_local(struct dns_query *q, const char *why)
{
	q->answer.status = SPFDMARC_DNS_ERROR;
	q->answer.rcode = -1;
	(void)dns_answer_set_why(q, "%s", why);
	pthread_mutex_lock(&q->lock);
	q->done = true;
	pthread_mutex_unlock(&q->lock);
}

/*
 * Find or start (name, type). Returns the query (owned by the context)
 * or NULL when out of memory; *err says why a query was recorded failed.
 */
static struct dns_query *
dns_get(struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type, int *err)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	struct dns_query *q;
	bool valid;
	int rc;

	*err = 0;
	valid = dns_normalize(name, norm, sizeof(norm));
	if (!valid) {
		/* Keep a bounded, printable copy for the answer's qname. */
		size_t i;

		for (i = 0; i < sizeof(norm) - 1 && name[i] != '\0'; i++)
			norm[i] = (name[i] < 0x20 || name[i] == 0x7f) ?
			    '?' : name[i];
		norm[i] = '\0';
	}

	pthread_mutex_lock(&ctx->lock);
	q = dns_find(ctx, norm, type);
	if (q != NULL) {
		pthread_mutex_unlock(&ctx->lock);
		return q;
	}
	q = dns_query_new(norm, type);
	if (q == NULL) {
		pthread_mutex_unlock(&ctx->lock);
		*err = SPFDMARC_ENOMEM;
		return NULL;
	}
	q->next = ctx->queries;
	ctx->queries = q;
	if (!valid) {
		dns_fail_local(q, "invalid domain name");
		*err = SPFDMARC_EINVAL;
		pthread_mutex_unlock(&ctx->lock);
		return q;
	}
	if (ctx->stats.queries >= ctx->max_queries) {
		dns_fail_local(q, "DNS query limit of this evaluation reached");
		*err = SPFDMARC_ERANGE;
		pthread_mutex_unlock(&ctx->lock);
		return q;
	}
	ctx->stats.queries++;
	q->sent = true;
	if (ctx->dns->cache != NULL) {
		if (dns_cache_get(ctx->dns, q)) {
			pthread_mutex_lock(&q->lock);
			q->done = true;
			pthread_mutex_unlock(&q->lock);
			pthread_mutex_unlock(&ctx->lock);
			return q;
		}
		q->dns = ctx->dns;	/* keep what the backend answers */
	}
	q->refs++;		/* the backend's reference */
	pthread_mutex_unlock(&ctx->lock);

	dns_warm(ctx->dns, q->name);
	rc = ctx->dns->ops.resolve(ctx->dns->impl, q);
	if (rc != 0) {
		/* The backend did not take it: complete it ourselves. */
		q->answer.status = SPFDMARC_DNS_ERROR;
		(void)dns_answer_set_why(q, "resolver: %s",
		    spfdmarc_strerror(rc));
		dns_query_complete(q);
	}
	return q;
}

SPFDMARC_PUBLIC int
spfdmarc_dns_start(struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type)
{
	int err;

	if (dns_get(ctx, name, type, &err) == NULL)
		return err;
	return err;
}

/* The answer to hand out for a finished or expired query (ctx lock). */
static const struct spfdmarc_dns_answer *
dns_result(struct spfdmarc_dns_ctx *ctx, struct dns_query *q,
    bool *first)
{
	*first = !q->traced;
	q->traced = true;
	if (*first && q->sent)
		ctx->stats.answered++;
	return q->expired ? &q->timeout : &q->answer;
}

SPFDMARC_PUBLIC const struct spfdmarc_dns_answer *
spfdmarc_dns_lookup(struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type)
{
	static const struct spfdmarc_dns_answer nomem = {
		.qname = "", .status = SPFDMARC_DNS_ERROR, .rcode = -1,
		.dnssec = SPFDMARC_DNSSEC_INDETERMINATE,
		.why = "out of memory",
	};
	const struct spfdmarc_dns_answer *ans;
	struct dns_query *q;
	struct timespec deadline;
	spfdmarc_dns_trace_fn *trace;
	void *trace_arg;
	bool done, expired, first;
	int err;

	q = dns_get(ctx, name, type, &err);
	if (q == NULL)
		return &nomem;

	pthread_mutex_lock(&ctx->lock);
	ctx->stats.lookups++;
	deadline = ctx->deadline;
	expired = q->expired;
	pthread_mutex_lock(&q->lock);
	done = q->done;
	pthread_mutex_unlock(&q->lock);
	if (!done && !expired)
		ctx->stats.waited++;
	pthread_mutex_unlock(&ctx->lock);

	if (!done && !expired) {
		int rc = 0;

		pthread_mutex_lock(&q->lock);
		while (!q->done && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&q->cond, &q->lock,
			    &deadline);
		done = q->done;
		pthread_mutex_unlock(&q->lock);
	}

	pthread_mutex_lock(&ctx->lock);
	if (!done && !q->expired) {
		/* Give up on this one: the context answers TIMEOUT for it
		 * from now on, whatever the backend brings later. */
		q->expired = true;
		(void)snprintf(q->timeout_why, sizeof(q->timeout_why),
		    "no answer within %u ms", ctx->timeout_ms);
		q->timeout.why = q->timeout_why;
	}
	ans = dns_result(ctx, q, &first);
	trace = ctx->trace;
	trace_arg = ctx->trace_arg;
	pthread_mutex_unlock(&ctx->lock);

	if (first && trace != NULL)
		trace(ans, trace_arg);
	return ans;
}

SPFDMARC_PUBLIC const struct spfdmarc_dns_answer *
spfdmarc_dns_peek(struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	struct dns_query *q;
	const struct spfdmarc_dns_answer *ans = NULL;
	bool done;

	if (!dns_normalize(name, norm, sizeof(norm)))
		return NULL;
	pthread_mutex_lock(&ctx->lock);
	q = dns_find(ctx, norm, type);
	if (q != NULL) {
		pthread_mutex_lock(&q->lock);
		done = q->done;
		pthread_mutex_unlock(&q->lock);
		if (q->expired)
			ans = &q->timeout;
		else if (done)
			ans = &q->answer;
	}
	pthread_mutex_unlock(&ctx->lock);
	return ans;
}
