/*
 * spf_eval.c: check_host() (RFC 7208 §4, §5, §6) over the DNS interface,
 * and the public SPF API (spfdmarc/spf.h).
 *
 * Terms are evaluated left to right and the first match wins (§4.6.2).
 * Limits (§4.6.4) are counted exactly as the RFC counts them, term by term
 * as evaluation reaches them: at most 10 DNS-querying terms (include, a,
 * mx, ptr, exists, redirect) and 2 void lookups per check, at most 10 MX
 * names per mx (more is a permerror) and 10 PTR names per ptr or %{p}
 * (the rest are ignored).
 *
 * Speed: when a record is parsed, spf_prefetch() starts the lookups its
 * DNS-querying terms will make, as far as their names can be known without
 * DNS, so they travel in parallel. It never starts more than the budget
 * left (10 minus the terms counted so far and the prefetches not yet
 * used); prefetched answers count only when evaluation reaches their term.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "export.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/buf.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "spfdmarc/spf.h"

#define SPF_DNS_TERMS_MAX	10	/* §4.6.4 ¶1 */
#define SPF_VOID_MAX		2	/* §4.6.4 ¶7 */
#define SPF_MX_NAMES_MAX	10	/* §4.6.4 ¶2 */
#define SPF_PTR_NAMES_MAX	10	/* §4.6.4 ¶3 */
/* include/redirect nesting; the term limit stops a check long before. */
#define SPF_DEPTH_MAX		16
/* Memory of one check: records, copies, expansion scratch. */
#define SPF_ARENA_MAX		(1024 * 1024)
/* Longest MAIL FROM address considered (RFC 5321 §4.5.3.1: 64 + 1 + 255). */
#define SPF_SENDER_INPUT_MAX	320
#define SPF_TRACE_LINE_MAX	512

enum spf_match {
	SPF_NOMATCH = 0,
	SPF_MATCH,
	SPF_ERROR,		/* ev->error holds temperror or permerror */
};

struct spf_eval {
	struct spfdmarc_dns_ctx *dns;
	const struct spfdmarc_spf_request *req;
	struct spfdmarc_spf_response *resp;
	struct spfdmarc_arena *arena;
	struct spfdmarc_addr ip;	/* the client, IPv4-mapped unmapped */
	struct spf_macro_vars vars;	/* vars.domain follows the level */
	unsigned depth;			/* current level, for the trace */
	unsigned dns_terms;		/* §4.6.4 counted terms */
	unsigned void_lookups;
	unsigned prefetch_pending;	/* started, not yet evaluated */
	enum spfdmarc_spf_result error;	/* with SPF_ERROR */
	bool oom;
	bool count_dnssec;		/* answers feed resp->dnssec */
	bool any_answer;
	enum spfdmarc_dnssec dnssec;
	char ptr_value[SPFDMARC_DNAME_BUFSIZE];	/* %{p} */
};

/* What one check_host() level decided. */
struct spf_outcome {
	enum spfdmarc_spf_result result;
	const struct spf_term *term;	/* the match, NULL for the default */
	const struct spf_record *record;	/* the record that decided */
	const char *domain;		/* its <domain> */
};

/* --- results --------------------------------------------------------- */

static const char *const spf_result_names[] = {
	[SPFDMARC_SPF_NONE] = "none",
	[SPFDMARC_SPF_NEUTRAL] = "neutral",
	[SPFDMARC_SPF_PASS] = "pass",
	[SPFDMARC_SPF_FAIL] = "fail",
	[SPFDMARC_SPF_SOFTFAIL] = "softfail",
	[SPFDMARC_SPF_TEMPERROR] = "temperror",
	[SPFDMARC_SPF_PERMERROR] = "permerror",
};

SPFDMARC_PUBLIC const char *
spfdmarc_spf_result_name(enum spfdmarc_spf_result result)
{
	if ((unsigned)result < sizeof(spf_result_names) /
	    sizeof(spf_result_names[0]))
		return spf_result_names[result];
	return "unknown";
}

SPFDMARC_PUBLIC int
spfdmarc_spf_result_parse(const char *name, enum spfdmarc_spf_result *out)
{
	if (name == NULL || out == NULL)
		return SPFDMARC_EINVAL;
	for (size_t i = 0; i < sizeof(spf_result_names) /
	    sizeof(spf_result_names[0]); i++) {
		if (strcasecmp(name, spf_result_names[i]) == 0) {
			*out = (enum spfdmarc_spf_result)i;
			return 0;
		}
	}
	return SPFDMARC_EINVAL;
}

/* --- trace and reasons ----------------------------------------------- */

/* Text for logs, header comments and SMTP replies: US-ASCII, printable,
 * one line. Records, names from DNS and the envelope may hold anything. */
static void
spf_printable(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
	}
}

/* The same for addresses and names, which may be UTF-8 (SMTPUTF8): only
 * control characters go (CR and LF would end a header line). */
static void
spf_no_controls(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
	}
}

