/*
 * dmarc_eval.c: DMARC evaluation of one message.
 *
 * RFC 9989 §4.10.1 (which record applies, and which of p/sp/np),
 * §4.10.2 and §4.4 (Identifier Alignment, relaxed and strict), §5.3
 * (pass/fail), §4.7 (t=y: one level softer), §5.3.6 (a DNS failure means
 * neither pass nor fail: temperror). RFC 7489 §6.6.3 and §6.6.4 (pct=)
 * in RFC 7489 mode.
 *
 * Interpretations:
 *  - "Non-existent" (np=) is RFC 8020 NXDOMAIN (§3.2.13, A.4). The
 *    question is asked only when its answer picks the policy: no record
 *    at the Author Domain itself, and the applied record's np differs
 *    from its sp (RFC 7489 mode has no np=, so never). Then, first
 *    without a query: _dmarc.<author> answered with records or NODATA,
 *    so it exists, and so does its parent (RFC 8020 §2: nothing exists
 *    below a name that does not; an NXDOMAIN for _dmarc.<author> says
 *    nothing about the author); or an answer for the author already in
 *    the DNS context (SPF's TXT of the same domain, its a/mx lookups).
 *    Otherwise the Author Domain is asked for A, AAAA and MX at once;
 *    any positive answer (records or NODATA) means it exists, otherwise
 *    any NXDOMAIN means it does not, otherwise (only failures) it is
 *    unknown: a temperror.
 *  - §4.10.1's rua rule is applied to a missing p= as well as to an
 *    invalid p=, sp= or np= ("does not contain a valid p tag"): with a
 *    valid rua= URI the record acts as "p=none" (for every tag), without
 *    one DMARC does not apply (result none).
 *  - An Organizational Domain that is one label below a psd=y record but
 *    was skipped by the walk's jump (Author Domains of 9+ labels) is not
 *    queried: the 8-query bound wins, and the PSD record applies.
 *  - Only SPF "pass" gives an SPF-Authenticated Identifier (§4.4.2); the
 *    caller passes the domain only then. DKIM likewise (§4.4.1).
 *  - RFC 7489 mode ignores np=, psd= and t= (RFC 9091's experimental
 *    tags are not part of RFC 7489); OpenDMARC 1.4 honours np= and psd=
 *    from RFC 9091, so its results can differ for non-existent subdomains.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_int.h"
#include "export.h"
#include "spfdmarc/err.h"
#include "spfdmarc/rfc5322.h"

struct spfdmarc_dmarc {
	struct spfdmarc_dns_ctx *dns;
	struct spfdmarc_arena *arena;
	enum spfdmarc_dmarc_mode mode;
	bool finished;
	bool usable;		/* the Author Domain is a usable domain */
	char why_unusable[128];
	char author[SPFDMARC_DNAME_BUFSIZE];
	char psl_org[SPFDMARC_DNAME_BUFSIZE];	/* 7489 mode */
	struct dmarc_walk walk;			/* from the Author Domain */
};

/* The existence queries (RFC 9989 §3.2.13 / RFC 8020), made only when
 * their answer decides between np and sp. */
static const enum spfdmarc_dns_type dmarc_exist_types[] = {
	SPFDMARC_DNS_A, SPFDMARC_DNS_AAAA, SPFDMARC_DNS_MX,
};
#define DMARC_NEXIST (sizeof(dmarc_exist_types) / sizeof(dmarc_exist_types[0]))

/* --- names ---------------------------------------------------------------- */

SPFDMARC_PUBLIC const char *
spfdmarc_dmarc_result_name(enum spfdmarc_dmarc_result_code r)
{
	switch (r) {
	case SPFDMARC_DMARC_NONE:	return "none";
	case SPFDMARC_DMARC_PASS:	return "pass";
	case SPFDMARC_DMARC_FAIL:	return "fail";
	case SPFDMARC_DMARC_TEMPERROR:	return "temperror";
	case SPFDMARC_DMARC_PERMERROR:	return "permerror";
	}
	return "unknown";
}

