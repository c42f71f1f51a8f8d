/*
 * audit_spf.c: the SPF half of `spfdmarc check`: the domain's record and
 * every record its include: and redirect= terms lead to (RFC 7208 §5.2,
 * §6.1), read as a receiver reads them (§4.5 selection, §4.6 parsing) and
 * kept as a tree, with the §4.6.4 counts of each branch.
 *
 * The walk is static: no client address is known, so every term up to the
 * first "all" is counted (terms after it are never evaluated, §4.6.2, and
 * a redirect= beside an "all" is never used, §6.1): the worst case, met by
 * a client no earlier term matches. Void lookups are counted as an IPv4
 * client meets them: "a" and "exists" ask for A, "mx" for MX (§4.6.4;
 * the MX hosts' own addresses are not void lookups). Targets are expanded
 * when they use no macro but %{d}; others depend on the message and are
 * counted but not followed.
 *
 * Each record's lookups are started together before its terms are read,
 * so a tree costs about one round trip per include level.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit_int.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

/* ip4/ip6 ranges wider than these are reported (spf-wide-range). */
#define AUDIT_SPF_WIDE4		8
#define AUDIT_SPF_WIDE6		24
#define AUDIT_SPF_MX_MAX	10	/* RFC 7208 §4.6.4 ¶2 */
#define AUDIT_SPF_WHY_MAX	512

struct spf_walk {
	struct audit *a;
	unsigned nodes;		/* records visited */
	unsigned depth;		/* of the node being visited */
	const char *path[SPFDMARC_AUDIT_SPF_DEPTH_MAX + 1];
};

enum spf_target_kind {
	TARGET_OK = 0,
	TARGET_MACRO,		/* depends on the message */
	TARGET_BAD,		/* no usable domain name */
};

/* --- targets -------------------------------------------------------------- */

/* Does the (checked) domain-spec use a macro other than %{d}? */
static bool
spf_spec_is_dynamic(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] != '%')
			continue;
		if (s[i + 1] == '{' && i + 2 < len && s[i + 2] != 'd' &&
		    s[i + 2] != 'D')
			return true;
		i++;	/* "%%", "%_", "%-", or "%{d" */
	}
	return false;
}

/* The target name of a term (§4.8) into out[SPFDMARC_DNAME_BUFSIZE]. */
static enum spf_target_kind
spf_target(struct spf_walk *w, const char *domain, const char *spec,
    size_t spec_len, char *out, size_t outsize)
{
	struct spf_macro_vars v;
	struct spfdmarc_addr none;
	int rc;

	if (spec == NULL) {
		if (strlcpy(out, domain, outsize) >= outsize)
			return TARGET_BAD;
		return TARGET_OK;
	}
	if (spf_spec_is_dynamic(spec, spec_len))
		return TARGET_MACRO;
	memset(&v, 0, sizeof(v));
	memset(&none, 0, sizeof(none));
	none.family = SPFDMARC_AF_INET;
	v.domain = domain;
	v.ip = &none;		/* never read: only %{d} is expanded */
	rc = spf_macro_domain(&v, w->a->arena, spec, spec_len, out, outsize);
	if (rc == SPFDMARC_ENOMEM)
		w->a->oom = true;
	if (rc != 0)
		return TARGET_BAD;
	/* §4.3: check_host() finds no record at a single-label name. */
	if (spfdmarc_dname_check(out, strlen(out),
	    SPFDMARC_DNAME_MULTILABEL) != 0)
		return TARGET_BAD;
	spfdmarc_dname_lower(out, strlen(out));
	return TARGET_OK;
}

/* --- nodes ---------------------------------------------------------------- */

