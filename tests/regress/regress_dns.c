/*
 * regress_dns.c: hostile DNS answers through the zone backend, as SPF and
 * DMARC meet them: a 64 KB TXT record, hundreds of records at one name,
 * CNAME loops and long chains, names at the 253-byte text and 255-octet
 * wire limits (and one past them), and a query flood from one record.
 * Nothing may crash, every limit holds, and the results are the RFC's.
 * (tests/regress/dns_world.sh does the same over libunbound and NSD.)
 */
#include "config.h"

#include "regress.h"
#include "spfdmarc/dmarc.h"

static char *zone;
static size_t zlen, zcap;

static void
z(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
z(const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(zone + zlen, zcap - zlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < zcap - zlen)
			break;
		zcap = zcap * 2 + (size_t)n + 1;
		zone = realloc(zone, zcap);
		if (zone == NULL) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
	}
	zlen += (size_t)n;
}

/* A name of exactly len bytes ending in ".example" (labels of 63). */
static void
name_of(char *out, size_t len)
{
	const char *tail = "example";
	size_t o = 0, lab = 0;

	while (o < len - strlen(tail)) {
		if (lab == 63 || (o + 1 == len - strlen(tail))) {
			out[o++] = '.';
			lab = 0;
			continue;
		}
		out[o++] = 'a';
		lab++;
	}
	memcpy(out + o, tail, strlen(tail) + 1);
}