SPFDMARC_PUBLIC const char *
spfdmarc_dmarc_policy_name(enum spfdmarc_dmarc_policy p)
{
	switch (p) {
	case SPFDMARC_DMARC_POLICY_UNSET:	return NULL;
	case SPFDMARC_DMARC_POLICY_NONE:	return "none";
	case SPFDMARC_DMARC_POLICY_QUARANTINE:	return "quarantine";
	case SPFDMARC_DMARC_POLICY_REJECT:	return "reject";
	}
	return NULL;
}

SPFDMARC_PUBLIC const char *
spfdmarc_dmarc_source_name(enum spfdmarc_dmarc_source s)
{
	switch (s) {
	case SPFDMARC_DMARC_SOURCE_NONE:	return "none";
	case SPFDMARC_DMARC_SOURCE_AUTHOR:	return "author";
	case SPFDMARC_DMARC_SOURCE_ORG:		return "organizational";
	case SPFDMARC_DMARC_SOURCE_PSD:		return "psd";
	}
	return "unknown";
}

SPFDMARC_PUBLIC const char *
spfdmarc_dmarc_mode_name(enum spfdmarc_dmarc_mode m)
{
	return m == SPFDMARC_DMARC_RFC7489 ? "rfc7489" : "rfc9989";
}

SPFDMARC_PUBLIC int
spfdmarc_dmarc_mode_parse(const char *name, enum spfdmarc_dmarc_mode *out)
{
	if (name == NULL || out == NULL)
		return SPFDMARC_EINVAL;
	if (strcasecmp(name, "rfc9989") == 0 || strcmp(name, "9989") == 0) {
		*out = SPFDMARC_DMARC_RFC9989;
		return 0;
	}
	if (strcasecmp(name, "rfc7489") == 0 || strcmp(name, "7489") == 0) {
		*out = SPFDMARC_DMARC_RFC7489;
		return 0;
	}
	return SPFDMARC_EINVAL;
}

/* --- discovery ------------------------------------------------------------ */

SPFDMARC_PUBLIC int
spfdmarc_dmarc_discover(struct spfdmarc_dns_ctx *dns,
    struct spfdmarc_arena *arena, enum spfdmarc_dmarc_mode mode,
    const char *author_domain, struct spfdmarc_dmarc **out)
{
	struct spfdmarc_dmarc *d;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (dns == NULL || arena == NULL || out == NULL ||
	    (mode != SPFDMARC_DMARC_RFC9989 && mode != SPFDMARC_DMARC_RFC7489))
		return SPFDMARC_EINVAL;
	d = spfdmarc_arena_zalloc(arena, sizeof(*d));
	if (d == NULL)
		return SPFDMARC_ENOMEM;
	d->dns = dns;
	d->arena = arena;
	d->mode = mode;
	*out = d;

	if (author_domain == NULL) {
		(void)strlcpy(d->why_unusable, "no Author Domain",
		    sizeof(d->why_unusable));
		return 0;
	}
	rc = dmarc_domain_normalize(author_domain, d->author,
	    sizeof(d->author), true);
	if (rc != 0) {
		(void)snprintf(d->why_unusable, sizeof(d->why_unusable),
		    "Author Domain '%.64s' is not a usable domain name",
		    author_domain);
		return 0;
	}
	d->usable = true;
	if (mode == SPFDMARC_DMARC_RFC7489) {
		rc = spfdmarc_dmarc_psl_org_domain(d->author, d->psl_org,
		    sizeof(d->psl_org));
		if (rc != 0)	/* no list at all: the domain stands alone */
			(void)strlcpy(d->psl_org, d->author,
			    sizeof(d->psl_org));
	}
	dmarc_walk_init(&d->walk, mode, d->author, d->psl_org);
	dmarc_walk_start(&d->walk, dns);
	/* Not the existence queries: most messages never need them (see
	 * dmarc_existence()). */
	return 0;
}

