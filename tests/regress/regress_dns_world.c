/*
 * regress_dns_world.c: hostile DNS and DNS faults over the real path,
 * libunbound against the signed NSD world (run by dns_world.sh).
 *
 *	regress_dns_world hostile   a 58 KB TXT, 300 TXT / 200 A at a name,
 *	                            a CNAME loop, a 253-byte name: answers,
 *	                            SPF and DMARC over them
 *	regress_dns_world foreign   the world's servers validated with
 *	                            another world's trust anchor: every
 *	                            signed answer bogus, nothing crashes
 *	                            (the "signal 11 after test 58" hunt)
 *	regress_dns_world faults    the server stopped mid-run (SIGSTOP)
 *	                            and back (SIGCONT); the world's relay
 *	                            slow, then dropping: timeouts honoured,
 *	                            results temperror, no thread pile-up,
 *	                            lookups recover
 *
 * Environment: the world's (DNSWORLD_*), FOREIGN_ANCHOR (foreign),
 * DNSWORLD_SH (the script, for "delay"), DNSWORLD_DIR.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "../integration/itest.h"
#include "regress.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/dns_unbound.h"

#define MAX_ZONES	32
#define RECOVERY_MS	45000	/* the 30 s host TTL, and slack */
#define QUERY_TIMEOUT_MS	500

static char stubs[MAX_ZONES][300];
static const char *stub_ptrs[MAX_ZONES];
static size_t nstubs;

static void
load_stubs(void)
{
	const char *zones = itest_env("DNSWORLD_ZONES");
	const char *port = itest_env("DNSWORLD_PORT");
	char *copy, *z;

	if (zones == NULL || port == NULL)
		return;
	copy = strdup(zones);
	for (z = copy; z != NULL && nstubs < MAX_ZONES; ) {
		char *sp = strchr(z, ' ');

		if (sp != NULL)
			*sp++ = '\0';
		if (*z != '\0') {
			(void)snprintf(stubs[nstubs], sizeof(stubs[0]),
			    "%s=127.0.0.1@%s", z, port);
			stub_ptrs[nstubs] = stubs[nstubs];
			nstubs++;
		}
		z = sp;
	}
	free(copy);
}

static struct spfdmarc_dns *
open_dns(const char *anchor, unsigned query_timeout_ms)
{
	struct spfdmarc_dns_unbound_options o;
	struct spfdmarc_dns *dns = NULL;
	char err[512] = "";

	memset(&o, 0, sizeof(o));
	o.stubs = stub_ptrs;
	o.nstubs = nstubs;
	o.trust_anchor_file = anchor;
	o.query_timeout_ms = query_timeout_ms;
	o.unbound_conf = itest_env("REGRESS_UNBOUND_CONF");
	if (spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err)) != 0) {
		printf("Bail out! resolver: %s\n", err);
		exit(1);
	}
	return dns;
}

/* An answer the library may hand out: the shape is right whatever the
 * DNS said. */
static bool
answer_sane(const struct spfdmarc_dns_answer *a)
{
	if (a == NULL || a->qname == NULL)
		return false;
	if (a->status != SPFDMARC_DNS_OK && a->count != 0)
		return false;
	if (a->count > 0 && a->rr == NULL)
		return false;
	if (a->status == SPFDMARC_DNS_BOGUS &&
	    (a->count != 0 || a->canonname != NULL ||
	    a->dnssec != SPFDMARC_DNSSEC_BOGUS))
		return false;
	if (spfdmarc_dns_status_is_error(a->status) && a->why == NULL)
		return false;
	if (a->why != NULL && (strchr(a->why, '\n') != NULL ||
	    strchr(a->why, '\r') != NULL))
		return false;
	for (size_t i = 0; i < a->count; i++) {
		const struct spfdmarc_dns_rr *rr = &a->rr[i];

		if ((rr->type == SPFDMARC_DNS_TXT && (rr->u.txt.text == NULL ||
		    rr->u.txt.text[rr->u.txt.len] != '\0')) ||
		    (rr->type == SPFDMARC_DNS_MX && rr->u.mx.exchange == NULL))
			return false;
	}
	return true;
}

