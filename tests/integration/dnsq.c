/*
 * dnsq.c: a small dig for the integration tests. It takes the resolver
 * options every spfdmarc subcommand shares (cli/resolver.c), so the tests
 * drive --resolver, --trust-anchor, --stub, --no-dnssec, --timeout and
 * --unbound-conf exactly as the CLI parses and applies them.
 *
 *	dnsq [RESOLVER OPTIONS] NAME TYPE [NAME TYPE ...]
 *
 * For each query one line "NAME TYPE STATUS DNSSEC rcode=N ttl=N
 * wire=N", then "  rr: ..." per record, "  canon: NAME" after CNAMEs and
 * "  why: ..." for failures. All queries share one DNS context (one
 * --timeout budget) and are started at once. Exit 0 when every query got
 * an answer of some status, 64 on a usage error, 70 if the resolver could
 * not be set up.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "spfdmarc/dns.h"

static const struct {
	const char *name;
	enum spfdmarc_dns_type type;
} types[] = {
	{ "A", SPFDMARC_DNS_A }, { "NS", SPFDMARC_DNS_NS },
	{ "CNAME", SPFDMARC_DNS_CNAME }, { "PTR", SPFDMARC_DNS_PTR },
	{ "MX", SPFDMARC_DNS_MX }, { "TXT", SPFDMARC_DNS_TXT },
	{ "AAAA", SPFDMARC_DNS_AAAA }, { "SPF", SPFDMARC_DNS_SPF },
};

static bool
parse_type(const char *s, enum spfdmarc_dns_type *out)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(s, types[i].name) == 0) {
			*out = types[i].type;
			return true;
		}
	}
	return false;
}

static void
print_rr(const struct spfdmarc_dns_rr *rr)
{
	char addr[SPFDMARC_ADDR_STRLEN];

	fputs("  rr: ", stdout);
	switch (rr->type) {
	case SPFDMARC_DNS_A:
	case SPFDMARC_DNS_AAAA:
		if (spfdmarc_addr_format(&rr->u.addr, addr, sizeof(addr)) != 0)
			(void)strlcpy(addr, "?", sizeof(addr));
		fputs(addr, stdout);
		break;
	case SPFDMARC_DNS_MX:
		printf("%u %s", rr->u.mx.preference, rr->u.mx.exchange);
		break;
	case SPFDMARC_DNS_NS:
	case SPFDMARC_DNS_CNAME:
	case SPFDMARC_DNS_PTR:
		fputs(rr->u.name, stdout);
		break;
	case SPFDMARC_DNS_TXT:
	case SPFDMARC_DNS_SPF:
		printf("strings=%zu len=%zu ", rr->u.txt.nstrings,
		    rr->u.txt.len);
		cli_json_string(stdout, rr->u.txt.text);
		break;
	}
	putchar('\n');
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: dnsq [OPTIONS] NAME TYPE [NAME TYPE ...]\n%s",
	    CLI_RESOLVER_USAGE);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_RESOLVER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_resolver res;
	struct spfdmarc_dns *dns = NULL;
	struct spfdmarc_dns_ctx *ctx = NULL;
	enum spfdmarc_dns_type type;
	int c, n, rc = CLI_EXIT_OK;

	cli_resolver_init(&res);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		n = cli_resolver_option(&res, c, optarg);
		if (n < 0)
			return CLI_EXIT_USAGE;
		if (n == 0) {
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 || argc % 2 != 0) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i += 2) {
		if (!parse_type(argv[i + 1], &type)) {
			fprintf(stderr, "dnsq: unknown type '%s'\n", argv[i + 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (cli_resolver_open(&res, &dns) != 0)
		return CLI_EXIT_FAIL;
	ctx = cli_resolver_ctx(&res, dns);
	if (ctx == NULL) {
		fprintf(stderr, "dnsq: out of memory\n");
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	for (int i = 0; i < argc; i += 2) {
		(void)parse_type(argv[i + 1], &type);
		(void)spfdmarc_dns_start(ctx, argv[i], type);
	}
	for (int i = 0; i < argc; i += 2) {
		const struct spfdmarc_dns_answer *a;

		(void)parse_type(argv[i + 1], &type);
		a = spfdmarc_dns_lookup(ctx, argv[i], type);
		printf("%s %s %s %s rcode=%d ttl=%u wire=%zu\n", a->qname,
		    spfdmarc_dns_type_name(a->qtype),
		    spfdmarc_dns_status_name(a->status),
		    spfdmarc_dnssec_name(a->dnssec), a->rcode,
		    (unsigned)a->ttl, a->wire_size);
		if (a->canonname != NULL)
			printf("  canon: %s\n", a->canonname);
		for (size_t j = 0; j < a->count; j++)
			print_rr(&a->rr[j]);
		if (a->why != NULL)
			printf("  why: %s\n", a->why);
	}
out:
	fflush(stdout);
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
	return rc;
}