/* --- evaluation ----------------------------------------------------------- */

/* What finish() works with. */
struct dmarc_eval {
	struct spfdmarc_dmarc *d;
	struct spfdmarc_dmarc_result *res;
	enum spfdmarc_dnssec dnssec;
	bool dnssec_any;
	char org[SPFDMARC_DNAME_BUFSIZE];
	bool org_known;
	bool org_used;		/* alignment rested on org */
	char fail_why[SPFDMARC_DMARC_REASON_MAX];	/* first DNS failure */
};

static void dmarc_reason(struct spfdmarc_dmarc_result *res, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));

static void
dmarc_reason(struct spfdmarc_dmarc_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

static void
dmarc_use_dnssec(struct dmarc_eval *e, enum spfdmarc_dnssec s)
{
	if (s == SPFDMARC_DNSSEC_INDETERMINATE && !e->dnssec_any) {
		e->dnssec = s;
		e->dnssec_any = true;
		return;
	}
	e->dnssec = e->dnssec_any ? spfdmarc_dnssec_worst(e->dnssec, s) : s;
	e->dnssec_any = true;
}

static void
dmarc_use_walk(struct dmarc_eval *e, const struct dmarc_walk *w, size_t n)
{
	for (size_t i = 0; i < n && i < w->nlooked; i++) {
		if (w->steps[i].answer != NULL)
			dmarc_use_dnssec(e, w->steps[i].answer->dnssec);
	}
}

static void
dmarc_note_failure(struct dmarc_eval *e, const struct dmarc_walk *w)
{
	if (e->fail_why[0] != '\0' || w->error_step < 0)
		return;
	dmarc_describe_failure(w->steps[w->error_step].answer, e->fail_why,
	    sizeof(e->fail_why));
}

static const char *
dmarc_strdup(struct dmarc_eval *e, const char *s)
{
	return spfdmarc_arena_strdup(e->d->arena, s);
}

/*
 * What one answer for the Author Domain says about its existence:
 * YES (records or NODATA), NO (NXDOMAIN), UNKNOWN (a failure).
 */
static enum spfdmarc_dmarc_existence
dmarc_existence_of(const struct spfdmarc_dns_answer *a)
{
	switch (a->status) {
	case SPFDMARC_DNS_OK:
	case SPFDMARC_DNS_NODATA:
		return SPFDMARC_DMARC_EXISTS_YES;
	case SPFDMARC_DNS_NXDOMAIN:
		return SPFDMARC_DMARC_EXISTS_NO;
	default:
		return SPFDMARC_DMARC_EXISTS_UNKNOWN;
	}
}

/*
 * Does the Author Domain exist? Called only when the answer picks np or
 * sp. What the DNS has told already is used first (see the top of the
 * file); only then are A, AAAA and MX asked, all three at once. Returns
 * UNKNOWN only when every answer failed.
 */
static enum spfdmarc_dmarc_existence
dmarc_existence(struct dmarc_eval *e)
{
	static const enum spfdmarc_dns_type known[] = {
		SPFDMARC_DNS_TXT, SPFDMARC_DNS_A, SPFDMARC_DNS_AAAA,
		SPFDMARC_DNS_MX,
	};
	const struct dmarc_step *s0 = &e->d->walk.steps[0];
	const struct spfdmarc_dns_answer *fail = NULL, *nx = NULL;

	/* _dmarc.<author> exists: so does the author. Its answer's DNSSEC
	 * state counts already (the walk's). */
	if (e->d->walk.nlooked > 0 && s0->answer != NULL &&
	    dmarc_existence_of(s0->answer) == SPFDMARC_DMARC_EXISTS_YES)
		return SPFDMARC_DMARC_EXISTS_YES;
	/* Answers about the author that another lookup (SPF) already has
	 * in this context: no query, no wait. */
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct spfdmarc_dns_answer *a = spfdmarc_dns_peek(
		    e->d->dns, e->d->author, known[i]);

		if (a == NULL)
			continue;
		switch (dmarc_existence_of(a)) {
		case SPFDMARC_DMARC_EXISTS_YES:
			dmarc_use_dnssec(e, a->dnssec);
			return SPFDMARC_DMARC_EXISTS_YES;
		case SPFDMARC_DMARC_EXISTS_NO:
			if (nx == NULL)
				nx = a;
			break;
		default:
			break;
		}
	}
	if (nx != NULL) {
		dmarc_use_dnssec(e, nx->dnssec);
		return SPFDMARC_DMARC_EXISTS_NO;
	}

	for (size_t i = 0; i < DMARC_NEXIST; i++)
		(void)spfdmarc_dns_start(e->d->dns, e->d->author,
		    dmarc_exist_types[i]);
	for (size_t i = 0; i < DMARC_NEXIST; i++) {
		const struct spfdmarc_dns_answer *a = spfdmarc_dns_lookup(
		    e->d->dns, e->d->author, dmarc_exist_types[i]);

		dmarc_use_dnssec(e, a->dnssec);
		switch (dmarc_existence_of(a)) {
		case SPFDMARC_DMARC_EXISTS_YES:
			return SPFDMARC_DMARC_EXISTS_YES;
		case SPFDMARC_DMARC_EXISTS_NO:
			nx = a;
			break;
		default:
			if (fail == NULL)
				fail = a;
			break;
		}
	}
	if (nx != NULL)
		return SPFDMARC_DMARC_EXISTS_NO;
	if (fail != NULL && e->fail_why[0] == '\0')
		dmarc_describe_failure(fail, e->fail_why, sizeof(e->fail_why));
	return SPFDMARC_DMARC_EXISTS_UNKNOWN;
}

