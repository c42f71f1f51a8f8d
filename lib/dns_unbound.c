/*
 * dns_unbound.c: the libunbound backend (spfdmarc/dns_unbound.h): one
 * ub_ctx per resolver object, DNSSEC validation, asynchronous lookups.
 *
 * Threads. ub_ctx_async(ctx, 1) makes libunbound resolve in a thread of
 * its own; its default would fork a process, which a threaded milter must
 * not do. That thread sends each answer back through a pipe (ub_fd()), and
 * the answer's callback runs in whichever thread calls ub_process(). Here
 * that is one dispatcher thread: it polls every ub_fd() and a wake-up
 * pipe, runs ub_process(), and ubr_done() turns each ub_result into the
 * query's answer and completes it, waking whoever waits. Any thread may
 * start (ub_resolve_async) or cancel (ub_cancel) queries: libunbound
 * serializes those itself. All threads are started by
 * spfdmarc_dns_unbound_new(), with every signal blocked, so a host's
 * signal handling stays its own.
 *
 * Shards. One libunbound thread does all the resolving and all the DNSSEC
 * signature checks of its context; with a cold cache that thread is the
 * bottleneck (measured: 89% of a core at 64 concurrent new senders, half
 * of it ECDSA in nettle). So the resolver holds several contexts, the same
 * configuration in each (resolver_threads, default one per CPU, at most
 * UBR_SHARDS_MAX), and sends each query to the one its zone hashes to (the
 * name's Organizational Domain, as the DNS core guesses zones): a zone's
 * keys and answers stay in one context's cache; only the root's and the
 * TLDs' keys are fetched once per context.
 *
 * Cancel (dns_backend.h). With a threaded libunbound, ub_cancel() returns
 * UB_NOERROR only while the query is still in libunbound's table; it then
 * marks it so that its callback is never called, and the backend's
 * reference is released here. UB_NOID means the callback has run or is
 * running (libunbound takes the query out of its table, under its lock,
 * before it calls back), so the query is or will be completed.
 *
 * Answers (RFC 4033 §5 for the states):
 *	bogus			BOGUS, no records, why "DNSSEC bogus: ..."
 *	rcode NXDOMAIN		NXDOMAIN
 *	other rcode != 0	SERVFAIL (libunbound's SERVFAIL after giving up)
 *	havedata		OK with the records, else NODATA
 *	DNSSEC state		secure -> SECURE; validating and neither secure
 *				nor bogus -> INSECURE; not validating, or no
 *				answer to validate (SERVFAIL) -> INDETERMINATE
 * "Validating" means the validator module is configured: DNSSEC not turned
 * off and, if an unbound.conf sets module-config, "validator" in it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unbound.h>

#include "dns_backend.h"
#include "export.h"
#include "log.h"
#include "spfdmarc/addr.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/dns_unbound.h"
#include "spfdmarc/err.h"
#include "suffix.h"

#define UBR_CLASS_IN		1
#define UBR_SHARDS_MAX		4	/* libunbound contexts, threads */
#define UBR_TYPE_DS		43
#define UBR_TYPE_DNSKEY		48
#define UBR_RCODE_NXDOMAIN	3
#define UBR_MIN_RTT_MS		50	/* below this, every server times out */
/* unbound's own unknown-server-time-limit default */
#define UBR_UNKNOWN_SERVER_MS	376
/*
 * unbound starts probing a server that timed out again only once its
 * retransmit timeout has grown to 12 s (PROBE_MAXRTO in its infra.h).
 * With a lower infra-cache-max-rtt (query_timeout_ms) the timeout never
 * gets there: a server that was down for a few seconds stays "down" in
 * the host cache for infra-host-ttl (900 s), every query for its zones
 * failing at once long after it came back. Forget hosts sooner then.
 */
#define UBR_PROBE_MAXRTO_MS	12000
#define UBR_DOWN_HOST_TTL	"30"	/* seconds */
/* A name in presentation form: every byte may become "\DDD". */
#define UBR_PNAME_BUFSIZE	(4 * SPFDMARC_DNAME_BUFSIZE + 2)
/* Forwarder / stub address text: "ADDR@PORT". */
#define UBR_ADDR_TEXT_MAX	(SPFDMARC_ADDR_STRLEN + 6)

