/*
 * cmd_check.c: 'spfdmarc check DOMAIN', an audit of a domain's SPF and
 * DMARC set-up (the library's spfdmarc/audit.h), printed for people or,
 * with --json, as one JSON object whose schema spfdmarc(1) documents.
 *
 * DNS is libunbound with the shared resolver options, or a zone file
 * (--zone, the text format of spfdmarc/dns_zone.h) for tests and
 * demonstrations. Exit: the grade, 0 no warning or error, 1 warnings,
 * 2 errors; 64 for a usage error; 70 when the resolver cannot be set up
 * or memory runs out.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/audit.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/err.h"

#define CHECK_JSON_VERSION	1

enum {
	OPT_JSON = CLI_OPT_FIRST_FREE,
	OPT_LIST,
};

static const struct option check_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "help", no_argument, NULL, 'h' },
	CLI_RESOLVER_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void
check_usage(FILE *out)
{
	fprintf(out,
	    "usage: spfdmarc check DOMAIN [--json] [--zone FILE] [OPTIONS]\n"
	    "       spfdmarc check --list [--json]\n"
	    "Audit the SPF and DMARC set-up of DOMAIN: findings with an id, a\n"
	    "severity and a fix, the SPF include tree with the DNS lookups of\n"
	    "each branch, the DMARC record and Organizational Domain, and the\n"
	    "DNSSEC state of every answer used.\n"
	    "Exit 0: no warning or error; 1: warnings; 2: errors; "
	    "64: usage.\n\n"
	    "  --json                  print one JSON object (spfdmarc(1))\n"
	    "  --list                  list every check: id, severity, "
	    "summary\n"
	    CLI_RESOLVER_USAGE);
}

static int
check_bad(const char *fmt, ...)
{
	va_list ap;

	fputs("spfdmarc check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see 'spfdmarc check --help')\n", stderr);
	return CLI_EXIT_USAGE;
}

/* --- text ----------------------------------------------------------------- */

static const char *
check_all_text(enum spfdmarc_spf_result q)
{
	switch (q) {
	case SPFDMARC_SPF_PASS:		return "+all";
	case SPFDMARC_SPF_FAIL:		return "-all";
	case SPFDMARC_SPF_SOFTFAIL:	return "~all";
	case SPFDMARC_SPF_NEUTRAL:	return "?all";
	default:			return NULL;
	}
}

static const char *
check_policy(enum spfdmarc_dmarc_policy p)
{
	return spfdmarc_dmarc_policy_name(p);	/* NULL for UNSET */
}

/* --- plain output --------------------------------------------------------- */

static void
check_print_findings(FILE *out, const struct spfdmarc_audit *au)
{
	if (au->nfindings == 0) {
		fputs("\nNo findings.\n", out);
		return;
	}
	fputs("\nFindings:\n", out);
	for (size_t i = 0; i < au->nfindings; i++) {
		const struct spfdmarc_audit_finding *f = &au->findings[i];
		const char *sep = " (";

		fprintf(out, "  %-7s %s", spfdmarc_audit_severity_name(
		    f->severity), f->id);
		if (f->name != NULL) {
			fprintf(out, "%s%s", sep, f->name);
			sep = ", ";
		}
		if (f->term != NULL) {
			fprintf(out, "%s'%s'", sep, f->term);
			sep = ", ";
		}
		if (f->offset >= 0) {
			fprintf(out, "%soffset %ld", sep, f->offset);
			sep = ", ";
		}
		fprintf(out, "%s\n          %s\n          fix: %s\n",
		    sep[0] == ',' ? ")" : "", f->message, f->fix);
	}
	if (au->dropped > 0)
		fprintf(out, "  (%zu more findings not kept)\n", au->dropped);
}

static bool
check_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++) {
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	}
	return false;
}

