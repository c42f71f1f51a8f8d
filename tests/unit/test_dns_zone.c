/*
 * test_dns_zone.c: the in-memory zone backend (spfdmarc/dns_zone.h),
 * seen through the DNS interface as SPF and DMARC see it.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "spfdmarc/dname.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/dns_zone.h"
#include "spfdmarc/err.h"
#include "tap.h"

static struct spfdmarc_dns *dns;
static struct spfdmarc_dns_zone *zone;

/* A fresh zone for each group of tests. */
static void
fresh(void)
{
	spfdmarc_dns_free(dns);
	dns = NULL;
	zone = NULL;
	if (spfdmarc_dns_zone_new(&dns, &zone) != 0) {
		printf("Bail out! cannot create a zone\n");
		exit(1);
	}
}

static const struct spfdmarc_dns_answer *
ask(struct spfdmarc_dns_ctx *ctx, const char *name, enum spfdmarc_dns_type t)
{
	return spfdmarc_dns_lookup(ctx, name, t);
}

static void
load_ok(const char *text, const char *what)
{
	char err[256];
	int rc = spfdmarc_dns_zone_load(zone, text, strlen(text), err,
	    sizeof(err));

	if (!is_int(rc, 0, "load: %s", what))
		diag("error: %s", err);
}

static void
load_fails(const char *text, const char *want_err, const char *what)
{
	char err[256];
	int rc;

	fresh();
	rc = spfdmarc_dns_zone_load(zone, text, strlen(text), err,
	    sizeof(err));
	ok(rc != 0, "load fails: %s", what);
	is_str(err, want_err, "load error text: %s", what);
}

