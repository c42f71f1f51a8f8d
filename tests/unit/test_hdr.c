/*
 * test_hdr.c: Authentication-Results / Received-SPF builders and the
 * authserv-id reader (lib/hdr_build.c). The hostile cases matter most:
 * nothing from a peer may add a line, a ';' clause, or unbalance quotes.
 */
#include "config.h"

#include <string.h>

#include "spfdmarc/err.h"
#include "spfdmarc/hdr.h"
#include "tap.h"

/* The ';' outside quoted-strings and comments, as an RFC 8601 parser
 * sees them; negative when a quote or comment is left unbalanced. */
static int
count_clauses(const char *s)
{
	int semis = 0, depth = 0;
	bool quoted = false;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\\' && (quoted || depth > 0)) {
			if (p[1] != '\0')
				p++;
			continue;
		}
		if (quoted) {
			if (*p == '"')
				quoted = false;
			continue;
		}
		if (depth > 0) {
			if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			continue;
		}
		if (*p == '"')
			quoted = true;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			return -100;	/* unbalanced */
		else if (*p == ';')
			semis++;
	}
	if (quoted || depth != 0)
		return -1000;
	return semis;
}

static int
count_newlines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			n++;
	return n;
}

static void
test_ar_shape(void)
{
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, "\n\t");
	spfdmarc_hdr_ar_begin(&h, "mx.example.net");
	spfdmarc_hdr_ar_method(&h, "spf", "pass");
	spfdmarc_hdr_comment(&h, "dnssec=secure");
	spfdmarc_hdr_ar_prop(&h, "smtp", "mailfrom", "sender@example.com");
	spfdmarc_hdr_ar_prop(&h, "smtp", "helo", "mail.example.com");
	spfdmarc_hdr_ar_method(&h, "dmarc", "fail");
	spfdmarc_hdr_comment(&h, "p=reject t=n dnssec=insecure");
	spfdmarc_hdr_ar_prop(&h, "header", "from", "example.com");
	spfdmarc_hdr_ar_prop(&h, "policy", "dmarc", "reject");
	is_int(spfdmarc_hdr_finish(&h), 0, "A-R builds");
	is_str(spfdmarc_buf_str(&b),
	    "mx.example.net;\n"
	    "\tspf=pass (dnssec=secure) smtp.mailfrom=sender@example.com "
	    "smtp.helo=mail.example.com;\n"
	    "\tdmarc=fail (p=reject t=n dnssec=insecure) header.from=example.com "
	    "policy.dmarc=reject",
	    "A-R has the DESIGN.md shape");
	spfdmarc_buf_release(&b);

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "mx.example.net");
	spfdmarc_hdr_ar_none(&h);
	is_int(spfdmarc_hdr_finish(&h), 0, "none builds");
	is_str(spfdmarc_buf_str(&b), "mx.example.net; none", "A-R none");
	spfdmarc_buf_release(&b);
}

struct pv {
	const char *in, *out;
};

