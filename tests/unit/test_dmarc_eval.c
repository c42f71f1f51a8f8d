/*
 * test_dmarc_eval.c: DMARC evaluation vectors written from RFC 9989's
 * rules and Appendix B.4 examples (policy discovery §4.10.1, alignment
 * §4.10.2, np= §3.2.13, t= §4.7, the rua rule, temperror §5.3.6), and the
 * RFC 7489 mode (PSL, pct=) with the places where it differs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dmarc_testzone.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "tap.h"

/* The records: tests/dmarc/eval.zone. */

struct vec {
	const char *name;
	enum spfdmarc_dmarc_mode mode;
	const char *author;
	const char *spf;
	const char *dkim[3];
	int pct_draw;
	/* expected; NULL strings mean "must be NULL", "*" means "any" */
	enum spfdmarc_dmarc_result_code result;
	const char *record_domain;
	const char *org_domain;
	const char *published;		/* policy name, or NULL */
	const char *tag;
	const char *evaluated;
	const char *disposition;
	int testing;
	int spf_aligned, dkim_aligned;
	const char *reason_has;		/* substring of reason, or NULL */
};

#define R9 SPFDMARC_DMARC_RFC9989
#define R7 SPFDMARC_DMARC_RFC7489
#define PASS SPFDMARC_DMARC_PASS
#define FAIL SPFDMARC_DMARC_FAIL
#define NONE SPFDMARC_DMARC_NONE
#define TEMP SPFDMARC_DMARC_TEMPERROR
#define PERM SPFDMARC_DMARC_PERMERROR

