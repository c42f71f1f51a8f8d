/*
 * spfdmarc/authres.h: Authentication-Results header fields (RFC 8601).
 *
 * Parsing: a field value (without "Authentication-Results:") into its
 * authserv-id, version and results, each with its method, result, reason
 * and properties (ptype.property=value). Comments may appear wherever
 * white space may and are dropped; quoted strings are unquoted. Keywords
 * (methods, results, ptypes, properties) come out lower case.
 *
 * DKIM for DMARC: spfdmarc_authres_dkim_passes() keeps only "dkim=pass"
 * results of fields whose authserv-id is exactly (ignoring ASCII case) one
 * of a trusted list: a field claiming "example.net(.example.com" is from
 * "example.net", never from "example.com" (CVE-2020-12272).
 *
 * Building the header spfdmarc writes is spfdmarc/hdr.h's job.
 */
#ifndef SPFDMARC_AUTHRES_H
#define SPFDMARC_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPFDMARC_AUTHRES_FIELD_MAX	32768	/* bytes of one value */
#define SPFDMARC_AUTHRES_RESULTS_MAX	64	/* resinfo per field */
#define SPFDMARC_AUTHRES_PROPS_MAX	16	/* properties per resinfo */

struct spfdmarc_authres_prop {
	const char *ptype;	/* "smtp", "header", "body", "policy" */
	const char *property;	/* "mailfrom", "d", "i", ... */
	const char *value;	/* unquoted */
};

struct spfdmarc_authres_result {
	const char *method;	/* "dkim", "spf", "dmarc", ... */
	int version;		/* method/version, or -1 */
	const char *result;	/* "pass", "fail", ... */
	const char *reason;	/* reason=, or NULL */
	size_t nprops;
	const struct spfdmarc_authres_prop *props;
};

struct spfdmarc_authres {
	const char *authserv_id;	/* as written, unquoted */
	int version;			/* authres-version, or -1 */
	bool none;			/* "; none" */
	size_t nresults;
	const struct spfdmarc_authres_result *results;
};

/*
 * Parse value[0..len). Returns 0, SPFDMARC_ESYNTAX or SPFDMARC_ERANGE
 * (why says what), SPFDMARC_ENOMEM, SPFDMARC_EINVAL. Strings live in arena.
 */
int spfdmarc_authres_parse(struct spfdmarc_arena *arena, const char *value,
    size_t len, struct spfdmarc_authres *out, char *why, size_t whysize);

/* The value of ptype.property in r (keywords compared ignoring case), or
 * NULL. The first one if repeated. */
const char *spfdmarc_authres_prop(const struct spfdmarc_authres_result *r,
    const char *ptype, const char *property);

/* A DKIM pass reported by a trusted verifier. */
struct spfdmarc_authres_dkim {
	const char *domain;	/* header.d, lower case */
	const char *identity;	/* header.i, or NULL */
	const char *selector;	/* header.s, or NULL */
	const char *authserv_id;
};

/*
 * Every dkim=pass with a header.d from the fields (n values; lens may be
 * NULL for NUL-terminated values) whose authserv-id matches one of
 * trusted[0..ntrusted) exactly, ignoring ASCII case. Fields that do not
 * parse are skipped (*nskipped counts them if not NULL). A pass with only
 * header.i is not used: i= may name a subdomain of d=, and taking it would
 * let strict alignment pass where d= does not. Returns 0, SPFDMARC_ENOMEM
 * or SPFDMARC_EINVAL; *out lives in arena.
 */
int spfdmarc_authres_dkim_passes(struct spfdmarc_arena *arena,
    const char *const *values, const size_t *lens, size_t n,
    const char *const *trusted, size_t ntrusted,
    struct spfdmarc_authres_dkim **out, size_t *nout, size_t *nskipped);

#ifdef __cplusplus
}
#endif

#endif
