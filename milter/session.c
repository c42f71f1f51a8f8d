/*
 * session.c: one connection and its messages, from the MTA's first word
 * to its last.
 *
 * The lookups start as early as their inputs are known: SPF (MAIL FROM
 * and HELO identities, RFC 7208 §2.3, §2.4) at MAIL FROM, DMARC policy
 * discovery (RFC 9989 §4.10) when the first From field arrives. The
 * end-of-message step only collects answers that are usually there
 * already, evaluates, writes the header fields and gives the verdict.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "headers.h"
#include "listener.h"
#include "mlog.h"
#include "session.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "spfdmarc/rfc5322.h"
#include "verdict.h"

#define SESSION_HELO_MAX	1024	/* longer HELO names are cut */
#define SESSION_MAILFROM_MAX	1024

/* What to answer when the filter cannot work (no memory for a session):
 * the configured OnInternalError, never a loss of mail. */
static sfsistat
session_cannot(SMFICTX *ctx)
{
	struct conf *cfg = conf_acquire();
	bool tempfail = cfg != NULL &&
	    cfg->on_internal_error == CONF_ON_ERROR_TEMPFAIL;

	conf_release(cfg);
	mlog_errx("out of memory: %s the connection",
	    tempfail ? "tempfailing" : "accepting");
	if (tempfail) {
		(void)smfi_setreply(ctx, mfapi_str("451"), mfapi_str("4.3.0"),
		    mfapi_str("Temporary authentication failure"));
		return SMFIS_TEMPFAIL;
	}
	return SMFIS_ACCEPT;
}

struct session *
session_get(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);
	struct spfdmarc_arena *arena;

	if (s != NULL)
		return s;
	arena = spfdmarc_arena_new(SESSION_ARENA_MAX);
	if (arena == NULL)
		return NULL;
	s = spfdmarc_arena_zalloc(arena, sizeof(*s));
	if (s == NULL)
		goto fail;
	s->arena = arena;
	s->msg.arena = spfdmarc_arena_new(MESSAGE_ARENA_MAX);
	if (s->msg.arena == NULL)
		goto fail;
	s->cfg = conf_acquire();
	if (s->cfg == NULL)
		goto fail;
	if (smfi_setpriv(ctx, s) != MI_SUCCESS) {
		conf_release(s->cfg);
		goto fail;
	}
	return s;
fail:
	if (s != NULL)
		spfdmarc_arena_free(s->msg.arena);
	spfdmarc_arena_free(arena);
	return NULL;
}

sfsistat
session_noreply(const struct session *s, unsigned long nr_flag)
{
	return s != NULL && (s->pflags & nr_flag) != 0 ? SMFIS_NOREPLY :
	    SMFIS_CONTINUE;
}

sfsistat
session_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long *pf0, unsigned long *pf1)
{
	const unsigned long actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS |
	    SMFIF_QUARANTINE | SMFIF_SETSYMLIST;
	/* Steps we do not need, and steps we never answer but "continue". */
	unsigned long skip = SMFIP_NORCPT | SMFIP_NOBODY |
	    SMFIP_NOEOH | SMFIP_NOUNKNOWN | SMFIP_NODATA;
	const unsigned long noreply = SMFIP_NR_HELO | SMFIP_NR_HDR;
	struct session *s = session_get(ctx);

	if (s == NULL)
		return SMFIS_ALL_OPTS;
	/*
	 * Over TCP, answer RCPT and DATA. Postfix sends the macros of a step
	 * even when the filter skips the step, in a packet of their own that
	 * nothing answers; the filter's kernel delays its ACK (40 ms) and
	 * Nagle's algorithm holds the MTA's next packet until it comes. An
	 * answer carries the ACK at once: ~40 ms less per message, for two
	 * round trips on loopback. Over a unix socket there is no Nagle.
	 */
	if (listener_inet_port(s->cfg->socket) >= 0)
		skip &= ~(SMFIP_NORCPT | SMFIP_NODATA);
	*pf0 = f0 & actions;
	*pf1 = f1 & (skip | noreply);
	s->pflags = *pf1;
	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) !=
	    (SMFIF_ADDHDRS | SMFIF_CHGHDRS))
		mlog_warnx("the MTA does not let filters add and change "
		    "headers: no Authentication-Results will be written");
	if (f0 & SMFIF_SETSYMLIST) {
		(void)smfi_setsymlist(ctx, SMFIM_CONNECT,
		    mfapi_str("j {daemon_name}"));
		(void)smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    mfapi_str("i {auth_authen}"));
		(void)smfi_setsymlist(ctx, SMFIM_EOM, mfapi_str("i"));
	}
	return SMFIS_CONTINUE;
}

