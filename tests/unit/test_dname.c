/*
 * test_dname.c: domain-name syntax and comparison (spfdmarc/dname.h):
 * lengths (253/63, the trailing dot not counted), LDH, the underscore
 * flag, A-label shape and reserved "ab--" labels, case folding, equality,
 * is_under on label boundaries, last_labels.
 */
#include "config.h"

#include <string.h>

#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "tap.h"

#define LDH	SPFDMARC_DNAME_LDH
#define US	SPFDMARC_DNAME_UNDERSCORE
#define MULTI	SPFDMARC_DNAME_MULTILABEL
#define ATLD	SPFDMARC_DNAME_ALPHA_TLD

static int
check(const char *name, unsigned flags)
{
	return spfdmarc_dname_check(name, strlen(name), flags);
}

static void
is_check(const char *name, unsigned flags, int want)
{
	is_int(check(name, flags), want, "check '%s' flags %u", name, flags);
}

/* n bytes of c, NUL-terminated, into out (out holds n + 1). */
static char *
fill(char *out, char c, size_t n)
{
	memset(out, c, n);
	out[n] = '\0';
	return out;
}

static void
test_lengths(void)
{
	char name[300], label[80];

	is_int(spfdmarc_dname_check(NULL, 0, 0), SPFDMARC_ESYNTAX, "NULL name");
	is_check("", 0, SPFDMARC_ESYNTAX);
	is_check(".", 0, SPFDMARC_ESYNTAX);
	is_check("..", 0, SPFDMARC_ESYNTAX);
	is_check("a", 0, 0);
	is_check("a.", 0, 0);
	is_check("a..", 0, SPFDMARC_ESYNTAX);
	is_check(".a", 0, SPFDMARC_ESYNTAX);
	is_check("a..b", 0, SPFDMARC_ESYNTAX);
	is_int(spfdmarc_dname_check("a\0b", 3, 0), SPFDMARC_ESYNTAX,
	    "a NUL byte inside");
	is_int(spfdmarc_dname_check("ab", 1, LDH), 0, "len bounds the read");

	/* Labels: 63 OK, 64 too long, trailing dot not counted. */
	fill(label, 'a', 63);
	is_int(check(label, LDH), 0, "63-byte label");
	label[63] = '.';
	label[64] = '\0';
	is_int(check(label, LDH), 0, "63-byte label and trailing dot");
	fill(label, 'a', 64);
	is_int(check(label, 0), SPFDMARC_ERANGE, "64-byte label");
	is_int(spfdmarc_dname_label_is_ldh(label, 64), 0, "64 is not an LDH label");
	is_int(spfdmarc_dname_label_is_ldh(label, 63), 1, "63 is");

	/* Names: 253 OK, 254 too long; with a trailing dot 254/255 bytes. */
	fill(name, 'a', 253);
	for (size_t i = 63; i < 253; i += 64)
		name[i] = '.';			/* 63.63.63.61 */
	is_int((long long)strlen(name), 253, "name of 253 bytes built");
	is_int(check(name, LDH), 0, "253-byte name");
	name[253] = '.';
	name[254] = '\0';
	is_int(check(name, LDH), 0, "253-byte name plus trailing dot (254 bytes)");
	name[253] = 'a';
	is_int(check(name, LDH), SPFDMARC_ERANGE, "254-byte name");
	name[254] = '.';
	name[255] = '\0';
	is_int(check(name, LDH), SPFDMARC_ERANGE,
	    "254-byte name plus trailing dot");
	fill(name, 'a', 299);
	is_int(check(name, 0), SPFDMARC_ERANGE, "299-byte single label");
}