/*
 * Find the record that applies. Returns 1 with *applied set, 0 when the
 * result is already decided (none, temperror) and in res, or an error.
 */
static int
dmarc_find_policy(struct dmarc_eval *e, const struct dmarc_step **applied)
{
	struct spfdmarc_dmarc *d = e->d;
	struct spfdmarc_dmarc_result *res = e->res;
	struct dmarc_walk *w = &d->walk;
	const struct dmarc_step *rec = NULL;
	size_t used;
	int rc;

	*applied = NULL;
	/* Look up the whole walk: its queries are in flight already, and
	 * the Organizational Domain is reported even when not needed. */
	rc = dmarc_walk_run(w, d->dns, d->arena, SPFDMARC_DMARC_WALK_MAX);
	if (rc != 0)
		return rc;

	if (d->mode == SPFDMARC_DMARC_RFC7489) {
		(void)strlcpy(e->org, d->psl_org, sizeof(e->org));
		e->org_known = true;
		dmarc_use_walk(e, w, w->nlooked);
		if (w->error_step >= 0) {
			dmarc_note_failure(e, w);
			res->result = SPFDMARC_DMARC_TEMPERROR;
			dmarc_reason(res, "%s", e->fail_why);
			return 0;
		}
		for (size_t i = 0; i < w->nlooked; i++) {
			if (w->steps[i].state == DMARC_STEP_MULTIPLE) {
				/* §6.6.3 step 5. */
				res->result = SPFDMARC_DMARC_NONE;
				dmarc_reason(res, "several DMARC records at "
				    "_dmarc.%s", w->steps[i].name);
				return 0;
			}
			if (w->steps[i].state == DMARC_STEP_RECORD)
				rec = &w->steps[i];
		}
		if (rec == NULL) {
			res->result = SPFDMARC_DMARC_NONE;
			dmarc_reason(res, "no DMARC record for %s%s%s",
			    d->author, w->nsteps > 1 ? " or " : "",
			    w->nsteps > 1 ? w->steps[1].name : "");
			return 0;
		}
		res->source = rec == &w->steps[0] ?
		    SPFDMARC_DMARC_SOURCE_AUTHOR : SPFDMARC_DMARC_SOURCE_ORG;
		*applied = rec;
		return 1;
	}

	/* RFC 9989 §4.10.1. */
	e->org_known = dmarc_walk_org(w, e->org, &used);
	rec = dmarc_walk_applied(w, e->org_known ? e->org : NULL,
	    &res->source);
	if (res->source == SPFDMARC_DMARC_SOURCE_AUTHOR) {
		dmarc_use_walk(e, w, 1);
		*applied = rec;
		return 1;
	}
	dmarc_use_walk(e, w, w->nlooked);
	if (!e->org_known) {
		dmarc_note_failure(e, w);
		res->result = SPFDMARC_DMARC_TEMPERROR;
		dmarc_reason(res, "%s", e->fail_why);
		return 0;
	}
	if (rec == NULL) {
		/* §4.10.1: no record, DMARC does not apply. */
		res->result = SPFDMARC_DMARC_NONE;
		dmarc_reason(res, "no DMARC record for %s or its parents",
		    d->author);
		return 0;
	}
	*applied = rec;
	return 1;
}

