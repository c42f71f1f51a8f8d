/*
 * spf_macro.c: SPF macro strings, RFC 7208 §7 (syntax §7.1, expansion
 * rules §7.3, examples §7.4), and domain-spec to target name (§4.8).
 *
 * One tokenizer serves the parse-time check and the expansion, so what is
 * accepted is exactly what can be expanded. Every read goes through a
 * cursor; every write through a bounded buffer.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "spf_macro.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

enum macro_tok_kind {
	TOK_END = 0,
	TOK_LITERAL,		/* a run of macro-literal bytes */
	TOK_SPACE,		/* one SP (explain-string only) */
	TOK_ESCAPE,		/* %% %_ %- */
	TOK_MACRO,		/* %{...} */
	TOK_ERROR,
};

struct macro_tok {
	enum macro_tok_kind kind;
	size_t pos;		/* offset where the token starts */
	const char *text;	/* LITERAL, SPACE: the bytes; ESCAPE: expansion */
	size_t len;
	char letter;		/* MACRO: lower-case letter */
	bool upper;		/* MACRO: URL-escape the result */
	unsigned parts;		/* MACRO: DIGIT transformer, 0 if none */
	bool reverse;		/* MACRO: "r" transformer */
	char delims[8];		/* MACRO: delimiters, NUL-terminated */
	const char *why;	/* ERROR */
};

static bool
macro_is_literal(int ch)
{
	/* macro-literal = %x21-24 / %x26-7E */
	return ch >= 0x21 && ch <= 0x7e && ch != '%';
}

static bool
macro_is_delim(int ch)
{
	return ch >= 0 && ch != '\0' && strchr(".-+,/_=", ch) != NULL;
}

static bool
macro_letter_ok(char lower, unsigned flags, const char **why)
{
	/* strchr() finds a NUL too: "%{" followed by a NUL byte is no
	 * letter (it passed the check and failed only at expansion). */
	if (lower == '\0') {
		*why = "unknown macro letter";
		return false;
	}
	if (strchr("slodiphv", lower) != NULL)
		return true;
	if (strchr("crt", lower) != NULL) {
		if (flags & SPF_MACRO_EXPLAIN)
			return true;
		*why = "macro letters c, r and t are allowed only in "
		    "explanation text";
		return false;
	}
	*why = "unknown macro letter";
	return false;
}

/* The part of a macro-expand after "%{". */
static void
macro_read_expand(struct cursor *c, unsigned flags, struct macro_tok *t)
{
	int ch = cursor_get(c);
	size_t nd = 0;
	bool digits = false;

	if (ch < 0) {
		t->kind = TOK_ERROR;
		t->why = "macro not closed by '}'";
		return;
	}
	t->upper = ch >= 'A' && ch <= 'Z';
	t->letter = (char)(t->upper ? ch - 'A' + 'a' : ch);
	if (!macro_letter_ok(t->letter, flags, &t->why)) {
		t->kind = TOK_ERROR;
		return;
	}
	t->parts = 0;
	while (cursor_peek(c) >= '0' && cursor_peek(c) <= '9') {
		digits = true;
		t->parts = t->parts * 10 + (unsigned)(cursor_get(c) - '0');
		if (t->parts > SPF_MACRO_PARTS_MAX) {
			t->kind = TOK_ERROR;
			t->why = "macro transformer above 128";
			return;
		}
	}
	if (digits && t->parts == 0) {
		/* §7.3: "If a DIGIT is specified, the value MUST be nonzero." */
		t->kind = TOK_ERROR;
		t->why = "macro transformer 0";
		return;
	}
	t->reverse = cursor_accept(c, 'r') || cursor_accept(c, 'R');
	while (macro_is_delim(cursor_peek(c))) {
		int d = cursor_get(c);

		/* Seven delimiters exist; repeats add nothing. */
		if (memchr(t->delims, d, nd) == NULL &&
		    nd < sizeof(t->delims) - 1)
			t->delims[nd++] = (char)d;
	}
	t->delims[nd] = '\0';
	if (!cursor_accept(c, '}')) {
		t->kind = TOK_ERROR;
		t->why = cursor_eof(c) ? "macro not closed by '}'" :
		    "unexpected character in macro";
		return;
	}
	t->kind = TOK_MACRO;
}

