/*
 * main.c: the spfdmarc command-line tool: dispatch to a subcommand.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int, char **);
	const char *what;
} commands[] = {
	{ "spf", cmd_spf, "evaluate SPF for a client IP and sender" },
	{ "dmarc", cmd_dmarc, "discover and evaluate the DMARC policy of a From domain" },
	{ "check", cmd_check, "audit a domain's SPF and DMARC set-up" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: spfdmarc COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-6s %s\n", commands[i].name, commands[i].what);
	fprintf(out, "\n'spfdmarc COMMAND --help' describes each; see spfdmarc(1).\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("spfdmarc %s\n", PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "spfdmarc: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
