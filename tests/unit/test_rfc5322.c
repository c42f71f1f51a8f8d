/*
 * test_rfc5322.c: the From field and its Author Domain (RFC 5322 §3.4,
 * §4.4; RFC 2047; RFC 9989 §5.3.1), with the hostile cases a lenient
 * parser gets wrong.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "spfdmarc/err.h"
#include "spfdmarc/rfc5322.h"
#include "tap.h"

#define ONE SPFDMARC_RFC5322_FROM_ONE
#define NONE SPFDMARC_RFC5322_FROM_NONE
#define SEVERAL SPFDMARC_RFC5322_FROM_SEVERAL

static const char *
status_name(enum spfdmarc_rfc5322_from_status s)
{
	return s == ONE ? "one" : s == NONE ? "none" : "several";
}

static void
from1(const char *value, size_t len, enum spfdmarc_rfc5322_from_status want,
    const char *domain, const char *what)
{
	struct spfdmarc_rfc5322_from f;
	const char *const values[1] = { value };
	const size_t lens[1] = { len };
	int rc = spfdmarc_rfc5322_from_domain_n(values, lens, 1, &f);
	bool good = rc == 0 && f.status == want &&
	    (want != ONE || strcmp(f.domain, domain) == 0);

	ok(good, "%s: %s%s%s", what, status_name(want),
	    want == ONE ? " " : "", want == ONE ? domain : "");
	if (!good)
		diag("got %s '%s' (%s)", status_name(f.status), f.domain,
		    f.reason);
}

#define FROM(v, want, dom, what) from1((v), strlen(v), (want), (dom), (what))

static void
test_valid(void)
{
	FROM("user@example.com", ONE, "example.com", "addr-spec");
	FROM("User <user@Example.COM>", ONE, "example.com",
	    "name-addr, domain lower-cased");
	FROM("\"Doe, John\" <john@example.com>", ONE, "example.com",
	    "quoted display name with a comma");
	FROM("John Q. Public <jqp@example.com>", ONE, "example.com",
	    "obs-phrase with a dot");
	FROM("  <user@example.com>  ", ONE, "example.com", "angle only, CFWS");
	FROM("user@example.com (Comment (nested \\) ok) here)", ONE,
	    "example.com", "nested comment with a quoted-pair");
	FROM("(lead) user (in local) @ (mid) example . com (tail)", ONE,
	    "example.com", "obs CFWS around '@' and '.'");
	FROM("Name\r\n <user@example.com>", ONE, "example.com",
	    "CRLF fold unfolded");
	FROM("Name\n\t<user@example.com>", ONE, "example.com", "LF fold");
	FROM("Name <user@example.com>\r\n", ONE, "example.com",
	    "trailing line end");
	FROM("\"john smith\"@example.com", ONE, "example.com",
	    "quoted local part");
	FROM("\"a\\\"b\"@example.com", ONE, "example.com",
	    "quoted-pair in a quoted local part");
	FROM("first.last@sub.example.com", ONE, "sub.example.com",
	    "dot-atom local part");
	FROM("a@example.com, b@EXAMPLE.com", ONE, "example.com",
	    "two mailboxes, same domain");
	FROM(", , a@example.com,", ONE, "example.com",
	    "obs-mbox-list empty elements");
	FROM("<@route.example,@other.example:user@example.com>", ONE,
	    "example.com", "obs-route skipped (the address is what counts)");
	FROM("Friends: a@example.com, b@example.com;", ONE, "example.com",
	    "group (tolerated)");
	FROM("Friends: a@example.com", ONE, "example.com",
	    "group without ';' at the end");
	FROM("=?utf-8?q?J=C3=B6rg?= <j@example.com>", ONE, "example.com",
	    "encoded-word display name");
	FROM("=?utf-8?q?admin@bank.example,?= <evil@attacker.example>", ONE,
	    "attacker.example",
	    "encoded word holding '@' and ',' stays one display-name word");
	FROM("Jörg <jörg@bücher.example>", ONE, "xn--bcher-kva.example",
	    "UTF-8 (RFC 6532): U-labels to A-labels");
	FROM("user@XN--BCHER-KVA.example", ONE, "xn--bcher-kva.example",
	    "A-label kept, lower-cased");
	FROM("user@example.com.", ONE, "example.com",
	    "trailing dot dropped (the same DNS name: its policy applies)");
	FROM("Name <user@example.com. >", ONE, "example.com",
	    "trailing dot in an angle address");
}

static void
test_hostile(void)
{
	FROM("\"admin@bank.example\" <evil@attacker.example>", ONE,
	    "attacker.example", "display name that looks like an address");
	FROM("\"<admin@bank.example>\" <evil@attacker.example>", ONE,
	    "attacker.example", "'<' '>' '@' inside quotes");
	FROM("evil@attacker.example (admin@bank.example)", ONE,
	    "attacker.example", "address inside a comment");
	FROM("(<admin@bank.example>) evil@attacker.example", ONE,
	    "attacker.example", "angle address inside a comment");
	FROM("admin@bank.example <evil@attacker.example>", NONE, NULL,
	    "unquoted address as display name: syntax error");
	FROM("<evil@attacker.example> admin@bank.example", NONE, NULL,
	    "junk after an angle address");
	FROM("<evil@attacker.example", NONE, NULL, "unbalanced '<'");
	FROM("Name <evil@attacker.example>>", NONE, NULL, "unbalanced '>'");
	FROM("Name <<evil@attacker.example>", NONE, NULL, "doubled '<'");
	FROM("evil@attacker.example)", NONE, NULL, "unbalanced ')'");
	FROM("(evil@attacker.example", NONE, NULL, "unterminated comment");
	FROM("\"evil@attacker.example", NONE, NULL, "unterminated quote");
	FROM("a@b@attacker.example", NONE, NULL, "two '@'");
	FROM("evil@attacker.example@bank.example", NONE, NULL,
	    "two '@' the other way");
	FROM("user@[192.0.2.1]", NONE, NULL, "domain literal");
	FROM("<>", NONE, NULL, "empty address <>");
	FROM("", NONE, NULL, "empty field");
	FROM("   (only a comment)  ", NONE, NULL, "nothing but CFWS");
	FROM("user", NONE, NULL, "no '@'");
	FROM("user@", NONE, NULL, "no domain");
	FROM("@example.com", NONE, NULL, "no local part");
	FROM("user@example..com", NONE, NULL, "empty label");
	FROM("user@example.com..", NONE, NULL, "ends with dots");
	FROM("user@localhost", NONE, NULL, "single label");
	FROM("user@192.0.2.1", NONE, NULL, "numeric TLD (an IP address)");
	FROM("user@exa_mple.com", NONE, NULL, "not LDH");
	FROM("user@-example.com", NONE, NULL, "label starts with '-'");
	FROM("a..b@example.com", NONE, NULL, "bad dot-atom local part");
	FROM("a b@example.com", NONE, NULL, "two words as local part");
	FROM("undisclosed-recipients:;", NONE, NULL, "empty group");
	FROM("A: B: c@example.com;;", NONE, NULL, "group in a group");
	FROM("Name\r\n<user@example.com>", NONE, NULL,
	    "CRLF not followed by white space");
	FROM("Name\r <user@example.com>", NONE, NULL, "bare CR");
	FROM("Name <user@example.com>\nBcc: x@y.example", NONE, NULL,
	    "header injection");
	FROM("Name\001 <user@example.com>", NONE, NULL, "control character");
	FROM("user@exam\\ple.com", NONE, NULL, "stray backslash");
	from1("evil@attacker.example\0@bank.example", 35, NONE, NULL,
	    "NUL byte");
	{
		static char big[SPFDMARC_RFC5322_FIELD_MAX + 32];
		size_t n = 0;

		while (n + 20 < sizeof(big) - 1)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "(xxxxxxxxxxxxxxxx) ");
		(void)snprintf(big + n, sizeof(big) - n, "a@example.com");
		FROM(big, NONE, NULL, "over the length limit");
	}
	{
		static char many[4096];
		size_t n = 0;

		for (int i = 0; i < SPFDMARC_RFC5322_MAILBOXES_MAX + 1; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n,
			    "a@example.com,");
		FROM(many, NONE, NULL, "too many mailboxes");
	}
	{
		static char deep[2048];
		size_t n = 0;

		for (int i = 0; i < 500; i++)
			deep[n++] = '(';
		for (int i = 0; i < 500; i++)
			deep[n++] = ')';
		(void)snprintf(deep + n, sizeof(deep) - n, " a@example.com");
		FROM(deep, ONE, "example.com", "500 nested comments");
	}
}

static void
test_several(void)
{
	struct spfdmarc_rfc5322_from f;

	FROM("a@example.com, b@example.org", SEVERAL, NULL,
	    "two domains");
	FROM("a@example.com, b@[192.0.2.1]", SEVERAL, NULL,
	    "a domain and a literal");
	FROM("a@example.com, <>", SEVERAL, NULL, "a domain and <>");
	{
		const char *v[2] = { "a@example.com", "a@example.com" };

		ok(spfdmarc_rfc5322_from_domain(v, 2, &f) == 0 &&
		    f.status == SEVERAL && f.nfields == 2 && f.ndomains == 1,
		    "two From fields: several, domains still listed");
	}
	ok(spfdmarc_rfc5322_from_domain(NULL, 0, &f) == 0 &&
	    f.status == NONE && strstr(f.reason, "no From") != NULL,
	    "no From field: none");
	{
		const char *v[1] = { "a@a.example, b@b.example, c@a.example" };

		ok(spfdmarc_rfc5322_from_domain(v, 1, &f) == 0 &&
		    f.status == SEVERAL && f.ndomains == 2 &&
		    strcmp(f.domains[0], "a.example") == 0 &&
		    strcmp(f.domains[1], "b.example") == 0 &&
		    f.nmailboxes == 3,
		    "several: the distinct domains are listed");
	}
}

static void
test_mailboxes(void)
{
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	struct spfdmarc_rfc5322_mailbox *mb;
	size_t n;
	char why[128];
	const char *v;

	v = "=?UTF-8?B?SsO2cmc=?= =?utf-8?q?_M=C3=BCller?= <j@example.com>, "
	    "\"Q. \\\"T\\\"\" <q@[192.0.2.1]>, =?iso-8859-1?q?Andr=E9?= "
	    "<a@example.org>, =?koi8-r?b?7sXU?= <k@example.net>";
	ok(spfdmarc_rfc5322_parse_mailboxes(arena, v, strlen(v), &mb, &n, why,
	    sizeof(why)) == 0 && n == 4, "parse four mailboxes");
	if (n == 4) {
		is_str(mb[0].display, "J\xc3\xb6rg M\xc3\xbcller",
		    "B and Q words; space between adjacent words dropped");
		is_str(mb[0].local, "j", "local part");
		is_str(mb[0].domain, "example.com", "domain");
		is_str(mb[1].display, "Q. \"T\"", "quoted display unescaped");
		ok(mb[1].literal, "literal flagged");
		is_str(mb[1].domain, "[192.0.2.1]", "literal kept as written");
		is_str(mb[2].display, "Andr\xc3\xa9", "ISO-8859-1 to UTF-8");
		is_str(mb[3].display, "=?koi8-r?b?7sXU?=",
		    "unknown charset left encoded");
	}
	v = "Name <a@example.com";
	ok(spfdmarc_rfc5322_parse_mailboxes(arena, v, strlen(v), &mb, &n, why,
	    sizeof(why)) == SPFDMARC_ESYNTAX && strstr(why, "'>'") != NULL,
	    "syntax error with a reason: %s", why);
	spfdmarc_arena_free(arena);
}

static void
test_normalize(void)
{
	char out[SPFDMARC_DNAME_BUFSIZE];

	ok(spfdmarc_rfc5322_domain_normalize("B\xc3\xbc" "cher.Example", 15,
	    out, sizeof(out), SPFDMARC_DNAME_LDH) == 0 &&
	    strcmp(out, "xn--bcher-kva.example") == 0, "normalize a U-label");
	ok(spfdmarc_rfc5322_domain_normalize("\xff\xfe.example", 10, out,
	    sizeof(out), 0) != 0, "invalid UTF-8 refused");
	ok(spfdmarc_rfc5322_domain_normalize("a.example", 9, out, 10, 0) ==
	    SPFDMARC_EINVAL, "small output buffer refused");
}

int
main(void)
{
	test_valid();
	test_hostile();
	test_several();
	test_mailboxes();
	test_normalize();
	return done_testing();
}
