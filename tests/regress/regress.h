/*
 * regress.h: helpers of the attack-class regression tests (header-only,
 * on top of tests/unit/tap.h): a zone backend loaded from text, one SPF
 * check over it, and the "no CR, LF or NUL in a field" test.
 */
#ifndef SPFDMARC_REGRESS_H
#define SPFDMARC_REGRESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tap.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/dns_zone.h"
#include "spfdmarc/err.h"
#include "spfdmarc/spf.h"

static struct spfdmarc_dns *rg_dns;
static struct spfdmarc_dns_zone *rg_zone;

/* A fresh zone from text; bails out when it does not load. */
static void rg_load(const char *text, size_t len) __attribute__((unused));
static void
rg_load(const char *text, size_t len)
{
	char err[256];

	spfdmarc_dns_free(rg_dns);
	rg_dns = NULL;
	if (spfdmarc_dns_zone_new(&rg_dns, &rg_zone) != 0) {
		printf("Bail out! cannot create a zone\n");
		exit(1);
	}
	if (spfdmarc_dns_zone_load(rg_zone, text, len, err,
	    sizeof(err)) != 0) {
		printf("Bail out! zone: %s\n", err);
		exit(1);
	}
}

/* Is the NUL-terminated field inside its array and free of CR, LF? */
static bool rg_clean(const char *field, size_t size) __attribute__((unused));
static bool
rg_clean(const char *field, size_t size)
{
	size_t len = strnlen(field, size);

	return len < size && memchr(field, '\r', len) == NULL &&
	    memchr(field, '\n', len) == NULL;
}

/* Every text field of an SPF response is clean. */
static bool rg_spf_clean(const struct spfdmarc_spf_response *r)
    __attribute__((unused));
static bool
rg_spf_clean(const struct spfdmarc_spf_response *r)
{
	return rg_clean(r->domain, sizeof(r->domain)) &&
	    rg_clean(r->sender, sizeof(r->sender)) &&
	    rg_clean(r->mechanism, sizeof(r->mechanism)) &&
	    rg_clean(r->mechanism_domain, sizeof(r->mechanism_domain)) &&
	    rg_clean(r->explanation, sizeof(r->explanation)) &&
	    rg_clean(r->reason, sizeof(r->reason));
}

/* One check of (ip, sender, helo) for identity over the current zone;
 * the trace lines must be clean too (they go to logs). */
static bool rg_trace_dirty;

static void
rg_trace(unsigned depth, const char *line, void *arg)
{
	(void)depth;
	(void)arg;
	if (strchr(line, '\r') != NULL || strchr(line, '\n') != NULL)
		rg_trace_dirty = true;
}

static int rg_spf(const char *ip, const char *sender, const char *helo,
    enum spfdmarc_spf_identity identity, const char *dflt_exp,
    struct spfdmarc_spf_response *resp) __attribute__((unused));
static int
rg_spf(const char *ip, const char *sender, const char *helo,
    enum spfdmarc_spf_identity identity, const char *dflt_exp,
    struct spfdmarc_spf_response *resp)
{
	struct spfdmarc_spf_request req;
	struct spfdmarc_dns_ctx *ctx;
	int rc;

	memset(&req, 0, sizeof(req));
	if (spfdmarc_addr_parse(&req.ip, ip, strlen(ip)) != 0) {
		printf("Bail out! bad address %s\n", ip);
		exit(1);
	}
	req.identity = identity;
	req.sender = sender;
	req.helo = helo;
	req.receiver = "mx.receiver.example";
	req.default_explanation = dflt_exp;
	req.now = 1400000000;
	req.trace = rg_trace;
	ctx = spfdmarc_dns_ctx_new(rg_dns, NULL);
	if (ctx == NULL) {
		printf("Bail out! no DNS context\n");
		exit(1);
	}
	rc = spfdmarc_spf_check(ctx, &req, resp);
	spfdmarc_dns_ctx_free(ctx);
	return rc;
}

#define RG_R(x) spfdmarc_spf_result_name(x)

#endif