static void
test_basic(void)
{
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;
	char buf[64];

	fresh();
	is_int(spfdmarc_dns_zone_add_a(zone, "Example.COM.", "192.0.2.1"), 0,
	    "add A");
	is_int(spfdmarc_dns_zone_add_a(zone, "example.com", "192.0.2.2"), 0,
	    "add second A");
	is_int(spfdmarc_dns_zone_add_aaaa(zone, "example.com", "2001:DB8::1"),
	    0, "add AAAA (upper-case hex)");
	is_int(spfdmarc_dns_zone_add_mx(zone, "example.com", 10,
	    "MX.Example.com."), 0, "add MX");
	is_int(spfdmarc_dns_zone_add_ptr(zone, "1.2.0.192.in-addr.arpa",
	    "Example.com"), 0, "add PTR");
	is_int(spfdmarc_dns_zone_add_ns(zone, "example.com", "ns.example.com"),
	    0, "add NS");
	is_int(spfdmarc_dns_zone_add_mx(zone, "null.example.com", 0, ""), 0,
	    "add a null MX (\"\")");
	is_int(spfdmarc_dns_zone_add_mx(zone, "null.example.com", 0, "."), 0,
	    "add a null MX (\".\")");

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "EXAMPLE.com.", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "A: status ok");
	is_int(a->rcode, 0, "A: rcode 0");
	is_int(a->count, 2, "A: two records, in order");
	(void)spfdmarc_addr_format(&a->rr[0].u.addr, buf, sizeof(buf));
	is_str(buf, "192.0.2.1", "A: first address");
	(void)spfdmarc_addr_format(&a->rr[1].u.addr, buf, sizeof(buf));
	is_str(buf, "192.0.2.2", "A: second address");
	is_int(a->ttl, SPFDMARC_DNS_ZONE_TTL, "A: ttl");
	is_int(a->dnssec, SPFDMARC_DNSSEC_INSECURE, "A: default insecure");
	ok(a->canonname == NULL, "A: no canonname without CNAME");
	ok(a->why == NULL, "A: no reason");
	is_int((long long)a->wire_size, 12 + 13 + 4 + 2 * (2 + 10 + 4),
	    "A: wire size (header, question, two records)");

	a = ask(ctx, "example.com", SPFDMARC_DNS_AAAA);
	is_int(a->count, 1, "AAAA: one record");
	(void)spfdmarc_addr_format(&a->rr[0].u.addr, buf, sizeof(buf));
	is_str(buf, "2001:db8::1", "AAAA: address");

	a = ask(ctx, "example.com", SPFDMARC_DNS_MX);
	is_int(a->count, 1, "MX: one record");
	is_int(a->rr[0].u.mx.preference, 10, "MX: preference");
	is_str(a->rr[0].u.mx.exchange, "mx.example.com",
	    "MX: exchange lower case, no dot");

	a = ask(ctx, "null.example.com", SPFDMARC_DNS_MX);
	ok(a->count == 2 && strcmp(a->rr[0].u.mx.exchange, "") == 0 &&
	    strcmp(a->rr[1].u.mx.exchange, "") == 0,
	    "null MX: the root reads \"\"");
	is_int((long long)a->wire_size, 12 + 18 + 4 + 2 * (2 + 10 + 3),
	    "null MX: wire size");

	a = ask(ctx, "1.2.0.192.in-addr.arpa", SPFDMARC_DNS_PTR);
	is_str(a->count == 1 ? a->rr[0].u.name : "", "example.com", "PTR");
	a = ask(ctx, "example.com", SPFDMARC_DNS_NS);
	is_str(a->count == 1 ? a->rr[0].u.name : "", "ns.example.com", "NS");

	a = ask(ctx, "example.com", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_NODATA, "TXT at a name with A: NODATA");
	is_int(a->count, 0, "NODATA: no records");
	is_int(a->rcode, 0, "NODATA: rcode 0");
	a = ask(ctx, "nothere.example.com", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_NXDOMAIN, "unknown name: NXDOMAIN");
	is_int(a->rcode, 3, "NXDOMAIN: rcode 3");
	is_int(a->dnssec, SPFDMARC_DNSSEC_INSECURE, "NXDOMAIN: insecure");
	a = ask(ctx, "com", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_NODATA, "parent of a name: NODATA");
	a = ask(ctx, "0.192.in-addr.arpa", SPFDMARC_DNS_PTR);
	is_int(a->status, SPFDMARC_DNS_NODATA, "empty non-terminal: NODATA");
	a = ask(ctx, "3.2.0.192.in-addr.arpa", SPFDMARC_DNS_PTR);
	is_int(a->status, SPFDMARC_DNS_NXDOMAIN, "sibling: NXDOMAIN");
	a = ask(ctx, "xample.com", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_NXDOMAIN,
	    "a suffix that is not a label boundary: NXDOMAIN");
	spfdmarc_dns_ctx_free(ctx);
}

