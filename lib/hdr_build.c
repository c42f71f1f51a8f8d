/*
 * hdr_build.c: safe builders for Authentication-Results (RFC 8601 §2.2)
 * and Received-SPF (RFC 7208 §9.1) field bodies, and the authserv-id
 * reader used to find forged Authentication-Results (RFC 8601 §5).
 *
 * Why the care: the values come from the SMTP peer. A CR or LF would
 * start a header of the attacker's choosing; a ';' or an unbalanced '('
 * or '"' would let a HELO name forge a "dkim=pass" clause that a
 * downstream DMARC evaluator believes. So each value is classified and
 * written only in a form whose syntax closes by construction.
 */
#include "config.h"

#include <string.h>

#include "cursor.h"
#include "export.h"
#include "spfdmarc/err.h"
#include "spfdmarc/hdr.h"

/* RFC 2045 §5.1 tspecials. */
static bool
hdr_is_tspecial(int c)
{
	return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* RFC 5322 §3.2.3 atext (ASCII only). */
static bool
hdr_is_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
hdr_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

SPFDMARC_PUBLIC bool
spfdmarc_hdr_is_token(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || hdr_is_tspecial(c))
			return false;
	}
	return true;
}

/* Non-empty runs of bytes that satisfy in_run, joined by single dots, no
 * dot at either end. */
static bool
hdr_is_dotted(const char *s, size_t len, bool (*in_run)(int c))
{
	bool after_dot = true;	/* no leading dot */

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (after_dot)
				return false;
			after_dot = true;
		} else if (in_run(c)) {
			after_dot = false;
		} else
			return false;
	}
	return !after_dot;
}

SPFDMARC_PUBLIC bool
spfdmarc_hdr_is_dot_atom(const char *s, size_t len)
{
	return hdr_is_dotted(s, len, hdr_is_atext);
}

SPFDMARC_PUBLIC bool
spfdmarc_hdr_is_keyword(const char *s, size_t len)
{
	if (len == 0 || !hdr_is_alnum((unsigned char)s[0]) ||
	    !hdr_is_alnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!hdr_is_alnum(c) && c != '-')
			return false;
	}
	return true;
}

/*
 * Length of the valid UTF-8 sequence at s[0..len) (2 to 4 bytes, no
 * overlong forms, no surrogates), or 0 if it is not one.
 */
static size_t
hdr_utf8_len(const unsigned char *s, size_t len)
{
	size_t n;
	unsigned min, cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4; cp = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Append s[0..len) with every byte that may not appear inside a quoted
 * string or comment made safe: the delimiters in esc get a backslash,
 * controls (CR, LF, NUL, ...) and invalid UTF-8 become '?'. A tab stays
 * (it is WSP); a run of them is harmless.
 */
static bool
hdr_put_escaped(struct spfdmarc_buf *b, const char *s, size_t len,
    const char *esc)
{
	const unsigned char *p = (const unsigned char *)s;
	bool ok = true;

	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];

		if (c >= 0x80) {
			size_t n = hdr_utf8_len(p + i, len - i);

			if (n == 0) {
				ok &= spfdmarc_buf_putc(b, '?');
				i++;
			} else {
				ok &= spfdmarc_buf_append(b, s + i, n);
				i += n;
			}
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			ok &= spfdmarc_buf_putc(b, '?');
		else if (strchr(esc, c) != NULL) {
			ok &= spfdmarc_buf_putc(b, '\\');
			ok &= spfdmarc_buf_putc(b, (char)c);
		} else
			ok &= spfdmarc_buf_putc(b, (char)c);
		i++;
	}
	return ok;
}

SPFDMARC_PUBLIC bool
spfdmarc_hdr_put_quoted(struct spfdmarc_buf *b, const char *s, size_t len)
{
	bool ok = spfdmarc_buf_putc(b, '"');

	ok &= hdr_put_escaped(b, s, len, "\"\\");
	ok &= spfdmarc_buf_putc(b, '"');
	return ok;
}

/* A domain-name as RFC 8601 pvalue allows it: dot-separated labels of
 * letters, digits, '-' and '_' (trailing dot not allowed). */
static bool
hdr_is_label_byte(int c)
{
	return hdr_is_alnum(c) || c == '-' || c == '_';
}

static bool
hdr_is_domain(const char *s, size_t len)
{
	return hdr_is_dotted(s, len, hdr_is_label_byte);
}

