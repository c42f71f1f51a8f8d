/*
 * test_arena.c: the region allocator (spfdmarc/arena.h): alignment,
 * zero-size requests, the byte limit, overflow, reset and reuse.
 */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spfdmarc/arena.h"
#include "tap.h"

#define ALIGN	alignof(max_align_t)

static int
aligned(const void *p)
{
	return p != NULL && (uintptr_t)p % ALIGN == 0;
}

static int
all_bytes(const void *p, int v, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != (unsigned char)v)
			return 0;
	}
	return 1;
}

static void
test_basic(void)
{
	struct spfdmarc_arena *a = spfdmarc_arena_new(0);
	void *p, *q;
	int all_aligned = 1;

	ok(a != NULL, "new unlimited arena");
	is_int((long long)spfdmarc_arena_used(a), 0, "fresh arena: 0 used");

	p = spfdmarc_arena_alloc(a, 0);
	q = spfdmarc_arena_alloc(a, 0);
	ok(p != NULL && q != NULL, "0-byte allocations return pointers");
	ok(p != q, "0-byte allocations are unique");
	ok(aligned(p) && aligned(q), "0-byte allocations are aligned");
	ok(spfdmarc_arena_used(a) > 0, "0-byte allocations count as used");

	for (size_t n = 1; n <= 3 * 4096; n += n < 64 ? 1 : 97) {
		p = spfdmarc_arena_alloc(a, n);
		if (!aligned(p)) {
			all_aligned = 0;
			diag("size %zu: %p", n, p);
		}
		if (p != NULL)
			memset(p, 0xa5, n);	/* valgrind/ASan check the size */
	}
	ok(all_aligned, "every size from 1 to 12288 is aligned to %zu",
	    (size_t)ALIGN);

	ok(spfdmarc_arena_alloc(a, SIZE_MAX) == NULL, "SIZE_MAX: NULL");
	ok(spfdmarc_arena_alloc(a, SIZE_MAX - 1) == NULL,
	    "SIZE_MAX - 1: NULL (no wrap when rounding up)");
	ok(spfdmarc_arena_alloc(a, SIZE_MAX - ALIGN + 1) == NULL,
	    "SIZE_MAX - ALIGN + 1: NULL");
	ok(spfdmarc_arena_calloc(a, SIZE_MAX / 2 + 1, 2) == NULL,
	    "calloc overflow: NULL");
	ok(spfdmarc_arena_calloc(a, 0, 16) != NULL, "calloc 0 members: a pointer");
	ok(spfdmarc_arena_calloc(a, 16, 0) != NULL, "calloc size 0: a pointer");
	ok(spfdmarc_arena_strndup(a, "x", SIZE_MAX) == NULL,
	    "strndup of SIZE_MAX bytes: NULL");
	spfdmarc_arena_free(a);
	spfdmarc_arena_free(NULL);
	ok(1, "free(NULL) is allowed");
}

/* Allocations never overlap: fill each with its own byte, check later. */
static void
test_no_overlap(void)
{
	struct spfdmarc_arena *a = spfdmarc_arena_new(0);
	unsigned char *ptr[600];
	size_t len[600];
	int good = 1;

	for (size_t i = 0; i < 600; i++) {
		/* A mix of small, block-sized and dedicated-block sizes. */
		len[i] = i % 50 == 0 ? 5000 + i : i % 7 == 0 ? 1100 : i % 33;
		ptr[i] = spfdmarc_arena_alloc(a, len[i]);
		if (ptr[i] == NULL) {
			good = 0;
			break;
		}
		memset(ptr[i], (int)(i & 0xff), len[i]);
	}
	for (size_t i = 0; good && i < 600; i++) {
		if (!all_bytes(ptr[i], (int)(i & 0xff), len[i])) {
			diag("allocation %zu (%zu bytes) overwritten", i, len[i]);
			good = 0;
		}
	}
	ok(good, "600 mixed allocations keep their contents");
	spfdmarc_arena_free(a);
}

