/*
 * audit.c: `spfdmarc check`'s engine: the catalogue of checks, findings,
 * the DNS answers an audit used, the checks that need both SPF and DMARC
 * (an SPF ~all or ?all without an enforcing DMARC policy; DNSSEC), the
 * grade, and the public entry spfdmarc_audit_run().
 *
 * The SPF half is audit_spf.c, the DMARC half audit_dmarc.c. Both read
 * DNS through audit_lookup(), which lists each answer once with its
 * DNSSEC state and turns a failed one into a dns-* finding.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit_int.h"
#include "dmarc_int.h"
#include "export.h"
#include "spfdmarc/buf.h"
#include "spfdmarc/err.h"

/* Longest message or fix kept (they are one line). */
#define AUDIT_TEXT_MAX	1024

/* Indexed by enum audit_id. */
static const struct spfdmarc_audit_check audit_checks[AUDIT_NCHECKS] = {
	[AUDIT_SPF_MISSING] = { "spf-missing", SPFDMARC_AUDIT_ERROR,
	    "the domain has no SPF record" },
	[AUDIT_SPF_MULTIPLE] = { "spf-multiple", SPFDMARC_AUDIT_ERROR,
	    "a name of the tree has several \"v=spf1\" records "
	    "(permerror, RFC 7208 4.5)" },
	[AUDIT_SPF_SYNTAX] = { "spf-syntax", SPFDMARC_AUDIT_ERROR,
	    "an SPF record of the tree does not parse (permerror); "
	    "the location gives the offset" },
	[AUDIT_SPF_PLUS_ALL] = { "spf-plus-all", SPFDMARC_AUDIT_ERROR,
	    "\"+all\" (or \"all\") in the record or an included one: "
	    "every host on the Internet passes" },
	[AUDIT_SPF_NO_ALL] = { "spf-no-all", SPFDMARC_AUDIT_WARNING,
	    "the record (after redirects) ends in no \"all\": other hosts "
	    "get the default result neutral" },
	[AUDIT_SPF_SOFTFAIL_WITHOUT_DMARC] = { "spf-softfail-without-dmarc",
	    SPFDMARC_AUDIT_WARNING,
	    "the record ends in \"~all\" or \"?all\" and no DMARC policy "
	    "quarantine or reject applies (after t=y)" },
	[AUDIT_SPF_NEUTRAL_ALL] = { "spf-neutral-all", SPFDMARC_AUDIT_WARNING,
	    "the record ends in \"?all\": SPF asserts nothing about other "
	    "hosts" },
	[AUDIT_SPF_TOO_MANY_LOOKUPS] = { "spf-too-many-lookups",
	    SPFDMARC_AUDIT_ERROR,
	    "more than 10 DNS-querying terms once includes and redirects "
	    "are expanded (permerror, RFC 7208 4.6.4)" },
	[AUDIT_SPF_LOOKUPS_NEAR_LIMIT] = { "spf-lookups-near-limit",
	    SPFDMARC_AUDIT_WARNING,
	    "8 to 10 DNS-querying terms: one more include may break SPF" },
	[AUDIT_SPF_VOID_LOOKUPS] = { "spf-void-lookups", SPFDMARC_AUDIT_ERROR,
	    "more than 2 void lookups (NXDOMAIN or no records) for an IPv4 "
	    "client (permerror, RFC 7208 4.6.4)" },
	[AUDIT_SPF_PTR] = { "spf-ptr", SPFDMARC_AUDIT_WARNING,
	    "a \"ptr\" mechanism (RFC 7208 5.5: do not use)" },
	[AUDIT_SPF_MX_TOO_MANY] = { "spf-mx-too-many", SPFDMARC_AUDIT_ERROR,
	    "an \"mx\" target has more than 10 MX records (permerror, "
	    "RFC 7208 4.6.4)" },
	[AUDIT_SPF_INCLUDE_MISSING] = { "spf-include-missing",
	    SPFDMARC_AUDIT_ERROR,
	    "an include: or redirect= target has no SPF record (permerror)" },
	[AUDIT_SPF_INCLUDE_LOOP] = { "spf-include-loop", SPFDMARC_AUDIT_ERROR,
	    "an include: or redirect= leads back to a record on its own "
	    "path (permerror once the lookup limit is hit)" },
	[AUDIT_SPF_BAD_TARGET] = { "spf-bad-target", SPFDMARC_AUDIT_ERROR,
	    "an include: or redirect= target is not a valid domain name "
	    "(permerror)" },
	[AUDIT_SPF_LONG_STRING] = { "spf-long-string", SPFDMARC_AUDIT_WARNING,
	    "an SPF record of the tree is longer than 255 bytes: it is "
	    "split into DNS strings that receivers join without spaces" },
	[AUDIT_SPF_LARGE_ANSWER] = { "spf-large-answer",
	    SPFDMARC_AUDIT_WARNING,
	    "the TXT answer holding an SPF record is over 512 bytes "
	    "(RFC 7208 3.4)" },
	[AUDIT_SPF_TYPE99] = { "spf-type99", SPFDMARC_AUDIT_WARNING,
	    "an obsolete SPF (type 99) record is published (RFC 7208 3.1)" },
	[AUDIT_SPF_REDIRECT_IGNORED] = { "spf-redirect-ignored",
	    SPFDMARC_AUDIT_WARNING,
	    "redirect= in a record that has \"all\": it is never used "
	    "(RFC 7208 6.1)" },
	[AUDIT_SPF_TERMS_AFTER_ALL] = { "spf-terms-after-all",
	    SPFDMARC_AUDIT_WARNING,
	    "terms after \"all\" are never evaluated" },
	[AUDIT_SPF_WIDE_RANGE] = { "spf-wide-range", SPFDMARC_AUDIT_WARNING,
	    "an ip4 range wider than /8 or an ip6 range wider than /24" },
	[AUDIT_SPF_UNRESOLVED_MACRO] = { "spf-unresolved-macro",
	    SPFDMARC_AUDIT_INFO,
	    "a term's target depends on the message (macros): counted, "
	    "not followed" },
	[AUDIT_SPF_AUDIT_LIMIT] = { "spf-audit-limit", SPFDMARC_AUDIT_INFO,
	    "the include tree is larger than the audit follows (64 records, "
	    "depth 12)" },
	[AUDIT_DMARC_MISSING] = { "dmarc-missing", SPFDMARC_AUDIT_ERROR,
	    "no DMARC record at the domain nor at its Organizational Domain "
	    "(RFC 9989 4.10)" },
	[AUDIT_DMARC_MULTIPLE] = { "dmarc-multiple", SPFDMARC_AUDIT_ERROR,
	    "several DMARC records at one name: receivers use none of them "
	    "(RFC 9989 4.10)" },
	[AUDIT_DMARC_INVALID_POLICY] = { "dmarc-invalid-policy",
	    SPFDMARC_AUDIT_ERROR,
	    "p= is missing or invalid, or sp=/np= is invalid "
	    "(RFC 9989 4.10.1)" },
	[AUDIT_DMARC_SYNTAX] = { "dmarc-syntax", SPFDMARC_AUDIT_WARNING,
	    "a tag of the DMARC record is malformed and is ignored or "
	    "defaulted" },
	[AUDIT_DMARC_P_NONE] = { "dmarc-p-none", SPFDMARC_AUDIT_WARNING,
	    "the policy that applies to the domain is none (monitoring "
	    "only)" },
	[AUDIT_DMARC_WEAK_SUBDOMAIN] = { "dmarc-weak-subdomain",
	    SPFDMARC_AUDIT_WARNING,
	    "sp= or np= is weaker than p=" },
	[AUDIT_DMARC_TEST_MODE] = { "dmarc-test-mode", SPFDMARC_AUDIT_WARNING,
	    "t=y: receivers apply the policy one level softer" },
	[AUDIT_DMARC_REMOVED_TAG] = { "dmarc-removed-tag", SPFDMARC_AUDIT_INFO,
	    "pct=, rf= or ri= (removed by RFC 9989, ignored by its "
	    "receivers); a warning for pct= below 100" },
	[AUDIT_DMARC_INVALID_URI] = { "dmarc-invalid-uri",
	    SPFDMARC_AUDIT_WARNING,
	    "a rua=/ruf= URI is malformed, or not a mailto: URI with a "
	    "valid domain" },
	[AUDIT_DMARC_UNAUTHORIZED_EXTERNAL_REPORT] = {
	    "dmarc-unauthorized-external-report", SPFDMARC_AUDIT_WARNING,
	    "a report destination outside the Organizational Domain has no "
	    "<domain>._report._dmarc.<dest> \"v=DMARC1\" record" },
	[AUDIT_DMARC_NO_RUA] = { "dmarc-no-rua", SPFDMARC_AUDIT_INFO,
	    "no valid rua=: nobody receives aggregate reports" },
	[AUDIT_DMARC_PSD_POLICY] = { "dmarc-psd-policy",
	    SPFDMARC_AUDIT_WARNING,
	    "the only policy that applies is a public suffix operator's "
	    "(psd=y)" },
	[AUDIT_DMARC_ORG_DOMAIN] = { "dmarc-org-domain", SPFDMARC_AUDIT_INFO,
	    "the Organizational Domain and where the policy comes from" },
	[AUDIT_DNS_BOGUS] = { "dns-bogus", SPFDMARC_AUDIT_ERROR,
	    "an answer failed DNSSEC validation: receivers get a temporary "
	    "error" },
	[AUDIT_DNS_TIMEOUT] = { "dns-timeout", SPFDMARC_AUDIT_ERROR,
	    "a lookup timed out: receivers get a temporary error" },
	[AUDIT_DNS_ERROR] = { "dns-error", SPFDMARC_AUDIT_ERROR,
	    "a lookup failed (SERVFAIL, refused, or a local limit)" },
	[AUDIT_DNS_INSECURE] = { "dns-insecure", SPFDMARC_AUDIT_INFO,
	    "the SPF or DMARC record is not DNSSEC-signed" },
};

