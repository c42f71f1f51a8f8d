/*
 * test_spf_macro.c: SPF macro syntax and expansion (RFC 7208 §7): the
 * §7.4 examples literally, every letter, transformers, escapes, URL
 * escaping, the 253-byte cut, and expansions that try to outgrow their
 * buffer (the libspf2 CVE-2021-20314, CVE-2021-33912/33913 and
 * CVE-2023-42118 classes).
 */
#include "config.h"

#include <string.h>

#include "spf_macro.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "tap.h"

static unsigned ptr_calls;

static const char *
fake_ptr(void *arg)
{
	ptr_calls++;
	return arg;
}

/* §7.4: "The <sender> is strong-bad@email.example.com. The IPv4 SMTP
 * client IP is 192.0.2.3. The IPv6 SMTP client IP is 2001:db8::cb01.
 * The PTR domain name of the client IP is mx.example.org." */
static struct spfdmarc_addr ip4, ip6;
static struct spf_macro_vars rfc = {
	.sender = "strong-bad@email.example.com",
	.local = "strong-bad",
	.sender_domain = "email.example.com",
	.domain = "email.example.com",
	.ip = &ip4,
	.helo = "mx.example.org",
	.receiver = "mx.receiver.example",
	.now = 1234567890,
	.ptr_name = fake_ptr,
	.ptr_arg = (void *)(uintptr_t)"mx.example.org",
};

static void
expand_is(const struct spf_macro_vars *v, unsigned flags, const char *in,
    const char *want)
{
	struct spfdmarc_buf b;
	const char *why;
	size_t pos;
	int rc;

	rc = spf_macro_check(in, strlen(in), flags, &pos, &why);
	if (!is_int(rc, 0, "check %s", in))
		diag("%s at %zu", why, pos);
	spfdmarc_buf_init(&b, NULL, 0);
	rc = spf_macro_expand(v, in, strlen(in), flags, &b);
	is_int(rc, 0, "  expands");
	is_str(spfdmarc_buf_str(&b), want, "  %s -> %s", in, want);
	spfdmarc_buf_release(&b);
}

static void
test_rfc_examples(void)
{
	static const struct {
		const char *in, *want;
	} v4[] = {
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
		    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
		    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net",
		    "example.com.trusted-domains.example.net" },
	};
	struct spf_macro_vars v6 = rfc;

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		expand_is(&rfc, 0, v4[i].in, v4[i].want);
	v6.ip = &ip6;
	expand_is(&v6, 0, "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6._spf.example.com");
}

