/*
 * test_spf_record.c: the SPF record parser (RFC 7208 §4.5, §4.6, §5, §6,
 * §12): every class of syntax error, the limits, and what a good record
 * parses into.
 */
#include "config.h"

#include <string.h>

#include "spf_record.h"
#include "spfdmarc/err.h"
#include "tap.h"

struct vec {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	int rc;
	const char *why;	/* a substring of the reason, or NULL */
};

#define BAD(t, w)	{ t, 0, SPFDMARC_ESYNTAX, w }
#define GOOD(t)		{ t, 0, 0, NULL }

static const struct vec vecs[] = {
	/* version (§4.5) */
	BAD("v=spf10", "v=spf1"),
	BAD("v=spf1x -all", "v=spf1"),
	BAD("v=spf2.0/pra -all", "v=spf1"),
	BAD("v=spf1\t-all", "v=spf1"),
	BAD(" v=spf1 -all", "v=spf1"),
	GOOD("v=spf1"),
	GOOD("V=SpF1 ~ALL"),
	GOOD("v=spf1 a  -all "),
	GOOD("v=spf1   "),

	/* qualifiers and names (§4.6.1) */
	BAD("v=spf1 *all", "qualifier or a letter"),
	BAD("v=spf1 =all", "qualifier or a letter"),
	BAD("v=spf1 --all", "no mechanism after the qualifier"),
	BAD("v=spf1 -", "no mechanism after the qualifier"),
	BAD("v=spf1 ip4:1.2.3.4 -all moo", "term 3 'moo' at offset 24: "
	    "unknown mechanism"),
	BAD("v=spf1 -all.", "unknown mechanism"),
	BAD("v=spf1 -all:foobar", "'all' takes no argument"),
	BAD("v=spf1 -all/8", "'all' takes no argument"),
	BAD("v=spf1 redirect:t2.example.com", "unknown mechanism"),
	BAD("v=spf1 ip:1.2.3.4", "unknown mechanism"),
	BAD("v=spf1 prt", "unknown mechanism"),
	BAD("v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all",
	    "unknown mechanism"),
	BAD("v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all",
	    "unknown mechanism"),
	GOOD("v=spf1 +all ?all ~all -all all"),
	GOOD("v=spf1 AlL InClUdE:example.com Mx A PtR EXISTS:x.example.com "
	    "IP4:1.2.3.4 Ip6:::1"),

	/* modifiers (§4.6.1, §6) */
	BAD("v=spf1 1up=foo", "qualifier or a letter"),
	BAD("v=spf1 -foo=bar", "a modifier takes no qualifier"),
	BAD("v=spf1 +redirect=example.com", "a modifier takes no qualifier"),
	BAD("v=spf1 -all foo=%abc", "'%' not followed by"),
	BAD("v=spf1 redirect=a.example.com redirect=b.example.com",
	    "'redirect' appears twice"),
	BAD("v=spf1 exp=a.example.com exp=b.example.com",
	    "'exp' appears twice"),
	BAD("v=spf1 EXP=a.example.com exp=b.example.com",
	    "'exp' appears twice"),
	BAD("v=spf1 redirect=", "empty domain-spec"),
	BAD("v=spf1 ?all redirect=", "empty domain-spec"),
	BAD("v=spf1 exp= -all", "empty domain-spec"),
	BAD("v=spf1 exp=-all", "top-level label"),
	BAD("v=spf1 redirect=-all ?all", "top-level label"),
	BAD("v=spf1 exp=%{r}.example.com -all", "only in explanation"),
	BAD("v=spf1 foo=bar baz=%", "'%' at the end"),
	GOOD("v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all"),
	GOOD("v=spf1 default=pass"),
	GOOD("v=spf1 default=+"),
	GOOD("v=spf1 -all moo="),
	GOOD("v=spf1 -all match.sub-domains_9=yes"),
	GOOD("v=spf1 x=a=b=c"),

	/* CIDR lengths (§5.6, §12) */
	BAD("v=spf1 a/33 -all", "CIDR length 33 above 32"),
	BAD("v=spf1 a//129 -all", "CIDR length 129 above 128"),
	BAD("v=spf1 mx/33 -all", "above 32"),
	BAD("v=spf1 mx//129 -all", "above 128"),
	BAD("v=spf1 a/01", "leading zero"),
	BAD("v=spf1 a//064", "leading zero"),
	BAD("v=spf1 a/1234", "too long"),
	BAD("v=spf1 a//", "unexpected text after 'a'"),
	BAD("v=spf1 a/", "unexpected text after 'a'"),
	BAD("v=spf1 a/24/64 -all", "above 32"),
	BAD("v=spf1 a/24/ -all", "unexpected text"),
	BAD("v=spf1 ip4:1.2.3.4/33 -all", "CIDR length 33 above 32"),
	BAD("v=spf1 ip4:1.2.3.4/032 -all", "leading zero"),
	BAD("v=spf1 ip4:1.2.3.4//32", "invalid CIDR length"),
	BAD("v=spf1 ip4:1.2.3.4/", "empty CIDR length"),
	BAD("v=spf1 ip6:::1.1.1.1/129", "above 128"),
	BAD("v=spf1 ip6:::1.1.1.1//33", "invalid CIDR length"),
	BAD("v=spf1 ptr/0 -all", "unexpected text after 'ptr'"),
	BAD("v=spf1 include:ip5.example.com/24 -all", "top-level label"),
	BAD("v=spf1 exists:mail.example.com/24", "top-level label"),
	GOOD("v=spf1 a/0 a//0 a/32 a//128 a/24//64 mx/0//0 ip4:1.1.1.1/0 "
	    "ip6:::/0 ip6:Cafe:Babe:8000::/33 ip4:1.2.3.4/32"),

	/* ip4 / ip6 networks (§5.6) */
	BAD("v=spf1 ip4:1.2.3", "invalid IPv4 address"),
	BAD("v=spf1 ip4:1.2.3.4:8080", "invalid IPv4 address"),
	BAD("v=spf1 ip4:01.2.3.4", "invalid IPv4 address"),
	BAD("v=spf1 ip4:1.2.3.256", "invalid IPv4 address"),
	BAD("v=spf1 ip4:::1", "invalid IPv4 address"),
	BAD("v=spf1 ip4", "needs ':'"),
	BAD("v=spf1 ip4:", "invalid IPv4 address"),
	BAD("v=spf1 -all ip6", "needs ':'"),
	BAD("v=spf1 ip6::CAFE::BABE", "invalid IPv6 address"),
	BAD("v=spf1 ip6:1.2.3.4", "invalid IPv6 address"),
	BAD("v=spf1 ip6:::1%eth0", "invalid IPv6 address"),
	GOOD("v=spf1 ip6:::FFFF:1.2.3.4 ip6:2001:db8::/32"),

	/* domain-specs (§7.1: domain-end) */
	BAD("v=spf1 a:", "empty domain-spec"),
	BAD("v=spf1 mx: -all", "empty domain-spec"),
	BAD("v=spf1 ptr:", "empty domain-spec"),
	BAD("v=spf1 include: -all", "empty domain-spec"),
	BAD("v=spf1 include +all", "'include' needs ':'"),
	BAD("v=spf1 exists:", "empty domain-spec"),
	BAD("v=spf1 exists", "'exists' needs ':'"),
	BAD("v=spf1 a:museum", "does not end in a macro or a dot"),
	BAD("v=spf1 a:museum.", "does not end in a macro or a dot"),
	BAD("v=spf1 a:foo-bar -all", "does not end in a macro or a dot"),
	BAD("v=spf1 a:abc.123", "top-level label"),
	BAD("v=spf1 a:111.222.33.44", "top-level label"),
	BAD("v=spf1 a:example.-com", "top-level label"),
	BAD("v=spf1 a:example.com-", "top-level label"),
	BAD("v=spf1 a:example.com:8080", "top-level label"),
	BAD("v=spf1 mx:example.com:8080", "top-level label"),
	BAD("v=spf1 a:example.com..", "top-level label"),
	BAD("v=spf1 a:%{d}.", "does not end in a macro or a dot"),
	GOOD("v=spf1 a:foo:bar/baz.example.com mx:foo:bar/baz.example.com"),
	GOOD("v=spf1 a:foo.example.xn--zckzah -all"),
	GOOD("v=spf1 a:foo.123-456 a:foo.a1 a:foo.1a"),
	GOOD("v=spf1 a:mail.example...com -all"),
	GOOD("v=spf1 a:.com"),
	GOOD("v=spf1 a:example.com."),
	GOOD("v=spf1 a:%{H} exists:%{i}.%{l2r-}.user.%{d2} ptr:%{d}"),
	GOOD("v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all"),
	GOOD("v=spf1 a:foo%%"),
	GOOD("v=spf1 redirect=%{d}.d.spf.example.com. exp=msg.example.com."),

	/* macros inside terms (§7.1) */
	BAD("v=spf1 -exists:%(ir).sbl.example.com ?all", "'%' not followed"),
	BAD("v=spf1 exists:foo%(ir).sbl.example.com ?all", "'%' not followed"),
	BAD("v=spf1 exists:foo%.sbl.example.com ?all", "'%' not followed"),
	BAD("v=spf1 a:%{a}.example.com -all", "unknown macro letter"),
	BAD("v=spf1 a:%{x}.example.com", "unknown macro letter"),
	BAD("v=spf1 a:%{d0}.example.com", "transformer 0"),
	BAD("v=spf1 a:%{d00}.example.com", "transformer 0"),
	BAD("v=spf1 a:%{d129}.example.com", "above 128"),
	BAD("v=spf1 a:%{d99999999999999999999}.example.com", "above 128"),
	BAD("v=spf1 a:%{c}.example.com", "only in explanation"),
	BAD("v=spf1 a:%{t}.example.com", "only in explanation"),
	BAD("v=spf1 a:%{d", "not closed"),
	BAD("v=spf1 a:%{", "not closed"),
	BAD("v=spf1 a:%{dx}.example.com", "unexpected character"),
	BAD("v=spf1 a:%{d-r}.example.com", "unexpected character"),
	BAD("v=spf1 a:%", "'%' at the end"),
	BAD("v=spf1 a:foo.example.com%", "'%' at the end"),
	GOOD("v=spf1 a:%{d128}.example.com a:%{d1}.x.example.com "
	    "a:%{dR}.example.com a:%{d2r.-+,/_=}.example.com a:%{D}"),

	/* bytes (§3.1, §4.6.1: terms are separated by SP only) */
	BAD("v=spf1 \x80" "a:example.net -all", "qualifier or a letter"),
	BAD("v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all",
	    "non-ASCII"),
	BAD("v=spf1 a:example.net \x96" "all", "qualifier or a letter"),
	BAD("v=spf1 a:ctrl.example.com\rptr -all", "control"),
	BAD("v=spf1 ip4:192.0.2.5\n include:spf.example.com ~all",
	    "invalid IPv4 address"),
	BAD("v=spf1 a\t-all", "unexpected text after 'a'"),
	{ "v=spf1 a:foo.example.com\0", 25, SPFDMARC_ESYNTAX, "control" },
	{ "v=spf1 -all\0 +all", 17, SPFDMARC_ESYNTAX, "takes no argument" },
};