static const struct vec vecs[] = {
	/* B.4.1: both identifiers align (relaxed; DKIM after its own walk:
	 * signing.example.com's org domain is example.com, fewest labels). */
	{ "B.4.1 SPF and DKIM", R9, "example.com", "example.com",
	    { "signing.example.com" }, -1, PASS, "example.com", "example.com",
	    "reject", "p", "reject", "none", 0, 1, 1, NULL },
	{ "B.4.1 DKIM only", R9, "example.com", NULL,
	    { "signing.example.com" }, -1, PASS, "example.com", "example.com",
	    "reject", "p", "reject", "none", 0, 0, 1, "DKIM" },
	{ "B.4.1 nothing aligns", R9, "example.com", "example.net",
	    { "example.org" }, -1, FAIL, "example.com", "example.com",
	    "reject", "p", "reject", "reject", 0, 0, 0, "no aligned" },
	/* B.4.2: deep Author Domain, policy from the org domain. */
	{ "B.4.2 deep walk pass", R9, "a.b.c.d.e.f.g.h.i.j.k.example.com",
	    "example.com", { "signing.example.com" }, -1, PASS, "example.com",
	    "example.com", "reject", "p", "reject", "none", 0, 1, 1, NULL },
	{ "B.4.2 deep walk fail", R9, "a.b.c.d.e.f.g.h.i.j.k.example.com",
	    NULL, { NULL }, -1, FAIL, "example.com", "example.com", "reject",
	    "p", "reject", "reject", 0, 0, 0, "no SPF or DKIM pass" },
	/* B.4.3: psd=y at bank.example. */
	{ "B.4.3 SPF aligns, DKIM not", R9, "giant.bank.example",
	    "mail.giant.bank.example", { "mail.mega.bank.example" }, -1, PASS,
	    "giant.bank.example", "giant.bank.example", "quarantine", "p",
	    "quarantine", "none", 0, 1, 0, NULL },
	{ "B.4.3 DKIM of another org under the PSD", R9,
	    "giant.bank.example", NULL, { "mail.mega.bank.example" }, -1,
	    FAIL, "giant.bank.example", "giant.bank.example", "quarantine",
	    "p", "quarantine", "quarantine", 0, 0, 0, NULL },
	{ "PSD policy, Author Domain exists: sp", R9, "newco.bank.example",
	    NULL, { NULL }, -1, FAIL, "bank.example", "newco.bank.example",
	    "quarantine", "sp", "quarantine", "quarantine", 0, 0, 0, NULL },
	{ "PSD policy, Author Domain does not exist: np", R9,
	    "ghost.bank.example", NULL, { NULL }, -1, FAIL, "bank.example",
	    "ghost.bank.example", "reject", "np", "reject", "reject", 0, 0, 0,
	    NULL },
	{ "PSD: a sibling under the PSD does not align", R9,
	    "newco.bank.example", "newco2.bank.example", { NULL }, -1, FAIL,
	    "bank.example", "newco.bank.example", "quarantine", "sp", "*",
	    "*", 0, 0, 0, NULL },
	/* np (§3.2.13: NXDOMAIN, RFC 8020) vs sp. */
	{ "np: non-existent subdomain", R9, "nx.example.org", NULL, { NULL },
	    -1, FAIL, "example.org", "example.org", "reject", "np", "reject",
	    "reject", 0, 0, 0, NULL },
	{ "sp: existing subdomain", R9, "exists.example.org", NULL,
	    { NULL }, -1, FAIL, "example.org", "example.org", "quarantine",
	    "sp", "quarantine", "quarantine", 0, 0, 0, NULL },
	{ "sp: empty non-terminal exists (NODATA)", R9, "empty.example.org",
	    NULL, { NULL }, -1, FAIL, "example.org", "example.org",
	    "quarantine", "sp", "quarantine", "quarantine", 0, 0, 0, NULL },
	{ "p at the Author Domain itself (not sp)", R9, "example.org", NULL,
	    { NULL }, -1, FAIL, "example.org", "example.org", "none", "p",
	    "none", "none", 0, 0, 0, NULL },
	{ "np absent: sp for non-existent", R9, "nx.example.info", NULL,
	    { NULL }, -1, FAIL, "example.info", "example.info", "none", "sp",
	    "none", "none", 0, 0, 0, NULL },
	{ "np and sp absent: p for subdomains", R9, "nx.example.biz", NULL,
	    { NULL }, -1, FAIL, "example.biz", "example.biz", "quarantine",
	    "p", "quarantine", "quarantine", 0, 0, 0, NULL },
	{ "existence unknown (all failed) and it matters: temperror", R9,
	    "a.failexist.example", NULL, { NULL }, -1, TEMP,
	    "failexist.example", "failexist.example", NULL, NULL, NULL, "none",
	    0, 0, 0, "cannot tell whether" },
	{ "one NODATA among failures: exists", R9,
	    "b.failexist.example", NULL, { NULL }, -1, FAIL,
	    "failexist.example", "failexist.example", "none", "p", "none",
	    "none", 0, 0, 0, NULL },
	/* t=y: one level softer (§4.7). */
	{ "t=y: reject → quarantine", R9, "testing.example", NULL, { NULL },
	    -1, FAIL, "testing.example", "testing.example", "reject", "p",
	    "quarantine", "quarantine", 1, 0, 0, NULL },
	{ "t=y: quarantine → none", R9, "testq.example", NULL, { NULL }, -1,
	    FAIL, "testq.example", "testq.example", "quarantine", "p", "none",
	    "none", 1, 0, 0, NULL },
	{ "t=y: none stays none", R9, "testn.example", NULL, { NULL }, -1,
	    FAIL, "testn.example", "testn.example", "none", "p", "none",
	    "none", 1, 0, 0, NULL },
	{ "t=y on pass: disposition none", R9, "testing.example",
	    "testing.example", { NULL }, -1, PASS, "testing.example",
	    "testing.example", "reject", "p", "quarantine", "none", 1, 1, 0,
	    NULL },
	/* §4.10.1: no valid p. */
	{ "missing p, no rua: DMARC does not apply", R9, "norua.example",
	    NULL, { NULL }, -1, NONE, "norua.example", "norua.example", NULL,
	    NULL, NULL, "none", 0, 0, 0, "no valid rua" },
	{ "missing p with a valid rua: p=none (sp ignored)", R9,
	    "x.rua.example", NULL, { NULL }, -1, FAIL, "rua.example",
	    "rua.example", "none", "p", "none", "none", 0, 0, 0, NULL },
	{ "invalid p with a valid rua: p=none", R9, "badp.example", NULL,
	    { NULL }, -1, FAIL, "badp.example", "badp.example", "none", "p",
	    "none", "none", 0, 0, 0, NULL },
	{ "unknown tags are ignored", R9, "unknowntags.example", NULL,
	    { NULL }, -1, FAIL, "unknowntags.example", "unknowntags.example",
	    "reject", "p", "reject", "reject", 0, 0, 0, NULL },
	/* Several records at one name: none there, the walk goes on (9989
	 * §4.10 step 2). RFC 7489 §6.6.3 step 5 (and OpenDMARC) stop:
	 * no policy at all. */
	{ "9989: several records at the Author Domain: walk on", R9,
	    "multi.example.net", NULL, { NULL }, -1, FAIL, "example.net",
	    "example.net", "reject", "p", "reject", "reject", 0, 0, 0, NULL },
	{ "7489: several records at the Author Domain: none", R7,
	    "multi.example.net", NULL, { NULL }, -1, NONE, NULL,
	    "example.net", NULL, NULL, NULL, "none", 0, 0, 0, "several" },
	{ "one DMARC record among other TXT", R9, "one.example.net", NULL,
	    { NULL }, -1, FAIL, "one.example.net", "example.net", "none", "p",
	    "none", "none", 0, 0, 0, NULL },
	{ "no record anywhere: none", R9, "nothing.example", "nothing.example",
	    { NULL }, -1, NONE, NULL, "nothing.example", NULL, NULL, NULL,
	    "none", 0, 0, 0, "no DMARC record" },
	/* Strict vs relaxed (§4.4). */
	{ "strict: subdomain SPF does not align", R9, "strict.example",
	    "mail.strict.example", { "mail.strict.example" }, -1, FAIL,
	    "strict.example", "*", "reject", "p", "reject", "reject", 0, 0, 0,
	    NULL },
	{ "strict: exact match aligns, case ignored", R9, "strict.example",
	    "STRICT.example.", { "Strict.Example" }, -1, PASS,
	    "strict.example", "*", "reject", "p", "reject", "none", 0, 1, 1,
	    NULL },
	{ "relaxed: subdomain SPF aligns", R9, "relaxed.example",
	    "bounce.mail.relaxed.example", { NULL }, -1, PASS,
	    "relaxed.example", "relaxed.example", "reject", "p", "reject",
	    "none", 0, 1, 0, NULL },
	{ "relaxed: parent of the Author Domain aligns", R9,
	    "mail.relaxed.example", "relaxed.example", { NULL }, -1, PASS,
	    "relaxed.example", "relaxed.example", "reject", "p", "reject",
	    "none", 0, 1, 0, NULL },
	{ "relaxed: a psd=n subdomain is its own org: no alignment", R9,
	    "relaxed.example", NULL, { "x.orgn.relaxed.example" }, -1, FAIL,
	    "relaxed.example", "relaxed.example", "reject", "p", "reject",
	    "reject", 0, 0, 0, NULL },
	{ "relaxed: unrelated domain with a shared suffix", R9,
	    "relaxed.example", "notrelaxed.example", { NULL }, -1, FAIL,
	    "relaxed.example", "relaxed.example", "reject", "p", "reject",
	    "reject", 0, 0, 0, NULL },
	{ "U-label identifier is compared as A-label", R9, "example.com",
	    NULL, { "bücher.example.com" }, -1, PASS, "example.com",
	    "example.com", "reject", "p", "reject", "none", 0, 0, 1, NULL },
	/* Temporary DNS failures (§5.3.6). */
	{ "SERVFAIL at the Author Domain: temperror", R9, "servfail.example",
	    NULL, { NULL }, -1, TEMP, NULL, NULL, NULL, NULL, NULL, "none", 0,
	    0, 0, "DNS server failure: _dmarc.servfail.example TXT" },
	{ "bogus DNSSEC: temperror", R9, "bogus.example", NULL, { NULL }, -1,
	    TEMP, NULL, NULL, NULL, NULL, NULL, "none", 0, 0, 0,
	    "DNSSEC bogus: _dmarc.bogus.example TXT: _dmarc.bogus.example "
	    "is marked bogus" },
	{ "timeout: temperror", R9, "timeout.example", NULL, { NULL }, -1,
	    TEMP, NULL, NULL, NULL, NULL, NULL, "none", 0, 0, 0,
	    "DNS timeout" },
	{ "failure above an Author Domain record, exact SPF: pass", R9,
	    "sub.parentfail.example", "sub.parentfail.example", { NULL }, -1,
	    PASS, "sub.parentfail.example", NULL, "reject", "p", "reject",
	    "none", 0, 1, 0, NULL },
	{ "failure above, relaxed alignment needed: temperror", R9,
	    "sub.parentfail.example", "x.sub.parentfail.example", { NULL },
	    -1, TEMP, "sub.parentfail.example", NULL, "reject", "p", NULL,
	    "none", 0, 0, 0, "alignment unknown" },
	{ "failure above, no pass at all: fail", R9,
	    "sub.parentfail.example", NULL, { NULL }, -1, FAIL,
	    "sub.parentfail.example", NULL, "reject", "p", "reject", "reject",
	    0, 0, 0, NULL },
	/* RFC 7489 mode: PSL Organizational Domains, sp=, pct=. */
	{ "7489: subdomain, sp, PSL org domain, pct sample applies", R7,
	    "mail.example.co.uk", NULL, { NULL }, 10, FAIL, "example.co.uk",
	    "example.co.uk", "quarantine", "sp", "quarantine", "quarantine", 0,
	    0, 0, NULL },
	{ "7489: pct spares this message: one level softer", R7,
	    "mail.example.co.uk", NULL, { NULL }, 70, FAIL, "example.co.uk",
	    "example.co.uk", "quarantine", "sp", "none", "none", 1, 0, 0,
	    NULL },
	{ "7489: relaxed SPF under the same registrable domain", R7,
	    "mail.example.co.uk", "bounce.example.co.uk", { NULL }, 0, PASS,
	    "example.co.uk", "example.co.uk", "quarantine", "sp", "quarantine",
	    "none", 0, 1, 0, NULL },
	{ "7489: another registrable domain under co.uk", R7,
	    "example.co.uk", "example2.co.uk", { NULL }, 0, FAIL,
	    "example.co.uk", "example.co.uk", "reject", "p", "reject",
	    "reject", 0, 0, 0, NULL },
	/* Where the modes differ. 9989: other.example.co.uk says psd=n, so
	 * it is its own Organizational Domain and does not align with
	 * mail.example.co.uk; 7489 (PSL) puts both in example.co.uk. */
	{ "9989: psd=n subdomain does not align", R9, "mail.example.co.uk",
	    NULL, { "other.example.co.uk" }, -1, FAIL, "example.co.uk",
	    "example.co.uk", "quarantine", "sp", "quarantine", "quarantine", 0,
	    0, 0, NULL },
	{ "7489: same PSL org domain aligns", R7, "mail.example.co.uk", NULL,
	    { "other.example.co.uk" }, 0, PASS, "example.co.uk",
	    "example.co.uk", "quarantine", "sp", "quarantine", "none", 0, 0,
	    1, NULL },
	/* 9989 finds b.deep.co.uk's record by walking; 7489 asks only the
	 * Author Domain and deep.co.uk (its PSL org domain). */
	{ "9989: record found by the walk", R9, "a.b.deep.co.uk", NULL,
	    { NULL }, -1, FAIL, "b.deep.co.uk", "b.deep.co.uk", "reject", "p",
	    "reject", "reject", 0, 0, 0, NULL },
	{ "7489: no record at the name or its PSL org domain", R7,
	    "a.b.deep.co.uk", NULL, { NULL }, 0, NONE, NULL, "deep.co.uk",
	    NULL, NULL, NULL, "none", 0, 0, 0, NULL },
	{ "7489: several records at the org domain: none", R7,
	    "x.twice.co.uk", NULL, { NULL }, 0, NONE, NULL,
	    "twice.co.uk", NULL, NULL, NULL, "none", 0, 0, 0, NULL },
	{ "7489: np= is not an RFC 7489 tag: sp for non-existent", R7,
	    "nx.example.org", NULL, { NULL }, 0, FAIL, "example.org",
	    "example.org", "quarantine", "sp", "quarantine", "quarantine", 0,
	    0, 0, NULL },
	/* Author Domains DMARC cannot use. */
	{ "single-label Author Domain: permerror", R9, "localhost", NULL,
	    { NULL }, -1, PERM, NULL, NULL, NULL, NULL, NULL, "none", 0, 0, 0,
	    "not a usable domain" },
	{ "numeric TLD: permerror", R9, "192.0.2.1", NULL, { NULL }, -1, PERM,
	    NULL, NULL, NULL, NULL, NULL, "none", 0, 0, 0, NULL },
};