/*
 * Defaults for a mail filter, applied before an unbound.conf so that it
 * can change them. libunbound's library defaults (16 outgoing ports, 2 TCP
 * buffers, 1 MB caches) are sized for a desktop program doing a lookup at
 * a time; a milter runs many evaluations at once and lives off its cache.
 */
static const struct {
	const char *name;
	const char *value;
} ubr_defaults[] = {
	{ "outgoing-range:", "256" },
	{ "outgoing-num-tcp:", "16" },
	{ "msg-cache-size:", "8m" },
	{ "rrset-cache-size:", "16m" },
	{ "key-cache-size:", "4m" },
};

/* Options that give libunbound a trust anchor of its own. */
static const char *const ubr_anchor_options[] = {
	"trust-anchor-file", "auto-trust-anchor-file", "trust-anchor",
	"trusted-keys-file",
};

struct ubr {
	struct ub_ctx *ub[UBR_SHARDS_MAX];
	size_t nshards;
	int wake[2];			/* the dispatcher's wake-up pipe */
	pthread_t dispatcher;
	bool dispatcher_started;
	atomic_bool stopped;		/* the dispatcher has left its loop */
};

/* --- answers --------------------------------------------------------------- */

static const char *
ubr_rcode_name(int rcode)
{
	switch (rcode) {
	case 1:	return "FORMERR";
	case 2:	return "SERVFAIL";
	case 4:	return "NOTIMP";
	case 5:	return "REFUSED";
	default: return "other";
	}
}

/* The answer to q from libunbound's result (see the top comment). */
static void
ubr_fill(struct dns_query *q, bool validating, int err,
    const struct ub_result *res)
{
	struct spfdmarc_dns_answer *a = dns_query_answer(q);
	enum spfdmarc_dns_type type = dns_query_type(q);
	struct spfdmarc_dns_rr *rr;
	size_t n;

	a->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	if (err != 0 || res == NULL) {
		a->status = err == UB_SERVFAIL ? SPFDMARC_DNS_SERVFAIL :
		    SPFDMARC_DNS_ERROR;
		(void)dns_answer_set_why(q, "libunbound: %s",
		    ub_strerror(err));
		return;
	}
	a->rcode = res->rcode;
	a->ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
	a->wire_size = res->answer_len > 0 ? (size_t)res->answer_len : 0;

	if (res->bogus) {
		/* Never data: not the records, not the canonical name. */
		a->status = SPFDMARC_DNS_BOGUS;
		a->dnssec = SPFDMARC_DNSSEC_BOGUS;
		(void)dns_answer_set_why(q, "DNSSEC bogus: %s",
		    res->why_bogus != NULL ? res->why_bogus :
		    "validation failed");
		return;
	}
	if (res->rcode != 0 && res->rcode != UBR_RCODE_NXDOMAIN) {
		a->status = SPFDMARC_DNS_SERVFAIL;
		(void)dns_answer_set_why(q, "server failure (rcode %s)",
		    ubr_rcode_name(res->rcode));
		return;
	}

	if (res->canonname != NULL) {
		char canon[SPFDMARC_DNAME_BUFSIZE];
		size_t len;

		len = strlcpy(canon, res->canonname, sizeof(canon));
		if (len < sizeof(canon)) {
			if (len > 1 && canon[len - 1] == '.')
				canon[--len] = '\0';
			spfdmarc_dname_lower(canon, len);
			if (strcmp(canon, dns_query_name(q)) != 0)
				a->canonname = spfdmarc_arena_strdup(
				    dns_query_arena(q), canon);
		}
	}

	if (res->rcode == UBR_RCODE_NXDOMAIN || res->nxdomain)
		a->status = SPFDMARC_DNS_NXDOMAIN;
	else
		a->status = SPFDMARC_DNS_NODATA;
	n = 0;
	if (res->havedata && res->data != NULL)
		while (res->data[n] != NULL)
			n++;
	if (a->status == SPFDMARC_DNS_NODATA && n > 0) {
		rr = dns_answer_alloc_rr(q, n);
		if (rr == NULL) {
			a->status = SPFDMARC_DNS_ERROR;
			(void)dns_answer_set_why(q, "out of memory");
			return;
		}
		for (size_t i = 0; i < n; i++) {
			int rc = res->len[i] < 0 ? SPFDMARC_ESYNTAX :
			    dns_rdata_decode(q, type,
			    (const unsigned char *)res->data[i],
			    (size_t)res->len[i], &rr[i]);

			if (rc != 0) {
				a->count = 0;
				a->rr = NULL;
				a->status = rc == SPFDMARC_ENOMEM ?
				    SPFDMARC_DNS_ERROR : SPFDMARC_DNS_SERVFAIL;
				(void)dns_answer_set_why(q, "%s",
				    rc == SPFDMARC_ENOMEM ? "out of memory" :
				    "malformed record in the answer");
				return;
			}
			rr[i].ttl = a->ttl;
		}
		a->status = SPFDMARC_DNS_OK;
	}

	if (!validating)
		a->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	else if (res->secure)
		a->dnssec = SPFDMARC_DNSSEC_SECURE;
	else
		a->dnssec = SPFDMARC_DNSSEC_INSECURE;
}

