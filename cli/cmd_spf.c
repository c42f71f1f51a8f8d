/*
 * cmd_spf.c: 'spfdmarc spf', an SPF check from the command line, like
 * spfquery: RFC 7208 check_host() for one client IP and one identity
 * (MAIL FROM, or HELO with --identity helo), over libunbound with the
 * shared resolver options, or over a zone file (--zone, the text format
 * of spfdmarc/dns_zone.h) for tests and demonstrations.
 *
 * Output: the result token on the first line, then "explanation: ",
 * "reason: ", "mechanism: " lines when they have a value, and
 * "dnssec: "; with --trace, a "trace:" block with every term evaluated
 * and every DNS answer. Text from DNS is escaped (\\, \xHH) so that one
 * value stays on one line. --json prints one JSON object instead.
 * Exit 0 for any completed evaluation, whatever its result; 64 for a
 * usage error; 70 when the resolver cannot be set up.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spfdmarc/addr.h"
#include "spfdmarc/buf.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/err.h"
#include "spfdmarc/spf.h"

#define SPF_TRACE_MAX		(1024 * 1024)	/* bytes of trace kept */
#define SPF_TRACE_LINE_MAX	4096		/* one DNS answer line */

enum {
	OPT_IP = CLI_OPT_FIRST_FREE,
	OPT_SENDER,
	OPT_HELO,
	OPT_IDENTITY,
	OPT_DEFAULT_EXPLANATION,
	OPT_RECEIVER,
	OPT_JSON,
	OPT_TRACE,
};

static const struct option spf_longopts[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "sender", required_argument, NULL, OPT_SENDER },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "default-explanation", required_argument, NULL,
	    OPT_DEFAULT_EXPLANATION },
	{ "receiver", required_argument, NULL, OPT_RECEIVER },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "help", no_argument, NULL, 'h' },
	CLI_RESOLVER_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static void
spf_usage(FILE *out)
{
	fprintf(out,
	    "usage: spfdmarc spf --ip IP --sender ADDR [--helo NAME] "
	    "[OPTIONS]\n"
	    "Evaluate SPF (RFC 7208) for a client IP and an identity.\n\n"
	    "  --ip IP                 the SMTP client's address\n"
	    "  --sender ADDR           MAIL FROM without <>; '' is the null sender,\n"
	    "                          checked as postmaster@HELO (RFC 7208 2.4)\n"
	    "  --helo NAME             the HELO/EHLO name\n"
	    "  --identity ID           mailfrom (default) or helo\n"
	    "  --default-explanation T\n"
	    "                          the explanation of a fail without exp=\n"
	    "  --receiver NAME         this MTA's name, for %%{r}\n"
	    "  --json                  print one JSON object\n"
	    "  --trace                 also list every term and DNS answer\n"
	    "  --stub ZONE=HOST@PORT   send queries under ZONE to this server\n"
	    CLI_RESOLVER_USAGE);
}

/* --- text ------------------------------------------------------------------ */

static void
spf_print_escaped(FILE *out, const char *key, const char *s)
{
	char mem[SPFDMARC_SPF_TEXT_MAX * 4 + 1];
	struct spfdmarc_buf b;

	if (s[0] == '\0')
		return;
	spfdmarc_buf_init_fixed(&b, mem, sizeof(mem));
	cli_escape(&b, s, strlen(s));
	fprintf(out, "%s: %s\n", key, spfdmarc_buf_str(&b));
}

/* A JSON string, or null for an empty field. */
static void
spf_json_string(FILE *out, const char *s)
{
	cli_json_string(out, s != NULL && s[0] != '\0' ? s : NULL);
}

/* --- trace ----------------------------------------------------------------- */

/* The trace, one line per term or DNS answer, '\n'-separated. */
struct spf_trace {
	struct spfdmarc_buf buf;
};

static void
spf_trace_term(unsigned depth, const char *line, void *arg)
{
	struct spf_trace *t = arg;

	(void)spfdmarc_buf_printf(&t->buf, "%*s", (int)(depth * 2), "");
	cli_escape(&t->buf, line, strlen(line));
	(void)spfdmarc_buf_putc(&t->buf, '\n');
}

static void
spf_trace_rr(struct spfdmarc_buf *b, const struct spfdmarc_dns_rr *rr)
{
	char addr[SPFDMARC_ADDR_STRLEN];

	switch (rr->type) {
	case SPFDMARC_DNS_A:
	case SPFDMARC_DNS_AAAA:
		if (spfdmarc_addr_format(&rr->u.addr, addr, sizeof(addr)) != 0)
			(void)spfdmarc_buf_puts(b, "?");
		else
			(void)spfdmarc_buf_puts(b, addr);
		break;
	case SPFDMARC_DNS_MX:
		(void)spfdmarc_buf_printf(b, "%u ", rr->u.mx.preference);
		cli_escape(b, rr->u.mx.exchange, strlen(rr->u.mx.exchange));
		break;
	case SPFDMARC_DNS_PTR:
	case SPFDMARC_DNS_CNAME:
	case SPFDMARC_DNS_NS:
		cli_escape(b, rr->u.name, strlen(rr->u.name));
		break;
	case SPFDMARC_DNS_TXT:
	case SPFDMARC_DNS_SPF:
		(void)spfdmarc_buf_putc(b, '"');
		cli_escape(b, rr->u.txt.text, rr->u.txt.len);
		(void)spfdmarc_buf_putc(b, '"');
		break;
	}
}

