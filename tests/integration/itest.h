/*
 * itest.h: small helpers shared by the integration test programs
 * (header-only, on top of tests/unit/tap.h).
 *
 * The programs read the DNS world from the environment that
 * tests/integration/world/dnsworld.sh writes (DIR/env) and the scripts
 * export; run directly without it, they skip.
 */
#ifndef SPFDMARC_ITEST_H
#define SPFDMARC_ITEST_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../unit/tap.h"

/* An environment variable, or NULL when unset or empty. */
static const char *itest_env(const char *name) __attribute__((unused));
static const char *
itest_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Monotonic milliseconds. */
static long long itest_now_ms(void) __attribute__((unused));
static long long
itest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Print a TAP skip plan; the caller returns 0. */
static int itest_skip(const char *why) __attribute__((unused));
static int
itest_skip(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	return 0;
}

#endif
