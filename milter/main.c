/*
 * main.c: spfdmarc-milter, a placeholder until the milter lands.
 *
 * It takes the options the real milter will take, says plainly that it
 * is a placeholder and which socket it would listen on, and exits 0, so
 * the README's quick start and packaging can be exercised today. The
 * milter issue replaces this file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define DEFAULT_CONFIG	"/etc/spfdmarc/spfdmarc.conf"
#define DEFAULT_SOCKET	"unix:/run/spfdmarc/spfdmarc.sock"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: spfdmarc-milter [-fhn] [-c file] [-p socket]\n"
	    "  -f         stay in the foreground\n"
	    "  -c file    configuration file (default %s)\n"
	    "  -n         check the configuration and exit\n"
	    "  -p socket  milter socket (default %s)\n"
	    "  -h         this help\n", DEFAULT_CONFIG, DEFAULT_SOCKET);
}

int
main(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	const char *sock = DEFAULT_SOCKET;
	int foreground = 0, check_only = 0, ch;

	while ((ch = getopt(argc, argv, "c:fhnp:")) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'n':
			check_only = 1;
			break;
		case 'p':
			sock = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	printf("%s %s: PLACEHOLDER - the milter is not written yet.\n",
	    "spfdmarc-milter", PACKAGE_VERSION);
	if (check_only) {
		printf("It would check the configuration in %s; "
		    "nothing was checked.\n", config);
		return EXIT_SUCCESS;
	}
	printf("It would read %s and listen on %s%s.\n", config, sock,
	    foreground ? " in the foreground" : "");
	printf("Nothing is listening: the MTA must not be pointed at it yet.\n");
	return EXIT_SUCCESS;
}
