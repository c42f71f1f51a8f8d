/*
 * fuzz.h: shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput(). Built with
 * --enable-fuzzers (clang), libFuzzer supplies main(); otherwise
 * tests/fuzz/replay.c does, and runs every file of the target's seed
 * corpus once, as an ordinary `make check` test.
 *
 * A target checks the invariants its API promises (no CR/LF in a field
 * that reaches a header, lengths within their limits...). A violation is
 * a bug like a crash: FUZZ_ASSERT() prints it and aborts, which both
 * libFuzzer and the replay report with the input that caused it.
 */
#ifndef SPFDMARC_FUZZ_H
#define SPFDMARC_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, what) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz invariant violated: %s (%s) at "	\
		    "%s:%d\n", (what), #cond, __FILE__, __LINE__);	\
		abort();						\
	}								\
} while (0)

/* Does s[0..len) hold a byte that must never reach a header or a log
 * line: NUL, CR, LF? */
static inline bool
fuzz_has_crlfnul(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

/* A NUL-terminated field of a fixed array: terminated inside it, and
 * without CR or LF. */
static inline bool
fuzz_field_clean(const char *field, size_t size)
{
	size_t len = strnlen(field, size);

	return len < size && !fuzz_has_crlfnul(field, len);
}

/*
 * Cut data into at most max pieces at each occurrence of sep (one byte).
 * Pieces are NUL-terminated copies in one malloc'ed block (*block, free
 * it); lens[i] their lengths. Returns the number of pieces (>= 1), or 0
 * when out of memory.
 */
static inline size_t
fuzz_split(const uint8_t *data, size_t size, char sep, char **pieces,
    size_t *lens, size_t max, char **block)
{
	char *b = malloc(size + max + 1);
	size_t n = 0, start = 0, o = 0;

	*block = b;
	if (b == NULL || max == 0)
		return 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && (data[i] != (uint8_t)sep || n == max - 1))
			continue;
		pieces[n] = b + o;
		lens[n] = i - start;
		if (lens[n] > 0)
			memcpy(b + o, data + start, lens[n]);
		o += lens[n];
		b[o++] = '\0';
		n++;
		start = i + 1;
	}
	return n;
}

#endif