static void spf_trace(struct spf_eval *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
spf_trace(struct spf_eval *ev, const char *fmt, ...)
{
	char line[SPF_TRACE_LINE_MAX];
	struct spfdmarc_buf b;
	va_list ap;

	if (ev->req->trace == NULL)
		return;
	spfdmarc_buf_init_fixed(&b, line, sizeof(line));
	va_start(ap, fmt);
	(void)spfdmarc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	spf_printable(line);
	ev->req->trace(ev->depth, line, ev->req->trace_arg);
}

/* The record as fetched, NUL bytes included, cut to fit a line. */
static void
spf_trace_record(struct spf_eval *ev, const char *domain, const char *text,
    size_t len)
{
	char shown[401];
	size_t n = len < sizeof(shown) - 1 ? len : sizeof(shown) - 1;

	if (ev->req->trace == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		shown[i] = text[i] == '\0' ? '?' : text[i];
	shown[n] = '\0';
	spf_trace(ev, "record at %s: %s%s", domain, shown,
	    n < len ? "..." : "");
}

static void spf_vreason(struct spf_eval *ev, bool overwrite, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));
static void
spf_vreason(struct spf_eval *ev, bool overwrite, const char *fmt, va_list ap)
{
	struct spfdmarc_buf b;

	if (!overwrite && ev->resp->reason[0] != '\0')
		return;		/* the first (deepest) reason stays */
	spfdmarc_buf_init_fixed(&b, ev->resp->reason,
	    sizeof(ev->resp->reason));
	(void)spfdmarc_buf_vprintf(&b, fmt, ap);
	spf_printable(ev->resp->reason);
}

/* Record an error result with its reason; returns SPF_ERROR. */
static enum spf_match spf_fail(struct spf_eval *ev,
    enum spfdmarc_spf_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum spf_match
spf_fail(struct spf_eval *ev, enum spfdmarc_spf_result r, const char *fmt,
    ...)
{
	va_list ap;

	ev->error = r;
	va_start(ap, fmt);
	spf_vreason(ev, false, fmt, ap);
	va_end(ap);
	spf_trace(ev, "%s: %s", spfdmarc_spf_result_name(r),
	    ev->resp->reason);
	return SPF_ERROR;
}

static void spf_set_reason(struct spf_eval *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
spf_set_reason(struct spf_eval *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spf_vreason(ev, true, fmt, ap);
	va_end(ap);
}

static enum spf_match
spf_nomem(struct spf_eval *ev)
{
	ev->oom = true;
	return spf_fail(ev, SPFDMARC_SPF_TEMPERROR, "out of memory");
}

/* --- DNS --------------------------------------------------------------- */

static const struct spfdmarc_dns_answer *
spf_lookup(struct spf_eval *ev, const char *name, enum spfdmarc_dns_type type)
{
	const struct spfdmarc_dns_answer *a;

	a = spfdmarc_dns_lookup(ev->dns, name, type);
	if (ev->count_dnssec) {
		ev->dnssec = ev->any_answer ?
		    spfdmarc_dnssec_worst(ev->dnssec, a->dnssec) : a->dnssec;
		ev->any_answer = true;
	}
	spf_trace(ev, "DNS %s %s: %s, %zu record%s, dnssec %s%s%s",
	    spfdmarc_dns_type_name(type), name,
	    spfdmarc_dns_status_name(a->status), a->count,
	    a->count == 1 ? "" : "s", spfdmarc_dnssec_name(a->dnssec),
	    a->why != NULL ? ": " : "", a->why != NULL ? a->why : "");
	return a;
}

/* §5: a DNS failure in a mechanism makes the whole check a temperror;
 * bogus DNSSEC data is such a failure (never data). */
static enum spf_match
spf_dns_fail(struct spf_eval *ev, const struct spfdmarc_dns_answer *a)
{
	if (a->status == SPFDMARC_DNS_BOGUS)
		return spf_fail(ev, SPFDMARC_SPF_TEMPERROR,
		    "DNSSEC bogus: %s (%s %s)",
		    a->why != NULL ? a->why : "validation failed",
		    spfdmarc_dns_type_name(a->qtype), a->qname);
	return spf_fail(ev, SPFDMARC_SPF_TEMPERROR, "DNS %s lookup of %s: %s%s%s",
	    spfdmarc_dns_type_name(a->qtype), a->qname,
	    spfdmarc_dns_status_name(a->status), a->why != NULL ? ": " : "",
	    a->why != NULL ? a->why : "");
}

/* Records of the asked type in an answer (CNAMEs may sit beside them). */
static size_t
spf_count_type(const struct spfdmarc_dns_answer *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->count; i++) {
		if (a->rr[i].type == a->qtype)
			n++;
	}
	return n;
}

/* §4.6.4: one more void lookup; more than SPF_VOID_MAX is a permerror. */
static enum spf_match
spf_void_hit(struct spf_eval *ev)
{
	ev->void_lookups++;
	spf_trace(ev, "void lookup %u of %d", ev->void_lookups, SPF_VOID_MAX);
	if (ev->void_lookups > SPF_VOID_MAX)
		return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
		    "more than %d void DNS lookups (RFC 7208 section 4.6.4)",
		    SPF_VOID_MAX);
	return SPF_NOMATCH;
}

/*
 * A term whose query found nothing (NODATA, NXDOMAIN) made a void lookup
 * (§4.6.4). Returns true when the answer was void, *m then set (no match,
 * or the permerror of one void lookup too many).
 */
static bool
spf_void(struct spf_eval *ev, const struct spfdmarc_dns_answer *a,
    enum spf_match *m)
{
	if (a->status == SPFDMARC_DNS_OK && spf_count_type(a) > 0)
		return false;
	*m = spf_void_hit(ev);
	return true;
}

static enum spfdmarc_dns_type
spf_addr_type(const struct spf_eval *ev)
{
	return ev->ip.family == SPFDMARC_AF_INET ? SPFDMARC_DNS_A :
	    SPFDMARC_DNS_AAAA;
}

/* Does any address record of a lie in ip/prefix? */
static bool
spf_addr_in(const struct spf_eval *ev, const struct spfdmarc_dns_answer *a,
    unsigned prefix)
{
	for (size_t i = 0; i < a->count; i++) {
		if (a->rr[i].type != a->qtype)
			continue;
		if (spfdmarc_addr_match(&ev->ip, &a->rr[i].u.addr, prefix))
			return true;
	}
	return false;
}

/* --- targets ----------------------------------------------------------- */

/*
 * The target name of a term (§4.8): its domain-spec expanded, or domain.
 * Returns 0; SPFDMARC_ESYNTAX when the name is unusable (the caller
 * decides what that means); SPFDMARC_ERANGE or ENOMEM.
 */
static int
spf_target(struct spf_eval *ev, const char *domain, const char *spec,
    size_t spec_len, char *out, size_t outsize)
{
	if (spec == NULL) {
		if (strlcpy(out, domain, outsize) >= outsize)
			return SPFDMARC_ESYNTAX;
		return 0;
	}
	ev->vars.domain = domain;
	return spf_macro_domain(&ev->vars, ev->arena, spec, spec_len, out,
	    outsize);
}

/* A target that could not be made: ERANGE and ENOMEM are errors, a
 * malformed name is left to the caller (returns SPF_NOMATCH). */
static enum spf_match
spf_target_error(struct spf_eval *ev, const struct spf_term *t,
    const char *text, int rc)
{
	if (rc == SPFDMARC_ENOMEM)
		return spf_nomem(ev);
	if (rc == SPFDMARC_ERANGE)
		return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
		    "'%s': macro expansion longer than %d bytes",
		    t != NULL ? t->text : text, SPF_MACRO_EXPAND_MAX);
	spf_trace(ev, "'%s': target is not a valid domain name: no match",
	    t != NULL ? t->text : text);
	return SPF_NOMATCH;
}

