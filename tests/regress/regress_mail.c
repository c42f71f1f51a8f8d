/*
 * regress_mail.c: the message-side attack classes, over the library API.
 *
 * From (OpenDMARC CVE-2019-16378, CVE-2021-34555 and its issues about
 * picking the wrong domain): two addresses of different domains, two
 * From fields, unbalanced brackets, quotes and parentheses, a quoted '@'
 * or '>' in a display name, empty and domain-less addresses next to good
 * ones, CR/LF and NUL; DMARC over such a message is permerror, never the
 * domain an attacker hid in a display name.
 *
 * Authentication-Results (CVE-2020-12272): a forged field with the
 * receiver's own authserv-id is only believed when that id is trusted
 * (the milter deletes such fields before; the library never trusts an id
 * it was not given), look-alike ids are never trusted, and
 * "example.net(.example.com" is from example.net.
 */
#include "config.h"

#include "regress.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/authres.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/rfc5322.h"

static void
from_is(const char *const *values, size_t n, const size_t *lens,
    enum spfdmarc_rfc5322_from_status want, const char *domain,
    const char *what)
{
	struct spfdmarc_rfc5322_from f;
	static const char *const names[] = { "ONE", "NONE", "SEVERAL" };
	int rc;

	rc = lens != NULL ?
	    spfdmarc_rfc5322_from_domain_n(values, lens, n, &f) :
	    spfdmarc_rfc5322_from_domain(values, n, &f);
	is_int(rc, 0, "%s: parsed", what);
	if (!is_str(names[f.status], names[want], "  %s", names[want]))
		diag("domain '%s' reason '%s'", f.domain, f.reason);
	if (domain != NULL)
		is_str(f.domain, domain, "  author domain %s", domain);
	ok(rg_clean(f.reason, sizeof(f.reason)), "  reason is clean");
}

