/*
 * test_cursor.c: the bounds-checked reader (lib/cursor.h). Every read
 * checks what remains; the first failure is sticky and later reads are
 * no-ops with neutral values.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "cursor.h"
#include "tap.h"

static bool
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static void
test_empty(void)
{
	struct cursor c;
	const char *p = "x";
	char dst[1] = { 'z' };

	cursor_init(&c, NULL, 10);
	ok(cursor_ok(&c), "NULL input: ok");
	is_int((long long)cursor_left(&c), 0, "NULL input: length ignored, 0 left");
	ok(cursor_eof(&c), "NULL input: eof");
	ok(cursor_ptr(&c) != NULL, "NULL input: cursor_ptr is not NULL");
	ok(cursor_take(&c, 0, &p) && p != NULL,
	    "NULL input: take of 0 bytes ok, non-NULL pointer");
	ok(cursor_read(&c, NULL, 0), "NULL input: read of 0 bytes into NULL ok");
	is_int(cursor_peek(&c), -1, "NULL input: peek is -1");
	ok(cursor_ok(&c), "NULL input: still ok after peek");
	is_int(cursor_get(&c), -1, "NULL input: get is -1");
	ok(!cursor_ok(&c), "NULL input: get past end fails");

	cursor_init(&c, "", 0);
	ok(cursor_eof(&c) && cursor_ok(&c), "empty: eof and ok");
	ok(!cursor_accept(&c, 'a'), "empty: accept fails");
	ok(cursor_ok(&c), "empty: a failed accept is not an error");
	ok(!cursor_expect(&c, 'a'), "empty: expect fails");
	ok(!cursor_ok(&c), "empty: a failed expect is an error");
	ok(!cursor_read(&c, dst, 1) && dst[0] == 'z',
	    "after error: read fails, dst untouched");
}

static void
test_bytes(void)
{
	static const unsigned char in[] = { 'a', 'b', 0, 0xff, 'c' };
	struct cursor c;
	const char *p;

	cursor_init(&c, in, sizeof(in));
	is_int((long long)cursor_left(&c), 5, "5 left");
	is_int(cursor_peek(&c), 'a', "peek a");
	is_int(cursor_peek_at(&c, 3), 0xff, "peek_at 3 = 0xff (unsigned)");
	is_int(cursor_peek_at(&c, 4), 'c', "peek_at 4 = last byte");
	is_int(cursor_peek_at(&c, 5), -1, "peek_at 5 = -1 (one past the end)");
	is_int(cursor_peek_at(&c, (size_t)-1), -1, "peek_at SIZE_MAX = -1");
	ok(cursor_ok(&c), "peeks do not fail the cursor");
	is_int(cursor_get(&c), 'a', "get a");
	ok(cursor_accept(&c, 'b'), "accept b");
	ok(!cursor_accept(&c, -1), "accept(-1) never matches");
	is_int(cursor_get(&c), 0, "get NUL byte: input need not be a C string");
	is_int(cursor_get(&c), 0xff, "get 0xff as 255");
	ok(cursor_take(&c, 1, &p) && *p == 'c', "take the last byte");
	ok(cursor_eof(&c) && cursor_ok(&c), "at the end, still ok");
	ok(cursor_take(&c, 0, &p), "take 0 at the end is fine");
	ok(!cursor_take(&c, 1, &p) && p == NULL, "take 1 past the end fails, NULL");
	ok(!cursor_ok(&c), "sticky error");
	is_int(cursor_peek(&c), -1, "after error: peek -1");
	ok(!cursor_take(&c, 0, &p) && p == NULL, "after error: even take 0 fails");
	ok(!cursor_skip(&c, 0), "after error: even skip 0 fails");
	ok(!cursor_accept_str(&c, ""), "after error: accept_str(\"\") fails");
	ok(!cursor_accept_istr(&c, ""), "after error: accept_istr(\"\") fails");

	/* Off by one at the end: exactly what remains is fine, one more is not. */
	cursor_init(&c, in, sizeof(in));
	ok(cursor_skip(&c, 4), "skip 4 of 5");
	ok(!cursor_skip(&c, 2), "skip 2 with 1 left fails");
	is_int((long long)cursor_left(&c), 0, "failed cursor has 0 left");
	cursor_init(&c, in, sizeof(in));
	ok(cursor_skip(&c, 5) && cursor_eof(&c) && cursor_ok(&c),
	    "skip exactly all");
	cursor_init(&c, in, sizeof(in));
	ok(!cursor_skip(&c, (size_t)-1), "skip SIZE_MAX fails, no overflow");

	cursor_fail(&c);
	ok(!cursor_ok(&c), "cursor_fail marks the error");
}