static void
test_limit(void)
{
	struct spfdmarc_arena *a = spfdmarc_arena_new(4 * ALIGN);
	void *p;

	ok(a != NULL, "arena limited to 4 alignment units");
	for (int i = 0; i < 4; i++)
		ok(spfdmarc_arena_alloc(a, ALIGN) != NULL, "unit %d fits", i + 1);
	is_int((long long)spfdmarc_arena_used(a), (long long)(4 * ALIGN),
	    "used is exactly the limit");
	ok(spfdmarc_arena_alloc(a, 1) == NULL, "1 more byte: over the limit");
	ok(spfdmarc_arena_alloc(a, 0) == NULL, "0 bytes at the limit: NULL too");
	ok(spfdmarc_arena_strdup(a, "") == NULL, "strdup at the limit: NULL");
	is_int((long long)spfdmarc_arena_used(a), (long long)(4 * ALIGN),
	    "failed requests do not count");
	spfdmarc_arena_reset(a);
	is_int((long long)spfdmarc_arena_used(a), 0, "reset: 0 used");
	ok(spfdmarc_arena_alloc(a, 4 * ALIGN) != NULL,
	    "after reset: the whole limit in one request");
	spfdmarc_arena_free(a);

	/* The limit counts bytes as rounded up to the alignment. */
	a = spfdmarc_arena_new(ALIGN);
	ok(spfdmarc_arena_alloc(a, 1) != NULL, "1 byte under a 1-unit limit");
	ok(spfdmarc_arena_alloc(a, 1) == NULL,
	    "a second byte: over (each request takes a whole unit)");
	spfdmarc_arena_free(a);

	a = spfdmarc_arena_new(ALIGN + 1);
	ok(spfdmarc_arena_alloc(a, ALIGN + 1) == NULL,
	    "a request of limit bytes that rounds past the limit: NULL");
	ok(spfdmarc_arena_alloc(a, ALIGN) != NULL, "... a smaller one fits");
	spfdmarc_arena_free(a);

	/* A big limit, a big request: dedicated blocks count the same way. */
	a = spfdmarc_arena_new(100000);
	p = spfdmarc_arena_alloc(a, 99999);
	ok(p != NULL, "one request just under a 100000 limit");
	ok(spfdmarc_arena_alloc(a, 100) == NULL, "then 100 more: over");
	spfdmarc_arena_free(a);
}

static void
test_strings(void)
{
	struct spfdmarc_arena *a = spfdmarc_arena_new(0);
	const char raw[] = { 'a', 'b', 'c' };	/* no NUL */
	char *s;

	s = spfdmarc_arena_strndup(a, raw, sizeof(raw));
	is_str(s, "abc", "strndup of a NUL-less array");
	s = spfdmarc_arena_strndup(a, raw, 2);
	is_str(s, "ab", "strndup of a prefix");
	s = spfdmarc_arena_strndup(a, NULL, 0);
	is_str(s, "", "strndup(NULL, 0) is the empty string");
	s = spfdmarc_arena_strndup(a, "a\0b", 3);
	ok(s != NULL && memcmp(s, "a\0b", 4) == 0,
	    "strndup copies embedded NULs and terminates");
	s = spfdmarc_arena_strdup(a, "");
	is_str(s, "", "strdup of the empty string");
	s = spfdmarc_arena_strdup(a, "hello");
	is_str(s, "hello", "strdup");
	spfdmarc_arena_free(a);
}

static void
test_zero_and_reset(void)
{
	struct spfdmarc_arena *a = spfdmarc_arena_new(0);
	unsigned char *p;
	void *big;

	spfdmarc_arena_reset(a);
	ok(spfdmarc_arena_used(a) == 0, "reset of an unused arena");

	/* Dirty memory, reset, then zalloc/calloc must clear it. */
	p = spfdmarc_arena_alloc(a, 512);
	memset(p, 0xff, 512);
	big = spfdmarc_arena_alloc(a, 10000);
	memset(big, 0xff, 10000);
	spfdmarc_arena_reset(a);
	is_int((long long)spfdmarc_arena_used(a), 0, "reset after a big block");
	p = spfdmarc_arena_zalloc(a, 512);
	ok(p != NULL && all_bytes(p, 0, 512), "zalloc zeroes reused memory");
	p = spfdmarc_arena_calloc(a, 64, 8);
	ok(p != NULL && all_bytes(p, 0, 512), "calloc zeroes");
	p = spfdmarc_arena_zalloc(a, 0);
	ok(p != NULL, "zalloc 0 bytes");
	big = spfdmarc_arena_zalloc(a, 10000);
	ok(big != NULL && all_bytes(big, 0, 10000), "zalloc big block");

	/* Reset many times: nothing leaks (valgrind/ASan say). */
	for (int i = 0; i < 100; i++) {
		(void)spfdmarc_arena_alloc(a, 3000);
		(void)spfdmarc_arena_alloc(a, 8000);
		spfdmarc_arena_reset(a);
	}
	ok(spfdmarc_arena_used(a) == 0, "100 fill/reset cycles");
	spfdmarc_arena_free(a);
}

int
main(void)
{
	test_basic();
	test_no_overlap();
	test_limit();
	test_strings();
	test_zero_and_reset();
	return done_testing();
}