static void
test_ldh(void)
{
	is_check("example.com", LDH, 0);
	is_check("EXAMPLE.com.", LDH, 0);
	is_check("a-b.c-d.com", LDH, 0);
	is_check("1.2.3.4", LDH, 0);		/* RFC 1123: digits allowed */
	is_check("-ab.com", LDH, SPFDMARC_ESYNTAX);
	is_check("ab-.com", LDH, SPFDMARC_ESYNTAX);
	is_check("a-.b", LDH, SPFDMARC_ESYNTAX);
	is_check("-", LDH, SPFDMARC_ESYNTAX);
	is_check("a_b.com", LDH, SPFDMARC_ESYNTAX);
	is_check("a b.com", LDH, SPFDMARC_ESYNTAX);
	is_check("caf\xc3\xa9.com", LDH, SPFDMARC_ESYNTAX);
	is_check("a*.com", LDH, SPFDMARC_ESYNTAX);

	/* Without LDH, any byte but NUL and the dot structure. */
	is_check("a b.com", 0, 0);
	is_check("_spf.a_b.com", 0, 0);
	is_check("caf\xc3\xa9.com", 0, 0);
	is_check("-.-", 0, 0);

	/* Underscore: a leading '_' on any label, only with the flag. */
	is_check("_dmarc.example.com", LDH, SPFDMARC_ESYNTAX);
	is_check("_dmarc.example.com", LDH | US, 0);
	is_check("a._spf.example.com", LDH | US, 0);
	is_check("_", LDH | US, 0);
	is_check("x_.com", LDH | US, SPFDMARC_ESYNTAX);
	is_check("__x.com", LDH | US, SPFDMARC_ESYNTAX);
	is_check("_-x.com", LDH | US, SPFDMARC_ESYNTAX);
	is_check("_x-.com", LDH | US, SPFDMARC_ESYNTAX);

	/* Multi-label and alphabetic TLD. */
	is_check("com", LDH | MULTI, SPFDMARC_ESYNTAX);
	is_check("com.", LDH | MULTI, SPFDMARC_ESYNTAX);
	is_check("a.com", LDH | MULTI, 0);
	is_check("1.2.3.4", LDH | ATLD, SPFDMARC_ESYNTAX);
	is_check("example.123", LDH | ATLD, SPFDMARC_ESYNTAX);
	is_check("example.123.", LDH | ATLD, SPFDMARC_ESYNTAX);
	is_check("example.c0m", LDH | ATLD, 0);
	is_check("123", LDH | ATLD, SPFDMARC_ESYNTAX);

	ok(!spfdmarc_dname_label_is_ldh("", 0), "empty label is not LDH");
	ok(spfdmarc_dname_label_is_ldh("a", 1), "a is LDH");
	ok(spfdmarc_dname_label_is_ldh("0", 1), "0 is LDH");
	ok(!spfdmarc_dname_label_is_ldh("a.b", 3), "a dot is not LDH");
}

static void
test_alabel(void)
{
	char label[80];

	ok(spfdmarc_dname_label_is_alabel("xn--bcher-kva", 13), "xn--bcher-kva");
	ok(spfdmarc_dname_label_is_alabel("XN--BCHER-KVA", 13), "upper case prefix");
	ok(spfdmarc_dname_label_is_alabel("Xn--a", 5), "mixed case, shortest");
	ok(!spfdmarc_dname_label_is_alabel("xn--", 4), "xn-- alone");
	ok(!spfdmarc_dname_label_is_alabel("xn-a", 4), "xn-a");
	ok(!spfdmarc_dname_label_is_alabel("xn-ab", 5), "xn-ab (one hyphen)");
	ok(!spfdmarc_dname_label_is_alabel("xn--a-", 6), "ends with a hyphen");
	ok(!spfdmarc_dname_label_is_alabel("xn--a_b", 7), "underscore");
	ok(!spfdmarc_dname_label_is_alabel("xm--abc", 7), "xm-- is not xn--");
	ok(!spfdmarc_dname_label_is_alabel("bcher", 5), "no prefix");
	ok(!spfdmarc_dname_label_is_alabel("xn--abc", 4), "len bounds the read");
	memcpy(label, "xn--", 4);
	fill(label + 4, 'a', 59);
	ok(spfdmarc_dname_label_is_alabel(label, 63), "63-byte A-label");
	fill(label + 4, 'a', 60);
	ok(!spfdmarc_dname_label_is_alabel(label, 64), "64-byte A-label");

	/* In names: xn-- labels must be A-label shaped; "ab--" is reserved
	 * for them (RFC 5891 §4.2.3.1). */
	is_check("xn--bcher-kva.example", LDH, 0);
	is_check("www.XN--BCHER-KVA.example.", LDH, 0);
	is_check("xn--.example", LDH, SPFDMARC_ESYNTAX);
	is_check("xn--abc-.example", LDH, SPFDMARC_ESYNTAX);
	is_check("ab--c.example", LDH, SPFDMARC_ESYNTAX);
	is_check("zz--top.example", LDH, SPFDMARC_ESYNTAX);
	is_check("a--b.example", LDH, 0);
	is_check("abc--d.example", LDH, 0);
	is_check("a-b-c.example", LDH, 0);
	is_check("_xn--bcher-kva.example", LDH | US, 0);
	is_check("ab--c.example", 0, 0);	/* no syntax rules without LDH */
}