static void
test_from(void)
{
	static const struct {
		const char *value;
		enum spfdmarc_rfc5322_from_status want;
		const char *domain;
		const char *what;
	} one[] = {
		{ "a@example.com, b@evil.example", SPFDMARC_RFC5322_FROM_SEVERAL,
		    NULL, "two addresses, different domains" },
		{ "a@example.com, b@EXAMPLE.com.", SPFDMARC_RFC5322_FROM_ONE,
		    "example.com", "two addresses, one domain" },
		{ "\"victim@bank.example\" <attacker@evil.example>",
		    SPFDMARC_RFC5322_FROM_ONE, "evil.example",
		    "CVE-2019-16378: quoted address in the display name" },
		{ "\"<victim@bank.example>\" <attacker@evil.example>",
		    SPFDMARC_RFC5322_FROM_ONE, "evil.example",
		    "quoted angle address in the display name" },
		{ "\"a>b@bank.example\" <attacker@evil.example>",
		    SPFDMARC_RFC5322_FROM_ONE, "evil.example",
		    "quoted '>' and '@' in the display name" },
		{ "\"x\\\"@bank.example\" <attacker@evil.example>",
		    SPFDMARC_RFC5322_FROM_ONE, "evil.example",
		    "escaped quote inside the display name" },
		{ "\"attacker@evil.example\"@bank.example",
		    SPFDMARC_RFC5322_FROM_ONE, "bank.example",
		    "quoted '@' in a local part" },
		{ "victim@bank.example <attacker@evil.example>",
		    SPFDMARC_RFC5322_FROM_NONE, NULL,
		    "unquoted '@' in a display name" },
		{ "<attacker@evil.example", SPFDMARC_RFC5322_FROM_NONE, NULL,
		    "unbalanced '<'" },
		{ "attacker@evil.example>", SPFDMARC_RFC5322_FROM_NONE, NULL,
		    "unbalanced '>'" },
		{ "<<attacker@evil.example>>", SPFDMARC_RFC5322_FROM_NONE, NULL,
		    "doubled brackets" },
		{ "Bank <victim@bank.example> <attacker@evil.example>",
		    SPFDMARC_RFC5322_FROM_NONE, NULL, "two angle addresses" },
		{ "\"Bank <attacker@evil.example>", SPFDMARC_RFC5322_FROM_NONE,
		    NULL, "unbalanced quote" },
		{ "(Bank <attacker@evil.example>", SPFDMARC_RFC5322_FROM_NONE,
		    NULL, "unbalanced parenthesis" },
		{ "attacker@evil.example (victim@bank.example",
		    SPFDMARC_RFC5322_FROM_NONE, NULL, "unclosed comment" },
		{ "a@example.com, <>", SPFDMARC_RFC5322_FROM_SEVERAL, NULL,
		    "CVE-2021-34555: a good address and an empty one" },
		{ "a@example.com, b", SPFDMARC_RFC5322_FROM_NONE, NULL,
		    "a good address and one without a domain" },
		{ "<>", SPFDMARC_RFC5322_FROM_NONE, NULL, "only <>" },
		{ "", SPFDMARC_RFC5322_FROM_NONE, NULL, "empty value" },
		{ ",", SPFDMARC_RFC5322_FROM_NONE, NULL, "only a comma" },
		{ "undisclosed-recipients:;", SPFDMARC_RFC5322_FROM_NONE, NULL,
		    "an empty group" },
		{ "a@example.com\r\nFrom: b@evil.example",
		    SPFDMARC_RFC5322_FROM_NONE, NULL, "a header line injected" },
		{ "a@example.com\r\n (folded comment)",
		    SPFDMARC_RFC5322_FROM_ONE, "example.com", "a folded line" },
		{ "a@[192.0.2.1]", SPFDMARC_RFC5322_FROM_NONE, NULL,
		    "a domain literal" },
	};
	const char *two[2] = { "a@example.com", "b@example.com" };
	const char *nul[1] = { "a@bank.example\0.evil.example" };
	size_t nullen = 29;

	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		from_is(&one[i].value, 1, NULL, one[i].want, one[i].domain,
		    one[i].what);
	from_is(two, 2, NULL, SPFDMARC_RFC5322_FROM_SEVERAL, NULL,
	    "two From fields (same domain)");
	two[1] = "b@evil.example";
	from_is(two, 2, NULL, SPFDMARC_RFC5322_FROM_SEVERAL, NULL,
	    "two From fields (different domains)");
	from_is(nul, 1, &nullen, SPFDMARC_RFC5322_FROM_NONE, NULL,
	    "a NUL byte in the field");

	/* More distinct domains than are kept (fuzz_rfc5322_from: the
	 * duplicate check read past domains[]; ASan/UBSan builds see it). */
	{
		char many[1024];
		const char *v[1] = { many };
		struct spfdmarc_rfc5322_from f;
		size_t o = 0;
		bool distinct = true;

		for (int i = 0; i < 12; i++)
			o += (size_t)snprintf(many + o, sizeof(many) - o,
			    "%su%d@d%d.example, u@d%d.example", i ? ", " : "",
			    i, i, i);
		is_int(spfdmarc_rfc5322_from_domain(v, 1, &f), 0,
		    "12 domains, each twice: parsed");
		is_int(f.status, SPFDMARC_RFC5322_FROM_SEVERAL, "  SEVERAL");
		is_int((long long)f.ndomains, SPFDMARC_RFC5322_DOMAINS_MAX,
		    "  ndomains capped at what is kept");
		for (size_t i = 0; i < f.ndomains; i++)
			for (size_t j = i + 1; j < f.ndomains; j++)
				if (strcmp(f.domains[i], f.domains[j]) == 0)
					distinct = false;
		ok(distinct, "  the kept domains are distinct");
	}
}

/* DMARC over a message with hostile From fields: permerror, and never a
 * policy or an alignment of the domain hidden in the display name. */