static struct spfdmarc_audit_spf_node *
spf_node_new(struct spf_walk *w, const char *domain, const char *via)
{
	struct spfdmarc_audit_spf_node *n;

	n = spfdmarc_arena_zalloc(w->a->arena, sizeof(*n));
	if (n == NULL) {
		w->a->oom = true;
		return NULL;
	}
	n->domain = audit_strndup_shown(w->a, domain, strlen(domain));
	if (n->domain == NULL)
		return NULL;
	n->via = via;
	n->state = SPFDMARC_AUDIT_SPF_LIMIT;
	n->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	n->all_qualifier = SPFDMARC_SPF_NONE;
	return n;
}

static void
spf_note_limit(struct spf_walk *w, const struct spfdmarc_audit_spf_node *n)
{
	struct audit *a = w->a;

	audit_add(a, AUDIT_SPF_AUDIT_LIMIT, a->domain, NULL, -1,
	    audit_fmt(a, "the include tree is larger than the audit follows "
	    "(%d records, depth %d); %s and what follows it were not read",
	    SPFDMARC_AUDIT_SPF_NODES_MAX, SPFDMARC_AUDIT_SPF_DEPTH_MAX,
	    n->domain),
	    audit_fmt(a, "reduce the number of nested includes"));
}

/* Records of the asked type in an answer. */
static size_t
spf_count_type(const struct spfdmarc_dns_answer *ans)
{
	size_t n = 0;

	for (size_t i = 0; i < ans->count; i++) {
		if (ans->rr[i].type == ans->qtype)
			n++;
	}
	return n;
}

/* --- one record's terms --------------------------------------------------- */

static void spf_visit(struct spf_walk *w, struct spfdmarc_audit_spf_node *n,
    const char *role);

/* Start the lookups of the reachable DNS-querying terms (never blocks). */
static void
spf_prefetch(struct spf_walk *w, const struct spfdmarc_audit_spf_node *n,
    const struct spf_record *rec, size_t reach, bool redirect)
{
	char target[SPFDMARC_DNAME_BUFSIZE];

	for (size_t i = 0; i < reach; i++) {
		const struct spf_term *t = &rec->terms[i];
		enum spfdmarc_dns_type type;

		switch (t->mech) {
		case SPF_MECH_INCLUDE:	type = SPFDMARC_DNS_TXT; break;
		case SPF_MECH_MX:	type = SPFDMARC_DNS_MX; break;
		case SPF_MECH_A:
		case SPF_MECH_EXISTS:	type = SPFDMARC_DNS_A; break;
		default:		continue;
		}
		if (spf_target(w, n->domain, t->spec, t->spec_len, target,
		    sizeof(target)) == TARGET_OK)
			(void)spfdmarc_dns_start(w->a->dns, target, type);
	}
	if (redirect && spf_target(w, n->domain, rec->redirect,
	    rec->redirect_len, target, sizeof(target)) == TARGET_OK)
		(void)spfdmarc_dns_start(w->a->dns, target, SPFDMARC_DNS_TXT);
}