static int
spf_on(struct spfdmarc_dns *dns, unsigned budget_ms, const char *ip,
    const char *sender, struct spfdmarc_spf_response *r)
{
	struct spfdmarc_dns_limits lim = { .timeout_ms = budget_ms };
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, &lim);
	struct spfdmarc_spf_request req;
	int rc;

	memset(&req, 0, sizeof(req));
	(void)spfdmarc_addr_parse(&req.ip, ip, strlen(ip));
	req.sender = sender;
	req.helo = "mx.example";
	req.identity = SPFDMARC_SPF_MAILFROM;
	req.now = 1400000000;
	rc = spfdmarc_spf_check(ctx, &req, r);
	spfdmarc_dns_ctx_free(ctx);
	return rc;
}

static enum spfdmarc_dmarc_result_code
dmarc_on(struct spfdmarc_dns *dns, unsigned budget_ms, const char *domain)
{
	struct spfdmarc_dns_limits lim = { .timeout_ms = budget_ms };
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, &lim);
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dmarc_result res;

	memset(&req, 0, sizeof(req));
	req.author_domain = domain;
	req.pct_draw = -1;
	if (spfdmarc_dmarc_evaluate(ctx, arena, &req, &res) != 0)
		res.result = (enum spfdmarc_dmarc_result_code)-1;
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
	return res.result;
}

/* --- hostile answers ---------------------------------------------------- */

static int
run_hostile(void)
{
	struct spfdmarc_dns *dns = open_dns(itest_env("DNSWORLD_ANCHOR"), 0);
	struct spfdmarc_dns_limits lim = { .timeout_ms = 15000 };
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, &lim);
	const struct spfdmarc_dns_answer *a;
	struct spfdmarc_spf_response r;
	const char *longname = itest_env("HOSTILE_LONGNAME");
	char name[300];

	a = spfdmarc_dns_lookup(ctx, "big.hostile.example", SPFDMARC_DNS_TXT);
	if (!ok(answer_sane(a) && a->status == SPFDMARC_DNS_OK &&
	    a->count == 1 && a->dnssec == SPFDMARC_DNSSEC_SECURE &&
	    a->rr[0].u.txt.len > 57000 && a->rr[0].u.txt.nstrings == 230,
	    "58 KB TXT over TCP: one secure record (%zu bytes, packet %zu)",
	    a->count ? a->rr[0].u.txt.len : 0, a->wire_size))
		diag("%s %s", spfdmarc_dns_status_name(a->status),
		    a->why != NULL ? a->why : "");
	a = spfdmarc_dns_lookup(ctx, "many.hostile.example", SPFDMARC_DNS_TXT);
	ok(answer_sane(a) && a->status == SPFDMARC_DNS_OK && a->count == 301,
	    "301 TXT records at one name (%zu, packet %zu)", a->count,
	    a->wire_size);
	a = spfdmarc_dns_lookup(ctx, "many.hostile.example", SPFDMARC_DNS_A);
	ok(answer_sane(a) && a->status == SPFDMARC_DNS_OK && a->count == 200,
	    "200 A records at one name (%zu)", a->count);
	a = spfdmarc_dns_lookup(ctx, "loop1.hostile.example", SPFDMARC_DNS_TXT);
	if (!ok(answer_sane(a) && spfdmarc_dns_status_is_error(a->status),
	    "CNAME loop: a failure (%s)", spfdmarc_dns_status_name(a->status)))
		diag("why %s", a->why != NULL ? a->why : "-");
	if (longname != NULL) {
		a = spfdmarc_dns_lookup(ctx, longname, SPFDMARC_DNS_TXT);
		ok(answer_sane(a) && a->status == SPFDMARC_DNS_OK &&
		    strlen(longname) == 253,
		    "a 253-byte name resolves over the wire (%s)",
		    spfdmarc_dns_status_name(a->status));
		(void)snprintf(name, sizeof(name), "x%s", longname);
		a = spfdmarc_dns_lookup(ctx, name, SPFDMARC_DNS_TXT);
		ok(answer_sane(a) && a->status == SPFDMARC_DNS_ERROR,
		    "254 bytes: refused before the wire (%s)",
		    spfdmarc_dns_status_name(a->status));
	}
	spfdmarc_dns_ctx_free(ctx);

	spf_on(dns, 15000, "192.0.2.1", "a@big.hostile.example", &r);
	is_str(RG_R(r.result), "permerror", "SPF on the 58 KB record: permerror");
	ok(rg_spf_clean(&r), "  fields clean");
	spf_on(dns, 15000, "192.0.2.200", "a@many.hostile.example", &r);
	is_str(RG_R(r.result), "pass",
	    "SPF 'a' among 200 A behind 300 TXT: pass");
	spf_on(dns, 15000, "192.0.2.1", "a@loop1.hostile.example", &r);
	is_str(RG_R(r.result), "temperror", "SPF at a CNAME loop: temperror");
	ok(rg_spf_clean(&r), "  reason: %s", r.reason);
	is_int(dmarc_on(dns, 15000, "loop1.hostile.example"),
	    SPFDMARC_DMARC_TEMPERROR, "DMARC with a looping _dmarc: temperror");
	spfdmarc_dns_free(dns);
	return done_testing();
}