/* Pick p, sp or np from the applied record. false: decided in res. */
static bool
dmarc_pick_policy(struct dmarc_eval *e, const struct dmarc_step *s)
{
	struct spfdmarc_dmarc *d = e->d;
	struct spfdmarc_dmarc_result *res = e->res;
	const struct spfdmarc_dmarc_record *r = s->rec;
	enum spfdmarc_dmarc_policy p_eff, sp_eff, np_eff;

	if (r->policy_invalid) {
		/* RFC 9989 §4.10.1, RFC 7489 §6.6.3 step 6. */
		if (r->rua_valid == 0) {
			res->result = SPFDMARC_DMARC_NONE;
			dmarc_reason(res, "the DMARC record at _dmarc.%s has no "
			    "valid policy and no valid rua=: DMARC does not "
			    "apply", s->name);
			return false;
		}
		res->published_policy = SPFDMARC_DMARC_POLICY_NONE;
		res->published_tag = "p";
		return true;
	}
	p_eff = r->p;
	if (res->source == SPFDMARC_DMARC_SOURCE_AUTHOR) {
		res->published_policy = p_eff;
		res->published_tag = "p";
		return true;
	}
	sp_eff = r->sp != SPFDMARC_DMARC_POLICY_UNSET ? r->sp : p_eff;
	np_eff = d->mode == SPFDMARC_DMARC_RFC9989 &&
	    r->np != SPFDMARC_DMARC_POLICY_UNSET ? r->np : sp_eff;
	if (np_eff != sp_eff) {
		res->author_exists = dmarc_existence(e);
		if (res->author_exists == SPFDMARC_DMARC_EXISTS_UNKNOWN) {
			res->result = SPFDMARC_DMARC_TEMPERROR;
			dmarc_reason(res, "cannot tell whether %s exists: %s",
			    d->author, e->fail_why);
			return false;
		}
	}
	if (np_eff != sp_eff &&
	    res->author_exists == SPFDMARC_DMARC_EXISTS_NO) {
		res->published_policy = np_eff;
		res->published_tag = r->np != SPFDMARC_DMARC_POLICY_UNSET ?
		    "np" : r->sp != SPFDMARC_DMARC_POLICY_UNSET ? "sp" : "p";
	} else {
		res->published_policy = sp_eff;
		res->published_tag = r->sp != SPFDMARC_DMARC_POLICY_UNSET ?
		    "sp" : "p";
	}
	return true;
}

enum dmarc_align_outcome {
	DMARC_ALIGN_NO = 0,
	DMARC_ALIGN_YES,
	DMARC_ALIGN_UNKNOWN,	/* a DNS failure */
};

/* An identifier whose alignment needs its own walk (relaxed mode). */
struct dmarc_ident {
	char name[SPFDMARC_DNAME_BUFSIZE];
	bool valid;
	bool needs_walk;
	enum dmarc_align_outcome outcome;
	struct dmarc_walk *walk;
};