/* --- ptr and %{p} (§5.5, §7.3) ----------------------------------------- */

/*
 * The client's validated names (§5.5): the first SPF_PTR_NAMES_MAX PTR
 * names whose forward lookup holds the client's address. When filter is
 * set, only names equal to or under it are validated (the others could
 * never match, §5.5 ¶5). Up to max names go to names[]; returns how many,
 * or -1 when the PTR lookup itself failed. void: the PTR answer was void.
 */
static int
spf_validated_names(struct spf_eval *ev, const char *filter,
    const char **names, size_t max, bool *is_void)
{
	char rev[SPFDMARC_ADDR_REVLEN];
	const struct spfdmarc_dns_answer *a;
	const char *cand[SPF_PTR_NAMES_MAX];
	size_t ncand = 0, n = 0;

	*is_void = false;
	if (spfdmarc_addr_reverse_name(&ev->ip, rev, sizeof(rev)) != 0)
		return -1;
	a = spf_lookup(ev, rev, SPFDMARC_DNS_PTR);
	if (spfdmarc_dns_status_is_error(a->status))
		return -1;
	if (a->status != SPFDMARC_DNS_OK || spf_count_type(a) == 0) {
		*is_void = true;
		return 0;
	}
	/* §4.6.4 ¶3: names past the first ten are ignored. */
	for (size_t i = 0, seen = 0; i < a->count &&
	    seen < SPF_PTR_NAMES_MAX; i++) {
		const char *name = a->rr[i].u.name;

		if (a->rr[i].type != SPFDMARC_DNS_PTR)
			continue;
		seen++;
		if (name == NULL || name[0] == '\0')
			continue;
		if (filter != NULL && !spfdmarc_dname_is_under(name,
		    strlen(name), filter, strlen(filter)))
			continue;
		cand[ncand++] = name;
	}
	/* Ask for every candidate at once, then check them in order. */
	for (size_t i = 0; i < ncand; i++)
		(void)spfdmarc_dns_start(ev->dns, cand[i], spf_addr_type(ev));
	for (size_t i = 0; i < ncand && n < max; i++) {
		a = spf_lookup(ev, cand[i], spf_addr_type(ev));
		/* §5.5: a failed address lookup skips the name. */
		if (a->status != SPFDMARC_DNS_OK)
			continue;
		if (spf_addr_in(ev, a, ev->ip.family == SPFDMARC_AF_INET ?
		    32 : 128))
			names[n++] = cand[i];
	}
	return (int)n;
}

/* %{p} (§7.3): <domain> if validated, else a validated subdomain of it,
 * else any validated name, else "unknown". Lookups are not counted. */
static const char *
spf_ptr_macro(void *arg)
{
	struct spf_eval *ev = arg;
	const char *names[SPF_PTR_NAMES_MAX], *pick = NULL;
	const char *d = ev->vars.domain;
	bool is_void, saved = ev->count_dnssec;
	int n;

	ev->count_dnssec = false;
	n = spf_validated_names(ev, NULL, names, SPF_PTR_NAMES_MAX, &is_void);
	ev->count_dnssec = saved;
	for (int i = 0; i < n && pick == NULL; i++) {
		if (spfdmarc_dname_equal(names[i], strlen(names[i]), d,
		    strlen(d)))
			pick = names[i];
	}
	for (int i = 0; i < n && pick == NULL; i++) {
		if (spfdmarc_dname_is_under(names[i], strlen(names[i]), d,
		    strlen(d)))
			pick = names[i];
	}
	if (pick == NULL && n > 0)
		pick = names[0];
	if (pick == NULL ||
	    strlcpy(ev->ptr_value, pick, sizeof(ev->ptr_value)) >=
	    sizeof(ev->ptr_value))
		return "unknown";
	return ev->ptr_value;
}

/* --- mechanisms -------------------------------------------------------- */

