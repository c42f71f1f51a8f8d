/*
 * test_spf_eval.c: check_host() over the in-memory zone (RFC 7208 §2.3,
 * §2.4, §4, §5, §6, §7.3): record selection, every mechanism, the include
 * table, redirect, exp=, the §4.6.4 limits counted exactly, DNS failures,
 * DNSSEC states, the response fields, the trace, and the prefetch budget.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "spfdmarc/dns.h"
#include "spfdmarc/dns_zone.h"
#include "spfdmarc/err.h"
#include "spfdmarc/spf.h"
#include "tap.h"

static struct spfdmarc_dns *dns;
static struct spfdmarc_dns_zone *zone;
static struct spfdmarc_spf_response R;
static struct spfdmarc_spf_request req;
static char trace[16384];
static size_t trace_len;

static void
trace_fn(unsigned depth, const char *line, void *arg)
{
	(void)arg;
	trace_len += (size_t)snprintf(trace + trace_len,
	    trace_len < sizeof(trace) ? sizeof(trace) - trace_len : 0,
	    "%u %s\n", depth, line);
	if (trace_len >= sizeof(trace))
		trace_len = sizeof(trace) - 1;
}

static void
load(const char *text)
{
	char err[256];

	spfdmarc_dns_free(dns);
	if (spfdmarc_dns_zone_new(&dns, &zone) != 0) {
		printf("Bail out! cannot create a zone\n");
		exit(1);
	}
	if (spfdmarc_dns_zone_load(zone, text, strlen(text), err,
	    sizeof(err)) != 0) {
		printf("Bail out! zone: %s\n", err);
		exit(1);
	}
}

/* A fresh request: MAIL FROM, default explanation "DEFAULT". */
static void
request(const char *ip, const char *sender, const char *helo)
{
	memset(&req, 0, sizeof(req));
	if (spfdmarc_addr_parse(&req.ip, ip, strlen(ip)) != 0) {
		printf("Bail out! bad address %s\n", ip);
		exit(1);
	}
	req.identity = SPFDMARC_SPF_MAILFROM;
	req.sender = sender;
	req.helo = helo;
	req.default_explanation = "DEFAULT";
	req.now = 1400000000;
	req.trace = trace_fn;
	trace_len = 0;
	trace[0] = '\0';
}

static int
run(void)
{
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
	int rc;

	rc = spfdmarc_spf_check(ctx, &req, &R);
	spfdmarc_dns_ctx_free(ctx);
	return rc;
}

/* Load zone, check ip/sender/helo, compare the result. */
static void
expect(const char *zone_text, const char *ip, const char *sender,
    const char *helo, enum spfdmarc_spf_result want, const char *what)
{
	load(zone_text);
	request(ip, sender, helo);
	is_int(run(), 0, "%s: check returns 0", what);
	if (!is_str(spfdmarc_spf_result_name(R.result),
	    spfdmarc_spf_result_name(want), "%s: %s", what,
	    spfdmarc_spf_result_name(want)))
		diag("reason: %s\n# trace:\n%s", R.reason, trace);
}

static void
test_results(void)
{
	enum spfdmarc_spf_result r;

	is_str(spfdmarc_spf_result_name(SPFDMARC_SPF_TEMPERROR), "temperror",
	    "result names are RFC 8601's");
	is_str(spfdmarc_spf_result_name((enum spfdmarc_spf_result)99),
	    "unknown", "unknown result");
	is_int(spfdmarc_spf_result_parse("SoftFail", &r), 0, "parse");
	is_int(r, SPFDMARC_SPF_SOFTFAIL, "  softfail");
	is_int(spfdmarc_spf_result_parse("tempfail", &r), SPFDMARC_EINVAL,
	    "tempfail is not a token");
	request("192.0.2.1", "a@example.com", NULL);
	is_int(spfdmarc_spf_check(NULL, &req, &R), SPFDMARC_EINVAL,
	    "no context: EINVAL");
	req.ip.family = SPFDMARC_AF_NONE;
	load("");
	is_int(run(), SPFDMARC_EINVAL, "no address: EINVAL");
	is_int(spfdmarc_spf_check(NULL, NULL, NULL), SPFDMARC_EINVAL,
	    "nothing: EINVAL");
}