/* A printable copy of text[0..len) for test names. */
static const char *
printable(const char *text, size_t len)
{
	static char out[512];
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < sizeof(out); i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch >= 0x20 && ch < 0x7f)
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "\\x%02x", ch);
	}
	out[o] = '\0';
	return out;
}

static void
test_vectors(struct spfdmarc_arena *arena)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		struct spf_record *rec;
		char why[SPFDMARC_SPF_REASON_MAX];
		size_t len = v->len != 0 ? v->len : strlen(v->text);
		int rc;

		rc = spf_record_parse(arena, v->text, len, &rec, why,
		    sizeof(why));
		if (!is_int(rc, v->rc, "parse [%s]", printable(v->text, len)))
			diag("reason: %s", why);
		if (v->why != NULL && !ok(strstr(why, v->why) != NULL,
		    "  reason has \"%s\"", v->why))
			diag("reason: %s", why);
		if (v->rc == 0)
			ok(rec != NULL, "  record returned");
		else
			ok(rec == NULL, "  no record returned");
	}
}

/* A good record parses into what it says. */
static void
test_structure(struct spfdmarc_arena *arena)
{
	static const char text[] =
	    "v=spf1 a/24//64 -mx:%{d}//0 ~ptr ?ptr:example.com "
	    "include:_spf.example.com exists:%{i}.x.example.com "
	    "ip4:192.0.2.0/24 -ip6:2001:db8::/32 foo=bar "
	    "redirect=%{d}.d.example.com. exp=msg.example.com all";
	struct spf_record *rec;
	char why[256];
	const struct spf_term *t;

	is_int(spf_record_parse(arena, text, strlen(text), &rec, why,
	    sizeof(why)), 0, "structured record parses");
	if (rec == NULL)
		return;
	is_int((long long)rec->nterms, 9, "9 mechanisms");
	t = rec->terms;
	is_int(t[0].mech, SPF_MECH_A, "a");
	is_int(t[0].qualifier, SPFDMARC_SPF_PASS, "default qualifier +");
	ok(t[0].spec == NULL, "a without domain-spec");
	is_int(t[0].cidr4, 24, "a/24");
	is_int(t[0].cidr6, 64, "a//64");
	is_str(t[0].text, "a/24//64", "term text as written");
	is_int(t[0].pos, 7, "term offset");
	is_int(t[1].mech, SPF_MECH_MX, "mx");
	is_int(t[1].qualifier, SPFDMARC_SPF_FAIL, "-");
	is_str(t[1].spec, "%{d}", "mx domain-spec");
	is_int(t[1].cidr4, 32, "mx default /32");
	is_int(t[1].cidr6, 0, "mx//0");
	is_int(t[2].mech, SPF_MECH_PTR, "ptr");
	is_int(t[2].qualifier, SPFDMARC_SPF_SOFTFAIL, "~");
	ok(t[2].spec == NULL, "ptr without domain-spec");
	is_int(t[3].qualifier, SPFDMARC_SPF_NEUTRAL, "?");
	is_str(t[3].spec, "example.com", "ptr:example.com");
	is_int(t[4].mech, SPF_MECH_INCLUDE, "include");
	is_str(t[4].spec, "_spf.example.com", "include target");
	is_int(t[5].mech, SPF_MECH_EXISTS, "exists");
	is_str(t[5].spec, "%{i}.x.example.com", "exists target");
	is_int(t[6].mech, SPF_MECH_IP4, "ip4");
	is_int(t[6].net.family, SPFDMARC_AF_INET, "ip4 family");
	is_int(t[6].net.bytes[2], 2, "ip4 address");
	is_int(t[6].cidr4, 24, "ip4 /24");
	is_int(t[7].mech, SPF_MECH_IP6, "ip6");
	is_int(t[7].net.family, SPFDMARC_AF_INET6, "ip6 family");
	is_int(t[7].cidr6, 32, "ip6 /32");
	is_int(t[8].mech, SPF_MECH_ALL, "all after the modifiers");
	is_str(rec->redirect, "%{d}.d.example.com.", "redirect domain-spec");
	is_str(rec->redirect_text, "redirect=%{d}.d.example.com.",
	    "redirect as written");
	is_str(rec->exp, "msg.example.com", "exp domain-spec");
	is_str(rec->exp_text, "exp=msg.example.com", "exp as written");
	ok(spf_mech_queries_dns(SPF_MECH_INCLUDE) &&
	    spf_mech_queries_dns(SPF_MECH_A) &&
	    spf_mech_queries_dns(SPF_MECH_MX) &&
	    spf_mech_queries_dns(SPF_MECH_PTR) &&
	    spf_mech_queries_dns(SPF_MECH_EXISTS) &&
	    !spf_mech_queries_dns(SPF_MECH_ALL) &&
	    !spf_mech_queries_dns(SPF_MECH_IP4) &&
	    !spf_mech_queries_dns(SPF_MECH_IP6),
	    "the DNS-querying mechanisms of section 4.6.4");
	is_str(spf_mech_name(SPF_MECH_EXISTS), "exists", "mechanism names");
}