/* include: or redirect=: a child record. */
static void
spf_follow(struct spf_walk *w, struct spfdmarc_audit_spf_node *parent,
    const char *via, const char *spec, size_t spec_len, bool redirect)
{
	struct audit *a = w->a;
	char target[SPFDMARC_DNAME_BUFSIZE];
	struct spfdmarc_audit_spf_node *child;
	enum spf_target_kind kind;
	const char *kindword = redirect ? "redirect" : "include";

	kind = spf_target(w, parent->domain, spec, spec_len, target,
	    sizeof(target));
	child = spf_node_new(w, kind == TARGET_OK ? target : spec, via);
	if (child == NULL)
		return;
	child->lookups = 1;	/* the term itself */
	parent->children[parent->nchildren++] = child;

	switch (kind) {
	case TARGET_MACRO:
		child->state = SPFDMARC_AUDIT_SPF_MACRO;
		audit_add(a, AUDIT_SPF_UNRESOLVED_MACRO, parent->domain, via,
		    -1,
		    audit_fmt(a, "'%s' in the record at %s depends on the "
		    "message (macros): counted as one lookup, its record was "
		    "not read", via, parent->domain),
		    audit_fmt(a, "check the records it can reach by hand"));
		return;
	case TARGET_BAD:
		child->state = SPFDMARC_AUDIT_SPF_BAD_NAME;
		audit_add(a, AUDIT_SPF_BAD_TARGET, parent->domain, via, -1,
		    audit_fmt(a, "'%s' in the record at %s names no valid "
		    "multi-label domain: receivers return permerror", via,
		    parent->domain),
		    audit_fmt(a, "correct the %s target", kindword));
		return;
	case TARGET_OK:
		break;
	}
	for (unsigned i = 0; i <= w->depth; i++) {
		if (strcasecmp(w->path[i], child->domain) == 0) {
			child->state = SPFDMARC_AUDIT_SPF_LOOP;
			audit_add(a, AUDIT_SPF_INCLUDE_LOOP, parent->domain,
			    via, -1, audit_fmt(a, "'%s' in the record at %s "
			    "leads back to %s, already on its %s path: "
			    "evaluation loops until the lookup limit "
			    "(permerror)", via,
			    parent->domain, child->domain, kindword),
			    audit_fmt(a, "remove '%s' from the record at %s",
			    via, parent->domain));
			return;
		}
	}
	if (w->depth + 1 > SPFDMARC_AUDIT_SPF_DEPTH_MAX) {
		spf_note_limit(w, child);
		return;
	}
	w->path[++w->depth] = child->domain;
	spf_visit(w, child, redirect ? "spf-redirect" : "spf-include");
	w->depth--;
	parent->void_lookups += child->void_lookups;
	if (child->state == SPFDMARC_AUDIT_SPF_NONE)
		audit_add(a, AUDIT_SPF_INCLUDE_MISSING, child->domain, via, -1,
		    audit_fmt(a, "'%s' in the record at %s: %s has no SPF "
		    "record, so receivers return permerror%s", via,
		    parent->domain, child->domain, redirect ? "" :
		    " when evaluation reaches it"),
		    audit_fmt(a, "remove '%s' (a service you no longer use?) "
		    "or correct its name", via));
}

/* a, mx, exists: the lookup, the void count, the MX limit. */
static void
spf_leaf(struct spf_walk *w, struct spfdmarc_audit_spf_node *n,
    const struct spf_term *t)
{
	struct audit *a = w->a;
	char target[SPFDMARC_DNAME_BUFSIZE];
	const struct spfdmarc_dns_answer *ans;
	enum spfdmarc_dns_type type;
	const char *role;
	size_t count;

	switch (spf_target(w, n->domain, t->spec, t->spec_len, target,
	    sizeof(target))) {
	case TARGET_MACRO:
		audit_add(a, AUDIT_SPF_UNRESOLVED_MACRO, n->domain, t->text, -1,
		    audit_fmt(a, "'%s' in the record at %s depends on the "
		    "message (macros): counted as one lookup, not checked",
		    t->text, n->domain),
		    audit_fmt(a, "nothing to do if this is intended"));
		return;
	case TARGET_BAD:
		return;		/* receivers: no match (§4.8) */
	case TARGET_OK:
		break;
	}
	type = t->mech == SPF_MECH_MX ? SPFDMARC_DNS_MX : SPFDMARC_DNS_A;
	role = t->mech == SPF_MECH_MX ? "spf-mx" : t->mech == SPF_MECH_A ?
	    "spf-a" : "spf-exists";
	ans = audit_lookup(a, target, type, role, false);
	if (spfdmarc_dns_status_is_error(ans->status))
		return;
	count = ans->status == SPFDMARC_DNS_OK ? spf_count_type(ans) : 0;
	if (count == 0) {
		n->void_lookups++;
		return;
	}
	if (t->mech == SPF_MECH_MX && count > AUDIT_SPF_MX_MAX)
		audit_add(a, AUDIT_SPF_MX_TOO_MANY, n->domain, t->text, -1,
		    audit_fmt(a, "'%s' in the record at %s: %s has %zu MX "
		    "records, more than %d: receivers return permerror "
		    "when they reach it", t->text, n->domain, target, count,
		    AUDIT_SPF_MX_MAX),
		    audit_fmt(a, "list the mail servers with ip4:/ip6: or "
		    "a: terms instead of '%s'", t->text));
}

