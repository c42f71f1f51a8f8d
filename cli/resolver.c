/*
 * resolver.c: the resolver options every subcommand shares, and small
 * output helpers.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A zone file is test data: bounded. */
#define CLI_ZONE_FILE_MAX (16 * 1024 * 1024)
#include "spfdmarc/dns_unbound.h"
#include "spfdmarc/dns_zone.h"
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
	case CLI_OPT_ZONE:
		if (r->zone_file != NULL) {
			fprintf(stderr, "spfdmarc: --zone given twice\n");
			return -1;
		}
		r->zone_file = arg;
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

/* Load a zone file into a new in-memory zone resolver. */
static int
cli_zone_open(const char *path, struct spfdmarc_dns **out)
{
	struct spfdmarc_dns_zone *zone;
	char err[512], *text = NULL;
	size_t len = 0, cap = 0;
	int status = CLI_EXIT_USAGE;
	FILE *f;
	int rc;

	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "spfdmarc: %s: %s\n", path, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			char *bigger;

			if (cap >= CLI_ZONE_FILE_MAX) {
				fprintf(stderr, "spfdmarc: %s: larger than %d "
				    "bytes\n", path, CLI_ZONE_FILE_MAX);
				goto fail;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			bigger = realloc(text, cap);
			if (bigger == NULL) {
				fprintf(stderr, "spfdmarc: out of memory\n");
				status = CLI_EXIT_FAIL;
				goto fail;
			}
			text = bigger;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "spfdmarc: %s: read error\n", path);
		goto fail;
	}
	rc = spfdmarc_dns_zone_new(out, &zone);
	if (rc != 0) {
		fprintf(stderr, "spfdmarc: %s\n", spfdmarc_strerror(rc));
		status = CLI_EXIT_FAIL;
		goto fail;
	}
	rc = spfdmarc_dns_zone_load(zone, text, len, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "spfdmarc: %s: %s\n", path, err);
		spfdmarc_dns_free(*out);
		*out = NULL;
		goto fail;
	}
	status = CLI_EXIT_OK;
fail:
	fclose(f);
	free(text);
	return status;
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
		return CLI_EXIT_USAGE;
	}
	if (r->zone_file != NULL) {
		if (r->nforwarders != 0 || r->nstubs != 0 ||
		    r->trust_anchor != NULL || r->unbound_conf != NULL) {
			fprintf(stderr, "spfdmarc: --zone answers from a file: "
			    "it does not go with --resolver, --stub, "
			    "--trust-anchor or --unbound-conf\n");
			return CLI_EXIT_USAGE;
		}
		return cli_zone_open(r->zone_file, out);
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
	if (rc != 0) {
		fprintf(stderr, "spfdmarc: resolver: %s\n",
		    err[0] != '\0' ? err : spfdmarc_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
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
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	while (*p != '\0') {
		size_t n = 0, k;

		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		for (k = 1; k <= n && (p[k] & 0xc0) == 0x80; k++)
			;
		/* Overlong and surrogate forms are left as bytes. */
		if (n > 0 && k > n && !(p[0] == 0xe0 && p[1] < 0xa0) &&
		    !(p[0] == 0xed && p[1] >= 0xa0) &&
		    !(p[0] == 0xf0 && p[1] < 0x90) &&
		    !(p[0] == 0xf4 && p[1] >= 0x90)) {
			fwrite(p, 1, n + 1, out);
			p += n + 1;
			continue;
		}
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
		p++;
	}
	putc('"', out);
}

/* One byte as the plain output shows it: itself, a doubled backslash, or \xHH. */
static const char *
cli_escape_byte(unsigned char ch, char tmp[5])
{
	if (ch == '\\')
		return "\\\\";
	if (ch >= 0x20 && ch < 0x7f) {
		tmp[0] = (char)ch;
		tmp[1] = '\0';
		return tmp;
	}
	(void)snprintf(tmp, 5, "\\x%02x", ch);
	return tmp;
}

void
cli_escape(struct spfdmarc_buf *b, const char *s, size_t len)
{
	char tmp[5];

	for (size_t i = 0; i < len; i++)
		(void)spfdmarc_buf_puts(b,
		    cli_escape_byte((unsigned char)s[i], tmp));
}

void
cli_fput_escaped(FILE *out, const char *s)
{
	char tmp[5];

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	    p++)
		fputs(cli_escape_byte(*p, tmp), out);
}
