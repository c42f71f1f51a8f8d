/*
 * cmd_spf.c: 'spfdmarc spf'. Placeholder until its issue lands.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int
cmd_spf(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "spfdmarc: '%s' is not implemented yet\n", argv[0]);
	return CLI_EXIT_FAIL;
}