/* --- a foreign trust anchor ------------------------------------------------- */

static const struct {
	const char *name;
	enum spfdmarc_dns_type type;
} probes[] = {
	{ "secure.example", SPFDMARC_DNS_TXT },
	{ "secure.example", SPFDMARC_DNS_MX },
	{ "insecure.example", SPFDMARC_DNS_TXT },
	{ "bogus.example", SPFDMARC_DNS_TXT },
	{ "www.bogus2.example", SPFDMARC_DNS_A },
	{ "nx.secure.example", SPFDMARC_DNS_TXT },
	{ "alias.secure.example", SPFDMARC_DNS_A },
	{ "big.secure.example", SPFDMARC_DNS_TXT },
	{ "WWW.Insecure.Example.", SPFDMARC_DNS_AAAA },
};

struct fworker {
	struct spfdmarc_dns *dns;
	int insane;
};

static void *
fworker_run(void *arg)
{
	struct fworker *w = arg;

	for (int round = 0; round < 10; round++) {
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(w->dns,
		    NULL);

		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			(void)spfdmarc_dns_start(ctx, probes[i].name,
			    probes[i].type);
		/* half the rounds are freed with queries in flight */
		if (round % 2 == 0)
			for (size_t i = 0; i < sizeof(probes) /
			    sizeof(probes[0]); i++)
				if (!answer_sane(spfdmarc_dns_lookup(ctx,
				    probes[i].name, probes[i].type)))
					w->insane++;
		spfdmarc_dns_ctx_free(ctx);
	}
	return NULL;
}

static int
run_foreign(void)
{
	const char *anchor = itest_env("FOREIGN_ANCHOR");
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_limits lim = { .timeout_ms = 10000 };
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_spf_response r;
	struct fworker w[4];
	pthread_t tid[4];
	int insane = 0;

	if (anchor == NULL)
		return itest_skip("no FOREIGN_ANCHOR");
	for (int pass = 0; pass < 3; pass++) {
		dns = open_dns(anchor, 2000);
		ctx = spfdmarc_dns_ctx_new(dns, &lim);
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]);
		    i++) {
			const struct spfdmarc_dns_answer *a;

			a = spfdmarc_dns_lookup(ctx, probes[i].name,
			    probes[i].type);
			if (!ok(answer_sane(a) && (a->status ==
			    SPFDMARC_DNS_BOGUS || a->status ==
			    SPFDMARC_DNS_SERVFAIL),
			    "foreign anchor, pass %d: %s %s -> %s, no data",
			    pass, probes[i].name,
			    spfdmarc_dns_type_name(probes[i].type),
			    spfdmarc_dns_status_name(a->status)))
				diag("why %s", a->why != NULL ? a->why : "-");
		}
		spfdmarc_dns_ctx_free(ctx);

		spf_on(dns, 10000, "127.0.0.1", "a@secure.example", &r);
		is_str(RG_R(r.result), "temperror",
		    "  SPF over bogus answers: temperror");
		ok(rg_spf_clean(&r) && r.dnssec == SPFDMARC_DNSSEC_BOGUS,
		    "  dnssec bogus, reason clean");
		is_int(dmarc_on(dns, 10000, "secure.example"),
		    SPFDMARC_DMARC_TEMPERROR, "  DMARC: temperror");

		for (int i = 0; i < 4; i++) {
			w[i] = (struct fworker){ .dns = dns };
			pthread_create(&tid[i], NULL, fworker_run, &w[i]);
		}
		for (int i = 0; i < 4; i++) {
			pthread_join(tid[i], NULL);
			insane += w[i].insane;
		}
		is_int(insane, 0, "  4 threads x 10 contexts, half cancelled: "
		    "every answer sane");
		/* freed with cancelled queries still in libunbound */
		spfdmarc_dns_free(dns);
	}
	return done_testing();
}

