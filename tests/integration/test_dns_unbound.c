/*
 * test_dns_unbound.c: the libunbound backend against the signed DNS world
 * (run by dns_unbound.sh, which starts the world and a forwarding unbound).
 *
 * Environment: DNSWORLD_PORT, DNSWORLD_ANCHOR, DNSWORLD_UNBOUND_CONF,
 * DNSWORLD_ZONES from the world; SPFDMARC_TEST_FORWARDER (ADDR@PORT of a
 * local unbound that resolves the world and returns signatures), optional.
 *
 * Covered: configuration errors reported with the file or value named;
 * the DNSSEC states secure / insecure / bogus (expired signatures, and a DS
 * that matches no key) / indeterminate, through an unbound.conf, through
 * stub options, and through a forwarder with the world's trust anchor;
 * NXDOMAIN vs NODATA; TXT character-strings concatenated; answers over 512
 * and over 1232 bytes (TCP); CNAME; MX, AAAA; a server that never answers
 * -> TIMEOUT within the budget; 8 threads x 50 lookups on one resolver
 * (1, the default number and 4 libunbound contexts);
 * several threads on one context; contexts freed with queries pending.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/dns_unbound.h"
#include "spfdmarc/err.h"

#define SPF_APEX	"v=spf1 ip4:127.0.0.0/8 -all"
#define MAX_ZONES	32
#define NTHREADS	8
#define NLOOKUPS	50

static struct {
	const char *port;
	const char *anchor;
	const char *conf;
	const char *forwarder;
	char *zones[MAX_ZONES];
	size_t nzones;
	char stubs[MAX_ZONES][300];
	const char *stub_ptrs[MAX_ZONES + 1];
} world;

/* --- helpers -------------------------------------------------------------- */

static struct spfdmarc_dns *
open_dns(const struct spfdmarc_dns_unbound_options *o, const char *label)
{
	struct spfdmarc_dns *dns = NULL;
	char err[512] = "";
	int rc = spfdmarc_dns_unbound_new(&dns, o, err, sizeof(err));

	if (!ok(rc == 0 && dns != NULL, "%s: resolver created", label))
		diag("error %d: %s", rc, err);
	return rc == 0 ? dns : NULL;
}

