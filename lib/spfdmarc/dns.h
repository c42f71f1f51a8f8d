/*
 * spfdmarc/dns.h: the DNS interface every lookup of the library goes
 * through. SPF and DMARC never talk to a resolver library directly; they
 * ask a struct spfdmarc_dns_ctx, so any backend can serve them: libunbound
 * with DNSSEC validation in production (spfdmarc/dns_unbound.h), an
 * in-memory zone in tests and fuzzing (spfdmarc/dns_zone.h).
 *
 * Objects:
 *  - struct spfdmarc_dns: a resolver. One per process, shared by every
 *    thread; created by a backend's constructor, freed with
 *    spfdmarc_dns_free() after every context using it is gone.
 *  - struct spfdmarc_dns_ctx: the queries of one evaluation (one message,
 *    say): a set of futures keyed by (name, type), each started at most
 *    once, with a time budget, a cap on the number of queries, and
 *    counters. Thread-safe: several threads may start and wait on queries
 *    of one context at once. Answers stay valid until the context is freed.
 *
 * Every lookup ends in an answer, never a NULL: local failures become an
 * answer with status SPFDMARC_DNS_ERROR, a passed deadline one with
 * SPFDMARC_DNS_TIMEOUT, and a DNSSEC validation failure one with
 * SPFDMARC_DNS_BOGUS and no records: bogus data is never handed out.
 */
#ifndef SPFDMARC_DNS_H
#define SPFDMARC_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spfdmarc/addr.h"

