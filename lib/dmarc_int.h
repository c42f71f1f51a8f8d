/*
 * dmarc_int.h: internals shared by dmarc_record.c, dmarc_discover.c and
 * dmarc_eval.c. Not installed.
 */
#ifndef SPFDMARC_DMARC_INT_H
#define SPFDMARC_DMARC_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/dmarc.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/dns.h"

/* "_dmarc." + a name must still be a DNS name. */
#define DMARC_PREFIX		"_dmarc."
#define DMARC_PREFIX_LEN	7

int dmarc_record_parse(struct spfdmarc_arena *arena,
    enum spfdmarc_dmarc_mode mode, const char *text, size_t len,
    struct spfdmarc_dmarc_record *rec, bool *is_dmarc);

/* What one name of a walk gave. */
enum dmarc_step_state {
	DMARC_STEP_PENDING = 0,	/* not looked up (yet) */
	DMARC_STEP_NONE,	/* no DMARC record there */
	DMARC_STEP_RECORD,	/* exactly one */
	DMARC_STEP_MULTIPLE,	/* several: none there (RFC 9989 §4.10 step 2) */
	DMARC_STEP_ERROR,	/* temporary DNS failure */
};

/* Small on purpose: a walk has 8 steps and most stay unused or empty
 * (every message in flight keeps one), so the name points into the
 * walk's own copy and a record is allocated only when one is found. */
struct dmarc_step {
	const char *name;	/* the domain, not _dmarc.: a suffix of
				 * the walk's start, or its org */
	size_t labels;
	bool unqueryable;	/* "_dmarc." + name is too long for DNS */
	enum dmarc_step_state state;
	const struct spfdmarc_dns_answer *answer;
	const char *text;	/* the record, for RECORD */
	const struct spfdmarc_dmarc_record *rec;	/* for RECORD, else
							 * NULL */
};

/*
 * A DNS tree walk (RFC 9989 §4.10) from one domain, or the RFC 7489
 * two-name lookup (the domain, then its PSL Organizational Domain).
 * Started at once, consumed in order.
 */
struct dmarc_walk {
	enum spfdmarc_dmarc_mode mode;
	size_t nsteps;
	size_t nlooked;		/* steps looked up so far */
	bool stopped;		/* a psd=y/n record ended it (9989), or a
				 * record or a failure ended it (7489) */
	int error_step;		/* first ERROR step, or -1 */
	char start[SPFDMARC_DNAME_BUFSIZE];	/* the names steps point to */
	char org[SPFDMARC_DNAME_BUFSIZE];	/* 7489: the PSL org domain */
	struct dmarc_step steps[SPFDMARC_DMARC_WALK_MAX];
};

/* Fill the walk's names for start (a valid, lower-case name). 7489 mode
 * needs org, the PSL Organizational Domain (may equal start). */
void dmarc_walk_init(struct dmarc_walk *w, enum spfdmarc_dmarc_mode mode,
    const char *start, const char *org);
/* Start every query of the walk (never blocks). */
void dmarc_walk_start(struct dmarc_walk *w, struct spfdmarc_dns_ctx *dns);
/* Look up steps in order until the walk stops, fails, or upto steps have
 * been looked up. Returns ENOMEM or 0. */
int dmarc_walk_run(struct dmarc_walk *w, struct spfdmarc_dns_ctx *dns,
    struct spfdmarc_arena *arena, size_t upto);
/* Worst DNSSEC state of the first n looked-up steps. */
enum spfdmarc_dnssec dmarc_walk_dnssec(const struct dmarc_walk *w, size_t n);
/*
 * The Organizational Domain a complete walk gives (RFC 9989 §4.10.2),
 * into out[SPFDMARC_DNAME_BUFSIZE]. *used: steps the answer rests on.
 * Returns false when a DNS failure leaves it unknown.
 */
bool dmarc_walk_org(const struct dmarc_walk *w, char *out, size_t *used);
/*
 * RFC 9989 §4.10.1: the record that applies after a walk: the Author
 * Domain's; else, with the Organizational Domain org known (not NULL),
 * org's, else the psd=y record that stopped the walk. NULL when none;
 * *source says which.
 */
const struct dmarc_step *dmarc_walk_applied(const struct dmarc_walk *w,
    const char *org, enum spfdmarc_dmarc_source *source);
/* t=y (RFC 9989 §4.7): one level softer, reject → quarantine → none. */
enum spfdmarc_dmarc_policy dmarc_policy_softer(enum spfdmarc_dmarc_policy p);

/* Describe a failed answer: "DNSSEC bogus: NAME TXT: why". */
void dmarc_describe_failure(const struct spfdmarc_dns_answer *a, char *out,
    size_t size);

/*
 * Normalize a domain from a caller (Author Domain, SPF or DKIM domain):
 * strip one trailing dot, U-labels to A-labels, lower case, DNS syntax.
 * Returns 0, SPFDMARC_ESYNTAX or SPFDMARC_ERANGE.
 */
int dmarc_domain_normalize(const char *in, char *out, size_t size,
    bool mail_domain);

#endif