/* RFC 8601 pvalue: a token, [local-part] "@" domain-name, or a
 * quoted-string. */
static bool
hdr_put_pvalue(struct spfdmarc_buf *b, const char *s, size_t len)
{
	const char *at = len > 0 ? memrchr(s, '@', len) : NULL;

	if (spfdmarc_hdr_is_token(s, len))
		return spfdmarc_buf_append(b, s, len);
	if (at != NULL) {
		size_t llen = (size_t)(at - s);
		size_t dlen = len - llen - 1;

		if (hdr_is_domain(at + 1, dlen)) {
			bool ok = true;

			if (llen > 0 && spfdmarc_hdr_is_dot_atom(s, llen))
				ok &= spfdmarc_buf_append(b, s, llen);
			else if (llen > 0)
				ok &= spfdmarc_hdr_put_quoted(b, s, llen);
			ok &= spfdmarc_buf_putc(b, '@');
			ok &= spfdmarc_buf_append(b, at + 1, dlen);
			return ok;
		}
	}
	return spfdmarc_hdr_put_quoted(b, s, len);
}

static void
hdr_fail(struct spfdmarc_hdr *h, int err)
{
	if (h->err == 0)
		h->err = err;
}

static void
hdr_check(struct spfdmarc_hdr *h, bool ok)
{
	if (!ok)
		hdr_fail(h, h->buf->nomem ? SPFDMARC_ENOMEM : SPFDMARC_ETRUNC);
}

static bool
hdr_keyword_arg(struct spfdmarc_hdr *h, const char *s)
{
	if (s == NULL || !spfdmarc_hdr_is_keyword(s, strlen(s))) {
		hdr_fail(h, SPFDMARC_EINVAL);
		return false;
	}
	return true;
}

static size_t
hdr_value_len(struct spfdmarc_hdr *h, const char *s)
{
	size_t len = s == NULL ? 0 : strnlen(s, SPFDMARC_HDR_VALUE_MAX + 1);

	if (len > SPFDMARC_HDR_VALUE_MAX) {
		hdr_fail(h, SPFDMARC_ERANGE);
		len = SPFDMARC_HDR_VALUE_MAX;
	}
	return len;
}

/* Is fold whitespace that cannot end the field: [CR] LF or nothing,
 * then at least one space or tab, nothing else? */