static void
spf_wide(struct spf_walk *w, const struct spfdmarc_audit_spf_node *n,
    const struct spf_term *t)
{
	struct audit *a = w->a;
	bool v4 = t->mech == SPF_MECH_IP4;
	unsigned prefix = v4 ? t->cidr4 : t->cidr6;

	if (prefix >= (v4 ? AUDIT_SPF_WIDE4 : AUDIT_SPF_WIDE6))
		return;
	audit_add(a, AUDIT_SPF_WIDE_RANGE, n->domain, t->text, (long)t->pos,
	    v4 ? audit_fmt(a, "'%s' in the record at %s authorizes %llu "
	    "IPv4 addresses", t->text, n->domain,
	    1ULL << (32 - prefix)) :
	    audit_fmt(a, "'%s' in the record at %s authorizes a /%u of the "
	    "IPv6 space", t->text, n->domain, prefix),
	    audit_fmt(a, "list only the networks your mail really leaves "
	    "from"));
}

static void
spf_term(struct spf_walk *w, struct spfdmarc_audit_spf_node *n,
    const struct spf_term *t)
{
	struct audit *a = w->a;

	if (spf_mech_queries_dns(t->mech))
		n->record_lookups++;
	switch (t->mech) {
	case SPF_MECH_ALL:
		n->has_all = true;
		n->all_qualifier = t->qualifier;
		if (t->qualifier == SPFDMARC_SPF_PASS)
			audit_add(a, AUDIT_SPF_PLUS_ALL, n->domain, t->text,
			    (long)t->pos, w->depth == 0 ?
			    audit_fmt(a, "'%s' in the record at %s: every host "
			    "on the Internet passes SPF for the domain",
			    t->text, n->domain) :
			    audit_fmt(a, "'%s' in the record at %s, reached "
			    "through %s: every host on the Internet passes "
			    "SPF for %s", t->text, n->domain, n->via,
			    a->domain),
			    w->depth == 0 ?
			    audit_fmt(a, "end the record in -all (or ~all "
			    "while testing)") :
			    audit_fmt(a, "remove '%s' or have its operator "
			    "fix %s", n->via, n->domain));
		break;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		spf_wide(w, n, t);
		break;
	case SPF_MECH_PTR:
		audit_add(a, AUDIT_SPF_PTR, n->domain, t->text, (long)t->pos,
		    audit_fmt(a, "'%s' in the record at %s: ptr is slow, "
		    "unreliable and should not be used (RFC 7208 5.5); some "
		    "receivers ignore it", t->text, n->domain),
		    audit_fmt(a, "replace '%s' with ip4:/ip6: or a: terms for "
		    "the hosts it is meant to match", t->text));
		break;
	case SPF_MECH_A:
	case SPF_MECH_MX:
	case SPF_MECH_EXISTS:
		spf_leaf(w, n, t);
		break;
	case SPF_MECH_INCLUDE:
		spf_follow(w, n, t->text, t->spec, t->spec_len, false);
		break;
	}
}

