/*
 * test_authres.c: Authentication-Results parsing (RFC 8601 §2.2), the
 * trusted-authserv-id filter for DKIM results (§5; CVE-2020-12272), and
 * value quoting for the fields we write.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "spfdmarc/authres.h"
#include "spfdmarc/err.h"
#include "tap.h"

static struct spfdmarc_arena *arena;

static int
parse(const char *v, struct spfdmarc_authres *ar, char *why, size_t wsz)
{
	return spfdmarc_authres_parse(arena, v, strlen(v), ar, why, wsz);
}

static void
test_parse(void)
{
	struct spfdmarc_authres ar;
	char why[128];
	const char *v;

	v = "mx.example.net; dkim=pass header.d=example.com "
	    "header.i=@example.com header.s=sel; spf=pass "
	    "smtp.mailfrom=user@example.com";
	ok(parse(v, &ar, why, sizeof(why)) == 0 && ar.nresults == 2 &&
	    strcmp(ar.authserv_id, "mx.example.net") == 0 &&
	    ar.version == -1 && !ar.none, "two results");
	if (ar.nresults == 2) {
		is_str(ar.results[0].method, "dkim", "method");
		is_str(ar.results[0].result, "pass", "result");
		is_str(spfdmarc_authres_prop(&ar.results[0], "header", "d"),
		    "example.com", "header.d");
		is_str(spfdmarc_authres_prop(&ar.results[0], "HEADER", "I"),
		    "@example.com", "header.i (lookup ignores case)");
		is_str(spfdmarc_authres_prop(&ar.results[1], "smtp",
		    "mailfrom"), "user@example.com", "smtp.mailfrom");
	}

	v = "  (leading) \"mx example\" (c) 1 (c) ; (c) DKIM (c) / (c) 1 (c) = "
	    "(c) PASS (c) reason (c) = (c) \"good sig; really\" (c) HEADER (c)"
	    " . (c) D (c) = (c) Example.COM (the (nested) comment) ;";
	ok(parse(v, &ar, why, sizeof(why)) == 0 && ar.nresults == 1 &&
	    strcmp(ar.authserv_id, "mx example") == 0 && ar.version == 1,
	    "comments everywhere, quoted id, version: %s", why);
	if (ar.nresults == 1) {
		is_str(ar.results[0].method, "dkim", "method lower-cased");
		is_int(ar.results[0].version, 1, "method version");
		is_str(ar.results[0].result, "pass", "result lower-cased");
		is_str(ar.results[0].reason, "good sig; really",
		    "quoted reason with ';'");
		is_str(spfdmarc_authres_prop(&ar.results[0], "header", "d"),
		    "Example.COM", "property value kept as written");
	}

	ok(parse("example.org 1; none", &ar, why, sizeof(why)) == 0 &&
	    ar.none && ar.nresults == 0 && ar.version == 1, "no-result");
	ok(parse("example.org;\r\n\tnone", &ar, why, sizeof(why)) == 0 &&
	    ar.none, "folded no-result");
	ok(parse("example.org; dkim=pass header.b=AbC+/dE= header.d=x.example",
	    &ar, why, sizeof(why)) == 0 &&
	    strcmp(spfdmarc_authres_prop(&ar.results[0], "header", "b"),
	    "AbC+/dE=") == 0, "lenient pvalue: header.b with '+' '/' '='");
	ok(parse("example.org; spf=pass smtp.mailfrom=\"a b\"@example.com",
	    &ar, why, sizeof(why)) != 0,
	    "a quoted local part followed by more is not a pvalue");
	ok(parse("example.org; dkim=pass header.d=\"quoted.example\"", &ar,
	    why, sizeof(why)) == 0 && strcmp(spfdmarc_authres_prop(
	    &ar.results[0], "header", "d"), "quoted.example") == 0,
	    "quoted pvalue");
	ok(parse("example.org; dmarc=fail (p=reject dis=none) "
	    "header.from=example.com policy.dmarc=reject", &ar, why,
	    sizeof(why)) == 0 && strcmp(spfdmarc_authres_prop(&ar.results[0],
	    "policy", "dmarc"), "reject") == 0, "our own shape parses");

	/* Malformed fields. */
	{
		static const char *bad[] = {
			"", "   ", "(only a comment)", "example.org",
			"example.org;", "example.org dkim=pass",
			"example.org; dkim", "example.org; dkim=",
			"example.org; =pass", "example.org; dkim=pass header",
			"example.org; dkim=pass header.d",
			"example.org; dkim=pass (unterminated",
			"\"unterminated; dkim=pass header.d=x.example",
			"example.org; none; dkim=pass header.d=x.example",
			"example.org; dkim/x=pass",
			"example.org; dkim=pass header.d=a.example)",
			"example.net(.example.com; dkim=pass header.d=b.example",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ok(parse(bad[i], &ar, why, sizeof(why)) ==
			    SPFDMARC_ESYNTAX, "malformed: '%s' (%s)", bad[i],
			    why);
	}
	ok(spfdmarc_authres_parse(arena, "a.example; dkim=pass\0 x", 24, &ar,
	    why, sizeof(why)) == SPFDMARC_ESYNTAX, "NUL byte");
	{
		static char big[SPFDMARC_AUTHRES_FIELD_MAX + 16];

		memset(big, ' ', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big, "a.example; none", 15);
		ok(parse(big, &ar, why, sizeof(why)) == SPFDMARC_ERANGE,
		    "over the length limit");
	}
	{
		static char many[8192];
		size_t n = (size_t)snprintf(many, sizeof(many), "a.example");

		for (int i = 0; i < SPFDMARC_AUTHRES_RESULTS_MAX + 1; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n,
			    "; spf=none");
		ok(parse(many, &ar, why, sizeof(why)) == SPFDMARC_ERANGE,
		    "too many results");
		n = (size_t)snprintf(many, sizeof(many), "a.example; dkim=pass");
		for (int i = 0; i < SPFDMARC_AUTHRES_PROPS_MAX + 1; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n,
			    " header.x=%d", i);
		ok(parse(many, &ar, why, sizeof(why)) == SPFDMARC_ERANGE,
		    "too many properties");
	}
}