/* The next token of a macro-string (or explain-string). */
static void
macro_next(struct cursor *c, unsigned flags, struct macro_tok *t)
{
	int ch;

	memset(t, 0, sizeof(*t));
	t->pos = c->pos;
	if (cursor_eof(c)) {
		t->kind = TOK_END;
		return;
	}
	ch = cursor_peek(c);
	if (ch == '%') {
		(void)cursor_get(c);
		ch = cursor_get(c);
		switch (ch) {
		case '%':
			t->kind = TOK_ESCAPE;
			t->text = "%";
			t->len = 1;
			return;
		case '_':
			t->kind = TOK_ESCAPE;
			t->text = " ";
			t->len = 1;
			return;
		case '-':
			t->kind = TOK_ESCAPE;
			t->text = "%20";
			t->len = 3;
			return;
		case '{':
			macro_read_expand(c, flags, t);
			return;
		case -1:
			t->kind = TOK_ERROR;
			t->why = "'%' at the end";
			return;
		default:
			/* §7.1: a '%' not followed by '{', '%', '-' or '_'. */
			t->kind = TOK_ERROR;
			t->why = "'%' not followed by '{', '%', '_' or '-'";
			return;
		}
	}
	if (ch == ' ' && (flags & SPF_MACRO_EXPLAIN)) {
		t->kind = TOK_SPACE;
		t->text = cursor_ptr(c);
		t->len = 1;
		(void)cursor_get(c);
		return;
	}
	if (!macro_is_literal(ch)) {
		t->kind = TOK_ERROR;
		t->why = ch == ' ' ? "space in a macro-string" :
		    "control or non-ASCII character";
		return;
	}
	t->kind = TOK_LITERAL;
	t->text = cursor_ptr(c);
	while (macro_is_literal(cursor_peek(c))) {
		(void)cursor_get(c);
		t->len++;
	}
}

/*
 * toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
 * i.e. LDH, no hyphen at either end, and not all digits (RFC 3696 §2).
 */
static bool
macro_toplabel_ok(const char *s, size_t len)
{
	bool alpha = false, hyphen = false;

	if (len == 0 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
			alpha = true;
		else if (ch == '-')
			hyphen = true;
		else if (!(ch >= '0' && ch <= '9'))
			return false;
	}
	return alpha || hyphen;
}

int
spf_macro_check(const char *s, size_t len, unsigned flags, size_t *errpos,
    const char **why)
{
	struct cursor c;
	struct macro_tok t, last;
	size_t dot;

	*errpos = 0;
	*why = NULL;
	memset(&last, 0, sizeof(last));
	cursor_init(&c, s, len);
	for (;;) {
		macro_next(&c, flags, &t);
		if (t.kind == TOK_END)
			break;
		if (t.kind == TOK_ERROR) {
			*errpos = t.pos;
			*why = t.why;
			return SPFDMARC_ESYNTAX;
		}
		last = t;
	}
	if (!(flags & SPF_MACRO_DOMAIN))
		return 0;

	/* domain-end = ( "." toplabel [ "." ] ) / macro-expand */
	if (last.kind == TOK_END) {
		*why = "empty domain-spec";
		return SPFDMARC_ESYNTAX;
	}
	if (last.kind == TOK_MACRO || last.kind == TOK_ESCAPE)
		return 0;
	/* A literal run ends the spec: it must hold "." toplabel [ "." ]. */
	if (last.len > 0 && last.text[last.len - 1] == '.')
		last.len--;
	for (dot = last.len; dot > 0 && last.text[dot - 1] != '.'; dot--)
		;
	if (dot == 0) {
		*errpos = last.pos;
		*why = "domain-spec does not end in a macro or a dot and a "
		    "top-level label";
		return SPFDMARC_ESYNTAX;
	}
	if (!macro_toplabel_ok(last.text + dot, last.len - dot)) {
		*errpos = last.pos + dot;
		*why = "invalid top-level label in domain-spec";
		return SPFDMARC_ESYNTAX;
	}
	return 0;
}