static void
test_pvalues(void)
{
	static const struct pv cases[] = {
		{ "example.com", "example.com" },
		{ "a.b@example.com", "a.b@example.com" },
		{ "@example.com", "@example.com" },
		{ "", "\"\"" },
		{ "a b@example.com", "\"a b\"@example.com" },
		{ "x;dkim=pass@example.com", "\"x;dkim=pass\"@example.com" },
		{ "\"q\"@example.com", "\"\\\"q\\\"\"@example.com" },
		{ "[192.0.2.1]", "\"[192.0.2.1]\"" },
		{ "2001:db8::1", "\"2001:db8::1\"" },
		{ "a@b@example.com", "\"a@b\"@example.com" },
		{ "evil.example\r\nX-Injected: 1", "\"evil.example??X-Injected: 1\"" },
		{ "h; dkim=pass header.d=bank.example",
		    "\"h; dkim=pass header.d=bank.example\"" },
		{ "x@exa mple.com", "\"x@exa mple.com\"" },
		{ "\xc3\xa9t\xc3\xa9@example.com", "\"\xc3\xa9t\xc3\xa9\"@example.com" },
		{ "bad\xff" "byte", "\"bad?byte\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "tab\there", "\"tab\there\"" },
	};
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;
	char want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spfdmarc_buf_init(&b, NULL, 4096);
		spfdmarc_hdr_init(&h, &b, NULL);
		spfdmarc_hdr_ar_begin(&h, "mx");
		spfdmarc_hdr_ar_method(&h, "spf", "pass");
		spfdmarc_hdr_ar_prop(&h, "smtp", "mailfrom", cases[i].in);
		is_int(spfdmarc_hdr_finish(&h), 0, "pvalue %zu builds", i);
		(void)snprintf(want, sizeof(want),
		    "mx; spf=pass smtp.mailfrom=%s", cases[i].out);
		is_str(spfdmarc_buf_str(&b), want, "pvalue %zu written safely", i);
		is_int(count_clauses(spfdmarc_buf_str(&b)), 1,
		    "pvalue %zu adds no clause", i);
		is_int(count_newlines(spfdmarc_buf_str(&b)), 0,
		    "pvalue %zu adds no line", i);
		spfdmarc_buf_release(&b);
	}
}

static void
test_comments(void)
{
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "mx");
	spfdmarc_hdr_ar_method(&h, "spf", "fail");
	spfdmarc_hdr_comment(&h, "x) ; dkim=pass (y\\");
	spfdmarc_hdr_comment(&h, "line\nbreak\rand\0nul");
	is_int(spfdmarc_hdr_finish(&h), 0, "comments build");
	is_str(spfdmarc_buf_str(&b),
	    "mx; spf=fail (x\\) ; dkim=pass \\(y\\\\) (line?break?and)",
	    "comment delimiters escaped, controls replaced");
	is_int(count_clauses(spfdmarc_buf_str(&b)), 1,
	    "a comment adds no clause");
	spfdmarc_buf_release(&b);
}

static void
test_keywords(void)
{
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;

	ok(spfdmarc_hdr_is_keyword("spf", 3), "spf is a keyword");
	ok(spfdmarc_hdr_is_keyword("x-foo", 5), "x-foo is a keyword");
	ok(!spfdmarc_hdr_is_keyword("-x", 2), "-x is not");
	ok(!spfdmarc_hdr_is_keyword("x-", 2), "x- is not");
	ok(!spfdmarc_hdr_is_keyword("a;b", 3), "a;b is not");
	ok(!spfdmarc_hdr_is_keyword("", 0), "empty is not");

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "mx");
	spfdmarc_hdr_ar_method(&h, "spf", "pass; dkim=pass");
	is_int(spfdmarc_hdr_finish(&h), SPFDMARC_EINVAL,
	    "a result that is not a keyword is refused");
	is_str(spfdmarc_buf_str(&b), "mx", "and nothing of it is written");
	spfdmarc_buf_release(&b);

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, "\n\tX-Evil: 1");
	is_int(spfdmarc_hdr_finish(&h), SPFDMARC_EINVAL,
	    "a fold that is not whitespace is refused");
	spfdmarc_buf_release(&b);
}

static void
test_authserv_quoting(void)
{
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "odd id;x");
	spfdmarc_hdr_ar_none(&h);
	is_int(spfdmarc_hdr_finish(&h), 0, "odd authserv-id builds");
	is_str(spfdmarc_buf_str(&b), "\"odd id;x\"; none",
	    "an authserv-id that is not a token is quoted");
	spfdmarc_buf_release(&b);
}

