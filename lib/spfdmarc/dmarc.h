/*
 * spfdmarc/dmarc.h: DMARC policy records, policy discovery and
 * evaluation. RFC 9989 (the default) with an RFC 7489 mode.
 *
 * Three layers, each usable alone:
 *  - spfdmarc_dmarc_record_parse(): one TXT record's text into a struct
 *    (RFC 9989 §4.7, §4.8; RFC 7489 §6.3 in 7489 mode).
 *  - spfdmarc_dmarc_discover(): the DNS work for one Author Domain. It
 *    only starts queries (never blocks), so a milter calls it as soon as
 *    the From header field arrives.
 *  - spfdmarc_dmarc_finish(): at end of message, with the SPF and DKIM
 *    results: waits for the answers, finds the policy and the
 *    Organizational Domains (RFC 9989 §4.10), checks alignment and fills
 *    a result. spfdmarc_dmarc_evaluate() does both steps at once.
 *
 * Verdicts are results, not errors: a DNS failure gives result
 * TEMPERROR with a reason, and the functions return 0. They return an
 * error code only for a caller's mistake (EINVAL) or out of memory.
 *
 * All strings in results point into the arena the caller passed; they
 * stay valid until the arena is freed or reset.
 */
#ifndef SPFDMARC_DMARC_H
#define SPFDMARC_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/arena.h"
#include "spfdmarc/dns.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits (named so tests and callers can see them). */
#define SPFDMARC_DMARC_RECORD_MAX	2048	/* bytes of one record's text */
#define SPFDMARC_DMARC_TAGS_MAX		32	/* tags in one record */
#define SPFDMARC_DMARC_ISSUES_MAX	8	/* syntax issues kept */
#define SPFDMARC_DMARC_WALK_MAX		8	/* queries of one tree walk
						 * (RFC 9989 §4.10) */
#define SPFDMARC_DMARC_DKIM_MAX		16	/* DKIM domains considered */
#define SPFDMARC_DMARC_REASON_MAX	256

enum spfdmarc_dmarc_mode {
	SPFDMARC_DMARC_RFC9989 = 0,	/* DNS tree walk, psd=, np=, t= */
	SPFDMARC_DMARC_RFC7489 = 1,	/* Public Suffix List, pct= */
};

/* A policy value of p=, sp= or np=. UNSET: absent (or not applicable). */
enum spfdmarc_dmarc_policy {
	SPFDMARC_DMARC_POLICY_UNSET = 0,
	SPFDMARC_DMARC_POLICY_NONE,
	SPFDMARC_DMARC_POLICY_QUARANTINE,
	SPFDMARC_DMARC_POLICY_REJECT,
};

enum spfdmarc_dmarc_align {
	SPFDMARC_DMARC_ALIGN_RELAXED = 0,
	SPFDMARC_DMARC_ALIGN_STRICT,
};

enum spfdmarc_dmarc_psd {
	SPFDMARC_DMARC_PSD_U = 0,	/* default: unknown */
	SPFDMARC_DMARC_PSD_Y,
	SPFDMARC_DMARC_PSD_N,
};

/* One syntax problem found in a record: the tag ("" for the record as a
 * whole) and why. The record is still used (RFC 9989 §4.8: errors are
 * discarded in favour of defaults) unless the version tag is bad. */
struct spfdmarc_dmarc_issue {
	char tag[16];
	char reason[96];
};

/* Failure reporting options (fo=). */
enum spfdmarc_dmarc_fo {
	SPFDMARC_DMARC_FO_0 = 1 << 0,
	SPFDMARC_DMARC_FO_1 = 1 << 1,
	SPFDMARC_DMARC_FO_D = 1 << 2,
	SPFDMARC_DMARC_FO_S = 1 << 3,
};

struct spfdmarc_dmarc_record {
	/* p=, sp=, np= as published; UNSET when absent or invalid. */
	enum spfdmarc_dmarc_policy p, sp, np;
	/* A p= that is missing or invalid, or an sp=/np= that is invalid:
	 * RFC 9989 §4.10.1 then applies p=none if rua= holds a valid URI,
	 * and no DMARC processing otherwise. */
	bool policy_invalid;
	enum spfdmarc_dmarc_psd psd;
	bool testing;			/* t=y */
	enum spfdmarc_dmarc_align adkim, aspf;
	const char *rua, *ruf;		/* as published (NULL if absent) */
	unsigned rua_valid, ruf_valid;	/* syntactically valid URIs */
	unsigned fo;			/* enum spfdmarc_dmarc_fo bits */
	/* RFC 7489 mode only (ignored as unknown tags in RFC 9989 mode). */
	unsigned pct;			/* 0..100, default 100 */
	bool rf_afrf;			/* rf=afrf (the only format) */
	unsigned long ri;		/* default 86400 */
	unsigned ntags;
	unsigned nissues;		/* may exceed the kept issues */
	struct spfdmarc_dmarc_issue issues[SPFDMARC_DMARC_ISSUES_MAX];
};