static bool
contains(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

static const char *
txt0(const struct spfdmarc_dns_answer *a)
{
	return a->count > 0 && a->rr[0].type == SPFDMARC_DNS_TXT ?
	    a->rr[0].u.txt.text : NULL;
}

static void
explain(const struct spfdmarc_dns_answer *a)
{
	diag("  %s %s: %s %s rcode %d count %zu why %s", a->qname,
	    spfdmarc_dns_type_name(a->qtype),
	    spfdmarc_dns_status_name(a->status),
	    spfdmarc_dnssec_name(a->dnssec), a->rcode, a->count,
	    a->why != NULL ? a->why : "-");
}

/* status and DNSSEC state of one answer, in one test line */
static const struct spfdmarc_dns_answer *
expect(struct spfdmarc_dns_ctx *ctx, const char *label, const char *name,
    enum spfdmarc_dns_type type, enum spfdmarc_dns_status status,
    enum spfdmarc_dnssec dnssec)
{
	const struct spfdmarc_dns_answer *a;

	a = spfdmarc_dns_lookup(ctx, name, type);
	if (!ok(a->status == status && a->dnssec == dnssec,
	    "%s: %s %s -> %s %s", label, name, spfdmarc_dns_type_name(type),
	    spfdmarc_dns_status_name(status), spfdmarc_dnssec_name(dnssec)))
		explain(a);
	return a;
}

/* --- configuration errors (no world needed) ---------------------------- */

static void
test_config_errors(void)
{
	struct spfdmarc_dns_unbound_options o;
	struct spfdmarc_dns *dns;
	const char *bad_fwd[] = { "dns.example" };
	const char *bad_port[] = { "127.0.0.1@70000" };
	const char *bad_stub[] = { "example.com" };
	char err[512];
	char path[] = "/tmp/spfdmarc-itest-conf.XXXXXX";
	int rc, fd;

	memset(&o, 0, sizeof(o));
	o.trust_anchor_file = "/nonexistent/spfdmarc/root.key";
	rc = spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err));
	ok(rc == SPFDMARC_ECONFIG && dns == NULL &&
	    contains(err, "/nonexistent/spfdmarc/root.key") &&
	    contains(err, "No such file"),
	    "missing trust anchor file: error names it (%s)", err);

	memset(&o, 0, sizeof(o));
	o.dnssec_off = true;
	o.forwarders = bad_fwd;
	o.nforwarders = 1;
	rc = spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err));
	ok(rc == SPFDMARC_ECONFIG && contains(err, "dns.example"),
	    "forwarder by name refused (%s)", err);
	o.forwarders = bad_port;
	rc = spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err));
	ok(rc == SPFDMARC_ECONFIG && contains(err, "70000"),
	    "forwarder port out of range refused (%s)", err);

	memset(&o, 0, sizeof(o));
	o.dnssec_off = true;
	o.stubs = bad_stub;
	o.nstubs = 1;
	rc = spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err));
	ok(rc == SPFDMARC_ECONFIG && contains(err, "ZONE=ADDRESS"),
	    "stub without '=' refused (%s)", err);

	memset(&o, 0, sizeof(o));
	o.dnssec_off = true;
	o.unbound_conf = "/nonexistent/spfdmarc/unbound.conf";
	rc = spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err));
	ok(rc == SPFDMARC_ECONFIG &&
	    contains(err, "/nonexistent/spfdmarc/unbound.conf"),
	    "missing unbound.conf: error names it (%s)", err);

	fd = mkstemp(path);
	if (fd >= 0) {
		static const char text[] =
		    "server:\n\tno-such-option-here: yes\n";

		if (write(fd, text, sizeof(text) - 1) < 0)
			diag("write %s failed", path);
		(void)close(fd);
		diag("libunbound's own message for the next test follows on "
		    "standard error");
		o.unbound_conf = path;
		rc = spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err));
		ok(rc == SPFDMARC_ECONFIG && contains(err, path) &&
		    contains(err, "syntax error"),
		    "bad unbound.conf: libunbound's error (%s)", err);
		(void)unlink(path);
	}

	/* The production default: full recursion, root.key of
	 * dns-root-data. Creating it sends no query anywhere. */
	if (access(SPFDMARC_DNS_DEFAULT_TRUST_ANCHOR, R_OK) == 0) {
		rc = spfdmarc_dns_unbound_new(&dns, NULL, err, sizeof(err));
		ok(rc == 0 && dns != NULL,
		    "default resolver (root trust anchor) created (%s)", err);
		spfdmarc_dns_free(dns);
	}
}

/* --- the DNSSEC states and answer shapes ----------------------------------- */