/*
 * libunbound's callbacks, run by ub_process() on the dispatcher thread.
 * Whether the resolver validates is told by which one was registered, so
 * no per-query memory is needed to carry it.
 */
static void
ubr_done(struct dns_query *q, bool validating, int err, struct ub_result *res)
{
	if (q != NULL) {
		ubr_fill(q, validating, err, res);
		dns_query_complete(q);
	}
	ub_resolve_free(res);
}

static void
ubr_done_validating(void *arg, int err, struct ub_result *res)
{
	ubr_done(arg, true, err, res);
}

static void
ubr_done_plain(void *arg, int err, struct ub_result *res)
{
	ubr_done(arg, false, err, res);
}

/* --- backend operations ---------------------------------------------------- */

/*
 * A query name (lower case, labels joined by dots, any other byte allowed)
 * in libunbound's presentation form: an absolute name, every byte outside
 * letters, digits, '-' and '_' escaped as \DDD, so no byte is misread.
 */
static bool
ubr_presentation_name(const char *name, char *out, size_t outsize)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned c = *p;

		if (o + 5 >= outsize)
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = (char)('0' + c / 100);
			out[o++] = (char)('0' + c / 10 % 10);
			out[o++] = (char)('0' + c % 10);
		}
	}
	if (o + 2 > outsize)
		return false;
	if (o == 0 || out[o - 1] != '.')
		out[o++] = '.';
	out[o] = '\0';
	return true;
}

static void
ubr_fail(struct dns_query *q, const char *why)
{
	struct spfdmarc_dns_answer *a = dns_query_answer(q);

	a->status = SPFDMARC_DNS_ERROR;
	a->rcode = -1;
	(void)dns_answer_set_why(q, "%s", why);
	dns_query_complete(q);
}