SPFDMARC_PUBLIC const struct spfdmarc_audit_check *
spfdmarc_audit_checks(size_t *count)
{
	if (count != NULL)
		*count = AUDIT_NCHECKS;
	return audit_checks;
}

SPFDMARC_PUBLIC const char *
spfdmarc_audit_severity_name(enum spfdmarc_audit_severity s)
{
	switch (s) {
	case SPFDMARC_AUDIT_INFO:	return "info";
	case SPFDMARC_AUDIT_WARNING:	return "warning";
	case SPFDMARC_AUDIT_ERROR:	return "error";
	}
	return "unknown";
}

SPFDMARC_PUBLIC const char *
spfdmarc_audit_grade_name(enum spfdmarc_audit_grade g)
{
	switch (g) {
	case SPFDMARC_AUDIT_PASS:	return "pass";
	case SPFDMARC_AUDIT_WARN:	return "warn";
	case SPFDMARC_AUDIT_FAIL:	return "fail";
	}
	return "unknown";
}

SPFDMARC_PUBLIC const char *
spfdmarc_audit_spf_state_name(enum spfdmarc_audit_spf_state s)
{
	switch (s) {
	case SPFDMARC_AUDIT_SPF_OK:		return "ok";
	case SPFDMARC_AUDIT_SPF_NONE:		return "none";
	case SPFDMARC_AUDIT_SPF_MULTIPLE:	return "multiple";
	case SPFDMARC_AUDIT_SPF_SYNTAX:		return "syntax";
	case SPFDMARC_AUDIT_SPF_DNS_ERROR:	return "dns-error";
	case SPFDMARC_AUDIT_SPF_LOOP:		return "loop";
	case SPFDMARC_AUDIT_SPF_MACRO:		return "macro";
	case SPFDMARC_AUDIT_SPF_BAD_NAME:	return "bad-name";
	case SPFDMARC_AUDIT_SPF_LIMIT:		return "not-followed";
	}
	return "unknown";
}