static void
test_world(struct spfdmarc_dns *dns, const char *label, bool validating)
{
	struct spfdmarc_dns_limits limits = { .timeout_ms = 10000 };
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a;
	enum spfdmarc_dnssec sec = validating ? SPFDMARC_DNSSEC_SECURE :
	    SPFDMARC_DNSSEC_INDETERMINATE;
	enum spfdmarc_dnssec insec = validating ? SPFDMARC_DNSSEC_INSECURE :
	    SPFDMARC_DNSSEC_INDETERMINATE;
	char addr[SPFDMARC_ADDR_STRLEN];

	ctx = spfdmarc_dns_ctx_new(dns, &limits);
	if (ctx == NULL)
		return;

	a = expect(ctx, label, "secure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_OK, sec);
	is_str(txt0(a), SPF_APEX, "%s: secure apex TXT text", label);
	ok(a->count == 1 && a->ttl > 0 && a->ttl <= 300 &&
	    a->rr[0].ttl == a->ttl &&
	    a->rcode == 0 && a->why == NULL && a->wire_size > 0,
	    "%s: ttl %u, rcode 0, wire %zu", label, (unsigned)a->ttl,
	    a->wire_size);
	a = expect(ctx, label, "insecure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_OK, insec);
	is_str(txt0(a), SPF_APEX, "%s: insecure apex TXT text", label);

	if (validating) {
		a = expect(ctx, label, "bogus.example", SPFDMARC_DNS_TXT,
		    SPFDMARC_DNS_BOGUS, SPFDMARC_DNSSEC_BOGUS);
		ok(a->count == 0 && a->canonname == NULL,
		    "%s: bogus answer carries no records", label);
		if (!ok(contains(a->why, "DNSSEC bogus: ") &&
		    contains(a->why, "expired"),
		    "%s: bogus reason says signature expired", label))
			explain(a);
		else
			diag("  why: %s", a->why);
		a = expect(ctx, label, "www.bogus2.example", SPFDMARC_DNS_A,
		    SPFDMARC_DNS_BOGUS, SPFDMARC_DNSSEC_BOGUS);
		ok(a->count == 0, "%s: bogus2 answer carries no records",
		    label);
		if (!ok(a->why != NULL && strncmp(a->why, "DNSSEC bogus: ",
		    14) == 0 && contains(a->why, "DS"),
		    "%s: bogus2 reason names the DS", label))
			explain(a);
		else
			diag("  why: %s", a->why);
		/* NXDOMAIN in a bogus zone is bogus too, never a "no". */
		expect(ctx, label, "nx.bogus.example", SPFDMARC_DNS_TXT,
		    SPFDMARC_DNS_BOGUS, SPFDMARC_DNSSEC_BOGUS);
	} else {
		/* Without validation the expired zone's data is data. */
		a = expect(ctx, label, "bogus.example", SPFDMARC_DNS_TXT,
		    SPFDMARC_DNS_OK, SPFDMARC_DNSSEC_INDETERMINATE);
		is_str(txt0(a), SPF_APEX, "%s: unvalidated bogus TXT", label);
	}

	a = expect(ctx, label, "nx.secure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_NXDOMAIN, sec);
	ok(a->rcode == 3 && a->count == 0, "%s: NXDOMAIN has rcode 3",
	    label);
	a = expect(ctx, label, "nodata.secure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_NODATA, sec);
	ok(a->rcode == 0 && a->count == 0, "%s: NODATA has rcode 0", label);
	expect(ctx, label, "nx.insecure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_NXDOMAIN, insec);
	expect(ctx, label, "nodata.insecure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_NODATA, insec);

	a = expect(ctx, label, "split.secure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_OK, sec);
	is_str(txt0(a), "v=spf1 ip4:192.0.2.0/24 -all",
	    "%s: TXT character-strings concatenated", label);
	ok(a->count == 1 && a->rr[0].u.txt.nstrings == 3,
	    "%s: split TXT has 3 character-strings", label);

	a = expect(ctx, label, "medium.secure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_OK, sec);
	ok(a->count == 1 && a->rr[0].u.txt.len > 512 &&
	    a->rr[0].u.txt.len == strlen(a->rr[0].u.txt.text) &&
	    a->wire_size > 512 && contains(txt0(a), "ip4:192.0.2.36 ") &&
	    contains(txt0(a), "-all"),
	    "%s: answer over 512 bytes (TXT %zu bytes, packet %zu)", label,
	    a->count ? a->rr[0].u.txt.len : 0, a->wire_size);
	a = expect(ctx, label, "big.insecure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_OK, insec);
	ok(a->count == 1 && a->rr[0].u.txt.len > 1232 &&
	    a->wire_size > 1232 && contains(txt0(a), "ip4:192.0.2.90 "),
	    "%s: answer over 1232 bytes, over TCP (TXT %zu, packet %zu)",
	    label, a->count ? a->rr[0].u.txt.len : 0, a->wire_size);
	a = expect(ctx, label, "big.secure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_OK, sec);
	ok(a->count == 1 && a->rr[0].u.txt.len > 1232 &&
	    a->rr[0].u.txt.nstrings == 7,
	    "%s: signed big TXT, 7 character-strings", label);

	a = expect(ctx, label, "alias.secure.example", SPFDMARC_DNS_A,
	    SPFDMARC_DNS_OK, sec);
	is_str(a->canonname, "www.secure.example", "%s: CNAME followed",
	    label);
	addr[0] = '\0';
	if (a->count == 1)
		(void)spfdmarc_addr_format(&a->rr[0].u.addr, addr,
		    sizeof(addr));
	is_str(addr, "127.0.0.2", "%s: A through the CNAME", label);

	a = expect(ctx, label, "secure.example", SPFDMARC_DNS_MX,
	    SPFDMARC_DNS_OK, sec);
	ok(a->count == 1 && a->rr[0].u.mx.preference == 10 &&
	    a->rr[0].u.mx.exchange != NULL &&
	    strcmp(a->rr[0].u.mx.exchange, "mail.secure.example") == 0,
	    "%s: MX 10 mail.secure.example", label);
	ok(a->canonname == NULL, "%s: no canonname without CNAME", label);

	a = expect(ctx, label, "WWW.Insecure.Example.", SPFDMARC_DNS_AAAA,
	    SPFDMARC_DNS_OK, insec);
	addr[0] = '\0';
	if (a->count == 1)
		(void)spfdmarc_addr_format(&a->rr[0].u.addr, addr,
		    sizeof(addr));
	is_str(addr, "::1", "%s: AAAA, name case and dot ignored", label);
	is_str(a->qname, "www.insecure.example", "%s: qname normalized",
	    label);

	spfdmarc_dns_ctx_free(ctx);
}

/* --- a server that never answers -------------------------------------------- */

/* UDP and TCP on one loopback port: queries are read by nobody and TCP
 * connections wait in the backlog, unanswered. */
static int
dead_server(int fds[2])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	fds[0] = socket(AF_INET, SOCK_DGRAM, 0);
	fds[1] = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[0] < 0 || fds[1] < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fds[0], (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fds[0], (struct sockaddr *)&sin, &len) != 0)
		return -1;
	if (bind(fds[1], (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(fds[1], 64) != 0)
		diag("no TCP on the dead server's port (only UDP)");
	return ntohs(sin.sin_port);
}

/* Did a query for a name with this first label reach the dead server? */
static bool
dead_server_saw(int udp, const char *label)
{
	unsigned char pkt[1500];
	size_t llen = strlen(label);
	ssize_t n;

	while ((n = recv(udp, pkt, sizeof(pkt), MSG_DONTWAIT)) > 0) {
		/* header, then the question's first label */
		if ((size_t)n > 12 + 1 + llen && pkt[12] == llen &&
		    memcmp(pkt + 13, label, llen) == 0)
			return true;
	}
	return false;
}

static void
test_timeout(struct spfdmarc_dns *dns, int udp)
{
	/* bytes libunbound's name parser would read as syntax */
	static const char odd[] = "we\\ird (x);\"";
	char name[64];
	struct spfdmarc_dns_limits limits = { .timeout_ms = 1500 };
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *a, *b;
	long long t0, ms;

	ctx = spfdmarc_dns_ctx_new(dns, &limits);
	if (ctx == NULL)
		return;
	t0 = itest_now_ms();
	a = spfdmarc_dns_lookup(ctx, "x.dead.example", SPFDMARC_DNS_TXT);
	ms = itest_now_ms() - t0;
	if (!ok(a->status == SPFDMARC_DNS_TIMEOUT &&
	    a->dnssec == SPFDMARC_DNSSEC_INDETERMINATE && a->count == 0,
	    "unanswered name -> timeout"))
		explain(a);
	ok(ms >= 1400 && ms < 1500 + 3000,
	    "timeout came within the 1500 ms budget (+ slack): %lld ms", ms);
	ok(contains(a->why, "1500 ms"), "timeout reason: %s",
	    a->why != NULL ? a->why : "(null)");
	/* the budget is spent: the next lookup does not wait again */
	t0 = itest_now_ms();
	b = spfdmarc_dns_lookup(ctx, "y.dead.example", SPFDMARC_DNS_TXT);
	ms = itest_now_ms() - t0;
	ok(b->status == SPFDMARC_DNS_TIMEOUT && ms < 500,
	    "spent budget: next lookup times out at once (%lld ms)", ms);
	spfdmarc_dns_ctx_free(ctx);	/* cancels the two pending */

	limits.timeout_ms = 500;
	ctx = spfdmarc_dns_ctx_new(dns, &limits);
	if (ctx == NULL)
		return;
	(void)snprintf(name, sizeof(name), "%s.dead.example", odd);
	a = spfdmarc_dns_lookup(ctx, name, SPFDMARC_DNS_TXT);
	is_str(a->qname, name, "odd name kept as asked");
	ok(dead_server_saw(udp, odd),
	    "odd bytes in a label reach the server unchanged");
	spfdmarc_dns_ctx_free(ctx);

	/* a real name still answers in a fresh context meanwhile */
	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	if (ctx == NULL)
		return;
	expect(ctx, "timeout resolver", "secure.example", SPFDMARC_DNS_TXT,
	    SPFDMARC_DNS_OK, SPFDMARC_DNSSEC_SECURE);
	spfdmarc_dns_ctx_free(ctx);
}

/* Contexts freed with queries in flight: cancel, no leak, no crash. */
static void
test_cancel(struct spfdmarc_dns *dns)
{
	char name[64];
	int bad = 0;

	for (int round = 0; round < 20; round++) {
		struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);

		if (ctx == NULL)
			return;
		for (int i = 0; i < 10; i++) {
			(void)snprintf(name, sizeof(name), "c%d-%d.dead.example",
			    round, i);
			if (spfdmarc_dns_start(ctx, name, SPFDMARC_DNS_TXT) != 0)
				bad++;
			(void)snprintf(name, sizeof(name),
			    "c%d-%d.insecure.example", round, i);
			if (spfdmarc_dns_start(ctx, name, SPFDMARC_DNS_TXT) != 0)
				bad++;
		}
		/* half the rounds wait a little: answers race the cancel */
		if (round % 2 == 1)
			usleep(2000);
		spfdmarc_dns_ctx_free(ctx);
	}
	ok(bad == 0, "400 queries started and cancelled by ctx_free");
}

/* --- threads ----------------------------------------------------------------- */

struct worker {
	struct spfdmarc_dns *dns;
	int id;
	int wrong;
	int answered;
};

static const struct {
	const char *name;
	enum spfdmarc_dns_type type;
	enum spfdmarc_dns_status status;
} known[] = {
	{ "secure.example", SPFDMARC_DNS_TXT, SPFDMARC_DNS_OK },
	{ "www.insecure.example", SPFDMARC_DNS_A, SPFDMARC_DNS_OK },
	{ "bogus.example", SPFDMARC_DNS_TXT, SPFDMARC_DNS_BOGUS },
	{ "nodata.secure.example", SPFDMARC_DNS_TXT, SPFDMARC_DNS_NODATA },
	{ "big.insecure.example", SPFDMARC_DNS_TXT, SPFDMARC_DNS_OK },
};

static void
worker_name(const struct worker *w, int i, char *name, size_t size,
    enum spfdmarc_dns_type *type, enum spfdmarc_dns_status *status)
{
	size_t k = (size_t)i % (sizeof(known) / sizeof(known[0]));

	if (i % 3 == 0) {
		(void)strlcpy(name, known[k].name, size);
		*type = known[k].type;
		*status = known[k].status;
	} else {
		/* a name nobody asked before: a real query upstream */
		(void)snprintf(name, size, "t%d-%d.insecure.example", w->id, i);
		*type = SPFDMARC_DNS_TXT;
		*status = SPFDMARC_DNS_NXDOMAIN;
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct spfdmarc_dns_limits limits = { .timeout_ms = 20000 };
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(w->dns, &limits);
	enum spfdmarc_dns_type type;
	enum spfdmarc_dns_status status;
	char name[64];

	if (ctx == NULL) {
		w->wrong = NLOOKUPS;
		return NULL;
	}
	/* even workers start everything first, odd ones go one by one */
	if (w->id % 2 == 0) {
		for (int i = 0; i < NLOOKUPS; i++) {
			worker_name(w, i, name, sizeof(name), &type, &status);
			(void)spfdmarc_dns_start(ctx, name, type);
		}
	}
	for (int i = 0; i < NLOOKUPS; i++) {
		const struct spfdmarc_dns_answer *a;

		worker_name(w, i, name, sizeof(name), &type, &status);
		a = spfdmarc_dns_lookup(ctx, name, type);
		if (a->status != SPFDMARC_DNS_TIMEOUT &&
		    a->status != SPFDMARC_DNS_ERROR)
			w->answered++;
		if (a->status != status)
			w->wrong++;
	}
	spfdmarc_dns_ctx_free(ctx);
	return NULL;
}

static void
test_threads(struct spfdmarc_dns *dns)
{
	pthread_t tid[NTHREADS];
	struct worker w[NTHREADS];
	int answered = 0, wrong = 0, started = 0;
	long long t0 = itest_now_ms();

	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .dns = dns, .id = i };
		if (pthread_create(&tid[i], NULL, worker_run, &w[i]) == 0)
			started++;
		else
			w[i].id = -1;
	}
	for (int i = 0; i < NTHREADS; i++) {
		if (w[i].id < 0)
			continue;
		pthread_join(tid[i], NULL);
		answered += w[i].answered;
		wrong += w[i].wrong;
	}
	is_int(answered, NTHREADS * NLOOKUPS,
	    "%d threads x %d lookups all answered (%lld ms)", NTHREADS,
	    NLOOKUPS, itest_now_ms() - t0);
	is_int(wrong, 0, "every concurrent answer has the expected status");
	is_int(started, NTHREADS, "all threads ran");
}

struct sharer {
	struct spfdmarc_dns_ctx *ctx;
	const struct spfdmarc_dns_answer *seen[20];
};

static void *
sharer_run(void *arg)
{
	struct sharer *s = arg;
	char name[64];

	for (int i = 0; i < 20; i++) {
		(void)snprintf(name, sizeof(name), "s%d.insecure.example", i);
		s->seen[i] = spfdmarc_dns_lookup(s->ctx, name,
		    SPFDMARC_DNS_TXT);
	}
	return NULL;
}

/* Several threads on one context share its futures. */
static void
test_shared_ctx(struct spfdmarc_dns *dns)
{
	struct sharer s[4];
	pthread_t tid[4];
	struct spfdmarc_dns_stats st;
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
	int same = 0;

	if (ctx == NULL)
		return;
	for (int i = 0; i < 4; i++) {
		s[i].ctx = ctx;
		pthread_create(&tid[i], NULL, sharer_run, &s[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < 20; i++)
		if (s[0].seen[i] == s[1].seen[i] &&
		    s[1].seen[i] == s[2].seen[i] &&
		    s[2].seen[i] == s[3].seen[i] &&
		    s[0].seen[i]->status == SPFDMARC_DNS_NXDOMAIN)
			same++;
	is_int(same, 20, "4 threads on one context: one answer per name");
	spfdmarc_dns_ctx_stats(ctx, &st);
	is_int(st.queries, 20, "4 threads on one context: 20 queries sent");
	spfdmarc_dns_ctx_free(ctx);
}

/* --- main ------------------------------------------------------------------- */

static void
load_world(void)
{
	const char *zones = itest_env("DNSWORLD_ZONES");
	char *copy;

	world.port = itest_env("DNSWORLD_PORT");
	world.anchor = itest_env("DNSWORLD_ANCHOR");
	world.conf = itest_env("DNSWORLD_UNBOUND_CONF");
	world.forwarder = itest_env("SPFDMARC_TEST_FORWARDER");
	if (zones == NULL || world.port == NULL)
		return;
	copy = strdup(zones);
	for (char *z = copy; z != NULL && world.nzones < MAX_ZONES; ) {
		char *sp = strchr(z, ' ');

		if (sp != NULL)
			*sp++ = '\0';
		if (*z != '\0') {
			(void)snprintf(world.stubs[world.nzones],
			    sizeof(world.stubs[0]), "%s=127.0.0.1@%s", z,
			    world.port);
			world.stub_ptrs[world.nzones] =
			    world.stubs[world.nzones];
			world.nzones++;
		}
		z = sp;
	}
	free(copy);
}

int
main(void)
{
	struct spfdmarc_dns_unbound_options o;
	struct spfdmarc_dns *dns;
	char dead_stub[64];
	const char *dead_stubs[1] = { dead_stub };
	int dead[2] = { -1, -1 }, port;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* in step with stderr */
	load_world();
	if (world.conf == NULL || world.anchor == NULL || world.nzones == 0)
		return itest_skip("no DNS world (run through dns_unbound.sh)");

	test_config_errors();

	/* 1. the world's unbound.conf: stubs and its own trust anchor */
	memset(&o, 0, sizeof(o));
	o.unbound_conf = world.conf;
	dns = open_dns(&o, "unbound.conf");
	if (dns != NULL) {
		test_world(dns, "unbound.conf", true);
		/* the same names again: the answers now come from the DNS
		 * layer's cache (failures and bogus ones from libunbound),
		 * with the same status and DNSSEC state */
		test_world(dns, "unbound.conf, cached", true);
		test_threads(dns);
		test_shared_ctx(dns);
		spfdmarc_dns_free(dns);
	}
	/* threads against libunbound itself, the answer cache off, with
	 * one libunbound context and with four (queries spread over them
	 * by zone) */
	o.answer_cache_off = true;
	o.resolver_threads = 1;
	dns = open_dns(&o, "unbound.conf, no answer cache, 1 context");
	if (dns != NULL) {
		test_world(dns, "1 context", true);
		test_threads(dns);
		spfdmarc_dns_free(dns);
	}
	o.resolver_threads = 4;
	dns = open_dns(&o, "unbound.conf, no answer cache, 4 contexts");
	if (dns != NULL) {
		test_world(dns, "4 contexts", true);
		test_threads(dns);
		test_cancel(dns);
		spfdmarc_dns_free(dns);
	}

	/* 2. no unbound.conf: --stub and --trust-anchor options only */
	memset(&o, 0, sizeof(o));
	o.stubs = world.stub_ptrs;
	o.nstubs = world.nzones;
	o.trust_anchor_file = world.anchor;
	o.query_timeout_ms = 2000;
	dns = open_dns(&o, "stub options");
	if (dns != NULL) {
		test_world(dns, "stub options", true);
		spfdmarc_dns_free(dns);
	}

	/* 3. forwarding to a resolver that returns signatures, validated
	 * here from the world's trust anchor (--resolver --trust-anchor) */
	if (world.forwarder != NULL) {
		const char *fwd[1] = { world.forwarder };

		memset(&o, 0, sizeof(o));
		o.forwarders = fwd;
		o.nforwarders = 1;
		o.trust_anchor_file = world.anchor;
		dns = open_dns(&o, "forwarder");
		if (dns != NULL) {
			test_world(dns, "forwarder", true);
			spfdmarc_dns_free(dns);
		}
	} else {
		ok(1, "# SKIP no forwarding unbound (install Debian's unbound)");
	}

	/* 4. DNSSEC off: even over the validating unbound.conf */
	memset(&o, 0, sizeof(o));
	o.unbound_conf = world.conf;
	o.dnssec_off = true;
	dns = open_dns(&o, "no DNSSEC");
	if (dns != NULL) {
		test_world(dns, "no DNSSEC", false);
		spfdmarc_dns_free(dns);
	}

	/* 5. a zone whose server never answers */
	port = dead_server(dead);
	if (port > 0) {
		(void)snprintf(dead_stub, sizeof(dead_stub),
		    "dead.example=127.0.0.1@%d", port);
		memset(&o, 0, sizeof(o));
		o.unbound_conf = world.conf;
		o.stubs = dead_stubs;
		o.nstubs = 1;
		o.query_timeout_ms = 1000;
		/* Without the DS/DNSKEY lookups that warm dead.example:
		 * libunbound keeps chasing them after the contexts give up,
		 * and while they probe the dead server it sends no other
		 * query there, which the odd-bytes check needs to see. */
		o.key_prefetch_off = true;
		dns = open_dns(&o, "dead server");
		if (dns != NULL) {
			test_timeout(dns, dead[0]);
			test_cancel(dns);
			/* shut down with libunbound still chasing the dead
			 * server's queries */
			spfdmarc_dns_free(dns);
			ok(1, "resolver freed with cancelled queries pending");
		}
	} else {
		ok(0, "dead server socket");
	}
	if (dead[0] >= 0)
		(void)close(dead[0]);
	if (dead[1] >= 0)
		(void)close(dead[1]);
	return done_testing();
}