static void
test_txt(void)
{
	static const char s1[] = "v=spf1 ", s2[] = "a\0b", s3[] = "-all";
	const char *const strs[] = { s1, s2, s3 };
	const size_t lens[] = { 7, 3, 4 };
	char big[256];
	const char *bigs[1] = { big };
	size_t biglen[1] = { 256 };
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;

	fresh();
	is_int(spfdmarc_dns_zone_add_txt(zone, "t.example", strs, lens, 3), 0,
	    "add TXT of three strings, one with a NUL");
	is_int(spfdmarc_dns_zone_add_txt(zone, "t.example", strs + 2, lens + 2,
	    1), 0, "add a second TXT");
	is_int(spfdmarc_dns_zone_add_txt(zone, "empty.example", NULL, NULL, 0),
	    0, "add TXT with no string");
	is_int(spfdmarc_dns_zone_add_spf(zone, "t.example", strs, lens, 1), 0,
	    "add SPF (type 99)");
	memset(big, 'x', sizeof(big));
	is_int(spfdmarc_dns_zone_add_txt(zone, "t.example", bigs, biglen, 1),
	    SPFDMARC_ERANGE, "a 256-byte string is refused");
	biglen[0] = 255;
	is_int(spfdmarc_dns_zone_add_txt(zone, "big.example", bigs, biglen, 1),
	    0, "a 255-byte string is fine");
	{
		const char *many[300];
		size_t manylen[300];

		for (size_t i = 0; i < 300; i++) {
			many[i] = big;
			manylen[i] = 255;
		}
		is_int(spfdmarc_dns_zone_add_txt(zone, "big.example", many,
		    manylen, 300), SPFDMARC_ERANGE,
		    "RDATA over 65535 bytes is refused");
		is_int(spfdmarc_dns_zone_add_txt(zone, "big.example", many,
		    manylen, 255), 0, "RDATA of 255 * 256 bytes is fine");
	}

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "T.Example", SPFDMARC_DNS_TXT);
	is_int(a->count, 2, "TXT: two records");
	if (a->count == 2) {
		is_int((long long)a->rr[0].u.txt.len, 14, "TXT: joined length");
		ok(memcmp(a->rr[0].u.txt.text, "v=spf1 a\0b-all", 15) == 0,
		    "TXT: strings joined without separator, NUL kept");
		is_int((long long)a->rr[0].u.txt.nstrings, 3, "TXT: nstrings");
		is_int((long long)a->rr[0].u.txt.longest, 7, "TXT: longest");
		is_str(a->rr[1].u.txt.text, "-all", "TXT: second record");
		is_int((long long)a->wire_size,
		    12 + 11 + 4 + (12 + 3 + 14) + (12 + 1 + 4),
		    "TXT: wire size");
	}
	a = ask(ctx, "t.example", SPFDMARC_DNS_SPF);
	is_int(a->count, 1, "SPF type: its own record");
	is_str(a->count ? a->rr[0].u.txt.text : "", "v=spf1 ", "SPF text");
	a = ask(ctx, "empty.example", SPFDMARC_DNS_TXT);
	is_int(a->count, 1, "TXT with no string: one record");
	if (a->count == 1) {
		is_int((long long)a->rr[0].u.txt.len, 0, "  of length 0");
		is_int((long long)a->rr[0].u.txt.nstrings, 0, "  no strings");
		is_str(a->rr[0].u.txt.text, "", "  empty text");
	}
	a = ask(ctx, "big.example", SPFDMARC_DNS_TXT);
	is_int(a->count, 2, "the big records");
	if (a->count == 2)
		is_int((long long)a->rr[1].u.txt.len, 255 * 255,
		    "the biggest record is all there");
	spfdmarc_dns_ctx_free(ctx);
}

static void
test_cname(void)
{
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;
	char name[32], next[32];

	fresh();
	load_ok("a.example.org TXT \"v=spf1 -all\" \n"
	    "a.example.org TXT other\n"
	    "b.example.org CNAME A.example.org.\n"
	    "c.example.org CNAME b.example.org\n"
	    "dangling.example.org CNAME nowhere.example.org\n"
	    "loop.example.org CNAME LOOP.example.org\n"
	    "l1.example.org CNAME l2.example.org\n"
	    "l2.example.org CNAME l1.example.org\n"
	    "slow.example.org CNAME timeout.example.org\n"
	    "timeout.example.org TIMEOUT\n", "CNAME zone");
	for (int i = 0; i < SPFDMARC_DNS_ZONE_CNAME_MAX + 1; i++) {
		(void)snprintf(name, sizeof(name), "c%d.example.org", i);
		(void)snprintf(next, sizeof(next), "c%d.example.org", i + 1);
		(void)spfdmarc_dns_zone_add_cname(zone, name, next);
	}
	(void)spfdmarc_dns_zone_add_a(zone, "c9.example.org", "192.0.2.9");

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "c.example.org", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_OK, "CNAME chain: ok");
	is_int(a->count, 2, "CNAME chain: the target's records");
	is_str(a->canonname, "a.example.org", "CNAME chain: canonname");
	is_str(a->count ? a->rr[0].u.txt.text : "", "v=spf1 -all",
	    "CNAME chain: text");
	a = ask(ctx, "b.example.org", SPFDMARC_DNS_CNAME);
	is_int(a->count, 1, "CNAME query: the CNAME itself");
	is_str(a->count ? a->rr[0].u.name : "", "a.example.org",
	    "CNAME query: target");
	ok(a->canonname == NULL, "CNAME query: not followed");
	a = ask(ctx, "b.example.org", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_NODATA, "CNAME to a name without A: "
	    "NODATA");
	a = ask(ctx, "dangling.example.org", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_NXDOMAIN, "dangling CNAME: NXDOMAIN");
	is_str(a->canonname, "nowhere.example.org", "dangling: canonname");
	a = ask(ctx, "loop.example.org", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_SERVFAIL, "CNAME to itself: SERVFAIL");
	ok(a->why != NULL && strstr(a->why, "CNAME") != NULL,
	    "loop: a reason: %s", a->why ? a->why : "(none)");
	a = ask(ctx, "l1.example.org", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_SERVFAIL, "two-name loop: SERVFAIL");
	a = ask(ctx, "c1.example.org", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "a chain of %d CNAMEs is followed",
	    SPFDMARC_DNS_ZONE_CNAME_MAX);
	is_str(a->canonname, "c9.example.org", "  to its end");
	a = ask(ctx, "c0.example.org", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_SERVFAIL, "a chain of %d is not",
	    SPFDMARC_DNS_ZONE_CNAME_MAX + 1);
	a = ask(ctx, "slow.example.org", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_TIMEOUT, "CNAME to a timeout: TIMEOUT");
	spfdmarc_dns_ctx_free(ctx);
}

