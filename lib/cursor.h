/*
 * cursor.h: a bounds-checked reader over a byte string.
 *
 * Every parser in the library reads input through a cursor. Each read
 * checks what remains; a read past the end sets the sticky error flag,
 * and after the first error every read is a no-op that returns a neutral
 * value. A parser checks cursor_ok() once where a decision depends on it.
 * The input need not be NUL-terminated.
 */
#ifndef SPFDMARC_CURSOR_H
#define SPFDMARC_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const unsigned char *p;
	size_t len;
	size_t pos;
	bool err;
};

static inline void
cursor_init(struct cursor *c, const void *p, size_t len)
{
	/* A NULL input reads as empty. Point at a real byte so that no
	 * arithmetic is ever done on a null pointer (UB, and UBSan says so). */
	static const unsigned char nothing[1];

	c->p = p == NULL ? nothing : p;
	c->len = p == NULL ? 0 : len;
	c->pos = 0;
	c->err = false;
}

static inline bool
cursor_ok(const struct cursor *c)
{
	return !c->err;
}

/* Mark the cursor failed (a parser found malformed input). */
static inline void
cursor_fail(struct cursor *c)
{
	c->err = true;
}

static inline size_t
cursor_left(const struct cursor *c)
{
	return c->err ? 0 : c->len - c->pos;
}

static inline bool
cursor_eof(const struct cursor *c)
{
	return cursor_left(c) == 0;
}

/* Pointer to the current position (valid for cursor_left() bytes). */
static inline const char *
cursor_ptr(const struct cursor *c)
{
	return (const char *)c->p + c->pos;
}

/* The next byte without consuming it, or -1 at the end or after an error. */
static inline int
cursor_peek(const struct cursor *c)
{
	return cursor_left(c) > 0 ? c->p[c->pos] : -1;
}

/* The byte at offset off from the current position, or -1. */
static inline int
cursor_peek_at(const struct cursor *c, size_t off)
{
	return off < cursor_left(c) ? c->p[c->pos + off] : -1;
}

/* Consume and return the next byte; -1 (and the error flag) at the end. */
static inline int
cursor_get(struct cursor *c)
{
	if (cursor_left(c) == 0) {
		c->err = true;
		return -1;
	}
	return c->p[c->pos++];
}

/* Consume the next byte if it is ch. */
static inline bool
cursor_accept(struct cursor *c, int ch)
{
	if (cursor_peek(c) != ch || ch < 0)
		return false;
	c->pos++;
	return true;
}

/* Consume ch or fail. */
static inline bool
cursor_expect(struct cursor *c, int ch)
{
	if (cursor_accept(c, ch))
		return true;
	c->err = true;
	return false;
}

/* Skip n bytes, or fail if fewer remain (or the cursor has failed). */
static inline bool
cursor_skip(struct cursor *c, size_t n)
{
	if (c->err || cursor_left(c) < n) {
		c->err = true;
		return false;
	}
	c->pos += n;
	return true;
}

/* Take n bytes: *out points at them. Fails (and *out = NULL) if fewer
 * remain or the cursor has failed, even for n == 0. */
static inline bool
cursor_take(struct cursor *c, size_t n, const char **out)
{
	if (c->err || cursor_left(c) < n) {
		c->err = true;
		*out = NULL;
		return false;
	}
	*out = (const char *)c->p + c->pos;
	c->pos += n;
	return true;
}

/* Copy n bytes into dst. */
static inline bool
cursor_read(struct cursor *c, void *dst, size_t n)
{
	const char *src;

	if (!cursor_take(c, n, &src))
		return false;
	if (n != 0)	/* dst may be NULL for n == 0 */
		memcpy(dst, src, n);
	return true;
}

/* Network-order integers (DNS wire format). */
static inline uint8_t
cursor_u8(struct cursor *c)
{
	int v = cursor_get(c);

	return v < 0 ? 0 : (uint8_t)v;
}

static inline uint16_t
cursor_u16(struct cursor *c)
{
	unsigned char b[2];

	if (!cursor_read(c, b, 2))
		return 0;
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
cursor_u32(struct cursor *c)
{
	unsigned char b[4];

	if (!cursor_read(c, b, 4))
		return 0;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Consume bytes while pred(byte) holds; returns how many. */
static inline size_t
cursor_skip_while(struct cursor *c, bool (*pred)(int))
{
	size_t n = 0;

	while (cursor_left(c) > 0 && pred(c->p[c->pos])) {
		c->pos++;
		n++;
	}
	return n;
}

/* Consume the literal s (case-sensitive) if it comes next. */
static inline bool
cursor_accept_str(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if (c->err || cursor_left(c) < n || memcmp(c->p + c->pos, s, n) != 0)
		return false;
	c->pos += n;
	return true;
}

/* Consume the literal s ignoring ASCII case if it comes next. */
static inline bool
cursor_accept_istr(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if (c->err || cursor_left(c) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char a = c->p[c->pos + i], b = (unsigned char)s[i];

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	c->pos += n;
	return true;
}

#endif