/* Named limits: record length and term count. */
static void
test_limits(struct spfdmarc_arena *arena)
{
	static char text[SPF_RECORD_MAX + 2];
	struct spf_record *rec;
	char why[256];
	size_t n;

	/* One unknown modifier whose value fills the record exactly. */
	n = (size_t)snprintf(text, sizeof(text), "v=spf1 x=");
	memset(text + n, 'a', SPF_RECORD_MAX - n);
	text[SPF_RECORD_MAX] = '\0';
	is_int(spf_record_parse(arena, text, SPF_RECORD_MAX, &rec, why,
	    sizeof(why)), 0, "a record of exactly %d bytes parses",
	    SPF_RECORD_MAX);
	text[SPF_RECORD_MAX] = 'a';
	is_int(spf_record_parse(arena, text, SPF_RECORD_MAX + 1, &rec, why,
	    sizeof(why)), SPFDMARC_ERANGE, "one byte more is refused");
	ok(strstr(why, "longer than 4096") != NULL, "  reason: %s", why);

	n = (size_t)snprintf(text, sizeof(text), "v=spf1");
	for (int i = 0; i < SPF_TERMS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " ?all");
	is_int(spf_record_parse(arena, text, n, &rec, why, sizeof(why)), 0,
	    "%d terms parse", SPF_TERMS_MAX);
	if (rec != NULL)
		is_int((long long)rec->nterms, SPF_TERMS_MAX, "  all kept");
	n += (size_t)snprintf(text + n, sizeof(text) - n, " -all");
	is_int(spf_record_parse(arena, text, n, &rec, why, sizeof(why)),
	    SPFDMARC_ERANGE, "%d terms are refused", SPF_TERMS_MAX + 1);
	ok(strstr(why, "more than 256 terms") != NULL, "  reason: %s", why);

	/* The reason never overflows its buffer, and escapes what it
	 * quotes. */
	{
		char small[16];
		static const char bad[] = "v=spf1 \x01\x02\x03\x04moo";

		is_int(spf_record_parse(arena, bad, strlen(bad), &rec, small,
		    sizeof(small)), SPFDMARC_ESYNTAX, "small reason buffer");
		is_int((long long)strlen(small), (long long)sizeof(small) - 1,
		    "  reason cut to fit");
		is_int(spf_record_parse(arena, bad, strlen(bad), &rec, why,
		    sizeof(why)), SPFDMARC_ESYNTAX, "control bytes");
		ok(strstr(why, "'\\x01\\x02\\x03\\x04moo'") != NULL,
		    "  escaped in the reason: %s", why);
	}
}

static void
test_is_v1(void)
{
	ok(spf_record_is_v1("v=spf1", 6), "v=spf1 alone");
	ok(spf_record_is_v1("v=spf1 -all", 11), "v=spf1 and a term");
	ok(spf_record_is_v1("V=SPF1 -all", 11), "any case");
	ok(!spf_record_is_v1("v=spf10", 7), "v=spf10 is not v=spf1");
	ok(!spf_record_is_v1("v=spf1-all", 10), "no space after the version");
	ok(!spf_record_is_v1("v=spf", 5), "short");
	ok(!spf_record_is_v1(NULL, 0), "empty");
	ok(!spf_record_is_v1("\x96", 1), "a non-ASCII TXT record");
}

int
main(void)
{
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);

	test_vectors(arena);
	test_structure(arena);
	test_limits(arena);
	test_is_v1();
	spfdmarc_arena_free(arena);
	return done_testing();
}