static enum spf_match spf_check_host(struct spf_eval *ev, const char *domain,
    struct spf_outcome *out);

/* a (§5.3) */
static enum spf_match
spf_mech_a(struct spf_eval *ev, const struct spf_term *t, const char *domain)
{
	char target[SPFDMARC_DNAME_BUFSIZE];
	const struct spfdmarc_dns_answer *a;
	enum spf_match m;
	int rc;

	rc = spf_target(ev, domain, t->spec, t->spec_len, target,
	    sizeof(target));
	if (rc != 0)
		return spf_target_error(ev, t, NULL, rc);
	a = spf_lookup(ev, target, spf_addr_type(ev));
	if (spfdmarc_dns_status_is_error(a->status))
		return spf_dns_fail(ev, a);
	if (spf_void(ev, a, &m))
		return m;
	return spf_addr_in(ev, a, ev->ip.family == SPFDMARC_AF_INET ?
	    t->cidr4 : t->cidr6) ? SPF_MATCH : SPF_NOMATCH;
}

/* mx (§5.4) */
static enum spf_match
spf_mech_mx(struct spf_eval *ev, const struct spf_term *t, const char *domain)
{
	char target[SPFDMARC_DNAME_BUFSIZE];
	const struct spfdmarc_dns_answer *a, *h;
	unsigned prefix = ev->ip.family == SPFDMARC_AF_INET ? t->cidr4 :
	    t->cidr6;
	enum spf_match m;
	int rc;

	rc = spf_target(ev, domain, t->spec, t->spec_len, target,
	    sizeof(target));
	if (rc != 0)
		return spf_target_error(ev, t, NULL, rc);
	a = spf_lookup(ev, target, SPFDMARC_DNS_MX);
	if (spfdmarc_dns_status_is_error(a->status))
		return spf_dns_fail(ev, a);
	if (spf_void(ev, a, &m))
		return m;
	/* §4.6.4 ¶2: more than ten MX names is a permerror. */
	if (spf_count_type(a) > SPF_MX_NAMES_MAX)
		return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
		    "'%s': %s has %zu MX records, more than %d (RFC 7208 "
		    "section 4.6.4)", t->text, target, spf_count_type(a),
		    SPF_MX_NAMES_MAX);
	/* Ask for every exchange at once, then check them in turn. A null
	 * MX (RFC 7505, exchange ".") names no host. */
	for (size_t i = 0; i < a->count; i++) {
		const char *x = a->rr[i].u.mx.exchange;

		if (a->rr[i].type == SPFDMARC_DNS_MX && x != NULL &&
		    x[0] != '\0')
			(void)spfdmarc_dns_start(ev->dns, x,
			    spf_addr_type(ev));
	}
	for (size_t i = 0; i < a->count; i++) {
		const char *x = a->rr[i].u.mx.exchange;

		if (a->rr[i].type != SPFDMARC_DNS_MX || x == NULL ||
		    x[0] == '\0')
			continue;
		h = spf_lookup(ev, x, spf_addr_type(ev));
		if (spfdmarc_dns_status_is_error(h->status))
			return spf_dns_fail(ev, h);
		if (spf_addr_in(ev, h, prefix))
			return SPF_MATCH;
	}
	return SPF_NOMATCH;
}

/* ptr (§5.5) */
static enum spf_match
spf_mech_ptr(struct spf_eval *ev, const struct spf_term *t,
    const char *domain)
{
	char target[SPFDMARC_DNAME_BUFSIZE];
	const char *names[1];
	bool is_void;
	int rc, n;

	rc = spf_target(ev, domain, t->spec, t->spec_len, target,
	    sizeof(target));
	if (rc != 0)
		return spf_target_error(ev, t, NULL, rc);
	n = spf_validated_names(ev, target, names, 1, &is_void);
	if (n < 0) {
		/* §5.5: a failed PTR lookup is no match, not an error. */
		spf_trace(ev, "'%s': PTR lookup failed: no match", t->text);
		return SPF_NOMATCH;
	}
	if (is_void)
		return spf_void_hit(ev);
	return n > 0 ? SPF_MATCH : SPF_NOMATCH;
}

/* exists (§5.7): an A lookup whatever the client's family. */
static enum spf_match
spf_mech_exists(struct spf_eval *ev, const struct spf_term *t,
    const char *domain)
{
	char target[SPFDMARC_DNAME_BUFSIZE];
	const struct spfdmarc_dns_answer *a;
	enum spf_match m;
	int rc;

	rc = spf_target(ev, domain, t->spec, t->spec_len, target,
	    sizeof(target));
	if (rc != 0)
		return spf_target_error(ev, t, NULL, rc);
	a = spf_lookup(ev, target, SPFDMARC_DNS_A);
	if (spfdmarc_dns_status_is_error(a->status))
		return spf_dns_fail(ev, a);
	if (spf_void(ev, a, &m))
		return m;
	return SPF_MATCH;
}