bool
spf_macro_uses_ptr(const char *s, size_t len)
{
	struct cursor c;
	struct macro_tok t;

	cursor_init(&c, s, len);
	for (;;) {
		macro_next(&c, SPF_MACRO_EXPLAIN, &t);
		if (t.kind == TOK_END || t.kind == TOK_ERROR)
			return false;
		if (t.kind == TOK_MACRO && t.letter == 'p')
			return true;
	}
}

void
spf_macro_ip_dotted(const struct spfdmarc_addr *ip, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	struct spfdmarc_buf b;

	spfdmarc_buf_init_fixed(&b, out, size);
	if (ip->family == SPFDMARC_AF_INET) {
		(void)spfdmarc_buf_printf(&b, "%u.%u.%u.%u", ip->bytes[0],
		    ip->bytes[1], ip->bytes[2], ip->bytes[3]);
		return;
	}
	for (int i = 0; i < 16; i++) {
		if (i > 0)
			(void)spfdmarc_buf_putc(&b, '.');
		(void)spfdmarc_buf_putc(&b, hex[ip->bytes[i] >> 4]);
		(void)spfdmarc_buf_putc(&b, '.');
		(void)spfdmarc_buf_putc(&b, hex[ip->bytes[i] & 0xf]);
	}
}

/* Append s[0..n), URL-escaped (RFC 3986 unreserved kept) if escape. */
static void
macro_emit(struct spfdmarc_buf *out, const char *s, size_t n, bool escape)
{
	static const char hex[] = "0123456789ABCDEF";

	if (!escape) {
		(void)spfdmarc_buf_append(out, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char enc[3];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			(void)spfdmarc_buf_putc(out, (char)ch);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[ch >> 4];
		enc[2] = hex[ch & 0xf];
		(void)spfdmarc_buf_append(out, enc, 3);
	}
}

/* Bounds of part k (0-based) of value split on delims. */
static void
macro_part(const char *value, size_t len, const char *delims, size_t k,
    size_t *start, size_t *end)
{
	size_t i = 0, part = 0;

	*start = 0;
	for (; i < len; i++) {
		if (strchr(delims, value[i]) == NULL || value[i] == '\0')
			continue;
		if (part == k)
			break;
		part++;
		*start = i + 1;
	}
	*end = i;
}

/*
 * §7.3: split on the delimiters (default "."), reverse if asked, keep the
 * rightmost parts, join with ".". No special case for empty parts.
 */
static void
macro_transform(struct spfdmarc_buf *out, const struct macro_tok *t,
    const char *value)
{
	const char *delims = t->delims[0] != '\0' ? t->delims : ".";
	size_t len = strlen(value), nparts = 1, keep, s, e;

	for (size_t i = 0; i < len; i++) {
		if (strchr(delims, value[i]) != NULL)
			nparts++;
	}
	keep = t->parts == 0 || t->parts > nparts ? nparts : t->parts;
	if (!t->reverse) {
		/* Parts nparts-keep .. nparts-1, in order. */
		for (size_t k = nparts - keep; k < nparts; k++) {
			macro_part(value, len, delims, k, &s, &e);
			if (k != nparts - keep)
				(void)spfdmarc_buf_putc(out, '.');
			macro_emit(out, value + s, e - s, t->upper);
		}
		return;
	}
	/* Reversed, the rightmost keep parts are the original's first keep
	 * parts, last one first. */
	for (size_t k = keep; k > 0; k--) {
		macro_part(value, len, delims, k - 1, &s, &e);
		if (k != keep)
			(void)spfdmarc_buf_putc(out, '.');
		macro_emit(out, value + s, e - s, t->upper);
	}
}

static const char *
macro_or_unknown(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "unknown";
}

int
spf_macro_expand(const struct spf_macro_vars *v, const char *s, size_t len,
    unsigned flags, struct spfdmarc_buf *out)
{
	char tmp[SPFDMARC_ADDR_REVLEN];
	struct cursor c;
	struct macro_tok t;
	const char *value;

	cursor_init(&c, s, len);
	for (;;) {
		macro_next(&c, flags, &t);
		if (t.kind == TOK_END)
			break;
		if (t.kind == TOK_ERROR)
			return SPFDMARC_ESYNTAX;
		if (t.kind != TOK_MACRO) {
			(void)spfdmarc_buf_append(out, t.text, t.len);
			continue;
		}
		switch (t.letter) {
		case 's':
			value = v->sender;
			break;
		case 'l':
			value = v->local;
			break;
		case 'o':
			value = v->sender_domain;
			break;
		case 'd':
			value = v->domain;
			break;
		case 'i':
			spf_macro_ip_dotted(v->ip, tmp, sizeof(tmp));
			value = tmp;
			break;
		case 'c':
			if (spfdmarc_addr_format(v->ip, tmp, sizeof(tmp)) != 0)
				tmp[0] = '\0';
			value = tmp;
			break;
		case 'v':
			value = v->ip->family == SPFDMARC_AF_INET ?
			    "in-addr" : "ip6";
			break;
		case 'h':
			value = macro_or_unknown(v->helo);
			break;
		case 'r':
			value = macro_or_unknown(v->receiver);
			break;
		case 't':
			(void)snprintf(tmp, sizeof(tmp), "%lld",
			    (long long)v->now);
			value = tmp;
			break;
		case 'p':
			value = v->ptr_name != NULL ?
			    v->ptr_name(v->ptr_arg) : NULL;
			value = macro_or_unknown(value);
			break;
		default:
			return SPFDMARC_ESYNTAX;
		}
		if (value == NULL)
			value = "";
		macro_transform(out, &t, value);
	}
	if (out->nomem)
		return SPFDMARC_ENOMEM;
	return out->truncated ? SPFDMARC_ETRUNC : 0;
}

int
spf_macro_domain(const struct spf_macro_vars *v,
    struct spfdmarc_arena *arena, const char *s, size_t len, char *out,
    size_t outsize)
{
	struct spfdmarc_buf b;
	const char *name;
	size_t n;
	int rc;

	if (outsize < SPFDMARC_DNAME_BUFSIZE)
		return SPFDMARC_EINVAL;
	out[0] = '\0';
	spfdmarc_buf_init(&b, arena, SPF_MACRO_EXPAND_MAX);
	rc = spf_macro_expand(v, s, len, 0, &b);
	if (rc == SPFDMARC_ETRUNC)
		return SPFDMARC_ERANGE;
	if (rc != 0)
		return rc;
	name = spfdmarc_buf_str(&b);
	n = b.len;
	/* §7.3: a trailing dot is not part of the name. */
	if (n > 0 && name[n - 1] == '.')
		n--;
	/* §7.3: over 253, remove labels from the left until it fits. */
	while (n > SPFDMARC_DNAME_MAX) {
		const char *dot = memchr(name, '.', n);

		if (dot == NULL)
			return SPFDMARC_ESYNTAX;
		n -= (size_t)(dot + 1 - name);
		name = dot + 1;
	}
	if (n == 0 || spfdmarc_dname_check(name, n, 0) != 0)
		return SPFDMARC_ESYNTAX;
	memcpy(out, name, n);
	out[n] = '\0';
	return 0;
}
