/*
 * audit_dmarc.c: the DMARC half of `spfdmarc check`: the record that
 * applies to the domain, found as an RFC 9989 receiver finds it (the DNS
 * tree walk of §4.10, the Organizational Domain of §4.10.2, the choice of
 * record and of p/sp of §4.10.1), and what is wrong with it: a missing or
 * doubled record, an invalid or monitoring-only policy, sp=/np= weaker
 * than p=, t=y, the tags RFC 9989 removed (pct, rf, ri), malformed tags,
 * and report URIs that are invalid or point outside the Organizational
 * Domain without the destination's consent (the "<domain>._report._dmarc.
 * <destination>" record of RFC 9990, as RFC 7489 §7.1 had it).
 *
 * Interpretations:
 *  - A destination is external when it is not the record's
 *    Organizational Domain nor under it.
 *  - The consent record must be the only TXT record at its name and
 *    start with "v=DMARC1" (RFC 7489 §7.1 steps 5 and 6).
 *  - Only mailto: URIs count as report destinations: they are the only
 *    ones receivers send reports to (RFC 9990, RFC 9991).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit_int.h"
#include "dmarc_int.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

#define AUDIT_REPORT_PREFIX	"._report._dmarc."

/* --- the applied record --------------------------------------------------- */

static const char *
dmarc_policy_word(enum spfdmarc_dmarc_policy p)
{
	const char *s = spfdmarc_dmarc_policy_name(p);

	return s != NULL ? s : "none";
}

/* A TXT record at _dmarc.<domain> that was meant as DMARC but is not. */
static const char *
dmarc_near_miss(struct audit *a, const struct dmarc_step *s)
{
	const struct spfdmarc_dns_answer *ans = s->answer;

	if (ans == NULL || ans->status != SPFDMARC_DNS_OK)
		return "";
	for (size_t i = 0; i < ans->count; i++) {
		const struct spfdmarc_dns_rr *rr = &ans->rr[i];

		if (rr->type == SPFDMARC_DNS_TXT &&
		    strcasestr(rr->u.txt.text, "dmarc") != NULL)
			return audit_fmt(a, " (the TXT record at _dmarc.%s is "
			    "not a DMARC record: it must start with "
			    "\"v=DMARC1\" followed by ';' or its end: "
			    "\"%.64s\")", s->name, audit_strndup_shown(a,
			    rr->u.txt.text, rr->u.txt.len));
	}
	return "";
}

static void
dmarc_missing(struct audit *a, const struct dmarc_walk *w, const char *org)
{
	const char *hint = dmarc_near_miss(a, &w->steps[0]);
	bool sub = strcmp(org, a->domain) != 0;

	if (hint == NULL)
		return;
	audit_add(a, AUDIT_DMARC_MISSING, audit_fmt(a, "_dmarc.%s",
	    a->domain), NULL, -1,
	    audit_fmt(a, "no DMARC record at _dmarc.%s%s%s%s: receivers apply "
	    "no DMARC policy to mail From: %s", a->domain, sub ? " nor at "
	    "_dmarc." : "", sub ? org : "", hint, a->domain),
	    audit_fmt(a, "publish a TXT record at _dmarc.%s: \"v=DMARC1; "
	    "p=none; rua=mailto:dmarc-reports@%s\", then move to "
	    "p=quarantine and p=reject as the reports show legitimate mail "
	    "passing", org, org));
}

/* --- tags ----------------------------------------------------------------- */

/* Call fn for each "name=value" of the record text (trimmed). */
static void
dmarc_each_tag(const char *text, void (*fn)(void *, const char *, size_t,
    const char *, size_t), void *arg)
{
	size_t len = strlen(text), start = 0;

	for (size_t i = 0; i <= len; i++) {
		size_t a, b, eq;

		if (i < len && text[i] != ';')
			continue;
		a = start;
		b = i;
		start = i + 1;
		while (a < b && (text[a] == ' ' || text[a] == '\t'))
			a++;
		while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
			b--;
		for (eq = a; eq < b && text[eq] != '='; eq++)
			;
		if (eq == b)
			continue;
		{
			size_t ne = eq, vs = eq + 1;

			while (ne > a && (text[ne - 1] == ' ' ||
			    text[ne - 1] == '\t'))
				ne--;
			while (vs < b && (text[vs] == ' ' || text[vs] == '\t'))
				vs++;
			fn(arg, text + a, ne - a, text + vs, b - vs);
		}
	}
}