/* include (§5.2), with the result table of §5.2. */
static enum spf_match
spf_mech_include(struct spf_eval *ev, const struct spf_term *t,
    const char *domain)
{
	char target[SPFDMARC_DNAME_BUFSIZE];
	struct spf_outcome sub;
	enum spf_match m;
	int rc;

	rc = spf_target(ev, domain, t->spec, t->spec_len, target,
	    sizeof(target));
	if (rc != 0) {
		if (rc == SPFDMARC_ESYNTAX)
			return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
			    "'%s': target is not a valid domain name",
			    t->text);
		return spf_target_error(ev, t, NULL, rc);
	}
	spf_trace(ev, "'%s': include %s at depth %u", t->text, target,
	    ev->depth + 1);
	ev->depth++;
	m = spf_check_host(ev, target, &sub);
	ev->depth--;
	ev->vars.domain = domain;
	if (m == SPF_ERROR)
		return m;
	spf_trace(ev, "'%s': included result %s", t->text,
	    spfdmarc_spf_result_name(sub.result));
	switch (sub.result) {
	case SPFDMARC_SPF_PASS:
		return SPF_MATCH;
	case SPFDMARC_SPF_FAIL:
	case SPFDMARC_SPF_SOFTFAIL:
	case SPFDMARC_SPF_NEUTRAL:
		return SPF_NOMATCH;
	case SPFDMARC_SPF_NONE:
		ev->error = SPFDMARC_SPF_PERMERROR;
		spf_set_reason(ev, "'%s': no SPF record at %s", t->text,
		    target);
		spf_trace(ev, "permerror: %s", ev->resp->reason);
		return SPF_ERROR;
	case SPFDMARC_SPF_TEMPERROR:
	case SPFDMARC_SPF_PERMERROR:
		break;
	}
	ev->error = sub.result;
	return SPF_ERROR;
}

static enum spf_match
spf_term_eval(struct spf_eval *ev, const struct spf_term *t,
    const char *domain)
{
	switch (t->mech) {
	case SPF_MECH_ALL:
		return SPF_MATCH;
	case SPF_MECH_IP4:
		return spfdmarc_addr_match(&ev->ip, &t->net, t->cidr4) ?
		    SPF_MATCH : SPF_NOMATCH;
	case SPF_MECH_IP6:
		return spfdmarc_addr_match(&ev->ip, &t->net, t->cidr6) ?
		    SPF_MATCH : SPF_NOMATCH;
	case SPF_MECH_A:
		return spf_mech_a(ev, t, domain);
	case SPF_MECH_MX:
		return spf_mech_mx(ev, t, domain);
	case SPF_MECH_PTR:
		return spf_mech_ptr(ev, t, domain);
	case SPF_MECH_EXISTS:
		return spf_mech_exists(ev, t, domain);
	case SPF_MECH_INCLUDE:
		return spf_mech_include(ev, t, domain);
	}
	return spf_fail(ev, SPFDMARC_SPF_PERMERROR, "unknown mechanism");
}

/* §4.6.4: count a DNS-querying term as evaluation reaches it. */
static enum spf_match
spf_count_term(struct spf_eval *ev, const char *text, bool prefetched)
{
	if (prefetched)
		ev->prefetch_pending--;
	ev->dns_terms++;
	spf_trace(ev, "'%s': DNS term %u of %d", text, ev->dns_terms,
	    SPF_DNS_TERMS_MAX);
	if (ev->dns_terms > SPF_DNS_TERMS_MAX)
		return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
		    "more than %d DNS-querying terms (RFC 7208 section "
		    "4.6.4)", SPF_DNS_TERMS_MAX);
	return SPF_NOMATCH;
}

/* --- prefetch ---------------------------------------------------------- */

/*
 * Start, without waiting, the lookups of the record's DNS-querying terms
 * (then redirect=) whose names need no DNS to know, within the budget
 * left. pf[i] marks what was started (i == nterms: the redirect).
 */
static void
spf_prefetch(struct spf_eval *ev, const struct spf_record *rec,
    const char *domain, bool *pf)
{
	unsigned used = ev->dns_terms + ev->prefetch_pending;
	unsigned budget = used < SPF_DNS_TERMS_MAX ?
	    SPF_DNS_TERMS_MAX - used : 0;
	char target[SPFDMARC_DNAME_BUFSIZE];
	char rev[SPFDMARC_ADDR_REVLEN];

	for (size_t i = 0; i <= rec->nterms && budget > 0; i++) {
		const struct spf_term *t = i < rec->nterms ? &rec->terms[i] :
		    NULL;
		const char *spec = t != NULL ? t->spec : rec->redirect;
		size_t spec_len = t != NULL ? t->spec_len : rec->redirect_len;
		enum spfdmarc_dns_type type;
		const char *name = target;

		if (t == NULL && rec->redirect == NULL)
			break;
		if (t != NULL && !spf_mech_queries_dns(t->mech))
			continue;
		if (spec != NULL && spf_macro_uses_ptr(spec, spec_len))
			continue;	/* needs DNS to know */
		if (spf_target(ev, domain, spec, spec_len, target,
		    sizeof(target)) != 0)
			continue;
		switch (t != NULL ? t->mech : SPF_MECH_INCLUDE) {
		case SPF_MECH_INCLUDE:
			type = SPFDMARC_DNS_TXT;
			break;
		case SPF_MECH_MX:
			type = SPFDMARC_DNS_MX;
			break;
		case SPF_MECH_EXISTS:
			type = SPFDMARC_DNS_A;
			break;
		case SPF_MECH_PTR:
			if (spfdmarc_addr_reverse_name(&ev->ip, rev,
			    sizeof(rev)) != 0)
				continue;
			name = rev;
			type = SPFDMARC_DNS_PTR;
			break;
		default:
			type = spf_addr_type(ev);
			break;
		}
		(void)spfdmarc_dns_start(ev->dns, name, type);
		pf[i] = true;
		ev->prefetch_pending++;
		budget--;
	}
}

/* --- check_host() ------------------------------------------------------ */

/* §4.5: the one "v=spf1" TXT record of domain. Returns SPF_MATCH with
 * *text set, SPF_NOMATCH for none (reason set), or SPF_ERROR. */