/* Printable form of peer text for a log line. */
static const char *
session_safe(char *out, size_t size, const char *in)
{
	size_t n = 0;

	if (in == NULL)
		in = "";
	for (; *in != '\0' && n + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;

		out[n++] = (c < 0x21 || c >= 0x7f || c == '"') ? '?' : (char)c;
	}
	out[n] = '\0';
	if (n == 0 && size > 2)
		(void)strlcpy(out, "-", size);
	return out;
}

static bool
session_sockaddr(struct session *s, const struct sockaddr *sa)
{
	if (sa == NULL)
		return false;
	memset(&s->addr, 0, sizeof(s->addr));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)
		    (const void *)sa;

		s->addr.family = SPFDMARC_AF_INET;
		memcpy(s->addr.bytes, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)
		    (const void *)sa;

		s->addr.family = SPFDMARC_AF_INET6;
		memcpy(s->addr.bytes, &in6->sin6_addr, 16);
		spfdmarc_addr_unmap(&s->addr);
	} else
		return false;
	return spfdmarc_addr_format(&s->addr, s->addr_text,
	    sizeof(s->addr_text)) == 0;
}

sfsistat
session_connect(SMFICTX *ctx, const char *hostname,
    const struct sockaddr *sa)
{
	struct session *s = session_get(ctx);
	const char *j;

	if (s == NULL)
		return session_cannot(ctx);
	s->client_name = spfdmarc_arena_strdup(s->arena,
	    hostname != NULL ? hostname : "");
	s->have_addr = session_sockaddr(s, sa);
	if (!s->have_addr) {
		/* Local submission (a pipe, a unix socket): no IP, no SPF. */
		mlog_debug("connection without an IP address: not evaluated");
		s->ignored = true;
		return SMFIS_ACCEPT;
	}
	if (conf_host_ignored(s->cfg, &s->addr)) {
		mlog_debug("%s: in IgnoreHosts: not evaluated", s->addr_text);
		s->ignored = true;
		return SMFIS_ACCEPT;
	}
	/* AuthservID: configured, else the MTA's name ($j), else ours. */
	s->authserv_id = s->cfg->authserv_id;
	if (s->authserv_id == NULL) {
		j = smfi_getsymval(ctx, mfapi_str("j"));
		if (j != NULL && spfdmarc_dname_check(j, strlen(j),
		    SPFDMARC_DNAME_LDH) == 0)
			s->authserv_id = spfdmarc_arena_strdup(s->arena, j);
	}
	if (s->authserv_id == NULL)
		s->authserv_id = s->cfg->hostname;
	if (s->client_name == NULL || s->authserv_id == NULL)
		return session_cannot(ctx);
	return SMFIS_CONTINUE;
}

sfsistat
session_helo(SMFICTX *ctx, const char *helo)
{
	struct session *s = session_get(ctx);

	if (s == NULL || s->ignored)
		return session_noreply(s, SMFIP_NR_HELO);
	s->helo = spfdmarc_arena_strndup(s->arena, helo != NULL ? helo : "",
	    helo != NULL ? strnlen(helo, SESSION_HELO_MAX) : 0);
	s->helo_spf_done = false;
	s->helo_spf = NULL;
	return session_noreply(s, SMFIP_NR_HELO);
}

void
message_end(struct session *s)
{
	struct message *m = &s->msg;
	struct spfdmarc_arena *arena = m->arena;

	spfdmarc_dns_ctx_free(m->dns);
	spfdmarc_arena_reset(arena);
	memset(m, 0, sizeof(*m));
	m->arena = arena;
}

static void
message_fail(struct message *m, const char *why)
{
	if (!m->failed) {
		m->failed = true;
		m->fail_why = why;
	}
}