/* Decide what can be decided without DNS. */
static void
dmarc_ident_prepare(struct dmarc_eval *e, struct dmarc_ident *id,
    const char *domain, enum spfdmarc_dmarc_align mode)
{
	struct spfdmarc_dmarc *d = e->d;

	memset(id, 0, sizeof(*id));
	id->outcome = DMARC_ALIGN_NO;
	if (domain == NULL || dmarc_domain_normalize(domain, id->name,
	    sizeof(id->name), false) != 0)
		return;
	id->valid = true;
	if (strcmp(id->name, d->author) == 0) {
		id->outcome = DMARC_ALIGN_YES;	/* strict, hence relaxed */
		return;
	}
	if (mode == SPFDMARC_DMARC_ALIGN_STRICT)
		return;
	if (d->mode == SPFDMARC_DMARC_RFC7489) {
		char org[SPFDMARC_DNAME_BUFSIZE];

		if (spfdmarc_dmarc_psl_org_domain(id->name, org,
		    sizeof(org)) == 0 && strcmp(org, e->org) == 0)
			id->outcome = DMARC_ALIGN_YES;
		return;
	}
	if (!e->org_known) {
		dmarc_note_failure(e, &d->walk);
		id->outcome = DMARC_ALIGN_UNKNOWN;
		return;
	}
	e->org_used = true;
	/* An Organizational Domain is always the name itself or one of its
	 * parents: only names at or under the Author Domain's can share
	 * it. */
	if (!spfdmarc_dname_is_under(id->name, strlen(id->name), e->org,
	    strlen(e->org)))
		return;
	if (strcmp(id->name, e->org) == 0) {
		/* A walk from the Organizational Domain O itself sees the
		 * same names above O as the author's walk did, so it ends
		 * on O again (a psd=y at O would have made O's child the
		 * author's Organizational Domain, not O). */
		id->outcome = DMARC_ALIGN_YES;
		return;
	}
	id->needs_walk = true;
}

static int
dmarc_ident_walk(struct dmarc_eval *e, struct dmarc_ident *id)
{
	struct spfdmarc_dmarc *d = e->d;
	char org[SPFDMARC_DNAME_BUFSIZE];
	size_t used;
	int rc;

	rc = dmarc_walk_run(id->walk, d->dns, d->arena,
	    SPFDMARC_DMARC_WALK_MAX);
	if (rc != 0)
		return rc;
	dmarc_use_walk(e, id->walk, id->walk->nlooked);
	if (!dmarc_walk_org(id->walk, org, &used)) {
		dmarc_note_failure(e, id->walk);
		id->outcome = DMARC_ALIGN_UNKNOWN;
		return 0;
	}
	id->outcome = strcmp(org, e->org) == 0 ? DMARC_ALIGN_YES :
	    DMARC_ALIGN_NO;
	return 0;
}

