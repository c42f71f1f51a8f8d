/*
 * fuzz_spf_check.c: check_host() (RFC 7208 §4-§7) over the in-memory zone
 * backend with fuzzed zone data: record selection, every mechanism,
 * include/redirect, exp=, macros, the §4.6.4 limits, CNAMEs, failures
 * and DNSSEC marks, all from the input.
 *
 * Input: a zone text for spfdmarc_dns_zone_load() (spfdmarc/dns_zone.h),
 * a line "%%", then the request, one field per line: the client address,
 * the MAIL FROM address, the HELO name, "helo" to check the HELO
 * identity (anything else: MAIL FROM), the default explanation. Missing
 * fields take defaults (192.0.2.3, "user@example.com", "mx.example.com").
 *
 * Checked: the call returns 0; the response's text fields are terminated
 * and carry no CR, LF or NUL (they reach Authentication-Results,
 * Received-SPF and logs); the counters stay within the RFC's limits.
 */
#include "config.h"

#include "fuzz.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/dns_zone.h"
#include "spfdmarc/err.h"
#include "spfdmarc/spf.h"

#define NFIELDS	5

static const uint8_t *
find_sep(const uint8_t *data, size_t size)
{
	/* "%%" alone on a line */
	for (size_t i = 0; i + 2 <= size; i++) {
		if ((i == 0 || data[i - 1] == '\n') && data[i] == '%' &&
		    data[i + 1] == '%' && (i + 2 == size || data[i + 2] == '\n'))
			return data + i;
	}
	return NULL;
}

static void
trace_fn(unsigned depth, const char *line, void *arg)
{
	(void)depth;
	(void)arg;
	FUZZ_ASSERT(!fuzz_has_crlfnul(line, strlen(line)), "trace line");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spfdmarc_dns *dns = NULL;
	struct spfdmarc_dns_zone *zone = NULL;
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_spf_request req;
	struct spfdmarc_spf_response resp;
	const struct spfdmarc_dns_limits limits = { .timeout_ms = 1000 };
	const uint8_t *sep, *rq;
	char *f[NFIELDS], *block = NULL;
	size_t lens[NFIELDS], n = 0, zlen, rqlen;
	int rc;

	sep = find_sep(data, size);
	zlen = sep != NULL ? (size_t)(sep - data) : size;
	rq = sep != NULL ? sep + 2 : data + size;
	rqlen = size - (size_t)(rq - data);
	if (rqlen > 0 && rq[0] == '\n') {
		rq++;
		rqlen--;
	}

	if (spfdmarc_dns_zone_new(&dns, &zone) != 0)
		return 0;
	(void)spfdmarc_dns_zone_load(zone, (const char *)data, zlen, NULL, 0);

	n = fuzz_split(rq, rqlen, '\n', f, lens, NFIELDS, &block);
	for (size_t i = n; i < NFIELDS; i++) {
		f[i] = NULL;
		lens[i] = 0;
	}
	memset(&req, 0, sizeof(req));
	if (f[0] == NULL || spfdmarc_addr_parse(&req.ip, f[0], lens[0]) != 0)
		(void)spfdmarc_addr_parse(&req.ip, "192.0.2.3", 9);
	req.sender = f[1] != NULL ? f[1] : "user@example.com";
	req.helo = f[2] != NULL ? f[2] : "mx.example.com";
	req.identity = f[3] != NULL && strcmp(f[3], "helo") == 0 ?
	    SPFDMARC_SPF_HELO : SPFDMARC_SPF_MAILFROM;
	req.default_explanation = f[4];
	req.receiver = "mx.receiver.example";
	req.now = 1400000000;
	req.trace = trace_fn;

	ctx = spfdmarc_dns_ctx_new(dns, &limits);
	if (ctx == NULL)
		goto out;
	spfdmarc_spf_prefetch(ctx, &req);
	rc = spfdmarc_spf_check(ctx, &req, &resp);
	FUZZ_ASSERT(rc == 0 || rc == SPFDMARC_ENOMEM, "check returns 0");
	FUZZ_ASSERT(resp.result <= SPFDMARC_SPF_PERMERROR, "a result");
	FUZZ_ASSERT(fuzz_field_clean(resp.domain, sizeof(resp.domain)),
	    "domain has no CR/LF/NUL");
	FUZZ_ASSERT(fuzz_field_clean(resp.sender, sizeof(resp.sender)),
	    "sender has no CR/LF/NUL");
	FUZZ_ASSERT(fuzz_field_clean(resp.reason, sizeof(resp.reason)),
	    "reason has no CR/LF/NUL");
	FUZZ_ASSERT(fuzz_field_clean(resp.explanation,
	    sizeof(resp.explanation)), "explanation has no CR/LF/NUL");
	FUZZ_ASSERT(fuzz_field_clean(resp.mechanism, sizeof(resp.mechanism)),
	    "mechanism has no CR/LF/NUL");
	FUZZ_ASSERT(fuzz_field_clean(resp.mechanism_domain,
	    sizeof(resp.mechanism_domain)), "mechanism_domain is clean");
	/* §4.6.4: the 11th DNS term stops the check; 3 voids do. */
	FUZZ_ASSERT(resp.dns_lookups <= 11, "DNS term limit");
	FUZZ_ASSERT(resp.void_lookups <= 3, "void lookup limit");
	if (resp.result == SPFDMARC_SPF_PASS)
		FUZZ_ASSERT(resp.domain[0] != '\0', "a pass names its domain");
	spfdmarc_dns_ctx_free(ctx);
out:
	free(block);
	spfdmarc_dns_free(dns);
	return 0;
}