/* The SPF request for an identity of this connection. */
static void
session_spf_request(const struct session *s, enum spfdmarc_spf_identity id,
    struct spfdmarc_spf_request *req)
{
	memset(req, 0, sizeof(*req));
	req->ip = s->addr;
	req->identity = id;
	req->sender = id == SPFDMARC_SPF_MAILFROM ? s->msg.mailfrom : NULL;
	req->helo = s->helo;
	req->receiver = s->authserv_id;
}

/* RFC 7208 §2.4: MAIL FROM (or postmaster@HELO for the null sender). */
static void
session_spf_mailfrom(struct session *s)
{
	struct message *m = &s->msg;
	struct spfdmarc_spf_request req;
	int rc;

	if (m->spf_done)
		return;
	m->spf_done = true;
	if (m->dns == NULL)
		return;
	m->spf = spfdmarc_arena_zalloc(m->arena, sizeof(*m->spf));
	if (m->spf == NULL) {
		message_fail(m, "out of memory");
		return;
	}
	session_spf_request(s, SPFDMARC_SPF_MAILFROM, &req);
	rc = spfdmarc_spf_check(m->dns, &req, m->spf);
	if (rc == SPFDMARC_ENOMEM)
		message_fail(m, "out of memory");
	else if (rc != 0)
		mlog_warnx("%s: SPF check: %s", m->qid != NULL ? m->qid :
		    "NOQUEUE", spfdmarc_strerror(rc));
}

/* RFC 7208 §2.3: the HELO identity, once per HELO name. */
static void
session_spf_helo(struct session *s)
{
	struct message *m = &s->msg;
	struct spfdmarc_spf_request req;

	if (!s->cfg->spf_check_helo || s->helo == NULL || s->helo_spf_done ||
	    m->dns == NULL)
		return;
	s->helo_spf_done = true;
	s->helo_spf = spfdmarc_arena_zalloc(s->arena, sizeof(*s->helo_spf));
	if (s->helo_spf == NULL)
		return;	/* the connection arena is full: no HELO result */
	session_spf_request(s, SPFDMARC_SPF_HELO, &req);
	if (spfdmarc_spf_check(m->dns, &req, s->helo_spf) != 0)
		s->helo_spf = NULL;
}

static const char *
session_macro(SMFICTX *ctx, const char *name)
{
	const char *v = smfi_getsymval(ctx, mfapi_str(name));

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* "<user@example.com>" (maybe with spaces) to "user@example.com". */
static const char *
session_unbracket(struct spfdmarc_arena *arena, const char *arg)
{
	size_t len;

	if (arg == NULL)
		return NULL;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	len = strnlen(arg, SESSION_MAILFROM_MAX);
	while (len > 0 && (arg[len - 1] == ' ' || arg[len - 1] == '\t'))
		len--;
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		arg++;
		len -= 2;
	}
	return spfdmarc_arena_strndup(arena, arg, len);
}

static void
session_log_spf_reject(struct session *s)
{
	char a[64], b[300];

	mlog_info("%s: client=%s helo=%s mailfrom=%s spf=fail action=reject "
	    "(SPFRejectFail)", s->msg.qid != NULL ? s->msg.qid : "NOQUEUE",
	    s->addr_text, session_safe(a, sizeof(a), s->helo),
	    session_safe(b, sizeof(b), s->msg.mailfrom));
}

