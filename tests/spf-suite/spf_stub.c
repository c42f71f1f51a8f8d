/*
 * spf_stub.c: TEMPORARY stand-ins for the SPF engine (branch spf), so that
 * the suite runner and `spfdmarc spf` link before the engine is merged.
 * Weak, and every check answers temperror "SPF engine not merged (stub)".
 * To be deleted, with its two lines in tests/suite.mk, when main has
 * lib/spf_*.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spfdmarc/err.h"
#include "spfdmarc/spf.h"

static const char *const stub_names[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror",
	"permerror",
};

__attribute__((weak)) const char *
spfdmarc_spf_result_name(enum spfdmarc_spf_result result)
{
	if ((unsigned)result < sizeof(stub_names) / sizeof(stub_names[0]))
		return stub_names[result];
	return "unknown";
}

__attribute__((weak)) int
spfdmarc_spf_result_parse(const char *name, enum spfdmarc_spf_result *out)
{
	for (size_t i = 0; i < sizeof(stub_names) / sizeof(stub_names[0]);
	    i++) {
		if (strcasecmp(name, stub_names[i]) == 0) {
			*out = (enum spfdmarc_spf_result)i;
			return 0;
		}
	}
	return SPFDMARC_EINVAL;
}

__attribute__((weak)) int
spfdmarc_spf_check(struct spfdmarc_dns_ctx *ctx,
    const struct spfdmarc_spf_request *req,
    struct spfdmarc_spf_response *resp)
{
	(void)ctx;
	(void)req;
	memset(resp, 0, sizeof(*resp));
	resp->result = SPFDMARC_SPF_TEMPERROR;
	resp->dnssec = SPFDMARC_DNSSEC_INDETERMINATE;
	(void)snprintf(resp->reason, sizeof(resp->reason),
	    "SPF engine not merged (stub)");
	return 0;
}

__attribute__((weak)) void
spfdmarc_spf_prefetch(struct spfdmarc_dns_ctx *ctx,
    const struct spfdmarc_spf_request *req)
{
	(void)ctx;
	(void)req;
}