/* The record's size: strings and the answer (RFC 7208 §3.3, §3.4). */
static void
spf_sizes(struct spf_walk *w, const struct spfdmarc_audit_spf_node *n)
{
	struct audit *a = w->a;

	if (n->record_len > SPFDMARC_AUDIT_STRING_MAX)
		audit_add(a, AUDIT_SPF_LONG_STRING, n->domain, NULL, -1,
		    audit_fmt(a, "the SPF record at %s is %zu bytes, over the "
		    "%d of one DNS string: it is published as %zu strings "
		    "(longest %zu) that receivers join without spaces "
		    "(RFC 7208 3.3)%s", n->domain, n->record_len,
		    SPFDMARC_AUDIT_STRING_MAX, n->nstrings, n->longest,
		    n->longest == SPFDMARC_AUDIT_STRING_MAX ?
		    "; a string of exactly 255 bytes suggests a mechanical "
		    "split, likely inside a term" : ""),
		    audit_fmt(a, "shorten it (move ip4:/ip6: ranges into an "
		    "include:_spf.%s record, drop terms no longer used); "
		    "where it must stay split, end each string at a space "
		    "you mean and check the zone editor kept it", a->domain));
	if (n->answer_size > SPFDMARC_AUDIT_ANSWER_MAX)
		audit_add(a, AUDIT_SPF_LARGE_ANSWER, n->domain, NULL, -1,
		    audit_fmt(a, "the TXT answer at %s is %zu bytes, over %d: "
		    "receivers without EDNS0 must retry over TCP and some "
		    "fail (RFC 7208 3.4)", n->domain, n->answer_size,
		    SPFDMARC_AUDIT_ANSWER_MAX),
		    audit_fmt(a, "remove TXT records no longer needed at %s "
		    "(old verification tokens) and shorten the SPF record",
		    n->domain));
}

/* The offset in a spf_record_parse() reason ("... at offset N: ..."). */
static long
spf_why_offset(const char *why)
{
	const char *p = strstr(why, " at offset ");
	char *end;
	unsigned long v;

	if (p == NULL)
		return -1;
	p += strlen(" at offset ");
	v = strtoul(p, &end, 10);
	if (end == p || v > SPF_RECORD_MAX)
		return -1;
	return (long)v;
}

static void
spf_syntax(struct spf_walk *w, const struct spfdmarc_audit_spf_node *n,
    const char *why)
{
	struct audit *a = w->a;

	audit_add(a, AUDIT_SPF_SYNTAX, n->domain, NULL, spf_why_offset(why),
	    audit_fmt(a, "the SPF record at %s does not parse: %s; receivers "
	    "return permerror", n->domain, why),
	    n->nstrings > 1 ?
	    audit_fmt(a, "correct it (RFC 7208 12); its %zu strings are "
	    "joined without spaces (RFC 7208 3.3), so check that a space "
	    "separates the terms at each string boundary", n->nstrings) :
	    audit_fmt(a, "correct the term (RFC 7208 section 12 gives the "
	    "syntax)"));
}