#ifdef __cplusplus
extern "C" {
#endif

enum spfdmarc_dns_type {
	SPFDMARC_DNS_A = 1,
	SPFDMARC_DNS_NS = 2,
	SPFDMARC_DNS_CNAME = 5,
	SPFDMARC_DNS_PTR = 12,
	SPFDMARC_DNS_MX = 15,
	SPFDMARC_DNS_TXT = 16,
	SPFDMARC_DNS_AAAA = 28,
	SPFDMARC_DNS_SPF = 99,	/* obsolete (RFC 7208 §3.1); audits only */
};

/*
 * The outcome of one query, ordered by precedence: when several answers
 * are combined, the greater value wins (OK < NODATA < NXDOMAIN < the
 * temporary failures).
 */
enum spfdmarc_dns_status {
	SPFDMARC_DNS_OK = 0,	/* records of the type were found */
	SPFDMARC_DNS_NODATA,	/* the name exists, no records of the type */
	SPFDMARC_DNS_NXDOMAIN,	/* the name does not exist (RFC 8020) */
	SPFDMARC_DNS_SERVFAIL,	/* server failure, refusal, other rcode,
				 * or a malformed answer */
	SPFDMARC_DNS_TIMEOUT,	/* no answer within the time budget */
	SPFDMARC_DNS_BOGUS,	/* DNSSEC validation failed */
	SPFDMARC_DNS_ERROR,	/* local failure: resolver down, out of
				 * memory, invalid name, query cap reached */
};

/* OK, NODATA and NXDOMAIN are answers; the rest are temporary failures. */
bool spfdmarc_dns_status_is_error(enum spfdmarc_dns_status status);
const char *spfdmarc_dns_status_name(enum spfdmarc_dns_status status);

/*
 * DNSSEC state of an answer (RFC 4033 §5), ordered from best to worst so
 * that the state of several answers together is the greatest of them.
 */
enum spfdmarc_dnssec {
	SPFDMARC_DNSSEC_SECURE = 0,	/* validated from a trust anchor */
	SPFDMARC_DNSSEC_INSECURE = 1,	/* provably unsigned */
	SPFDMARC_DNSSEC_INDETERMINATE = 2, /* not validated (validation off,
					    * or no answer to validate) */
	SPFDMARC_DNSSEC_BOGUS = 3,	/* validation failed */
};

const char *spfdmarc_dnssec_name(enum spfdmarc_dnssec state);

static inline enum spfdmarc_dnssec
spfdmarc_dnssec_worst(enum spfdmarc_dnssec a, enum spfdmarc_dnssec b)
{
	return a > b ? a : b;
}

const char *spfdmarc_dns_type_name(enum spfdmarc_dns_type type);

/* One resource record of an answer. Names are in text form, lower case,
 * without the trailing dot. */
struct spfdmarc_dns_rr {
	enum spfdmarc_dns_type type;
	uint32_t ttl;
	union {
		struct spfdmarc_addr addr;	/* A, AAAA */
		struct {
			uint16_t preference;
			const char *exchange;
		} mx;				/* MX */
		const char *name;		/* PTR, CNAME, NS */
		struct {
			const char *text;	/* the character-strings
						 * concatenated, NUL-terminated */
			size_t len;		/* bytes, the NUL excluded; the
						 * text may hold NUL bytes */
			size_t nstrings;	/* character-strings in it */
			size_t longest;		/* longest character-string */
		} txt;				/* TXT, SPF */
	} u;
};

struct spfdmarc_dns_answer {
	const char *qname;		/* as asked, lower case */
	enum spfdmarc_dns_type qtype;
	enum spfdmarc_dns_status status;
	int rcode;			/* the DNS rcode, or -1 if none came */
	enum spfdmarc_dnssec dnssec;
	uint32_t ttl;			/* smallest TTL of the records */
	const char *canonname;		/* after CNAMEs, or NULL if none */
	size_t count;			/* records in rr */
	const struct spfdmarc_dns_rr *rr;
	size_t wire_size;		/* answer packet bytes, 0 if unknown */
	const char *why;		/* for a failure: a human reason
					 * ("DNSSEC bogus: ...", "timed out
					 * after 5000 ms"); NULL otherwise */
};

struct spfdmarc_dns;
struct spfdmarc_dns_ctx;

/* Free a resolver (any backend). NULL is allowed. */
void spfdmarc_dns_free(struct spfdmarc_dns *dns);

/* Limits of one context. 0 in a field means the default. */
struct spfdmarc_dns_limits {
	unsigned timeout_ms;	/* time budget of the whole context
				 * (default 5000) */
	unsigned max_queries;	/* distinct queries allowed (default 200) */
};

/* A new context over dns, its clock started now. NULL on ENOMEM. */
struct spfdmarc_dns_ctx *spfdmarc_dns_ctx_new(struct spfdmarc_dns *dns,
    const struct spfdmarc_dns_limits *limits);

/* Cancel what is still pending and free every answer. NULL allowed. */
void spfdmarc_dns_ctx_free(struct spfdmarc_dns_ctx *ctx);

/* Restart the context's clock: the budget counts from now. */
void spfdmarc_dns_ctx_restart_clock(struct spfdmarc_dns_ctx *ctx);

/*
 * Start a query unless this context already has it; never blocks. Names
 * are compared ignoring case and a trailing dot. Returns 0, or
 * SPFDMARC_ERANGE when the query cap is reached (the query is then
 * recorded as failed with SPFDMARC_DNS_ERROR), SPFDMARC_EINVAL for a name
 * that is not a valid DNS name (recorded likewise).
 */
int spfdmarc_dns_start(struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type);

/*
 * The answer to (name, type): started if it was not, then waited for
 * until it comes or the context's budget is spent. Never NULL.
 */
const struct spfdmarc_dns_answer *spfdmarc_dns_lookup(
    struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type);

/* The answer if it has already come, else NULL; never blocks, never
 * starts a query. */
const struct spfdmarc_dns_answer *spfdmarc_dns_peek(
    struct spfdmarc_dns_ctx *ctx, const char *name,
    enum spfdmarc_dns_type type);

struct spfdmarc_dns_stats {
	unsigned queries;	/* distinct queries started */
	unsigned answered;	/* of them, answered (any status) */
	unsigned lookups;	/* spfdmarc_dns_lookup() calls */
	unsigned waited;	/* lookups that had to wait */
};

void spfdmarc_dns_ctx_stats(struct spfdmarc_dns_ctx *ctx,
    struct spfdmarc_dns_stats *out);

/*
 * Trace: fn is called once for each answer as a lookup first returns it,
 * on the thread that called spfdmarc_dns_lookup(). For --trace output.
 */
typedef void spfdmarc_dns_trace_fn(const struct spfdmarc_dns_answer *answer,
    void *arg);
void spfdmarc_dns_ctx_set_trace(struct spfdmarc_dns_ctx *ctx,
    spfdmarc_dns_trace_fn *fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