static void
test_selection(void)
{
	expect("", "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_NONE,
	    "NXDOMAIN");
	ok(strstr(R.reason, "no SPF record at example.com") != NULL,
	    "  reason: %s", R.reason);
	is_str(R.mechanism, "", "  no mechanism for none");
	expect("example.com TXT \"hello\"\nexample.com TXT \"v=spf10 -all\"",
	    "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_NONE,
	    "no v=spf1 record among TXT records");
	expect("example.com SPF \"v=spf1 -all\"\nexample.com A 192.0.2.9",
	    "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_NONE,
	    "type SPF (99) is not looked at");
	expect("example.com TXT \"v=spf1 -all\"\nexample.com TXT "
	    "\"V=SPF1 +all\"", "192.0.2.1", "a@example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "two records");
	ok(strstr(R.reason, "2 SPF records") != NULL, "  reason: %s",
	    R.reason);
	expect("example.com TXT \"v=spf1 -all\"\nexample.com TXT \"\\x96\"",
	    "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_FAIL,
	    "non-ASCII in another TXT record is not ours");
	expect("example.com TXT \"v=spf1 ip4:\" \"192.0.2.1 -all\"",
	    "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_PASS,
	    "strings joined without a space");
	expect("example.com TXT \"v=spf1\" \"mx\"", "192.0.2.1",
	    "a@example.com", NULL, SPFDMARC_SPF_NONE,
	    "\"v=spf1\" \"mx\" is v=spf1mx");
	expect("example.com TXT \"v=SpF1 ~all\"", "192.0.2.1",
	    "a@example.com", NULL, SPFDMARC_SPF_SOFTFAIL,
	    "version in any case");
	expect("example.com TXT \"v=spf1\"", "192.0.2.1", "a@example.com",
	    NULL, SPFDMARC_SPF_NEUTRAL, "empty record: default neutral");
	is_str(R.mechanism, "default", "  mechanism 'default'");
	expect("example.com TIMEOUT", "192.0.2.1", "a@example.com", NULL,
	    SPFDMARC_SPF_TEMPERROR, "TXT timeout");
	expect("example.com SERVFAIL TXT\nexample.com A 192.0.2.1",
	    "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_TEMPERROR,
	    "TXT servfail");
	expect("example.com TXT \"v=spf1 +all\"\nexample.com DNSSEC bogus",
	    "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_TEMPERROR,
	    "bogus TXT");
	ok(strncmp(R.reason, "DNSSEC bogus: ", 14) == 0, "  reason: %s",
	    R.reason);
	is_int(R.dnssec, SPFDMARC_DNSSEC_BOGUS, "  dnssec bogus");
	expect("example.com TXT \"v=spf1 -all moo\"", "192.0.2.1",
	    "a@example.com", NULL, SPFDMARC_SPF_PERMERROR, "syntax error");
	ok(strstr(R.reason, "example.com: term 2 'moo' at offset 12: "
	    "unknown mechanism") != NULL, "  reason: %s", R.reason);
}

static void
test_identity(void)
{
	static const char z[] =
	    "example.com TXT \"v=spf1 -all exp=exp.example.com\"\n"
	    "exp.example.com TXT \"%{l}|%{s}|%{o}|%{d}|%{h}\"\n"
	    "mail.example.com TXT \"v=spf1 ip4:192.0.2.1 -all\"\n";

	expect(z, "192.0.2.1", "@example.com", "mail.example.com",
	    SPFDMARC_SPF_FAIL, "no local part");
	is_str(R.explanation, "postmaster|postmaster@example.com|example.com"
	    "|example.com|mail.example.com", "  postmaster substituted");
	is_str(R.sender, "postmaster@example.com", "  sender as checked");
	is_str(R.domain, "example.com", "  domain");
	expect(z, "192.0.2.1", "example.com", "mail.example.com",
	    SPFDMARC_SPF_FAIL, "no '@'");
	is_str(R.sender, "postmaster@example.com", "  sender as checked");
	expect(z, "192.0.2.1", "\"a@b\"@example.com", "x.example.com",
	    SPFDMARC_SPF_FAIL, "domain after the last '@'");
	is_str(R.explanation, "\"a@b\"|\"a@b\"@example.com|example.com|"
	    "example.com|x.example.com", "  local part kept whole");
	expect(z, "192.0.2.1", "", "mail.example.com", SPFDMARC_SPF_PASS,
	    "null sender: postmaster@helo");
	is_str(R.sender, "postmaster@mail.example.com", "  sender");
	is_str(R.domain, "mail.example.com", "  domain");
	expect(z, "192.0.2.1", "", NULL, SPFDMARC_SPF_NONE,
	    "null sender, no HELO");
	expect(z, "192.0.2.1", "a@example.com.", NULL, SPFDMARC_SPF_FAIL,
	    "trailing dot");
	is_str(R.domain, "example.com", "  dropped");

	load(z);
	request("192.0.2.1", "a@example.com", "mail.example.com");
	req.identity = SPFDMARC_SPF_HELO;
	run();
	is_int(R.result, SPFDMARC_SPF_PASS, "HELO identity");
	is_str(R.sender, "postmaster@mail.example.com", "  sender");
	request("192.0.2.1", NULL, "[192.0.2.1]");
	req.identity = SPFDMARC_SPF_HELO;
	run();
	is_int(R.result, SPFDMARC_SPF_NONE, "HELO address literal: none");

	/* §4.3: malformed domains are none, without a lookup. */
	expect(z, "192.0.2.1", "a@A123456789012345678901234567890123456789"
	    "012345678901234567890123.example.com", NULL, SPFDMARC_SPF_NONE,
	    "64-byte label");
	expect(z, "192.0.2.1", "a@a...example.com", NULL, SPFDMARC_SPF_NONE,
	    "empty label");
	expect(z, "192.0.2.1", "a@example", NULL, SPFDMARC_SPF_NONE,
	    "single label");
	expect(z, "192.0.2.1", "a@[192.0.2.1]", NULL, SPFDMARC_SPF_NONE,
	    "domain literal");
	expect(z, "192.0.2.1", "a@1.2.3.4", NULL, SPFDMARC_SPF_NONE,
	    "numeric top label");
	is_int(spfdmarc_dns_zone_query_count(zone), 0, "  no DNS asked");
	{
		char big[400];

		memset(big, 'a', sizeof(big));
		memcpy(big + sizeof(big) - 13, "@example.com", 13);
		expect(z, "192.0.2.1", big, NULL, SPFDMARC_SPF_NONE,
		    "387-byte sender");
	}
}

static void
test_mechanisms(void)
{
	static const char z[] =
	    "example.com A 192.0.2.10\n"
	    "example.com AAAA 2001:db8::10\n"
	    "example.com MX 10 mx1.example.com\n"
	    "example.com MX 20 mx2.example.com\n"
	    "mx1.example.com A 192.0.2.20\n"
	    "mx2.example.com A 192.0.2.21\n"
	    "mx2.example.com AAAA 2001:db8::21\n"
	    "other.example.com A 198.51.100.1\n"
	    "other.example.com A 198.51.100.77\n"
	    "1.100.51.198.in-addr.arpa PTR host.ptr.example.com\n"
	    "1.100.51.198.in-addr.arpa PTR liar.example.com\n"
	    "host.ptr.example.com A 198.51.100.1\n"
	    "liar.example.com A 203.0.113.9\n"
	    "9.113.0.203.in-addr.arpa PTR liar.example.com\n"
	    "2.100.51.198.in-addr.arpa TIMEOUT\n"
	    "192.0.2.1.bl.example.com A 127.0.0.2\n"
	    "t.example.com TXT \"v=spf1 a -all\"\n"
	    "t6.example.com TXT \"v=spf1 a/24//64 -all\"\n"
	    "t6.example.com A 192.0.2.10\n"
	    "t6.example.com AAAA 2001:db8::10\n"
	    "tmx.example.com TXT \"v=spf1 mx:example.com -all\"\n"
	    "tmxc.example.com TXT \"v=spf1 mx:example.com/24 ~all\"\n"
	    "ta.example.com TXT \"v=spf1 a:other.example.com ?all\"\n"
	    "tp.example.com TXT \"v=spf1 ptr:example.com -all\"\n"
	    "tp2.example.com TXT \"v=spf1 ptr:ptr.example.com -all\"\n"
	    "te.example.com TXT \"v=spf1 exists:%{i}.bl.example.com -all\"\n"
	    "ti4.example.com TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	    "ti6.example.com TXT \"v=spf1 ip6:2001:db8::/32 ip6:::ffff:"
	    "198.51.100.1 -all\"\n"
	    "timplicit.example.com TXT \"v=spf1 mx\"\n"
	    "timplicit.example.com A 192.0.2.1\n";

	expect(z, "192.0.2.10", "a@t.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "a without a record of its own");
	expect(z, "192.0.2.10", "a@t6.example.com", NULL, SPFDMARC_SPF_PASS,
	    "a/24 IPv4");
	expect(z, "192.0.2.99", "a@t6.example.com", NULL, SPFDMARC_SPF_PASS,
	    "a/24 IPv4 in the /24");
	expect(z, "2001:db8::ffff", "a@t6.example.com", NULL,
	    SPFDMARC_SPF_PASS, "a//64 IPv6");
	expect(z, "2001:db8:0:1::10", "a@t6.example.com", NULL,
	    SPFDMARC_SPF_FAIL, "a//64 IPv6 outside");
	expect(z, "::ffff:192.0.2.99", "a@t6.example.com", NULL,
	    SPFDMARC_SPF_PASS, "IPv4-mapped client checked as IPv4");
	expect(z, "198.51.100.77", "a@ta.example.com", NULL,
	    SPFDMARC_SPF_PASS, "a:target, any address");
	is_str(R.mechanism, "a:other.example.com", "  mechanism as written");
	is_str(R.mechanism_domain, "ta.example.com", "  mechanism domain");
	expect(z, "192.0.2.21", "a@tmx.example.com", NULL, SPFDMARC_SPF_PASS,
	    "mx second exchange");
	expect(z, "2001:db8::21", "a@tmx.example.com", NULL,
	    SPFDMARC_SPF_PASS, "mx AAAA for an IPv6 client");
	expect(z, "192.0.2.10", "a@tmx.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "mx does not use the domain's own A");
	expect(z, "192.0.2.99", "a@tmxc.example.com", NULL,
	    SPFDMARC_SPF_PASS, "mx/24");
	expect(z, "192.0.2.1", "a@timplicit.example.com", NULL,
	    SPFDMARC_SPF_NEUTRAL, "no implicit MX (section 5.4)");
	is_int(R.void_lookups, 1, "  the MX lookup was void");
	expect(z, "198.51.100.1", "a@tp.example.com", NULL, SPFDMARC_SPF_PASS,
	    "ptr validated under the target");
	expect(z, "198.51.100.1", "a@tp2.example.com", NULL,
	    SPFDMARC_SPF_PASS, "ptr: exact target");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "liar.example.com",
	    SPFDMARC_DNS_ZONE_ALL_TYPES), 0,
	    "  names outside the target are not validated");
	expect(z, "203.0.113.9", "a@tp2.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "ptr name outside the target");
	expect(z, "198.51.100.2", "a@tp.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "ptr: a failed PTR lookup is no match (section 5.5)");
	expect(z, "198.51.100.3", "a@tp.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "ptr: no PTR record");
	is_int(R.void_lookups, 1, "  a void lookup");
	expect(z, "192.0.2.1", "a@te.example.com", NULL, SPFDMARC_SPF_PASS,
	    "exists");
	expect(z, "192.0.2.2", "a@te.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "exists: no A");
	expect(z, "192.0.2.200", "a@ti4.example.com", NULL,
	    SPFDMARC_SPF_PASS, "ip4 /24");
	expect(z, "::ffff:192.0.2.200", "a@ti4.example.com", NULL,
	    SPFDMARC_SPF_PASS, "ip4 with an IPv4-mapped client");
	expect(z, "2001:db8:1::1", "a@ti6.example.com", NULL,
	    SPFDMARC_SPF_PASS, "ip6 /32");
	expect(z, "198.51.100.1", "a@ti6.example.com", NULL,
	    SPFDMARC_SPF_FAIL, "ip6 never matches an IPv4 client");
	expect(z, "::ffff:198.51.100.1", "a@ti6.example.com", NULL,
	    SPFDMARC_SPF_FAIL, "nor an IPv4-mapped one (section 5)");
}

static void
test_include_redirect(void)
{
	static const char z[] =
	    "pass.example.com TXT \"v=spf1 +all\"\n"
	    "fail.example.com TXT \"v=spf1 -all\"\n"
	    "soft.example.com TXT \"v=spf1 ~all\"\n"
	    "neutral.example.com TXT \"v=spf1 ?all\"\n"
	    "temp.example.com TIMEOUT\n"
	    "perm.example.com TXT \"v=spf1 moo\"\n"
	    "none.example.com TXT \"not spf\"\n"
	    "i-pass.example.com TXT \"v=spf1 -include:pass.example.com +all\"\n"
	    "i-fail.example.com TXT \"v=spf1 -include:fail.example.com +all\"\n"
	    "i-soft.example.com TXT \"v=spf1 -include:soft.example.com +all\"\n"
	    "i-neutral.example.com TXT \"v=spf1 -include:neutral.example.com "
	    "+all\"\n"
	    "i-temp.example.com TXT \"v=spf1 -include:temp.example.com +all\"\n"
	    "i-perm.example.com TXT \"v=spf1 -include:perm.example.com +all\"\n"
	    "i-none.example.com TXT \"v=spf1 -include:none.example.com +all\"\n"
	    "i-nx.example.com TXT \"v=spf1 -include:nx.example.com +all\"\n"
	    "i-bad.example.com TXT \"v=spf1 include:%{l}.example.com +all\"\n"
	    "r-fail.example.com TXT \"v=spf1 ip4:192.0.2.9 "
	    "redirect=fail.example.com\"\n"
	    "r-none.example.com TXT \"v=spf1 redirect=none.example.com\"\n"
	    "r-a.example.com TXT \"v=spf1 redirect=a.example.com\"\n"
	    "r-a.example.com A 192.0.2.1\n"
	    "a.example.com TXT \"v=spf1 a -all\"\n"
	    "a.example.com A 192.0.2.2\n"
	    "r-after.example.com TXT \"v=spf1 redirect=r-after.example.com "
	    "~all\"\n";

	expect(z, "192.0.2.1", "a@i-pass.example.com", NULL,
	    SPFDMARC_SPF_FAIL, "include pass: match");
	is_str(R.mechanism, "-include:pass.example.com", "  mechanism");
	is_str(R.mechanism_domain, "i-pass.example.com", "  in the includer");
	is_int(R.dns_lookups, 1, "  one DNS term");
	expect(z, "192.0.2.1", "a@i-fail.example.com", NULL,
	    SPFDMARC_SPF_PASS, "include fail: no match");
	expect(z, "192.0.2.1", "a@i-soft.example.com", NULL,
	    SPFDMARC_SPF_PASS, "include softfail: no match");
	expect(z, "192.0.2.1", "a@i-neutral.example.com", NULL,
	    SPFDMARC_SPF_PASS, "include neutral: no match");
	expect(z, "192.0.2.1", "a@i-temp.example.com", NULL,
	    SPFDMARC_SPF_TEMPERROR, "include temperror: temperror");
	expect(z, "192.0.2.1", "a@i-perm.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "include permerror: permerror");
	ok(strstr(R.reason, "perm.example.com: term 1 'moo'") != NULL,
	    "  the deepest reason: %s", R.reason);
	expect(z, "192.0.2.1", "a@i-none.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "include none: permerror");
	ok(strstr(R.reason, "no SPF record at none.example.com") != NULL,
	    "  reason: %s", R.reason);
	expect(z, "192.0.2.1", "a@i-nx.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "include NXDOMAIN: permerror");
	expect(z, "192.0.2.1", "a..b@i-bad.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "include of a malformed target");
	expect(z, "192.0.2.1", "a@r-fail.example.com", NULL,
	    SPFDMARC_SPF_FAIL, "redirect");
	is_str(R.mechanism, "-all", "  the target's mechanism");
	is_str(R.mechanism_domain, "fail.example.com", "  in the target");
	is_str(R.domain, "r-fail.example.com", "  domain stays the first");
	expect(z, "192.0.2.9", "a@r-fail.example.com", NULL,
	    SPFDMARC_SPF_PASS, "redirect only after the mechanisms");
	is_int(R.dns_lookups, 0, "  redirect not counted when not used");
	expect(z, "192.0.2.1", "a@r-none.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "redirect to none: permerror");
	expect(z, "192.0.2.2", "a@r-a.example.com", NULL, SPFDMARC_SPF_PASS,
	    "redirect changes <domain> (suite redirect-implicit)");
	expect(z, "192.0.2.1", "a@r-a.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "  and not the redirecting domain's A");
	expect(z, "192.0.2.1", "a@r-after.example.com", NULL,
	    SPFDMARC_SPF_SOFTFAIL, "redirect ignored when all matches");
}

static void
test_limits(void)
{
	static const char z[] =
	    "mail.example.com A 192.0.2.1\n"
	    "at.example.com A 192.0.2.200\n"
	    "at.example.com MX 10 at.example.com\n"
	    "over.example.com A 192.0.2.200\n"
	    "over.example.com MX 10 over.example.com\n"
	    "inc8.example.com A 192.0.2.201\n"
	    "i-at.example.com A 192.0.2.1\n"
	    "i-over.example.com A 192.0.2.202\n"
	    "at.example.com TXT \"v=spf1 a mx a mx a mx a mx a ptr "
	    "ip4:192.0.2.1 -all\"\n"
	    "over.example.com TXT \"v=spf1 a mx a mx a mx a mx a ptr a "
	    "ip4:192.0.2.1 -all\"\n"
	    "inc8.example.com TXT \"v=spf1 a a a a a a a a\"\n"
	    "i-at.example.com TXT \"v=spf1 a include:inc8.example.com "
	    "ip4:192.0.2.1 mx -all\"\n"
	    "i-over.example.com TXT \"v=spf1 a include:inc8.example.com a "
	    "ip4:192.0.2.1 -all\"\n"
	    "loop.example.com TXT \"v=spf1 ip4:192.0.2.99 "
	    "redirect=loop.example.com\"\n"
	    "iloop.example.com TXT \"v=spf1 include:iloop.example.com -all\"\n"
	    "void2.example.com TXT \"v=spf1 a:nx1.example.com "
	    "a:nx2.example.com ?all\"\n"
	    "void3.example.com TXT \"v=spf1 a:nx1.example.com "
	    "a:nx2.example.com a:nx3.example.com ?all\"\n"
	    "voidexp.example.com TXT \"v=spf1 a:nx1.example.com "
	    "a:nx2.example.com exp=nx3.example.com -all\"\n"
	    "mx11.example.com TXT \"v=spf1 mx\"\n"
	    "mx10.example.com TXT \"v=spf1 mx\"\n"
	    "manyip.example.com TXT \"v=spf1 a -all\"\n"
	    "5.2.0.192.in-addr.arpa PTR p1.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p2.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p3.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p4.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p5.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p6.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p7.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p8.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p9.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR p10.example.com\n"
	    "5.2.0.192.in-addr.arpa PTR ptr11.example.com\n"
	    "ptr11.example.com TXT \"v=spf1 ptr\"\n"
	    "ptr11.example.com A 192.0.2.5\n";
	char big[4096];
	size_t n = 0;

	expect(z, "192.0.2.1", "a@at.example.com", NULL, SPFDMARC_SPF_PASS,
	    "10 DNS terms");
	is_int(R.dns_lookups, 10, "  counted 10");
	expect(z, "192.0.2.1", "a@over.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "11 DNS terms");
	ok(strstr(R.reason, "more than 10 DNS-querying terms") != NULL,
	    "  reason: %s", R.reason);
	ok(strstr(trace, "DNS term 11 of 10") != NULL, "  trace says so");
	expect(z, "192.0.2.1", "a@i-at.example.com", NULL, SPFDMARC_SPF_PASS,
	    "10 terms through an include, lazily counted");
	expect(z, "192.0.2.1", "a@i-over.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "11 terms through an include");
	expect(z, "192.0.2.1", "a@loop.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "redirect loop");
	is_int(R.dns_lookups, 11, "  stopped at the 11th redirect");
	expect(z, "192.0.2.1", "a@iloop.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "include loop");
	expect(z, "192.0.2.1", "a@void2.example.com", NULL,
	    SPFDMARC_SPF_NEUTRAL, "2 void lookups");
	is_int(R.void_lookups, 2, "  counted 2");
	expect(z, "192.0.2.1", "a@void3.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "3 void lookups");
	ok(strstr(R.reason, "more than 2 void") != NULL, "  reason: %s",
	    R.reason);
	expect(z, "192.0.2.1", "a@voidexp.example.com", NULL,
	    SPFDMARC_SPF_FAIL, "exp= lookups are not void lookups");
	is_str(R.explanation, "DEFAULT", "  default explanation");

	/* MX: 11 names is a permerror even with a match among them. */
	n = (size_t)snprintf(big, sizeof(big), "%s", z);
	for (int i = 0; i < 11; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "mx11.example.com MX %d mail.example.com\n", i);
	for (int i = 0; i < 10; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "mx10.example.com MX %d m%d.example.com\n", i, i);
	n += (size_t)snprintf(big + n, sizeof(big) - n,
	    "m9.example.com A 192.0.2.1\n");
	for (int i = 1; i <= 12; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "manyip.example.com A 192.0.2.%d\n", 100 + i);
	expect(big, "192.0.2.1", "a@mx11.example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "11 MX names");
	ok(strstr(R.reason, "more than 10") != NULL, "  reason: %s",
	    R.reason);
	expect(big, "192.0.2.1", "a@mx10.example.com", NULL,
	    SPFDMARC_SPF_PASS, "10 MX names, the 10th matches");
	expect(big, "192.0.2.112", "a@manyip.example.com", NULL,
	    SPFDMARC_SPF_PASS, "no limit on A records (suite false-a-limit)");
	expect(big, "192.0.2.5", "a@ptr11.example.com", NULL,
	    SPFDMARC_SPF_NEUTRAL, "the 11th PTR name is ignored");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "ptr11.example.com",
	    SPFDMARC_DNS_A), 0, "  and never looked up");
}

static void
test_exp(void)
{
	static const char z[] =
	    "e1.example.com TXT \"v=spf1 -all exp=msg.%{d}\"\n"
	    "msg.e1.example.com TXT \"%{l} from %{i} (%{c}) via %{h} to %{r}"
	    " at %{t}: see http://x/?s=%{S}\"\n"
	    "e2.example.com TXT \"v=spf1 -all exp=two.example.com\"\n"
	    "two.example.com TXT \"one\"\ntwo.example.com TXT \"two\"\n"
	    "e3.example.com TXT \"v=spf1 -all exp=bad.example.com\"\n"
	    "bad.example.com TXT \"The %{x}-files.\"\n"
	    "e4.example.com TXT \"v=spf1 -all exp=slow.example.com\"\n"
	    "slow.example.com TIMEOUT\n"
	    "e5.example.com TXT \"v=spf1 -all exp=utf.example.com\"\n"
	    "utf.example.com TXT \"\\xef\\xbb\\xbfExplanation\"\n"
	    "e6.example.com TXT \"v=spf1 ~all exp=msg.e1.example.com\"\n"
	    "e7.example.com TXT \"v=spf1 include:e8.example.com -all "
	    "exp=mine.example.com\"\n"
	    "e8.example.com TXT \"v=spf1 -all exp=theirs.example.com\"\n"
	    "mine.example.com TXT \"Correct!\"\n"
	    "theirs.example.com TXT \"Wrong\"\n"
	    "e9.example.com TXT \"v=spf1 exp=mine.example.com "
	    "redirect=e10.example.com\"\n"
	    "e10.example.com TXT \"v=spf1 -all\"\n"
	    "e11.example.com TXT \"v=spf1 -all exp=p.example.com\"\n"
	    "p.example.com TXT \"connect from %{p}\"\n"
	    "1.2.0.192.in-addr.arpa PTR mx.example.com\n"
	    "mx.example.com A 192.0.2.1\n"
	    "e12.example.com TXT \"v=spf1 -all exp=msg.example.com.\"\n"
	    "msg.example.com TXT \"This is a test.\"\n";

	expect(z, "192.0.2.1", "jo@e1.example.com", "helo.example.net",
	    SPFDMARC_SPF_FAIL, "exp= expanded");
	is_str(R.explanation, "jo from 192.0.2.1 (192.0.2.1) via "
	    "helo.example.net to unknown at 1400000000: see "
	    "http://x/?s=jo%40e1.example.com", "  %s", R.explanation);
	expect(z, "192.0.2.1", "jo@e2.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "two TXT records");
	is_str(R.explanation, "DEFAULT", "  default");
	expect(z, "192.0.2.1", "jo@e3.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "syntax error in the text");
	is_str(R.explanation, "DEFAULT", "  default");
	expect(z, "192.0.2.1", "jo@e4.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "exp lookup times out");
	is_str(R.explanation, "DEFAULT", "  default");
	expect(z, "192.0.2.1", "jo@e5.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "non-ASCII text");
	is_str(R.explanation, "DEFAULT", "  default");
	expect(z, "192.0.2.1", "jo@e6.example.com", NULL,
	    SPFDMARC_SPF_SOFTFAIL, "no explanation for softfail");
	is_str(R.explanation, "", "  empty");
	expect(z, "192.0.2.1", "jo@e7.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "include ignores the included exp=");
	is_str(R.explanation, "Correct!", "  the includer's");
	expect(z, "192.0.2.1", "jo@e9.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "redirect cancels exp=");
	is_str(R.explanation, "DEFAULT", "  default");
	expect(z, "192.0.2.1", "jo@e11.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "%%{p} in exp");
	is_str(R.explanation, "connect from mx.example.com", "  validated");
	expect(z, "192.0.2.2", "jo@e11.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "%%{p} without a PTR");
	is_str(R.explanation, "connect from unknown", "  unknown");
	expect(z, "192.0.2.1", "jo@e12.example.com", NULL, SPFDMARC_SPF_FAIL,
	    "trailing dot kept in the text, dropped from the name");
	is_str(R.explanation, "This is a test.", "  %s", R.explanation);

	load(z);
	request("192.0.2.1", "jo@e10.example.com", NULL);
	req.default_explanation = "See http://why/?%{S}&%{C}&%{R}";
	req.receiver = "mx.receiver.example";
	run();
	is_str(R.explanation, "See http://why/?jo%40e10.example.com&"
	    "192.0.2.1&mx.receiver.example", "default explanation expanded");
	req.default_explanation = "100% sure";
	run();
	is_str(R.explanation, "100% sure", "  or kept as it is");
	req.default_explanation = NULL;
	run();
	is_str(R.explanation, "", "  or none");
	request("192.0.2.1", "jo\001x@e1.example.com", NULL);
	run();
	ok(strncmp(R.explanation, "jo?x from", 9) == 0,
	    "control bytes from the envelope are not passed on: %s",
	    R.explanation);
}

static void
test_macros_in_eval(void)
{
	static const char z[] =
	    "e7.example.com TXT \"v=spf1 exists:%{p}.should.example.com "
	    "~exists:%{p}.ok.example.com\"\n"
	    "42.218.168.192.in-addr.arpa PTR mx.example.com\n"
	    "42.218.168.192.in-addr.arpa PTR mx.e7.example.com\n"
	    "mx.example.com A 192.168.218.42\n"
	    "mx.e7.example.com A 192.168.218.42\n"
	    "mx.e7.example.com.should.example.com A 127.0.0.2\n"
	    "mx.example.com.ok.example.com A 127.0.0.2\n"
	    "e1a.example.com TXT \"v=spf1 a:macro%%percent%_%_space%-url-"
	    "space.example.com -all\"\n"
	    "\"macro%percent  space%20url-space.example.com\" A 1.2.3.4\n"
	    "e9.example.com TXT \"v=spf1 a:%{H} -all\"\n"
	    "long.example.com TXT \"v=spf1 exists:%{l}%{l}%{l}%{l}%{l}.x.%{d} "
	    "-all\"\n"
	    "x.long.example.com A 127.0.0.2\n"
	    "big.example.com TXT \"v=spf1 a:\" "
	    "\"%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}"
	    "%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}"
	    "%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}"
	    "%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}\" "
	    "\"%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}"
	    "%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}"
	    "%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}"
	    "%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}%{S}\" \" -all\"\n";
	char local[65];

	expect(z, "192.168.218.42", "a@e7.example.com", NULL,
	    SPFDMARC_SPF_PASS, "%%{p} prefers a subdomain of <domain>");
	expect(z, "1.2.3.4", "a@e1a.example.com", NULL, SPFDMARC_SPF_PASS,
	    "%%%% %%_ %%- in a name");
	expect(z, "1.2.3.4", "a@e9.example.com", "JUMPIN' JUPITER",
	    SPFDMARC_SPF_FAIL, "an invalid HELO in %%{H} is looked up as is");
	expect(z, "1.2.3.4", "a@e9.example.com",
	    "%%%%%%%%%%%%%%%%%%%%%%", SPFDMARC_SPF_FAIL,
	    "a label made too long by escaping: no match");
	memset(local, 'x', 64);
	local[64] = '\0';
	{
		char sender[128];

		(void)snprintf(sender, sizeof(sender), "%s@long.example.com",
		    local);
		expect(z, "1.2.3.4", sender, NULL, SPFDMARC_SPF_PASS,
		    "a 332-byte target cut to 253 from the left");
		(void)snprintf(sender, sizeof(sender), "%s@big.example.com",
		    local);
		expect(z, "1.2.3.4", sender, NULL, SPFDMARC_SPF_PERMERROR,
		    "expansion over 8192 bytes");
		ok(strstr(R.reason, "longer than 8192") != NULL,
		    "  reason: %s", R.reason);
	}
}

static void
test_dnssec(void)
{
	static const char z[] =
	    "$DNSSEC secure\n"
	    "example.com TXT \"v=spf1 include:_spf.other.example -all\"\n"
	    "_spf.other.example TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
	    "other.example DNSSEC insecure\n"
	    "sec.example.com TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
	    "bog.example.com TXT \"v=spf1 a:x.bogus.example -all\"\n"
	    "bogus.example DNSSEC bogus\n";

	expect(z, "192.0.2.1", "a@sec.example.com", NULL, SPFDMARC_SPF_PASS,
	    "all secure");
	is_int(R.dnssec, SPFDMARC_DNSSEC_SECURE, "  secure");
	expect(z, "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_PASS,
	    "through an insecure include");
	is_int(R.dnssec, SPFDMARC_DNSSEC_INSECURE, "  insecure: the worst");
	expect(z, "192.0.2.1", "a@bog.example.com", NULL,
	    SPFDMARC_SPF_TEMPERROR, "a bogus answer is a DNS failure");
	ok(strstr(R.reason, "DNSSEC bogus: ") != NULL, "  reason: %s",
	    R.reason);
	is_int(R.dnssec, SPFDMARC_DNSSEC_BOGUS, "  bogus");
	expect(z, "192.0.2.1", "a@[1.2.3.4]", NULL, SPFDMARC_SPF_NONE,
	    "no answer at all");
	is_int(R.dnssec, SPFDMARC_DNSSEC_INDETERMINATE, "  indeterminate");
}

static void
test_dns_errors(void)
{
	static const char z[] =
	    "a.example.com TXT \"v=spf1 a:slow.example.com -all\"\n"
	    "mx.example.com TXT \"v=spf1 mx:m.example.com -all\"\n"
	    "m.example.com MX 1 slow.example.com\n"
	    "e.example.com TXT \"v=spf1 exists:slow.example.com -all\"\n"
	    "p.example.com TXT \"v=spf1 ptr:example.com -all\"\n"
	    "1.2.0.192.in-addr.arpa PTR slow.example.com\n"
	    "1.2.0.192.in-addr.arpa PTR ok.example.com\n"
	    "ok.example.com A 192.0.2.1\n"
	    "slow.example.com TIMEOUT\n"
	    "sf.example.com TXT \"v=spf1 a:sf2.example.com -all\"\n"
	    "sf2.example.com SERVFAIL\n";

	expect(z, "192.0.2.1", "a@a.example.com", NULL,
	    SPFDMARC_SPF_TEMPERROR, "a: timeout");
	ok(strstr(R.reason, "slow.example.com") != NULL, "  reason: %s",
	    R.reason);
	expect(z, "192.0.2.1", "a@mx.example.com", NULL,
	    SPFDMARC_SPF_TEMPERROR, "mx: exchange lookup times out");
	expect(z, "192.0.2.1", "a@e.example.com", NULL,
	    SPFDMARC_SPF_TEMPERROR, "exists: timeout");
	expect(z, "192.0.2.1", "a@p.example.com", NULL, SPFDMARC_SPF_PASS,
	    "ptr: a failed address lookup skips the name");
	expect(z, "192.0.2.1", "a@sf.example.com", NULL,
	    SPFDMARC_SPF_TEMPERROR, "a: servfail");
}

/* Parallel prefetch: the includes of a record are asked at once, within
 * the budget, and the counters stay as a lazy evaluation counts them. */
static void
test_prefetch(void)
{
	char z[8192];
	size_t n = 0;

	n += (size_t)snprintf(z + n, sizeof(z) - n,
	    "example.com TXT \"v=spf1");
	for (int i = 1; i <= 14; i++)
		n += (size_t)snprintf(z + n, sizeof(z) - n,
		    " include:i%d.example.com\" \"", i);
	n += (size_t)snprintf(z + n, sizeof(z) - n, " -all\"\n");
	for (int i = 1; i <= 14; i++)
		n += (size_t)snprintf(z + n, sizeof(z) - n,
		    "i%d.example.com TXT \"v=spf1 ip4:192.0.2.%d a:h%d.%%{d} "
		    "-all\"\nh%d.i%d.example.com A 198.51.100.%d\n", i, i, i,
		    i, i, i);

	expect(z, "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_PASS,
	    "the first of 14 includes matches");
	is_int(R.dns_lookups, 1, "  one term counted");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "i10.example.com",
	    SPFDMARC_DNS_TXT), 1, "  the 10th include was prefetched");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "i11.example.com",
	    SPFDMARC_DNS_TXT), 0, "  the 11th was not: budget of 10");
	ok(spfdmarc_dns_zone_query_count(zone) <= 12,
	    "  %u queries in all", spfdmarc_dns_zone_query_count(zone));

	expect(z, "192.0.2.2", "a@example.com", NULL, SPFDMARC_SPF_PASS,
	    "the second include matches");
	is_int(R.dns_lookups, 3, "  include, a, include counted");
	is_int(R.void_lookups, 0, "  no void lookup");
	ok(spfdmarc_dns_zone_query_count(zone) <= 1 + 10 + 2 + 10,
	    "  prefetch stays within the budget: %u queries",
	    spfdmarc_dns_zone_query_count(zone));

	expect(z, "192.0.2.99", "a@example.com", NULL,
	    SPFDMARC_SPF_PERMERROR, "none match: the 11th term is refused");
	ok(strstr(R.reason, "more than 10 DNS") != NULL, "  reason: %s",
	    R.reason);
	is_int(spfdmarc_dns_zone_query_count_for(zone, "i6.example.com",
	    SPFDMARC_DNS_TXT), 1, "  asked once");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "i7.example.com",
	    SPFDMARC_DNS_TXT), 1, "  prefetched, never evaluated");
	is_int(spfdmarc_dns_zone_query_count_for(zone, "i11.example.com",
	    SPFDMARC_DNS_TXT), 0, "  never past the budget");

	/* spfdmarc_spf_prefetch() starts the identity's TXT lookup. */
	load(z);
	request("192.0.2.1", "a@example.com", NULL);
	{
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);

		spfdmarc_spf_prefetch(ctx, &req);
		is_int(spfdmarc_dns_zone_query_count_for(zone, "example.com",
		    SPFDMARC_DNS_TXT), 1, "spfdmarc_spf_prefetch asks TXT");
		ok(spfdmarc_dns_peek(ctx, "example.com", SPFDMARC_DNS_TXT) !=
		    NULL, "  the answer is there");
		is_int(spfdmarc_spf_check(ctx, &req, &R), 0, "  check");
		is_int(R.result, SPFDMARC_SPF_PASS, "  pass");
		is_int(spfdmarc_dns_zone_query_count_for(zone, "example.com",
		    SPFDMARC_DNS_TXT), 1, "  not asked twice");
		spfdmarc_dns_ctx_free(ctx);
	}
}

static void
test_trace(void)
{
	static const char z[] =
	    "example.com TXT \"v=spf1 ip4:192.0.2.9 include:inc.example.com "
	    "-all\"\n"
	    "inc.example.com TXT \"v=spf1 a:h.example.com ?all\"\n"
	    "h.example.com A 192.0.2.1\n";

	expect(z, "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_PASS,
	    "traced check");
	ok(strstr(trace, "0 record at example.com: v=spf1 ip4:192.0.2.9") !=
	    NULL, "trace: the record");
	ok(strstr(trace, "0 'ip4:192.0.2.9': no match") != NULL,
	    "trace: a term that did not match");
	ok(strstr(trace, "0 'include:inc.example.com': DNS term 1 of 10") !=
	    NULL, "trace: the count");
	ok(strstr(trace, "0 'include:inc.example.com': include "
	    "inc.example.com at depth 1") != NULL, "trace: the descent");
	ok(strstr(trace, "1 DNS A h.example.com: ok, 1 record") != NULL,
	    "trace: a lookup at depth 1");
	ok(strstr(trace, "1 'a:h.example.com': match") != NULL,
	    "trace: the match inside");
	ok(strstr(trace, "0 result pass") != NULL, "trace: the result");
	if (tap_failed)
		diag("trace:\n%s", trace);

	/* Control bytes of a record never reach a trace line or the
	 * reason (the trace callback gets one line at a time). */
	expect("example.com TXT \"v=spf1 ip4:192.0.2.5\\n\\r\\0 -all\"",
	    "192.0.2.1", "a@example.com", NULL, SPFDMARC_SPF_PERMERROR,
	    "record with LF, CR, NUL");
	{
		bool clean = true;

		for (size_t i = 0; i < trace_len; i++) {
			unsigned char ch = (unsigned char)trace[i];

			if (ch != '\n' && (ch < 0x20 || ch > 0x7e))
				clean = false;
		}
		ok(clean, "  trace lines are printable");
		ok(strstr(trace, "record at example.com: v=spf1 "
		    "ip4:192.0.2.5??? -all") != NULL, "  record shown whole");
		clean = true;
		for (const char *p = R.reason; *p != '\0'; p++) {
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				clean = false;
		}
		ok(clean, "  reason is printable: %s", R.reason);
	}
}

int
main(void)
{
	test_results();
	test_selection();
	test_identity();
	test_mechanisms();
	test_include_redirect();
	test_limits();
	test_exp();
	test_macros_in_eval();
	test_dnssec();
	test_dns_errors();
	test_prefetch();
	test_trace();
	spfdmarc_dns_free(dns);
	return done_testing();
}
