/*
 * cli.h: the spfdmarc command-line tool's shared parts: subcommands and
 * the resolver options every subcommand takes.
 */
#ifndef SPFDMARC_CLI_H
#define SPFDMARC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "spfdmarc/buf.h"
#include "spfdmarc/dns.h"

#define CLI_EXIT_OK	0
#define CLI_EXIT_USAGE	64	/* EX_USAGE */
#define CLI_EXIT_FAIL	70	/* EX_SOFTWARE: the tool itself failed */

#define CLI_RESOLVER_MAX 16

/* The resolver options, shared by every subcommand. */
struct cli_resolver {
	const char *forwarders[CLI_RESOLVER_MAX];
	size_t nforwarders;
	const char *stubs[CLI_RESOLVER_MAX];	/* --stub ZONE=HOST@PORT */
	size_t nstubs;
	const char *trust_anchor;
	const char *unbound_conf;
	const char *zone_file;	/* --zone: answer from a file, no DNS */
	bool no_dnssec;
	unsigned timeout_ms;
};

/* Option codes above any short option character. */
enum {
	CLI_OPT_RESOLVER = 1000,
	CLI_OPT_STUB,
	CLI_OPT_TRUST_ANCHOR,
	CLI_OPT_UNBOUND_CONF,
	CLI_OPT_NO_DNSSEC,
	CLI_OPT_TIMEOUT,
	CLI_OPT_ZONE,
	CLI_OPT_FIRST_FREE = 1100,	/* subcommands' own long options */
};

#define CLI_RESOLVER_LONGOPTS \
	{ "resolver", required_argument, NULL, CLI_OPT_RESOLVER }, \
	{ "stub", required_argument, NULL, CLI_OPT_STUB }, \
	{ "trust-anchor", required_argument, NULL, CLI_OPT_TRUST_ANCHOR }, \
	{ "unbound-conf", required_argument, NULL, CLI_OPT_UNBOUND_CONF }, \
	{ "no-dnssec", no_argument, NULL, CLI_OPT_NO_DNSSEC }, \
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT }, \
	{ "zone", required_argument, NULL, CLI_OPT_ZONE }

#define CLI_RESOLVER_USAGE \
	"  --resolver ADDR[@PORT]  forward to this server, an IPv4 or IPv6\n" \
	"                          address (repeatable); answers are still\n" \
	"                          validated here\n" \
	"  --trust-anchor FILE     DNSSEC trust anchor (DS/DNSKEY file)\n" \
	"  --unbound-conf FILE     apply this unbound.conf to the resolver\n" \
	"  --no-dnssec             do not validate\n" \
	"  --timeout SECONDS       time budget of the whole evaluation (5)\n" \
	"  --stub ZONE=ADDR[@PORT] send queries for ZONE to this server\n" \
	"                          (repeatable; for test set-ups)\n" \
	"  --zone FILE             answer from this zone file, not from DNS\n" \
	"                          (the text format of spfdmarc/dns_zone.h)\n"

void cli_resolver_init(struct cli_resolver *r);

/* Handle a resolver option: 1 handled, 0 not a resolver option, -1 bad
 * value (a message was printed). */
int cli_resolver_option(struct cli_resolver *r, int opt, const char *arg);

/*
 * Create the resolver: the zone file of --zone, or libunbound with the
 * other options. Prints what went wrong and returns an exit code:
 * CLI_EXIT_OK, CLI_EXIT_USAGE (a bad zone file, contradicting options) or
 * CLI_EXIT_FAIL (the resolver could not be created).
 */
int cli_resolver_open(const struct cli_resolver *r, struct spfdmarc_dns **out);

/* A DNS context with the --timeout budget. */
struct spfdmarc_dns_ctx *cli_resolver_ctx(const struct cli_resolver *r,
    struct spfdmarc_dns *dns);

/*
 * Write s as a JSON string literal, or null for NULL. Valid UTF-8 passes
 * through; any other byte becomes the code point of the same value (read
 * as Latin-1), so the output is valid JSON (RFC 8259 §8.1) whatever DNS
 * or a header held.
 */
void cli_json_string(FILE *out, const char *s);

/* Append s[0..len) to b with \\ and \xHH escapes: printable ASCII on one
 * line, whatever the input held. */
void cli_escape(struct spfdmarc_buf *b, const char *s, size_t len);

/* The same, written to out. */
void cli_fput_escaped(FILE *out, const char *s);

/* Subcommands: argv[0] is the subcommand's name. Return an exit code. */
int cmd_spf(int argc, char **argv);
int cmd_dmarc(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
