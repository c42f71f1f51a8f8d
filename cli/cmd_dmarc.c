/*
 * cmd_dmarc.c: 'spfdmarc dmarc', DMARC policy discovery and evaluation
 * from the command line (RFC 9989 by default, RFC 7489 with --mode): the
 * Author Domain comes from a From header field value (spfdmarc/rfc5322.h),
 * the authenticated identifiers from --spf-pass-domain (a MAIL FROM or
 * HELO domain that got SPF "pass") and --dkim-pass-domain (the d= of a
 * verified DKIM signature, repeatable).
 *
 * DNS is libunbound with the shared resolver options, or a zone file
 * (--zone, the text format of spfdmarc/dns_zone.h) for tests and
 * demonstrations.
 *
 * Output: the result token on the first line, then "key: value" lines
 * (the record and where it was found, the Organizational Domain, the
 * alignment of each identifier, the published and evaluated policy, the
 * disposition, the DNSSEC state, the reason). Text that came from DNS or
 * from the command line is escaped (\\, \xHH) so a value stays on its
 * line. --json prints one JSON object instead. Exit 0 for any completed
 * evaluation, whatever its result; 64 for a usage error; 70 when the
 * resolver cannot be set up or memory runs out.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/buf.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/err.h"

#define DMARC_LINE_MAX		8192	/* one escaped output value */

enum {
	OPT_FROM = CLI_OPT_FIRST_FREE,
	OPT_SPF_PASS_DOMAIN,
	OPT_DKIM_PASS_DOMAIN,
	OPT_MODE,
	OPT_PCT_DRAW,
	OPT_JSON,
};

static const struct option dmarc_longopts[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "spf-pass-domain", required_argument, NULL, OPT_SPF_PASS_DOMAIN },
	{ "dkim-pass-domain", required_argument, NULL, OPT_DKIM_PASS_DOMAIN },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "pct-draw", required_argument, NULL, OPT_PCT_DRAW },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	CLI_RESOLVER_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void
dmarc_usage(FILE *out)
{
	fprintf(out,
	    "usage: spfdmarc dmarc --from HEADER_FROM_VALUE "
	    "[--spf-pass-domain D]\n"
	    "                      [--dkim-pass-domain D]... [OPTIONS]\n"
	    "Discover and evaluate the DMARC policy (RFC 9989) of a message's\n"
	    "Author Domain.\n\n"
	    "  --from VALUE            the From header field's value, without "
	    "'From:'\n"
	    "                          (e.g. 'Jane <jane@example.com>')\n"
	    "  --spf-pass-domain D     the domain SPF checked with result pass\n"
	    "  --dkim-pass-domain D    d= of a DKIM signature that verified\n"
	    "                          (repeatable, at most %d)\n"
	    "  --mode MODE             rfc9989 (default) or rfc7489 (PSL, pct=)\n"
	    "  --pct-draw N            rfc7489: this message's pct= draw, "
	    "0..99\n"
	    "                          (random by default)\n"
	    "  --json                  print one JSON object\n"
	    CLI_RESOLVER_USAGE, SPFDMARC_DMARC_DKIM_MAX);
}

/* --- text ----------------------------------------------------------------- */