int
audit_policy_strength(enum spfdmarc_dmarc_policy p)
{
	switch (p) {
	case SPFDMARC_DMARC_POLICY_QUARANTINE:	return 1;
	case SPFDMARC_DMARC_POLICY_REJECT:	return 2;
	default:				return 0;
	}
}

/* --- text ----------------------------------------------------------------- */

const char *
audit_fmt(struct audit *a, const char *fmt, ...)
{
	struct spfdmarc_buf b;
	va_list ap;

	spfdmarc_buf_init(&b, a->arena, AUDIT_TEXT_MAX);
	va_start(ap, fmt);
	(void)spfdmarc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.nomem) {
		a->oom = true;
		return NULL;
	}
	/* A cut text is still one line: keep what fitted. */
	return spfdmarc_buf_str(&b);
}

char *
audit_strndup_shown(struct audit *a, const char *text, size_t len)
{
	char *s = spfdmarc_arena_strndup(a->arena, text, len);

	if (s == NULL) {
		a->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0')
			s[i] = '?';
	}
	return s;
}

/* A printable one-line copy (messages may quote DNS data). */
static const char *
audit_printable(struct audit *a, const char *s)
{
	char *copy;

	if (s == NULL)
		return NULL;
	copy = spfdmarc_arena_strdup(a->arena, s);
	if (copy == NULL) {
		a->oom = true;
		return NULL;
	}
	for (char *p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	}
	return copy;
}

