/*
 * dmarc_discover.c: finding DMARC records in the DNS.
 *
 * RFC 9989 §4.10: the DNS Tree Walk. From a domain of x labels: query
 * _dmarc.<domain>; then, if x >= 8, jump to its last 7 labels, else drop
 * the left-most label; then drop one label at a time down to and
 * including the TLD (the RFC's example queries "_dmarc.com"). At most 8
 * queries. A single record with psd=y or psd=n stops the walk; several
 * records at one name count as none there (§4.10 step 2).
 * §4.10.2: the Organizational Domain of a walk.
 *
 * RFC 7489 §6.6.3 (mode RFC7489): the domain, then its Organizational
 * Domain by the Public Suffix List (§3.2) if different; several records
 * at a name end discovery with no policy. libpsl supplies the list.
 *
 * Every query of a walk is started at once (the milter starts discovery
 * when the From field arrives), and answers are consumed in walk order,
 * so the outcome is exactly that of a serial walk; the extra queries only
 * cost DNS traffic, never a different result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_int.h"
#include "export.h"
#include "log.h"
#include "spfdmarc/err.h"
#include "spfdmarc/rfc5322.h"
#include "suffix.h"

/* --- names ---------------------------------------------------------------- */

int
dmarc_domain_normalize(const char *in, char *out, size_t size,
    bool mail_domain)
{
	size_t len;

	if (in == NULL)
		return SPFDMARC_EINVAL;
	len = strnlen(in, SPFDMARC_RFC5322_FIELD_MAX);
	return spfdmarc_rfc5322_domain_normalize(in, len, out, size,
	    mail_domain ? (SPFDMARC_DNAME_LDH | SPFDMARC_DNAME_MULTILABEL |
	    SPFDMARC_DNAME_ALPHA_TLD) : 0);
}

/* --- the walk ------------------------------------------------------------- */

/* name[0..len) is NUL-terminated there (a suffix of the walk's copy). */
static void
dmarc_step_set(struct dmarc_step *s, const char *name, size_t len)
{
	s->name = name;
	s->labels = spfdmarc_dname_count_labels(name, len);
	s->unqueryable = len + DMARC_PREFIX_LEN > SPFDMARC_DNAME_MAX;
	s->state = DMARC_STEP_PENDING;
}

void
dmarc_walk_init(struct dmarc_walk *w, enum spfdmarc_dmarc_mode mode,
    const char *start, const char *org)
{
	size_t len, labels, off;

	memset(w, 0, sizeof(*w));
	w->mode = mode;
	w->error_step = -1;
	/* start is a valid name, so it fits. */
	len = strlcpy(w->start, start, sizeof(w->start));
	start = w->start;
	dmarc_step_set(&w->steps[w->nsteps++], start, len);
	if (mode == SPFDMARC_DMARC_RFC7489) {
		if (org != NULL && strcmp(org, start) != 0) {
			len = strlcpy(w->org, org, sizeof(w->org));
			dmarc_step_set(&w->steps[w->nsteps++], w->org, len);
		}
		return;
	}
	/* RFC 9989 §4.10 steps 3, 4 and 7. */
	labels = spfdmarc_dname_count_labels(start, len);
	if (labels >= 8)
		labels = 8;	/* the next target has 7 labels */
	for (size_t n = labels - 1; n >= 1 &&
	    w->nsteps < SPFDMARC_DMARC_WALK_MAX; n--) {
		if (!spfdmarc_dname_last_labels(start, len, n, &off))
			break;
		dmarc_step_set(&w->steps[w->nsteps++], start + off, len - off);
	}
}

static void
dmarc_qname(const struct dmarc_step *s, char *out, size_t size)
{
	(void)snprintf(out, size, "%s%s", DMARC_PREFIX, s->name);
}

void
dmarc_walk_start(struct dmarc_walk *w, struct spfdmarc_dns_ctx *dns)
{
	char q[SPFDMARC_DNAME_BUFSIZE + DMARC_PREFIX_LEN];

	for (size_t i = 0; i < w->nsteps; i++) {
		if (w->steps[i].unqueryable)
			continue;
		dmarc_qname(&w->steps[i], q, sizeof(q));
		/* A refusal (query cap) is recorded as a failed answer and
		 * comes back from the lookup. */
		(void)spfdmarc_dns_start(dns, q, SPFDMARC_DNS_TXT);
	}
}