/* --- faults ----------------------------------------------------------------- */

static int
count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* pid and its descendants (NSD forks a server process and xfrd):
 * signal them all, children first. */
static int
signal_tree(pid_t pid, int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[512], *p;
		FILE *f;
		long ppid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (p == NULL || (p = strrchr(buf, ')')) == NULL)
			continue;
		if (sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == pid)
			rc |= signal_tree((pid_t)atol(e->d_name), sig);
	}
	closedir(d);
	return rc | kill(pid, sig);
}

static int
set_delay(int ms)
{
	char cmd[1024];
	const char *sh = itest_env("DNSWORLD_SH"), *dir =
	    itest_env("DNSWORLD_DIR");

	if (sh == NULL || dir == NULL)
		return -1;
	(void)snprintf(cmd, sizeof(cmd), "DNSWORLD_QUIET=1 bash '%s' delay "
	    "'%s' %d", sh, dir, ms);
	return system(cmd);
}

/* n fresh names under zone, each looked up in its own context with
 * budget ms: how many got status want, and the slowest one's time. */
static int
probe(struct spfdmarc_dns *dns, const char *tag, int n, unsigned ms,
    enum spfdmarc_dns_status want, long long *slowest)
{
	struct spfdmarc_dns_limits lim = { .timeout_ms = ms };
	static int serial;
	int good = 0;

	*slowest = 0;
	for (int i = 0; i < n; i++) {
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, &lim);
		const struct spfdmarc_dns_answer *a;
		char name[128];
		long long t0 = itest_now_ms(), t;

		(void)snprintf(name, sizeof(name), "%s%d-%d.insecure.example",
		    tag, serial++, i);
		a = spfdmarc_dns_lookup(ctx, name, SPFDMARC_DNS_TXT);
		t = itest_now_ms() - t0;
		if (t > *slowest)
			*slowest = t;
		/* TIMEOUT stands for any temporary failure: the context's
		 * budget ran out, or libunbound gave up on the server first
		 * (SERVFAIL) */
		if (answer_sane(a) && (a->status == want ||
		    (want == SPFDMARC_DNS_TIMEOUT &&
		    spfdmarc_dns_status_is_error(a->status))))
			good++;
		else if (getenv("REGRESS_VERBOSE") != NULL)
			diag("%s: %s (%s) after %lld ms", name,
			    spfdmarc_dns_status_name(a->status),
			    a->why != NULL ? a->why : "-", t);
		spfdmarc_dns_ctx_free(ctx);
	}
	return good;
}

/* After a fault: a fresh name answers again within RECOVERY_MS. */
static void
recover(struct spfdmarc_dns *dns, const char *tag)
{
	long long t0 = itest_now_ms(), slow;
	int good = 0;

	while (itest_now_ms() - t0 < RECOVERY_MS) {
		good = probe(dns, tag, 1, 3000, SPFDMARC_DNS_NXDOMAIN, &slow);
		if (good == 1)
			break;
		usleep(200000);
	}
	ok(good == 1, "  lookups recover (after %lld ms)",
	    itest_now_ms() - t0);
}