static void
test_letters(void)
{
	struct spf_macro_vars v = rfc;

	expand_is(&v, 0, "%{i}", "192.0.2.3");
	expand_is(&v, 0, "%{v}", "in-addr");
	expand_is(&v, 0, "%{h}", "mx.example.org");
	ptr_calls = 0;
	expand_is(&v, 0, "%{p}", "mx.example.org");
	is_int(ptr_calls, 1, "  %%{p} asked the validated name once");
	expand_is(&v, SPF_MACRO_EXPLAIN, "%{c}", "192.0.2.3");
	expand_is(&v, SPF_MACRO_EXPLAIN, "%{r}", "mx.receiver.example");
	expand_is(&v, SPF_MACRO_EXPLAIN, "%{t}", "1234567890");
	expand_is(&v, SPF_MACRO_EXPLAIN, "%{t2}", "1234567890");
	v.ip = &ip6;
	expand_is(&v, 0, "%{i}",
	    "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
	expand_is(&v, 0, "%{v}", "ip6");
	expand_is(&v, SPF_MACRO_EXPLAIN, "%{c}", "2001:db8::cb01");
	expand_is(&v, 0, "%{i8r}", "8.b.d.0.1.0.0.2");
	expand_is(&v, 0, "%{i8}", "0.0.0.0.c.b.0.1");
	v.receiver = NULL;
	v.helo = NULL;
	v.ptr_name = NULL;
	expand_is(&v, SPF_MACRO_EXPLAIN, "%{r} %{h} %{p}",
	    "unknown unknown unknown");
	expand_is(&v, SPF_MACRO_EXPLAIN,
	    "%{c} is queried as %{ir}.%{v}.arpa",
	    "2001:db8::cb01 is queried as 1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

static void
test_transformers(void)
{
	struct spf_macro_vars v = rfc;

	/* §7.1 test suite: splitting on other delimiters, several at once. */
	v.local = "philip-gladstone-test";
	expand_is(&v, 0, "%{l2r-}", "gladstone.philip");
	v.local = "foo-bar+zip+quux";
	expand_is(&v, 0, "%{l2r+-}", "bar.foo");
	expand_is(&v, 0, "%{l+-}", "foo.bar.zip.quux");
	expand_is(&v, 0, "%{l1}", "foo-bar+zip+quux");
	expand_is(&v, 0, "%{l1+}", "quux");
	expand_is(&v, 0, "%{l--+-}", "foo.bar.zip.quux");
	/* All seven delimiters. */
	v.local = "a.b-c+d,e/f_g=h";
	expand_is(&v, 0, "%{l.-+,/_=}", "a.b.c.d.e.f.g.h");
	expand_is(&v, 0, "%{l3r.-+,/_=}", "c.b.a");
	/* More parts asked than there are: all of them. */
	expand_is(&v, 0, "%{d128}", "email.example.com");
	expand_is(&v, 0, "%{d99}", "email.example.com");
	expand_is(&v, 0, "%{d02}", "example.com");
	expand_is(&v, 0, "%{dR}", "com.example.email");
	/* No special case for empty parts (§7.3). */
	v.domain = "a..b.";
	expand_is(&v, 0, "%{dr}", ".b..a");
	expand_is(&v, 0, "%{d2}", "b.");
	v.local = "...";
	expand_is(&v, 0, "%{l}", "...");
	expand_is(&v, 0, "%{l1}", "");
	expand_is(&v, 0, "%{lr}", "...");
	/* Escapes. */
	expand_is(&v, 0, "%%%_%-", "% %20");
	expand_is(&v, 0, "macro%%percent%_%_space%-url-space.example.com",
	    "macro%percent  space%20url-space.example.com");
	expand_is(&v, SPF_MACRO_EXPLAIN, "a  b %_c", "a  b  c");
}

static void
test_url_escape(void)
{
	struct spf_macro_vars v = rfc;

	v.local = "~jack&jill=up-a_b3.c";
	v.sender = "~jack&jill=up-a_b3.c@email.example.com";
	expand_is(&v, SPF_MACRO_EXPLAIN,
	    "http://example.com/why.html?l=%{L}",
	    "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c");
	expand_is(&v, 0, "%{S}", "~jack%26jill%3Dup-a_b3.c%40"
	    "email.example.com");
	v.local = "Macro Error";
	expand_is(&v, SPF_MACRO_EXPLAIN, "%{L}|%{l}", "Macro%20Error|"
	    "Macro Error");
	v.helo = "%%%";
	expand_is(&v, 0, "%{H}.bar", "%25%25%25.bar");
	v.helo = "[192.168.218.40]";
	expand_is(&v, 0, "%{H}", "%5B192.168.218.40%5D");
	v.local = "\xc3\xa9t\xc3\xa9";
	expand_is(&v, 0, "%{L}", "%C3%A9t%C3%A9");
	/* Escaping comes after the transformers. */
	v.local = "a b-c d";
	expand_is(&v, 0, "%{L1r-}", "a%20b");
}

static void
test_syntax(void)
{
	static const struct {
		const char *in;
		unsigned flags;
		const char *why;
	} bad[] = {
		{ "%", 0, "'%' at the end" },
		{ "abc%", 0, "'%' at the end" },
		{ "%x", 0, "not followed" },
		{ "%(ir)", 0, "not followed" },
		{ "%{", 0, "not closed" },
		{ "%{d", 0, "not closed" },
		{ "%{d2r", 0, "not closed" },
		{ "%{x}", 0, "unknown macro letter" },
		{ "%{a}", 0, "unknown macro letter" },
		{ "%{}", 0, "unknown macro letter" },
		{ "%{d0}", 0, "transformer 0" },
		{ "%{d0r}", 0, "transformer 0" },
		{ "%{d129}", 0, "above 128" },
		{ "%{d1000}", 0, "above 128" },
		{ "%{d2rr}", 0, "unexpected character" },
		{ "%{d.r}", 0, "unexpected character" },
		{ "%{d }", 0, "unexpected character" },
		{ "%{c}", 0, "only in explanation" },
		{ "%{R}", 0, "only in explanation" },
		{ "%{t}", 0, "only in explanation" },
		{ "a b", 0, "space" },
		{ "a\tb", SPF_MACRO_EXPLAIN, "control" },
		{ "a\x7f", 0, "control" },
		{ "\xc3\xa9", SPF_MACRO_EXPLAIN, "non-ASCII" },
		{ "The %{x}-files.", SPF_MACRO_EXPLAIN, "unknown macro letter" },
		{ "", SPF_MACRO_DOMAIN, "empty domain-spec" },
		{ "museum", SPF_MACRO_DOMAIN, "does not end" },
		{ "museum.", SPF_MACRO_DOMAIN, "does not end" },
		{ "%{d}.", SPF_MACRO_DOMAIN, "does not end" },
		{ "%{d}com", SPF_MACRO_DOMAIN, "does not end" },
		{ "foo.123", SPF_MACRO_DOMAIN, "top-level label" },
		{ "foo.-com", SPF_MACRO_DOMAIN, "top-level label" },
		{ "foo.com-", SPF_MACRO_DOMAIN, "top-level label" },
		{ "foo.c_m", SPF_MACRO_DOMAIN, "top-level label" },
		{ "foo.com..", SPF_MACRO_DOMAIN, "top-level label" },
	};
	static const struct {
		const char *in;
		unsigned flags;
	} good[] = {
		{ "", 0 },
		{ "%%", 0 },
		{ "%{d}", SPF_MACRO_DOMAIN },
		{ "%{d2}", SPF_MACRO_DOMAIN },
		{ "foo%%", SPF_MACRO_DOMAIN },
		{ "foo%_", SPF_MACRO_DOMAIN },
		{ "foo%-", SPF_MACRO_DOMAIN },
		{ "x.com", SPF_MACRO_DOMAIN },
		{ "x.com.", SPF_MACRO_DOMAIN },
		{ ".x", SPF_MACRO_DOMAIN },
		{ "a.b.xn--zckzah", SPF_MACRO_DOMAIN },
		{ "a.123-4", SPF_MACRO_DOMAIN },
		{ "%{d}.%{o}.9a", SPF_MACRO_DOMAIN },
		{ " leading and trailing ", SPF_MACRO_EXPLAIN },
		{ "%{c} %{r} %{t} %{C}", SPF_MACRO_EXPLAIN },
		{ "!\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~", 0 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		size_t pos;

		is_int(spf_macro_check(bad[i].in, strlen(bad[i].in),
		    bad[i].flags, &pos, &why), SPFDMARC_ESYNTAX,
		    "bad [%s] flags %u", bad[i].in, bad[i].flags);
		if (!ok(why != NULL && strstr(why, bad[i].why) != NULL,
		    "  reason has \"%s\"", bad[i].why))
			diag("reason: %s", why != NULL ? why : "(none)");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *why = NULL;
		size_t pos;

		is_int(spf_macro_check(good[i].in, strlen(good[i].in),
		    good[i].flags, &pos, &why), 0, "good [%s] flags %u",
		    good[i].in, good[i].flags);
	}
	{
		const char *why;
		size_t pos;

		(void)spf_macro_check("ok.%{q}", 7, 0, &pos, &why);
		is_int((long long)pos, 3, "error offset points at the macro");
		is_int(spf_macro_check("a:%{d}\0x", 8, 0, &pos, &why),
		    SPFDMARC_ESYNTAX, "a NUL byte is no macro-literal");
		is_int(spf_macro_expand(&rfc, "%{x}", 4, 0, &(struct
		    spfdmarc_buf){ 0 }), SPFDMARC_ESYNTAX,
		    "expand refuses what check refuses");
	}
	ok(spf_macro_uses_ptr("%{p}.x", 6), "uses %%{p}");
	ok(spf_macro_uses_ptr("a.%{P2r}.x", 10), "uses %%{P2r}");
	ok(!spf_macro_uses_ptr("%{d}.%{i}", 9), "no %%{p}");
	ok(!spf_macro_uses_ptr("%%{p}", 5), "%%%%{p} is a literal");
}

static void
domain_is(const struct spf_macro_vars *v, struct spfdmarc_arena *arena,
    const char *in, int rc_want, const char *want)
{
	char out[SPFDMARC_DNAME_BUFSIZE];
	int rc;

	rc = spf_macro_domain(v, arena, in, strlen(in), out, sizeof(out));
	is_int(rc, rc_want, "domain of %.60s%s", in,
	    strlen(in) > 60 ? "..." : "");
	if (want != NULL)
		is_str(out, want, "  is %.60s%s", want,
		    strlen(want) > 60 ? "..." : "");
}

static void
test_domain(struct spfdmarc_arena *arena)
{
	static char spec[SPF_MACRO_EXPAND_MAX];
	static char want[300];
	struct spf_macro_vars v = rfc;
	char local[65], out[SPFDMARC_DNAME_BUFSIZE];
	size_t n;

	domain_is(&v, arena, "%{d}", 0, "email.example.com");
	domain_is(&v, arena, "%{d}.d.spf.example.com.", 0,
	    "email.example.com.d.spf.example.com");
	domain_is(&v, arena, "mail.example.com.", 0, "mail.example.com");
	domain_is(&v, arena, "mail.example...com", SPFDMARC_ESYNTAX, NULL);
	domain_is(&v, arena,
	    "a123456789012345678901234567890123456789012345678901234567890123"
	    ".example.com", SPFDMARC_ESYNTAX, NULL);
	domain_is(&v, arena, "foo:bar/baz.example.com", 0,
	    "foo:bar/baz.example.com");

	/* §7.3 (suite: domain-name-truncation): 258 bytes lose "foobar.". */
	v.sender_domain = "somewhat.long.exp.example.com";
	n = 0;
	for (int i = 0; i < 8; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%s",
		    i ? "." : "", v.sender_domain);
	(void)snprintf(want + n, sizeof(want) - n, ".example.com");
	domain_is(&v, arena,
	    "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com", 0,
	    want);
	is_int((long long)strlen(want), 251, "  251 bytes are left");
	/* A trailing dot does not count toward the 253. */
	domain_is(&v, arena,
	    "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com.", 0,
	    want);

	/* A single label too long to cut: unusable, not a crash. */
	memset(local, 'x', 64);
	local[64] = '\0';
	v.local = local;
	domain_is(&v, arena, "%{l}%{l}%{l}%{l}%{l}.example.com", 0,
	    "example.com");
	domain_is(&v, arena, "%{l}%{l}%{l}%{l}%{l}", SPFDMARC_ESYNTAX, NULL);
	/* Labels of 64 bytes: cut to 253 from the left, then a label is
	 * still too long. */
	domain_is(&v, arena, "%{l}.%{l}.%{l}.%{l}.%{l}.x", SPFDMARC_ESYNTAX,
	    NULL);
	domain_is(&v, arena, "%{l1}.example.com", SPFDMARC_ESYNTAX, NULL);

	/* Growth: 64-byte local part, URL-escaped, repeated until the
	 * expansion passes SPF_MACRO_EXPAND_MAX: refused, no overflow. */
	memset(local, '&', 64);
	v.local = local;
	n = 0;
	while (n + 8 < sizeof(spec) - 16)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%%{L}.");
	(void)snprintf(spec + n, sizeof(spec) - n, "x.com");
	domain_is(&v, arena, spec, SPFDMARC_ERANGE, NULL);
	/* Just under the limit: cut to 253 from the left, labels kept. */
	v.local = "ab";
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%%{l}.");
	(void)snprintf(spec + n, sizeof(spec) - n, "x.com");
	is_int(spf_macro_domain(&v, arena, spec, strlen(spec), out,
	    sizeof(out)), 0, "3005-byte name cut to fit");
	is_int((long long)strlen(out), 251, "  to 251 bytes (whole labels)");
	ok(strncmp(out, "ab.ab.", 6) == 0 &&
	    strcmp(out + strlen(out) - 5, "x.com") == 0, "  keeps the right");
	/* Reversal of very many parts (CVE-2021-20314 class). */
	memset(spec, '.', 300);
	spec[300] = '\0';
	v.local = spec;
	{
		struct spfdmarc_buf b;

		spfdmarc_buf_init(&b, NULL, 0);
		is_int(spf_macro_expand(&v, "%{lr}", 5, 0, &b), 0,
		    "reverse 301 empty parts");
		is_int((long long)b.len, 300, "  300 dots back");
		spfdmarc_buf_reset(&b);
		is_int(spf_macro_expand(&v, "%{l128r}", 8, 0, &b), 0,
		    "keep 128 of 301 parts");
		is_int((long long)b.len, 127, "  127 dots");
		spfdmarc_buf_reset(&b);
		is_int(spf_macro_expand(&v, "%{L128}", 7, 0, &b), 0,
		    "escaped: dots are unreserved");
		is_int((long long)b.len, 127, "  still 127");
		spfdmarc_buf_release(&b);
	}
	is_int(spf_macro_domain(&v, arena, "x", 1, out, 10), SPFDMARC_EINVAL,
	    "a too small output is a caller's mistake");
}

/* A small fixed buffer: the expansion stops at its end (ETRUNC), the text
 * stays NUL-terminated and nothing is written past it. */
static void
test_truncation(void)
{
	char mem[40];
	struct spfdmarc_buf b;
	struct spf_macro_vars v = rfc;
	char sender[80];

	memset(sender, 'a', 64);
	memcpy(sender + 64, "@example.com", 13);
	v.sender = sender;
	memset(mem, 'Z', sizeof(mem));
	spfdmarc_buf_init_fixed(&b, mem, 32);
	is_int(spf_macro_expand(&v, "%{s}%{s}%{s}", 12, 0, &b),
	    SPFDMARC_ETRUNC, "expansion past a 32-byte buffer");
	is_int((long long)b.len, 31, "  31 bytes kept");
	is_int(mem[31], '\0', "  NUL-terminated");
	ok(mem[32] == 'Z' && mem[39] == 'Z', "  nothing written past it");
	spfdmarc_buf_init_fixed(&b, mem, 32);
	is_int(spf_macro_expand(&v, "%{S}", 4, 0, &b), SPFDMARC_ETRUNC,
	    "escaped expansion past it");
	is_int((long long)b.len, 31, "  31 bytes kept");
}

int
main(void)
{
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);

	(void)spfdmarc_addr_parse(&ip4, "192.0.2.3", 9);
	(void)spfdmarc_addr_parse(&ip6, "2001:db8::cb01", 14);
	test_rfc_examples();
	test_letters();
	test_transformers();
	test_url_escape();
	test_syntax();
	test_domain(arena);
	test_truncation();
	spfdmarc_arena_free(arena);
	return done_testing();
}