/* Read the record of n->domain and everything below it. */
static void
spf_visit(struct spf_walk *w, struct spfdmarc_audit_spf_node *n,
    const char *role)
{
	struct audit *a = w->a;
	const struct spfdmarc_dns_answer *ans;
	const struct spfdmarc_dns_rr *rr = NULL;
	struct spf_record *rec;
	char why[AUDIT_SPF_WHY_MAX];
	size_t found = 0, reach;
	bool redirect;
	int rc;

	if (w->nodes >= SPFDMARC_AUDIT_SPF_NODES_MAX) {
		spf_note_limit(w, n);
		return;
	}
	w->nodes++;
	ans = audit_lookup(a, n->domain, SPFDMARC_DNS_TXT, role, false);
	n->dnssec = ans->dnssec;
	n->answer_size = ans->wire_size;
	if (spfdmarc_dns_status_is_error(ans->status)) {
		n->state = SPFDMARC_AUDIT_SPF_DNS_ERROR;
		return;
	}
	for (size_t i = 0; i < ans->count; i++) {
		if (ans->rr[i].type != SPFDMARC_DNS_TXT ||
		    !spf_record_is_v1(ans->rr[i].u.txt.text,
		    ans->rr[i].u.txt.len))
			continue;
		if (found++ == 0)
			rr = &ans->rr[i];
	}
	if (found == 0) {
		n->state = SPFDMARC_AUDIT_SPF_NONE;
		return;
	}
	if (found > 1) {
		n->state = SPFDMARC_AUDIT_SPF_MULTIPLE;
		audit_add(a, AUDIT_SPF_MULTIPLE, n->domain, NULL, -1,
		    audit_fmt(a, "%s has %zu TXT records starting with "
		    "\"v=spf1\": receivers return permerror (RFC 7208 4.5)",
		    n->domain, found),
		    audit_fmt(a, "merge them into one record at %s",
		    n->domain));
		return;
	}
	n->record = audit_strndup_shown(a, rr->u.txt.text, rr->u.txt.len);
	if (n->record == NULL)
		return;
	n->record_len = rr->u.txt.len;
	n->nstrings = rr->u.txt.nstrings;
	n->longest = rr->u.txt.longest;
	spf_sizes(w, n);

	rc = spf_record_parse(a->arena, rr->u.txt.text, rr->u.txt.len, &rec,
	    why, sizeof(why));
	if (rc == SPFDMARC_ENOMEM) {
		a->oom = true;
		return;
	}
	if (rc != 0) {
		n->state = SPFDMARC_AUDIT_SPF_SYNTAX;
		spf_syntax(w, n, why);
		return;
	}
	n->state = SPFDMARC_AUDIT_SPF_OK;

	/* §4.6.2: evaluation stops at "all"; §6.1: redirect= then unused. */
	reach = rec->nterms;
	for (size_t i = 0; i < rec->nterms; i++) {
		if (rec->terms[i].mech == SPF_MECH_ALL) {
			reach = i + 1;
			break;
		}
	}
	redirect = rec->redirect != NULL && reach == rec->nterms &&
	    (reach == 0 || rec->terms[reach - 1].mech != SPF_MECH_ALL);
	n->children = spfdmarc_arena_calloc(a->arena, reach + 1,
	    sizeof(*n->children));
	if (n->children == NULL) {
		a->oom = true;
		return;
	}
	spf_prefetch(w, n, rec, reach, redirect);
	for (size_t i = 0; i < reach && !a->oom; i++)
		spf_term(w, n, &rec->terms[i]);

	if (reach < rec->nterms)
		audit_add(a, AUDIT_SPF_TERMS_AFTER_ALL, n->domain,
		    rec->terms[reach].text, (long)rec->terms[reach].pos,
		    audit_fmt(a, "the record at %s has terms after '%s' "
		    "('%s'...): they are never evaluated", n->domain,
		    rec->terms[reach - 1].text, rec->terms[reach].text),
		    audit_fmt(a, "move them before '%s' or remove them",
		    rec->terms[reach - 1].text));
	if (rec->redirect != NULL && !redirect)
		audit_add(a, AUDIT_SPF_REDIRECT_IGNORED, n->domain,
		    rec->redirect_text, -1,
		    audit_fmt(a, "the record at %s has both '%s' and '%s': "
		    "redirect= is never used (RFC 7208 6.1)", n->domain,
		    rec->terms[reach - 1].text, rec->redirect_text),
		    audit_fmt(a, "remove '%s', or remove '%s' if the "
		    "redirect is what you mean", rec->redirect_text,
		    rec->terms[reach - 1].text));
	if (redirect) {
		n->record_lookups++;
		spf_follow(w, n, rec->redirect_text, rec->redirect,
		    rec->redirect_len, true);
	}

	/* The branch: the term that led here, this record, its children. */
	n->lookups = (w->depth > 0 ? 1 : 0) + n->record_lookups;
	for (size_t i = 0; i < n->nchildren; i++)
		n->lookups += n->children[i]->lookups - 1;
}

/* --- the tree's verdicts -------------------------------------------------- */

static bool
spf_is_redirect(const struct spfdmarc_audit_spf_node *n)
{
	return n->via != NULL && strncasecmp(n->via, "redirect=", 9) == 0;
}

