/*
 * test_buf.c: the bounded growable buffer (spfdmarc/buf.h): the limit
 * exactly and one over, the sticky flags, fixed storage of size 1 and 0,
 * long printf, arena storage running out.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "spfdmarc/arena.h"
#include "spfdmarc/buf.h"
#include "tap.h"

static void
test_growable(void)
{
	struct spfdmarc_buf b;
	char big[1000];

	spfdmarc_buf_init(&b, NULL, 0);
	is_str(spfdmarc_buf_str(&b), "", "fresh buffer: empty string");
	is_int((long long)b.len, 0, "fresh buffer: len 0");
	ok(spfdmarc_buf_ok(&b), "fresh buffer: ok");
	ok(spfdmarc_buf_append(&b, NULL, 0), "append of 0 bytes (NULL source)");
	ok(spfdmarc_buf_puts(&b, ""), "puts of the empty string");
	is_str(spfdmarc_buf_str(&b), "", "still empty");
	ok(spfdmarc_buf_puts(&b, "hello"), "puts hello");
	ok(spfdmarc_buf_putc(&b, ' '), "putc space");
	ok(spfdmarc_buf_printf(&b, "%s=%d", "n", 42), "printf");
	is_str(spfdmarc_buf_str(&b), "hello n=42", "text");
	is_int((long long)b.len, 10, "len 10");

	/* Longer than printf's internal 256-byte scratch. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(spfdmarc_buf_printf(&b, "[%s]", big), "printf of 1001 bytes");
	is_int((long long)b.len, 10 + 1001, "len after long printf");
	ok(b.data[10] == '[' && b.data[1010] == ']' && b.data[1011] == '\0',
	    "long printf text in place, NUL-terminated");

	/* Grow a lot: many reallocations. */
	for (int i = 0; i < 10000; i++)
		(void)spfdmarc_buf_putc(&b, (char)('a' + i % 26));
	is_int((long long)b.len, 1011 + 10000, "10000 putc");
	ok(spfdmarc_buf_ok(&b) && b.data[b.len] == '\0', "ok and terminated");

	ok(spfdmarc_buf_putc(&b, '\0'), "putc of a NUL byte");
	is_int((long long)b.len, 11012, "a NUL byte counts in len");

	spfdmarc_buf_truncate(&b, 5);
	is_str(spfdmarc_buf_str(&b), "hello", "truncate to 5");
	spfdmarc_buf_truncate(&b, 100);
	is_str(spfdmarc_buf_str(&b), "hello", "truncate longer: no-op");
	spfdmarc_buf_truncate(&b, 0);
	is_str(spfdmarc_buf_str(&b), "", "truncate to 0");
	spfdmarc_buf_reset(&b);
	ok(spfdmarc_buf_puts(&b, "again") && b.len == 5, "reset and reuse");
	spfdmarc_buf_release(&b);
	is_str(spfdmarc_buf_str(&b), "", "release leaves an empty string");

	/* Release of a buffer that never allocated. */
	spfdmarc_buf_init(&b, NULL, 0);
	spfdmarc_buf_release(&b);
	ok(1, "release of an unused buffer");
}

