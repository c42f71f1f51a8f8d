/*
 * test_audit.c: the audit of `spfdmarc check` (lib/spfdmarc/audit.h) over
 * the zone tests/audit/audit.zone. Every check of the catalogue has a
 * domain that triggers it and one that does not (the program fails when
 * one is missing), then the counts, the tree, the DMARC fields, the
 * DNSSEC states, the grade and the API's argument checks.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spfdmarc/arena.h"
#include "spfdmarc/audit.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/dns_zone.h"
#include "spfdmarc/err.h"
#include "tap.h"

#ifndef AUDIT_ZONE
#define AUDIT_ZONE "tests/audit/audit.zone"
#endif

static struct spfdmarc_dns *dns;
static struct spfdmarc_dns_zone *zone;
static struct spfdmarc_arena *arena;
static struct spfdmarc_dns_ctx *ctx;

static void
load_zone(void)
{
	static char text[1 << 20];
	char err[256];
	size_t len;
	FILE *f = fopen(AUDIT_ZONE, "r");

	if (f == NULL) {
		printf("Bail out! cannot open %s\n", AUDIT_ZONE);
		exit(1);
	}
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (spfdmarc_dns_zone_new(&dns, &zone) != 0 ||
	    spfdmarc_dns_zone_load(zone, text, len, err, sizeof(err)) != 0) {
		printf("Bail out! zone: %s\n", err);
		exit(1);
	}
}

/* A fresh audit of domain (the previous one's memory is released). */
static const struct spfdmarc_audit *
audit(const char *domain)
{
	struct spfdmarc_dns_limits limits = {
		.max_queries = SPFDMARC_AUDIT_QUERIES,
	};
	struct spfdmarc_audit *au = NULL;
	int rc;

	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_arena_free(arena);
	ctx = spfdmarc_dns_ctx_new(dns, &limits);
	arena = spfdmarc_arena_new(0);
	if (ctx == NULL || arena == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	rc = spfdmarc_audit_run(ctx, arena, domain, &au);
	if (rc != 0 || au == NULL) {
		printf("Bail out! audit of %s: %s\n", domain,
		    spfdmarc_strerror(rc));
		exit(1);
	}
	return au;
}

static unsigned
count_id(const struct spfdmarc_audit *au, const char *id)
{
	unsigned n = 0;

	for (size_t i = 0; i < au->nfindings; i++) {
		if (strcmp(au->findings[i].id, id) == 0)
			n++;
	}
	return n;
}

/* --- every check: a domain that triggers it, one that does not ----------- */

static const struct {
	const char *domain;
	const char *id;
	bool expect;
} cases[] = {
	{ "nospf.example", "spf-missing", true },
	{ "good.dm", "spf-missing", false },
	{ "timeout.example", "spf-missing", false },
	{ "multi.example", "spf-multiple", true },
	{ "good.dm", "spf-multiple", false },
	{ "syntax.example", "spf-syntax", true },
	{ "split.example", "spf-syntax", true },
	{ "shortsplit.example", "spf-syntax", false },
	{ "plusall.example", "spf-plus-all", true },
	{ "inclplusall.example", "spf-plus-all", true },
	{ "good.dm", "spf-plus-all", false },
	{ "noall.example", "spf-no-all", true },
	{ "noallredir.example", "spf-no-all", true },
	{ "redirok.example", "spf-no-all", false },
	{ "softnone.example", "spf-softfail-without-dmarc", true },
	{ "softtest.example", "spf-softfail-without-dmarc", true },
	{ "softnodmarc.dm", "spf-softfail-without-dmarc", true },
	{ "softquar.example", "spf-softfail-without-dmarc", false },
	{ "neutral.example", "spf-softfail-without-dmarc", false },
	{ "neutral.example", "spf-neutral-all", true },
	{ "softnone.example", "spf-neutral-all", false },
	{ "many.example", "spf-too-many-lookups", true },
	{ "deep.example", "spf-too-many-lookups", true },
	{ "ten.example", "spf-too-many-lookups", false },
	{ "near.example", "spf-lookups-near-limit", true },
	{ "ten.example", "spf-lookups-near-limit", true },
	{ "seven.example", "spf-lookups-near-limit", false },
	{ "many.example", "spf-lookups-near-limit", false },
	{ "void3.example", "spf-void-lookups", true },
	{ "void2.example", "spf-void-lookups", false },
	{ "ptr.example", "spf-ptr", true },
	{ "good.dm", "spf-ptr", false },
	{ "mxmany.example", "spf-mx-too-many", true },
	{ "mx10.example", "spf-mx-too-many", false },
	{ "inclmissing.example", "spf-include-missing", true },
	{ "redirmissing.example", "spf-include-missing", true },
	{ "inclok.example", "spf-include-missing", false },
	{ "includetimeout.example", "spf-include-missing", false },
	{ "loop.example", "spf-include-loop", true },
	{ "diamond.example", "spf-include-loop", false },
	{ "badtarget.example", "spf-bad-target", true },
	{ "good.dm", "spf-bad-target", false },
	{ "long.example", "spf-long-string", true },
	{ "longcut.example", "spf-long-string", true },
	{ "shortsplit.example", "spf-long-string", false },
	{ "large.example", "spf-large-answer", true },
	{ "good.dm", "spf-large-answer", false },
	{ "type99.example", "spf-type99", true },
	{ "servfail99.example", "spf-type99", false },
	{ "redirall.example", "spf-redirect-ignored", true },
	{ "redirok.example", "spf-redirect-ignored", false },
	{ "afterall.example", "spf-terms-after-all", true },
	{ "good.dm", "spf-terms-after-all", false },
	{ "wide.example", "spf-wide-range", true },
	{ "wide6.example", "spf-wide-range", true },
	{ "slash8.example", "spf-wide-range", false },
	{ "macro.example", "spf-unresolved-macro", true },
	{ "dmacro.example", "spf-unresolved-macro", false },
	{ "deep.example", "spf-audit-limit", true },
	{ "many.example", "spf-audit-limit", false },
	{ "nodmarc.dm", "dmarc-missing", true },
	{ "nearmiss.dm", "dmarc-missing", true },
	{ "sub.good.dm", "dmarc-missing", false },
	{ "dmarctimeout.dm", "dmarc-missing", false },
	{ "dmarcmulti.dm", "dmarc-missing", false },
	{ "dmarcmulti.dm", "dmarc-multiple", true },
	{ "good.dm", "dmarc-multiple", false },
	{ "badpolicy.dm", "dmarc-invalid-policy", true },
	{ "badnorua.dm", "dmarc-invalid-policy", true },
	{ "good.dm", "dmarc-invalid-policy", false },
	{ "dmarcsyntax.dm", "dmarc-syntax", true },
	{ "pct100.dm", "dmarc-syntax", false },
	{ "badpolicy.dm", "dmarc-syntax", false },
	{ "baduri.dm", "dmarc-syntax", false },
	{ "pnone.dm", "dmarc-p-none", true },
	{ "sub.spnone.dm", "dmarc-p-none", true },
	{ "spnone.dm", "dmarc-p-none", false },
	{ "badpolicy.dm", "dmarc-p-none", false },
	{ "spnone.dm", "dmarc-weak-subdomain", true },
	{ "weaknp.dm", "dmarc-weak-subdomain", true },
	{ "strongsp.dm", "dmarc-weak-subdomain", false },
	{ "testmode.dm", "dmarc-test-mode", true },
	{ "testno.dm", "dmarc-test-mode", false },
	{ "pct50.dm", "dmarc-removed-tag", true },
	{ "pct100.dm", "dmarc-removed-tag", true },
	{ "good.dm", "dmarc-removed-tag", false },
	{ "baduri.dm", "dmarc-invalid-uri", true },
	{ "httpuri.dm", "dmarc-invalid-uri", true },
	{ "noaddr.dm", "dmarc-invalid-uri", true },
	{ "extok.dm", "dmarc-invalid-uri", false },
	{ "extrua.dm", "dmarc-unauthorized-external-report", true },
	{ "extnotdmarc.dm", "dmarc-unauthorized-external-report", true },
	{ "extok.dm", "dmarc-unauthorized-external-report", false },
	{ "good.dm", "dmarc-unauthorized-external-report", false },
	{ "norua.dm", "dmarc-no-rua", true },
	{ "badnorua.dm", "dmarc-no-rua", true },
	{ "good.dm", "dmarc-no-rua", false },
	{ "orphan.psdtld", "dmarc-psd-policy", true },
	{ "good.dm", "dmarc-psd-policy", false },
	{ "good.dm", "dmarc-org-domain", true },
	{ "dmarctimeout.dm", "dmarc-org-domain", false },
	{ "bogus.example", "dns-bogus", true },
	{ "good.dm", "dns-bogus", false },
	{ "timeout.example", "dns-timeout", true },
	{ "dmarctimeout.dm", "dns-timeout", true },
	{ "includetimeout.example", "dns-timeout", true },
	{ "good.dm", "dns-timeout", false },
	{ "servfail.example", "dns-error", true },
	{ "servfail99.example", "dns-error", false },
	{ "insecure.example", "dns-insecure", true },
	{ "good.dm", "dns-insecure", false },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
test_cases(void)
{
	for (size_t i = 0; i < NCASES; i++) {
		const struct spfdmarc_audit *au = audit(cases[i].domain);
		bool got = spfdmarc_audit_find(au, cases[i].id) != NULL;

		if (!ok(got == cases[i].expect, "%s: %s %s", cases[i].domain,
		    cases[i].id, cases[i].expect ? "reported" :
		    "not reported")) {
			for (size_t k = 0; k < au->nfindings; k++)
				printf("#   %s: %s\n", au->findings[k].id,
				    au->findings[k].message);
		}
	}
}

/* Each id of the catalogue has both kinds of case above. */
static void
test_coverage(void)
{
	size_t n;
	const struct spfdmarc_audit_check *c = spfdmarc_audit_checks(&n);

	ok(n >= 27, "catalogue: %zu checks", n);
	for (size_t i = 0; i < n; i++) {
		bool yes = false, no = false;

		for (size_t k = 0; k < NCASES; k++) {
			if (strcmp(cases[k].id, c[i].id) != 0)
				continue;
			if (cases[k].expect)
				yes = true;
			else
				no = true;
		}
		ok(yes && no, "%s has a triggering and a clean domain",
		    c[i].id);
		for (size_t k = 0; k < i; k++) {
			if (strcmp(c[k].id, c[i].id) == 0)
				ok(0, "%s listed twice", c[i].id);
		}
	}
	/* The ids issue 8 asks for. */
	static const char *const required[] = {
		"spf-missing", "spf-multiple", "spf-syntax", "spf-plus-all",
		"spf-no-all", "spf-softfail-without-dmarc", "spf-neutral-all",
		"spf-too-many-lookups", "spf-lookups-near-limit",
		"spf-void-lookups", "spf-ptr", "spf-mx-too-many",
		"spf-include-missing", "spf-long-string", "spf-large-answer",
		"spf-type99", "dmarc-missing", "dmarc-p-none",
		"dmarc-weak-subdomain", "dmarc-test-mode", "dmarc-removed-tag",
		"dmarc-invalid-uri", "dmarc-unauthorized-external-report",
		"dmarc-multiple", "dmarc-syntax", "dns-bogus", "dns-timeout",
	};
	for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found = found || strcmp(c[i].id, required[r]) == 0;
		ok(found, "catalogue has %s", required[r]);
	}
}

/* --- details ------------------------------------------------------------ */

static void
test_clean(void)
{
	const struct spfdmarc_audit *au = audit("GOOD.dm.");
	const struct spfdmarc_audit_spf_node *t = au->spf.tree;

	is_str(au->domain, "good.dm", "domain normalized");
	is_int(au->grade, SPFDMARC_AUDIT_PASS, "clean: grade pass");
	is_int(au->count[SPFDMARC_AUDIT_ERROR] +
	    au->count[SPFDMARC_AUDIT_WARNING], 0,
	    "clean: no error, no warning");
	is_str(spfdmarc_audit_grade_name(au->grade), "pass", "grade name");
	is_str(au->spf.record, "v=spf1 ip4:192.0.2.1 include:_spf.good.dm -all",
	    "SPF record");
	ok(au->spf.has_all && au->spf.all_qualifier == SPFDMARC_SPF_FAIL,
	    "ends in -all");
	is_int(au->spf.lookups, 1, "one lookup");
	is_int(t->state, SPFDMARC_AUDIT_SPF_OK, "root ok");
	is_int(t->nchildren, 1, "one child");
	is_str(t->children[0]->domain, "_spf.good.dm", "child domain");
	is_str(t->children[0]->via, "include:_spf.good.dm", "child via");
	is_int(t->children[0]->lookups, 1, "child branch: 1");
	is_int(t->dnssec, SPFDMARC_DNSSEC_SECURE, "SPF secure");
	ok(t->answer_size > 0, "answer size known");
	is_int(t->nstrings, 1, "one string");
	is_str(au->dmarc.record, "v=DMARC1; p=reject; rua=mailto:dmarc@good.dm",
	    "DMARC record");
	is_str(au->dmarc.record_domain, "good.dm", "record domain");
	is_str(au->dmarc.org_domain, "good.dm", "org domain");
	is_int(au->dmarc.source, SPFDMARC_DMARC_SOURCE_AUTHOR, "source author");
	is_int(au->dmarc.policy, SPFDMARC_DMARC_POLICY_REJECT, "policy reject");
	is_int(au->dmarc.nrua, 1, "one rua");
	is_str(au->dmarc.rua[0], "mailto:dmarc@good.dm", "rua");
	is_int(au->dnssec, SPFDMARC_DNSSEC_SECURE, "overall secure");
	ok(au->nanswers >= 4, "answers listed (%zu)", au->nanswers);

	au = audit("sub.good.dm");
	is_int(au->dmarc.source, SPFDMARC_DMARC_SOURCE_ORG, "sub: source org");
	is_str(au->dmarc.record_domain, "good.dm", "sub: record at the org");
	is_str(au->dmarc.org_domain, "good.dm", "sub: org domain");
	is_int(au->grade, SPFDMARC_AUDIT_PASS, "sub: pass");
}

static void
test_counts(void)
{
	const struct spfdmarc_audit *au;
	const struct spfdmarc_audit_finding *f;

	is_int(audit("many.example")->spf.lookups, 11, "many: 11 lookups");
	au = audit("many.example");
	is_int(au->spf.tree->record_lookups, 6, "many: 6 of its own");
	is_int(au->spf.tree->children[0]->lookups, 6, "many: include branch 6");
	is_int(au->grade, SPFDMARC_AUDIT_FAIL, "many: fail");
	is_int(audit("ten.example")->spf.lookups, 10, "ten: 10");
	is_int(audit("near.example")->spf.lookups, 8, "near: 8");
	is_int(audit("seven.example")->spf.lookups, 7, "seven: 7");
	is_int(audit("void2.example")->spf.void_lookups, 2,
	    "void2: 2 void lookups, one of them in an include");
	is_int(audit("void3.example")->spf.void_lookups, 3, "void3: 3");
	is_int(audit("diamond.example")->spf.lookups, 4,
	    "diamond: a target reached twice counts twice");
	au = audit("deep.example");
	is_int(au->spf.lookups, 13, "deep: 13 includes counted");
	/* Terms after all, and redirect= beside all, are never counted. */
	is_int(audit("redirall.example")->spf.lookups, 0,
	    "redirect beside all: not counted");
	is_int(audit("redirok.example")->spf.lookups, 1, "redirect: 1");

	au = audit("syntax.example");
	f = spfdmarc_audit_find(au, "spf-syntax");
	ok(f != NULL && f->offset == 21, "syntax: offset 21 (%ld)",
	    f != NULL ? f->offset : -2);
	ok(f != NULL && strstr(f->message, "foo:bar") != NULL,
	    "syntax: the term is named");
	au = audit("split.example");
	f = spfdmarc_audit_find(au, "spf-syntax");
	ok(f != NULL && strstr(f->fix, "2 strings") != NULL,
	    "split: the fix points at the string boundary");
	au = audit("longcut.example");
	f = spfdmarc_audit_find(au, "spf-long-string");
	ok(f != NULL && strstr(f->message, "mechanical") != NULL,
	    "a 255-byte string: mechanical split noted");
	au = audit("long.example");
	f = spfdmarc_audit_find(au, "spf-long-string");
	ok(f != NULL && strstr(f->message, "mechanical") == NULL,
	    "split at a space: no mechanical-split note");
	is_int(au->spf.tree->nstrings, 2, "long: 2 strings");

	au = audit("pct50.dm");
	f = spfdmarc_audit_find(au, "dmarc-removed-tag");
	ok(f != NULL && f->severity == SPFDMARC_AUDIT_WARNING,
	    "pct=50: a warning");
	au = audit("pct100.dm");
	is_int(count_id(au, "dmarc-removed-tag"), 3, "pct100: pct, rf, ri");
	f = spfdmarc_audit_find(au, "dmarc-removed-tag");
	ok(f != NULL && f->severity == SPFDMARC_AUDIT_INFO,
	    "pct=100: info");
	is_int(au->grade, SPFDMARC_AUDIT_PASS, "info only: pass");

	au = audit("macro.example");
	is_int(au->spf.lookups, 2, "macro: terms counted");
	is_int(au->spf.tree->children[0]->state, SPFDMARC_AUDIT_SPF_MACRO,
	    "macro: include not followed");
	au = audit("dmacro.example");
	is_str(au->spf.tree->children[0]->domain, "_spf.dmacro.example",
	    "%%{d} expanded");
	is_int(au->spf.tree->children[0]->state, SPFDMARC_AUDIT_SPF_OK,
	    "%%{d} target followed");
	au = audit("loop.example");
	is_int(au->spf.tree->children[0]->children[0]->state,
	    SPFDMARC_AUDIT_SPF_LOOP, "loop: the way back is marked");
}

static void
test_dmarc(void)
{
	const struct spfdmarc_audit *au;
	const struct spfdmarc_audit_finding *f;

	au = audit("softtest.example");
	is_int(au->dmarc.policy, SPFDMARC_DMARC_POLICY_QUARANTINE,
	    "t=y: policy quarantine");
	is_int(au->dmarc.effective_policy, SPFDMARC_DMARC_POLICY_NONE,
	    "t=y: applied as none");
	ok(au->dmarc.testing, "testing");
	au = audit("sub.spnone.dm");
	is_int(au->dmarc.policy, SPFDMARC_DMARC_POLICY_NONE, "sp=none applies");
	f = spfdmarc_audit_find(au, "dmarc-p-none");
	ok(f != NULL && strcmp(f->term, "sp=none") == 0, "term sp=none");
	au = audit("orphan.psdtld");
	is_int(au->dmarc.source, SPFDMARC_DMARC_SOURCE_PSD, "psd source");
	is_str(au->dmarc.org_domain, "orphan.psdtld", "org below the PSD");
	au = audit("extrua.dm");
	f = spfdmarc_audit_find(au, "dmarc-unauthorized-external-report");
	ok(f != NULL && strcmp(f->name,
	    "extrua.dm._report._dmarc.reports.example.net") == 0,
	    "the authorization name");
	is_int(count_id(au, "dmarc-unauthorized-external-report"), 1,
	    "internal ruf not reported");
	au = audit("baduri.dm");
	is_int(au->dmarc.nrua, 2, "two URIs split");
	is_str(au->dmarc.rua[1], "reports", "trimmed");
	is_int(count_id(au, "dmarc-invalid-uri"), 1, "one bad URI");
	au = audit("nearmiss.dm");
	f = spfdmarc_audit_find(au, "dmarc-missing");
	ok(f != NULL && strstr(f->message, "v=DMARC1 p=reject") != NULL,
	    "near miss quoted");
	au = audit("badnorua.dm");
	is_int(au->dmarc.policy, SPFDMARC_DMARC_POLICY_UNSET,
	    "no p=, no rua=: no policy");
	au = audit("badpolicy.dm");
	is_int(au->dmarc.policy, SPFDMARC_DMARC_POLICY_NONE,
	    "bad p= with rua=: none");
}

static void
test_dns(void)
{
	const struct spfdmarc_audit *au;
	const struct spfdmarc_audit_finding *f;

	au = audit("bogus.example");
	is_int(au->spf.tree->state, SPFDMARC_AUDIT_SPF_DNS_ERROR,
	    "bogus: no record used");
	is_int(au->dnssec, SPFDMARC_DNSSEC_BOGUS, "bogus: overall bogus");
	is_int(au->grade, SPFDMARC_AUDIT_FAIL, "bogus: fail");
	au = audit("timeout.example");
	f = spfdmarc_audit_find(au, "dns-timeout");
	ok(f != NULL && strcmp(f->name, "timeout.example") == 0 &&
	    strcmp(f->term, "TXT") == 0, "timeout: name and type");
	au = audit("includetimeout.example");
	is_int(au->spf.tree->children[0]->state, SPFDMARC_AUDIT_SPF_DNS_ERROR,
	    "include timeout: child marked");
	au = audit("dmarctimeout.dm");
	ok(au->dmarc.org_domain == NULL, "DMARC timeout: org unknown");
	au = audit("insecure.example");
	is_int(au->spf.tree->dnssec, SPFDMARC_DNSSEC_INSECURE,
	    "insecure SPF answer");
	is_int(au->dmarc.dnssec, SPFDMARC_DNSSEC_INSECURE,
	    "insecure DMARC answer");
	au = audit("type99.example");
	ok(au->spf.type99, "type 99 seen");
	is_int(au->dnssec, SPFDMARC_DNSSEC_SECURE, "type 99 answer: secure");
}

static void
test_api(void)
{
	struct spfdmarc_audit *au = (struct spfdmarc_audit *)1;
	unsigned big_enough = 0;
	size_t n;

	(void)audit("good.dm");
	is_int(spfdmarc_audit_run(ctx, arena, "not a domain", &au),
	    SPFDMARC_EINVAL, "bad domain: EINVAL");
	ok(au == NULL, "  *out cleared");
	is_int(spfdmarc_audit_run(ctx, arena, "localhost", &au),
	    SPFDMARC_EINVAL, "single label: EINVAL");
	is_int(spfdmarc_audit_run(NULL, arena, "good.dm", &au),
	    SPFDMARC_EINVAL, "NULL dns");
	is_int(spfdmarc_audit_run(ctx, NULL, "good.dm", &au),
	    SPFDMARC_EINVAL, "NULL arena");
	is_int(spfdmarc_audit_run(ctx, arena, NULL, &au), SPFDMARC_EINVAL,
	    "NULL domain");
	ok(spfdmarc_audit_find(NULL, "x") == NULL, "find NULL");
	ok(spfdmarc_audit_checks(&n) != NULL && n > 0, "catalogue");
	is_str(spfdmarc_audit_severity_name(SPFDMARC_AUDIT_ERROR), "error",
	    "severity name");
	is_str(spfdmarc_audit_spf_state_name(SPFDMARC_AUDIT_SPF_LIMIT),
	    "not-followed", "state name");

	/* Arena limits that run out at every stage: ENOMEM, never a crash
	 * (valgrind and ASan runs check the cleanup). */
	for (size_t lim = 1024; lim < 4 * 1024 * 1024; lim += lim / 8) {
		struct spfdmarc_arena *small = spfdmarc_arena_new(lim);
		struct spfdmarc_dns_ctx *c = spfdmarc_dns_ctx_new(dns, NULL);
		int rc = spfdmarc_audit_run(c, small, "many.example", &au);

		if (rc == 0)
			big_enough++;
		else if (rc != SPFDMARC_ENOMEM)
			ok(0, "arena of %zu: %s", lim, spfdmarc_strerror(rc));
		spfdmarc_dns_ctx_free(c);
		spfdmarc_arena_free(small);
	}
	ok(big_enough > 0, "arena limits: ENOMEM below, success above");
	/* A query cap below what the audit needs: findings, not failure. */
	{
		struct spfdmarc_dns_limits lim = { .max_queries = 3 };
		struct spfdmarc_dns_ctx *c = spfdmarc_dns_ctx_new(dns, &lim);

		is_int(spfdmarc_audit_run(c, arena, "many.example", &au), 0,
		    "query cap: still 0");
		ok(spfdmarc_audit_find(au, "dns-error") != NULL,
		    "query cap: a dns-error finding");
		spfdmarc_dns_ctx_free(c);
	}
}

int
main(void)
{
	load_zone();
	test_cases();
	test_coverage();
	test_clean();
	test_counts();
	test_dmarc();
	test_dns();
	test_api();
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_arena_free(arena);
	spfdmarc_dns_free(dns);
	return done_testing();
}