/* Does the TXT text start like a DMARC record? (cheap pre-check) */
static bool
dmarc_looks_like_record(const char *t, size_t len)
{
	size_t i = 0;

	while (i < len && (t[i] == ' ' || t[i] == '\t'))
		i++;
	return i < len && (t[i] == 'v' || t[i] == 'V');
}

static int
dmarc_step_lookup(struct dmarc_walk *w, struct dmarc_step *s,
    struct spfdmarc_dns_ctx *dns, struct spfdmarc_arena *arena)
{
	char q[SPFDMARC_DNAME_BUFSIZE + DMARC_PREFIX_LEN];
	const struct spfdmarc_dns_answer *a;
	size_t found = 0;

	if (s->unqueryable) {
		/* No such name can exist in the DNS. */
		s->state = DMARC_STEP_NONE;
		return 0;
	}
	dmarc_qname(s, q, sizeof(q));
	a = spfdmarc_dns_lookup(dns, q, SPFDMARC_DNS_TXT);
	s->answer = a;
	if (spfdmarc_dns_status_is_error(a->status)) {
		s->state = DMARC_STEP_ERROR;
		return 0;
	}
	s->state = DMARC_STEP_NONE;
	if (a->status != SPFDMARC_DNS_OK)
		return 0;
	for (size_t i = 0; i < a->count; i++) {
		const struct spfdmarc_dns_rr *rr = &a->rr[i];
		struct spfdmarc_dmarc_record rec;
		bool is_dmarc;
		int rc;

		if (rr->type != SPFDMARC_DNS_TXT ||
		    !dmarc_looks_like_record(rr->u.txt.text, rr->u.txt.len))
			continue;
		rc = dmarc_record_parse(arena, w->mode, rr->u.txt.text,
		    rr->u.txt.len, &rec, &is_dmarc);
		if (rc != 0)
			return rc;
		if (!is_dmarc)
			continue;
		if (found++ == 0) {
			struct spfdmarc_dmarc_record *keep =
			    spfdmarc_arena_alloc(arena, sizeof(*keep));

			if (keep == NULL)
				return SPFDMARC_ENOMEM;
			*keep = rec;
			s->rec = keep;
			s->text = rr->u.txt.text;
		}
	}
	if (found == 1)
		s->state = DMARC_STEP_RECORD;
	else if (found > 1)
		s->state = DMARC_STEP_MULTIPLE;
	return 0;
}

int
dmarc_walk_run(struct dmarc_walk *w, struct spfdmarc_dns_ctx *dns,
    struct spfdmarc_arena *arena, size_t upto)
{
	while (!w->stopped && w->nlooked < w->nsteps && w->nlooked < upto) {
		struct dmarc_step *s = &w->steps[w->nlooked];
		int rc = dmarc_step_lookup(w, s, dns, arena);

		if (rc != 0)
			return rc;
		w->nlooked++;
		if (s->state == DMARC_STEP_ERROR) {
			/* Nothing after a failure can be trusted to be what a
			 * serial walk would have seen. */
			w->error_step = (int)(w->nlooked - 1);
			w->stopped = true;
		} else if (w->mode == SPFDMARC_DMARC_RFC7489) {
			/* §6.6.3 steps 3 and 5: the first name with any
			 * DMARC record ends discovery. */
			if (s->state != DMARC_STEP_NONE)
				w->stopped = true;
		} else if (s->state == DMARC_STEP_RECORD &&
		    s->rec->psd != SPFDMARC_DMARC_PSD_U) {
			w->stopped = true;	/* §4.10 steps 2 and 6 */
		}
	}
	return 0;
}

enum spfdmarc_dnssec
dmarc_walk_dnssec(const struct dmarc_walk *w, size_t n)
{
	enum spfdmarc_dnssec worst = SPFDMARC_DNSSEC_SECURE;
	bool any = false;

	for (size_t i = 0; i < n && i < w->nlooked; i++) {
		if (w->steps[i].answer == NULL)
			continue;
		worst = spfdmarc_dnssec_worst(worst, w->steps[i].answer->dnssec);
		any = true;
	}
	return any ? worst : SPFDMARC_DNSSEC_INDETERMINATE;
}