static bool
str_ok(const char *got, const char *want)
{
	if (want != NULL && strcmp(want, "*") == 0)
		return true;
	if (got == NULL || want == NULL)
		return got == want;
	return strcmp(got, want) == 0;
}

static void
check(const struct vec *v, const struct spfdmarc_dmarc_result *r)
{
	const char *pub = spfdmarc_dmarc_policy_name(r->published_policy);
	const char *ev = spfdmarc_dmarc_policy_name(r->evaluated_policy);
	const char *disp = spfdmarc_dmarc_policy_name(r->disposition);
	bool good = r->result == v->result &&
	    str_ok(r->record_domain, v->record_domain) &&
	    str_ok(r->org_domain, v->org_domain) && str_ok(pub, v->published) &&
	    str_ok(r->published_tag, v->tag) && str_ok(ev, v->evaluated) &&
	    str_ok(disp, v->disposition) && r->testing == (v->testing != 0) &&
	    r->spf_aligned == (v->spf_aligned != 0) &&
	    r->dkim_aligned == (v->dkim_aligned != 0) &&
	    (v->reason_has == NULL || strstr(r->reason, v->reason_has) != NULL);

	ok(good, "%s: %s", v->name, spfdmarc_dmarc_result_name(v->result));
	if (!good)
		diag("got %s record=%s org=%s policy=%s tag=%s evaluated=%s "
		    "disposition=%s testing=%d spf=%d dkim=%d reason='%s'",
		    spfdmarc_dmarc_result_name(r->result),
		    r->record_domain ? r->record_domain : "-",
		    r->org_domain ? r->org_domain : "-", pub ? pub : "-",
		    r->published_tag ? r->published_tag : "-", ev ? ev : "-",
		    disp ? disp : "-", r->testing, r->spf_aligned,
		    r->dkim_aligned, r->reason);
}