/* The shard of a name: by its Organizational Domain (see the top). */
static size_t
ubr_shard(const struct ubr *r, const char *name)
{
	char zone[SPFDMARC_DNAME_BUFSIZE];
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	if (r->nshards == 1)
		return 0;
	if (suffix_org_domain(name, zone, sizeof(zone)) == 0)
		name = zone;
	for (const char *p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return (size_t)(h % r->nshards);
}

static int
ubr_resolve_with(struct ubr *r, struct dns_query *q, ub_callback_type cb)
{
	char pname[UBR_PNAME_BUFSIZE];
	char why[128];
	size_t shard;
	int id = 0;
	int rc;

	if (atomic_load(&r->stopped)) {
		ubr_fail(q, "libunbound: the resolver thread has stopped");
		return 0;
	}
	if (!ubr_presentation_name(dns_query_name(q), pname, sizeof(pname))) {
		ubr_fail(q, "invalid domain name");
		return 0;
	}
	shard = ubr_shard(r, dns_query_name(q));
	rc = ub_resolve_async(r->ub[shard], pname, (int)dns_query_type(q),
	    UBR_CLASS_IN, q, cb, &id);
	if (rc != 0) {
		(void)snprintf(why, sizeof(why), "libunbound: %s",
		    ub_strerror(rc));
		ubr_fail(q, why);
		return 0;
	}
	/* The callback may already have run: it does not read this. */
	dns_query_set_backend_data(q, (long)id * UBR_SHARDS_MAX + (long)shard);
	return 0;
}

static int
ubr_resolve_validating(void *impl, struct dns_query *q)
{
	return ubr_resolve_with(impl, q, ubr_done_validating);
}

static int
ubr_resolve_plain(void *impl, struct dns_query *q)
{
	return ubr_resolve_with(impl, q, ubr_done_plain);
}

/*
 * dns_backend.h's warm(): DS then DNSKEY of the zone, answers dropped
 * (ubr_done() with no query frees them). In this order, started before
 * the query that made the core guess the zone: libunbound then finds the
 * DS and DNSKEY in its cache or on their way when it validates the
 * answer (measured against NSD with 20 ms per answer: a new signed zone's
 * TXT validated after 21 ms instead of 62; DNSKEY started after the TXT
 * gave 42).
 */
static void
ubr_warm(void *impl, const char *zone)
{
	struct ubr *r = impl;
	char pname[UBR_PNAME_BUFSIZE];
	struct ub_ctx *ub;

	if (atomic_load(&r->stopped) ||
	    !ubr_presentation_name(zone, pname, sizeof(pname)))
		return;
	ub = r->ub[ubr_shard(r, zone)];
	(void)ub_resolve_async(ub, pname, UBR_TYPE_DS, UBR_CLASS_IN, NULL,
	    ubr_done_plain, NULL);
	(void)ub_resolve_async(ub, pname, UBR_TYPE_DNSKEY, UBR_CLASS_IN, NULL,
	    ubr_done_plain, NULL);
}

static void
ubr_cancel(void *impl, struct dns_query *q)
{
	struct ubr *r = impl;
	long data = dns_query_backend_data(q);

	if (ub_cancel(r->ub[data % UBR_SHARDS_MAX],
	    (int)(data / UBR_SHARDS_MAX)) == UB_NOERROR)
		dns_query_release(q);
	/* else UB_NOID: the callback has completed q or is doing so */
}

static void
ubr_destroy(void *impl)
{
	struct ubr *r = impl;
	char c = 'q';

	if (r == NULL)
		return;
	if (r->dispatcher_started) {
		while (write(r->wake[1], &c, 1) < 0 && errno == EINTR)
			continue;
		(void)pthread_join(r->dispatcher, NULL);
	}
	/* Stops libunbound's thread; the queries it still holds were all
	 * cancelled by their contexts or are warm() lookups nobody waits
	 * for, and it frees them. */
	for (size_t i = 0; i < UBR_SHARDS_MAX; i++)
		if (r->ub[i] != NULL)
			ub_ctx_delete(r->ub[i]);
	if (r->wake[0] >= 0)
		(void)close(r->wake[0]);
	if (r->wake[1] >= 0)
		(void)close(r->wake[1]);
	free(r);
}

static const struct dns_backend_ops ubr_ops_validating = {
	.name = "unbound",
	.resolve = ubr_resolve_validating,
	.cancel = ubr_cancel,
	.warm = ubr_warm,
	.cache = true,
	.destroy = ubr_destroy,
};

static const struct dns_backend_ops ubr_ops_plain = {
	.name = "unbound",
	.resolve = ubr_resolve_plain,
	.cancel = ubr_cancel,
	.cache = true,
	.destroy = ubr_destroy,
};

/* --- the dispatcher thread ------------------------------------------------- */

static void *
ubr_dispatch(void *arg)
{
	struct ubr *r = arg;
	struct pollfd pfd[UBR_SHARDS_MAX + 1];
	size_t n = r->nshards;

	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = ub_fd(r->ub[i]);
		pfd[i].events = POLLIN;
	}
	pfd[n].fd = r->wake[0];
	pfd[n].events = POLLIN;
	for (;;) {
		bool gone = false;

		for (size_t i = 0; i <= n; i++)
			pfd[i].revents = 0;
		if (poll(pfd, (nfds_t)n + 1, -1) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_msg_errno(SPFDMARC_LOG_ERROR,
			    "dns: resolver thread: poll");
			break;
		}
		if (pfd[n].revents != 0)
			break;
		for (size_t i = 0; i < n && !gone; i++) {
			int rc;

			if (pfd[i].revents == 0)
				continue;
			rc = ub_process(r->ub[i]);
			if (rc != 0) {
				/* A libunbound thread is gone: stop. */
				log_error("dns: libunbound: %s",
				    ub_strerror(rc));
				gone = true;
			}
		}
		if (gone)
			break;
	}
	atomic_store(&r->stopped, true);
	return NULL;
}

/* --- creation --------------------------------------------------------------- */

