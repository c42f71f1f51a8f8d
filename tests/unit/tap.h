/*
 * tap.h: a minimal TAP producer for the unit tests (header-only).
 *
 *	plan_lazy();  ok(cond, "name %d", i);  is_int(got, want, "name");
 *	is_str(got, want, "name");  return done_testing();
 *
 * Failures print the values on '#' diagnostic lines. done_testing()
 * prints the plan and returns the process exit status.
 */
#ifndef SPFDMARC_TAP_H
#define SPFDMARC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

static void tap_vok(int pass, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void
tap_vok(int pass, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
}

static int ok(int pass, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), unused));
static int
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	return pass;
}

static int is_int(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), unused));
static int
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got: %lld\n#  want: %lld\n", got, want);
	return got == want;
}

static int is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), unused));
static int
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int pass = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got: '%s'\n#  want: '%s'\n",
		    got ? got : "(null)", want ? want : "(null)");
	return pass;
}

static void diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), unused));
static void
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int done_testing(void) __attribute__((unused));
static int
done_testing(void)
{
	printf("1..%d\n", tap_run);
	if (tap_failed)
		printf("# failed %d of %d\n", tap_failed, tap_run);
	fflush(stdout);
	return tap_failed == 0 && tap_run > 0 ? 0 : 1;
}

#endif