static void
spf_trace_dns(const struct spfdmarc_dns_answer *a, void *arg)
{
	struct spf_trace *t = arg;
	char mem[SPF_TRACE_LINE_MAX];
	struct spfdmarc_buf line;

	spfdmarc_buf_init_fixed(&line, mem, sizeof(mem));
	(void)spfdmarc_buf_puts(&line, "dns: ");
	cli_escape(&line, a->qname, strlen(a->qname));
	(void)spfdmarc_buf_printf(&line, " %s -> %s",
	    spfdmarc_dns_type_name(a->qtype),
	    spfdmarc_dns_status_name(a->status));
	if (a->rcode >= 0)
		(void)spfdmarc_buf_printf(&line, " rcode %d", a->rcode);
	(void)spfdmarc_buf_printf(&line, " dnssec %s",
	    spfdmarc_dnssec_name(a->dnssec));
	if (a->canonname != NULL) {
		(void)spfdmarc_buf_puts(&line, " via ");
		cli_escape(&line, a->canonname, strlen(a->canonname));
	}
	for (size_t i = 0; i < a->count; i++) {
		(void)spfdmarc_buf_puts(&line, i == 0 ? ": " : ", ");
		spf_trace_rr(&line, &a->rr[i]);
	}
	if (a->why != NULL) {
		(void)spfdmarc_buf_puts(&line, " (");
		cli_escape(&line, a->why, strlen(a->why));
		(void)spfdmarc_buf_putc(&line, ')');
	}
	if (!spfdmarc_buf_ok(&line)) {
		spfdmarc_buf_truncate(&line, sizeof(mem) - 5);
		line.truncated = false;
		(void)spfdmarc_buf_puts(&line, "...");
	}
	(void)spfdmarc_buf_puts(&t->buf, spfdmarc_buf_str(&line));
	(void)spfdmarc_buf_putc(&t->buf, '\n');
}

/* --- output ---------------------------------------------------------------- */

static void
spf_print_plain(FILE *out, const struct spfdmarc_spf_response *r,
    const struct spf_trace *trace)
{
	fprintf(out, "%s\n", spfdmarc_spf_result_name(r->result));
	spf_print_escaped(out, "explanation", r->explanation);
	spf_print_escaped(out, "reason", r->reason);
	spf_print_escaped(out, "mechanism", r->mechanism);
	fprintf(out, "dnssec: %s\n", spfdmarc_dnssec_name(r->dnssec));
	if (trace == NULL)
		return;
	fputs("trace:\n", out);
	for (const char *p = spfdmarc_buf_str(&trace->buf); *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		fprintf(out, "  %.*s\n", (int)len, p);
		p += len + (eol != NULL ? 1 : 0);
	}
	if (!spfdmarc_buf_ok(&trace->buf))
		fputs("  (trace truncated)\n", out);
}

static void
spf_print_json(FILE *out, const struct spfdmarc_spf_request *req,
    const struct spfdmarc_spf_response *r, const struct spf_trace *trace)
{
	char ip[SPFDMARC_ADDR_STRLEN];

	if (spfdmarc_addr_format(&req->ip, ip, sizeof(ip)) != 0)
		ip[0] = '\0';
	fputs("{\"result\":", out);
	spf_json_string(out, spfdmarc_spf_result_name(r->result));
	fputs(",\"identity\":", out);
	spf_json_string(out, req->identity == SPFDMARC_SPF_HELO ? "helo" :
	    "mailfrom");
	fputs(",\"ip\":", out);
	spf_json_string(out, ip);
	fputs(",\"sender\":", out);
	spf_json_string(out, r->sender);
	fputs(",\"helo\":", out);
	spf_json_string(out, req->helo);
	fputs(",\"domain\":", out);
	spf_json_string(out, r->domain);
	fputs(",\"mechanism\":", out);
	spf_json_string(out, r->mechanism);
	fputs(",\"mechanism_domain\":", out);
	spf_json_string(out, r->mechanism_domain);
	fputs(",\"explanation\":", out);
	spf_json_string(out, r->explanation);
	fputs(",\"reason\":", out);
	spf_json_string(out, r->reason);
	fprintf(out, ",\"dns_lookups\":%u,\"void_lookups\":%u",
	    r->dns_lookups, r->void_lookups);
	fputs(",\"dnssec\":", out);
	spf_json_string(out, spfdmarc_dnssec_name(r->dnssec));
	if (trace != NULL) {
		const char *p = spfdmarc_buf_str(&trace->buf);
		bool first = true;

		/* Trace lines are escaped already: plain ASCII. */
		fputs(",\"trace\":[", out);
		while (*p != '\0') {
			const char *eol = strchr(p, '\n');
			size_t len = eol != NULL ? (size_t)(eol - p) :
			    strlen(p);
			char line[SPF_TRACE_LINE_MAX + 64];

			if (len >= sizeof(line))
				len = sizeof(line) - 1;
			memcpy(line, p, len);
			line[len] = '\0';
			if (!first)
				putc(',', out);
			first = false;
			if (line[0] == '\0')
				fputs("\"\"", out);
			else
				spf_json_string(out, line);
			p = eol != NULL ? eol + 1 : p + len;
		}
		fprintf(out, "],\"trace_truncated\":%s",
		    spfdmarc_buf_ok(&trace->buf) ? "false" : "true");
	}
	fputs("}\n", out);
}

