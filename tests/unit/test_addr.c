/*
 * test_addr.c: IPv4/IPv6 parsing, RFC 5952 formatting, IPv4-mapped
 * addresses, CIDR parsing and matching at the prefix boundaries, and
 * reverse-lookup names (spfdmarc/addr.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spfdmarc/addr.h"
#include "spfdmarc/err.h"
#include "tap.h"

static struct spfdmarc_addr
A(const char *text)
{
	struct spfdmarc_addr a;

	memset(&a, 0, sizeof(a));
	if (spfdmarc_addr_parse(&a, text, strlen(text)) != 0) {
		diag("test bug: cannot parse %s", text);
		a.family = SPFDMARC_AF_NONE;
	}
	return a;
}

static void
parse_is(const char *text, int want)
{
	struct spfdmarc_addr a;

	is_int(spfdmarc_addr_parse(&a, text, strlen(text)), want,
	    "parse '%s'", text);
}

static void
test_parse4(void)
{
	struct spfdmarc_addr a;
	static const uint8_t b[4] = { 192, 0, 2, 255 };

	ok(spfdmarc_addr_parse(&a, "192.0.2.255", 11) == 0 &&
	    a.family == SPFDMARC_AF_INET && memcmp(a.bytes, b, 4) == 0,
	    "192.0.2.255: family and bytes");
	parse_is("0.0.0.0", 0);
	parse_is("255.255.255.255", 0);
	parse_is("1.2.3", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.4.5", SPFDMARC_ESYNTAX);
	parse_is("01.2.3.4", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.04", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.00", SPFDMARC_ESYNTAX);
	parse_is("256.1.1.1", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.256", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.1000", SPFDMARC_ESYNTAX);
	parse_is("1234.1.1.1", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.4.", SPFDMARC_ESYNTAX);
	parse_is(".1.2.3.4", SPFDMARC_ESYNTAX);
	parse_is("1..2.3", SPFDMARC_ESYNTAX);
	parse_is("", SPFDMARC_ESYNTAX);
	parse_is(" 1.2.3.4", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.4 ", SPFDMARC_ESYNTAX);
	parse_is("+1.2.3.4", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.-4", SPFDMARC_ESYNTAX);
	parse_is("0x1.2.3.4", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.4/24", SPFDMARC_ESYNTAX);
	parse_is("1", SPFDMARC_ESYNTAX);
	is_int(spfdmarc_addr_parse(&a, "1.2.3.4\0", 8), SPFDMARC_ESYNTAX,
	    "a NUL after the address is an error");
	ok(spfdmarc_addr_parse(&a, "1.2.3.45", 7) == 0 && a.bytes[3] == 4,
	    "len bounds the read (1.2.3.4 of 1.2.3.45)");
	is_int(spfdmarc_addr_parse(&a, NULL, 0), SPFDMARC_ESYNTAX, "NULL text");
	is_int(spfdmarc_addr_parse4(&a, "::1", 3), SPFDMARC_ESYNTAX,
	    "parse4 refuses IPv6");
	is_int(spfdmarc_addr_parse6(&a, "1.2.3.4", 7), SPFDMARC_ESYNTAX,
	    "parse6 refuses IPv4");
}

static void
test_parse6(void)
{
	struct spfdmarc_addr a;
	static const uint8_t one[16] = { [15] = 1 };
	static const uint8_t zero[16];

	ok(spfdmarc_addr_parse(&a, "::", 2) == 0 &&
	    a.family == SPFDMARC_AF_INET6 && memcmp(a.bytes, zero, 16) == 0,
	    ":: is all zero");
	ok(spfdmarc_addr_parse(&a, "::1", 3) == 0 && memcmp(a.bytes, one, 16) == 0,
	    "::1");
	parse_is("2001:db8::1", 0);
	parse_is("2001:DB8::A", 0);
	parse_is("1:2:3:4:5:6:7:8", 0);
	parse_is("1:2:3:4:5:6:7::", 0);
	parse_is("::2:3:4:5:6:7:8", 0);
	parse_is("0000:0000:0000:0000:0000:0000:0000:0001", 0);
	parse_is("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 0);	/* 45 */
	parse_is("::ffff:1.2.3.4", 0);
	parse_is("::1.2.3.4", 0);
	parse_is("1::2::3", SPFDMARC_ESYNTAX);
	parse_is(":::", SPFDMARC_ESYNTAX);
	parse_is(":", SPFDMARC_ESYNTAX);
	parse_is(":1::", SPFDMARC_ESYNTAX);
	parse_is("1:2:3:4:5:6:7", SPFDMARC_ESYNTAX);
	parse_is("1:2:3:4:5:6:7:8:9", SPFDMARC_ESYNTAX);
	parse_is("1:2:3:4:5:6:7:8::", SPFDMARC_ESYNTAX);
	parse_is("12345::", SPFDMARC_ESYNTAX);
	parse_is("g::1", SPFDMARC_ESYNTAX);
	parse_is("fe80::1%eth0", SPFDMARC_ESYNTAX);
	parse_is("fe80::1%1", SPFDMARC_ESYNTAX);
	parse_is("[::1]", SPFDMARC_ESYNTAX);
	parse_is("::1 ", SPFDMARC_ESYNTAX);
	parse_is(" ::1", SPFDMARC_ESYNTAX);
	parse_is("::ffff:01.2.3.4", SPFDMARC_ESYNTAX);
	parse_is("::ffff:1.2.3", SPFDMARC_ESYNTAX);
	parse_is("::ffff:1.2.3.4.5", SPFDMARC_ESYNTAX);
	parse_is("::ffff:256.1.1.1", SPFDMARC_ESYNTAX);
	parse_is("1.2.3.4::", SPFDMARC_ESYNTAX);
	parse_is("::1.2.3.4:5", SPFDMARC_ESYNTAX);
	parse_is("::/0", SPFDMARC_ESYNTAX);
	parse_is("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555", SPFDMARC_ESYNTAX);
	parse_is("0000:0000:0000:0000:0000:0000:0000:0000:0000:0000", SPFDMARC_ESYNTAX);
	is_int(spfdmarc_addr_parse(&a, "::1\0", 4), SPFDMARC_ESYNTAX,
	    "a NUL after the address is an error");
	ok(spfdmarc_addr_parse(&a, "::12", 3) == 0 && memcmp(a.bytes, one, 16) == 0,
	    "len bounds the read (::1 of ::12)");
}