/*
 * Parse text[0..len) as a DMARC record. *is_dmarc tells whether it is one
 * at all: it starts with a valid "v=DMARC1" tag (RFC 9989 §4.7; leading
 * white space is tolerated) and is within the limits above. When it is,
 * every other problem is recorded in rec->issues and the record is used
 * with defaults for the bad tags. Returns 0, or SPFDMARC_EINVAL (NULL
 * arguments), SPFDMARC_ENOMEM. rua/ruf point into arena.
 */
int spfdmarc_dmarc_record_parse(struct spfdmarc_arena *arena,
    enum spfdmarc_dmarc_mode mode, const char *text, size_t len,
    struct spfdmarc_dmarc_record *rec, bool *is_dmarc);

enum spfdmarc_dmarc_result_code {
	SPFDMARC_DMARC_NONE = 0,	/* no policy applies */
	SPFDMARC_DMARC_PASS,
	SPFDMARC_DMARC_FAIL,
	SPFDMARC_DMARC_TEMPERROR,	/* DNS failure: retry may help */
	SPFDMARC_DMARC_PERMERROR,	/* no single usable Author Domain */
};

/* Which record supplied the policy (RFC 9989 §4.10.1). */
enum spfdmarc_dmarc_source {
	SPFDMARC_DMARC_SOURCE_NONE = 0,
	SPFDMARC_DMARC_SOURCE_AUTHOR,	/* the Author Domain's own record */
	SPFDMARC_DMARC_SOURCE_ORG,	/* the Organizational Domain's */
	SPFDMARC_DMARC_SOURCE_PSD,	/* a Public Suffix Domain's (psd=y) */
};

/* Whether the Author Domain exists (for np=). */
enum spfdmarc_dmarc_existence {
	SPFDMARC_DMARC_EXISTS_UNKNOWN = 0,	/* not needed (not asked), or
						 * DNS failed */
	SPFDMARC_DMARC_EXISTS_YES,
	SPFDMARC_DMARC_EXISTS_NO,		/* NXDOMAIN (RFC 8020) */
};

const char *spfdmarc_dmarc_result_name(enum spfdmarc_dmarc_result_code r);
/* "none", "quarantine", "reject"; NULL for UNSET. */
const char *spfdmarc_dmarc_policy_name(enum spfdmarc_dmarc_policy p);
const char *spfdmarc_dmarc_source_name(enum spfdmarc_dmarc_source s);
const char *spfdmarc_dmarc_mode_name(enum spfdmarc_dmarc_mode m);
/* "rfc9989"/"9989", "rfc7489"/"7489" (any case); 0 or SPFDMARC_EINVAL. */
int spfdmarc_dmarc_mode_parse(const char *name,
    enum spfdmarc_dmarc_mode *out);

/*
 * What one message brings to the evaluation. Domains may be U-labels or
 * A-labels, any case, with or without a trailing dot.
 */
struct spfdmarc_dmarc_request {
	enum spfdmarc_dmarc_mode mode;
	/* The Author Domain; or NULL, and then the From field values are
	 * parsed (spfdmarc/rfc5322.h): none or several → PERMERROR. */
	const char *author_domain;
	const char *const *from_fields;	/* values, without "From:" */
	size_t nfrom_fields;
	/* The MAIL FROM domain, only when SPF gave "pass" (RFC 9989
	 * §4.4.2: nothing else counts); NULL otherwise. */
	const char *spf_pass_domain;
	/* d= of every DKIM signature that verified ("pass"). */
	const char *const *dkim_pass_domains;
	size_t ndkim_pass_domains;
	/* RFC 7489 pct= sampling: 0..99 picks the message's draw (the
	 * policy applies when draw < pct); -1 draws at random. */
	int pct_draw;
};