static void
test_dmarc_from(void)
{
	static const char zone[] =
	    "_dmarc.bank.example TXT \"v=DMARC1; p=reject\"\n"
	    "bank.example A 192.0.2.1\n"
	    "evil.example A 192.0.2.2\n";
	static const char *const fields[][2] = {
		{ "a@bank.example, b@evil.example", NULL },
		{ "a@bank.example", "b@evil.example" },
		{ "<a@bank.example", NULL },
	};
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dmarc_result res;

	rg_load(zone, sizeof(zone) - 1);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(rg_dns,
		    NULL);
		struct spfdmarc_arena *arena = spfdmarc_arena_new(0);

		memset(&req, 0, sizeof(req));
		req.from_fields = fields[i];
		req.nfrom_fields = fields[i][1] != NULL ? 2 : 1;
		req.spf_pass_domain = "evil.example";
		req.pct_draw = -1;
		is_int(spfdmarc_dmarc_evaluate(ctx, arena, &req, &res), 0,
		    "DMARC with hostile From %zu runs", i);
		is_str(spfdmarc_dmarc_result_name(res.result), "permerror",
		    "  permerror");
		ok(!res.spf_aligned, "  nothing aligned");
		ok(rg_clean(res.reason, sizeof(res.reason)), "  reason clean");
		spfdmarc_arena_free(arena);
		spfdmarc_dns_ctx_free(ctx);
	}
}

static size_t
passes(const char *const *values, size_t n, const char *const *trusted,
    size_t ntrusted, const char **domain)
{
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	struct spfdmarc_authres_dkim *dk = NULL;
	size_t ndk = 0, skipped = 0;
	static char seen[256];

	seen[0] = '\0';
	if (spfdmarc_authres_dkim_passes(arena, values, NULL, n, trusted,
	    ntrusted, &dk, &ndk, &skipped) != 0)
		ndk = (size_t)-1;
	else if (ndk > 0)
		(void)snprintf(seen, sizeof(seen), "%s", dk[0].domain);
	*domain = seen;
	spfdmarc_arena_free(arena);
	return ndk;
}

static void
test_authres(void)
{
	static const char *const ours[] = { "mx.receiver.example" };
	static const char *const upstream[] = { "relay.receiver.example" };
	static const char *const ex_com[] = { "example.com" };
	static const char *const lookalike[] = {
		"mx.receiver.example.evil.example; dkim=pass header.d=bank.example",
		"evil.mx.receiver.example; dkim=pass header.d=bank.example",
		"mx-receiver.example; dkim=pass header.d=bank.example",
		"mx.receiver.exampl; dkim=pass header.d=bank.example",
		"mx.receiver.example(; dkim=pass header.d=bank.example",
		"mx.receiver.example.; dkim=pass header.d=bank.example",
		"x mx.receiver.example; dkim=pass header.d=bank.example",
		"mx.receiver.example\r\n\t.evil; dkim=pass header.d=bank.example",
	};
	const char *forged[1] = {
		"mx.receiver.example; dkim=pass header.d=bank.example" };
	const char *cve[1] = {
		"example.net(.example.com; dkim=pass header.d=bank.example" };
	const char *cve2[1] = {
		"example.com; dkim=pass header.d=example.net(.example.com" };
	const char *cve3[1] = {
		"example.com; dkim=pass header.d=example.net(.example.com)" };
	const char *only_i[1] = {
		"mx.receiver.example; dkim=pass header.i=@bank.example" };
	const char *d;

	/* Our own id is believed only where the caller trusts it; the
	 * milter deletes fields with it before (DESIGN: forged A-R). */
	is_int(passes(forged, 1, upstream, 1, &d), 0,
	    "forged A-R with our authserv-id: not trusted by an upstream list");
	is_int(passes(forged, 1, ours, 1, &d), 1,
	    "  (trusted only when our id is in the list)");
	for (size_t i = 0; i < sizeof(lookalike) / sizeof(lookalike[0]); i++)
		is_int(passes(&lookalike[i], 1, ours, 1, &d), 0,
		    "look-alike authserv-id %zu never trusted", i);
	is_int(passes(cve, 1, ex_com, 1, &d), 0,
	    "CVE-2020-12272: 'example.net(.example.com' is not example.com");
	is_int(passes(cve2, 1, ex_com, 1, &d), 0,
	    "'header.d=example.net(.example.com': unclosed comment, refused");
	is_int(passes(cve3, 1, ex_com, 1, &d), 1,
	    "'header.d=example.net(.example.com)': one pass");
	is_str(d, "example.net", "  for example.net (the comment dropped)");
	is_int(passes(only_i, 1, ours, 1, &d), 0,
	    "a pass with only header.i is not used");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_from();
	test_dmarc_from();
	test_authres();
	spfdmarc_dns_free(rg_dns);
	return done_testing();
}