static int
ubr_err(char *errbuf, size_t errsize, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int
ubr_err(char *errbuf, size_t errsize, int rc, const char *fmt, ...)
{
	va_list ap;

	if (errsize > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(errbuf, errsize, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Is the file there and readable? Gives a clear message where libunbound
 * would only say "syntax error" or fail later at its first query. */
static int
ubr_check_file(const char *what, const char *path, char *errbuf,
    size_t errsize)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG, "%s %s: %s",
		    what, path, strerror(errno));
	(void)fclose(f);
	return 0;
}

/*
 * "ADDR" or "ADDR@PORT" with an IPv4 or IPv6 literal (libunbound does not
 * resolve server names) and a port 1-65535.
 */
static bool
ubr_addr_valid(const char *text, size_t len)
{
	struct spfdmarc_addr addr;
	const char *at = memchr(text, '@', len);
	size_t alen = at != NULL ? (size_t)(at - text) : len;

	if (alen == 0 || spfdmarc_addr_parse(&addr, text, alen) != 0)
		return false;
	if (at != NULL) {
		unsigned long port = 0;
		size_t plen = len - alen - 1;

		if (plen == 0 || plen > 5)
			return false;
		for (size_t i = 0; i < plen; i++) {
			if (at[1 + i] < '0' || at[1 + i] > '9')
				return false;
			port = port * 10 + (unsigned long)(at[1 + i] - '0');
		}
		if (port == 0 || port > 65535)
			return false;
	}
	return true;
}

static int
ubr_add_forwarder(struct ub_ctx *ub, const char *fwd, char *errbuf,
    size_t errsize)
{
	int rc;

	if (fwd == NULL || !ubr_addr_valid(fwd, strlen(fwd)))
		return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
		    "forwarder '%s': want ADDRESS or ADDRESS@PORT with an "
		    "IPv4 or IPv6 address and a port 1-65535",
		    fwd != NULL ? fwd : "(null)");
	rc = ub_ctx_set_fwd(ub, fwd);
	if (rc != 0)
		return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
		    "forwarder '%s': libunbound: %s", fwd, ub_strerror(rc));
	return 0;
}

static int
ubr_add_stub(struct ub_ctx *ub, const char *stub, char *errbuf,
    size_t errsize)
{
	char zone[SPFDMARC_DNAME_BUFSIZE];
	const char *eq = stub != NULL ? strchr(stub, '=') : NULL;
	size_t zlen;
	int rc;

	if (eq == NULL)
		goto bad;
	zlen = (size_t)(eq - stub);
	if (zlen == 0 || zlen >= sizeof(zone))
		goto bad;
	memcpy(zone, stub, zlen);
	zone[zlen] = '\0';
	if (strcmp(zone, ".") != 0 && spfdmarc_dname_check(zone, zlen, 0) != 0)
		goto bad;
	if (!ubr_addr_valid(eq + 1, strlen(eq + 1)))
		goto bad;
	rc = ub_ctx_set_stub(ub, zone, eq + 1, 0);
	if (rc != 0)
		return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
		    "stub zone '%s': libunbound: %s", stub, ub_strerror(rc));
	return 0;
bad:
	return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
	    "stub zone '%s': want ZONE=ADDRESS or ZONE=ADDRESS@PORT",
	    stub != NULL ? stub : "(null)");
}

static int
ubr_set_option(struct ub_ctx *ub, const char *name, const char *value,
    char *errbuf, size_t errsize)
{
	int rc = ub_ctx_set_option(ub, name, value);

	if (rc != 0)
		return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
		    "libunbound option %s %s: %s", name, value,
		    ub_strerror(rc));
	return 0;
}

/* Does the configuration (an unbound.conf) already name an option? */
static bool
ubr_option_is_set(struct ub_ctx *ub, const char *name)
{
	char *value = NULL;
	bool set;

	if (ub_ctx_get_option(ub, name, &value) != 0)
		return false;
	set = value != NULL && value[0] != '\0';
	free(value);
	return set;
}

static bool
ubr_module_has_validator(struct ub_ctx *ub)
{
	char *value = NULL;
	bool has;

	if (ub_ctx_get_option(ub, "module-config", &value) != 0)
		return true;	/* libunbound's default has it */
	has = value != NULL && strstr(value, "validator") != NULL;
	free(value);
	return has;
}