sfsistat
session_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = session_get(ctx);
	struct message *m;
	struct spfdmarc_dns_limits limits;
	struct spfdmarc_spf_request req;
	const char *at;

	if (s == NULL)
		return session_cannot(ctx);
	if (s->ignored)
		return SMFIS_ACCEPT;
	m = &s->msg;
	if (m->active)
		message_end(s);	/* a new transaction without abort */
	m->active = true;
	s->messages++;
	(void)clock_gettime(CLOCK_MONOTONIC, &m->start);
	m->qid = session_macro(ctx, "i");
	if (m->qid != NULL)
		m->qid = spfdmarc_arena_strdup(m->arena, m->qid);

	if (s->cfg->ignore_authenticated &&
	    session_macro(ctx, "{auth_authen}") != NULL) {
		mlog_debug("%s: authenticated client: not evaluated",
		    m->qid != NULL ? m->qid : "NOQUEUE");
		message_end(s);
		return SMFIS_ACCEPT;
	}
	m->mailfrom = session_unbracket(m->arena, argv != NULL ? argv[0] :
	    NULL);
	if (m->mailfrom == NULL) {
		message_fail(m, "out of memory");
		m->mailfrom = "";
		return SMFIS_CONTINUE;
	}
	at = strrchr(m->mailfrom, '@');
	m->mailfrom_domain = at != NULL ? at + 1 : NULL;

	memset(&limits, 0, sizeof(limits));
	limits.timeout_ms = s->cfg->dns_timeout_ms;
	m->dns = spfdmarc_dns_ctx_new(s->cfg->dns, &limits);
	if (m->dns == NULL) {
		message_fail(m, "no DNS context (out of memory)");
		return SMFIS_CONTINUE;
	}
	/* Start the lookups now; the answers come while the SMTP dialogue
	 * goes on. */
	session_spf_request(s, SPFDMARC_SPF_MAILFROM, &req);
	spfdmarc_spf_prefetch(m->dns, &req);
	if (s->cfg->spf_check_helo && s->helo != NULL && !s->helo_spf_done) {
		session_spf_request(s, SPFDMARC_SPF_HELO, &req);
		spfdmarc_spf_prefetch(m->dns, &req);
	}

	if (s->cfg->spf_reject_fail) {
		session_spf_mailfrom(s);
		if (m->spf != NULL && m->spf->result == SPFDMARC_SPF_FAIL) {
			char text[VERDICT_TEXT_MAX];

			verdict_expand(text, sizeof(text),
			    s->cfg->spf_reject_text, 's', m->spf->domain);
			(void)smfi_setreply(ctx, mfapi_str("550"),
			    mfapi_str("5.7.23"), text);
			session_log_spf_reject(s);
			message_end(s);
			return SMFIS_REJECT;
		}
		spfdmarc_dns_ctx_restart_clock(m->dns);
	}
	return SMFIS_CONTINUE;
}

/* Keep a copy of a field value, cut one byte past the limit so a parser
 * that checks its limit still sees that it was too long. */
static const char *
session_keep(struct message *m, const char *value, size_t *len)
{
	*len = strnlen(value, MESSAGE_FIELD_MAX + 1);
	return spfdmarc_arena_strndup(m->arena, value, *len);
}

static void
session_from(struct session *s, const char *value)
{
	struct message *m = &s->msg;
	struct spfdmarc_rfc5322_from fr;
	size_t len;
	const char *v;
	enum spfdmarc_dmarc_mode mode;

	if (m->nfrom++ >= MESSAGE_FROM_MAX)
		return;
	v = session_keep(m, value, &len);
	if (v == NULL) {
		message_fail(m, "out of memory");
		return;
	}
	m->from[m->nfrom - 1] = v;
	m->from_len[m->nfrom - 1] = len;
	if (m->nfrom != 1 || m->dns == NULL)
		return;
	/* The first From: start the policy discovery now (RFC 9989 §4.10
	 * tree walk, all its queries in parallel). */
	if (spfdmarc_rfc5322_from_domain_n(&v, &len, 1, &fr) != 0 ||
	    fr.status != SPFDMARC_RFC5322_FROM_ONE)
		return;
	mode = s->cfg->dmarc_mode == CONF_DMARC_RFC7489 ?
	    SPFDMARC_DMARC_RFC7489 : SPFDMARC_DMARC_RFC9989;
	m->discovery_domain = spfdmarc_arena_strdup(m->arena, fr.domain);
	if (m->discovery_domain == NULL ||
	    spfdmarc_dmarc_discover(m->dns, m->arena, mode, fr.domain,
	    &m->discovery) != 0) {
		m->discovery = NULL;
		m->discovery_domain = NULL;
	}
}