static enum spf_match
spf_select(struct spf_eval *ev, const char *domain, const char **text,
    size_t *len)
{
	const struct spfdmarc_dns_answer *a;
	size_t found = 0;

	a = spf_lookup(ev, domain, SPFDMARC_DNS_TXT);
	if (spfdmarc_dns_status_is_error(a->status))
		return spf_dns_fail(ev, a);
	for (size_t i = 0; i < a->count; i++) {
		const struct spfdmarc_dns_rr *rr = &a->rr[i];

		if (rr->type != SPFDMARC_DNS_TXT ||
		    !spf_record_is_v1(rr->u.txt.text, rr->u.txt.len))
			continue;
		if (found++ == 0) {
			*text = rr->u.txt.text;
			*len = rr->u.txt.len;
		}
	}
	if (found > 1)
		return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
		    "%zu SPF records at %s (RFC 7208 section 4.5)", found,
		    domain);
	if (found == 0) {
		if (a->status == SPFDMARC_DNS_OK || a->status ==
		    SPFDMARC_DNS_NODATA)
			spf_set_reason(ev, "no SPF record at %s", domain);
		else
			spf_set_reason(ev, "no SPF record at %s (%s)", domain,
			    spfdmarc_dns_status_name(a->status));
		return SPF_NOMATCH;
	}
	return SPF_MATCH;
}

/*
 * check_host(<ip>, domain, <sender>) (§4). On SPF_NOMATCH or SPF_MATCH
 * *out holds the level's result (none included); SPF_ERROR: ev->error.
 */
static enum spf_match
spf_check_host(struct spf_eval *ev, const char *domain,
    struct spf_outcome *out)
{
	char why[SPFDMARC_SPF_REASON_MAX];
	char target[SPFDMARC_DNAME_BUFSIZE];
	struct spf_record *rec;
	const char *text = NULL;
	size_t len = 0;
	bool *pf;
	enum spf_match m;
	int rc;

	memset(out, 0, sizeof(*out));
	out->result = SPFDMARC_SPF_NONE;
	out->domain = domain;
	if (ev->depth > SPF_DEPTH_MAX)
		return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
		    "more than %d levels of include/redirect", SPF_DEPTH_MAX);
	/* §4.3: a malformed or single-label domain has no record. */
	if (spfdmarc_dname_check(domain, strlen(domain),
	    SPFDMARC_DNAME_MULTILABEL) != 0) {
		spf_set_reason(ev, "%s is not a valid multi-label domain name",
		    domain);
		spf_trace(ev, "none: %s", ev->resp->reason);
		return SPF_NOMATCH;
	}
	ev->vars.domain = domain;
	m = spf_select(ev, domain, &text, &len);
	if (m != SPF_MATCH) {
		if (m == SPF_NOMATCH)
			spf_trace(ev, "none: %s", ev->resp->reason);
		return m;
	}
	spf_trace_record(ev, domain, text, len);
	rc = spf_record_parse(ev->arena, text, len, &rec, why, sizeof(why));
	if (rc == SPFDMARC_ENOMEM)
		return spf_nomem(ev);
	if (rc != 0)
		return spf_fail(ev, SPFDMARC_SPF_PERMERROR, "%s: %s", domain,
		    why);
	out->record = rec;
	pf = spfdmarc_arena_calloc(ev->arena, rec->nterms + 1, sizeof(*pf));
	if (pf == NULL)
		return spf_nomem(ev);
	spf_prefetch(ev, rec, domain, pf);

	for (size_t i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];

		if (spf_mech_queries_dns(t->mech) &&
		    spf_count_term(ev, t->text, pf[i]) == SPF_ERROR)
			return SPF_ERROR;
		m = spf_term_eval(ev, t, domain);
		ev->vars.domain = domain;
		if (m == SPF_ERROR)
			return m;
		spf_trace(ev, "'%s': %s", t->text, m == SPF_MATCH ?
		    "match" : "no match");
		if (m == SPF_MATCH) {
			out->result = t->qualifier;
			out->term = t;
			return SPF_MATCH;
		}
	}

	if (rec->redirect != NULL) {
		/* §6.1: after all mechanisms; exp= of this record is not
		 * used for what the target decides. */
		if (spf_count_term(ev, rec->redirect_text, pf[rec->nterms]) ==
		    SPF_ERROR)
			return SPF_ERROR;
		rc = spf_target(ev, domain, rec->redirect, rec->redirect_len,
		    target, sizeof(target));
		if (rc == SPFDMARC_ESYNTAX)
			return spf_fail(ev, SPFDMARC_SPF_PERMERROR,
			    "'%s': target is not a valid domain name",
			    rec->redirect_text);
		if (rc != 0)
			return spf_target_error(ev, NULL, rec->redirect_text,
			    rc);
		spf_trace(ev, "'%s': redirect to %s at depth %u",
		    rec->redirect_text, target, ev->depth + 1);
		{
			char *copy = spfdmarc_arena_strdup(ev->arena, target);

			if (copy == NULL)
				return spf_nomem(ev);
			ev->depth++;
			m = spf_check_host(ev, copy, out);
			ev->depth--;
		}
		ev->vars.domain = domain;
		if (m == SPF_ERROR)
			return m;
		if (out->result == SPFDMARC_SPF_NONE) {
			ev->error = SPFDMARC_SPF_PERMERROR;
			spf_set_reason(ev, "'%s': no SPF record at %s",
			    rec->redirect_text, target);
			spf_trace(ev, "permerror: %s", ev->resp->reason);
			return SPF_ERROR;
		}
		return m;
	}

	/* §4.7: no match, no redirect. */
	out->result = SPFDMARC_SPF_NEUTRAL;
	out->term = NULL;
	spf_trace(ev, "no mechanism matched: default neutral");
	return SPF_NOMATCH;
}