/* One evaluation's outcome; the JSON of `spfdmarc dmarc` mirrors it. */
struct spfdmarc_dmarc_result {
	enum spfdmarc_dmarc_result_code result;
	enum spfdmarc_dmarc_mode mode;
	const char *author_domain;	/* A-label, lower case; NULL if none */
	const char *record_domain;	/* where the applied record is; NULL */
	const char *record;		/* its text; NULL */
	enum spfdmarc_dmarc_source source;
	const char *org_domain;		/* of the Author Domain; NULL if
					 * unknown (DNS failure, no domain) */
	/* The p/sp/np value that applies (after the §4.10.1 rua rule);
	 * UNSET when no record applies. */
	enum spfdmarc_dmarc_policy published_policy;
	const char *published_tag;	/* "p", "sp" or "np"; NULL */
	/* After t=y (RFC 9989) or pct= (RFC 7489): one level softer.
	 * This is what Authentication-Results' policy.dmarc reports. */
	enum spfdmarc_dmarc_policy evaluated_policy;
	bool testing;			/* t=y; 7489: pct spared this one */
	unsigned pct;			/* 7489: the record's pct (100) */
	/* What to do with the message: the evaluated policy on FAIL,
	 * NONE otherwise. */
	enum spfdmarc_dmarc_policy disposition;
	enum spfdmarc_dmarc_align adkim, aspf;
	bool spf_aligned, dkim_aligned;
	const char *aligned_dkim_domain;	/* the first aligned d=; NULL */
	enum spfdmarc_dmarc_existence author_exists;
	/* Worst DNSSEC state of the answers the result rests on;
	 * INDETERMINATE when no answer was used. */
	enum spfdmarc_dnssec dnssec;
	char reason[SPFDMARC_DMARC_REASON_MAX];
};

/* One message's DMARC evaluation (opaque; lives in the caller's arena). */
struct spfdmarc_dmarc;

/*
 * Start policy discovery for author_domain: every query the tree walk
 * (or, in RFC 7489 mode, the PSL lookup) may need is started at once.
 * Never blocks. The result is exactly what a serial walk gives: answers
 * are consumed in walk order by spfdmarc_dmarc_finish(). Whether the
 * domain exists (np=) is asked by spfdmarc_dmarc_finish(), and only when
 * it picks the policy and the answers so far do not tell.
 *
 * An author_domain that is not a usable domain still yields an object;
 * spfdmarc_dmarc_finish() then reports PERMERROR. dns and arena must
 * outlive the object. Returns 0, SPFDMARC_EINVAL or SPFDMARC_ENOMEM.
 */
int spfdmarc_dmarc_discover(struct spfdmarc_dns_ctx *dns,
    struct spfdmarc_arena *arena, enum spfdmarc_dmarc_mode mode,
    const char *author_domain, struct spfdmarc_dmarc **out);

/*
 * Finish: wait for the answers (within the DNS context's budget), then
 * alignment, result and policy. req->mode and req->author_domain are
 * ignored (the discover step's are used). May be called once.
 * Returns 0, SPFDMARC_EINVAL, SPFDMARC_ESTATE (called twice) or
 * SPFDMARC_ENOMEM; the verdict is in *res.
 */
int spfdmarc_dmarc_finish(struct spfdmarc_dmarc *d,
    const struct spfdmarc_dmarc_request *req,
    struct spfdmarc_dmarc_result *res);

/* Both steps at once. */
int spfdmarc_dmarc_evaluate(struct spfdmarc_dns_ctx *dns,
    struct spfdmarc_arena *arena, const struct spfdmarc_dmarc_request *req,
    struct spfdmarc_dmarc_result *res);

/*
 * RFC 7489 mode's Public Suffix List (also the DNS layer's guess of a
 * zone apex, spfdmarc/dns_unbound.h). Loaded once per process on first
 * use from SPFDMARC_PSL_DAFSA (Debian's publicsuffix package, the list
 * compiled: 0.2 MB in memory where the text costs 2.5 MB), else
 * SPFDMARC_PSL_FILE, else libpsl's built-in list. A host may call this
 * first (before threads) to use another file (either format); path NULL
 * means the default. Returns 0, SPFDMARC_EIO (the file could not be
 * loaded: the built-in list is used if libpsl has one) or
 * SPFDMARC_ENOTFOUND (no list at all).
 */
#define SPFDMARC_PSL_DAFSA "/usr/share/publicsuffix/public_suffix_list.dafsa"
#define SPFDMARC_PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"
int spfdmarc_dmarc_psl_load(const char *path);

/*
 * The Organizational Domain of domain by the PSL (RFC 7489 §3.2): the
 * public suffix plus one label; a name that is itself a public suffix is
 * its own. Into out[size], lower case. 0, SPFDMARC_EINVAL,
 * SPFDMARC_ETRUNC, SPFDMARC_ENOTFOUND (no list).
 */
int spfdmarc_dmarc_psl_org_domain(const char *domain, char *out,
    size_t size);

#ifdef __cplusplus
}
#endif

#endif