static void
test_trusted(void)
{
	static const char *trusted[] = { "mx.example.com", "Relay.Example.Org" };
	static const char *fields[] = {
		/* trusted, exact (case ignored) */
		"MX.EXAMPLE.COM; dkim=pass header.d=Good.Example "
		    "header.i=@good.example header.s=s1; dkim=fail "
		    "header.d=bad.example; spf=pass smtp.mailfrom=x@spf.example",
		/* CVE-2020-12272: the id is "example.net", the rest a
		 * comment */
		"example.net(.mx.example.com); dkim=pass header.d=evil1.example",
		/* unterminated comment: the whole field is malformed */
		"example.net(.mx.example.com; dkim=pass header.d=evil2.example",
		/* substring / suffix tricks */
		"evil.mx.example.com; dkim=pass header.d=evil3.example",
		"mx.example.com.evil; dkim=pass header.d=evil4.example",
		"mx.example.co; dkim=pass header.d=evil5.example",
		/* quoted id equal to a trusted one is that id */
		"\"relay.example.org\"; dkim=pass (good) header.d=two.example",
		/* only header.i: not used */
		"mx.example.com; dkim=pass header.i=@ionly.example",
		/* dkim pass in a none field: impossible */
		"mx.example.com; none",
		/* garbage */
		"mx.example.com; dkim=pass header.d=",
	};
	struct spfdmarc_authres_dkim *d;
	size_t n, skipped;

	ok(spfdmarc_authres_dkim_passes(arena, fields, NULL,
	    sizeof(fields) / sizeof(fields[0]), trusted, 2, &d, &n, &skipped)
	    == 0, "dkim_passes");
	is_int(n, 2, "two trusted DKIM passes");
	if (n == 2) {
		is_str(d[0].domain, "good.example", "d= lower-cased");
		is_str(d[0].identity, "@good.example", "header.i");
		is_str(d[0].selector, "s1", "header.s");
		is_str(d[0].authserv_id, "MX.EXAMPLE.COM", "authserv-id");
		is_str(d[1].domain, "two.example", "quoted trusted id");
	}
	is_int(skipped, 1, "one malformed field skipped");
	ok(spfdmarc_authres_dkim_passes(arena, fields, NULL, 1, NULL, 0, &d,
	    &n, NULL) == 0 && n == 0, "no trusted ids: nothing believed");
}

int
main(void)
{
	arena = spfdmarc_arena_new(0);
	test_parse();
	test_trusted();
	spfdmarc_arena_free(arena);
	return done_testing();
}