bool
dmarc_walk_org(const struct dmarc_walk *w, char *out, size_t *used)
{
	const struct dmarc_step *last = NULL;
	size_t last_i = 0;

	*used = w->nlooked;
	if (w->error_step >= 0 || (!w->stopped && w->nlooked < w->nsteps))
		return false;
	for (size_t i = 0; i < w->nlooked; i++) {
		if (w->steps[i].state == DMARC_STEP_RECORD) {
			last = &w->steps[i];
			last_i = i;
		}
	}
	if (last == NULL) {
		/* §4.10.2: "the initial target domain is the
		 * Organizational Domain". */
		(void)strlcpy(out, w->steps[0].name, SPFDMARC_DNAME_BUFSIZE);
		return true;
	}
	/* Only the last record can carry psd=y/n: the walk stops there. */
	if (last->rec->psd == SPFDMARC_DMARC_PSD_Y && last_i != 0) {
		/* One label below the PSD, on the way to the start. */
		const char *start = w->steps[0].name;
		size_t off;

		if (spfdmarc_dname_last_labels(start, strlen(start),
		    last->labels + 1, &off)) {
			(void)strlcpy(out, start + off, SPFDMARC_DNAME_BUFSIZE);
			return true;
		}
	}
	/* psd=n, or the record with the fewest labels. */
	(void)strlcpy(out, last->name, SPFDMARC_DNAME_BUFSIZE);
	return true;
}

const struct dmarc_step *
dmarc_walk_applied(const struct dmarc_walk *w, const char *org,
    enum spfdmarc_dmarc_source *source)
{
	const struct dmarc_step *last;

	*source = SPFDMARC_DMARC_SOURCE_NONE;
	if (w->nlooked > 0 && w->steps[0].state == DMARC_STEP_RECORD) {
		*source = SPFDMARC_DMARC_SOURCE_AUTHOR;
		return &w->steps[0];
	}
	if (org == NULL || w->nlooked == 0)
		return NULL;
	for (size_t i = 0; i < w->nlooked; i++) {
		if (w->steps[i].state == DMARC_STEP_RECORD &&
		    strcmp(w->steps[i].name, org) == 0) {
			*source = SPFDMARC_DMARC_SOURCE_ORG;
			return &w->steps[i];
		}
	}
	last = &w->steps[w->nlooked - 1];
	if (last->state == DMARC_STEP_RECORD &&
	    last->rec->psd == SPFDMARC_DMARC_PSD_Y) {
		*source = SPFDMARC_DMARC_SOURCE_PSD;
		return last;
	}
	return NULL;
}

enum spfdmarc_dmarc_policy
dmarc_policy_softer(enum spfdmarc_dmarc_policy p)
{
	switch (p) {
	case SPFDMARC_DMARC_POLICY_REJECT:
		return SPFDMARC_DMARC_POLICY_QUARANTINE;
	case SPFDMARC_DMARC_POLICY_QUARANTINE:
		return SPFDMARC_DMARC_POLICY_NONE;
	default:
		return p;
	}
}

void
dmarc_describe_failure(const struct spfdmarc_dns_answer *a, char *out,
    size_t size)
{
	const char *kind, *why = a->why;
	size_t klen;

	switch (a->status) {
	case SPFDMARC_DNS_BOGUS:	kind = "DNSSEC bogus"; break;
	case SPFDMARC_DNS_TIMEOUT:	kind = "DNS timeout"; break;
	case SPFDMARC_DNS_SERVFAIL:	kind = "DNS server failure"; break;
	default:			kind = "DNS error"; break;
	}
	/* Backends say "DNSSEC bogus: why" themselves: say it once. */
	klen = strlen(kind);
	if (why != NULL && strncmp(why, kind, klen) == 0 &&
	    strncmp(why + klen, ": ", 2) == 0)
		why += klen + 2;
	(void)snprintf(out, size, "%s: %s %s%s%s", kind, a->qname,
	    spfdmarc_dns_type_name(a->qtype), why != NULL ? ": " : "",
	    why != NULL ? why : "");
}

/* --- the Public Suffix List (RFC 7489 mode) ------------------------------- */

SPFDMARC_PUBLIC int
spfdmarc_dmarc_psl_load(const char *path)
{
	return suffix_load(path);
}

SPFDMARC_PUBLIC int
spfdmarc_dmarc_psl_org_domain(const char *domain, char *out, size_t size)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];

	if (domain == NULL || out == NULL || size == 0)
		return SPFDMARC_EINVAL;
	if (dmarc_domain_normalize(domain, norm, sizeof(norm), false) != 0)
		return SPFDMARC_EINVAL;
	/* RFC 7489 §3.2: the longest matching public suffix plus one
	 * label. A name that is itself a public suffix has none: it is
	 * taken as its own Organizational Domain (as OpenDMARC does). */
	return suffix_org_domain(norm, out, size);
}