static void
check_print_node(FILE *out, const struct spfdmarc_audit_spf_node *n,
    unsigned depth)
{
	fprintf(out, "  %*s", (int)(depth * 2), "");
	if (n->via == NULL) {
		cli_fput_escaped(out, n->domain);
	} else {
		cli_fput_escaped(out, n->via);
		if (!check_contains(n->via, n->domain)) {
			fputs(" -> ", out);
			cli_fput_escaped(out, n->domain);
		}
	}
	fprintf(out, "  %u lookup%s", n->lookups, n->lookups == 1 ? "" : "s");
	if (n->void_lookups > 0)
		fprintf(out, ", %u void", n->void_lookups);
	if (n->state == SPFDMARC_AUDIT_SPF_OK ||
	    n->state == SPFDMARC_AUDIT_SPF_NONE ||
	    n->state == SPFDMARC_AUDIT_SPF_MULTIPLE ||
	    n->state == SPFDMARC_AUDIT_SPF_SYNTAX ||
	    n->state == SPFDMARC_AUDIT_SPF_DNS_ERROR)
		fprintf(out, ", dnssec %s", spfdmarc_dnssec_name(n->dnssec));
	if (n->state != SPFDMARC_AUDIT_SPF_OK)
		fprintf(out, " [%s]", spfdmarc_audit_spf_state_name(n->state));
	putc('\n', out);
	for (size_t i = 0; i < n->nchildren; i++)
		check_print_node(out, n->children[i], depth + 1);
}

static void
check_print_spf(FILE *out, const struct spfdmarc_audit *au)
{
	const struct spfdmarc_audit_spf *spf = &au->spf;
	const struct spfdmarc_audit_spf_node *t = spf->tree;

	fputs("\nSPF:\n", out);
	if (spf->record != NULL) {
		fputs("  record: ", out);
		cli_fput_escaped(out, spf->record);
		fprintf(out, "\n  %zu bytes in %zu string%s; TXT answer %zu "
		    "bytes; dnssec %s\n", t->record_len, t->nstrings,
		    t->nstrings == 1 ? "" : "s", t->answer_size,
		    spfdmarc_dnssec_name(t->dnssec));
	} else {
		fprintf(out, "  record: none (%s)\n",
		    spfdmarc_audit_spf_state_name(t->state));
	}
	fprintf(out, "  DNS-querying terms: %u of %d; void lookups: %u of %d; "
	    "ends in: %s\n", spf->lookups, SPFDMARC_AUDIT_SPF_LOOKUPS_MAX,
	    spf->void_lookups, SPFDMARC_AUDIT_SPF_VOID_MAX, spf->has_all ?
	    check_all_text(spf->all_qualifier) : "no all");
	if (t->state == SPFDMARC_AUDIT_SPF_OK) {
		fputs("  include tree (lookups per branch):\n", out);
		check_print_node(out, t, 1);
	}
}

static void
check_print_uris(FILE *out, const char *tag, const char *const *uris,
    size_t n)
{
	if (n == 0)
		return;
	fprintf(out, "  %s:", tag);
	for (size_t i = 0; i < n; i++) {
		putc(' ', out);
		cli_fput_escaped(out, uris[i]);
	}
	putc('\n', out);
}

static void
check_print_dmarc(FILE *out, const struct spfdmarc_audit *au)
{
	const struct spfdmarc_audit_dmarc *d = &au->dmarc;

	fputs("\nDMARC:\n", out);
	if (d->record == NULL) {
		fputs("  record: none\n", out);
	} else {
		fputs("  record: ", out);
		cli_fput_escaped(out, d->record);
		fprintf(out, "\n  at _dmarc.%s (%s); dnssec %s\n",
		    d->record_domain, spfdmarc_dmarc_source_name(d->source),
		    spfdmarc_dnssec_name(d->dnssec));
		fprintf(out, "  policy for %s: %s", au->domain,
		    d->policy != SPFDMARC_DMARC_POLICY_UNSET ?
		    check_policy(d->policy) : "(none applies)");
		if (d->testing)
			fprintf(out, ", applied as %s (t=y)",
			    d->effective_policy != SPFDMARC_DMARC_POLICY_UNSET ?
			    check_policy(d->effective_policy) : "none");
		putc('\n', out);
		check_print_uris(out, "rua", d->rua, d->nrua);
		check_print_uris(out, "ruf", d->ruf, d->nruf);
	}
	fprintf(out, "  Organizational Domain: %s\n", d->org_domain != NULL ?
	    d->org_domain : "unknown (DNS failure)");
}

