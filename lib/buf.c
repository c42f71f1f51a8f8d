/*
 * buf.c: the bounded growable text buffer (see spfdmarc/buf.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "spfdmarc/buf.h"

#define BUF_MIN_CAP 64

SPFDMARC_PUBLIC void
spfdmarc_buf_init(struct spfdmarc_buf *b, struct spfdmarc_arena *arena,
    size_t max)
{
	b->empty[0] = '\0';
	b->data = b->empty;
	b->len = 0;
	b->cap = 1;
	b->max = max == 0 ? SIZE_MAX - 1 : max;
	b->arena = arena;
	b->fixed = false;
	b->truncated = false;
	b->nomem = false;
}

SPFDMARC_PUBLIC void
spfdmarc_buf_init_fixed(struct spfdmarc_buf *b, char *mem, size_t size)
{
	spfdmarc_buf_init(b, NULL, 0);
	if (size == 0) {
		/* Nothing can be stored; keep the internal empty string. */
		b->max = 0;
		b->fixed = true;
		return;
	}
	b->data = mem;
	b->data[0] = '\0';
	b->cap = size;
	b->max = size - 1;
	b->fixed = true;
}

SPFDMARC_PUBLIC void
spfdmarc_buf_release(struct spfdmarc_buf *b)
{
	if (!b->fixed && b->arena == NULL && b->data != b->empty)
		free(b->data);
	b->empty[0] = '\0';
	b->data = b->empty;
	b->len = 0;
	b->cap = 1;
}

SPFDMARC_PUBLIC void
spfdmarc_buf_reset(struct spfdmarc_buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
	b->truncated = false;
	b->nomem = false;
}

SPFDMARC_PUBLIC void
spfdmarc_buf_truncate(struct spfdmarc_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/* Make room for want more bytes of text; returns how many fit. */
static size_t
buf_reserve(struct spfdmarc_buf *b, size_t want)
{
	size_t room = b->max - b->len;	/* text bytes the limit allows */
	size_t need, cap;
	char *p;

	if (want > room) {
		b->truncated = true;
		want = room;
	}
	if (b->len + want < b->cap)
		return want;
	if (b->fixed)
		return b->cap - 1 - b->len;	/* cannot happen: max = cap - 1 */

	need = b->len + want + 1;
	cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap - 1 > b->max)
		cap = b->max + 1;

	if (b->arena != NULL) {
		p = spfdmarc_arena_alloc(b->arena, cap);
		if (p != NULL)
			memcpy(p, b->data, b->len + 1);
	} else if (b->data == b->empty) {
		p = malloc(cap);
		if (p != NULL)
			p[0] = '\0';
	} else {
		p = realloc(b->data, cap);
	}
	if (p == NULL) {
		b->nomem = true;
		return b->cap - 1 - b->len;
	}
	b->data = p;
	b->cap = cap;
	return want;
}

SPFDMARC_PUBLIC bool
spfdmarc_buf_append(struct spfdmarc_buf *b, const char *s, size_t n)
{
	size_t fit = buf_reserve(b, n);

	if (fit != 0)
		memcpy(b->data + b->len, s, fit);
	b->len += fit;
	b->data[b->len] = '\0';
	/* This append's outcome; the sticky flags keep the earlier ones. */
	return fit == n;
}

SPFDMARC_PUBLIC bool
spfdmarc_buf_putc(struct spfdmarc_buf *b, char c)
{
	return spfdmarc_buf_append(b, &c, 1);
}

SPFDMARC_PUBLIC bool
spfdmarc_buf_puts(struct spfdmarc_buf *b, const char *s)
{
	return spfdmarc_buf_append(b, s, strlen(s));
}

SPFDMARC_PUBLIC bool
spfdmarc_buf_vprintf(struct spfdmarc_buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	int n;
	bool ok;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->truncated = true;
		return false;
	}
	if ((size_t)n < sizeof(small))
		return spfdmarc_buf_append(b, small, (size_t)n);

	/* Longer: format in place after reserving room. */
	{
		size_t fit = buf_reserve(b, (size_t)n);

		va_copy(ap2, ap);
		/* vsnprintf writes at most fit bytes and a NUL. */
		(void)vsnprintf(b->data + b->len, fit + 1, fmt, ap2);
		va_end(ap2);
		b->len += fit;
		b->data[b->len] = '\0';
		ok = fit == (size_t)n;
	}
	return ok;
}

SPFDMARC_PUBLIC bool
spfdmarc_buf_printf(struct spfdmarc_buf *b, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = spfdmarc_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return ok;
}
