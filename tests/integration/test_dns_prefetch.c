/*
 * test_dns_prefetch.c: N lookups started together cost about one round
 * trip, not N (DESIGN.md, "DNS and speed"). Run by dns_prefetch.sh against
 * the DNS world with a relay that holds every answer DNSWORLD_DELAY_MS.
 *
 * Two SPF records in prefetch.example (prefetch.zone) have ten includes
 * each. After a warm-up that fetches both records (and with them the
 * zone's keys), the include targets of one are looked up one after the
 * other, those of the other started all at once with spfdmarc_dns_start()
 * and then looked up: the way the SPF engine prefetches. Then the SPF
 * engine itself evaluates a third record with ten includes whose client
 * matches only in the last one: evaluated lazily that is eleven round
 * trips; with the engine's prefetch, about two. Last, the chain of trust:
 * a TXT record of a signed zone the cache has no keys for (keys.zone)
 * costs three round trips in a row when the validator fetches the zone's
 * DS and DNSKEY as it needs them (key_prefetch_off), about one when the
 * DNS layer fetches them together with the query (the default). The
 * figures are printed; only generous bounds are asserted.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/dns_unbound.h"
#include "spfdmarc/spf.h"

#define MAX_TARGETS 16

/* The include: targets of an SPF record, in order. */
static size_t
includes(const char *text, char targets[][SPFDMARC_DNAME_BUFSIZE],
    size_t max)
{
	size_t n = 0;

	for (const char *p = text; p != NULL && n < max; ) {
		const char *t = strstr(p, "include:");
		size_t len;

		if (t == NULL)
			break;
		t += 8;
		len = strcspn(t, " ");
		if (len == 0 || len >= SPFDMARC_DNAME_BUFSIZE)
			break;
		memcpy(targets[n], t, len);
		targets[n][len] = '\0';
		n++;
		p = t + len;
	}
	return n;
}

static size_t
fetch_targets(struct spfdmarc_dns_ctx *ctx, const char *record,
    char targets[][SPFDMARC_DNAME_BUFSIZE])
{
	const struct spfdmarc_dns_answer *a;

	a = spfdmarc_dns_lookup(ctx, record, SPFDMARC_DNS_TXT);
	if (a->status != SPFDMARC_DNS_OK || a->count != 1) {
		diag("%s: %s (%s)", record, spfdmarc_dns_status_name(a->status),
		    a->why != NULL ? a->why : "-");
		return 0;
	}
	return includes(a->rr[0].u.txt.text, targets, MAX_TARGETS);
}

/* Look the targets up; started all at once first when parallel. Returns
 * the elapsed ms, and how many answered OK in *good. */
static long long
run(struct spfdmarc_dns *dns, char targets[][SPFDMARC_DNAME_BUFSIZE],
    size_t n, bool parallel, size_t *good, unsigned *queries)
{
	struct spfdmarc_dns_limits limits = { .timeout_ms = 30000 };
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, &limits);
	struct spfdmarc_dns_stats st;
	long long t0;

	*good = 0;
	if (ctx == NULL)
		return -1;
	t0 = itest_now_ms();
	if (parallel)
		for (size_t i = 0; i < n; i++)
			(void)spfdmarc_dns_start(ctx, targets[i],
			    SPFDMARC_DNS_TXT);
	for (size_t i = 0; i < n; i++) {
		const struct spfdmarc_dns_answer *a;

		a = spfdmarc_dns_lookup(ctx, targets[i], SPFDMARC_DNS_TXT);
		if (a->status == SPFDMARC_DNS_OK &&
		    a->dnssec == SPFDMARC_DNSSEC_SECURE)
			(*good)++;
	}
	t0 = itest_now_ms() - t0;
	spfdmarc_dns_ctx_stats(ctx, &st);
	*queries = st.queries;
	spfdmarc_dns_ctx_free(ctx);
	return t0;
}

/*
 * check_host() over engine.prefetch.example: the record's ten include
 * targets are fetched together, yet counted as the RFC counts them.
 */
static void
spf_engine(struct spfdmarc_dns *dns, long delay)
{
	struct spfdmarc_spf_request req;
	struct spfdmarc_spf_response resp;
	struct spfdmarc_dns_ctx *ctx;
	long t0, took;

	memset(&req, 0, sizeof(req));
	req.identity = SPFDMARC_SPF_MAILFROM;
	req.sender = "bounce@engine.prefetch.example";
	req.helo = "mail.engine.prefetch.example";
	(void)spfdmarc_addr_parse(&req.ip, "203.0.113.10",
	    strlen("203.0.113.10"));
	ctx = spfdmarc_dns_ctx_new(dns, &(struct spfdmarc_dns_limits){
	    .timeout_ms = 30000 });
	if (!ok(ctx != NULL, "SPF engine: context"))
		return;
	t0 = (long)itest_now_ms();
	(void)spfdmarc_spf_check(ctx, &req, &resp);
	took = (long)itest_now_ms() - t0;
	spfdmarc_dns_ctx_free(ctx);
	diag("SPF engine, record with 10 includes, match in the last: "
	    "%ld ms (lazily it would be 11 round trips, %ld ms)", took,
	    11 * delay);
	is_str(spfdmarc_spf_result_name(resp.result), "pass",
	    "SPF engine: the tenth include matches");
	is_int(resp.dns_lookups, 10, "SPF engine: 10 DNS-querying terms "
	    "counted, prefetch or not");
	is_int(resp.dnssec, SPFDMARC_DNSSEC_SECURE, "SPF engine: secure");
	ok(took < 5 * delay, "SPF engine: about two round trips, not "
	    "eleven (%ld ms < %ld ms)", took, 5 * delay);
}