/* DNSSEC: the validator and its trust anchor, or no validation at all. */
static int
ubr_setup_dnssec(struct ub_ctx *ub,
    const struct spfdmarc_dns_unbound_options *opts, bool *validating,
    char *errbuf, size_t errsize)
{
	const char *ta = opts->trust_anchor_file;
	bool conf_anchor = false;
	int rc;

	*validating = false;
	if (opts->dnssec_off)
		/* Not even the validator module: no DNSKEY/DS lookups. */
		return ubr_set_option(ub, "module-config:", "iterator",
		    errbuf, errsize);
	if (!ubr_module_has_validator(ub))
		return 0;	/* an unbound.conf turned it off */
	*validating = true;
	for (size_t i = 0; i < sizeof(ubr_anchor_options) /
	    sizeof(ubr_anchor_options[0]); i++)
		if (ubr_option_is_set(ub, ubr_anchor_options[i]))
			conf_anchor = true;
	if (ta == NULL && conf_anchor)
		return 0;	/* the unbound.conf's anchors */
	if (ta == NULL)
		ta = SPFDMARC_DNS_DEFAULT_TRUST_ANCHOR;
	rc = ubr_check_file("trust anchor file", ta, errbuf, errsize);
	if (rc != 0)
		return rc;
	rc = ub_ctx_add_ta_file(ub, ta);
	if (rc != 0)
		return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
		    "trust anchor file %s: libunbound: %s", ta,
		    ub_strerror(rc));
	return 0;
}

static int
ubr_setup_timeout(struct ub_ctx *ub, unsigned ms, char *errbuf,
    size_t errsize)
{
	char value[16];
	int rc;

	if (ms == 0)
		return 0;
	if (ms < UBR_MIN_RTT_MS)
		ms = UBR_MIN_RTT_MS;
	/* The longest libunbound waits for one server before it retries
	 * (its exponential back-off stops there). */
	(void)snprintf(value, sizeof(value), "%u", ms);
	rc = ubr_set_option(ub, "infra-cache-max-rtt:", value, errbuf,
	    errsize);
	if (rc == 0 && ms < UBR_UNKNOWN_SERVER_MS)
		rc = ubr_set_option(ub, "unknown-server-time-limit:", value,
		    errbuf, errsize);
	return rc;
}

/*
 * Finalize the configuration now, so that its errors show at creation,
 * then start the dispatcher and libunbound's thread with every signal
 * blocked: the threads inherit the mask, and a host's signals then go to
 * its own threads only.
 */
static int
ubr_start(struct ubr *r, ub_callback_type cb, char *errbuf, size_t errsize)
{
	sigset_t all, old;
	int rc = 0, id;

	/* Documented to finalize the context; the zone does not exist. */
	for (size_t i = 0; i < r->nshards; i++) {
		rc = ub_ctx_zone_remove(r->ub[i], "spfdmarc-finalize.invalid.");
		if (rc != 0)
			return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
			    "libunbound: %s (its own message, if any, was "
			    "printed on standard error)", ub_strerror(rc));
	}

	if (pipe2(r->wake, O_CLOEXEC) != 0)
		return ubr_err(errbuf, errsize, SPFDMARC_EDNS,
		    "resolver wake-up pipe: %s", strerror(errno));

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->dispatcher, NULL, ubr_dispatch, r);
	if (rc != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return ubr_err(errbuf, errsize, SPFDMARC_EDNS,
		    "resolver thread: %s", strerror(rc));
	}
	r->dispatcher_started = true;
	/* libunbound creates its thread at its first query. The built-in
	 * local zone answers "localhost." without any traffic; the answer
	 * is dropped (ubr_done with no query). */
	for (size_t i = 0; i < r->nshards && rc == 0; i++)
		rc = ub_resolve_async(r->ub[i], "localhost.", SPFDMARC_DNS_A,
		    UBR_CLASS_IN, NULL, cb, &id);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return ubr_err(errbuf, errsize, SPFDMARC_EDNS,
		    "libunbound: cannot start its resolver: %s",
		    ub_strerror(rc));
	return 0;
}