static void
test_received_spf(void)
{
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, "\n\t");
	spfdmarc_hdr_rspf_begin(&h, "pass");
	spfdmarc_hdr_comment(&h, "mybox.example.org: domain of "
	    "myname@example.com designates 192.0.2.1 as permitted sender");
	spfdmarc_hdr_rspf_kv(&h, "receiver", "mybox.example.org");
	spfdmarc_hdr_rspf_kv(&h, "client-ip", "192.0.2.1");
	spfdmarc_hdr_rspf_kv(&h, "envelope-from", "myname@example.com");
	spfdmarc_hdr_rspf_kv(&h, "helo", "foo.example.com");
	is_int(spfdmarc_hdr_finish(&h), 0, "Received-SPF builds");
	is_str(spfdmarc_buf_str(&b),
	    "pass (mybox.example.org: domain of myname@example.com designates "
	    "192.0.2.1 as permitted sender)\n\treceiver=mybox.example.org; "
	    "client-ip=192.0.2.1; envelope-from=\"myname@example.com\"; "
	    "helo=foo.example.com;",
	    "Received-SPF as in RFC 7208 §9.1");
	spfdmarc_buf_release(&b);

	spfdmarc_buf_init(&b, NULL, 4096);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_rspf_begin(&h, "fail");
	spfdmarc_hdr_rspf_kv(&h, "helo", "x\";\r\nX-Evil: y");
	spfdmarc_hdr_rspf_kv(&h, "client-ip", "2001:db8::1");
	is_int(spfdmarc_hdr_finish(&h), 0, "hostile Received-SPF builds");
	is_str(spfdmarc_buf_str(&b),
	    "fail helo=\"x\\\";??X-Evil: y\"; client-ip=\"2001:db8::1\";",
	    "hostile HELO quoted in Received-SPF");
	spfdmarc_buf_release(&b);
}

static void
test_truncation(void)
{
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;
	char small[32];

	spfdmarc_buf_init_fixed(&b, small, sizeof(small));
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "mx.example.net");
	spfdmarc_hdr_ar_method(&h, "spf", "pass");
	spfdmarc_hdr_ar_prop(&h, "smtp", "mailfrom",
	    "a-rather-long-sender@example.com");
	is_int(spfdmarc_hdr_finish(&h), SPFDMARC_ETRUNC,
	    "a full buffer is reported");
}

struct asid {
	const char *in;
	int rc;
	const char *out;
};

static void
test_authserv_id(void)
{
	static const struct asid cases[] = {
		{ "mx.example.net; spf=pass", 0, "mx.example.net" },
		{ " mx.example.net 1; none", 0, "mx.example.net" },
		{ "\r\n\tmx.example.net;", 0, "mx.example.net" },
		{ "(comment (nested)) mx.example.net;", 0, "mx.example.net" },
		{ "\"quoted id\"; none", 0, "quoted id" },
		{ "\"q\\\"x\"; none", 0, "q\"x" },
		{ "MX.Example.NET", 0, "MX.Example.NET" },
		{ "", SPFDMARC_ESYNTAX, "" },
		{ "   ; spf=pass", SPFDMARC_ESYNTAX, "" },
		{ "(unclosed mx.example.net;", SPFDMARC_ESYNTAX, "" },
		{ "\"unclosed", SPFDMARC_ESYNTAX, "" },
	};
	char out[SPFDMARC_HDR_AUTHSERV_MAX];
	char tiny[4];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = spfdmarc_hdr_ar_authserv_id(cases[i].in,
		    strlen(cases[i].in), out, sizeof(out));

		is_int(rc, cases[i].rc, "authserv-id %zu: rc", i);
		if (rc == 0)
			is_str(out, cases[i].out, "authserv-id %zu: value", i);
	}
	is_int(spfdmarc_hdr_ar_authserv_id("mx.example.net;", 15, tiny,
	    sizeof(tiny)), SPFDMARC_ERANGE, "authserv-id too long");
	/* Not NUL-terminated: the length bounds the read. */
	is_int(spfdmarc_hdr_ar_authserv_id("mx.example.netXXX", 14, out,
	    sizeof(out)), 0, "length-bounded read");
	is_str(out, "mx.example.net", "stops at the length");
}

int
main(void)
{
	test_ar_shape();
	test_pvalues();
	test_comments();
	test_keywords();
	test_authserv_quoting();
	test_received_spf();
	test_truncation();
	test_authserv_id();
	return done_testing();
}
