/*
 * tap.h: a minimal TAP producer for the unit tests (header-only).
 *
 *	ok(cond, "name %d", i);  is_int(got, want, "name");
 *	is_str(got, want, "name");  is_mem(got, glen, want, wlen, "name");
 *	todo_start("why"); ...; todo_end();
 *	return done_testing();
 *
 * Failures print the values on '#' diagnostic lines. Between todo_start()
 * and todo_end() results carry a "# TODO" directive: a failure there is
 * an expected failure (XFAIL), a pass is reported by automake as XPASS,
 * which fails the suite, so a fixed bug forces its TODO to be removed.
 * done_testing() prints the plan and returns the process exit status.
 */
#ifndef SPFDMARC_TAP_H
#define SPFDMARC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;
static const char *tap_todo;

static void tap_vok(int pass, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void
tap_vok(int pass, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass && tap_todo == NULL)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	if (tap_todo != NULL)
		printf(" # TODO %s", tap_todo);
	putchar('\n');
}

static void todo_start(const char *why) __attribute__((unused));
static void
todo_start(const char *why)
{
	tap_todo = why;
}

static void todo_end(void) __attribute__((unused));
static void
todo_end(void)
{
	tap_todo = NULL;
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

static void tap_dump(const char *label, const void *p, size_t len)
    __attribute__((unused));
static void
tap_dump(const char *label, const void *p, size_t len)
{
	const unsigned char *b = p;

	printf("# %6s: (%zu bytes) ", label, len);
	if (p == NULL)
		fputs("(null)", stdout);
	for (size_t i = 0; p != NULL && i < len && i < 64; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			putchar(b[i]);
		else
			printf("\\x%02x", b[i]);
	}
	putchar('\n');
}

/* Byte strings that may hold NULs. */
static int is_mem(const void *got, size_t glen, const void *want,
    size_t wlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6), unused));
static int
is_mem(const void *got, size_t glen, const void *want, size_t wlen,
    const char *fmt, ...)
{
	va_list ap;
	int pass = got != NULL && want != NULL && glen == wlen &&
	    (glen == 0 || memcmp(got, want, glen) == 0);

	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_dump("got", got, glen);
		tap_dump("want", want, wlen);
	}
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