static void
test_integers(void)
{
	static const unsigned char w[] = {
		0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0xff, 0x80,
	};
	struct cursor c;

	cursor_init(&c, w, sizeof(w));
	is_int(cursor_u16(&c), 0x1234, "u16 network order");
	is_int(cursor_u32(&c), 0xdeadbeefLL, "u32 network order, high bit set");
	is_int(cursor_u8(&c), 0xff, "u8 0xff");
	ok(cursor_ok(&c), "ok so far");
	is_int(cursor_u16(&c), 0, "u16 with one byte left: 0");
	ok(!cursor_ok(&c), "... and the error flag");
	is_int(cursor_u8(&c), 0, "after error: u8 is 0 (the byte is not read)");

	cursor_init(&c, w, 3);
	is_int(cursor_u32(&c), 0, "u32 with three bytes: 0");
	ok(!cursor_ok(&c), "... and fails");
	cursor_init(&c, w, 4);
	is_int(cursor_u32(&c), 0x1234dead, "u32 with exactly four bytes");
	ok(cursor_ok(&c) && cursor_eof(&c), "... ok at the end");
}

static void
test_text(void)
{
	struct cursor c;
	const char *s = "v=SPF1 include:x 123abc";

	cursor_init(&c, s, strlen(s));
	ok(!cursor_accept_str(&c, "v=spf1"), "accept_str is case-sensitive");
	ok(cursor_ok(&c), "a failed accept_str is not an error");
	ok(cursor_accept_istr(&c, "v=spf1"), "accept_istr ignores case");
	ok(cursor_accept(&c, ' '), "then a space");
	ok(cursor_accept_istr(&c, "INCLUDE:"), "accept_istr upper pattern");
	ok(cursor_accept(&c, 'x') && cursor_accept(&c, ' '), "x and space");
	is_int((long long)cursor_skip_while(&c, is_digit), 3, "skip_while digits: 3");
	is_str(cursor_ptr(&c), "abc", "ptr at abc");
	ok(!cursor_accept_str(&c, "abcd"), "accept_str longer than what is left");
	ok(cursor_ok(&c), "... not an error");
	ok(cursor_accept_str(&c, "abc"), "accept_str exactly what is left");
	ok(cursor_eof(&c), "eof");
	is_int((long long)cursor_skip_while(&c, is_digit), 0, "skip_while at eof: 0");

	/* Bounded: a NUL-less input, the length ends the read. */
	cursor_init(&c, "12345", 2);
	is_int((long long)cursor_skip_while(&c, is_digit), 2,
	    "skip_while stops at the length, not at a NUL");
	cursor_init(&c, "abc", 2);
	ok(!cursor_accept_str(&c, "abc"), "accept_str does not read past len");
	ok(!cursor_accept_istr(&c, "ABC"), "accept_istr does not read past len");
	ok(cursor_accept_str(&c, ""), "accept_str of the empty string");

	/* Non-ASCII bytes are not letters for accept_istr. */
	cursor_init(&c, "\xc3\xa9", 2);
	ok(!cursor_accept_istr(&c, "\xc3\x89"), "accept_istr folds ASCII only");
}

int
main(void)
{
	test_empty();
	test_bytes();
	test_integers();
	test_text();
	return done_testing();
}