static void
test_failures(void)
{
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;

	fresh();
	load_ok("slow.example TIMEOUT\n"
	    "broken.example SERVFAIL\n"
	    "part.example A 192.0.2.1\n"
	    "part.example TXT \"v=spf1 -all\"\n"
	    "part.example TIMEOUT txt\n"
	    "mixed.example TIMEOUT\n"
	    "mixed.example SERVFAIL MX\n"
	    "x.slow.example A 192.0.2.2\n", "failure marks");
	is_int(spfdmarc_dns_zone_set_failure(zone, "x.example",
	    SPFDMARC_DNS_ZONE_ALL_TYPES, SPFDMARC_DNS_NXDOMAIN),
	    SPFDMARC_EINVAL, "only TIMEOUT and SERVFAIL are failures");
	is_int(spfdmarc_dns_zone_set_failure(zone, "x.example",
	    (enum spfdmarc_dns_type)42, SPFDMARC_DNS_TIMEOUT),
	    SPFDMARC_EINVAL, "an unknown type is refused");

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "slow.example", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_TIMEOUT, "TIMEOUT: TXT");
	is_int(a->rcode, -1, "TIMEOUT: no rcode");
	is_int(a->dnssec, SPFDMARC_DNSSEC_INDETERMINATE,
	    "TIMEOUT: indeterminate");
	ok(a->why != NULL, "TIMEOUT: a reason: %s", a->why ? a->why : "");
	a = ask(ctx, "slow.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_TIMEOUT, "TIMEOUT: A too");
	a = ask(ctx, "x.slow.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "TIMEOUT does not cover children");
	a = ask(ctx, "broken.example", SPFDMARC_DNS_MX);
	is_int(a->status, SPFDMARC_DNS_SERVFAIL, "SERVFAIL");
	is_int(a->rcode, 2, "SERVFAIL: rcode 2");
	a = ask(ctx, "part.example", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_TIMEOUT, "per-type TIMEOUT: TXT times "
	    "out, records or not");
	a = ask(ctx, "part.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "per-type TIMEOUT: A answers");
	a = ask(ctx, "part.example", SPFDMARC_DNS_MX);
	is_int(a->status, SPFDMARC_DNS_NODATA, "per-type TIMEOUT: MX NODATA");
	a = ask(ctx, "mixed.example", SPFDMARC_DNS_MX);
	is_int(a->status, SPFDMARC_DNS_SERVFAIL, "per-type mark beats "
	    "all-types mark");
	a = ask(ctx, "mixed.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_TIMEOUT, "all-types mark elsewhere");
	spfdmarc_dns_ctx_free(ctx);
}

static void
test_dnssec(void)
{
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;

	fresh();
	load_ok("$DNSSEC indeterminate\n"
	    "secure.example DNSSEC secure\n"
	    "secure.example TXT \"v=spf1 -all\"\n"
	    "_dmarc.secure.example TXT \"v=DMARC1; p=reject\"\n"
	    "insecure.secure.example DNSSEC insecure\n"
	    "www.insecure.secure.example A 192.0.2.1\n"
	    "bad.secure.example DNSSEC bogus\n"
	    "bad.secure.example TXT \"v=spf1 +all\"\n"
	    "alias.secure.example CNAME www.insecure.secure.example\n"
	    "tobad.secure.example CNAME bad.secure.example\n"
	    "plain.example A 192.0.2.2\n", "DNSSEC zone");

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "secure.example", SPFDMARC_DNS_TXT);
	is_int(a->dnssec, SPFDMARC_DNSSEC_SECURE, "secure name");
	a = ask(ctx, "_dmarc.secure.example", SPFDMARC_DNS_TXT);
	is_int(a->dnssec, SPFDMARC_DNSSEC_SECURE, "inherited by a child");
	a = ask(ctx, "nothere.secure.example", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_NXDOMAIN, "secure NXDOMAIN");
	is_int(a->dnssec, SPFDMARC_DNSSEC_SECURE, "  is secure");
	a = ask(ctx, "www.insecure.secure.example", SPFDMARC_DNS_A);
	is_int(a->dnssec, SPFDMARC_DNSSEC_INSECURE, "child override wins");
	a = ask(ctx, "alias.secure.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "secure CNAME to insecure: ok");
	is_int(a->dnssec, SPFDMARC_DNSSEC_INSECURE, "  worst of the chain");
	a = ask(ctx, "bad.secure.example", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_BOGUS, "bogus: status BOGUS");
	is_int(a->dnssec, SPFDMARC_DNSSEC_BOGUS, "bogus: state BOGUS");
	is_int(a->count, 0, "bogus: no records handed out");
	ok(a->why != NULL && strncmp(a->why, "DNSSEC bogus", 12) == 0,
	    "bogus: a reason: %s", a->why ? a->why : "(none)");
	a = ask(ctx, "tobad.secure.example", SPFDMARC_DNS_TXT);
	is_int(a->status, SPFDMARC_DNS_BOGUS, "CNAME into bogus: BOGUS");
	a = ask(ctx, "plain.example", SPFDMARC_DNS_A);
	is_int(a->dnssec, SPFDMARC_DNSSEC_INDETERMINATE, "zone default");
	spfdmarc_dns_ctx_free(ctx);

	spfdmarc_dns_zone_set_default_dnssec(zone, SPFDMARC_DNSSEC_SECURE);
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "plain.example", SPFDMARC_DNS_A);
	is_int(a->dnssec, SPFDMARC_DNSSEC_SECURE, "zone default changed");
	spfdmarc_dns_ctx_free(ctx);
	is_int(spfdmarc_dns_zone_set_dnssec(zone, "x.example",
	    (enum spfdmarc_dnssec)9), SPFDMARC_EINVAL, "bad state refused");

	/* A state alone does not make a name exist. */
	fresh();
	is_int(spfdmarc_dns_zone_set_dnssec(zone, "only.example",
	    SPFDMARC_DNSSEC_SECURE), 0, "state on an empty name");
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "only.example", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_NXDOMAIN, "  it is still NXDOMAIN");
	is_int(a->dnssec, SPFDMARC_DNSSEC_SECURE, "  securely");
	spfdmarc_dns_ctx_free(ctx);
}

static void
test_names(void)
{
	const char *s = "x";
	size_t l = 1;
	char long_label[80], long_name[300];

	fresh();
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	memset(long_name, 'a', sizeof(long_name));
	for (size_t i = 10; i < 299; i += 10)
		long_name[i] = '.';
	long_name[299] = '\0';
	is_int(spfdmarc_dns_zone_add_txt(zone, "a..b", &s, &l, 1),
	    SPFDMARC_EINVAL, "empty label refused");
	is_int(spfdmarc_dns_zone_add_txt(zone, long_label, &s, &l, 1),
	    SPFDMARC_EINVAL, "64-byte label refused");
	is_int(spfdmarc_dns_zone_add_txt(zone, long_name, &s, &l, 1),
	    SPFDMARC_EINVAL, "name over 253 bytes refused");
	is_int(spfdmarc_dns_zone_add_txt(zone, "", &s, &l, 1),
	    SPFDMARC_EINVAL, "empty name refused");
	is_int(spfdmarc_dns_zone_add_txt(zone, NULL, &s, &l, 1),
	    SPFDMARC_EINVAL, "NULL name refused");
	is_int(spfdmarc_dns_zone_add_a(zone, "x.example", "1.2.3"),
	    SPFDMARC_EINVAL, "bad IPv4 refused");
	is_int(spfdmarc_dns_zone_add_a(zone, "x.example", "::1"),
	    SPFDMARC_EINVAL, "IPv6 as A refused");
	is_int(spfdmarc_dns_zone_add_aaaa(zone, "x.example", "192.0.2.1"),
	    SPFDMARC_EINVAL, "IPv4 as AAAA refused");
	is_int(spfdmarc_dns_zone_add_mx(zone, "x.example", 65536, "mx.example"),
	    SPFDMARC_EINVAL, "MX preference over 65535 refused");
	is_int(spfdmarc_dns_zone_add_cname(zone, "x.example", "a..b"),
	    SPFDMARC_EINVAL, "bad CNAME target refused");
	is_int(spfdmarc_dns_zone_add_txt(zone, "foo:bar/baz.example", &s, &l,
	    1), 0, "any byte goes in a label (SPF domain-spec)");
	is_int(spfdmarc_dns_zone_add_txt(zone, "macro%percent  space.example",
	    &s, &l, 1), 0, "spaces and percent too");
}

static void
test_loader(void)
{
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;

	fresh();
	load_ok("# a test zone\r\n"
	    "\n"
	    "   \t  # indented comment\n"
	    "example.com TXT \"v=spf1 \" \"ip4:192.0.2.1 \" -all  # comment\r\n"
	    "esc.example.com TXT \"q\\\"b\\\\ \\x41\\101\\0z\\t#\"\n"
	    "\"sp ace.example.com\" A 192.0.2.7\n"
	    "example.com MX 0 mx.example.com.\n"
	    "example.com aaaa 2001:db8::2\n"
	    "example.com spf \"v=spf1 -all\"\n"
	    "4.3.2.1.in-addr.arpa ptr example.com\n"
	    "example.com ns ns1.example.com\n"
	    "hash.example.com TXT a#b", "loader zone");

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	a = ask(ctx, "example.com", SPFDMARC_DNS_TXT);
	is_int(a->count, 1, "loaded TXT");
	is_str(a->count ? a->rr[0].u.txt.text : "",
	    "v=spf1 ip4:192.0.2.1 -all", "loaded TXT strings joined");
	is_int(a->count ? (long long)a->rr[0].u.txt.nstrings : 0, 3,
	    "loaded TXT: three strings (bare word included)");
	a = ask(ctx, "esc.example.com", SPFDMARC_DNS_TXT);
	ok(a->count == 1 && a->rr[0].u.txt.len == 11 &&
	    memcmp(a->rr[0].u.txt.text, "q\"b\\ AA\0z\t#", 12) == 0,
	    "escapes: \\\" \\\\ \\x41 \\101 \\0 \\t and # inside quotes");
	a = ask(ctx, "sp ace.example.com", SPFDMARC_DNS_A);
	is_int(a->status, SPFDMARC_DNS_OK, "quoted owner name with a space");
	a = ask(ctx, "example.com", SPFDMARC_DNS_MX);
	ok(a->count == 1 && a->rr[0].u.mx.preference == 0 &&
	    strcmp(a->rr[0].u.mx.exchange, "mx.example.com") == 0, "MX 0");
	a = ask(ctx, "example.com", SPFDMARC_DNS_AAAA);
	is_int(a->count, 1, "keywords ignore case");
	a = ask(ctx, "example.com", SPFDMARC_DNS_SPF);
	is_int(a->count, 1, "SPF type loaded");
	a = ask(ctx, "4.3.2.1.in-addr.arpa", SPFDMARC_DNS_PTR);
	is_int(a->count, 1, "PTR loaded");
	a = ask(ctx, "example.com", SPFDMARC_DNS_NS);
	is_int(a->count, 1, "NS loaded");
	a = ask(ctx, "hash.example.com", SPFDMARC_DNS_TXT);
	is_str(a->count ? a->rr[0].u.txt.text : "", "a#b",
	    "'#' inside a word is not a comment");
	spfdmarc_dns_ctx_free(ctx);

	load_fails("a.example TXT x\nb.example FOO bar\n",
	    "line 2: unknown record type", "unknown type");
	load_fails("a.example A 1.2.3.400\n", "line 1: bad IPv4 address",
	    "bad IPv4");
	load_fails("a.example AAAA 1.2.3.4\n", "line 1: bad IPv6 address",
	    "bad IPv6");
	load_fails("\n\na.example TXT \"open\n", "line 3: unterminated quoted "
	    "word", "unterminated quote");
	load_fails("a.example TXT \"a\\qb\"\n", "line 1: bad escape",
	    "unknown escape");
	load_fails("a.example TXT \"\\777\"\n", "line 1: bad escape",
	    "octal escape over 255");
	load_fails("a.example TXT \"a\"b\n", "line 1: no space after a "
	    "quoted word", "quote glued to a word");
	load_fails("a.example A 192.0.2.1 192.0.2.2\n", "line 1: unexpected "
	    "words at the end of the line", "trailing words");
	load_fails("a.example\n", "line 1: missing record type", "no type");
	load_fails("a.example MX\n", "line 1: missing MX preference",
	    "MX without preference");
	load_fails("a.example MX ten mx.example\n", "line 1: bad MX "
	    "preference", "MX bad preference");
	load_fails("a.example MX 70000 mx.example\n", "line 1: bad MX "
	    "preference", "MX preference too big");
	load_fails("a.example MX 10\n", "line 1: missing MX exchange",
	    "MX without exchange");
	load_fails("a.example CNAME a..b\n", "line 1: bad target name",
	    "bad target");
	load_fails("a..example A 192.0.2.1\n", "line 1: bad owner name",
	    "bad owner");
	load_fails("a.example TXT\n", "line 1: TXT wants at least one string",
	    "TXT without strings");
	load_fails("a.example TIMEOUT BOGUS\n", "line 1: unknown record type "
	    "after TIMEOUT", "TIMEOUT with a bad type");
	load_fails("a.example DNSSEC maybe\n", "line 1: unknown DNSSEC state "
	    "(secure, insecure, indeterminate, bogus)", "bad DNSSEC state");
	load_fails("$DNSSEC maybe\n", "line 1: unknown DNSSEC state (secure, "
	    "insecure, indeterminate, bogus)", "bad default state");
	load_fails("a.example A \"192.0.2.1\"\"\n", "line 1: no space after "
	    "a quoted word", "two quotes glued");
	{
		char line[400];
		int n;

		n = snprintf(line, sizeof(line), "a.example TXT \"");
		memset(line + n, 'x', 256);
		(void)snprintf(line + n + 256, sizeof(line) - (size_t)n - 256,
		    "\"\n");
		load_fails(line, "line 1: character-string 1 is 256 bytes long "
		    "(255 at most)", "string over 255 bytes");
	}
	{
		/* NUL bytes inside the text are data, not an end. */
		static const char text[] = "a.example TXT \"x\0y\"\n";
		char err[128];

		fresh();
		is_int(spfdmarc_dns_zone_load(zone, text, sizeof(text) - 1,
		    err, sizeof(err)), 0, "a raw NUL inside a quoted string");
		ctx = spfdmarc_dns_ctx_new(dns, NULL);
		a = ask(ctx, "a.example", SPFDMARC_DNS_TXT);
		ok(a->count == 1 && a->rr[0].u.txt.len == 3,
		    "  is kept as a byte");
		spfdmarc_dns_ctx_free(ctx);
	}
	fresh();
	is_int(spfdmarc_dns_zone_load(zone, "", 0, NULL, 0), 0,
	    "an empty text loads");
	is_int(spfdmarc_dns_zone_load(zone, "x..y A 1.2.3.4", 14, NULL, 0),
	    SPFDMARC_EINVAL, "errors without an error buffer");
	{
		char err[8];

		is_int(spfdmarc_dns_zone_load(zone, "x A 1", 5, err,
		    sizeof(err)) != 0, 1, "a short error buffer");
		is_str(err, "line 1:", "  holds a cut message");
	}
}

static void
test_query_log(void)
{
	struct spfdmarc_dns_ctx *ctx;
	char name[SPFDMARC_DNAME_BUFSIZE];
	enum spfdmarc_dns_type type;

	fresh();
	load_ok("example.com A 192.0.2.1\n", "log zone");
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	(void)ask(ctx, "_dmarc.mail.Example.com", SPFDMARC_DNS_TXT);
	(void)ask(ctx, "_dmarc.example.com", SPFDMARC_DNS_TXT);
	(void)ask(ctx, "example.com", SPFDMARC_DNS_A);
	(void)ask(ctx, "EXAMPLE.com.", SPFDMARC_DNS_A);	/* the context's */
	spfdmarc_dns_ctx_free(ctx);
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	(void)ask(ctx, "example.com", SPFDMARC_DNS_A);	/* a new context */
	spfdmarc_dns_ctx_free(ctx);

	is_int(spfdmarc_dns_zone_query_count(zone), 4, "four queries reached "
	    "the zone");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "example.com",
	    SPFDMARC_DNS_A), 2, "two for example.com A");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "Example.COM.",
	    SPFDMARC_DNS_ZONE_ALL_TYPES), 2, "any type, any case");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "example.com",
	    SPFDMARC_DNS_TXT), 0, "none for example.com TXT");
	ok(spfdmarc_dns_zone_query_at(zone, 0, name, sizeof(name), &type) &&
	    strcmp(name, "_dmarc.mail.example.com") == 0 &&
	    type == SPFDMARC_DNS_TXT, "first query, lower case");
	ok(spfdmarc_dns_zone_query_at(zone, 1, name, sizeof(name), &type) &&
	    strcmp(name, "_dmarc.example.com") == 0, "second query");
	ok(!spfdmarc_dns_zone_query_at(zone, 4, name, sizeof(name), &type),
	    "no fifth query");
	ok(!spfdmarc_dns_zone_query_at(zone, 0, name, 5, &type),
	    "a name that does not fit is not returned");
	spfdmarc_dns_zone_reset_queries(zone);
	is_int(spfdmarc_dns_zone_query_count(zone), 0, "reset");
	ok(!spfdmarc_dns_zone_query_at(zone, 0, name, sizeof(name), &type),
	    "reset empties the list");
}