/* One libunbound context with the whole configuration of opts. */
static int
ubr_configure(struct ub_ctx **out, const struct spfdmarc_dns_unbound_options
    *opts, bool *validating, char *errbuf, size_t errsize)
{
	struct ub_ctx *ub;
	int rc;

	*out = ub = ub_ctx_create();
	if (ub == NULL)
		return ubr_err(errbuf, errsize, SPFDMARC_EDNS,
		    "libunbound: cannot create a context: %s",
		    strerror(errno));
	rc = ub_ctx_async(ub, 1);
	if (rc != 0)
		return ubr_err(errbuf, errsize, SPFDMARC_EDNS,
		    "libunbound: threads: %s", ub_strerror(rc));
	for (size_t i = 0; i < sizeof(ubr_defaults) / sizeof(ubr_defaults[0]);
	    i++) {
		rc = ubr_set_option(ub, ubr_defaults[i].name,
		    ubr_defaults[i].value, errbuf, errsize);
		if (rc != 0)
			return rc;
	}
	/* before the unbound.conf, which may set its own */
	if (opts->query_timeout_ms != 0 &&
	    opts->query_timeout_ms < UBR_PROBE_MAXRTO_MS) {
		rc = ubr_set_option(ub, "infra-host-ttl:", UBR_DOWN_HOST_TTL,
		    errbuf, errsize);
		if (rc != 0)
			return rc;
	}
	if (opts->unbound_conf != NULL) {
		rc = ubr_check_file("unbound.conf", opts->unbound_conf,
		    errbuf, errsize);
		if (rc != 0)
			return rc;
		rc = ub_ctx_config(ub, opts->unbound_conf);
		if (rc != 0)
			return ubr_err(errbuf, errsize, SPFDMARC_ECONFIG,
			    "unbound.conf %s: libunbound: %s (its own message "
			    "was printed on standard error)",
			    opts->unbound_conf, ub_strerror(rc));
	}
	for (size_t i = 0; i < opts->nforwarders; i++) {
		rc = ubr_add_forwarder(ub, opts->forwarders[i], errbuf,
		    errsize);
		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < opts->nstubs; i++) {
		rc = ubr_add_stub(ub, opts->stubs[i], errbuf, errsize);
		if (rc != 0)
			return rc;
	}
	rc = ubr_setup_dnssec(ub, opts, validating, errbuf, errsize);
	if (rc != 0)
		return rc;
	return ubr_setup_timeout(ub, opts->query_timeout_ms, errbuf, errsize);
}

/* resolver_threads, or one per CPU; 1 to UBR_SHARDS_MAX. */
static size_t
ubr_nshards(unsigned wanted)
{
	long cpus;

	if (wanted == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		wanted = cpus > 0 ? (unsigned)cpus : 1;
	}
	return wanted < UBR_SHARDS_MAX ? wanted : UBR_SHARDS_MAX;
}

SPFDMARC_PUBLIC int
spfdmarc_dns_unbound_new(struct spfdmarc_dns **out,
    const struct spfdmarc_dns_unbound_options *opts, char *errbuf,
    size_t errsize)
{
	static const struct spfdmarc_dns_unbound_options none;
	struct dns_backend_ops ops;
	struct ubr *r;
	bool validating = false;
	int rc;

	*out = NULL;
	if (errsize > 0)
		errbuf[0] = '\0';
	if (opts == NULL)
		opts = &none;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return ubr_err(errbuf, errsize, SPFDMARC_ENOMEM,
		    "out of memory");
	r->wake[0] = r->wake[1] = -1;
	atomic_init(&r->stopped, false);
	r->nshards = ubr_nshards(opts->resolver_threads);
	for (size_t i = 0; i < r->nshards; i++) {
		rc = ubr_configure(&r->ub[i], opts, &validating, errbuf,
		    errsize);
		if (rc != 0)
			goto fail;
	}
	rc = ubr_start(r, validating ? ubr_done_validating : ubr_done_plain,
	    errbuf, errsize);
	if (rc != 0)
		goto fail;

	ops = validating ? ubr_ops_validating : ubr_ops_plain;
	if (opts->key_prefetch_off)
		ops.warm = NULL;
	if (opts->answer_cache_off)
		ops.cache = false;
	*out = dns_new(&ops, r);
	if (*out == NULL) {
		rc = ubr_err(errbuf, errsize, SPFDMARC_ENOMEM,
		    "out of memory");
		goto fail;
	}
	log_debug("dns: libunbound %s, DNSSEC %s, %zu resolver thread%s",
	    ub_version(), validating ? "validating" : "not validated",
	    r->nshards, r->nshards == 1 ? "" : "s");
	return 0;
fail:
	ubr_destroy(r);
	return rc;
}