struct dmarc_tag_ctx {
	struct audit *a;
	const char *owner;	/* "_dmarc.<domain>" */
	enum spfdmarc_dmarc_policy p;
};

static bool
dmarc_word(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* RFC 9989 removed pct=, rf= and ri= (its Appendix C). */
static void
dmarc_removed_tag(void *arg, const char *name, size_t nlen,
    const char *v, size_t vlen)
{
	struct dmarc_tag_ctx *c = arg;
	struct audit *a = c->a;
	const char *term = audit_fmt(a, "%.*s=%.*s", (int)nlen, name,
	    (int)(vlen > 32 ? 32 : vlen), v);

	if (dmarc_word(name, nlen, "pct")) {
		char digits[8];
		unsigned long pct = 100;
		bool partial;

		if (vlen > 0 && vlen < sizeof(digits) &&
		    strspn(v, "0123456789") >= vlen) {
			memcpy(digits, v, vlen);
			digits[vlen] = '\0';
			pct = strtoul(digits, NULL, 10);
		}
		partial = pct < 100;
		audit_add_severity(a, AUDIT_DMARC_REMOVED_TAG, partial ?
		    SPFDMARC_AUDIT_WARNING : SPFDMARC_AUDIT_INFO, c->owner,
		    term, -1, partial ?
		    audit_fmt(a, "%s at %s was removed by RFC 9989: its "
		    "receivers ignore it and apply p=%s to all failing mail, "
		    "while RFC 7489 receivers apply it to %lu%%", term,
		    c->owner, dmarc_policy_word(c->p), pct) :
		    audit_fmt(a, "%s at %s was removed by RFC 9989: its "
		    "receivers ignore it (pct=100 was the default anyway)",
		    term, c->owner),
		    partial ?
		    audit_fmt(a, "remove %s; to try a policy on part of the "
		    "mail flow, use t=y (RFC 9989) instead", term) :
		    audit_fmt(a, "remove %s", term));
	} else if (dmarc_word(name, nlen, "rf")) {
		audit_add(a, AUDIT_DMARC_REMOVED_TAG, c->owner, term, -1,
		    audit_fmt(a, "%s at %s was removed by RFC 9989: receivers "
		    "ignore it (failure reports have one format, RFC 9991)",
		    term, c->owner),
		    audit_fmt(a, "remove %s", term));
	} else if (dmarc_word(name, nlen, "ri")) {
		audit_add(a, AUDIT_DMARC_REMOVED_TAG, c->owner, term, -1,
		    audit_fmt(a, "%s at %s was removed by RFC 9989: receivers "
		    "ignore it and send aggregate reports about daily "
		    "(RFC 9990)", term, c->owner),
		    audit_fmt(a, "remove %s", term));
	}
}

/* The parser's issues that no more precise check reports. */
static void
dmarc_syntax(struct audit *a, const char *owner,
    const struct spfdmarc_dmarc_record *rec)
{
	size_t kept = rec->nissues < SPFDMARC_DMARC_ISSUES_MAX ?
	    rec->nissues : SPFDMARC_DMARC_ISSUES_MAX;

	for (size_t i = 0; i < kept; i++) {
		const struct spfdmarc_dmarc_issue *is = &rec->issues[i];
		const char *t = is->tag;

		if (strcasecmp(t, "p") == 0 || strcasecmp(t, "sp") == 0 ||
		    strcasecmp(t, "np") == 0)
			continue;	/* dmarc-invalid-policy */
		if (strcasecmp(t, "rua") == 0 || strcasecmp(t, "ruf") == 0)
			continue;	/* dmarc-invalid-uri */
		if ((strcasecmp(t, "pct") == 0 || strcasecmp(t, "rf") == 0 ||
		    strcasecmp(t, "ri") == 0) &&
		    strncmp(is->reason, "not a tag of", 12) == 0)
			continue;	/* dmarc-removed-tag */
		audit_add(a, AUDIT_DMARC_SYNTAX, owner, t[0] != '\0' ? t :
		    NULL, -1,
		    audit_fmt(a, "the DMARC record at %s: %s%s%s", owner, t,
		    t[0] != '\0' ? ": " : "", is->reason),
		    audit_fmt(a, "correct the record (RFC 9989 4.7 lists the "
		    "tags and their values)"));
	}
	if (rec->nissues > SPFDMARC_DMARC_ISSUES_MAX)
		audit_add(a, AUDIT_DMARC_SYNTAX, owner, "...", -1,
		    audit_fmt(a, "the DMARC record at %s has %u problems in "
		    "all; the first %d are listed", owner, rec->nissues,
		    SPFDMARC_DMARC_ISSUES_MAX),
		    audit_fmt(a, "rewrite the record from RFC 9989 4.7"));
}

static void
dmarc_policy_checks(struct audit *a, const char *owner,
    const struct spfdmarc_audit_dmarc *dm,
    const struct spfdmarc_dmarc_record *rec)
{
	if (rec->policy_invalid) {
		audit_add(a, AUDIT_DMARC_INVALID_POLICY, owner, "p", -1,
		    audit_fmt(a, "the DMARC record at %s has %s: receivers %s",
		    owner, rec->p == SPFDMARC_DMARC_POLICY_UNSET ?
		    "no valid p=" : "an invalid sp= or np=",
		    rec->rua_valid > 0 ? "treat it as p=none" :
		    "ignore it (and it has no valid rua=), so no DMARC "
		    "policy applies"),
		    audit_fmt(a, "write p=none, p=quarantine or p=reject (and "
		    "sp=/np= likewise) exactly once"));
		return;
	}
	if (dm->policy == SPFDMARC_DMARC_POLICY_NONE)
		audit_add(a, AUDIT_DMARC_P_NONE, owner,
		    dm->source == SPFDMARC_DMARC_SOURCE_AUTHOR ||
		    rec->sp == SPFDMARC_DMARC_POLICY_UNSET ? "p=none" :
		    "sp=none", -1,
		    audit_fmt(a, "the DMARC policy for %s is none (%s at %s): "
		    "receivers report but deliver mail that fails DMARC",
		    a->domain, dm->source == SPFDMARC_DMARC_SOURCE_AUTHOR ||
		    rec->sp == SPFDMARC_DMARC_POLICY_UNSET ? "p=none" :
		    "sp=none", owner),
		    audit_fmt(a, "when the aggregate reports show legitimate "
		    "mail passing, move to p=quarantine, then p=reject"));
	if (rec->sp != SPFDMARC_DMARC_POLICY_UNSET &&
	    audit_policy_strength(rec->sp) < audit_policy_strength(rec->p))
		audit_add(a, AUDIT_DMARC_WEAK_SUBDOMAIN, owner, audit_fmt(a,
		    "sp=%s", dmarc_policy_word(rec->sp)), -1,
		    audit_fmt(a, "the DMARC record at %s has sp=%s, weaker "
		    "than p=%s: mail From: subdomains is easier to spoof",
		    owner, dmarc_policy_word(rec->sp),
		    dmarc_policy_word(rec->p)),
		    audit_fmt(a, "raise sp= to p=%s or remove it (it defaults "
		    "to p)", dmarc_policy_word(rec->p)));
	if (rec->np != SPFDMARC_DMARC_POLICY_UNSET &&
	    audit_policy_strength(rec->np) < audit_policy_strength(rec->p))
		audit_add(a, AUDIT_DMARC_WEAK_SUBDOMAIN, owner, audit_fmt(a,
		    "np=%s", dmarc_policy_word(rec->np)), -1,
		    audit_fmt(a, "the DMARC record at %s has np=%s, weaker "
		    "than p=%s: mail From: non-existent subdomains, which no "
		    "one legitimately uses, is easier to spoof", owner,
		    dmarc_policy_word(rec->np), dmarc_policy_word(rec->p)),
		    audit_fmt(a, "set np=reject, or remove np= (it defaults to "
		    "sp, then p)"));
	if (rec->testing)
		audit_add(a, AUDIT_DMARC_TEST_MODE, owner, "t=y", -1,
		    audit_fmt(a, "the DMARC record at %s has t=y: receivers "
		    "apply %s instead of %s (RFC 9989 4.7)", owner,
		    dmarc_policy_word(dm->effective_policy),
		    dmarc_policy_word(dm->policy)),
		    audit_fmt(a, "remove t=y once the reports show legitimate "
		    "mail passing"));
}

/* --- report URIs ---------------------------------------------------------- */

/* A URI list as published, split and trimmed (at most URIS_MAX). */
static const char *const *
dmarc_split_uris(struct audit *a, const char *list, size_t *n)
{
	const char **out;
	size_t len, start = 0;

	*n = 0;
	if (list == NULL)
		return NULL;
	out = spfdmarc_arena_calloc(a->arena, SPFDMARC_AUDIT_URIS_MAX,
	    sizeof(*out));
	if (out == NULL) {
		a->oom = true;
		return NULL;
	}
	len = strlen(list);
	for (size_t i = 0; i <= len && *n < SPFDMARC_AUDIT_URIS_MAX; i++) {
		size_t x, y;

		if (i < len && list[i] != ',')
			continue;
		x = start;
		y = i;
		start = i + 1;
		while (x < y && (list[x] == ' ' || list[x] == '\t'))
			x++;
		while (y > x && (list[y - 1] == ' ' || list[y - 1] == '\t'))
			y--;
		out[*n] = spfdmarc_arena_strndup(a->arena, list + x, y - x);
		if (out[*n] == NULL) {
			a->oom = true;
			return NULL;
		}
		(*n)++;
	}
	return out;
}

/* The library's parser decides what a valid dmarc-uri is. */
static bool
dmarc_uri_ok(struct audit *a, const char *uri)
{
	struct spfdmarc_dmarc_record rec;
	const char *text = audit_fmt(a, "v=DMARC1; p=none; rua=%s", uri);
	bool is_dmarc;

	if (text == NULL)
		return false;
	if (spfdmarc_dmarc_record_parse(a->arena, SPFDMARC_DMARC_RFC9989,
	    text, strlen(text), &rec, &is_dmarc) != 0)
		return false;
	return is_dmarc && rec.rua_valid == 1 && strchr(uri, ',') == NULL;
}

static int
dmarc_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The domain of a mailto: URI (after percent-decoding) into out; false
 * when there is no usable one. */
static bool
dmarc_mailto_domain(const char *uri, char *out, size_t size)
{
	char addr[SPFDMARC_DNAME_BUFSIZE + 128];
	const char *at;
	size_t n = 0;

	uri += strlen("mailto:");
	for (size_t i = 0; uri[i] != '\0' && uri[i] != '?' && uri[i] != '!';
	    i++) {
		int c = (unsigned char)uri[i];

		if (c == '%' && dmarc_hex(uri[i + 1]) >= 0 &&
		    dmarc_hex(uri[i + 2]) >= 0) {
			c = dmarc_hex(uri[i + 1]) * 16 + dmarc_hex(uri[i + 2]);
			i += 2;
		}
		if (n + 1 >= sizeof(addr) || c == 0)
			return false;
		addr[n++] = (char)c;
	}
	addr[n] = '\0';
	at = strrchr(addr, '@');
	if (at == NULL || at == addr)
		return false;
	return dmarc_domain_normalize(at + 1, out, size, true) == 0;
}

/* RFC 9990 (RFC 7489 §7.1): may reports for the record's domain go to
 * dest? */
static void
dmarc_external(struct audit *a, const struct spfdmarc_audit_dmarc *dm,
    const char *owner, const char *tag, const char *uri, const char *dest)
{
	char name[SPFDMARC_DNAME_BUFSIZE + 64];
	const struct spfdmarc_dns_answer *ans;
	const char *term = audit_fmt(a, "%s=%s", tag, uri);
	size_t ntxt = 0, ndmarc = 0;
	int len;

	if (dm->org_domain == NULL || spfdmarc_dname_is_under(dest,
	    strlen(dest), dm->org_domain, strlen(dm->org_domain)))
		return;
	len = snprintf(name, sizeof(name), "%s%s%s", dm->record_domain,
	    AUDIT_REPORT_PREFIX, dest);
	if (len < 0 || (size_t)len > SPFDMARC_DNAME_MAX) {
		audit_add(a, AUDIT_DMARC_UNAUTHORIZED_EXTERNAL_REPORT, owner,
		    term, -1,
		    audit_fmt(a, "%s at %s sends reports to %s, outside %s, "
		    "but the name that would authorize it is longer than a "
		    "DNS name may be: receivers cannot verify it", term,
		    owner, dest, dm->org_domain),
		    audit_fmt(a, "use a report address under %s or a shorter "
		    "destination domain", dm->org_domain));
		return;
	}
	ans = audit_lookup(a, name, SPFDMARC_DNS_TXT, "dmarc-report", false);
	if (spfdmarc_dns_status_is_error(ans->status))
		return;
	for (size_t i = 0; ans->status == SPFDMARC_DNS_OK && i < ans->count;
	    i++) {
		struct spfdmarc_dmarc_record rec;
		bool is_dmarc = false;

		if (ans->rr[i].type != SPFDMARC_DNS_TXT)
			continue;
		ntxt++;
		if (spfdmarc_dmarc_record_parse(a->arena,
		    SPFDMARC_DMARC_RFC9989, ans->rr[i].u.txt.text,
		    ans->rr[i].u.txt.len, &rec, &is_dmarc) == SPFDMARC_ENOMEM)
			a->oom = true;
		if (is_dmarc)
			ndmarc++;
	}
	if (ntxt == 1 && ndmarc == 1)
		return;
	audit_add(a, AUDIT_DMARC_UNAUTHORIZED_EXTERNAL_REPORT, name, term, -1,
	    audit_fmt(a, "%s at %s sends reports to %s, outside %s, and %s: "
	    "receivers will not send reports there", term, owner, dest,
	    dm->org_domain, ntxt == 0 ? audit_fmt(a, "%s has no TXT record",
	    name) : ndmarc == 0 ? audit_fmt(a, "the TXT record at %s is not "
	    "\"v=DMARC1\"", name) : audit_fmt(a, "%s has %zu TXT records "
	    "instead of one", name, ntxt)),
	    audit_fmt(a, "ask the operator of %s to publish TXT \"v=DMARC1\" "
	    "at %s (a wildcard *._report._dmarc.%s also serves), or send "
	    "reports to an address under %s", dest, name, dest,
	    dm->org_domain));
}

static void
dmarc_uris(struct audit *a, const struct spfdmarc_audit_dmarc *dm,
    const char *owner, const char *tag, const char *const *uris, size_t n)
{
	char dest[SPFDMARC_DNAME_BUFSIZE];

	for (size_t i = 0; i < n && !a->oom; i++) {
		const char *uri = uris[i];
		const char *term = audit_fmt(a, "%s=%s", tag, uri);

		if (!dmarc_uri_ok(a, uri)) {
			audit_add(a, AUDIT_DMARC_INVALID_URI, owner, term, -1,
			    audit_fmt(a, "%s at %s is not a valid URI: "
			    "receivers ignore it", term, owner),
			    audit_fmt(a, "write it as mailto:address@domain "
			    "(',' and '!' inside it percent-encoded), "
			    "several separated by ','"));
			continue;
		}
		if (strncasecmp(uri, "mailto:", 7) != 0) {
			audit_add(a, AUDIT_DMARC_INVALID_URI, owner, term, -1,
			    audit_fmt(a, "%s at %s is not a mailto: URI: "
			    "receivers send reports only by mail", term, owner),
			    audit_fmt(a, "use a mailto: URI"));
			continue;
		}
		if (!dmarc_mailto_domain(uri, dest, sizeof(dest))) {
			audit_add(a, AUDIT_DMARC_INVALID_URI, owner, term, -1,
			    audit_fmt(a, "%s at %s has no valid mail address "
			    "with a domain: receivers cannot send to it", term,
			    owner),
			    audit_fmt(a, "write it as mailto:address@domain"));
			continue;
		}
		if (dm->source != SPFDMARC_DMARC_SOURCE_PSD)
			dmarc_external(a, dm, owner, tag, uri, dest);
	}
}

/* --- entry ---------------------------------------------------------------- */

int
audit_dmarc_start(struct audit *a)
{
	a->walk = spfdmarc_arena_zalloc(a->arena, sizeof(*a->walk));
	if (a->walk == NULL)
		return SPFDMARC_ENOMEM;
	dmarc_walk_init(a->walk, SPFDMARC_DMARC_RFC9989, a->domain, NULL);
	dmarc_walk_start(a->walk, a->dns);
	return 0;
}

static void
dmarc_org_info(struct audit *a, const struct spfdmarc_audit_dmarc *dm)
{
	const char *from;

	switch (dm->source) {
	case SPFDMARC_DMARC_SOURCE_AUTHOR:
		from = audit_fmt(a, "the domain's own record at _dmarc.%s",
		    dm->record_domain);
		break;
	case SPFDMARC_DMARC_SOURCE_ORG:
		from = audit_fmt(a, "the Organizational Domain's record at "
		    "_dmarc.%s, whose sp= (else p=) applies",
		    dm->record_domain);
		break;
	case SPFDMARC_DMARC_SOURCE_PSD:
		from = audit_fmt(a, "a public suffix operator's record at "
		    "_dmarc.%s (psd=y)", dm->record_domain);
		break;
	default:
		from = "no DMARC record";
		break;
	}
	if (from == NULL)
		return;
	audit_add(a, AUDIT_DMARC_ORG_DOMAIN, a->domain, NULL, -1,
	    audit_fmt(a, "the Organizational Domain of %s is %s (DNS tree "
	    "walk, RFC 9989 4.10.2); the policy comes from %s", a->domain,
	    dm->org_domain, from),
	    audit_fmt(a, "nothing to do; relaxed alignment accepts any "
	    "domain under %s", dm->org_domain));
}

int
audit_dmarc_run(struct audit *a)
{
	struct spfdmarc_audit_dmarc *dm = &a->out->dmarc;
	struct dmarc_walk *w = a->walk;
	const struct dmarc_step *s;
	char org[SPFDMARC_DNAME_BUFSIZE];
	const char *owner;
	struct dmarc_tag_ctx tc;
	bool org_known, any = false;
	size_t used;
	int rc;

	dm->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	rc = dmarc_walk_run(w, a->dns, a->arena, SPFDMARC_DMARC_WALK_MAX);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < w->nlooked; i++)
		audit_note_answer(a, w->steps[i].answer, "dmarc", false);
	org_known = dmarc_walk_org(w, org, &used);
	if (org_known) {
		dm->org_domain = spfdmarc_arena_strdup(a->arena, org);
		if (dm->org_domain == NULL)
			return SPFDMARC_ENOMEM;
	}

	for (size_t i = 0; i < w->nlooked; i++) {
		if (w->steps[i].state != DMARC_STEP_MULTIPLE ||
		    (i != 0 && (!org_known || strcmp(w->steps[i].name,
		    org) != 0)))
			continue;
		owner = audit_fmt(a, "_dmarc.%s", w->steps[i].name);
		audit_add(a, AUDIT_DMARC_MULTIPLE, owner, NULL, -1,
		    audit_fmt(a, "%s has several DMARC records: receivers use "
		    "none of them (RFC 9989 4.10)", owner),
		    audit_fmt(a, "keep exactly one \"v=DMARC1\" TXT record at "
		    "%s", owner));
	}

	s = dmarc_walk_applied(w, org_known ? org : NULL, &dm->source);
	if (s == NULL) {
		/* A DNS failure is its own finding: nothing more is known.
		 * Several records at the domain are too (dmarc-multiple). */
		if (w->error_step < 0 && org_known &&
		    w->steps[0].state != DMARC_STEP_MULTIPLE)
			dmarc_missing(a, w, org);
		if (org_known)
			dmarc_org_info(a, dm);
		return a->oom ? SPFDMARC_ENOMEM : 0;
	}

	/* The answers the policy rests on (as dmarc_eval.c counts them). */
	for (size_t i = 0; i < (dm->source == SPFDMARC_DMARC_SOURCE_AUTHOR ?
	    1 : w->nlooked); i++) {
		if (w->steps[i].answer == NULL)
			continue;
		dm->dnssec = any ? spfdmarc_dnssec_worst(dm->dnssec,
		    w->steps[i].answer->dnssec) : w->steps[i].answer->dnssec;
		any = true;
	}
	dm->record = audit_strndup_shown(a, s->text, strlen(s->text));
	dm->record_domain = spfdmarc_arena_strdup(a->arena, s->name);
	owner = audit_fmt(a, "_dmarc.%s", s->name);
	if (dm->record == NULL || dm->record_domain == NULL || owner == NULL)
		return SPFDMARC_ENOMEM;
	dm->p = s->rec->p;
	dm->sp = s->rec->sp;
	dm->np = s->rec->np;
	dm->policy_invalid = s->rec->policy_invalid;
	dm->testing = s->rec->testing;
	dm->adkim = s->rec->adkim;
	dm->aspf = s->rec->aspf;
	if (s->rec->policy_invalid)
		dm->policy = s->rec->rua_valid > 0 ?
		    SPFDMARC_DMARC_POLICY_NONE : SPFDMARC_DMARC_POLICY_UNSET;
	else if (dm->source == SPFDMARC_DMARC_SOURCE_AUTHOR ||
	    s->rec->sp == SPFDMARC_DMARC_POLICY_UNSET)
		dm->policy = s->rec->p;
	else
		dm->policy = s->rec->sp;
	dm->effective_policy = dm->testing ? dmarc_policy_softer(dm->policy) :
	    dm->policy;
	dm->rua = dmarc_split_uris(a, s->rec->rua, &dm->nrua);
	dm->ruf = dmarc_split_uris(a, s->rec->ruf, &dm->nruf);
	if (a->oom)
		return SPFDMARC_ENOMEM;

	if (dm->source == SPFDMARC_DMARC_SOURCE_PSD)
		audit_add(a, AUDIT_DMARC_PSD_POLICY, owner, NULL, -1,
		    audit_fmt(a, "no DMARC record at _dmarc.%s nor at its "
		    "Organizational Domain: the policy that applies is the "
		    "public suffix operator's at %s", a->domain, owner),
		    audit_fmt(a, "publish your own DMARC record at _dmarc.%s",
		    dm->org_domain));
	dmarc_policy_checks(a, owner, dm, s->rec);
	tc.a = a;
	tc.owner = owner;
	tc.p = dm->policy;
	dmarc_each_tag(s->text, dmarc_removed_tag, &tc);
	dmarc_syntax(a, owner, s->rec);
	dmarc_uris(a, dm, owner, "rua", dm->rua, dm->nrua);
	dmarc_uris(a, dm, owner, "ruf", dm->ruf, dm->nruf);
	if (s->rec->rua_valid == 0)
		audit_add(a, AUDIT_DMARC_NO_RUA, owner, NULL, -1,
		    audit_fmt(a, "the DMARC record at %s asks for no aggregate "
		    "reports (no valid rua=): nobody learns who sends mail "
		    "as %s", owner, a->domain),
		    audit_fmt(a, "add rua=mailto:dmarc-reports@%s (or a report "
		    "service's address)", dm->org_domain != NULL ?
		    dm->org_domain : a->domain));
	if (org_known)
		dmarc_org_info(a, dm);
	return a->oom ? SPFDMARC_ENOMEM : 0;
}
