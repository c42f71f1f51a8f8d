/*
 * spfdmarc/spf.h: Sender Policy Framework, RFC 7208.
 *
 * spfdmarc_spf_check() evaluates one identity (MAIL FROM or HELO) of one
 * SMTP client: it selects the record (§4.5), parses it (§4.6, §12),
 * expands macros (§7) and runs check_host() (§4, §5, §6) with the
 * processing limits of §4.6.4, over a DNS context (spfdmarc/dns.h).
 * Results are verdicts, not errors: a DNS failure is a temperror result,
 * a broken record a permerror result. The function itself fails only on
 * a caller's mistake (SPFDMARC_EINVAL) or when out of memory.
 */
#ifndef SPFDMARC_SPF_H
#define SPFDMARC_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "spfdmarc/addr.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/dns.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 7208 §2.6, tokens as in RFC 8601 §2.7.2. */
enum spfdmarc_spf_result {
	SPFDMARC_SPF_NONE = 0,
	SPFDMARC_SPF_NEUTRAL,
	SPFDMARC_SPF_PASS,
	SPFDMARC_SPF_FAIL,
	SPFDMARC_SPF_SOFTFAIL,
	SPFDMARC_SPF_TEMPERROR,
	SPFDMARC_SPF_PERMERROR,
};

/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror". */
const char *spfdmarc_spf_result_name(enum spfdmarc_spf_result result);

/* Parse a token as above (case-insensitive); 0 or SPFDMARC_EINVAL. */
int spfdmarc_spf_result_parse(const char *name,
    enum spfdmarc_spf_result *out);

enum spfdmarc_spf_identity {
	SPFDMARC_SPF_MAILFROM = 0,	/* RFC 7208 §2.4 */
	SPFDMARC_SPF_HELO,		/* RFC 7208 §2.3 */
};

/* One line of an evaluation trace: depth is the include/redirect level
 * (0 at the top). Lines are plain text without a newline. */
typedef void spfdmarc_spf_trace_fn(unsigned depth, const char *line,
    void *arg);

struct spfdmarc_spf_request {
	struct spfdmarc_addr ip;	/* the SMTP client (an IPv4-mapped
					 * IPv6 address is checked as IPv4) */
	enum spfdmarc_spf_identity identity;
	const char *sender;	/* MAIL FROM address without <>; "" is the
				 * null sender (checked as postmaster@helo,
				 * §2.4). May be NULL for a HELO check. */
	const char *helo;	/* HELO/EHLO name, or NULL if none */
	const char *receiver;	/* %{r}: this MTA's name; NULL: "unknown" */
	const char *default_explanation; /* for fail without exp=, or NULL;
				 * expanded as an explain-string (RFC 7208
				 * §6.2, §7) when it is one ("See
				 * http://x/?s=%{S}&ip=%{C}"), else used
				 * as it is */
	time_t now;		/* %{t}; 0: the current time */
	spfdmarc_spf_trace_fn *trace;	/* NULL: no trace */
	void *trace_arg;
};

#define SPFDMARC_SPF_TEXT_MAX	1024	/* explanation, with the NUL */
#define SPFDMARC_SPF_TERM_MAX	512	/* a term as written, with the NUL */
#define SPFDMARC_SPF_REASON_MAX	512
#define SPFDMARC_SPF_SENDER_MAX	(64 + 1 + SPFDMARC_DNAME_MAX + 1)

struct spfdmarc_spf_response {
	enum spfdmarc_spf_result result;
	/* The identity's domain: check_host()'s first <domain>. Empty when
	 * there was none to check (an unusable HELO, say). */
	char domain[SPFDMARC_DNAME_BUFSIZE];
	/* The sender as checked (postmaster@helo for a null sender), with
	 * control characters (CR, LF...) replaced by '?'. */
	char sender[SPFDMARC_SPF_SENDER_MAX];
	/* The term that decided the result as written in its record ("-all",
	 * "include:_spf.example.com"), or "default" when none matched, or
	 * empty for none/temperror/permerror. */
	char mechanism[SPFDMARC_SPF_TERM_MAX];
	/* The record's domain that held the deciding term (control
	 * characters replaced by '?'). */
	char mechanism_domain[SPFDMARC_DNAME_BUFSIZE];
	/* For fail: the expanded exp= text, or the default explanation. */
	char explanation[SPFDMARC_SPF_TEXT_MAX];
	/* For none, temperror, permerror: why, for logs and header
	 * comments ("DNSSEC bogus: ...", "more than 10 DNS lookups").
	 * Printable US-ASCII (other bytes become '?'), but not quoted. */
	char reason[SPFDMARC_SPF_REASON_MAX];
	unsigned dns_lookups;	/* terms counted against the limit of 10
				 * (11 when the limit stopped the check) */
	unsigned void_lookups;	/* counted against the limit of 2 */
	/* The worst DNSSEC state of the answers the result rests on. */
	enum spfdmarc_dnssec dnssec;
};

/* Evaluate req over ctx into *resp. 0, SPFDMARC_EINVAL or SPFDMARC_ENOMEM
 * (then resp->result is temperror with a reason). */
int spfdmarc_spf_check(struct spfdmarc_dns_ctx *ctx,
    const struct spfdmarc_spf_request *req,
    struct spfdmarc_spf_response *resp);

/*
 * Start the DNS lookups the check of req will need first (the identity's
 * TXT record), without waiting: a milter calls this at MAIL FROM so the
 * answer is on its way while the SMTP dialogue goes on. Never blocks.
 */
void spfdmarc_spf_prefetch(struct spfdmarc_dns_ctx *ctx,
    const struct spfdmarc_spf_request *req);

#ifdef __cplusplus
}
#endif

#endif