/* The "all" the chain of redirects from the root ends in. */
static void
spf_final_all(struct audit *a, const struct spfdmarc_audit_spf_node *root)
{
	struct spfdmarc_audit_spf *spf = &a->out->spf;
	const struct spfdmarc_audit_spf_node *cur = root;

	while (cur->state == SPFDMARC_AUDIT_SPF_OK) {
		const struct spfdmarc_audit_spf_node *next = NULL;

		if (cur->has_all) {
			spf->has_all = true;
			spf->all_qualifier = cur->all_qualifier;
			break;
		}
		if (cur->nchildren > 0 &&
		    spf_is_redirect(cur->children[cur->nchildren - 1]))
			next = cur->children[cur->nchildren - 1];
		if (next == NULL) {
			audit_add(a, AUDIT_SPF_NO_ALL, cur->domain, NULL, -1,
			    audit_fmt(a, "the SPF record at %s ends without "
			    "'all' or redirect=: hosts it does not list get "
			    "the default result neutral", cur->domain),
			    audit_fmt(a, "end the record in -all (or ~all "
			    "while testing)"));
			break;
		}
		cur = next;
	}
	if (spf->has_all && spf->all_qualifier == SPFDMARC_SPF_NEUTRAL)
		audit_add(a, AUDIT_SPF_NEUTRAL_ALL, cur->domain, "?all", -1,
		    audit_fmt(a, "the SPF record at %s ends in ?all: SPF "
		    "asserts nothing about hosts it does not list",
		    cur->domain),
		    audit_fmt(a, "end the record in -all (or ~all while "
		    "testing)"));
}

static void
spf_missing(struct audit *a, const struct spfdmarc_audit_spf_node *root)
{
	const struct spfdmarc_dns_answer *ans;
	const char *hint = "";

	ans = spfdmarc_dns_lookup(a->dns, a->domain, SPFDMARC_DNS_TXT);
	for (size_t i = 0; i < ans->count; i++) {
		const struct spfdmarc_dns_rr *rr = &ans->rr[i];

		if (rr->type == SPFDMARC_DNS_TXT &&
		    memmem(rr->u.txt.text, rr->u.txt.len, "spf1", 4) != NULL)
			hint = audit_fmt(a, " (a TXT record there mentions "
			    "spf1 but is not \"v=spf1\" followed by a space: "
			    "\"%.64s\")", audit_strndup_shown(a,
			    rr->u.txt.text, rr->u.txt.len));
	}
	if (hint == NULL)
		return;
	audit_add(a, AUDIT_SPF_MISSING, root->domain, NULL, -1,
	    ans->status == SPFDMARC_DNS_NXDOMAIN ?
	    audit_fmt(a, "%s does not exist (NXDOMAIN), so it has no SPF "
	    "record", root->domain) :
	    audit_fmt(a, "%s has no SPF record%s: receivers get SPF none and "
	    "anyone can use the domain in MAIL FROM", root->domain, hint),
	    audit_fmt(a, "publish one TXT record at %s: \"v=spf1 mx -all\" "
	    "with the hosts that send its mail (or \"v=spf1 -all\" if it "
	    "sends none)", root->domain));
}