/* --- explanation (§6.2) ------------------------------------------------ */

/* Expand explain-string text into resp->explanation; false if unusable. */
static bool
spf_explain(struct spf_eval *ev, const char *domain, const char *text,
    size_t len)
{
	struct spfdmarc_buf b;
	const char *why;
	size_t pos;
	int rc;

	if (spf_macro_check(text, len, SPF_MACRO_EXPLAIN, &pos, &why) != 0) {
		spf_trace(ev, "explanation ignored: %s at offset %zu", why,
		    pos);
		return false;
	}
	ev->vars.domain = domain;
	spfdmarc_buf_init_fixed(&b, ev->resp->explanation,
	    sizeof(ev->resp->explanation));
	rc = spf_macro_expand(&ev->vars, text, len, SPF_MACRO_EXPLAIN, &b);
	if (rc != 0 && rc != SPFDMARC_ETRUNC) {
		ev->resp->explanation[0] = '\0';
		return false;
	}
	spf_printable(ev->resp->explanation);
	return true;
}

/*
 * §6.2: for a fail, the exp= of the record that decided it: its TXT
 * record fetched (exactly one), checked and expanded. Any failure on the
 * way leaves no explanation; nothing here is counted against the limits.
 */
static bool
spf_exp(struct spf_eval *ev, const struct spf_outcome *out)
{
	char target[SPFDMARC_DNAME_BUFSIZE];
	const struct spfdmarc_dns_answer *a;
	const struct spfdmarc_dns_rr *rr = NULL;

	if (out->record == NULL || out->record->exp == NULL)
		return false;
	if (spf_target(ev, out->domain, out->record->exp,
	    out->record->exp_len, target, sizeof(target)) != 0) {
		spf_trace(ev, "'%s': unusable target", out->record->exp_text);
		return false;
	}
	a = spf_lookup(ev, target, SPFDMARC_DNS_TXT);
	if (a->status != SPFDMARC_DNS_OK || spf_count_type(a) != 1) {
		spf_trace(ev, "'%s': no single TXT record at %s",
		    out->record->exp_text, target);
		return false;
	}
	for (size_t i = 0; i < a->count; i++) {
		if (a->rr[i].type == SPFDMARC_DNS_TXT)
			rr = &a->rr[i];
	}
	if (rr == NULL)
		return false;
	return spf_explain(ev, out->domain, rr->u.txt.text, rr->u.txt.len);
}

/* --- identities -------------------------------------------------------- */

struct spf_identity {
	const char *local;	/* not NUL-terminated */
	size_t local_len;
	const char *domain;
	size_t domain_len;
	const char *why;	/* when none can be checked */
};

/*
 * The local part and domain to check (§2.3, §2.4, §4.3): MAIL FROM's, or
 * postmaster@HELO for a HELO check or a null sender. Returns false (with
 * why) when there is nothing checkable: the result is then none.
 */
static bool
spf_identity_of(const struct spfdmarc_spf_request *req,
    struct spf_identity *id)
{
	const char *s = req->sender != NULL ? req->sender : "";
	size_t slen = strnlen(s, SPF_SENDER_INPUT_MAX + 1);
	const char *at;

	memset(id, 0, sizeof(*id));
	id->local = "postmaster";
	id->local_len = strlen("postmaster");
	if (req->identity == SPFDMARC_SPF_HELO || slen == 0) {
		if (req->helo == NULL || req->helo[0] == '\0') {
			id->why = "no HELO name to check";
			return false;
		}
		id->domain = req->helo;
		id->domain_len = strnlen(req->helo, SPFDMARC_DNAME_BUFSIZE);
	} else {
		if (slen > SPF_SENDER_INPUT_MAX) {
			id->why = "sender address too long";
			return false;
		}
		/* The domain follows the last '@' (a quoted local part may
		 * hold one). No '@': the whole is a domain. §4.3: an empty
		 * local part becomes "postmaster". */
		at = memrchr(s, '@', slen);
		if (at == NULL) {
			id->domain = s;
			id->domain_len = slen;
		} else {
			if (at != s) {
				id->local = s;
				id->local_len = (size_t)(at - s);
			}
			id->domain = at + 1;
			id->domain_len = slen - (size_t)(at + 1 - s);
		}
	}
	/* A trailing dot does not change the name. */
	if (id->domain_len > 1 && id->domain[id->domain_len - 1] == '.')
		id->domain_len--;
	/* §4.3: a malformed domain, or not a multi-label one, is none;
	 * so are address literals and all-numeric top labels. */
	if (id->domain_len == 0 || spfdmarc_dname_check(id->domain,
	    id->domain_len, SPFDMARC_DNAME_LDH | SPFDMARC_DNAME_UNDERSCORE |
	    SPFDMARC_DNAME_MULTILABEL | SPFDMARC_DNAME_ALPHA_TLD) != 0) {
		id->why = "the identity's domain is not a valid multi-label "
		    "domain name";
		return false;
	}
	return true;
}

SPFDMARC_PUBLIC void
spfdmarc_spf_prefetch(struct spfdmarc_dns_ctx *ctx,
    const struct spfdmarc_spf_request *req)
{
	char domain[SPFDMARC_DNAME_BUFSIZE];
	struct spf_identity id;

	if (ctx == NULL || req == NULL || !spf_identity_of(req, &id) ||
	    id.domain_len >= sizeof(domain))
		return;
	memcpy(domain, id.domain, id.domain_len);
	domain[id.domain_len] = '\0';
	(void)spfdmarc_dns_start(ctx, domain, SPFDMARC_DNS_TXT);
}

