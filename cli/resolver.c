/*
 * resolver.c: the resolver options every subcommand shares, and small
 * output helpers.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spfdmarc/dns_unbound.h"
#include "spfdmarc/err.h"

void
cli_resolver_init(struct cli_resolver *r)
{
	memset(r, 0, sizeof(*r));
	r->timeout_ms = 5000;
}

static int
cli_push(const char **list, size_t *n, const char *arg, const char *what)
{
	if (*n >= CLI_RESOLVER_MAX) {
		fprintf(stderr, "spfdmarc: at most %d %s\n", CLI_RESOLVER_MAX,
		    what);
		return -1;
	}
	list[(*n)++] = arg;
	return 1;
}

int
cli_resolver_option(struct cli_resolver *r, int opt, const char *arg)
{
	char *end;
	double secs;

	switch (opt) {
	case CLI_OPT_RESOLVER:
		return cli_push(r->forwarders, &r->nforwarders, arg,
		    "--resolver options");
	case CLI_OPT_STUB:
		return cli_push(r->stubs, &r->nstubs, arg, "--stub options");
	case CLI_OPT_TRUST_ANCHOR:
		if (r->trust_anchor != NULL) {
			fprintf(stderr, "spfdmarc: --trust-anchor given twice\n");
			return -1;
		}
		r->trust_anchor = arg;
		return 1;
	case CLI_OPT_UNBOUND_CONF:
		if (r->unbound_conf != NULL) {
			fprintf(stderr, "spfdmarc: --unbound-conf given twice\n");
			return -1;
		}
		r->unbound_conf = arg;
		return 1;
	case CLI_OPT_NO_DNSSEC:
		r->no_dnssec = true;
		return 1;
	case CLI_OPT_TIMEOUT:
		errno = 0;
		secs = strtod(arg, &end);
		/* written so that NaN fails too */
		if (errno != 0 || end == arg || *end != '\0' ||
		    !(secs > 0 && secs <= 3600)) {
			fprintf(stderr, "spfdmarc: --timeout wants seconds "
			    "(0 < s <= 3600), not '%s'\n", arg);
			return -1;
		}
		r->timeout_ms = (unsigned)(secs * 1000);
		if (r->timeout_ms == 0)
			r->timeout_ms = 1;
		return 1;
	default:
		return 0;
	}
}

int
cli_resolver_open(const struct cli_resolver *r, struct spfdmarc_dns **out)
{
	struct spfdmarc_dns_unbound_options o;
	char err[512];
	int rc;

	*out = NULL;
	if (r->no_dnssec && r->trust_anchor != NULL) {
		fprintf(stderr, "spfdmarc: --trust-anchor and --no-dnssec "
		    "contradict each other\n");
		return SPFDMARC_EINVAL;
	}
	memset(&o, 0, sizeof(o));
	o.forwarders = r->forwarders;
	o.nforwarders = r->nforwarders;
	o.stubs = r->stubs;
	o.nstubs = r->nstubs;
	o.dnssec_off = r->no_dnssec;
	o.trust_anchor_file = r->trust_anchor;
	o.unbound_conf = r->unbound_conf;
	o.query_timeout_ms = r->timeout_ms;
	err[0] = '\0';
	rc = spfdmarc_dns_unbound_new(out, &o, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "spfdmarc: resolver: %s\n",
		    err[0] != '\0' ? err : spfdmarc_strerror(rc));
	return rc;
}

struct spfdmarc_dns_ctx *
cli_resolver_ctx(const struct cli_resolver *r, struct spfdmarc_dns *dns)
{
	struct spfdmarc_dns_limits limits = { .timeout_ms = r->timeout_ms };

	return spfdmarc_dns_ctx_new(dns, &limits);
}

void
cli_json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
	}
	putc('"', out);
}
