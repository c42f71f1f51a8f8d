/*
 * dns_zone.c: the in-memory zone backend (spfdmarc/dns_zone.h), for tests
 * and fuzzing. Every query is answered inside resolve(), from a hash table
 * of names filled before the first query and read-only afterwards.
 *
 * What a resolver in front of a real zone would do, it does here:
 * NXDOMAIN only for names that do not exist, empty non-terminals included
 * (RFC 8020 §2); CNAME chains followed for other types (RFC 1034 §3.6.2,
 * §4.3.2 step 3a) with a bound, a loop being a server failure; bogus data
 * never handed out (RFC 4035 §5.5).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "dns_backend.h"
#include "export.h"
#include "spfdmarc/addr.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/dns_zone.h"
#include "spfdmarc/err.h"

#define ZONE_NTYPES		8	/* the types of enum spfdmarc_dns_type */
#define ZONE_BUCKETS_MIN	64
#define ZONE_STRING_MAX		255	/* a character-string (RFC 1035 §3.3) */
#define ZONE_LOAD_STRINGS_MAX	1024	/* character-strings on one line */
#define ZONE_WORD_MAX		1024	/* any other word of a line */

struct zone_rr {
	struct zone_rr *next;		/* in the order added */
	struct spfdmarc_dns_rr rr;	/* strings in the zone's arena */
	size_t rdlen;			/* RDATA bytes on the wire */
};

struct zone_node {
	struct zone_node *hnext;	/* hash chain */
	uint64_t hash;
	char *name;			/* lower case, no trailing dot */
	size_t len;
	struct zone_rr *rrs;
	struct zone_rr **tail;
	uint8_t fail[ZONE_NTYPES];	/* enum spfdmarc_dns_status; 0: none */
	uint8_t fail_all;
	bool dnssec_set;
	enum spfdmarc_dnssec dnssec;
	bool has_data;			/* records or failure marks */
	bool has_below;			/* a name below it has data */
};

struct zone_logent {
	char *name;
	enum spfdmarc_dns_type type;
};

struct spfdmarc_dns_zone {
	struct spfdmarc_arena *arena;	/* nodes, records */
	struct zone_node **table;
	size_t nbuckets;
	size_t nnodes;
	enum spfdmarc_dnssec default_dnssec;

	pthread_mutex_t lock;		/* the query log below */
	unsigned nqueries;
	struct zone_logent *log;
	size_t nlog;
	size_t caplog;
};

/* --- names ---------------------------------------------------------------- */

static int
zone_type_index(enum spfdmarc_dns_type type)
{
	switch (type) {
	case SPFDMARC_DNS_A:		return 0;
	case SPFDMARC_DNS_NS:		return 1;
	case SPFDMARC_DNS_CNAME:	return 2;
	case SPFDMARC_DNS_PTR:		return 3;
	case SPFDMARC_DNS_MX:		return 4;
	case SPFDMARC_DNS_TXT:		return 5;
	case SPFDMARC_DNS_AAAA:		return 6;
	case SPFDMARC_DNS_SPF:		return 7;
	}
	return -1;
}

/*
 * A name as the zone keeps it: any bytes but NUL, labels of 1..63 bytes,
 * at most 253 bytes without the trailing dot, which is dropped; lower case.
 */
static int
zone_norm(const char *name, char *out, size_t *outlen)
{
	size_t len;

	if (name == NULL)
		return SPFDMARC_EINVAL;
	len = strnlen(name, SPFDMARC_DNAME_BUFSIZE);
	if (len >= SPFDMARC_DNAME_BUFSIZE ||
	    spfdmarc_dname_check(name, len, 0) != 0)
		return SPFDMARC_EINVAL;
	memcpy(out, name, len + 1);
	if (out[len - 1] == '.')
		out[--len] = '\0';
	spfdmarc_dname_lower(out, len);
	*outlen = len;
	return 0;
}

/* Wire length of a text name that zone_norm() accepted. */
static size_t
zone_wire_len(size_t textlen)
{
	return textlen + 2;
}

static uint64_t
zone_hash(const char *name, size_t len)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct zone_node *
zone_find(const struct spfdmarc_dns_zone *zone, const char *name, size_t len)
{
	uint64_t h = zone_hash(name, len);
	struct zone_node *n;

	for (n = zone->table[h % zone->nbuckets]; n != NULL; n = n->hnext) {
		if (n->hash == h && n->len == len &&
		    memcmp(n->name, name, len) == 0)
			return n;
	}
	return NULL;
}

static int
zone_grow(struct spfdmarc_dns_zone *zone)
{
	size_t nb = zone->nbuckets * 2;
	struct zone_node **t;

	t = calloc(nb, sizeof(*t));
	if (t == NULL)
		return SPFDMARC_ENOMEM;
	for (size_t i = 0; i < zone->nbuckets; i++) {
		struct zone_node *n, *next;

		for (n = zone->table[i]; n != NULL; n = next) {
			next = n->hnext;
			n->hnext = t[n->hash % nb];
			t[n->hash % nb] = n;
		}
	}
	free(zone->table);
	zone->table = t;
	zone->nbuckets = nb;
	return 0;
}