/* --- the command ------------------------------------------------------------ */

static int spf_bad(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int
spf_bad(const char *fmt, ...)
{
	va_list ap;

	fputs("spfdmarc spf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see 'spfdmarc spf --help')\n", stderr);
	return CLI_EXIT_USAGE;
}

int
cmd_spf(int argc, char **argv)
{
	struct spfdmarc_spf_request req;
	struct spfdmarc_spf_response *resp = NULL;
	struct spfdmarc_dns *dns = NULL;
	struct spfdmarc_dns_ctx *ctx = NULL;
	struct spf_trace trace;
	struct cli_resolver res;
	const char *ip = NULL;
	bool json = false, want_trace = false, have_sender = false;
	int opt, rc, status = CLI_EXIT_OK;

	memset(&req, 0, sizeof(req));
	req.identity = SPFDMARC_SPF_MAILFROM;
	cli_resolver_init(&res);
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "h", spf_longopts, NULL)) !=
	    -1) {
		switch (opt) {
		case OPT_IP:
			ip = optarg;
			break;
		case OPT_SENDER:
			req.sender = optarg;
			have_sender = true;
			break;
		case OPT_HELO:
			req.helo = optarg;
			break;
		case OPT_IDENTITY:
			if (strcmp(optarg, "mailfrom") == 0)
				req.identity = SPFDMARC_SPF_MAILFROM;
			else if (strcmp(optarg, "helo") == 0)
				req.identity = SPFDMARC_SPF_HELO;
			else
				return spf_bad("--identity is mailfrom or "
				    "helo, not '%s'", optarg);
			break;
		case OPT_DEFAULT_EXPLANATION:
			req.default_explanation = optarg;
			break;
		case OPT_RECEIVER:
			req.receiver = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_TRACE:
			want_trace = true;
			break;
		case 'h':
			spf_usage(stdout);
			return CLI_EXIT_OK;
		default:
			rc = cli_resolver_option(&res, opt, optarg);
			if (rc < 0)
				return CLI_EXIT_USAGE;
			if (rc == 0) {
				spf_usage(stderr);
				return CLI_EXIT_USAGE;
			}
		}
	}
	if (optind != argc)
		return spf_bad("unexpected argument '%s'", argv[optind]);
	if (ip == NULL)
		return spf_bad("%s", "--ip is required");
	if (spfdmarc_addr_parse(&req.ip, ip, strlen(ip)) != 0)
		return spf_bad("'%s' is not an IPv4 or IPv6 address", ip);
	if (req.identity == SPFDMARC_SPF_MAILFROM && !have_sender)
		return spf_bad("%s", "--sender is required (--sender '' for "
		    "the null sender)");
	if (req.identity == SPFDMARC_SPF_HELO && req.helo == NULL)
		return spf_bad("%s", "--identity helo needs --helo");
	status = cli_resolver_open(&res, &dns);
	if (status != CLI_EXIT_OK)
		return status;

	spfdmarc_buf_init(&trace.buf, NULL, SPF_TRACE_MAX);
	resp = calloc(1, sizeof(*resp));
	ctx = cli_resolver_ctx(&res, dns);
	if (resp == NULL || ctx == NULL) {
		fprintf(stderr, "spfdmarc: out of memory\n");
		status = CLI_EXIT_FAIL;
		goto out;
	}
	if (want_trace) {
		req.trace = spf_trace_term;
		req.trace_arg = &trace;
		spfdmarc_dns_ctx_set_trace(ctx, spf_trace_dns, &trace);
	}
	rc = spfdmarc_spf_check(ctx, &req, resp);
	if (rc == SPFDMARC_EINVAL) {
		fprintf(stderr, "spfdmarc spf: the request was refused: %s\n",
		    resp->reason[0] != '\0' ? resp->reason :
		    spfdmarc_strerror(rc));
		status = CLI_EXIT_USAGE;
		goto out;
	}
	/* ENOMEM still leaves a temperror verdict to print. */
	if (json)
		spf_print_json(stdout, &req, resp, want_trace ? &trace : NULL);
	else
		spf_print_plain(stdout, resp, want_trace ? &trace : NULL);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "spfdmarc: cannot write the output\n");
		status = CLI_EXIT_FAIL;
	}

out:
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
	spfdmarc_buf_release(&trace.buf);
	free(resp);
	return status;
}