static int
dmarc_alignment(struct dmarc_eval *e, const struct spfdmarc_dmarc_request *req,
    const struct dmarc_step *applied, bool *unknown)
{
	struct spfdmarc_dmarc *d = e->d;
	struct spfdmarc_dmarc_result *res = e->res;
	struct dmarc_ident *ids;
	size_t nids, ndkim;
	int rc;

	*unknown = false;
	ndkim = req->ndkim_pass_domains;
	if (ndkim > SPFDMARC_DMARC_DKIM_MAX)
		ndkim = SPFDMARC_DMARC_DKIM_MAX;
	nids = 1 + ndkim;
	ids = spfdmarc_arena_calloc(d->arena, nids, sizeof(*ids));
	if (ids == NULL)
		return SPFDMARC_ENOMEM;
	dmarc_ident_prepare(e, &ids[0], req->spf_pass_domain,
	    applied->rec->aspf);
	for (size_t i = 0; i < ndkim; i++)
		dmarc_ident_prepare(e, &ids[1 + i],
		    req->dkim_pass_domains != NULL ?
		    req->dkim_pass_domains[i] : NULL, applied->rec->adkim);

	/* Start every walk that is needed, then consume them in order. */
	for (size_t i = 0; i < nids; i++) {
		if (!ids[i].needs_walk)
			continue;
		ids[i].walk = spfdmarc_arena_alloc(d->arena,
		    sizeof(*ids[i].walk));
		if (ids[i].walk == NULL)
			return SPFDMARC_ENOMEM;
		dmarc_walk_init(ids[i].walk, SPFDMARC_DMARC_RFC9989,
		    ids[i].name, NULL);
		dmarc_walk_start(ids[i].walk, d->dns);
	}
	for (size_t i = 0; i < nids; i++) {
		if (!ids[i].needs_walk)
			continue;
		/* Once a DKIM identifier aligns, the others do not matter. */
		if (i > 0 && res->dkim_aligned)
			break;
		rc = dmarc_ident_walk(e, &ids[i]);
		if (rc != 0)
			return rc;
		if (i > 0 && ids[i].outcome == DMARC_ALIGN_YES) {
			res->dkim_aligned = true;
			res->aligned_dkim_domain = dmarc_strdup(e,
			    ids[i].name);
		}
	}
	res->spf_aligned = ids[0].outcome == DMARC_ALIGN_YES;
	for (size_t i = 1; i < nids && !res->dkim_aligned; i++) {
		if (ids[i].outcome == DMARC_ALIGN_YES) {
			res->dkim_aligned = true;
			res->aligned_dkim_domain = dmarc_strdup(e,
			    ids[i].name);
		}
	}
	for (size_t i = 0; i < nids; i++) {
		if (ids[i].outcome == DMARC_ALIGN_UNKNOWN)
			*unknown = true;
	}
	return 0;
}

static void
dmarc_result_init(struct spfdmarc_dmarc_result *res,
    enum spfdmarc_dmarc_mode mode)
{
	memset(res, 0, sizeof(*res));
	res->mode = mode;
	res->pct = 100;
	res->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	res->disposition = SPFDMARC_DMARC_POLICY_NONE;
}

SPFDMARC_PUBLIC int
spfdmarc_dmarc_finish(struct spfdmarc_dmarc *d,
    const struct spfdmarc_dmarc_request *req,
    struct spfdmarc_dmarc_result *res)
{
	static const struct spfdmarc_dmarc_request empty = { .pct_draw = -1 };
	struct dmarc_eval e;
	const struct dmarc_step *applied = NULL;
	bool unknown = false;
	int rc;

	if (d == NULL || res == NULL)
		return SPFDMARC_EINVAL;
	if (d->finished)
		return SPFDMARC_ESTATE;
	d->finished = true;
	if (req == NULL)
		req = &empty;
	dmarc_result_init(res, d->mode);
	memset(&e, 0, sizeof(e));
	e.d = d;
	e.res = res;

	if (!d->usable) {
		res->result = SPFDMARC_DMARC_PERMERROR;
		dmarc_reason(res, "%s", d->why_unusable);
		return 0;
	}
	res->author_domain = dmarc_strdup(&e, d->author);
	if (res->author_domain == NULL)
		return SPFDMARC_ENOMEM;

	rc = dmarc_find_policy(&e, &applied);
	if (rc < 0)
		return rc;
	if (rc == 0 || applied == NULL)
		goto done;
	res->record_domain = dmarc_strdup(&e, applied->name);
	res->record = dmarc_strdup(&e, applied->text);
	res->adkim = applied->rec->adkim;
	res->aspf = applied->rec->aspf;
	if (!dmarc_pick_policy(&e, applied))
		goto done;