static void
test_huge_txt(void)
{
	struct spfdmarc_spf_response r;
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;
	char chunk[256];

	memset(chunk, 'x', 255);
	chunk[255] = '\0';
	zlen = 0;
	/* 255 strings of 255 bytes: 65,280 bytes of RDATA */
	z("big.example TXT \"v=spf1 \"");
	for (int i = 0; i < 254; i++)
		z(" \"%s\"", chunk);
	z("\n");
	/* the same size, not SPF, beside a good record */
	z("mixed.example TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\nmixed.example TXT");
	for (int i = 0; i < 255; i++)
		z(" \"%s\"", chunk);
	z("\n_dmarc.big.example TXT \"v=DMARC1; p=reject; rua=mailto:");
	for (int i = 0; i < 254; i++)
		z("%s", i == 0 ? "" : "\" \"");
	z("\"\n");
	/* over 65535 bytes of RDATA: refused by the loader */
	rg_load(zone, zlen);

	ctx = spfdmarc_dns_ctx_new(rg_dns, NULL);
	a = spfdmarc_dns_lookup(ctx, "big.example", SPFDMARC_DNS_TXT);
	ok(a->status == SPFDMARC_DNS_OK && a->count == 1 &&
	    a->rr[0].u.txt.len == 7 + 254 * 255 &&
	    a->rr[0].u.txt.nstrings == 255,
	    "64 KB TXT: one record of %zu bytes in 255 strings",
	    a->count ? a->rr[0].u.txt.len : 0);
	spfdmarc_dns_ctx_free(ctx);

	is_int(rg_spf("192.0.2.1", "a@big.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r), 0, "64 KB SPF record: check runs");
	is_str(RG_R(r.result), "permerror", "  permerror (over 4096 bytes)");
	ok(rg_spf_clean(&r), "  fields clean (%s)", r.reason);
	is_int(rg_spf("192.0.2.1", "a@mixed.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r), 0, "64 KB TXT beside SPF: runs");
	is_str(RG_R(r.result), "pass", "  the SPF record is found: pass");

	{
		char err[128];
		struct spfdmarc_dns *d;
		struct spfdmarc_dns_zone *zz;
		const char *s[258];
		size_t l[258];

		for (int i = 0; i < 258; i++) {
			s[i] = chunk;
			l[i] = 255;
		}
		(void)spfdmarc_dns_zone_new(&d, &zz);
		is_int(spfdmarc_dns_zone_add_txt(zz, "over.example", s, l, 257),
		    SPFDMARC_ERANGE, "TXT RDATA over 65535 bytes refused");
		(void)err;
		spfdmarc_dns_free(d);
	}
}

static void
test_many_records(void)
{
	struct spfdmarc_spf_response r;

	zlen = 0;
	/* 300 TXT records, one of them SPF */
	for (int i = 0; i < 300; i++)
		z("txt.example TXT \"junk record %d\"\n", i);
	z("txt.example TXT \"v=spf1 a -all\"\n");
	/* 'a' with 500 A records: the match is the last one */
	for (int i = 0; i < 500; i++)
		z("txt.example A 10.%d.%d.1\n", i / 256, i % 256);
	z("txt.example A 192.0.2.77\n");
	/* 'mx' with 300 MX: more than 10 names is a permerror (§4.6.4) */
	z("mx.example TXT \"v=spf1 mx -all\"\n");
	for (int i = 0; i < 300; i++)
		z("mx.example MX %d m%d.mx.example\n", i, i);
	/* two SPF records among many: permerror (§4.5) */
	z("two.example TXT \"v=spf1 +all\"\n");
	for (int i = 0; i < 100; i++)
		z("two.example TXT \"x%d\"\n", i);
	z("two.example TXT \"v=spf1 -all\"\n");
	/* 'ptr' with 300 PTR names: only the first 10 are looked at */
	z("ptr.example TXT \"v=spf1 ptr -all\"\n");
	for (int i = 0; i < 300; i++)
		z("77.2.0.192.in-addr.arpa PTR p%d.ptr.example\n", i);
	z("p299.ptr.example A 192.0.2.77\n");
	rg_load(zone, zlen);

	is_int(rg_spf("192.0.2.77", "a@txt.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r), 0, "300 TXT + 501 A: runs");
	is_str(RG_R(r.result), "pass", "  the one SPF record, the last A: pass");
	rg_spf("192.0.2.77", "a@mx.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r);
	is_str(RG_R(r.result), "permerror", "300 MX: permerror (> 10 names)");
	ok(rg_spf_clean(&r), "  reason: %s", r.reason);
	rg_spf("192.0.2.77", "a@two.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r);
	is_str(RG_R(r.result), "permerror", "two SPF among 102 TXT: permerror");
	is_int(spfdmarc_dns_zone_query_count(rg_zone) > 0, 1, "queries made");
	spfdmarc_dns_zone_reset_queries(rg_zone);
	rg_spf("192.0.2.77", "a@ptr.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r);
	is_str(RG_R(r.result), "fail",
	    "300 PTR names: the 300th is never checked (fail)");
	ok(spfdmarc_dns_zone_query_count(rg_zone) <= 1 + 1 + 10,
	    "  at most 10 PTR names resolved (%u queries)",
	    spfdmarc_dns_zone_query_count(rg_zone));
}

static void
test_cname(void)
{
	struct spfdmarc_spf_response r;
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;

	zlen = 0;
	z("loop.example CNAME loop2.example\nloop2.example CNAME loop.example\n");
	z("self.example CNAME self.example\n");
	for (int i = 0; i < 20; i++)
		z("c%d.chain.example CNAME c%d.chain.example\n", i, i + 1);
	z("c20.chain.example TXT \"v=spf1 +all\"\n");
	z("c12.chain.example TXT \"v=spf1 +all\"\n");
	z("ok.example CNAME c14.chain.example\n");
	z("inc.example TXT \"v=spf1 include:loop.example -all\"\n");
	z("_dmarc.loop.example CNAME _dmarc.loop.example\n");
	rg_load(zone, zlen);

	ctx = spfdmarc_dns_ctx_new(rg_dns, NULL);
	a = spfdmarc_dns_lookup(ctx, "loop.example", SPFDMARC_DNS_TXT);
	is_str(spfdmarc_dns_status_name(a->status), "servfail",
	    "CNAME loop: servfail");
	a = spfdmarc_dns_lookup(ctx, "self.example", SPFDMARC_DNS_A);
	is_str(spfdmarc_dns_status_name(a->status), "servfail",
	    "CNAME to itself: servfail");
	a = spfdmarc_dns_lookup(ctx, "c0.chain.example", SPFDMARC_DNS_TXT);
	is_str(spfdmarc_dns_status_name(a->status), "servfail",
	    "CNAME chain of 20: servfail (more than %d)",
	    SPFDMARC_DNS_ZONE_CNAME_MAX);
	a = spfdmarc_dns_lookup(ctx, "ok.example", SPFDMARC_DNS_TXT);
	ok(a->status == SPFDMARC_DNS_OK && a->canonname != NULL &&
	    strcmp(a->canonname, "c20.chain.example") == 0,
	    "a chain of 7: followed to its end");
	spfdmarc_dns_ctx_free(ctx);

	rg_spf("192.0.2.1", "a@loop.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r);
	is_str(RG_R(r.result), "temperror", "SPF at a CNAME loop: temperror");
	rg_spf("192.0.2.1", "a@inc.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r);
	is_str(RG_R(r.result), "temperror", "include: of a loop: temperror");
	ok(rg_spf_clean(&r), "  reason clean: %s", r.reason);

	{
		struct spfdmarc_dmarc_request req;
		struct spfdmarc_dmarc_result res;
		struct spfdmarc_arena *arena = spfdmarc_arena_new(0);

		ctx = spfdmarc_dns_ctx_new(rg_dns, NULL);
		memset(&req, 0, sizeof(req));
		req.author_domain = "loop.example";
		req.pct_draw = -1;
		is_int(spfdmarc_dmarc_evaluate(ctx, arena, &req, &res), 0,
		    "DMARC with a CNAME loop at _dmarc: runs");
		is_str(spfdmarc_dmarc_result_name(res.result), "temperror",
		    "  temperror");
		spfdmarc_arena_free(arena);
		spfdmarc_dns_ctx_free(ctx);
	}
}

static void
test_name_limits(void)
{
	char n253[300], n254[300], mail[400], spec[600];
	struct spfdmarc_spf_response r;
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;

	name_of(n253, 253);
	name_of(n254, 254);
	zlen = 0;
	z("%s TXT \"v=spf1 +all\"\n", n253);
	/* a macro that makes a 300-byte target: cut to 253 from the left */
	(void)snprintf(spec, sizeof(spec), "%%{l}.%%{l}.%%{l}.%%{l}.%%{l}."
	    "x.example");
	z("cut.example TXT \"v=spf1 exists:%s -all\"\n", spec);
	rg_load(zone, zlen);

	ok(strlen(n253) == 253 && strlen(n254) == 254, "names of 253, 254");
	ctx = spfdmarc_dns_ctx_new(rg_dns, NULL);
	a = spfdmarc_dns_lookup(ctx, n253, SPFDMARC_DNS_TXT);
	is_str(spfdmarc_dns_status_name(a->status), "ok",
	    "a 253-byte name (255 octets on the wire) resolves");
	(void)snprintf(mail, sizeof(mail), "%s.", n253);
	a = spfdmarc_dns_lookup(ctx, mail, SPFDMARC_DNS_TXT);
	is_str(spfdmarc_dns_status_name(a->status), "ok",
	    "  with its trailing dot too");
	a = spfdmarc_dns_lookup(ctx, n254, SPFDMARC_DNS_TXT);
	is_str(spfdmarc_dns_status_name(a->status), "error",
	    "a 254-byte name: refused locally");
	ok(strlen(a->qname) <= SPFDMARC_DNAME_BUFSIZE, "  qname bounded");
	spfdmarc_dns_ctx_free(ctx);

	(void)snprintf(mail, sizeof(mail), "u@%s", n253);
	rg_spf("192.0.2.1", mail, "h.example", SPFDMARC_SPF_MAILFROM, NULL,
	    &r);
	is_str(RG_R(r.result), "pass", "MAIL FROM domain of 253: pass");
	is_str(r.domain, n253, "  domain kept whole");
	ok(rg_spf_clean(&r), "  sender fits its field (%zu bytes)",
	    strlen(r.sender));
	(void)snprintf(mail, sizeof(mail), "u@%s", n254);
	rg_spf("192.0.2.1", mail, "h.example", SPFDMARC_SPF_MAILFROM, NULL,
	    &r);
	is_str(RG_R(r.result), "none", "MAIL FROM domain of 254: none");
	rg_spf("192.0.2.1", NULL, n254, SPFDMARC_SPF_HELO, NULL, &r);
	is_str(RG_R(r.result), "none", "HELO of 254: none");

	/* 63-byte local part, five times: 5 * 64 + 9 = 329 -> cut to 253 */
	(void)snprintf(mail, sizeof(mail), "%.63s@cut.example",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	spfdmarc_dns_zone_reset_queries(rg_zone);
	rg_spf("192.0.2.1", mail, "h.example", SPFDMARC_SPF_MAILFROM, NULL, &r);
	is_str(RG_R(r.result), "fail", "a 329-byte exists: target: fail");
	{
		char q[SPFDMARC_DNAME_BUFSIZE];
		enum spfdmarc_dns_type t;
		bool seen = false;

		for (size_t i = 0; spfdmarc_dns_zone_query_at(rg_zone, i, q,
		    sizeof(q), &t); i++)
			if (t == SPFDMARC_DNS_A && strlen(q) <= 253 &&
			    strlen(q) > 190 && strstr(q, ".x.example") != NULL)
				seen = true;
		ok(seen, "  queried cut to 253 bytes from the left (RFC 7208 "
		    "section 7.3)");
	}
}

/* One record may not make the library send a flood of queries. */
static void
test_query_budget(void)
{
	struct spfdmarc_spf_response r;

	zlen = 0;
	z("flood.example TXT \"v=spf1");
	for (int i = 0; i < 9; i++)
		z(" include:i%d.flood.example", i);
	z(" -all\"\n");
	for (int i = 0; i < 9; i++) {
		z("i%d.flood.example TXT \"v=spf1", i);
		for (int j = 0; j < 9; j++)
			z(" mx:m%d.flood.example", j);
		z(" -all\"\n");
	}
	for (int j = 0; j < 9; j++) {
		for (int k = 0; k < 10; k++)
			z("m%d.flood.example MX 10 h%d.m%d.flood.example\n",
			    j, k, j);
	}
	rg_load(zone, zlen);
	spfdmarc_dns_zone_reset_queries(rg_zone);
	rg_spf("192.0.2.1", "a@flood.example", "h.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &r);
	is_str(RG_R(r.result), "permerror",
	    "9 includes x 9 mx: permerror (over 10 DNS terms)");
	ok(spfdmarc_dns_zone_query_count(rg_zone) <= 1 + 10 + 10 * 10 * 2,
	    "  queries bounded by the limits (%u)",
	    spfdmarc_dns_zone_query_count(rg_zone));
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	zcap = 1 << 16;
	zone = malloc(zcap);
	if (zone == NULL)
		return 1;
	test_huge_txt();
	test_many_records();
	test_cname();
	test_name_limits();
	test_query_budget();
	spfdmarc_dns_free(rg_dns);
	free(zone);
	return done_testing();
}