static void
check_print_dnssec(FILE *out, const struct spfdmarc_audit *au)
{
	fprintf(out, "\nDNSSEC: %s\n", spfdmarc_dnssec_name(au->dnssec));
	for (size_t i = 0; i < au->nanswers; i++) {
		const struct spfdmarc_audit_answer *e = &au->answers[i];

		fputs("  ", out);
		cli_fput_escaped(out, e->name);
		fprintf(out, " %s: %s, %s (%s)\n",
		    spfdmarc_dns_type_name(e->type),
		    spfdmarc_dns_status_name(e->status),
		    spfdmarc_dnssec_name(e->dnssec), e->role);
	}
}

static void
check_print(FILE *out, const struct spfdmarc_audit *au)
{
	fprintf(out, "%s: %s (%u error%s, %u warning%s, %u info)\n",
	    au->domain, spfdmarc_audit_grade_name(au->grade),
	    au->count[SPFDMARC_AUDIT_ERROR],
	    au->count[SPFDMARC_AUDIT_ERROR] == 1 ? "" : "s",
	    au->count[SPFDMARC_AUDIT_WARNING],
	    au->count[SPFDMARC_AUDIT_WARNING] == 1 ? "" : "s",
	    au->count[SPFDMARC_AUDIT_INFO]);
	check_print_findings(out, au);
	check_print_spf(out, au);
	check_print_dmarc(out, au);
	check_print_dnssec(out, au);
}

/* --- JSON ----------------------------------------------------------------- */

static void
check_json_key(FILE *out, const char *key)
{
	cli_json_string(out, key);
	putc(':', out);
}

static void
check_json_node(FILE *out, const struct spfdmarc_audit_spf_node *n)
{
	fputc('{', out);
	check_json_key(out, "domain");
	cli_json_string(out, n->domain);
	fputc(',', out);
	check_json_key(out, "via");
	cli_json_string(out, n->via);
	fputc(',', out);
	check_json_key(out, "state");
	cli_json_string(out, spfdmarc_audit_spf_state_name(n->state));
	fputc(',', out);
	check_json_key(out, "record");
	cli_json_string(out, n->record);
	fprintf(out, ",\"strings\":%zu,\"longest_string\":%zu,"
	    "\"answer_size\":%zu,\"dnssec\":", n->nstrings, n->longest,
	    n->answer_size);
	cli_json_string(out, spfdmarc_dnssec_name(n->dnssec));
	fprintf(out, ",\"lookups\":%u,\"record_lookups\":%u,"
	    "\"void_lookups\":%u,\"all\":", n->lookups, n->record_lookups,
	    n->void_lookups);
	cli_json_string(out, n->has_all ? check_all_text(n->all_qualifier) :
	    NULL);
	fputs(",\"children\":[", out);
	for (size_t i = 0; i < n->nchildren; i++) {
		if (i > 0)
			fputc(',', out);
		check_json_node(out, n->children[i]);
	}
	fputs("]}", out);
}

static void
check_json_strings(FILE *out, const char *const *v, size_t n)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', out);
		cli_json_string(out, v[i]);
	}
	fputc(']', out);
}

static void
check_json_finding(FILE *out, const struct spfdmarc_audit_finding *f)
{
	fputc('{', out);
	check_json_key(out, "id");
	cli_json_string(out, f->id);
	fputc(',', out);
	check_json_key(out, "severity");
	cli_json_string(out, spfdmarc_audit_severity_name(f->severity));
	fputc(',', out);
	check_json_key(out, "message");
	cli_json_string(out, f->message);
	fputc(',', out);
	check_json_key(out, "fix");
	cli_json_string(out, f->fix);
	if (f->name != NULL || f->term != NULL || f->offset >= 0) {
		const char *sep = "";

		fputs(",\"location\":{", out);
		if (f->name != NULL) {
			check_json_key(out, "name");
			cli_json_string(out, f->name);
			sep = ",";
		}
		if (f->term != NULL) {
			fputs(sep, out);
			check_json_key(out, "term");
			cli_json_string(out, f->term);
			sep = ",";
		}
		if (f->offset >= 0)
			fprintf(out, "%s\"offset\":%ld", sep, f->offset);
		fputc('}', out);
	}
	fputc('}', out);
}