static bool
audit_same(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return strcmp(x, y) == 0;
}

/* --- findings ------------------------------------------------------------- */

void
audit_add_severity(struct audit *a, enum audit_id id,
    enum spfdmarc_audit_severity sev, const char *name, const char *term,
    long offset, const char *message, const char *fix)
{
	struct spfdmarc_audit *out = a->out;
	struct spfdmarc_audit_finding *f;

	if (message == NULL || fix == NULL) {
		a->oom = true;
		return;
	}
	for (size_t i = 0; i < out->nfindings; i++) {
		f = &a->findings[i];
		if (f->id == audit_checks[id].id && audit_same(f->name, name) &&
		    audit_same(f->term, term))
			return;
	}
	if (out->nfindings >= SPFDMARC_AUDIT_FINDINGS_MAX) {
		out->dropped++;
		return;
	}
	f = &a->findings[out->nfindings];
	f->id = audit_checks[id].id;
	f->severity = sev;
	f->message = audit_printable(a, message);
	f->fix = audit_printable(a, fix);
	f->name = audit_printable(a, name);
	f->term = audit_printable(a, term);
	f->offset = offset;
	if (f->message == NULL || f->fix == NULL ||
	    (name != NULL && f->name == NULL) ||
	    (term != NULL && f->term == NULL))
		return;		/* a->oom is set */
	out->nfindings++;
}

void
audit_add(struct audit *a, enum audit_id id, const char *name,
    const char *term, long offset, const char *message, const char *fix)
{
	audit_add_severity(a, id, audit_checks[id].severity, name, term,
	    offset, message, fix);
}

/* --- DNS ------------------------------------------------------------------ */

static void
audit_dns_finding(struct audit *a, const struct spfdmarc_dns_answer *ans)
{
	const char *type = spfdmarc_dns_type_name(ans->qtype);
	const char *why = ans->why != NULL ? ans->why :
	    spfdmarc_dns_status_name(ans->status);

	switch (ans->status) {
	case SPFDMARC_DNS_BOGUS:
		audit_add(a, AUDIT_DNS_BOGUS, ans->qname, type, -1,
		    audit_fmt(a, "%s %s failed DNSSEC validation: %s",
		    ans->qname, type, why),
		    audit_fmt(a, "repair the DNSSEC chain of the zone holding "
		    "%s (expired signatures, a DS for a key the zone does not "
		    "use, missing signatures); receivers treat the answer as "
		    "a DNS failure", ans->qname));
		break;
	case SPFDMARC_DNS_TIMEOUT:
		audit_add(a, AUDIT_DNS_TIMEOUT, ans->qname, type, -1,
		    audit_fmt(a, "%s %s timed out: %s", ans->qname, type, why),
		    audit_fmt(a, "make sure every name server of the zone "
		    "holding %s answers (over UDP and TCP); if this is the "
		    "auditor's network, run the check again", ans->qname));
		break;
	default:
		audit_add(a, AUDIT_DNS_ERROR, ans->qname, type, -1,
		    audit_fmt(a, "%s %s failed: %s", ans->qname, type, why),
		    audit_fmt(a, "make the name servers of the zone holding %s "
		    "answer this query without SERVFAIL or REFUSED",
		    ans->qname));
		break;
	}
}

