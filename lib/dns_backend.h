/*
 * dns_backend.h: the contract between the DNS core (dns.c) and a resolver
 * backend (dns_unbound.c, dns_zone.c). Not installed.
 *
 * The core owns queries; a backend resolves them. For each query the core
 * calls ops->resolve() once. The backend fills the query's answer (memory
 * from dns_query_arena()) and calls dns_query_complete() exactly once,
 * from any thread, possibly before resolve() returns. If resolve() returns
 * an error instead, the core completes the query with SPFDMARC_DNS_ERROR
 * and the backend must not touch it again.
 *
 * ops->cancel() asks the backend to drop a pending query: when it returns,
 * the backend has either completed the query (or will), or released its
 * reference with dns_query_release() and will not touch it again.
 *
 * ops->warm() (optional, NULL if the backend has no use for it) is a hint
 * that answers from zone (a lower-case name, no trailing dot; a guessed
 * apex) are about to be asked for: a validating backend fetches the
 * zone's DS and DNSKEY records now, in parallel, so that validating those
 * answers does not fetch them one after the other. Fire and forget: no
 * answer, no query object, nothing to cancel. The core calls it before
 * resolve() of the query that made it guess the zone, at most once per
 * zone in DNS_WARM_SECONDS (dns.c).
 *
 * ops->cache: the core keeps the answers this backend gives (dns.c says
 * which, and how long) and answers repeated queries itself, never asking
 * the backend again while they last. For a backend whose own cache is
 * costly to reach.
 */
#ifndef SPFDMARC_DNS_BACKEND_H
#define SPFDMARC_DNS_BACKEND_H

#include "spfdmarc/arena.h"
#include "spfdmarc/dns.h"

struct dns_query;

struct dns_backend_ops {
	const char *name;
	int (*resolve)(void *impl, struct dns_query *q);
	void (*cancel)(void *impl, struct dns_query *q);
	void (*warm)(void *impl, const char *zone);
	bool cache;
	void (*destroy)(void *impl);
};

/* A new resolver object around a backend (ops is copied); NULL on ENOMEM
 * (impl is then the caller's to destroy). */
struct spfdmarc_dns *dns_new(const struct dns_backend_ops *ops, void *impl);

/* The query's name (lower case, no trailing dot) and type. */
const char *dns_query_name(const struct dns_query *q);
enum spfdmarc_dns_type dns_query_type(const struct dns_query *q);

/* The answer the backend fills in (qname, qtype are preset; status
 * NXDOMAIN... as the backend finds; rcode -1, dnssec INDETERMINATE,
 * count 0 initially), and the arena its memory comes from. */
struct spfdmarc_dns_answer *dns_query_answer(struct dns_query *q);
struct spfdmarc_arena *dns_query_arena(struct dns_query *q);

/* Backend-private slot (an unbound async id, say). */
void dns_query_set_backend_data(struct dns_query *q, long data);
long dns_query_backend_data(const struct dns_query *q);

/* Mark the answer final and wake waiters; drops the backend's reference. */
void dns_query_complete(struct dns_query *q);

/* Drop the backend's reference without completing (after a cancel). */
void dns_query_release(struct dns_query *q);

/* Helpers for filling answers. Each returns 0 or SPFDMARC_ENOMEM. */
int dns_answer_set_why(struct dns_query *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Allocate n zeroed records in the answer (count = n). */
struct spfdmarc_dns_rr *dns_answer_alloc_rr(struct dns_query *q, size_t n);

/*
 * Decode one record's wire-format RDATA (uncompressed, as libunbound hands
 * it over) of the query's type into rr. Returns 0 or SPFDMARC_ESYNTAX for
 * malformed data. Names come out lower case without the trailing dot.
 */
int dns_rdata_decode(struct dns_query *q, enum spfdmarc_dns_type type,
    const unsigned char *rdata, size_t len, struct spfdmarc_dns_rr *rr);

/* Decode a wire-format domain name (no compression) into text. */
int dns_wire_name_to_text(const unsigned char *wire, size_t len,
    size_t *used, char *out, size_t outsize);

#endif
