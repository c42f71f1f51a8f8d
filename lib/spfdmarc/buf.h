/*
 * spfdmarc/buf.h: a bounded, growable text buffer.
 *
 * A buffer never holds more than its limit. An append that does not fit
 * stores what fits and sets the sticky "truncated" flag; an allocation
 * failure sets the sticky "nomem" flag. Callers build a whole text and
 * check once at the end with spfdmarc_buf_ok(). The text is always
 * NUL-terminated, even after a failure.
 *
 * Storage comes from an arena, from malloc, or from a fixed array the
 * caller owns.
 */
#ifndef SPFDMARC_BUF_H
#define SPFDMARC_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

struct spfdmarc_buf {
	char *data;		/* NUL-terminated text; never NULL after init */
	size_t len;		/* bytes of text, without the NUL */
	size_t cap;		/* bytes allocated, the NUL included */
	size_t max;		/* most bytes of text it may hold */
	struct spfdmarc_arena *arena;	/* NULL: malloc or fixed storage */
	bool fixed;		/* data is the caller's array */
	bool truncated;		/* sticky: some text did not fit */
	bool nomem;		/* sticky: an allocation failed */
	char empty[1];		/* storage before the first allocation */
};

/* Growable: storage from arena (or malloc if NULL), at most max bytes of
 * text (0: no limit beyond memory). */
void spfdmarc_buf_init(struct spfdmarc_buf *b, struct spfdmarc_arena *arena,
    size_t max);

/* Fixed: the text lives in mem[size], at most size - 1 bytes. size > 0. */
void spfdmarc_buf_init_fixed(struct spfdmarc_buf *b, char *mem, size_t size);

/* Free malloc'ed storage; the buffer must be initialized again before use. */
void spfdmarc_buf_release(struct spfdmarc_buf *b);

/* Empty the text and clear the flags; storage is kept. */
void spfdmarc_buf_reset(struct spfdmarc_buf *b);

/* Shorten the text to len bytes (no-op if already shorter). */
void spfdmarc_buf_truncate(struct spfdmarc_buf *b, size_t len);

/* Appends return true when everything was stored. */
bool spfdmarc_buf_putc(struct spfdmarc_buf *b, char c);
bool spfdmarc_buf_append(struct spfdmarc_buf *b, const char *s, size_t n);
bool spfdmarc_buf_puts(struct spfdmarc_buf *b, const char *s);
bool spfdmarc_buf_printf(struct spfdmarc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool spfdmarc_buf_vprintf(struct spfdmarc_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The text (always NUL-terminated). */
static inline const char *
spfdmarc_buf_str(const struct spfdmarc_buf *b)
{
	return b->data;
}

/* True when nothing was truncated and no allocation failed. */
static inline bool
spfdmarc_buf_ok(const struct spfdmarc_buf *b)
{
	return !b->truncated && !b->nomem;
}

#ifdef __cplusplus
}
#endif

#endif