/* "key: value" with value escaped (and "..." when cut). */
static void dmarc_line(FILE *out, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
dmarc_line(FILE *out, const char *key, const char *fmt, ...)
{
	char mem[DMARC_LINE_MAX], raw[DMARC_LINE_MAX];
	struct spfdmarc_buf b;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	spfdmarc_buf_init_fixed(&b, mem, sizeof(mem));
	cli_escape(&b, raw, strlen(raw));
	fprintf(out, "%s: %s%s\n", key, spfdmarc_buf_str(&b),
	    spfdmarc_buf_ok(&b) ? "" : "...");
}

static const char *
dmarc_align_name(enum spfdmarc_dmarc_align a)
{
	return a == SPFDMARC_DMARC_ALIGN_STRICT ? "strict" : "relaxed";
}

static const char *
dmarc_exists_name(enum spfdmarc_dmarc_existence e)
{
	switch (e) {
	case SPFDMARC_DMARC_EXISTS_YES:	return "yes";
	case SPFDMARC_DMARC_EXISTS_NO:	return "no";
	default:			return NULL;
	}
}

/* What the command was asked, for the output. */
struct dmarc_args {
	const char *from;
	const char *spf;
	const char *dkim[SPFDMARC_DMARC_DKIM_MAX];
	size_t ndkim;
};

/* --- output --------------------------------------------------------------- */

static void
dmarc_print_plain(FILE *out, const struct dmarc_args *a,
    const struct spfdmarc_dmarc_result *r)
{
	const char *pub = spfdmarc_dmarc_policy_name(r->published_policy);
	const char *ev = spfdmarc_dmarc_policy_name(r->evaluated_policy);
	const char *exists = dmarc_exists_name(r->author_exists);

	fprintf(out, "%s\n", spfdmarc_dmarc_result_name(r->result));
	dmarc_line(out, "author_domain", "%s",
	    r->author_domain != NULL ? r->author_domain : "(none)");
	if (r->record_domain != NULL) {
		dmarc_line(out, "record", "%s", r->record != NULL ?
		    r->record : "");
		dmarc_line(out, "record_location", "_dmarc.%s (%s)",
		    r->record_domain, spfdmarc_dmarc_source_name(r->source));
	} else {
		fputs("record: (none)\n", out);
	}
	dmarc_line(out, "org_domain", "%s",
	    r->org_domain != NULL ? r->org_domain : "(unknown)");
	if (a->spf != NULL)
		dmarc_line(out, "spf", "%s %s (aspf=%s)", a->spf,
		    r->spf_aligned ? "aligned" : "not aligned",
		    dmarc_align_name(r->aspf));
	else
		fputs("spf: (no pass)\n", out);
	if (a->ndkim == 0) {
		fputs("dkim: (no pass)\n", out);
	} else {
		char list[DMARC_LINE_MAX];
		struct spfdmarc_buf b;

		spfdmarc_buf_init_fixed(&b, list, sizeof(list));
		for (size_t i = 0; i < a->ndkim; i++)
			(void)spfdmarc_buf_printf(&b, " d=%s", a->dkim[i]);
		if (r->dkim_aligned)
			dmarc_line(out, "dkim", "aligned d=%s (adkim=%s), of"
			    "%s", r->aligned_dkim_domain,
			    dmarc_align_name(r->adkim),
			    spfdmarc_buf_str(&b));
		else
			dmarc_line(out, "dkim", "not aligned (adkim=%s):%s",
			    dmarc_align_name(r->adkim),
			    spfdmarc_buf_str(&b));
	}
	if (pub != NULL)
		dmarc_line(out, "published_policy", "%s (%s=)", pub,
		    r->published_tag != NULL ? r->published_tag : "p");
	else
		fputs("published_policy: (none)\n", out);
	if (exists != NULL)
		fprintf(out, "author_domain_exists: %s\n", exists);
	fprintf(out, "evaluated_policy: %s\n", ev != NULL ? ev : "(none)");
	if (r->mode == SPFDMARC_DMARC_RFC7489)
		fprintf(out, "testing: %s (pct=%u)\n",
		    r->testing ? "yes" : "no", r->pct);
	else
		fprintf(out, "testing: %s\n", r->testing ? "yes (t=y)" : "no");
	fprintf(out, "disposition: %s\n",
	    spfdmarc_dmarc_policy_name(r->disposition));
	fprintf(out, "dnssec: %s\n", spfdmarc_dnssec_name(r->dnssec));
	fprintf(out, "mode: %s\n", spfdmarc_dmarc_mode_name(r->mode));
	dmarc_line(out, "reason", "%s", r->reason);
}

static void
dmarc_json_key(FILE *out, const char *key, const char *value)
{
	fprintf(out, ",\"%s\":", key);
	cli_json_string(out, value);
}

static void
dmarc_print_json(FILE *out, const struct dmarc_args *a,
    const struct spfdmarc_dmarc_result *r)
{
	fputs("{\"result\":", out);
	cli_json_string(out, spfdmarc_dmarc_result_name(r->result));
	dmarc_json_key(out, "mode", spfdmarc_dmarc_mode_name(r->mode));
	dmarc_json_key(out, "from", a->from);
	dmarc_json_key(out, "author_domain", r->author_domain);
	dmarc_json_key(out, "record_domain", r->record_domain);
	dmarc_json_key(out, "record", r->record);
	dmarc_json_key(out, "source", r->record_domain != NULL ?
	    spfdmarc_dmarc_source_name(r->source) : NULL);
	dmarc_json_key(out, "org_domain", r->org_domain);
	dmarc_json_key(out, "published_policy",
	    spfdmarc_dmarc_policy_name(r->published_policy));
	dmarc_json_key(out, "published_tag", r->published_tag);
	dmarc_json_key(out, "evaluated_policy",
	    spfdmarc_dmarc_policy_name(r->evaluated_policy));
	fprintf(out, ",\"testing\":%s", r->testing ? "true" : "false");
	if (r->mode == SPFDMARC_DMARC_RFC7489)
		fprintf(out, ",\"pct\":%u", r->pct);
	dmarc_json_key(out, "disposition",
	    spfdmarc_dmarc_policy_name(r->disposition));
	dmarc_json_key(out, "author_exists",
	    dmarc_exists_name(r->author_exists));
	dmarc_json_key(out, "aspf", r->record_domain != NULL ?
	    dmarc_align_name(r->aspf) : NULL);
	dmarc_json_key(out, "adkim", r->record_domain != NULL ?
	    dmarc_align_name(r->adkim) : NULL);
	dmarc_json_key(out, "spf_domain", a->spf);
	fprintf(out, ",\"spf_aligned\":%s", r->spf_aligned ? "true" : "false");
	fputs(",\"dkim_domains\":[", out);
	for (size_t i = 0; i < a->ndkim; i++) {
		if (i > 0)
			putc(',', out);
		cli_json_string(out, a->dkim[i]);
	}
	putc(']', out);
	fprintf(out, ",\"dkim_aligned\":%s",
	    r->dkim_aligned ? "true" : "false");
	dmarc_json_key(out, "aligned_dkim_domain", r->aligned_dkim_domain);
	dmarc_json_key(out, "dnssec", spfdmarc_dnssec_name(r->dnssec));
	dmarc_json_key(out, "reason", r->reason);
	fputs("}\n", out);
}

static int dmarc_bad(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int
dmarc_bad(const char *fmt, ...)
{
	va_list ap;

	fputs("spfdmarc dmarc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see 'spfdmarc dmarc --help')\n", stderr);
	return CLI_EXIT_USAGE;
}

int
cmd_dmarc(int argc, char **argv)
{
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dmarc_result res;
	struct spfdmarc_dns *dns = NULL;
	struct spfdmarc_dns_ctx *ctx = NULL;
	struct spfdmarc_arena *arena = NULL;
	struct cli_resolver rs;
	struct dmarc_args a;
	const char *fields[1];
	bool json = false, have_mode = false;
	int opt, rc, status = CLI_EXIT_OK;

	memset(&req, 0, sizeof(req));
	memset(&a, 0, sizeof(a));
	req.mode = SPFDMARC_DMARC_RFC9989;
	req.pct_draw = -1;
	cli_resolver_init(&rs);
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "h", dmarc_longopts, NULL)) !=
	    -1) {
		switch (opt) {
		case OPT_FROM:
			if (a.from != NULL)
				return dmarc_bad("%s", "--from given twice "
				    "(several From fields are one value "
				    "here: a message with two is a "
				    "permerror)");
			a.from = optarg;
			break;
		case OPT_SPF_PASS_DOMAIN:
			if (a.spf != NULL)
				return dmarc_bad("%s", "--spf-pass-domain "
				    "given twice");
			if (optarg[0] == '\0')
				return dmarc_bad("%s", "--spf-pass-domain "
				    "wants a domain");
			a.spf = optarg;
			break;
		case OPT_DKIM_PASS_DOMAIN:
			if (a.ndkim == SPFDMARC_DMARC_DKIM_MAX)
				return dmarc_bad("at most %d "
				    "--dkim-pass-domain options",
				    SPFDMARC_DMARC_DKIM_MAX);
			if (optarg[0] == '\0')
				return dmarc_bad("%s", "--dkim-pass-domain "
				    "wants a domain");
			a.dkim[a.ndkim++] = optarg;
			break;
		case OPT_MODE:
			if (have_mode)
				return dmarc_bad("%s", "--mode given twice");
			have_mode = true;
			if (spfdmarc_dmarc_mode_parse(optarg, &req.mode) != 0)
				return dmarc_bad("--mode is rfc9989 or "
				    "rfc7489, not '%s'", optarg);
			break;
		case OPT_PCT_DRAW: {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    v < 0 || v > 99)
				return dmarc_bad("--pct-draw wants 0..99, "
				    "not '%s'", optarg);
			req.pct_draw = (int)v;
			break;
		}
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			dmarc_usage(stdout);
			return CLI_EXIT_OK;
		default:
			rc = cli_resolver_option(&rs, opt, optarg);
			if (rc < 0)
				return CLI_EXIT_USAGE;
			if (rc == 0) {
				dmarc_usage(stderr);
				return CLI_EXIT_USAGE;
			}
		}
	}
	if (optind != argc)
		return dmarc_bad("unexpected argument '%s'", argv[optind]);
	if (a.from == NULL)
		return dmarc_bad("%s", "--from is required");
	if (req.pct_draw >= 0 && req.mode != SPFDMARC_DMARC_RFC7489)
		return dmarc_bad("%s", "--pct-draw goes with --mode rfc7489 "
		    "(RFC 9989 has no pct=)");
	status = cli_resolver_open(&rs, &dns);
	if (status != CLI_EXIT_OK)
		return status;

	fields[0] = a.from;
	req.from_fields = fields;
	req.nfrom_fields = 1;
	req.spf_pass_domain = a.spf;
	req.dkim_pass_domains = a.dkim;
	req.ndkim_pass_domains = a.ndkim;
	ctx = cli_resolver_ctx(&rs, dns);
	arena = spfdmarc_arena_new(0);
	if (ctx == NULL || arena == NULL) {
		fprintf(stderr, "spfdmarc: out of memory\n");
		status = CLI_EXIT_FAIL;
		goto out;
	}
	rc = spfdmarc_dmarc_evaluate(ctx, arena, &req, &res);
	if (rc != 0) {
		fprintf(stderr, "spfdmarc dmarc: %s\n", spfdmarc_strerror(rc));
		status = rc == SPFDMARC_EINVAL ? CLI_EXIT_USAGE :
		    CLI_EXIT_FAIL;
		goto out;
	}
	if (json)
		dmarc_print_json(stdout, &a, &res);
	else
		dmarc_print_plain(stdout, &a, &res);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "spfdmarc: cannot write the output\n");
		status = CLI_EXIT_FAIL;
	}

out:
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
	return status;
}