/* The node of a normalized name, created if missing; NULL on ENOMEM. */
static struct zone_node *
zone_node_get(struct spfdmarc_dns_zone *zone, const char *name, size_t len)
{
	struct zone_node *n;

	n = zone_find(zone, name, len);
	if (n != NULL)
		return n;
	if (zone->nnodes >= zone->nbuckets * 2 && zone_grow(zone) != 0)
		return NULL;
	n = spfdmarc_arena_zalloc(zone->arena, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->name = spfdmarc_arena_strndup(zone->arena, name, len);
	if (n->name == NULL)
		return NULL;
	n->len = len;
	n->hash = zone_hash(name, len);
	n->tail = &n->rrs;
	n->hnext = zone->table[n->hash % zone->nbuckets];
	zone->table[n->hash % zone->nbuckets] = n;
	zone->nnodes++;
	return n;
}

/*
 * The node of name, which from now on exists; so does every name above
 * it (RFC 8020: an empty non-terminal is not NXDOMAIN).
 */
static struct zone_node *
zone_node_touch(struct spfdmarc_dns_zone *zone, const char *name)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	struct zone_node *n, *up;
	size_t len, off;

	if (zone_norm(name, norm, &len) != 0)
		return NULL;
	n = zone_node_get(zone, norm, len);
	if (n == NULL)
		return NULL;
	n->has_data = true;
	for (off = 0; off < len; off++) {
		if (norm[off] != '.')
			continue;
		up = zone_node_get(zone, norm + off + 1, len - off - 1);
		if (up == NULL)
			return NULL;
		if (up->has_below)
			break;		/* and so is every name above it */
		up->has_below = true;
	}
	return n;
}

static bool
zone_node_exists(const struct zone_node *n)
{
	return n != NULL && (n->has_data || n->has_below);
}

/* The DNSSEC state of name: the closest enclosing name with one set. */
static enum spfdmarc_dnssec
zone_dnssec_of(const struct spfdmarc_dns_zone *zone, const char *name,
    size_t len)
{
	size_t off = 0;

	for (;;) {
		const struct zone_node *n;
		const char *dot;

		n = zone_find(zone, name + off, len - off);
		if (n != NULL && n->dnssec_set)
			return n->dnssec;
		dot = memchr(name + off, '.', len - off);
		if (dot == NULL)
			break;
		off = (size_t)(dot - name) + 1;
	}
	return zone->default_dnssec;
}

/* --- adding records ------------------------------------------------------- */

static int
zone_add_rr(struct spfdmarc_dns_zone *zone, const char *name,
    const struct spfdmarc_dns_rr *rr, size_t rdlen)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	struct zone_node *n;
	struct zone_rr *r;
	size_t len;

	if (zone == NULL || zone_norm(name, norm, &len) != 0)
		return SPFDMARC_EINVAL;
	n = zone_node_touch(zone, norm);
	if (n == NULL)
		return SPFDMARC_ENOMEM;
	r = spfdmarc_arena_zalloc(zone->arena, sizeof(*r));
	if (r == NULL)
		return SPFDMARC_ENOMEM;
	r->rr = *rr;
	r->rr.ttl = SPFDMARC_DNS_ZONE_TTL;
	r->rdlen = rdlen;
	*n->tail = r;
	n->tail = &r->next;
	return 0;
}

/* A target name normalized into the zone's arena. */
static int
zone_target(struct spfdmarc_dns_zone *zone, const char *target,
    const char **out, size_t *wire)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	size_t len;

	/* The root ("" or "."): a null MX (RFC 7505) points there. */
	if (target != NULL && (strcmp(target, "") == 0 ||
	    strcmp(target, ".") == 0)) {
		norm[0] = '\0';
		len = 0;
	} else if (zone_norm(target, norm, &len) != 0) {
		return SPFDMARC_EINVAL;
	}
	*out = spfdmarc_arena_strndup(zone->arena, norm, len);
	if (*out == NULL)
		return SPFDMARC_ENOMEM;
	*wire = len == 0 ? 1 : zone_wire_len(len);
	return 0;
}