#define THREADS 8
#define ROUNDS 200

static void *
reader(void *arg)
{
	long bad = 0;

	(void)arg;
	for (int r = 0; r < ROUNDS; r++) {
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
		const struct spfdmarc_dns_answer *a;

		a = ask(ctx, "alias.example", SPFDMARC_DNS_TXT);
		if (a->status != SPFDMARC_DNS_OK || a->count != 1)
			bad++;
		a = ask(ctx, "none.example", SPFDMARC_DNS_TXT);
		if (a->status != SPFDMARC_DNS_NXDOMAIN)
			bad++;
		spfdmarc_dns_ctx_free(ctx);
	}
	return (void *)bad;
}

static void
test_threads(void)
{
	pthread_t t[THREADS];
	long bad = 0;

	fresh();
	load_ok("target.example TXT \"v=spf1 -all\"\n"
	    "alias.example CNAME target.example\n", "thread zone");
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (int i = 0; i < THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	is_int(bad, 0, "%d threads read the zone at once", THREADS);
	is_int(spfdmarc_dns_zone_query_count(zone), THREADS * ROUNDS * 2,
	    "every query counted");
}

int
main(void)
{
	test_basic();
	test_txt();
	test_cname();
	test_failures();
	test_dnssec();
	test_names();
	test_loader();
	test_query_log();
	test_threads();
	spfdmarc_dns_free(dns);
	return done_testing();
}
