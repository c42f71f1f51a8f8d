/*
 * spfdmarc/rfc5322.h: the From header field (RFC 5322 §3.4, §3.6.2, §4
 * obsolete syntax; RFC 6532 UTF-8; RFC 2047 encoded words in display
 * names) and the Author Domain DMARC takes from it (RFC 9989 §5.3.1).
 *
 * Field values are given without the "From:" name, folded or not. The
 * parser is strict where a lenient reading could pick the wrong domain
 * (an '@' in a display name that is not quoted, junk after an address,
 * unbalanced brackets, quotes or parentheses are syntax errors), and
 * tolerant of the obsolete forms that cannot mislead (CFWS around dots,
 * "J. Doe" display names, source routes, empty list elements, groups).
 */
#ifndef SPFDMARC_RFC5322_H
#define SPFDMARC_RFC5322_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/arena.h"
#include "spfdmarc/dname.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPFDMARC_RFC5322_FIELD_MAX	16384	/* bytes of one field value */
#define SPFDMARC_RFC5322_MAILBOXES_MAX	64	/* mailboxes in one field */
#define SPFDMARC_RFC5322_DOMAINS_MAX	8	/* distinct domains kept */

enum spfdmarc_rfc5322_from_status {
	SPFDMARC_RFC5322_FROM_ONE = 0,	/* exactly one Author Domain */
	SPFDMARC_RFC5322_FROM_NONE,	/* no usable domain (no field, a
					 * syntax error, "<>", no domain, a
					 * domain literal, a bad name) */
	SPFDMARC_RFC5322_FROM_SEVERAL,	/* several From fields, or mailboxes
					 * of different (or unusable) domains */
};

struct spfdmarc_rfc5322_from {
	enum spfdmarc_rfc5322_from_status status;
	/* ONE: the Author Domain, A-labels, lower case, no trailing dot. */
	char domain[SPFDMARC_DNAME_BUFSIZE];
	size_t nfields;		/* From fields given */
	size_t nmailboxes;	/* mailboxes parsed, over all fields */
	/* The distinct usable domains seen (for a "strictest of all"
	 * policy, RFC 9989 §5.3.1), at most SPFDMARC_RFC5322_DOMAINS_MAX. */
	size_t ndomains;
	char domains[SPFDMARC_RFC5322_DOMAINS_MAX][SPFDMARC_DNAME_BUFSIZE];
	char reason[160];	/* why NONE or SEVERAL; "" for ONE */
};

/*
 * The Author Domain from the values of all From fields of a message
 * (n of them; several fields give SEVERAL). values[i] are NUL-terminated;
 * the _n variant takes lengths and so can see NUL bytes (an error).
 * Returns 0 (the verdict is in *out) or SPFDMARC_EINVAL.
 */
int spfdmarc_rfc5322_from_domain(const char *const *values, size_t n,
    struct spfdmarc_rfc5322_from *out);
int spfdmarc_rfc5322_from_domain_n(const char *const *values,
    const size_t *lens, size_t n, struct spfdmarc_rfc5322_from *out);

/* One mailbox of a parsed field. Strings live in the caller's arena. */
struct spfdmarc_rfc5322_mailbox {
	const char *display;	/* display name, encoded words decoded
				 * (UTF-8, US-ASCII, ISO-8859-1); NULL */
	const char *local;	/* local part as written; "" for <> */
	const char *domain;	/* domain as written (CFWS removed), a
				 * literal with its brackets; NULL if none */
	bool literal;		/* domain is a [domain-literal] */
	bool in_group;		/* inside a group (not valid in From) */
};

/*
 * Parse one field value (a mailbox-list, groups tolerated). Returns 0,
 * SPFDMARC_ESYNTAX or SPFDMARC_ERANGE (why[] says where and what),
 * SPFDMARC_ENOMEM, SPFDMARC_EINVAL.
 */
int spfdmarc_rfc5322_parse_mailboxes(struct spfdmarc_arena *arena,
    const char *value, size_t len, struct spfdmarc_rfc5322_mailbox **out,
    size_t *n, char *why, size_t whysize);

/*
 * A domain as DMARC uses it: one trailing dot dropped, U-labels to
 * A-labels (RFC 5890, libidn2, non-transitional), lower case, then
 * spfdmarc_dname_check(flags). in[0..len) may hold UTF-8. Into
 * out[size >= SPFDMARC_DNAME_BUFSIZE]. 0, SPFDMARC_ESYNTAX,
 * SPFDMARC_ERANGE, SPFDMARC_EINVAL.
 */
int spfdmarc_rfc5322_domain_normalize(const char *in, size_t len, char *out,
    size_t size, unsigned flags);

#ifdef __cplusplus
}
#endif

#endif