void
audit_note_answer(struct audit *a, const struct spfdmarc_dns_answer *ans,
    const char *role, bool quiet)
{
	struct spfdmarc_audit *out = a->out;
	struct spfdmarc_audit_answer *e;

	if (ans == NULL)
		return;
	if (spfdmarc_dns_status_is_error(ans->status) && !quiet)
		audit_dns_finding(a, ans);
	for (size_t i = 0; i < out->nanswers; i++) {
		if (a->answers[i].type == ans->qtype &&
		    strcasecmp(a->answers[i].name, ans->qname) == 0)
			return;
	}
	if (out->nanswers >= SPFDMARC_AUDIT_ANSWERS_MAX)
		return;
	e = &a->answers[out->nanswers];
	e->name = audit_printable(a, ans->qname);
	e->why = audit_printable(a, ans->why);
	if (e->name == NULL)
		return;
	e->type = ans->qtype;
	e->status = ans->status;
	e->dnssec = ans->dnssec;
	e->role = role;
	out->nanswers++;
}

const struct spfdmarc_dns_answer *
audit_lookup(struct audit *a, const char *name, enum spfdmarc_dns_type type,
    const char *role, bool quiet)
{
	const struct spfdmarc_dns_answer *ans;

	ans = spfdmarc_dns_lookup(a->dns, name, type);
	audit_note_answer(a, ans, role, quiet);
	return ans;
}

/* --- the checks that need both halves ------------------------------------- */

static void
audit_softfail(struct audit *a)
{
	const struct spfdmarc_audit_spf *spf = &a->out->spf;
	const struct spfdmarc_audit_dmarc *dm = &a->out->dmarc;
	const char *all;

	if (!spf->has_all || (spf->all_qualifier != SPFDMARC_SPF_SOFTFAIL &&
	    spf->all_qualifier != SPFDMARC_SPF_NEUTRAL))
		return;
	if (audit_policy_strength(dm->effective_policy) >= 1)
		return;
	all = spf->all_qualifier == SPFDMARC_SPF_SOFTFAIL ? "~all" : "?all";
	audit_add(a, AUDIT_SPF_SOFTFAIL_WITHOUT_DMARC, a->domain, all, -1,
	    audit_fmt(a, "SPF ends in %s and %s: mail from hosts SPF does "
	    "not list is still delivered by most receivers", all,
	    dm->record == NULL ? "no DMARC policy applies" :
	    dm->testing && audit_policy_strength(dm->policy) >= 1 ?
	    "the DMARC policy is softened to none by t=y" :
	    "the DMARC policy is none"),
	    audit_fmt(a, "once DMARC reports show legitimate mail passes, "
	    "publish p=quarantine or p=reject at _dmarc.%s, or end the SPF "
	    "record in -all", dm->record_domain != NULL ? dm->record_domain :
	    a->domain));
}

static void
audit_insecure(struct audit *a)
{
	const struct spfdmarc_audit_spf *spf = &a->out->spf;
	const struct spfdmarc_audit_dmarc *dm = &a->out->dmarc;
	bool spf_insecure = spf->record != NULL &&
	    spf->tree->dnssec == SPFDMARC_DNSSEC_INSECURE;
	bool dmarc_insecure = dm->record != NULL &&
	    dm->dnssec == SPFDMARC_DNSSEC_INSECURE;
	const char *what;

	if (!spf_insecure && !dmarc_insecure)
		return;
	what = spf_insecure && dmarc_insecure ?
	    "the SPF record and the DMARC record are" : spf_insecure ?
	    "the SPF record is" : "the DMARC record is";
	audit_add(a, AUDIT_DNS_INSECURE, a->domain, NULL, -1,
	    audit_fmt(a, "%s not DNSSEC-signed (insecure): a receiver cannot "
	    "tell forged answers from real ones", what),
	    audit_fmt(a, "sign the zone with DNSSEC and publish its DS record "
	    "in the parent zone"));
}