sfsistat
session_rcpt(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

sfsistat
session_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

sfsistat
session_header(SMFICTX *ctx, const char *name, const char *value)
{
	struct session *s = smfi_getpriv(ctx);
	if (s == NULL || s->ignored || !s->msg.active || name == NULL ||
	    value == NULL)
		return session_noreply(s, SMFIP_NR_HDR);
	if (strcasecmp(name, "From") == 0) {
		session_from(s, value);
	} else if (strcasecmp(name, "Authentication-Results") == 0) {
		headers_examine_ar(s, value, strnlen(value,
		    MESSAGE_FIELD_MAX));
	}
	return session_noreply(s, SMFIP_NR_HDR);
}

/* Severity order for MultipleFrom strictest: the greater is stricter. */
static int
session_strictness(const struct spfdmarc_dmarc_result *r)
{
	static const int by_result[] = {
		[SPFDMARC_DMARC_PASS] = 0,
		[SPFDMARC_DMARC_NONE] = 1,
		[SPFDMARC_DMARC_PERMERROR] = 2,
		[SPFDMARC_DMARC_TEMPERROR] = 3,
		[SPFDMARC_DMARC_FAIL] = 4,
	};

	return (int)r->disposition * 10 + by_result[r->result];
}

static void
session_dmarc(struct session *s)
{
	struct message *m = &s->msg;
	struct message_dmarc *md = &m->dmarc;
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_rfc5322_from fr;
	size_t n = m->nfrom < MESSAGE_FROM_MAX ? m->nfrom : MESSAGE_FROM_MAX;
	int rc;

	if (m->dns == NULL)
		return;
	headers_dkim_passes(s);
	if (m->failed)
		return;
	memset(&req, 0, sizeof(req));
	req.mode = s->cfg->dmarc_mode == CONF_DMARC_RFC7489 ?
	    SPFDMARC_DMARC_RFC7489 : SPFDMARC_DMARC_RFC9989;
	if (m->spf != NULL && m->spf->result == SPFDMARC_SPF_PASS &&
	    m->spf->domain[0] != '\0')
		req.spf_pass_domain = m->spf->domain;
	req.dkim_pass_domains = m->dkim_pass;
	req.ndkim_pass_domains = m->ndkim_pass;
	req.pct_draw = -1;

	memset(&fr, 0, sizeof(fr));
	if (n > 0 && spfdmarc_rfc5322_from_domain_n(m->from, m->from_len, n,
	    &fr) != 0) {
		message_fail(m, "From parser failed");
		return;
	}
	if (m->nfrom > MESSAGE_FROM_MAX)
		fr.status = SPFDMARC_RFC5322_FROM_SEVERAL;
	md->evaluated = true;
	if (n > 0 && fr.status == SPFDMARC_RFC5322_FROM_ONE) {
		if (m->discovery != NULL &&
		    strcmp(m->discovery_domain, fr.domain) == 0) {
			rc = spfdmarc_dmarc_finish(m->discovery, &req,
			    &md->res);
		} else {
			req.author_domain = fr.domain;
			rc = spfdmarc_dmarc_evaluate(m->dns, m->arena, &req,
			    &md->res);
		}
		if (rc != 0)
			message_fail(m, spfdmarc_strerror(rc));
		return;
	}
	if (n > 0 && fr.status == SPFDMARC_RFC5322_FROM_SEVERAL &&
	    s->cfg->multiple_from == CONF_MULTIFROM_STRICTEST &&
	    fr.ndomains > 0) {
		/* RFC 9989 §5.3.1's alternative: evaluate every author
		 * domain and apply the strictest outcome. */
		struct spfdmarc_dmarc_result one;

		for (size_t i = 0; i < fr.ndomains; i++) {
			req.author_domain = fr.domains[i];
			rc = spfdmarc_dmarc_evaluate(m->dns, m->arena, &req,
			    &one);
			if (rc != 0) {
				message_fail(m, spfdmarc_strerror(rc));
				return;
			}
			if (i == 0 || session_strictness(&one) >
			    session_strictness(&md->res))
				md->res = one;
		}
		md->why = "several author domains, strictest applied";
		return;
	}
	memset(&md->res, 0, sizeof(md->res));
	md->res.result = SPFDMARC_DMARC_PERMERROR;
	md->res.dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	if (m->nfrom == 0)
		md->why = "no From field";
	else if (fr.reason[0] != '\0')
		md->why = spfdmarc_arena_strdup(m->arena, fr.reason);
	if (md->why == NULL)
		md->why = fr.status == SPFDMARC_RFC5322_FROM_SEVERAL ?
		    "several author domains" : "no usable author domain";
}

static long
session_ms_since(const struct timespec *t0)
{
	struct timespec now;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One line per message: everything an administrator asks about it. */
static void
session_log(const struct session *s, const struct verdict *v, long ms)
{
	const struct message *m = &s->msg;
	const struct spfdmarc_dmarc_result *r = &m->dmarc.res;
	enum spfdmarc_dnssec dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	char helo[80], from[SPFDMARC_DNAME_BUFSIZE], mf[SPFDMARC_DNAME_BUFSIZE];

	if (m->spf != NULL)
		dnssec = m->spf->dnssec;
	if (m->dmarc.evaluated)
		dnssec = spfdmarc_dnssec_worst(dnssec, r->dnssec);
	mlog_info("%s: client=%s helo=%s mailfrom=%s from=%s spf=%s "
	    "helo_spf=%s dmarc=%s policy=%s action=%s%s%s dnssec=%s "
	    "elapsed=%ldms",
	    m->qid != NULL ? m->qid : "NOQUEUE", s->addr_text,
	    session_safe(helo, sizeof(helo), s->helo),
	    session_safe(mf, sizeof(mf), m->mailfrom_domain),
	    session_safe(from, sizeof(from), m->dmarc.evaluated ?
	    r->author_domain : NULL),
	    m->spf != NULL ? spfdmarc_spf_result_name(m->spf->result) : "-",
	    s->helo_spf != NULL ? spfdmarc_spf_result_name(
	    s->helo_spf->result) : "-",
	    m->dmarc.evaluated ? spfdmarc_dmarc_result_name(r->result) : "-",
	    m->dmarc.evaluated && r->evaluated_policy !=
	    SPFDMARC_DMARC_POLICY_UNSET ? spfdmarc_dmarc_policy_name(
	    r->evaluated_policy) : "-",
	    verdict_action_name(v->action),
	    v->override != NULL ? " override=" : "",
	    v->override != NULL ? v->override : "",
	    spfdmarc_dnssec_name(dnssec), ms);
	if (m->failed)
		mlog_warnx("%s: internal failure: %s", m->qid != NULL ?
		    m->qid : "NOQUEUE", m->fail_why != NULL ? m->fail_why :
		    "unknown");
}

sfsistat
session_eom(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);
	struct message *m;
	struct verdict v;
	struct timespec t0;
	const char *qid;
	sfsistat ret = SMFIS_CONTINUE;

	if (s == NULL)
		return session_cannot(ctx);
	m = &s->msg;
	if (s->ignored || !m->active)
		return SMFIS_CONTINUE;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	qid = session_macro(ctx, "i");
	if (qid != NULL)
		m->qid = spfdmarc_arena_strdup(m->arena, qid);
	if (m->qid == NULL)
		m->qid = "NOQUEUE";
	if (m->dns == NULL)
		message_fail(m, "no DNS context");
	else
		spfdmarc_dns_ctx_restart_clock(m->dns);

	if (!m->failed) {
		session_spf_mailfrom(s);
		session_spf_helo(s);
		session_dmarc(s);
	}
	verdict_decide(s, &v);
	switch (v.action) {
	case VERDICT_REJECT:
		if (smfi_setreply(ctx, v.rcode, v.xcode, v.text) !=
		    MI_SUCCESS)
			mlog_warnx("%s: the reply text was refused", m->qid);
		ret = SMFIS_REJECT;
		break;
	case VERDICT_TEMPFAIL:
		(void)smfi_setreply(ctx, v.rcode, v.xcode, v.text);
		ret = SMFIS_TEMPFAIL;
		break;
	case VERDICT_QUARANTINE:
	case VERDICT_MARK:
	case VERDICT_ACCEPT:
		if (!m->failed)
			(void)headers_apply(ctx, s, &v);
		else
			(void)headers_delete_forged(ctx, s);
		if (v.action == VERDICT_QUARANTINE &&
		    smfi_quarantine(ctx, v.text) != MI_SUCCESS)
			mlog_warnx("%s: the MTA refused to quarantine", m->qid);
		break;
	}
	session_log(s, &v, session_ms_since(&t0));
	message_end(s);
	return ret;
}

sfsistat
session_abort(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s != NULL && s->msg.active)
		message_end(s);
	return SMFIS_CONTINUE;
}

sfsistat
session_close(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);
	struct spfdmarc_arena *arena;

	if (s == NULL)
		return SMFIS_CONTINUE;
	(void)smfi_setpriv(ctx, NULL);
	message_end(s);
	spfdmarc_arena_free(s->msg.arena);
	conf_release(s->cfg);
	arena = s->arena;
	spfdmarc_arena_free(arena);	/* s lives in it */
	return SMFIS_CONTINUE;
}
