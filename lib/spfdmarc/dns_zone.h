/*
 * spfdmarc/dns_zone.h: an in-memory zone as a DNS backend (spfdmarc/dns.h),
 * for tests and fuzzing only. It answers every query at once, inside the
 * call that starts it, from records the test put in, so SPF and DMARC can
 * be exercised without a network.
 *
 * The zone behaves as a validating resolver in front of it would:
 *  - names are compared ignoring ASCII case and a trailing dot;
 *  - NXDOMAIN and NODATA follow RFC 8020: a name exists when it has a
 *    record of any type, a failure mark, or a name below it (an empty
 *    non-terminal exists too);
 *  - a CNAME is followed for every other query type, at most
 *    SPFDMARC_DNS_ZONE_CNAME_MAX times (a longer chain or a loop is a
 *    SERVFAIL); the answer then carries the target's records and its
 *    canonname;
 *  - a name can be made to fail (TIMEOUT or SERVFAIL), for one type or
 *    for all of them;
 *  - DNSSEC states are set per name and hold for the subtree below it
 *    (the closest name with a state wins), else the zone default
 *    (SPFDMARC_DNSSEC_INSECURE unless set). A BOGUS answer has status
 *    SPFDMARC_DNS_BOGUS, no records and a reason, as the real backend's;
 *  - every record has TTL SPFDMARC_DNS_ZONE_TTL; wire_size is what the
 *    header, question and answer section would take on the wire (owner
 *    names compressed), without authority or additional records.
 *
 * Filling the zone is single-threaded; once filled, any number of
 * threads may query it at once (the query log has its own lock). The
 * zone belongs to its struct spfdmarc_dns: it stays valid until
 * spfdmarc_dns_free() and must not be freed on its own.
 */
#ifndef SPFDMARC_DNS_ZONE_H
#define SPFDMARC_DNS_ZONE_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/dns.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPFDMARC_DNS_ZONE_CNAME_MAX	8	/* CNAMEs followed per query */
#define SPFDMARC_DNS_ZONE_TXT_MAX	65535	/* RDATA bytes of one TXT/SPF */
#define SPFDMARC_DNS_ZONE_LOG_MAX	65536	/* queries kept in the log */
#define SPFDMARC_DNS_ZONE_TTL		3600	/* TTL of every record */

/* For spfdmarc_dns_zone_set_failure() and the query counters. */
#define SPFDMARC_DNS_ZONE_ALL_TYPES	((enum spfdmarc_dns_type)0)

struct spfdmarc_dns_zone;

/* A resolver over a new, empty zone. 0 or SPFDMARC_ENOMEM. */
int spfdmarc_dns_zone_new(struct spfdmarc_dns **dns,
    struct spfdmarc_dns_zone **zone);

/*
 * Records. Each returns 0, SPFDMARC_EINVAL (a bad owner or target name,
 * a bad address), SPFDMARC_ERANGE (a character-string over 255 bytes,
 * RDATA over SPFDMARC_DNS_ZONE_TXT_MAX) or SPFDMARC_ENOMEM. Names may
 * hold any byte but NUL (SPF's domain-spec allows that), with labels of
 * 1..63 bytes and at most 253 bytes in all. A target (MX exchange, PTR,
 * CNAME, NS) may also be the root, "" or "." (a null MX, RFC 7505); in
 * answers it reads "", as the wire decoder gives it.
 */

/* TXT made of n character-strings strings[i][0..lens[i]), any bytes.
 * n == 0 (a record with no string, which RFC 1035 forbids) is accepted
 * so that the code reading it can be tested. */
int spfdmarc_dns_zone_add_txt(struct spfdmarc_dns_zone *zone,
    const char *name, const char *const *strings, const size_t *lens,
    size_t n);
/* The same as type SPF (99). */
int spfdmarc_dns_zone_add_spf(struct spfdmarc_dns_zone *zone,
    const char *name, const char *const *strings, const size_t *lens,
    size_t n);
/* A from "192.0.2.1", AAAA from "2001:db8::1". */
int spfdmarc_dns_zone_add_a(struct spfdmarc_dns_zone *zone,
    const char *name, const char *text);
int spfdmarc_dns_zone_add_aaaa(struct spfdmarc_dns_zone *zone,
    const char *name, const char *text);