static int
zone_add_text(struct spfdmarc_dns_zone *zone, const char *name,
    enum spfdmarc_dns_type type, const char *const *strings,
    const size_t *lens, size_t n)
{
	struct spfdmarc_dns_rr rr;
	size_t total = 0, rdlen = 0, longest = 0;
	char *text;

	if (zone == NULL || (n > 0 && (strings == NULL || lens == NULL)))
		return SPFDMARC_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > 0 && strings[i] == NULL)
			return SPFDMARC_EINVAL;
		if (lens[i] > ZONE_STRING_MAX)
			return SPFDMARC_ERANGE;
		rdlen += 1 + lens[i];
		if (rdlen > SPFDMARC_DNS_ZONE_TXT_MAX)
			return SPFDMARC_ERANGE;
		total += lens[i];
		if (lens[i] > longest)
			longest = lens[i];
	}
	text = spfdmarc_arena_alloc(zone->arena, total + 1);
	if (text == NULL)
		return SPFDMARC_ENOMEM;
	total = 0;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > 0)
			memcpy(text + total, strings[i], lens[i]);
		total += lens[i];
	}
	text[total] = '\0';
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rr.u.txt.text = text;
	rr.u.txt.len = total;
	rr.u.txt.nstrings = n;
	rr.u.txt.longest = longest;
	return zone_add_rr(zone, name, &rr, rdlen);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_txt(struct spfdmarc_dns_zone *zone, const char *name,
    const char *const *strings, const size_t *lens, size_t n)
{
	return zone_add_text(zone, name, SPFDMARC_DNS_TXT, strings, lens, n);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_spf(struct spfdmarc_dns_zone *zone, const char *name,
    const char *const *strings, const size_t *lens, size_t n)
{
	return zone_add_text(zone, name, SPFDMARC_DNS_SPF, strings, lens, n);
}

static int
zone_add_addr(struct spfdmarc_dns_zone *zone, const char *name,
    enum spfdmarc_dns_type type, const char *text)
{
	struct spfdmarc_dns_rr rr;
	size_t len;
	int rc;

	if (zone == NULL || text == NULL)
		return SPFDMARC_EINVAL;
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	len = strnlen(text, SPFDMARC_ADDR_STRLEN);
	if (type == SPFDMARC_DNS_A)
		rc = spfdmarc_addr_parse4(&rr.u.addr, text, len);
	else
		rc = spfdmarc_addr_parse6(&rr.u.addr, text, len);
	if (rc != 0 || len >= SPFDMARC_ADDR_STRLEN)
		return SPFDMARC_EINVAL;
	return zone_add_rr(zone, name, &rr, type == SPFDMARC_DNS_A ? 4 : 16);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_a(struct spfdmarc_dns_zone *zone, const char *name,
    const char *text)
{
	return zone_add_addr(zone, name, SPFDMARC_DNS_A, text);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_aaaa(struct spfdmarc_dns_zone *zone, const char *name,
    const char *text)
{
	return zone_add_addr(zone, name, SPFDMARC_DNS_AAAA, text);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_mx(struct spfdmarc_dns_zone *zone, const char *name,
    unsigned preference, const char *exchange)
{
	struct spfdmarc_dns_rr rr;
	size_t wire;
	int rc;

	if (zone == NULL || preference > UINT16_MAX)
		return SPFDMARC_EINVAL;
	memset(&rr, 0, sizeof(rr));
	rr.type = SPFDMARC_DNS_MX;
	rr.u.mx.preference = (uint16_t)preference;
	rc = zone_target(zone, exchange, &rr.u.mx.exchange, &wire);
	if (rc != 0)
		return rc;
	return zone_add_rr(zone, name, &rr, 2 + wire);
}

static int
zone_add_named(struct spfdmarc_dns_zone *zone, const char *name,
    enum spfdmarc_dns_type type, const char *target)
{
	struct spfdmarc_dns_rr rr;
	size_t wire;
	int rc;

	if (zone == NULL)
		return SPFDMARC_EINVAL;
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rc = zone_target(zone, target, &rr.u.name, &wire);
	if (rc != 0)
		return rc;
	return zone_add_rr(zone, name, &rr, wire);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_ptr(struct spfdmarc_dns_zone *zone, const char *name,
    const char *target)
{
	return zone_add_named(zone, name, SPFDMARC_DNS_PTR, target);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_cname(struct spfdmarc_dns_zone *zone, const char *name,
    const char *target)
{
	return zone_add_named(zone, name, SPFDMARC_DNS_CNAME, target);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_add_ns(struct spfdmarc_dns_zone *zone, const char *name,
    const char *target)
{
	return zone_add_named(zone, name, SPFDMARC_DNS_NS, target);
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_set_failure(struct spfdmarc_dns_zone *zone,
    const char *name, enum spfdmarc_dns_type type,
    enum spfdmarc_dns_status status)
{
	struct zone_node *n;
	int idx = -1;

	if (zone == NULL || (status != SPFDMARC_DNS_TIMEOUT &&
	    status != SPFDMARC_DNS_SERVFAIL))
		return SPFDMARC_EINVAL;
	if (type != SPFDMARC_DNS_ZONE_ALL_TYPES) {
		idx = zone_type_index(type);
		if (idx < 0)
			return SPFDMARC_EINVAL;
	}
	{
		char norm[SPFDMARC_DNAME_BUFSIZE];
		size_t len;

		if (zone_norm(name, norm, &len) != 0)
			return SPFDMARC_EINVAL;
	}
	n = zone_node_touch(zone, name);
	if (n == NULL)
		return SPFDMARC_ENOMEM;
	if (idx < 0)
		n->fail_all = (uint8_t)status;
	else
		n->fail[idx] = (uint8_t)status;
	return 0;
}

static bool
zone_dnssec_valid(enum spfdmarc_dnssec state)
{
	switch (state) {
	case SPFDMARC_DNSSEC_SECURE:
	case SPFDMARC_DNSSEC_INSECURE:
	case SPFDMARC_DNSSEC_INDETERMINATE:
	case SPFDMARC_DNSSEC_BOGUS:
		return true;
	}
	return false;
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_set_dnssec(struct spfdmarc_dns_zone *zone,
    const char *name, enum spfdmarc_dnssec state)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	struct zone_node *n;
	size_t len;

	if (zone == NULL || !zone_dnssec_valid(state) ||
	    zone_norm(name, norm, &len) != 0)
		return SPFDMARC_EINVAL;
	/* A state alone does not make the name exist. */
	n = zone_node_get(zone, norm, len);
	if (n == NULL)
		return SPFDMARC_ENOMEM;
	n->dnssec_set = true;
	n->dnssec = state;
	return 0;
}

SPFDMARC_PUBLIC void
spfdmarc_dns_zone_set_default_dnssec(struct spfdmarc_dns_zone *zone,
    enum spfdmarc_dnssec state)
{
	if (zone != NULL && zone_dnssec_valid(state))
		zone->default_dnssec = state;
}

/* --- answering ------------------------------------------------------------ */

static void
zone_log(struct spfdmarc_dns_zone *zone, const char *name,
    enum spfdmarc_dns_type type)
{
	pthread_mutex_lock(&zone->lock);
	zone->nqueries++;
	if (zone->nlog < SPFDMARC_DNS_ZONE_LOG_MAX) {
		if (zone->nlog == zone->caplog) {
			size_t cap = zone->caplog == 0 ? 64 : zone->caplog * 2;
			struct zone_logent *l;

			l = reallocarray(zone->log, cap, sizeof(*l));
			if (l != NULL) {
				zone->log = l;
				zone->caplog = cap;
			}
		}
		if (zone->nlog < zone->caplog) {
			char *copy = strdup(name);

			if (copy != NULL) {
				zone->log[zone->nlog].name = copy;
				zone->log[zone->nlog].type = type;
				zone->nlog++;
			}
		}
	}
	pthread_mutex_unlock(&zone->lock);
}

/* The failure mark of node for type, or 0. */
static enum spfdmarc_dns_status
zone_failure(const struct zone_node *n, enum spfdmarc_dns_type type)
{
	int idx;

	if (n == NULL)
		return SPFDMARC_DNS_OK;
	idx = zone_type_index(type);
	if (idx >= 0 && n->fail[idx] != 0)
		return (enum spfdmarc_dns_status)n->fail[idx];
	return (enum spfdmarc_dns_status)n->fail_all;
}

static const struct zone_rr *
zone_first_rr(const struct zone_node *n, enum spfdmarc_dns_type type)
{
	for (const struct zone_rr *r = n->rrs; r != NULL; r = r->next) {
		if (r->rr.type == type)
			return r;
	}
	return NULL;
}

/* A name made printable for a reason text. */
static void
zone_printable(const char *name, char *out, size_t outsize)
{
	size_t i;

	for (i = 0; i + 1 < outsize && name[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)name[i];

		out[i] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
	}
	out[i] = '\0';
}

/* Copy one record into the query's arena. */
static int
zone_copy_rr(struct dns_query *q, const struct spfdmarc_dns_rr *from,
    struct spfdmarc_dns_rr *to)
{
	struct spfdmarc_arena *arena = dns_query_arena(q);

	*to = *from;
	switch (from->type) {
	case SPFDMARC_DNS_MX:
		to->u.mx.exchange = spfdmarc_arena_strdup(arena,
		    from->u.mx.exchange);
		return to->u.mx.exchange == NULL ? SPFDMARC_ENOMEM : 0;
	case SPFDMARC_DNS_PTR:
	case SPFDMARC_DNS_CNAME:
	case SPFDMARC_DNS_NS:
		to->u.name = spfdmarc_arena_strdup(arena, from->u.name);
		return to->u.name == NULL ? SPFDMARC_ENOMEM : 0;
	case SPFDMARC_DNS_TXT:
	case SPFDMARC_DNS_SPF: {
		char *text = spfdmarc_arena_alloc(arena, from->u.txt.len + 1);

		if (text == NULL)
			return SPFDMARC_ENOMEM;
		memcpy(text, from->u.txt.text, from->u.txt.len + 1);
		to->u.txt.text = text;
		return 0;
	}
	case SPFDMARC_DNS_A:
	case SPFDMARC_DNS_AAAA:
		return 0;
	}
	return 0;
}

/* Fill q's answer from the records of type at n. */
static int
zone_answer_records(struct dns_query *q, const struct zone_node *n,
    enum spfdmarc_dns_type type, size_t *wire)
{
	struct spfdmarc_dns_answer *ans = dns_query_answer(q);
	struct spfdmarc_dns_rr *rrs;
	const struct zone_rr *r;
	size_t count = 0, i = 0;

	for (r = n != NULL ? n->rrs : NULL; r != NULL; r = r->next) {
		if (r->rr.type == type)
			count++;
	}
	if (count == 0)
		return 0;
	rrs = dns_answer_alloc_rr(q, count);
	if (rrs == NULL)
		return SPFDMARC_ENOMEM;
	for (r = n->rrs; r != NULL; r = r->next) {
		if (r->rr.type != type)
			continue;
		if (zone_copy_rr(q, &r->rr, &rrs[i]) != 0)
			return SPFDMARC_ENOMEM;
		*wire += 2 + 10 + r->rdlen;	/* compressed owner */
		i++;
	}
	ans->ttl = SPFDMARC_DNS_ZONE_TTL;
	return 0;
}

static void
zone_answer(struct spfdmarc_dns_zone *zone, struct dns_query *q)
{
	struct spfdmarc_dns_answer *ans = dns_query_answer(q);
	enum spfdmarc_dns_type type = dns_query_type(q);
	enum spfdmarc_dnssec sec = SPFDMARC_DNSSEC_SECURE, state;
	enum spfdmarc_dns_status fail;
	const struct zone_node *n;
	const char *cur = dns_query_name(q);
	char shown[SPFDMARC_DNAME_BUFSIZE];
	size_t curlen = strlen(cur);
	size_t wire = 12 + zone_wire_len(curlen) + 4;	/* header, question */
	unsigned hops = 0;

	ans->count = 0;
	ans->rr = NULL;
	ans->ttl = 0;
	ans->canonname = NULL;
	for (;;) {
		const struct zone_rr *cname;

		n = zone_find(zone, cur, curlen);
		fail = zone_failure(n, type);
		if (fail != SPFDMARC_DNS_OK) {
			zone_printable(cur, shown, sizeof(shown));
			ans->status = fail;
			ans->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
			if (fail == SPFDMARC_DNS_TIMEOUT) {
				ans->rcode = -1;
				(void)dns_answer_set_why(q, "%s: timed out "
				    "(test zone)", shown);
			} else {
				ans->rcode = 2;
				(void)dns_answer_set_why(q, "%s: server "
				    "failure (test zone)", shown);
			}
			return;
		}
		state = zone_dnssec_of(zone, cur, curlen);
		if (state == SPFDMARC_DNSSEC_BOGUS) {
			zone_printable(cur, shown, sizeof(shown));
			ans->status = SPFDMARC_DNS_BOGUS;
			ans->rcode = 2;
			ans->dnssec = SPFDMARC_DNSSEC_BOGUS;
			(void)dns_answer_set_why(q, "DNSSEC bogus: %s is marked "
			    "bogus in the test zone", shown);
			return;
		}
		sec = spfdmarc_dnssec_worst(sec, state);
		if (n == NULL || type == SPFDMARC_DNS_CNAME)
			break;
		cname = zone_first_rr(n, SPFDMARC_DNS_CNAME);
		if (cname == NULL)
			break;
		if (hops == SPFDMARC_DNS_ZONE_CNAME_MAX) {
			zone_printable(dns_query_name(q), shown, sizeof(shown));
			ans->status = SPFDMARC_DNS_SERVFAIL;
			ans->rcode = 2;
			ans->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
			(void)dns_answer_set_why(q, "%s: CNAME chain longer "
			    "than %d or a loop (test zone)", shown,
			    SPFDMARC_DNS_ZONE_CNAME_MAX);
			return;
		}
		wire += 2 + 10 + cname->rdlen;
		cur = cname->rr.u.name;
		curlen = strlen(cur);
		hops++;
	}

	if (zone_answer_records(q, n, type, &wire) != 0)
		goto nomem;
	if (hops > 0) {
		ans->canonname = spfdmarc_arena_strdup(dns_query_arena(q),
		    cur);
		if (ans->canonname == NULL)
			goto nomem;
		ans->ttl = SPFDMARC_DNS_ZONE_TTL;
	}
	if (ans->count > 0) {
		ans->status = SPFDMARC_DNS_OK;
		ans->rcode = 0;
	} else if (zone_node_exists(n)) {
		ans->status = SPFDMARC_DNS_NODATA;
		ans->rcode = 0;
	} else {
		ans->status = SPFDMARC_DNS_NXDOMAIN;
		ans->rcode = 3;
	}
	ans->dnssec = sec;
	ans->wire_size = wire;
	return;

nomem:
	ans->count = 0;
	ans->rr = NULL;
	ans->canonname = NULL;
	ans->status = SPFDMARC_DNS_ERROR;
	ans->rcode = -1;
	ans->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	(void)dns_answer_set_why(q, "out of memory (test zone)");
}

static int
zone_resolve(void *impl, struct dns_query *q)
{
	struct spfdmarc_dns_zone *zone = impl;

	zone_log(zone, dns_query_name(q), dns_query_type(q));
	zone_answer(zone, q);
	dns_query_complete(q);
	return 0;
}

static void
zone_cancel(void *impl, struct dns_query *q)
{
	/* Every query completed inside resolve(): nothing is pending. */
	(void)impl;
	(void)q;
}

static void
zone_log_clear(struct spfdmarc_dns_zone *zone)
{
	for (size_t i = 0; i < zone->nlog; i++)
		free(zone->log[i].name);
	free(zone->log);
	zone->log = NULL;
	zone->nlog = 0;
	zone->caplog = 0;
	zone->nqueries = 0;
}

static void
zone_destroy(void *impl)
{
	struct spfdmarc_dns_zone *zone = impl;

	if (zone == NULL)
		return;
	zone_log_clear(zone);
	pthread_mutex_destroy(&zone->lock);
	free(zone->table);
	spfdmarc_arena_free(zone->arena);
	free(zone);
}

static const struct dns_backend_ops zone_ops = {
	.name = "zone",
	.resolve = zone_resolve,
	.cancel = zone_cancel,
	.destroy = zone_destroy,
};

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_new(struct spfdmarc_dns **dns,
    struct spfdmarc_dns_zone **zonep)
{
	struct spfdmarc_dns_zone *zone;
	struct spfdmarc_dns *d;

	if (dns == NULL || zonep == NULL)
		return SPFDMARC_EINVAL;
	*dns = NULL;
	*zonep = NULL;
	zone = calloc(1, sizeof(*zone));
	if (zone == NULL)
		return SPFDMARC_ENOMEM;
	pthread_mutex_init(&zone->lock, NULL);
	zone->default_dnssec = SPFDMARC_DNSSEC_INSECURE;
	zone->arena = spfdmarc_arena_new(0);
	zone->nbuckets = ZONE_BUCKETS_MIN;
	zone->table = calloc(zone->nbuckets, sizeof(*zone->table));
	if (zone->arena == NULL || zone->table == NULL)
		goto fail;
	d = dns_new(&zone_ops, zone);
	if (d == NULL)
		goto fail;
	*dns = d;
	*zonep = zone;
	return 0;

fail:
	zone_destroy(zone);
	return SPFDMARC_ENOMEM;
}

/* --- the query log ------------------------------------------------------- */

SPFDMARC_PUBLIC unsigned
spfdmarc_dns_zone_query_count(struct spfdmarc_dns_zone *zone)
{
	unsigned n;

	pthread_mutex_lock(&zone->lock);
	n = zone->nqueries;
	pthread_mutex_unlock(&zone->lock);
	return n;
}

SPFDMARC_PUBLIC unsigned
spfdmarc_dns_zone_query_count_for(struct spfdmarc_dns_zone *zone,
    const char *name, enum spfdmarc_dns_type type)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	unsigned count = 0;
	size_t len;

	if (zone_norm(name, norm, &len) != 0)
		return 0;
	pthread_mutex_lock(&zone->lock);
	for (size_t i = 0; i < zone->nlog; i++) {
		if ((type == SPFDMARC_DNS_ZONE_ALL_TYPES ||
		    zone->log[i].type == type) &&
		    strcmp(zone->log[i].name, norm) == 0)
			count++;
	}
	pthread_mutex_unlock(&zone->lock);
	return count;
}

SPFDMARC_PUBLIC bool
spfdmarc_dns_zone_query_at(struct spfdmarc_dns_zone *zone, size_t i,
    char *name, size_t namesize, enum spfdmarc_dns_type *type)
{
	bool found = false;

	pthread_mutex_lock(&zone->lock);
	if (i < zone->nlog && strlcpy(name, zone->log[i].name, namesize) <
	    namesize) {
		if (type != NULL)
			*type = zone->log[i].type;
		found = true;
	}
	pthread_mutex_unlock(&zone->lock);
	return found;
}

SPFDMARC_PUBLIC void
spfdmarc_dns_zone_reset_queries(struct spfdmarc_dns_zone *zone)
{
	pthread_mutex_lock(&zone->lock);
	zone_log_clear(zone);
	pthread_mutex_unlock(&zone->lock);
}

/* --- the text loader ------------------------------------------------------ */

static bool
zone_is_space(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
zone_hex_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The byte an escape stands for; the backslash is already read. */
static int
zone_escape(struct cursor *c, int *out)
{
	int ch = cursor_get(c), v, digits;

	switch (ch) {
	case 'a':	*out = '\a'; return 0;
	case 'b':	*out = '\b'; return 0;
	case 'f':	*out = '\f'; return 0;
	case 'n':	*out = '\n'; return 0;
	case 'r':	*out = '\r'; return 0;
	case 't':	*out = '\t'; return 0;
	case 'v':	*out = '\v'; return 0;
	case '\\':
	case '"':
	case '\'':
	case '?':
	case '#':
	case ' ':
		*out = ch;
		return 0;
	case 'x':
		v = 0;
		for (digits = 0; digits < 2 &&
		    zone_hex_value(cursor_peek(c)) >= 0; digits++)
			v = v * 16 + zone_hex_value(cursor_get(c));
		if (digits == 0)
			return SPFDMARC_ESYNTAX;
		*out = v;
		return 0;
	default:
		if (ch < '0' || ch > '7')
			return SPFDMARC_ESYNTAX;
		v = ch - '0';
		for (digits = 1; digits < 3 && cursor_peek(c) >= '0' &&
		    cursor_peek(c) <= '7'; digits++)
			v = v * 8 + (cursor_get(c) - '0');
		if (v > 255)
			return SPFDMARC_ERANGE;
		*out = v;
		return 0;
	}
}

/*
 * The next word of a line, unquoted and unescaped, into out[outsize]
 * (*outlen bytes, no NUL added). 1: a word; 0: none left (the end, or a
 * comment); negative: an error, explained in why.
 */
static int
zone_word(struct cursor *c, char *out, size_t outsize, size_t *outlen,
    bool *quotedp, const char **why)
{
	size_t n = 0;
	bool quoted;

	cursor_skip_while(c, zone_is_space);
	if (cursor_eof(c) || cursor_peek(c) == '#')
		return 0;
	quoted = cursor_accept(c, '"');
	for (;;) {
		int ch = cursor_peek(c);

		if (ch < 0) {
			if (quoted) {
				*why = "unterminated quoted word";
				return SPFDMARC_ESYNTAX;
			}
			break;
		}
		if (quoted && ch == '"') {
			(void)cursor_get(c);
			if (!cursor_eof(c) && !zone_is_space(cursor_peek(c))) {
				*why = "no space after a quoted word";
				return SPFDMARC_ESYNTAX;
			}
			break;
		}
		if (!quoted && zone_is_space(ch))
			break;
		(void)cursor_get(c);
		if (ch == '\\' && zone_escape(c, &ch) != 0) {
			*why = "bad escape";
			return SPFDMARC_ESYNTAX;
		}
		if (n >= outsize) {
			*why = "word too long";
			return SPFDMARC_ERANGE;
		}
		out[n++] = (char)ch;
	}
	*outlen = n;
	if (quotedp != NULL)
		*quotedp = quoted;
	return 1;
}

/* A word as a NUL-terminated string (no NUL inside allowed). */
static int
zone_word_str(struct cursor *c, char *out, size_t outsize, const char **why)
{
	size_t n;
	int rc;

	rc = zone_word(c, out, outsize - 1, &n, NULL, why);
	if (rc <= 0)
		return rc;
	if (memchr(out, '\0', n) != NULL) {
		*why = "NUL byte in a name or keyword";
		return SPFDMARC_ESYNTAX;
	}
	out[n] = '\0';
	return 1;
}

static bool
zone_keyword(const char *word, const char *keyword)
{
	return strcasecmp(word, keyword) == 0;
}

static const struct {
	const char *name;
	enum spfdmarc_dns_type type;
} zone_type_names[] = {
	{ "A", SPFDMARC_DNS_A },
	{ "NS", SPFDMARC_DNS_NS },
	{ "CNAME", SPFDMARC_DNS_CNAME },
	{ "PTR", SPFDMARC_DNS_PTR },
	{ "MX", SPFDMARC_DNS_MX },
	{ "TXT", SPFDMARC_DNS_TXT },
	{ "AAAA", SPFDMARC_DNS_AAAA },
	{ "SPF", SPFDMARC_DNS_SPF },
};

static bool
zone_type_parse(const char *word, enum spfdmarc_dns_type *type)
{
	for (size_t i = 0; i < sizeof(zone_type_names) /
	    sizeof(zone_type_names[0]); i++) {
		if (zone_keyword(word, zone_type_names[i].name)) {
			*type = zone_type_names[i].type;
			return true;
		}
	}
	return false;
}

static bool
zone_dnssec_parse(const char *word, enum spfdmarc_dnssec *state)
{
	static const enum spfdmarc_dnssec all[] = {
		SPFDMARC_DNSSEC_SECURE, SPFDMARC_DNSSEC_INSECURE,
		SPFDMARC_DNSSEC_INDETERMINATE, SPFDMARC_DNSSEC_BOGUS,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (zone_keyword(word, spfdmarc_dnssec_name(all[i]))) {
			*state = all[i];
			return true;
		}
	}
	return false;
}

/* Scratch space of one load: the decoded strings of a TXT line. */
struct zone_scratch {
	char text[SPFDMARC_DNS_ZONE_TXT_MAX];
	const char *strings[ZONE_LOAD_STRINGS_MAX];
	size_t lens[ZONE_LOAD_STRINGS_MAX];
};

static int
zone_load_text(struct spfdmarc_dns_zone *zone, const char *owner,
    enum spfdmarc_dns_type type, struct cursor *c,
    struct zone_scratch *s, char *why, size_t whysize)
{
	const char *msg = NULL;
	size_t used = 0, n = 0, len;
	int rc;

	for (;;) {
		rc = zone_word(c, s->text + used, sizeof(s->text) - used, &len,
		    NULL, &msg);
		if (rc < 0) {
			(void)snprintf(why, whysize, "%s", msg);
			return rc;
		}
		if (rc == 0)
			break;
		if (n == ZONE_LOAD_STRINGS_MAX) {
			(void)snprintf(why, whysize, "more than %d strings",
			    ZONE_LOAD_STRINGS_MAX);
			return SPFDMARC_ERANGE;
		}
		if (len > ZONE_STRING_MAX) {
			(void)snprintf(why, whysize, "character-string %zu is "
			    "%zu bytes long (255 at most)", n + 1, len);
			return SPFDMARC_ERANGE;
		}
		s->strings[n] = s->text + used;
		s->lens[n] = len;
		used += len;
		n++;
	}
	if (n == 0) {
		(void)snprintf(why, whysize, "%s wants at least one string",
		    spfdmarc_dns_type_name(type));
		return SPFDMARC_ESYNTAX;
	}
	rc = zone_add_text(zone, owner, type, s->strings, s->lens, n);
	if (rc == SPFDMARC_ERANGE)
		(void)snprintf(why, whysize, "record longer than %d bytes",
		    SPFDMARC_DNS_ZONE_TXT_MAX);
	else if (rc != 0)
		(void)snprintf(why, whysize, "%s", spfdmarc_strerror(rc));
	return rc;
}

/* The one argument word of a record type; -1 when absent. */
static int
zone_load_arg(struct cursor *c, char *out, size_t outsize, const char *what,
    char *why, size_t whysize)
{
	const char *msg = NULL;
	int rc;

	rc = zone_word_str(c, out, outsize, &msg);
	if (rc < 0) {
		(void)snprintf(why, whysize, "%s", msg);
		return rc;
	}
	if (rc == 0) {
		(void)snprintf(why, whysize, "missing %s", what);
		return SPFDMARC_ESYNTAX;
	}
	return 0;
}

static int
zone_load_line(struct spfdmarc_dns_zone *zone, const char *line, size_t len,
    struct zone_scratch *s, char *why, size_t whysize)
{
	char owner[ZONE_WORD_MAX], word[ZONE_WORD_MAX], arg[ZONE_WORD_MAX];
	char norm[SPFDMARC_DNAME_BUFSIZE];
	enum spfdmarc_dns_type type;
	enum spfdmarc_dnssec state;
	const char *msg = NULL;
	struct cursor c;
	size_t normlen;
	bool quoted = false;
	int rc;

	cursor_init(&c, line, len);
	{
		size_t n;

		rc = zone_word(&c, owner, sizeof(owner) - 1, &n, &quoted,
		    &msg);
		if (rc == 0)
			return 0;		/* blank or comment */
		if (rc < 0) {
			(void)snprintf(why, whysize, "%s", msg);
			return rc;
		}
		if (memchr(owner, '\0', n) != NULL) {
			(void)snprintf(why, whysize, "NUL byte in a name");
			return SPFDMARC_ESYNTAX;
		}
		owner[n] = '\0';
	}
	rc = zone_load_arg(&c, word, sizeof(word), "record type", why,
	    whysize);
	if (rc != 0)
		return rc;

	if (!quoted && zone_keyword(owner, "$DNSSEC")) {
		if (!zone_dnssec_parse(word, &state)) {
			(void)snprintf(why, whysize, "unknown DNSSEC state "
			    "(secure, insecure, indeterminate, bogus)");
			return SPFDMARC_ESYNTAX;
		}
		spfdmarc_dns_zone_set_default_dnssec(zone, state);
		goto end;
	}
	if (zone_norm(owner, norm, &normlen) != 0) {
		(void)snprintf(why, whysize, "bad owner name");
		return SPFDMARC_EINVAL;
	}

	if (zone_keyword(word, "TIMEOUT") || zone_keyword(word, "SERVFAIL")) {
		enum spfdmarc_dns_status status = zone_keyword(word,
		    "TIMEOUT") ? SPFDMARC_DNS_TIMEOUT : SPFDMARC_DNS_SERVFAIL;

		type = SPFDMARC_DNS_ZONE_ALL_TYPES;
		rc = zone_word_str(&c, arg, sizeof(arg), &msg);
		if (rc < 0) {
			(void)snprintf(why, whysize, "%s", msg);
			return rc;
		}
		if (rc == 1 && !zone_type_parse(arg, &type)) {
			(void)snprintf(why, whysize, "unknown record type "
			    "after %s", status == SPFDMARC_DNS_TIMEOUT ?
			    "TIMEOUT" : "SERVFAIL");
			return SPFDMARC_ESYNTAX;
		}
		rc = spfdmarc_dns_zone_set_failure(zone, norm, type, status);
	} else if (zone_keyword(word, "DNSSEC")) {
		rc = zone_load_arg(&c, arg, sizeof(arg), "DNSSEC state", why,
		    whysize);
		if (rc != 0)
			return rc;
		if (!zone_dnssec_parse(arg, &state)) {
			(void)snprintf(why, whysize, "unknown DNSSEC state "
			    "(secure, insecure, indeterminate, bogus)");
			return SPFDMARC_ESYNTAX;
		}
		rc = spfdmarc_dns_zone_set_dnssec(zone, norm, state);
	} else if (!zone_type_parse(word, &type)) {
		(void)snprintf(why, whysize, "unknown record type");
		return SPFDMARC_ESYNTAX;
	} else if (type == SPFDMARC_DNS_TXT || type == SPFDMARC_DNS_SPF) {
		return zone_load_text(zone, norm, type, &c, s, why, whysize);
	} else if (type == SPFDMARC_DNS_A || type == SPFDMARC_DNS_AAAA) {
		rc = zone_load_arg(&c, arg, sizeof(arg), "address", why,
		    whysize);
		if (rc != 0)
			return rc;
		rc = zone_add_addr(zone, norm, type, arg);
		if (rc == SPFDMARC_EINVAL) {
			(void)snprintf(why, whysize, "bad %s address",
			    type == SPFDMARC_DNS_A ? "IPv4" : "IPv6");
			return rc;
		}
	} else if (type == SPFDMARC_DNS_MX) {
		char *end;
		unsigned long pref;

		rc = zone_load_arg(&c, arg, sizeof(arg), "MX preference", why,
		    whysize);
		if (rc != 0)
			return rc;
		pref = strtoul(arg, &end, 10);
		if (arg[0] < '0' || arg[0] > '9' || *end != '\0' ||
		    pref > UINT16_MAX) {
			(void)snprintf(why, whysize, "bad MX preference");
			return SPFDMARC_ESYNTAX;
		}
		rc = zone_load_arg(&c, arg, sizeof(arg), "MX exchange", why,
		    whysize);
		if (rc != 0)
			return rc;
		rc = spfdmarc_dns_zone_add_mx(zone, norm, (unsigned)pref, arg);
		if (rc == SPFDMARC_EINVAL) {
			(void)snprintf(why, whysize, "bad MX exchange name");
			return rc;
		}
	} else {
		rc = zone_load_arg(&c, arg, sizeof(arg), "target name", why,
		    whysize);
		if (rc != 0)
			return rc;
		rc = zone_add_named(zone, norm, type, arg);
		if (rc == SPFDMARC_EINVAL) {
			(void)snprintf(why, whysize, "bad target name");
			return rc;
		}
	}
	if (rc != 0) {
		(void)snprintf(why, whysize, "%s", spfdmarc_strerror(rc));
		return rc;
	}

end:
	rc = zone_word(&c, arg, sizeof(arg), &normlen, NULL, &msg);
	if (rc != 0) {
		(void)snprintf(why, whysize, "%s", rc < 0 ? msg :
		    "unexpected words at the end of the line");
		return rc < 0 ? rc : SPFDMARC_ESYNTAX;
	}
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_dns_zone_load(struct spfdmarc_dns_zone *zone, const char *text,
    size_t len, char *err, size_t errsize)
{
	struct zone_scratch *scratch;
	struct cursor c;
	char why[256];
	size_t lineno = 0;
	int rc = 0;

	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (zone == NULL || (text == NULL && len > 0))
		return SPFDMARC_EINVAL;
	scratch = malloc(sizeof(*scratch));
	if (scratch == NULL)
		return SPFDMARC_ENOMEM;
	cursor_init(&c, text, len);
	while (!cursor_eof(&c)) {
		const char *line = cursor_ptr(&c), *nl;
		size_t linelen = cursor_left(&c);

		nl = memchr(line, '\n', linelen);
		if (nl != NULL)
			linelen = (size_t)(nl - line);
		(void)cursor_skip(&c, linelen + (nl != NULL ? 1 : 0));
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		lineno++;
		why[0] = '\0';
		rc = zone_load_line(zone, line, linelen, scratch, why,
		    sizeof(why));
		if (rc != 0) {
			if (err != NULL && errsize > 0)
				(void)snprintf(err, errsize, "line %zu: %s",
				    lineno, why[0] != '\0' ? why :
				    spfdmarc_strerror(rc));
			break;
		}
	}
	free(scratch);
	return rc;
}