/*
 * TXT keys.example with a new resolver (an empty cache) after a lookup that
 * brings the keys of the root and of example.: the elapsed ms, or -1.
 */
static long
new_zone_lookup(const char *conf, bool key_prefetch_off, long *warm_ms)
{
	struct spfdmarc_dns_unbound_options o;
	struct spfdmarc_dns *dns = NULL;
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;
	char err[512] = "";
	long t0, took = -1;

	memset(&o, 0, sizeof(o));
	o.unbound_conf = conf;
	o.key_prefetch_off = key_prefetch_off;
	/* one libunbound context: the warm-up below must bring the root's
	 * and example.'s keys into the cache keys.example is asked from */
	o.resolver_threads = 1;
	if (spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err)) != 0) {
		diag("%s", err);
		return -1;
	}
	ctx = spfdmarc_dns_ctx_new(dns, &(struct spfdmarc_dns_limits){
	    .timeout_ms = 30000 });
	if (ctx == NULL)
		goto out;
	t0 = (long)itest_now_ms();
	a = spfdmarc_dns_lookup(ctx, "no-such-name.example", SPFDMARC_DNS_TXT);
	*warm_ms = (long)itest_now_ms() - t0;
	if (a->status != SPFDMARC_DNS_NXDOMAIN ||
	    a->dnssec != SPFDMARC_DNSSEC_SECURE) {
		diag("warm-up: %s", spfdmarc_dns_status_name(a->status));
		goto out;
	}
	t0 = (long)itest_now_ms();
	a = spfdmarc_dns_lookup(ctx, "keys.example", SPFDMARC_DNS_TXT);
	if (a->status == SPFDMARC_DNS_OK && a->dnssec == SPFDMARC_DNSSEC_SECURE)
		took = (long)itest_now_ms() - t0;
	else
		diag("keys.example: %s (%s)",
		    spfdmarc_dns_status_name(a->status),
		    a->why != NULL ? a->why : "-");
out:
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
	return took;
}

static void
key_prefetch(const char *conf, long delay)
{
	long off, on, warm_off = 0, warm_on = 0;

	off = new_zone_lookup(conf, true, &warm_off);
	on = new_zone_lookup(conf, false, &warm_on);
	diag("new signed zone, TXT: %ld ms with the validator fetching DS "
	    "and DNSKEY in turn, %ld ms with them fetched along (warm-up "
	    "%ld / %ld ms)", off, on, warm_off, warm_on);
	ok(off >= 0 && on >= 0, "new zone: answered, secure, both ways");
	ok(off >= 5 * delay / 2, "key prefetch off: three round trips in a "
	    "row (%ld ms >= %ld ms)", off, 5 * delay / 2);
	ok(on >= 0 && on < 2 * delay, "key prefetch on: about one round "
	    "trip (%ld ms < %ld ms)", on, 2 * delay);
}

int
main(void)
{
	struct spfdmarc_dns_unbound_options o;
	struct spfdmarc_dns *dns = NULL;
	struct spfdmarc_dns_ctx *ctx;
	static char serial[MAX_TARGETS][SPFDMARC_DNAME_BUFSIZE];
	static char par[MAX_TARGETS][SPFDMARC_DNAME_BUFSIZE];
	const char *conf = itest_env("DNSWORLD_UNBOUND_CONF");
	const char *delay_env = itest_env("DNSWORLD_DELAY_MS");
	char err[512] = "";
	long delay, warm, t_serial, t_par;
	size_t ns, np, good_s, good_p;
	unsigned q_s, q_p;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* in step with stderr */
	if (conf == NULL || delay_env == NULL)
		return itest_skip("no delayed DNS world (run through "
		    "dns_prefetch.sh)");
	delay = strtol(delay_env, NULL, 10);
	if (delay <= 0)
		return itest_skip("the DNS world adds no delay");

	memset(&o, 0, sizeof(o));
	o.unbound_conf = conf;
	if (!ok(spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err)) == 0,
	    "resolver over the delayed world"))
		diag("%s", err);
	if (dns == NULL)
		return done_testing();

	ctx = spfdmarc_dns_ctx_new(dns, &(struct spfdmarc_dns_limits){
	    .timeout_ms = 30000 });
	warm = (long)itest_now_ms();
	ns = ctx != NULL ? fetch_targets(ctx, "serial.prefetch.example",
	    serial) : 0;
	np = ctx != NULL ? fetch_targets(ctx, "par.prefetch.example", par) : 0;
	warm = (long)itest_now_ms() - warm;
	spfdmarc_dns_ctx_free(ctx);
	diag("warm-up (two records and the chain of trust): %ld ms", warm);
	if (!ok(ns == 10 && np == 10, "two records with 10 includes each"))
		goto out;

	t_serial = (long)run(dns, serial, ns, false, &good_s, &q_s);
	t_par = (long)run(dns, par, np, true, &good_p, &q_p);
	diag("serial %zu lookups: %ld ms, parallel: %ld ms "
	    "(relay delay %ld ms per answer)", ns, t_serial, t_par, delay);
	ok(good_s == ns && good_p == np,
	    "every include target answered, secure (%zu + %zu)", good_s,
	    good_p);
	ok(q_s == ns && q_p == np, "one query per target (%u, %u)", q_s, q_p);
	ok(t_serial >= (long)ns * delay,
	    "serial run paid a round trip per lookup (%ld >= %ld ms)",
	    t_serial, (long)ns * delay);
	ok(t_par * 3 < t_serial,
	    "parallel run costs about one round trip (%ld ms vs %ld ms)",
	    t_par, t_serial);
	spf_engine(dns, delay);
	key_prefetch(conf, delay);
out:
	spfdmarc_dns_free(dns);
	return done_testing();
}