/* MX; preference 0..65535. */
int spfdmarc_dns_zone_add_mx(struct spfdmarc_dns_zone *zone,
    const char *name, unsigned preference, const char *exchange);
int spfdmarc_dns_zone_add_ptr(struct spfdmarc_dns_zone *zone,
    const char *name, const char *target);
/* A CNAME makes every query for another type follow it; other records
 * of the name are then never seen (as in real DNS, where they may not
 * exist beside it). */
int spfdmarc_dns_zone_add_cname(struct spfdmarc_dns_zone *zone,
    const char *name, const char *target);
int spfdmarc_dns_zone_add_ns(struct spfdmarc_dns_zone *zone,
    const char *name, const char *target);

/*
 * Make queries for name fail with status (SPFDMARC_DNS_TIMEOUT or
 * SPFDMARC_DNS_SERVFAIL): for one type, or for all with
 * SPFDMARC_DNS_ZONE_ALL_TYPES. A failure wins over records. Marks set
 * for one type and for all types may be mixed; the per-type one wins.
 * 0 or SPFDMARC_EINVAL / SPFDMARC_ENOMEM.
 */
int spfdmarc_dns_zone_set_failure(struct spfdmarc_dns_zone *zone,
    const char *name, enum spfdmarc_dns_type type,
    enum spfdmarc_dns_status status);

/* The DNSSEC state of name and the names below it (until one of them
 * has its own). 0 or SPFDMARC_EINVAL / SPFDMARC_ENOMEM. */
int spfdmarc_dns_zone_set_dnssec(struct spfdmarc_dns_zone *zone,
    const char *name, enum spfdmarc_dnssec state);
/* The state of names no set_dnssec() covers (default INSECURE). */
void spfdmarc_dns_zone_set_default_dnssec(struct spfdmarc_dns_zone *zone,
    enum spfdmarc_dnssec state);

/*
 * Load records from text[0..len), one per line (for test vectors and
 * `spfdmarc spf --zone`):
 *
 *	# a comment: a '#' that starts a word starts one
 *	example.com      TXT   "v=spf1 " "a -all"
 *	example.com      A     192.0.2.1
 *	example.com      AAAA  2001:db8::1
 *	example.com      MX    10 mx.example.com
 *	4.3.2.1.in-addr.arpa PTR mail.example.com
 *	www.example.com  CNAME example.com	(also NS, and SPF like TXT)
 *	slow.example.com TIMEOUT [TYPE]
 *	bad.example.com  SERVFAIL [TYPE]
 *	example.com      DNSSEC secure|insecure|indeterminate|bogus
 *	$DNSSEC          secure|insecure|indeterminate|bogus	(zone default)
 *
 * Any word may be written in double quotes (a name with a space, a TXT
 * string with '#'), with C escapes: \" \\ \a \b \f \n \r \t \v \xHH
 * and octal \ooo (\0 is a NUL byte). A bare TXT word is one
 * character-string. Keywords ignore case. Returns 0, or an error code
 * with "line N: what" in err (which may be NULL); the records of the
 * lines before the bad one stay loaded.
 */
int spfdmarc_dns_zone_load(struct spfdmarc_dns_zone *zone, const char *text,
    size_t len, char *err, size_t errsize);

/*
 * The query log: every query the zone was asked, in order (each DNS
 * context asks a (name, type) once). Counters keep counting past
 * SPFDMARC_DNS_ZONE_LOG_MAX; the list keeps the first ones.
 */
/* Queries since creation or the last reset. */
unsigned spfdmarc_dns_zone_query_count(struct spfdmarc_dns_zone *zone);
/* Of them, the ones for name (case-insensitive) and type (or
 * SPFDMARC_DNS_ZONE_ALL_TYPES), among those kept in the log. */
unsigned spfdmarc_dns_zone_query_count_for(struct spfdmarc_dns_zone *zone,
    const char *name, enum spfdmarc_dns_type type);
/* The i-th query (from 0): its name (lower case, no trailing dot) copied
 * into name[namesize] and its type. False when there is no such entry
 * or the name does not fit. */
bool spfdmarc_dns_zone_query_at(struct spfdmarc_dns_zone *zone, size_t i,
    char *name, size_t namesize, enum spfdmarc_dns_type *type);
/* Forget the log and zero the counter. */
void spfdmarc_dns_zone_reset_queries(struct spfdmarc_dns_zone *zone);

#ifdef __cplusplus
}
#endif

#endif