static void
run_vec(struct spfdmarc_dns *dns, const struct vec *v)
{
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dmarc_result res;
	size_t nd = 0;
	int rc;

	while (nd < 3 && v->dkim[nd] != NULL)
		nd++;
	memset(&req, 0, sizeof(req));
	req.mode = v->mode;
	req.author_domain = v->author;
	req.spf_pass_domain = v->spf;
	req.dkim_pass_domains = v->dkim;
	req.ndkim_pass_domains = nd;
	req.pct_draw = v->pct_draw;
	rc = spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
	if (rc != 0)
		diag("evaluate: %s", spfdmarc_dmarc_result_name(res.result));
	check(v, &res);
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
}

/* The From field path: permerror for none and several. */
static void
test_from(struct spfdmarc_dns *dns)
{
	static const struct {
		const char *from;
		enum spfdmarc_dmarc_result_code want;
		const char *reason_has;
	} v[] = {
		{ "Someone <someone@example.com>", FAIL, NULL },
		{ "a@example.com, b@example.org", PERM, "different domains" },
		{ "<>", PERM, "<>" },
		{ "user@[192.0.2.1]", PERM, "domain literal" },
		{ "\"admin@bank.example\" <evil@nothing.example>", NONE,
		    "nothing.example" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
		struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
		struct spfdmarc_dmarc_request req;
		struct spfdmarc_dmarc_result res;
		const char *fields[1] = { v[i].from };

		memset(&req, 0, sizeof(req));
		req.from_fields = fields;
		req.nfrom_fields = 1;
		req.pct_draw = -1;
		(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
		ok(res.result == v[i].want && (v[i].reason_has == NULL ||
		    strstr(res.reason, v[i].reason_has) != NULL),
		    "From '%s': %s", v[i].from,
		    spfdmarc_dmarc_result_name(v[i].want));
		if (res.result != v[i].want)
			diag("got %s: %s",
			    spfdmarc_dmarc_result_name(res.result), res.reason);
		spfdmarc_arena_free(arena);
		spfdmarc_dns_ctx_free(ctx);
	}
	{
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
		struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
		struct spfdmarc_dmarc_request req;
		struct spfdmarc_dmarc_result res;
		const char *fields[2] = { "a@example.com", "a@example.com" };

		memset(&req, 0, sizeof(req));
		req.from_fields = fields;
		req.nfrom_fields = 2;
		(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
		ok(res.result == PERM && strstr(res.reason, "2 From fields"),
		    "two From fields: permerror");
		spfdmarc_arena_free(arena);
		spfdmarc_dns_ctx_free(ctx);
	}
}

/* DNSSEC state: the worst of the answers the result rests on. */
static void
test_dnssec(struct spfdmarc_dns *dns)
{
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dmarc_result res;
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_arena *arena;

	memset(&req, 0, sizeof(req));
	req.author_domain = "insecure.example";
	req.spf_pass_domain = "insecure.example";
	req.pct_draw = -1;
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	arena = spfdmarc_arena_new(0);
	(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
	ok(res.result == PASS && res.dnssec == SPFDMARC_DNSSEC_INSECURE,
	    "an insecure record makes the result insecure");
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);

	req.author_domain = "example.com";
	req.spf_pass_domain = "example.com";
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	arena = spfdmarc_arena_new(0);
	(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
	ok(res.result == PASS && res.dnssec == SPFDMARC_DNSSEC_SECURE,
	    "secure answers: secure");
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);

	req.author_domain = "bogus.example";
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	arena = spfdmarc_arena_new(0);
	(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
	ok(res.result == TEMP && res.dnssec == SPFDMARC_DNSSEC_BOGUS,
	    "bogus: temperror, dnssec bogus");
	ok(strstr(res.reason, "DNSSEC bogus") == res.reason &&
	    strstr(res.reason + 1, "DNSSEC bogus") == NULL,
	    "bogus: the reason says 'DNSSEC bogus' once: %s", res.reason);
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
}

/*
 * One NXDOMAIN among failures: the name does not exist (RFC 8020). The
 * zone cannot answer NXDOMAIN for one type of a name and fail for
 * another, so the context's query cap makes the failures: the walk's 3
 * TXT queries and the A query fit, AAAA and MX are refused (ERROR).
 */
static void
test_existence_cap(struct spfdmarc_dns *dns)
{
	struct spfdmarc_dns_limits lim = { .timeout_ms = 5000,
	    .max_queries = 4 };
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, &lim);
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dmarc_result res;

	memset(&req, 0, sizeof(req));
	req.author_domain = "gone.failexist.example";
	req.pct_draw = -1;
	(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
	ok(res.result == FAIL && res.published_policy ==
	    SPFDMARC_DMARC_POLICY_REJECT && res.published_tag != NULL &&
	    strcmp(res.published_tag, "np") == 0 &&
	    res.author_exists == SPFDMARC_DMARC_EXISTS_NO,
	    "one NXDOMAIN among failed existence queries: np");
	if (res.result != FAIL)
		diag("got %s: %s", spfdmarc_dmarc_result_name(res.result),
		    res.reason);
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
}

/*
 * The existence queries (A, AAAA, MX of the Author Domain) are made only
 * when their answer picks np or sp, after the walk; never when the Author
 * Domain has its own record, np is absent or equal to sp, RFC 7489 mode,
 * or the DNS already said (an existing _dmarc.<author>, an answer for the
 * author in the context). The zone's query log counts them.
 */
static void
test_existence_queries(struct spfdmarc_dns *dns,
    struct spfdmarc_dns_zone *zone)
{
	static const struct {
		const char *what;
		enum spfdmarc_dmarc_mode mode;
		const char *author;
		bool txt_first;		/* SPF asked TXT <author> before */
		const char *tag;
		enum spfdmarc_dmarc_existence exists;
		unsigned queries;	/* A + AAAA + MX of the author */
	} v[] = {
		{ "own record (np= in it)", R9, "example.org", false, "p",
		    SPFDMARC_DMARC_EXISTS_UNKNOWN, 0 },
		{ "np absent", R9, "nx.example.info", false, "sp",
		    SPFDMARC_DMARC_EXISTS_UNKNOWN, 0 },
		{ "np equal to sp", R9, "nx.npsame.example", false, "sp",
		    SPFDMARC_DMARC_EXISTS_UNKNOWN, 0 },
		{ "RFC 7489 mode (no np=)", R7, "nx.example.org", false, "sp",
		    SPFDMARC_DMARC_EXISTS_UNKNOWN, 0 },
		{ "np differs, author exists", R9, "exists.example.org", false,
		    "sp", SPFDMARC_DMARC_EXISTS_YES, 3 },
		{ "np differs, author NXDOMAIN", R9, "nx.example.org", false,
		    "np", SPFDMARC_DMARC_EXISTS_NO, 3 },
		{ "np differs, empty non-terminal author", R9,
		    "empty.example.org", false, "sp", SPFDMARC_DMARC_EXISTS_YES,
		    3 },
		{ "_dmarc.<author> has other TXT: exists", R9,
		    "txt.example.org", false, "sp", SPFDMARC_DMARC_EXISTS_YES,
		    0 },
		{ "_dmarc.<author> is NODATA: exists", R9, "ent.example.org",
		    false, "sp", SPFDMARC_DMARC_EXISTS_YES, 0 },
		{ "SPF's TXT <author> NXDOMAIN in the context", R9,
		    "nx2.example.org", true, "np", SPFDMARC_DMARC_EXISTS_NO, 0 },
		{ "SPF's TXT <author> NODATA in the context", R9,
		    "exists.example.org", true, "sp", SPFDMARC_DMARC_EXISTS_YES,
		    0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
		struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
		struct spfdmarc_dmarc_request req;
		struct spfdmarc_dmarc_result res;
		unsigned n;

		spfdmarc_dns_zone_reset_queries(zone);
		if (v[i].txt_first)
			(void)spfdmarc_dns_lookup(ctx, v[i].author,
			    SPFDMARC_DNS_TXT);
		memset(&req, 0, sizeof(req));
		req.mode = v[i].mode;
		req.author_domain = v[i].author;
		req.pct_draw = 0;
		(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
		n = spfdmarc_dns_zone_query_count_for(zone, v[i].author,
		    SPFDMARC_DNS_A) + spfdmarc_dns_zone_query_count_for(zone,
		    v[i].author, SPFDMARC_DNS_AAAA) +
		    spfdmarc_dns_zone_query_count_for(zone, v[i].author,
		    SPFDMARC_DNS_MX);
		ok(res.result == FAIL && res.published_tag != NULL &&
		    strcmp(res.published_tag, v[i].tag) == 0 &&
		    res.author_exists == v[i].exists && n == v[i].queries,
		    "existence: %s: %s, %u existence queries", v[i].what,
		    v[i].tag, v[i].queries);
		if (res.result != FAIL || n != v[i].queries)
			diag("got %s tag=%s exists=%d queries=%u: %s",
			    spfdmarc_dmarc_result_name(res.result),
			    res.published_tag != NULL ? res.published_tag : "-",
			    (int)res.author_exists, n, res.reason);
		spfdmarc_arena_free(arena);
		spfdmarc_dns_ctx_free(ctx);
	}

	/* When they are made, it is after the walk: first the TXT
	 * queries, then A, AAAA and MX together. */
	{
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
		struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
		struct spfdmarc_dmarc_request req;
		struct spfdmarc_dmarc_result res;
		char log[512], name[SPFDMARC_DNAME_BUFSIZE];
		enum spfdmarc_dns_type type;
		size_t o = 0;

		spfdmarc_dns_zone_reset_queries(zone);
		memset(&req, 0, sizeof(req));
		req.author_domain = "nx.example.org";
		req.pct_draw = -1;
		(void)spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
		log[0] = '\0';
		for (size_t i = 0; spfdmarc_dns_zone_query_at(zone, i, name,
		    sizeof(name), &type) && o < sizeof(log); i++)
			o += (size_t)snprintf(log + o, sizeof(log) - o,
			    "%s %s\n", spfdmarc_dns_type_name(type), name);
		is_str(log, "TXT _dmarc.nx.example.org\nTXT _dmarc.example.org\n"
		    "TXT _dmarc.org\nA nx.example.org\nAAAA nx.example.org\n"
		    "MX nx.example.org\n",
		    "existence queries after the walk, all three at once");
		spfdmarc_arena_free(arena);
		spfdmarc_dns_ctx_free(ctx);
	}
}

/* The two-step API: discover early, finish once. */
static void
test_steps(struct spfdmarc_dns *dns)
{
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	struct spfdmarc_dmarc *d;
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dmarc_result res;
	struct spfdmarc_dns_stats st;

	memset(&req, 0, sizeof(req));
	req.dkim_pass_domains = (const char *const[]){ "signing.example.com" };
	req.ndkim_pass_domains = 1;
	ok(spfdmarc_dmarc_discover(ctx, arena, R9, "example.com", &d) == 0,
	    "discover");
	spfdmarc_dns_ctx_stats(ctx, &st);
	ok(st.queries == 2 && st.lookups == 0,
	    "discover starts the 2 walk queries (no existence queries), "
	    "looks up none");
	ok(spfdmarc_dmarc_finish(d, &req, &res) == 0 &&
	    res.result == PASS && res.dkim_aligned, "finish: pass");
	ok(spfdmarc_dmarc_finish(d, &req, &res) == SPFDMARC_ESTATE,
	    "finish twice: ESTATE");
	spfdmarc_dns_ctx_stats(ctx, &st);
	ok(st.queries == 3, "the DKIM walk adds only _dmarc.signing.example.com");
	ok(spfdmarc_dmarc_discover(NULL, arena, R9, "x.example", &d) ==
	    SPFDMARC_EINVAL, "discover without DNS: EINVAL");
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
}

int
main(void)
{
	struct spfdmarc_dns_zone *zone;
	struct spfdmarc_dns *dns = testzone_open("eval.zone", &zone);

	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		run_vec(dns, &vecs[i]);
	test_from(dns);
	test_dnssec(dns);
	test_existence_cap(dns);
	test_existence_queries(dns, zone);
	test_steps(dns);
	spfdmarc_dns_free(dns);
	return done_testing();
}