/* Fill resp from the top level's outcome. */
static void
spf_finish(struct spf_eval *ev, enum spf_match m,
    const struct spf_outcome *out)
{
	struct spfdmarc_spf_response *resp = ev->resp;
	const struct spfdmarc_spf_request *req = ev->req;

	resp->result = m == SPF_ERROR ? ev->error : out->result;
	resp->dns_lookups = ev->dns_terms;
	resp->void_lookups = ev->void_lookups;
	resp->dnssec = ev->any_answer ? ev->dnssec :
	    SPFDMARC_DNSSEC_INDETERMINATE;
	if (m != SPF_ERROR && resp->result != SPFDMARC_SPF_NONE) {
		resp->reason[0] = '\0';
		(void)strlcpy(resp->mechanism, out->term != NULL ?
		    out->term->text : "default", sizeof(resp->mechanism));
		(void)strlcpy(resp->mechanism_domain, out->domain,
		    sizeof(resp->mechanism_domain));
		/* a name built by macros from the envelope */
		spf_no_controls(resp->mechanism_domain);
	}
	if (resp->result != SPFDMARC_SPF_FAIL)
		return;
	ev->count_dnssec = false;
	if (spf_exp(ev, out))
		return;
	resp->explanation[0] = '\0';
	if (req->default_explanation != NULL) {
		const char *d = req->default_explanation;

		if (!spf_explain(ev, out->domain, d, strlen(d))) {
			(void)strlcpy(resp->explanation, d,
			    sizeof(resp->explanation));
			spf_printable(resp->explanation);
		}
	}
}

SPFDMARC_PUBLIC int
spfdmarc_spf_check(struct spfdmarc_dns_ctx *ctx,
    const struct spfdmarc_spf_request *req,
    struct spfdmarc_spf_response *resp)
{
	struct spf_eval ev;
	struct spf_identity id;
	struct spf_outcome out;
	struct spfdmarc_buf b;
	char *domain, *local;
	enum spf_match m;

	if (resp == NULL)
		return SPFDMARC_EINVAL;
	memset(resp, 0, sizeof(*resp));
	resp->result = SPFDMARC_SPF_NONE;
	resp->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	if (ctx == NULL || req == NULL ||
	    (req->ip.family != SPFDMARC_AF_INET &&
	    req->ip.family != SPFDMARC_AF_INET6)) {
		(void)strlcpy(resp->reason, "invalid request",
		    sizeof(resp->reason));
		return SPFDMARC_EINVAL;
	}

	if (!spf_identity_of(req, &id)) {
		(void)strlcpy(resp->reason, id.why, sizeof(resp->reason));
		return 0;
	}

	memset(&ev, 0, sizeof(ev));
	ev.dns = ctx;
	ev.req = req;
	ev.resp = resp;
	ev.ip = req->ip;
	spfdmarc_addr_unmap(&ev.ip);	/* §5: mapped clients are IPv4 */
	ev.count_dnssec = true;
	ev.arena = spfdmarc_arena_new(SPF_ARENA_MAX);
	if (ev.arena == NULL) {
		resp->result = SPFDMARC_SPF_TEMPERROR;
		(void)strlcpy(resp->reason, "out of memory",
		    sizeof(resp->reason));
		return SPFDMARC_ENOMEM;
	}
	local = spfdmarc_arena_strndup(ev.arena, id.local, id.local_len);
	domain = spfdmarc_arena_strndup(ev.arena, id.domain, id.domain_len);
	spfdmarc_buf_init(&b, ev.arena, 0);
	(void)spfdmarc_buf_printf(&b, "%s@%s", local != NULL ? local : "",
	    domain != NULL ? domain : "");
	if (local == NULL || domain == NULL || !spfdmarc_buf_ok(&b)) {
		spfdmarc_arena_free(ev.arena);
		resp->result = SPFDMARC_SPF_TEMPERROR;
		(void)strlcpy(resp->reason, "out of memory",
		    sizeof(resp->reason));
		return SPFDMARC_ENOMEM;
	}
	(void)strlcpy(resp->domain, domain, sizeof(resp->domain));
	(void)strlcpy(resp->sender, spfdmarc_buf_str(&b),
	    sizeof(resp->sender));
	/* The local part is the client's, unchecked: a CR or LF in it must
	 * not reach a header (the macros still see it as sent). */
	spf_no_controls(resp->sender);

	ev.vars.sender = spfdmarc_buf_str(&b);
	ev.vars.local = local;
	ev.vars.sender_domain = domain;
	ev.vars.domain = domain;
	ev.vars.ip = &ev.ip;
	ev.vars.helo = req->helo;
	ev.vars.receiver = req->receiver;
	ev.vars.now = req->now != 0 ? req->now : time(NULL);
	ev.vars.ptr_name = spf_ptr_macro;
	ev.vars.ptr_arg = &ev;

	spf_trace(&ev, "check_host(%s, %s)", domain, ev.vars.sender);
	m = spf_check_host(&ev, domain, &out);
	spf_finish(&ev, m, &out);
	spf_trace(&ev, "result %s%s%s", spfdmarc_spf_result_name(resp->result),
	    resp->reason[0] != '\0' ? ": " : "", resp->reason);
	spfdmarc_arena_free(ev.arena);
	if (ev.oom) {
		resp->result = SPFDMARC_SPF_TEMPERROR;
		return SPFDMARC_ENOMEM;
	}
	return 0;
}