/* Errors first, then warnings, then info; stable within a severity. */
static void
audit_sort(struct audit *a)
{
	struct spfdmarc_audit_finding *f = a->findings;
	size_t n = a->out->nfindings;

	for (size_t i = 1; i < n; i++) {
		struct spfdmarc_audit_finding cur = f[i];
		size_t j = i;

		while (j > 0 && f[j - 1].severity < cur.severity) {
			f[j] = f[j - 1];
			j--;
		}
		f[j] = cur;
	}
}

/* --- entry ---------------------------------------------------------------- */

SPFDMARC_PUBLIC int
spfdmarc_audit_run(struct spfdmarc_dns_ctx *dns, struct spfdmarc_arena *arena,
    const char *domain, struct spfdmarc_audit **out)
{
	char norm[SPFDMARC_DNAME_BUFSIZE];
	struct spfdmarc_audit *res;
	struct audit a;
	bool any = false;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (dns == NULL || arena == NULL || domain == NULL || out == NULL)
		return SPFDMARC_EINVAL;
	if (dmarc_domain_normalize(domain, norm, sizeof(norm), true) != 0)
		return SPFDMARC_EINVAL;

	memset(&a, 0, sizeof(a));
	a.dns = dns;
	a.arena = arena;
	res = spfdmarc_arena_zalloc(arena, sizeof(*res));
	a.findings = spfdmarc_arena_calloc(arena, SPFDMARC_AUDIT_FINDINGS_MAX,
	    sizeof(*a.findings));
	a.answers = spfdmarc_arena_calloc(arena, SPFDMARC_AUDIT_ANSWERS_MAX,
	    sizeof(*a.answers));
	a.domain = spfdmarc_arena_strdup(arena, norm);
	if (res == NULL || a.findings == NULL || a.answers == NULL ||
	    a.domain == NULL)
		return SPFDMARC_ENOMEM;
	a.out = res;
	res->domain = a.domain;
	res->findings = a.findings;
	res->answers = a.answers;

	/* The DMARC walk's queries travel while the SPF tree is read. */
	rc = audit_dmarc_start(&a);
	if (rc == 0)
		rc = audit_spf_run(&a);
	if (rc == 0)
		rc = audit_dmarc_run(&a);
	if (rc != 0)
		return rc;
	audit_softfail(&a);
	audit_insecure(&a);
	if (a.oom)
		return SPFDMARC_ENOMEM;

	audit_sort(&a);
	for (size_t i = 0; i < res->nfindings; i++)
		res->count[a.findings[i].severity]++;
	if (res->count[SPFDMARC_AUDIT_ERROR] > 0)
		res->grade = SPFDMARC_AUDIT_FAIL;
	else if (res->count[SPFDMARC_AUDIT_WARNING] > 0)
		res->grade = SPFDMARC_AUDIT_WARN;
	else
		res->grade = SPFDMARC_AUDIT_PASS;
	/* Dropped findings may hide anything: never grade them as a pass. */
	if (res->dropped > 0 && res->grade == SPFDMARC_AUDIT_PASS)
		res->grade = SPFDMARC_AUDIT_WARN;

	res->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	for (size_t i = 0; i < res->nanswers; i++) {
		if (a.answers[i].type == SPFDMARC_DNS_SPF)
			continue;	/* receivers never ask for it */
		res->dnssec = any ? spfdmarc_dnssec_worst(res->dnssec,
		    a.answers[i].dnssec) : a.answers[i].dnssec;
		any = true;
	}
	*out = res;
	return 0;
}

SPFDMARC_PUBLIC const struct spfdmarc_audit_finding *
spfdmarc_audit_find(const struct spfdmarc_audit *audit, const char *id)
{
	if (audit == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < audit->nfindings; i++) {
		if (strcmp(audit->findings[i].id, id) == 0)
			return &audit->findings[i];
	}
	return NULL;
}