static void
test_case_and_count(void)
{
	char s[] = "ExAmPlE.COM.\xc3\x89Z";
	char t[] = "ABC";

	spfdmarc_dname_lower(s, strlen(s));
	is_str(s, "example.com.\xc3\x89z", "lower: ASCII only, other bytes kept");
	spfdmarc_dname_lower(t, 1);
	is_str(t, "aBC", "lower: len bounds the write");
	spfdmarc_dname_lower(t, 0);
	is_str(t, "aBC", "lower: len 0 does nothing");

	is_int((long long)spfdmarc_dname_count_labels("", 0), 0, "labels of ''");
	is_int((long long)spfdmarc_dname_count_labels(".", 1), 0, "labels of '.'");
	is_int((long long)spfdmarc_dname_count_labels("a", 1), 1, "labels of 'a'");
	is_int((long long)spfdmarc_dname_count_labels("a.", 2), 1, "labels of 'a.'");
	is_int((long long)spfdmarc_dname_count_labels("a.b.c", 5), 3,
	    "labels of 'a.b.c'");
	is_int((long long)spfdmarc_dname_count_labels("a.b.c.", 6), 3,
	    "labels of 'a.b.c.'");
}

static int
eq(const char *a, const char *b)
{
	return spfdmarc_dname_equal(a, strlen(a), b, strlen(b));
}

static int
under(const char *c, const char *p)
{
	return spfdmarc_dname_is_under(c, strlen(c), p, strlen(p));
}

static void
test_compare(void)
{
	ok(eq("Example.COM", "example.com"), "equal ignores case");
	ok(eq("example.com.", "EXAMPLE.com"), "equal ignores a trailing dot");
	ok(eq("a.", "a."), "both dotted");
	ok(eq("", ""), "empty equals empty");
	ok(eq(".", "."), "root equals root");
	ok(!eq("example.com", "example.co"), "prefix is not equal");
	ok(!eq("example.com", "xample.com"), "suffix is not equal");
	ok(!eq("a..", "a"), "only one trailing dot is ignored");
	ok(!eq("a-b", "a_b"), "different bytes");
	ok(!eq("\xc3\xa9", "\xc3\x89"), "no case folding beyond ASCII");
	ok(spfdmarc_dname_equal("ab", 1, "a", 1), "equal reads only len bytes");

	ok(under("a.example.com", "example.com"), "a.example.com under example.com");
	ok(under("x.y.example.com", "Y.EXAMPLE.COM."), "deeper, case, dot");
	ok(under("example.com", "example.com"), "a name is under itself");
	ok(under("example.com.", "example.com"), "itself, trailing dot");
	ok(!under("badexample.com", "example.com"),
	    "badexample.com is NOT under example.com (label boundary)");
	ok(!under("a.badexample.com", "example.com"), "nor a.badexample.com");
	ok(!under("example.com", "a.example.com"), "parent not under child");
	ok(!under("com", "example.com"), "shorter not under");
	ok(under("example.com", "com"), "under a TLD");
	ok(under("example.com", "."), "every name is under the root");
	ok(!under("example.com", ""), "nothing is under the empty string");
	ok(!under("", "example.com"), "empty child");
	ok(!under("ample.com", "example.com"), "suffix of the parent");
}

static int
last(const char *name, size_t n, const char *want)
{
	size_t off = 999;
	size_t len = strlen(name);

	if (!spfdmarc_dname_last_labels(name, len, n, &off))
		return want == NULL;
	if (want == NULL) {
		diag("'%s' %zu: got offset %zu, want none", name, n, off);
		return 0;
	}
	if (off > len || strcmp(name + off, want) != 0) {
		diag("'%s' %zu: got '%s', want '%s'", name, n,
		    off <= len ? name + off : "(out of range)", want);
		return 0;
	}
	return 1;
}

static void
test_last_labels(void)
{
	ok(last("a.b.c", 1, "c"), "last 1 of a.b.c");
	ok(last("a.b.c", 2, "b.c"), "last 2 of a.b.c");
	ok(last("a.b.c", 3, "a.b.c"), "last 3 of a.b.c");
	ok(last("a.b.c", 4, NULL), "last 4 of a.b.c: none");
	ok(last("a.b.c", 0, NULL), "last 0: none");
	ok(last("a.b.c.", 1, "c."), "trailing dot kept in the suffix");
	ok(last("a.b.c.", 3, "a.b.c."), "all of a.b.c.");
	ok(last("a.b.c.", 4, NULL), "trailing dot is not a label");
	ok(last("com", 1, "com"), "one label");
	ok(last("", 1, NULL), "empty name has no labels");
	ok(last(".", 1, NULL), "the root has no labels");
	ok(last("mail.Example.CO.UK", 3, "Example.CO.UK"), "case kept");
}

int
main(void)
{
	test_lengths();
	test_ldh();
	test_alabel();
	test_case_and_count();
	test_compare();
	test_last_labels();
	return done_testing();
}