static void
check_json(FILE *out, const struct spfdmarc_audit *au)
{
	const struct spfdmarc_audit_spf *spf = &au->spf;
	const struct spfdmarc_audit_dmarc *d = &au->dmarc;

	fprintf(out, "{\"version\":%d,\"domain\":", CHECK_JSON_VERSION);
	cli_json_string(out, au->domain);
	fputs(",\"grade\":", out);
	cli_json_string(out, spfdmarc_audit_grade_name(au->grade));
	fprintf(out, ",\"exit_code\":%d,\"counts\":{\"error\":%u,"
	    "\"warning\":%u,\"info\":%u},\"findings\":[", (int)au->grade,
	    au->count[SPFDMARC_AUDIT_ERROR], au->count[SPFDMARC_AUDIT_WARNING],
	    au->count[SPFDMARC_AUDIT_INFO]);
	for (size_t i = 0; i < au->nfindings; i++) {
		if (i > 0)
			fputc(',', out);
		check_json_finding(out, &au->findings[i]);
	}
	fprintf(out, "],\"findings_dropped\":%zu", au->dropped);

	fputs(",\"spf\":{\"record\":", out);
	cli_json_string(out, spf->record);
	fprintf(out, ",\"lookups\":%u,\"lookup_limit\":%d,\"void_lookups\":%u,"
	    "\"void_limit\":%d,\"all\":", spf->lookups,
	    SPFDMARC_AUDIT_SPF_LOOKUPS_MAX, spf->void_lookups,
	    SPFDMARC_AUDIT_SPF_VOID_MAX);
	cli_json_string(out, spf->has_all ?
	    check_all_text(spf->all_qualifier) : NULL);
	fprintf(out, ",\"type99\":%s,\"dnssec\":", spf->type99 ? "true" :
	    "false");
	cli_json_string(out, spfdmarc_dnssec_name(spf->dnssec));
	fputs(",\"tree\":", out);
	check_json_node(out, spf->tree);
	fputc('}', out);

	fputs(",\"dmarc\":{\"record\":", out);
	cli_json_string(out, d->record);
	fputs(",\"record_domain\":", out);
	cli_json_string(out, d->record_domain);
	fputs(",\"org_domain\":", out);
	cli_json_string(out, d->org_domain);
	fputs(",\"source\":", out);
	cli_json_string(out, spfdmarc_dmarc_source_name(d->source));
	fputs(",\"p\":", out);
	cli_json_string(out, check_policy(d->p));
	fputs(",\"sp\":", out);
	cli_json_string(out, check_policy(d->sp));
	fputs(",\"np\":", out);
	cli_json_string(out, check_policy(d->np));
	fputs(",\"policy\":", out);
	cli_json_string(out, check_policy(d->policy));
	fputs(",\"effective_policy\":", out);
	cli_json_string(out, check_policy(d->effective_policy));
	fprintf(out, ",\"testing\":%s,\"adkim\":\"%s\",\"aspf\":\"%s\","
	    "\"rua\":", d->testing ? "true" : "false",
	    d->adkim == SPFDMARC_DMARC_ALIGN_STRICT ? "s" : "r",
	    d->aspf == SPFDMARC_DMARC_ALIGN_STRICT ? "s" : "r");
	check_json_strings(out, d->rua, d->nrua);
	fputs(",\"ruf\":", out);
	check_json_strings(out, d->ruf, d->nruf);
	fputs(",\"dnssec\":", out);
	cli_json_string(out, spfdmarc_dnssec_name(d->dnssec));
	fputc('}', out);

	fputs(",\"dnssec\":{\"overall\":", out);
	cli_json_string(out, spfdmarc_dnssec_name(au->dnssec));
	fputs(",\"answers\":[", out);
	for (size_t i = 0; i < au->nanswers; i++) {
		const struct spfdmarc_audit_answer *e = &au->answers[i];

		if (i > 0)
			fputc(',', out);
		fputs("{\"name\":", out);
		cli_json_string(out, e->name);
		fputs(",\"type\":", out);
		cli_json_string(out, spfdmarc_dns_type_name(e->type));
		fputs(",\"status\":", out);
		cli_json_string(out, spfdmarc_dns_status_name(e->status));
		fputs(",\"dnssec\":", out);
		cli_json_string(out, spfdmarc_dnssec_name(e->dnssec));
		fputs(",\"role\":", out);
		cli_json_string(out, e->role);
		if (e->why != NULL) {
			fputs(",\"why\":", out);
			cli_json_string(out, e->why);
		}
		fputc('}', out);
	}
	fputs("]}}\n", out);
}