static void
format_is(const char *in, const char *want)
{
	struct spfdmarc_addr a = A(in);
	char out[SPFDMARC_ADDR_STRLEN];

	memset(out, 'X', sizeof(out));
	is_int(spfdmarc_addr_format(&a, out, sizeof(out)), 0, "format %s", in);
	is_str(out, want, "%s is written %s", in, want);
}

static void
test_format(void)
{
	struct spfdmarc_addr a;
	char out[SPFDMARC_ADDR_STRLEN];
	int good = 1;

	format_is("1.2.3.4", "1.2.3.4");
	format_is("0.0.0.0", "0.0.0.0");
	format_is("255.255.255.255", "255.255.255.255");
	format_is("2001:DB8:0:0:0:0:0:1", "2001:db8::1");
	format_is("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	format_is("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");	/* §4.2.2 */
	format_is("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");		/* §4.2.3 */
	format_is("1:0:0:1:1:0:0:1", "1::1:1:0:0:1");			/* first run */
	format_is("fe80:0:0:0:1:0:0:0", "fe80::1:0:0:0");
	format_is("0:0:0:0:0:0:0:0", "::");
	format_is("::1", "::1");
	format_is("1::", "1::");
	format_is("::1:2", "::1:2");		/* not ::0.1.0.2 */
	format_is("::102:304", "::102:304");	/* not ::1.2.3.4 */
	format_is("::1.2.3.4", "::102:304");
	format_is("::ffff:1.2.3.4", "::ffff:1.2.3.4");			/* §5 */
	format_is("::FFFF:0102:0304", "::ffff:1.2.3.4");
	format_is("::ffff:0.0.0.0", "::ffff:0.0.0.0");
	format_is("::ffff:0:1.2.3.4", "::ffff:0:102:304");
	format_is("0:0:1:0:0:0:0:0", "0:0:1::");
	format_is("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789",
	    "abcd:ef01:2345:6789:abcd:ef01:2345:6789");
	format_is("1111:2222:3333:4444:5555:6666:7777:8888",
	    "1111:2222:3333:4444:5555:6666:7777:8888");

	/* Output size: exactly enough, one short, none. */
	a = A("2001:db8::1");			/* 11 characters */
	is_int(spfdmarc_addr_format(&a, out, 12), 0, "format into 12 bytes");
	is_int(spfdmarc_addr_format(&a, out, 11), SPFDMARC_ETRUNC,
	    "format into 11 bytes: ETRUNC");
	is_int(spfdmarc_addr_format(&a, out, 0), SPFDMARC_ETRUNC,
	    "format into 0 bytes: ETRUNC");
	a = A("1.2.3.4");
	is_int(spfdmarc_addr_format(&a, out, 8), 0, "IPv4 into 8 bytes");
	is_int(spfdmarc_addr_format(&a, out, 7), SPFDMARC_ETRUNC,
	    "IPv4 into 7 bytes");
	memset(&a, 0, sizeof(a));
	is_int(spfdmarc_addr_format(&a, out, sizeof(out)), SPFDMARC_EINVAL,
	    "format of no address: EINVAL");

	/*
	 * Many addresses with zero runs in every place: they round-trip, and
	 * agree with glibc's inet_ntop() except where glibc uses the
	 * IPv4-compatible form (first 80 bits zero, then 0 or ffff).
	 */
	srand(5952);
	for (int i = 0; i < 5000 && good; i++) {
		static const uint8_t zero10[10];
		struct spfdmarc_addr b;
		char ref[64];
		int glibc_mixed;

		memset(&a, 0, sizeof(a));
		a.family = SPFDMARC_AF_INET6;
		for (int w = 0; w < 8; w++) {
			if (rand() % 2) {
				a.bytes[2 * w] = (uint8_t)(rand() % 3 ? 0 : rand());
				a.bytes[2 * w + 1] = (uint8_t)rand();
			}
		}
		if (i == 0)
			a.bytes[10] = a.bytes[11] = 0xff;	/* a mapped one */
		glibc_mixed = memcmp(a.bytes, zero10, 10) == 0 &&
		    ((a.bytes[10] == 0 && a.bytes[11] == 0) ||
		    (a.bytes[10] == 0xff && a.bytes[11] == 0xff));
		if (inet_ntop(AF_INET6, a.bytes, ref, sizeof(ref)) == NULL ||
		    spfdmarc_addr_format(&a, out, sizeof(out)) != 0 ||
		    spfdmarc_addr_parse(&b, out, strlen(out)) != 0 ||
		    memcmp(a.bytes, b.bytes, 16) != 0 ||
		    (!glibc_mixed && strcmp(out, ref) != 0)) {
			diag("round trip failed: %s (inet_ntop: %s)", out, ref);
			good = 0;
		}
	}
	ok(good, "5000 random IPv6 addresses round-trip, agree with inet_ntop");
}

static void
test_mapped(void)
{
	struct spfdmarc_addr m = A("::ffff:1.2.3.4");
	struct spfdmarc_addr v4 = A("1.2.3.4");
	struct spfdmarc_addr compat = A("::1.2.3.4");
	struct spfdmarc_addr u;
	static const uint8_t zero12[12];

	ok(spfdmarc_addr_is_mapped(&m), "::ffff:1.2.3.4 is mapped");
	ok(!spfdmarc_addr_is_mapped(&v4), "1.2.3.4 is not");
	ok(!spfdmarc_addr_is_mapped(&compat), "::1.2.3.4 is not");
	u = A("::ffff:0:1.2.3.4");
	ok(!spfdmarc_addr_is_mapped(&u), "::ffff:0:1.2.3.4 is not");
	u = A("ffff::1.2.3.4");
	ok(!spfdmarc_addr_is_mapped(&u), "ffff::1.2.3.4 is not");

	u = m;
	spfdmarc_addr_unmap(&u);
	ok(u.family == SPFDMARC_AF_INET && memcmp(u.bytes, v4.bytes, 4) == 0,
	    "unmap gives 1.2.3.4");
	ok(memcmp(u.bytes + 4, zero12, 12) == 0, "unmap clears the other bytes");
	u = compat;
	spfdmarc_addr_unmap(&u);
	ok(u.family == SPFDMARC_AF_INET6, "unmap leaves other IPv6 alone");
	u = v4;
	spfdmarc_addr_unmap(&u);
	ok(u.family == SPFDMARC_AF_INET, "unmap leaves IPv4 alone");

	ok(spfdmarc_addr_equal(&m, &v4), "mapped equals its IPv4 form");
	ok(spfdmarc_addr_equal(&v4, &m), "... both ways");
	ok(!spfdmarc_addr_equal(&compat, &v4), "compatible does not");
	memset(&u, 0, sizeof(u));
	ok(!spfdmarc_addr_equal(&u, &u), "no address equals nothing");
}

static int
cidr_matches(const char *net, const char *addr)
{
	struct spfdmarc_cidr c;
	struct spfdmarc_addr a = A(addr);

	if (spfdmarc_cidr_parse(&c, net, strlen(net)) != 0) {
		diag("test bug: cannot parse %s", net);
		return -1;
	}
	return spfdmarc_cidr_match(&c, &a);
}

static void
match_is(const char *net, const char *addr, int want)
{
	is_int(cidr_matches(net, addr), want, "%s %s %s", addr,
	    want ? "in" : "not in", net);
}

static void
cidr_is(const char *text, int want, unsigned prefix)
{
	struct spfdmarc_cidr c;
	int rc = spfdmarc_cidr_parse(&c, text, strlen(text));

	if (want == 0)
		ok(rc == 0 && c.prefix == prefix, "cidr '%s' prefix %u", text,
		    prefix);
	else
		is_int(rc, want, "cidr '%s'", text);
}

static void
test_cidr(void)
{
	struct spfdmarc_cidr c;
	struct spfdmarc_addr a, n;

	cidr_is("1.2.3.4/33", SPFDMARC_ERANGE, 0);
	cidr_is("1.2.3.4/999", SPFDMARC_ERANGE, 0);
	cidr_is("1.2.3.4/32", 0, 32);
	cidr_is("1.2.3.4/0", 0, 0);
	cidr_is("1.2.3.4", 0, 32);
	cidr_is("1.2.3.4/", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/024", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/00", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/-1", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/+1", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/ 24", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/24 ", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/24/1", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3.4/99999999999999999999", SPFDMARC_ESYNTAX, 0);
	cidr_is("/24", SPFDMARC_ESYNTAX, 0);
	cidr_is("/", SPFDMARC_ESYNTAX, 0);
	cidr_is("", SPFDMARC_ESYNTAX, 0);
	cidr_is("1.2.3/24", SPFDMARC_ESYNTAX, 0);
	cidr_is("::/0", 0, 0);
	cidr_is("::/128", 0, 128);
	cidr_is("::1", 0, 128);
	cidr_is("::/129", SPFDMARC_ERANGE, 0);
	cidr_is("2001:db8::/32", 0, 32);
	cidr_is("fe80::1%eth0/64", SPFDMARC_ESYNTAX, 0);
	is_int(spfdmarc_cidr_parse(&c, NULL, 0), SPFDMARC_ESYNTAX, "cidr NULL");
	ok(spfdmarc_cidr_parse(&c, "10.0.0.0/89", 10) == 0 && c.prefix == 8,
	    "len bounds the read (10.0.0.0/8 of 10.0.0.0/89)");

	/* IPv4 boundaries. */
	match_is("1.2.3.4/32", "1.2.3.4", 1);
	match_is("1.2.3.4/32", "1.2.3.5", 0);
	match_is("1.2.3.4/31", "1.2.3.4", 1);
	match_is("1.2.3.4/31", "1.2.3.5", 1);
	match_is("1.2.3.4/31", "1.2.3.3", 0);
	match_is("1.2.3.4/31", "1.2.3.6", 0);
	match_is("1.2.3.5/31", "1.2.3.4", 1);	/* host bits ignored */
	match_is("10.0.0.0/9", "10.127.255.255", 1);
	match_is("10.0.0.0/9", "10.128.0.0", 0);
	match_is("1.2.3.0/24", "1.2.3.255", 1);
	match_is("1.2.3.0/24", "1.2.4.0", 0);
	match_is("128.0.0.0/1", "128.0.0.0", 1);
	match_is("128.0.0.0/1", "255.255.255.255", 1);
	match_is("128.0.0.0/1", "127.255.255.255", 0);
	match_is("0.0.0.0/0", "0.0.0.0", 1);
	match_is("0.0.0.0/0", "255.255.255.255", 1);
	match_is("1.2.3.4/0", "9.9.9.9", 1);
	match_is("0.0.0.0/0", "::1", 0);		/* families differ */

	/* IPv6 boundaries. */
	match_is("::1/128", "::1", 1);
	match_is("::1/128", "::2", 0);
	match_is("::1/128", "::", 0);
	match_is("::2/127", "::2", 1);
	match_is("::2/127", "::3", 1);
	match_is("::2/127", "::1", 0);
	match_is("::2/127", "::4", 0);
	match_is("2001:db8::/32", "2001:db8:ffff::1", 1);
	match_is("2001:db8::/32", "2001:db9::1", 0);
	match_is("2001:db8::/65", "2001:db8::7fff:ffff:ffff:ffff", 1);
	match_is("2001:db8::/65", "2001:db8::8000:0:0:0", 0);
	match_is("8000::/1", "ffff::", 1);
	match_is("8000::/1", "8000::", 1);
	match_is("8000::/1", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0);
	match_is("::/0", "2001:db8::1", 1);
	match_is("::/0", "::", 1);
	match_is("::/0", "1.2.3.4", 0);			/* families differ */

	/* IPv4-mapped clients: compared as IPv4 against IPv4 networks. */
	match_is("1.2.3.0/24", "::ffff:1.2.3.4", 1);
	match_is("1.2.3.0/24", "::ffff:1.2.4.4", 0);
	match_is("1.2.3.4/32", "::ffff:1.2.3.4", 1);
	match_is("0.0.0.0/0", "::ffff:1.2.3.4", 1);
	match_is("1.2.3.0/24", "::1.2.3.4", 0);		/* compatible: no */
	match_is("::ffff:1.2.3.0/120", "::ffff:1.2.3.4", 1);	/* as IPv6 */
	match_is("::ffff:1.2.3.0/120", "1.2.3.4", 0);
	match_is("::/0", "::ffff:1.2.3.4", 1);

	/* Prefixes past the family's width never match. */
	a = A("1.2.3.4");
	ok(!spfdmarc_addr_match(&a, &a, 33), "match with prefix 33: no");
	ok(spfdmarc_addr_match(&a, &a, 32), "match with prefix 32: yes");
	a = A("::1");
	ok(!spfdmarc_addr_match(&a, &a, 129), "match with prefix 129: no");
	memset(&n, 0, sizeof(n));
	ok(!spfdmarc_addr_match(&n, &n, 0), "no address matches nothing");
}

static void
reverse_is(const char *in, const char *want)
{
	struct spfdmarc_addr a = A(in);
	char out[SPFDMARC_ADDR_REVLEN];

	is_int(spfdmarc_addr_reverse_name(&a, out, sizeof(out)), 0,
	    "reverse name of %s", in);
	is_str(out, want, "reverse name of %s", in);
}

static void
test_reverse(void)
{
	struct spfdmarc_addr a;
	char out[SPFDMARC_ADDR_REVLEN + 8];

	reverse_is("1.2.3.4", "4.3.2.1.in-addr.arpa");
	reverse_is("192.0.2.10", "10.2.0.192.in-addr.arpa");
	reverse_is("::ffff:1.2.3.4", "4.3.2.1.in-addr.arpa");
	reverse_is("2001:db8::1",
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	reverse_is("::",
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
	reverse_is("fedc:ba98::ff",
	    "f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.9.a.b.c.d.e.f.ip6.arpa");

	a = A("255.255.255.255");	/* 28 characters */
	is_int(spfdmarc_addr_reverse_name(&a, out, 29), 0, "IPv4 into 29 bytes");
	is_str(out, "255.255.255.255.in-addr.arpa", "longest IPv4 name");
	is_int(spfdmarc_addr_reverse_name(&a, out, 28), SPFDMARC_ETRUNC,
	    "IPv4 into 28 bytes: ETRUNC");
	a = A("::1");			/* 72 characters */
	is_int(spfdmarc_addr_reverse_name(&a, out, 73), 0, "IPv6 into 73 bytes");
	is_int((long long)strlen(out), 72, "IPv6 reverse name is 72 characters");
	is_int(spfdmarc_addr_reverse_name(&a, out, 72), SPFDMARC_ETRUNC,
	    "IPv6 into 72 bytes: ETRUNC");
	is_int(spfdmarc_addr_reverse_name(&a, out, 0), SPFDMARC_ETRUNC,
	    "into 0 bytes: ETRUNC");
	memset(&a, 0, sizeof(a));
	is_int(spfdmarc_addr_reverse_name(&a, out, sizeof(out)), SPFDMARC_EINVAL,
	    "reverse of no address: EINVAL");
}

int
main(void)
{
	test_parse4();
	test_parse6();
	test_format();
	test_mapped();
	test_cidr();
	test_reverse();
	return done_testing();
}