	rc = dmarc_alignment(&e, req, applied, &unknown);
	if (rc != 0)
		return rc;
	if (res->spf_aligned || res->dkim_aligned) {
		res->result = SPFDMARC_DMARC_PASS;
		if (res->spf_aligned && res->dkim_aligned)
			dmarc_reason(res, "SPF (%s) and DKIM (d=%s) aligned",
			    req->spf_pass_domain, res->aligned_dkim_domain);
		else if (res->spf_aligned)
			dmarc_reason(res, "SPF-authenticated %s aligned",
			    req->spf_pass_domain);
		else
			dmarc_reason(res, "DKIM d=%s aligned",
			    res->aligned_dkim_domain);
	} else if (unknown) {
		/* §5.3.6: neither pass nor fail, and no policy applies. */
		res->result = SPFDMARC_DMARC_TEMPERROR;
		dmarc_reason(res, "alignment unknown: %s", e.fail_why);
		goto done;
	} else {
		res->result = SPFDMARC_DMARC_FAIL;
		dmarc_reason(res, "%s",
		    req->spf_pass_domain == NULL &&
		    req->ndkim_pass_domains == 0 ?
		    "no SPF or DKIM pass" :
		    "no aligned SPF or DKIM identifier");
	}

	/* The evaluated policy (RFC 9989 §4.7 t=; RFC 7489 §6.6.4 pct=). */
	res->evaluated_policy = res->published_policy;
	if (d->mode == SPFDMARC_DMARC_RFC9989) {
		res->testing = applied->rec->testing;
		if (res->testing)
			res->evaluated_policy = dmarc_policy_softer(
			    res->published_policy);
	} else {
		unsigned draw;

		res->pct = applied->rec->pct;
		draw = req->pct_draw >= 0 && req->pct_draw < 100 ?
		    (unsigned)req->pct_draw : arc4random_uniform(100);
		if (res->result == SPFDMARC_DMARC_FAIL && draw >= res->pct) {
			res->testing = true;
			res->evaluated_policy = dmarc_policy_softer(
			    res->published_policy);
		}
	}
	if (res->result == SPFDMARC_DMARC_FAIL)
		res->disposition = res->evaluated_policy;
	else
		res->disposition = SPFDMARC_DMARC_POLICY_NONE;

done:
	if (e.org_used)
		dmarc_use_walk(&e, &d->walk, d->walk.nlooked);
	if (res->result != SPFDMARC_DMARC_PASS &&
	    res->result != SPFDMARC_DMARC_FAIL)
		res->disposition = SPFDMARC_DMARC_POLICY_NONE;
	if (res->disposition == SPFDMARC_DMARC_POLICY_UNSET)
		res->disposition = SPFDMARC_DMARC_POLICY_NONE;
	if (e.org_known) {
		res->org_domain = dmarc_strdup(&e, e.org);
		if (res->org_domain == NULL)
			return SPFDMARC_ENOMEM;
	}
	res->dnssec = e.dnssec_any ? e.dnssec : SPFDMARC_DNSSEC_INDETERMINATE;
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_dmarc_evaluate(struct spfdmarc_dns_ctx *dns,
    struct spfdmarc_arena *arena, const struct spfdmarc_dmarc_request *req,
    struct spfdmarc_dmarc_result *res)
{
	struct spfdmarc_dmarc *d;
	const char *author;
	struct spfdmarc_rfc5322_from from;
	int rc;

	if (dns == NULL || arena == NULL || req == NULL || res == NULL)
		return SPFDMARC_EINVAL;
	author = req->author_domain;
	if (author == NULL) {
		rc = spfdmarc_rfc5322_from_domain(req->from_fields,
		    req->nfrom_fields, &from);
		if (rc != 0)
			return rc;
		if (from.status != SPFDMARC_RFC5322_FROM_ONE) {
			dmarc_result_init(res, req->mode);
			res->result = SPFDMARC_DMARC_PERMERROR;
			dmarc_reason(res, "%s", from.reason);
			return 0;
		}
		author = from.domain;
	}
	rc = spfdmarc_dmarc_discover(dns, arena, req->mode, author, &d);
	if (rc != 0)
		return rc;
	return spfdmarc_dmarc_finish(d, req, res);
}