static void
check_list(FILE *out, bool json)
{
	size_t n;
	const struct spfdmarc_audit_check *c = spfdmarc_audit_checks(&n);

	if (json)
		fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (!json) {
			fprintf(out, "%-36s %-8s %s\n", c[i].id,
			    spfdmarc_audit_severity_name(c[i].severity),
			    c[i].summary);
			continue;
		}
		if (i > 0)
			fputc(',', out);
		fputs("{\"id\":", out);
		cli_json_string(out, c[i].id);
		fputs(",\"severity\":", out);
		cli_json_string(out, spfdmarc_audit_severity_name(
		    c[i].severity));
		fputs(",\"summary\":", out);
		cli_json_string(out, c[i].summary);
		fputc('}', out);
	}
	if (json)
		fputs("]\n", out);
}

/* --- the command ---------------------------------------------------------- */

int
cmd_check(int argc, char **argv)
{
	struct cli_resolver r;
	struct spfdmarc_dns *dns = NULL;
	struct spfdmarc_dns_ctx *ctx = NULL;
	struct spfdmarc_arena *arena = NULL;
	struct spfdmarc_audit *au = NULL;
	struct spfdmarc_dns_limits limits;
	const char *domain;
	bool json = false, list = false;
	int opt, rc, status;

	cli_resolver_init(&r);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", check_longopts,
	    NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_LIST:
			list = true;
			break;
		case 'h':
			check_usage(stdout);
			return CLI_EXIT_OK;
		default:
			rc = cli_resolver_option(&r, opt, optarg);
			if (rc < 0)
				return CLI_EXIT_USAGE;
			if (rc == 0) {
				check_usage(stderr);
				return CLI_EXIT_USAGE;
			}
			break;
		}
	}
	if (list) {
		if (optind != argc)
			return check_bad("--list takes no domain");
		check_list(stdout, json);
		return CLI_EXIT_OK;
	}
	if (optind == argc)
		return check_bad("a domain is required");
	if (optind + 1 != argc)
		return check_bad("one domain only, not '%s'", argv[optind + 1]);
	domain = argv[optind];
	status = cli_resolver_open(&r, &dns);
	if (status != CLI_EXIT_OK)
		return status;
	memset(&limits, 0, sizeof(limits));
	limits.timeout_ms = r.timeout_ms;
	limits.max_queries = SPFDMARC_AUDIT_QUERIES;
	ctx = spfdmarc_dns_ctx_new(dns, &limits);
	arena = spfdmarc_arena_new(0);
	if (ctx == NULL || arena == NULL) {
		fputs("spfdmarc check: out of memory\n", stderr);
		status = CLI_EXIT_FAIL;
		goto done;
	}
	rc = spfdmarc_audit_run(ctx, arena, domain, &au);
	if (rc == SPFDMARC_EINVAL) {
		status = check_bad("'%s' is not a usable mail domain", domain);
		goto done;
	}
	if (rc != 0) {
		fprintf(stderr, "spfdmarc check: %s\n", spfdmarc_strerror(rc));
		status = CLI_EXIT_FAIL;
		goto done;
	}
	if (json)
		check_json(stdout, au);
	else
		check_print(stdout, au);
	status = (int)au->grade;
	if (fflush(stdout) != 0) {
		fprintf(stderr, "spfdmarc check: cannot write the output\n");
		status = CLI_EXIT_FAIL;
	}
done:
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
	return status;
}