static void
test_limit(void)
{
	struct spfdmarc_buf b;
	char text[400];

	/* Exactly at the limit. */
	spfdmarc_buf_init(&b, NULL, 5);
	ok(spfdmarc_buf_append(&b, "12345", 5), "5 bytes into max 5");
	ok(spfdmarc_buf_ok(&b), "exactly at max: ok");
	ok(spfdmarc_buf_append(&b, "", 0), "0 more bytes at max: fine");
	ok(spfdmarc_buf_ok(&b), "still ok");
	ok(!spfdmarc_buf_putc(&b, '6'), "one byte over: false");
	ok(b.truncated && !spfdmarc_buf_ok(&b), "truncated flag set");
	is_str(spfdmarc_buf_str(&b), "12345", "text kept at max");
	spfdmarc_buf_truncate(&b, 2);
	ok(spfdmarc_buf_puts(&b, "ab"), "after truncate, an append that fits");
	ok(!spfdmarc_buf_ok(&b), "truncated flag is sticky across appends");
	is_str(spfdmarc_buf_str(&b), "12ab", "text");
	spfdmarc_buf_reset(&b);
	ok(spfdmarc_buf_ok(&b), "reset clears the flag");
	spfdmarc_buf_release(&b);

	/* One over in a single append: what fits is stored. */
	spfdmarc_buf_init(&b, NULL, 5);
	ok(!spfdmarc_buf_puts(&b, "123456"), "6 bytes into max 5: false");
	is_str(spfdmarc_buf_str(&b), "12345", "first 5 stored");
	ok(!spfdmarc_buf_ok(&b), "not ok");
	spfdmarc_buf_release(&b);

	/* printf, short path, over the limit. */
	spfdmarc_buf_init(&b, NULL, 10);
	ok(!spfdmarc_buf_printf(&b, "%lld", 123456789012LL), "printf 12 digits into max 10");
	is_str(spfdmarc_buf_str(&b), "1234567890", "first 10 stored");
	spfdmarc_buf_release(&b);

	/* printf, long path (over 256 bytes), exactly at and over the limit. */
	memset(text, 'y', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	spfdmarc_buf_init(&b, NULL, 399);
	ok(spfdmarc_buf_printf(&b, "%s", text), "399-byte printf into max 399");
	ok(spfdmarc_buf_ok(&b) && b.len == 399, "exactly at max");
	spfdmarc_buf_release(&b);
	spfdmarc_buf_init(&b, NULL, 398);
	ok(!spfdmarc_buf_printf(&b, "%s", text), "399-byte printf into max 398");
	ok(b.len == 398 && b.data[398] == '\0' && !spfdmarc_buf_ok(&b),
	    "398 stored, terminated, truncated");
	spfdmarc_buf_release(&b);

	/* An encoding error from vsnprintf (a non-ASCII wide character in
	 * the C locale) fails the buffer and stores nothing. */
	spfdmarc_buf_init(&b, NULL, 0);
	(void)spfdmarc_buf_puts(&b, "ab");
	ok(!spfdmarc_buf_printf(&b, "%lc", (wint_t)0xe9),
	    "printf encoding error: false");
	ok(!spfdmarc_buf_ok(&b), "... and the buffer is not ok");
	is_str(spfdmarc_buf_str(&b), "ab", "... the text is unchanged");
	spfdmarc_buf_release(&b);
}

static void
test_fixed(void)
{
	struct spfdmarc_buf b;
	char one[1] = { 'Q' };
	char four[4];
	char big[300];
	char text[400];

	spfdmarc_buf_init_fixed(&b, one, sizeof(one));
	ok(b.data == one && one[0] == '\0', "size 1: uses the array, terminated");
	ok(spfdmarc_buf_puts(&b, ""), "size 1: empty append fits");
	ok(spfdmarc_buf_ok(&b), "size 1: ok");
	ok(!spfdmarc_buf_putc(&b, 'a'), "size 1: one byte does not fit");
	ok(one[0] == '\0' && b.len == 0, "size 1: still empty, terminated");
	ok(!spfdmarc_buf_ok(&b), "size 1: truncated");
	ok(!spfdmarc_buf_printf(&b, "%d", 7), "size 1: printf does not fit");
	ok(one[0] == '\0', "size 1: terminated after printf");
	spfdmarc_buf_release(&b);	/* must not free the caller's array */
	ok(1, "release of fixed storage");

	spfdmarc_buf_init_fixed(&b, four, sizeof(four));
	ok(spfdmarc_buf_puts(&b, "abc"), "size 4: 3 bytes fit");
	ok(spfdmarc_buf_ok(&b), "size 4: exactly full, ok");
	ok(!spfdmarc_buf_putc(&b, 'd'), "size 4: a 4th byte does not");
	is_str(four, "abc", "size 4: text in the array");

	spfdmarc_buf_init_fixed(&b, four, sizeof(four));
	ok(!spfdmarc_buf_puts(&b, "abcd"), "size 4: 4 bytes at once: false");
	is_str(four, "abc", "size 4: 3 stored");

	spfdmarc_buf_init_fixed(&b, NULL, 0);
	is_str(spfdmarc_buf_str(&b), "", "size 0: an empty string, array not touched");
	ok(!spfdmarc_buf_putc(&b, 'a'), "size 0: nothing fits");
	is_str(spfdmarc_buf_str(&b), "", "size 0: still empty");
	ok(!spfdmarc_buf_printf(&b, "%s", "long enough to exceed nothing"),
	    "size 0: printf fails");

	/* Long printf into a fixed array. */
	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memset(big, '#', sizeof(big));
	spfdmarc_buf_init_fixed(&b, big, sizeof(big));
	ok(!spfdmarc_buf_printf(&b, "%s", text), "399 bytes into a 300-byte array");
	ok(b.len == 299 && big[299] == '\0' && big[298] == 'z',
	    "299 stored and terminated in place");
}

static void
test_arena(void)
{
	struct spfdmarc_arena *a = spfdmarc_arena_new(0);
	struct spfdmarc_arena *small;
	struct spfdmarc_buf b;
	char chunk[100];

	spfdmarc_buf_init(&b, a, 0);
	for (int i = 0; i < 1000; i++)
		(void)spfdmarc_buf_puts(&b, "0123456789");
	ok(spfdmarc_buf_ok(&b) && b.len == 10000, "arena storage grows to 10000");
	ok(b.data[9999] == '9' && b.data[10000] == '\0', "text intact");
	spfdmarc_buf_release(&b);	/* the arena owns the memory */
	spfdmarc_arena_free(a);

	/* An arena that runs out: nomem is sticky, text stays consistent. */
	small = spfdmarc_arena_new(128);
	memset(chunk, 'c', sizeof(chunk));
	spfdmarc_buf_init(&b, small, 0);
	ok(spfdmarc_buf_append(&b, chunk, 100), "100 bytes in a 128-byte arena");
	ok(!spfdmarc_buf_append(&b, chunk, 100), "100 more: the arena is full");
	ok(b.nomem && !spfdmarc_buf_ok(&b), "nomem set");
	ok(b.len < 200 && b.data[b.len] == '\0', "stored a prefix, terminated");
	spfdmarc_buf_truncate(&b, 10);
	ok(spfdmarc_buf_putc(&b, 'x'),
	    "after nomem, an append that fits the storage returns true");
	ok(!spfdmarc_buf_ok(&b), "... but nomem stays set");
	spfdmarc_buf_reset(&b);
	ok(spfdmarc_buf_ok(&b), "reset clears nomem");
	spfdmarc_arena_free(small);

	/* An arena full before the first byte. */
	small = spfdmarc_arena_new(16);
	(void)spfdmarc_arena_alloc(small, 16);
	spfdmarc_buf_init(&b, small, 0);
	ok(!spfdmarc_buf_putc(&b, 'a'), "no storage at all: false");
	is_str(spfdmarc_buf_str(&b), "", "still a valid empty string");
	ok(b.nomem, "nomem");
	spfdmarc_arena_free(small);
}

int
main(void)
{
	test_growable();
	test_limit();
	test_fixed();
	test_arena();
	return done_testing();
}