int
audit_spf_run(struct audit *a)
{
	struct spfdmarc_audit_spf *spf = &a->out->spf;
	struct spfdmarc_audit_spf_node *root;
	const struct spfdmarc_dns_answer *ans;
	struct spf_walk w;
	bool any = false;

	memset(&w, 0, sizeof(w));
	w.a = a;
	root = spf_node_new(&w, a->domain, NULL);
	if (root == NULL)
		return SPFDMARC_ENOMEM;
	w.path[0] = root->domain;
	/* RFC 7208 §3.1, §14.1: type 99 is obsolete; ask in parallel. */
	(void)spfdmarc_dns_start(a->dns, a->domain, SPFDMARC_DNS_SPF);
	spf_visit(&w, root, "spf");
	if (a->oom)
		return SPFDMARC_ENOMEM;

	spf->tree = root;
	spf->record = root->record;
	spf->lookups = root->lookups;
	spf->void_lookups = root->void_lookups;
	spf->all_qualifier = SPFDMARC_SPF_NONE;

	if (root->state == SPFDMARC_AUDIT_SPF_NONE)
		spf_missing(a, root);
	if (root->state == SPFDMARC_AUDIT_SPF_OK) {
		spf_final_all(a, root);
		if (spf->lookups > SPFDMARC_AUDIT_SPF_LOOKUPS_MAX)
			audit_add(a, AUDIT_SPF_TOO_MANY_LOOKUPS, root->domain,
			    NULL, -1,
			    audit_fmt(a, "the SPF record at %s needs %u "
			    "DNS-querying terms once includes and redirects "
			    "are expanded, over the limit of %d: receivers "
			    "that reach the 11th return permerror (RFC 7208 "
			    "4.6.4)", root->domain, spf->lookups,
			    SPFDMARC_AUDIT_SPF_LOOKUPS_MAX),
			    audit_fmt(a, "drop includes of services no longer "
			    "used, replace a:/mx: terms with ip4:/ip6: ranges, "
			    "or move senders to subdomains with their own "
			    "SPF records"));
		else if (spf->lookups >= SPFDMARC_AUDIT_SPF_LOOKUPS_WARN)
			audit_add(a, AUDIT_SPF_LOOKUPS_NEAR_LIMIT, root->domain,
			    NULL, -1,
			    audit_fmt(a, "the SPF record at %s needs %u of the "
			    "%d DNS-querying terms allowed: one more include "
			    "(or a provider growing its own) breaks it",
			    root->domain, spf->lookups,
			    SPFDMARC_AUDIT_SPF_LOOKUPS_MAX),
			    audit_fmt(a, "make room: drop unused includes, "
			    "replace a:/mx: terms with ip4:/ip6: ranges"));
		if (spf->void_lookups > SPFDMARC_AUDIT_SPF_VOID_MAX)
			audit_add(a, AUDIT_SPF_VOID_LOOKUPS, root->domain, NULL,
			    -1,
			    audit_fmt(a, "the SPF tree of %s makes %u void "
			    "lookups (names with no address or no MX), over "
			    "the limit of %d: receivers return permerror "
			    "(RFC 7208 4.6.4)", root->domain,
			    spf->void_lookups, SPFDMARC_AUDIT_SPF_VOID_MAX),
			    audit_fmt(a, "remove the a:, mx: and exists: terms "
			    "whose names no longer exist"));
	}

	ans = audit_lookup(a, a->domain, SPFDMARC_DNS_SPF, "spf-type99", true);
	if (ans->status == SPFDMARC_DNS_OK && spf_count_type(ans) > 0) {
		spf->type99 = true;
		audit_add(a, AUDIT_SPF_TYPE99, a->domain, NULL, -1,
		    audit_fmt(a, "%s publishes an SPF (type 99) record: the "
		    "type is obsolete and receivers only read TXT (RFC 7208 "
		    "3.1)", a->domain),
		    audit_fmt(a, "delete the type 99 record and keep the TXT "
		    "one%s", root->state == SPFDMARC_AUDIT_SPF_NONE ?
		    " (publish it as TXT first)" : ""));
	}

	spf->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	for (size_t i = 0; i < a->out->nanswers; i++) {
		const struct spfdmarc_audit_answer *e = &a->answers[i];

		if (e->type != SPFDMARC_DNS_TXT ||
		    strncmp(e->role, "spf", 3) != 0)
			continue;
		spf->dnssec = any ? spfdmarc_dnssec_worst(spf->dnssec,
		    e->dnssec) : e->dnssec;
		any = true;
	}
	return a->oom ? SPFDMARC_ENOMEM : 0;
}