static bool
hdr_fold_ok(const char *fold)
{
	const char *p = fold;

	if (*p == '\r')
		p++;
	if (*p == '\n')
		p++;
	else if (p != fold)
		return false;
	if (*p != ' ' && *p != '\t')
		return false;
	for (; *p != '\0'; p++)
		if (*p != ' ' && *p != '\t')
			return false;
	return true;
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_init(struct spfdmarc_hdr *h, struct spfdmarc_buf *buf,
    const char *fold)
{
	memset(h, 0, sizeof(*h));
	h->buf = buf;
	h->fold = fold == NULL ? " " : fold;
	h->first_kv = true;
	if (!hdr_fold_ok(h->fold)) {
		h->fold = " ";
		hdr_fail(h, SPFDMARC_EINVAL);
	}
}

SPFDMARC_PUBLIC int
spfdmarc_hdr_finish(const struct spfdmarc_hdr *h)
{
	if (h->err != 0)
		return h->err;
	if (!spfdmarc_buf_ok(h->buf))
		return h->buf->nomem ? SPFDMARC_ENOMEM : SPFDMARC_ETRUNC;
	return 0;
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_ar_begin(struct spfdmarc_hdr *h, const char *authserv_id)
{
	size_t len = hdr_value_len(h, authserv_id);

	if (len == 0) {
		hdr_fail(h, SPFDMARC_EINVAL);
		return;
	}
	if (spfdmarc_hdr_is_token(authserv_id, len))
		hdr_check(h, spfdmarc_buf_append(h->buf, authserv_id, len));
	else
		hdr_check(h, spfdmarc_hdr_put_quoted(h->buf, authserv_id,
		    len));
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_ar_method(struct spfdmarc_hdr *h, const char *method,
    const char *result)
{
	if (!hdr_keyword_arg(h, method) || !hdr_keyword_arg(h, result))
		return;
	hdr_check(h, spfdmarc_buf_printf(h->buf, ";%s%s=%s", h->fold, method,
	    result));
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_ar_prop(struct spfdmarc_hdr *h, const char *ptype,
    const char *property, const char *value)
{
	size_t len;

	if (!hdr_keyword_arg(h, ptype) || !hdr_keyword_arg(h, property))
		return;
	len = hdr_value_len(h, value);
	hdr_check(h, spfdmarc_buf_printf(h->buf, " %s.%s=", ptype, property));
	hdr_check(h, hdr_put_pvalue(h->buf, value == NULL ? "" : value, len));
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_ar_none(struct spfdmarc_hdr *h)
{
	hdr_check(h, spfdmarc_buf_printf(h->buf, ";%snone", h->fold));
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_comment(struct spfdmarc_hdr *h, const char *text)
{
	size_t len = hdr_value_len(h, text);

	hdr_check(h, spfdmarc_buf_puts(h->buf, " ("));
	hdr_check(h, hdr_put_escaped(h->buf, text == NULL ? "" : text, len,
	    "()\\"));
	hdr_check(h, spfdmarc_buf_putc(h->buf, ')'));
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_rspf_begin(struct spfdmarc_hdr *h, const char *result)
{
	if (!hdr_keyword_arg(h, result))
		return;
	hdr_check(h, spfdmarc_buf_puts(h->buf, result));
}

SPFDMARC_PUBLIC void
spfdmarc_hdr_rspf_kv(struct spfdmarc_hdr *h, const char *key,
    const char *value)
{
	size_t len;

	if (!hdr_keyword_arg(h, key))
		return;
	len = hdr_value_len(h, value);
	if (value == NULL)
		value = "";
	hdr_check(h, spfdmarc_buf_printf(h->buf, "%s%s=",
	    h->first_kv ? h->fold : " ", key));
	h->first_kv = false;
	/* RFC 7208 §9.1: dot-atom / quoted-string. */
	if (spfdmarc_hdr_is_dot_atom(value, len))
		hdr_check(h, spfdmarc_buf_append(h->buf, value, len));
	else
		hdr_check(h, spfdmarc_hdr_put_quoted(h->buf, value, len));
	hdr_check(h, spfdmarc_buf_putc(h->buf, ';'));
}

/* Skip CFWS: whitespace, line breaks and (nested) comments. A comment
 * left open is a syntax error. */
static void
hdr_skip_cfws(struct cursor *c)
{
	for (;;) {
		int ch = cursor_peek(c);

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			(void)cursor_get(c);
		} else if (ch == '(') {
			unsigned depth = 0;

			do {
				ch = cursor_get(c);
				if (ch == '\\')
					(void)cursor_get(c);
				else if (ch == '(')
					depth++;
				else if (ch == ')')
					depth--;
			} while (cursor_ok(c) && depth > 0);
		} else
			return;
	}
}

SPFDMARC_PUBLIC int
spfdmarc_hdr_ar_authserv_id(const char *value, size_t len, char *out,
    size_t size)
{
	struct cursor c;
	size_t n = 0;
	bool range = false;

	if (size == 0)
		return SPFDMARC_EINVAL;
	out[0] = '\0';
	cursor_init(&c, value, len);
	hdr_skip_cfws(&c);
	if (!cursor_ok(&c) || cursor_eof(&c))
		return SPFDMARC_ESYNTAX;
	if (cursor_accept(&c, '"')) {
		for (;;) {
			int ch = cursor_get(&c);

			if (!cursor_ok(&c))
				return SPFDMARC_ESYNTAX;
			if (ch == '"')
				break;
			if (ch == '\\')
				ch = cursor_get(&c);
			if (ch == '\r' || ch == '\n')
				continue;	/* folding inside the string */
			if (!cursor_ok(&c) || ch == '\0')
				return SPFDMARC_ESYNTAX;
			if (n + 1 < size)
				out[n++] = (char)ch;
			else
				range = true;
		}
	} else {
		while (!cursor_eof(&c)) {
			int ch = cursor_peek(&c);

			if (ch <= 0x20 || ch >= 0x7f || hdr_is_tspecial(ch))
				break;
			(void)cursor_get(&c);
			if (n + 1 < size)
				out[n++] = (char)ch;
			else
				range = true;
		}
	}
	out[n] = '\0';
	if (range)
		return SPFDMARC_ERANGE;
	return n == 0 ? SPFDMARC_ESYNTAX : 0;
}