static int
run_faults(void)
{
	const char *nsd = itest_env("DNSWORLD_NSD_PID");
	struct spfdmarc_dns *dns;
	struct spfdmarc_spf_response r;
	long long slow, t0;
	int threads0, good;
	pid_t pid = nsd != NULL ? (pid_t)atoi(nsd) : 0;

	if (pid <= 0 || itest_env("DNSWORLD_SH") == NULL)
		return itest_skip("no NSD pid or world script");
	dns = open_dns(itest_env("DNSWORLD_ANCHOR"),
	    itest_env("REGRESS_QTIMEOUT") != NULL ?
	    (unsigned)atoi(itest_env("REGRESS_QTIMEOUT")) : QUERY_TIMEOUT_MS);
	threads0 = count_threads();

	good = probe(dns, "up", 5, 3000, SPFDMARC_DNS_NXDOMAIN, &slow);
	is_int(good, 5, "server up: 5 lookups answered (slowest %lld ms)",
	    slow);
	spf_on(dns, 3000, "127.0.0.1", "a@secure.example", &r);
	is_str(RG_R(r.result), "pass", "server up: SPF pass");

	/* 1. the server stopped mid-run */
	ok(signal_tree(pid, SIGSTOP) == 0, "NSD and its children stopped (SIGSTOP)");
	good = probe(dns, "down", 5, 800, SPFDMARC_DNS_TIMEOUT, &slow);
	is_int(good, 5, "  5 lookups: a temporary failure");
	ok(slow < 800 + 1500, "  each within its 800 ms budget (+ slack): "
	    "slowest %lld ms", slow);
	t0 = itest_now_ms();
	spf_on(dns, 800, "127.0.0.1", "a@down.secure.example", &r);
	is_str(RG_R(r.result), "temperror", "  SPF: temperror (%lld ms)",
	    itest_now_ms() - t0);
	ok(rg_spf_clean(&r), "  reason: %s", r.reason);
	is_int(dmarc_on(dns, 800, "down2.secure.example"),
	    SPFDMARC_DMARC_TEMPERROR, "  DMARC: temperror");
	ok(signal_tree(pid, SIGCONT) == 0, "NSD continued (SIGCONT)");
	/* libunbound backs off from a server that timed out: allow it a
	 * few seconds to probe again */
	recover(dns, "back");
	spf_on(dns, 3000, "127.0.0.1", "a@secure.example", &r);
	is_str(RG_R(r.result), "pass", "  SPF passes again");

	/* 2. a slow server (the world's relay holds answers): slower than a
	 * context's budget, within the resolver's own query timeout (a
	 * server slower than that is down for libunbound) */
	{
		struct spfdmarc_dns *slowdns = open_dns(
		    itest_env("DNSWORLD_ANCHOR"), 5000);

		/* the trust chain first, before the server turns slow */
		good = probe(slowdns, "warm", 1, 5000, SPFDMARC_DNS_NXDOMAIN,
		    &slow);
		is_int(good, 1, "  a second resolver, warmed up");
		is_int(set_delay(1000), 0, "relay delay 1000 ms");
		good = probe(slowdns, "slowok", 2, 8000, SPFDMARC_DNS_NXDOMAIN,
		    &slow);
		is_int(good, 2, "  budget 8000 ms: answered (slowest %lld ms)",
		    slow);
		ok(slow >= 950, "  the delay was real");
		good = probe(slowdns, "slow", 3, 300, SPFDMARC_DNS_TIMEOUT,
		    &slow);
		is_int(good, 3, "  budget 300 ms: a temporary failure");
		ok(slow < 300 + 1000, "  within the budget (+ slack): %lld ms",
		    slow);
		t0 = itest_now_ms();
		spf_on(slowdns, 300, "127.0.0.1", "a@slow.insecure.example",
		    &r);
		is_str(RG_R(r.result), "temperror", "  SPF: temperror in "
		    "%lld ms", itest_now_ms() - t0);
		spfdmarc_dns_free(slowdns);
	}

	/* 3. a server that never answers */
	is_int(set_delay(-1), 0, "relay drops every answer");
	t0 = itest_now_ms();
	good = probe(dns, "drop", 20, 300, SPFDMARC_DNS_TIMEOUT, &slow);
	is_int(good, 20, "  20 lookups: a temporary failure (%lld ms in all)",
	    itest_now_ms() - t0);
	ok(slow < 300 + 1500, "  each within its budget: slowest %lld ms",
	    slow);
	ok(count_threads() == threads0,
	    "  no thread pile-up: %d threads before, %d now", threads0,
	    count_threads());
	is_int(set_delay(0), 0, "relay back to no delay");
	recover(dns, "again");
	spfdmarc_dns_free(dns);
	ok(1, "resolver freed after the faults");
	return done_testing();
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	load_stubs();
	if (nstubs == 0 || itest_env("DNSWORLD_ANCHOR") == NULL)
		return itest_skip("no DNS world (run through dns_world.sh)");
	if (argc > 1 && strcmp(argv[1], "hostile") == 0)
		return run_hostile();
	if (argc > 1 && strcmp(argv[1], "foreign") == 0)
		return run_foreign();
	if (argc > 1 && strcmp(argv[1], "faults") == 0)
		return run_faults();
	printf("Bail out! usage: regress_dns_world hostile|foreign|faults\n");
	return 1;
}
