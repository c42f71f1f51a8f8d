/*
 * rfc5322.c: From field parsing and the Author Domain (spfdmarc/rfc5322.h).
 *
 * RFC 5322 §3.2.2 (unfolding, comments, CFWS), §3.2.3 (atoms), §3.2.4
 * (quoted strings), §3.4 (addresses), §4.4 (obsolete addressing); RFC
 * 6532 §3.2 (UTF-8 in atoms and quoted strings); RFC 2047 §2, §4, §5(3)
 * and §6.2 (encoded words in display names); RFC 9989 §5.3.1 (one Author
 * Domain, A-labels).
 *
 * A lexer turns the unfolded value into tokens (atoms, quoted strings,
 * domain literals, specials), dropping comments; a small recursive
 * descent parser reads mailboxes from them. Because quoted strings and
 * comments are whole tokens, an '@', '<' or '>' inside them can never be
 * taken for structure.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "cursor.h"
#include "export.h"
#include "spfdmarc/buf.h"
#include "spfdmarc/err.h"
#include "spfdmarc/rfc5322.h"

#define RFC5322_DOMAIN_TEXT_MAX	(4 * SPFDMARC_DNAME_BUFSIZE)	/* UTF-8 */

/* --- domains ------------------------------------------------------------- */

SPFDMARC_PUBLIC int
spfdmarc_rfc5322_domain_normalize(const char *in, size_t len, char *out,
    size_t size, unsigned flags)
{
	char tmp[RFC5322_DOMAIN_TEXT_MAX];
	bool ascii = true;

	if (in == NULL || out == NULL || size < SPFDMARC_DNAME_BUFSIZE)
		return SPFDMARC_EINVAL;
	if (len > 1 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return SPFDMARC_ESYNTAX;
	if (len >= sizeof(tmp))
		return SPFDMARC_ERANGE;
	if (memchr(in, '\0', len) != NULL)
		return SPFDMARC_ESYNTAX;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)in[i] >= 0x80)
			ascii = false;
	}
	if (ascii) {
		if (len >= size)
			return SPFDMARC_ERANGE;
		memcpy(out, in, len);
		out[len] = '\0';
	} else {
		/* RFC 9989 §5.3.1: U-labels become A-labels. */
		char *alabel = NULL;
		int rc;

		memcpy(tmp, in, len);
		tmp[len] = '\0';
		rc = idn2_to_ascii_8z(tmp, &alabel,
		    IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK || alabel == NULL) {
			idn2_free(alabel);
			return SPFDMARC_ESYNTAX;
		}
		if (strlcpy(out, alabel, size) >= size) {
			idn2_free(alabel);
			return SPFDMARC_ERANGE;
		}
		idn2_free(alabel);
		len = strlen(out);
	}
	spfdmarc_dname_lower(out, len);
	return spfdmarc_dname_check(out, len, flags);
}

/* --- unfolding ----------------------------------------------------------- */

/*
 * Unfold value into out (RFC 5322 §3.2.2: CRLF before WSP is removed; a
 * bare LF before WSP too, as milters may hand over LF-folded values). A
 * CR or LF anywhere else, or a NUL, is an error. A final line end is
 * dropped. Returns 0 or ESYNTAX/ERANGE with why.
 */
static int
rfc5322_unfold(const char *v, size_t len, char *out, size_t *outlen,
    const char **why)
{
	size_t o = 0;

	if (len > SPFDMARC_RFC5322_FIELD_MAX) {
		*why = "field longer than the limit";
		return SPFDMARC_ERANGE;
	}
	if (len >= 2 && v[len - 2] == '\r' && v[len - 1] == '\n')
		len -= 2;
	else if (len >= 1 && v[len - 1] == '\n')
		len -= 1;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (c == '\0') {
			*why = "NUL byte";
			return SPFDMARC_ESYNTAX;
		}
		if (c == '\r' && i + 2 < len && v[i + 1] == '\n' &&
		    (v[i + 2] == ' ' || v[i + 2] == '\t')) {
			i++;
			continue;
		}
		if (c == '\n' && i + 1 < len &&
		    (v[i + 1] == ' ' || v[i + 1] == '\t'))
			continue;
		if (c == '\r' || c == '\n') {
			*why = "CR or LF not part of a fold";
			return SPFDMARC_ESYNTAX;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

/* --- the lexer ------------------------------------------------------------ */

enum rfc5322_tok_kind {
	TOK_EOF = 0,
	TOK_ATOM,		/* atext run (or one encoded word) */
	TOK_QSTRING,		/* p/len: the content between the quotes */
	TOK_DLIT,		/* p/len: "[...]" with the brackets */
	TOK_SPECIAL,		/* c */
	TOK_ERROR,
};

struct rfc5322_tok {
	enum rfc5322_tok_kind kind;
	const char *p;		/* token text */
	size_t len;
	const char *start;	/* where the token starts (quotes included) */
	const char *end;	/* just after it */
	char c;
	bool encoded;		/* an atom that is an RFC 2047 encoded word */
};

struct rfc5322_lexer {
	struct cursor c;
	struct rfc5322_tok tok;	/* the current (peeked) token */
	bool have;
	const char *why;	/* first error */
};

static bool
rfc5322_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* atext (RFC 5322 §3.2.3) plus UTF-8 bytes (RFC 6532 §3.2). */
static bool
rfc5322_is_atext(int c)
{
	if (c < 0)
		return false;
	if (c >= 0x80)
		return true;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
rfc5322_is_ctl(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

/* Skip CFWS: white space and (nested) comments with quoted-pairs. */
static bool
rfc5322_skip_cfws(struct rfc5322_lexer *lx)
{
	struct cursor *c = &lx->c;

	for (;;) {
		int depth = 0;

		(void)cursor_skip_while(c, rfc5322_is_wsp);
		if (cursor_peek(c) != '(')
			return true;
		do {
			int ch = cursor_get(c);

			if (ch < 0) {
				lx->why = "unterminated comment";
				return false;
			}
			if (ch == '\\') {
				if (cursor_get(c) < 0) {
					lx->why = "unterminated comment";
					return false;
				}
			} else if (ch == '(') {
				depth++;
			} else if (ch == ')') {
				depth--;
			} else if (rfc5322_is_ctl(ch)) {
				lx->why = "control character in a comment";
				return false;
			}
		} while (depth > 0);
	}
}

/*
 * An RFC 2047 encoded word at the cursor: "=?" charset "?" encoding "?"
 * text "?=", no white space, no '?' inside the parts. Returns its length
 * or 0. Taken whole, so a (malformed) special inside it cannot split it.
 */
static size_t
rfc5322_encoded_word_len(const struct cursor *c)
{
	size_t left = cursor_left(c), i = 2, parts = 0;
	const unsigned char *p = (const unsigned char *)cursor_ptr(c);

	if (left < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	while (i < left && parts < 3) {
		size_t start = i;

		while (i < left && p[i] != '?' && p[i] > 0x20 && p[i] < 0x7f)
			i++;
		if (i >= left || p[i] != '?')
			return 0;
		if (i == start && parts < 2)
			return 0;	/* empty charset or encoding */
		parts++;
		i++;
	}
	if (parts != 3 || i >= left || p[i] != '=')
		return 0;
	return i + 1;
}

static void
rfc5322_lex(struct rfc5322_lexer *lx)
{
	struct cursor *c = &lx->c;
	struct rfc5322_tok *t = &lx->tok;
	int ch;

	memset(t, 0, sizeof(*t));
	if (!rfc5322_skip_cfws(lx)) {
		t->kind = TOK_ERROR;
		return;
	}
	t->start = cursor_ptr(c);
	ch = cursor_peek(c);
	if (ch < 0) {
		t->kind = TOK_EOF;
		t->end = t->start;
		return;
	}
	if (ch == '"') {
		(void)cursor_get(c);
		t->kind = TOK_QSTRING;
		t->p = cursor_ptr(c);
		for (;;) {
			ch = cursor_get(c);
			if (ch < 0) {
				lx->why = "unterminated quoted string";
				t->kind = TOK_ERROR;
				return;
			}
			if (ch == '"')
				break;
			if (ch == '\\') {
				if (cursor_get(c) < 0) {
					lx->why = "unterminated quoted string";
					t->kind = TOK_ERROR;
					return;
				}
				continue;
			}
			if (rfc5322_is_ctl(ch)) {
				lx->why = "control character in a quoted string";
				t->kind = TOK_ERROR;
				return;
			}
		}
		t->len = (size_t)(cursor_ptr(c) - t->p) - 1;
		t->end = cursor_ptr(c);
		return;
	}
	if (ch == '[') {
		t->kind = TOK_DLIT;
		t->p = cursor_ptr(c);
		(void)cursor_get(c);
		for (;;) {
			ch = cursor_get(c);
			if (ch < 0 || ch == '[' || rfc5322_is_ctl(ch)) {
				lx->why = "bad domain literal";
				t->kind = TOK_ERROR;
				return;
			}
			if (ch == '\\' && cursor_get(c) < 0) {
				lx->why = "bad domain literal";
				t->kind = TOK_ERROR;
				return;
			}
			if (ch == ']')
				break;
		}
		t->len = (size_t)(cursor_ptr(c) - t->p);
		t->end = cursor_ptr(c);
		return;
	}
	if (rfc5322_is_atext(ch)) {
		size_t ew = rfc5322_encoded_word_len(c);

		t->kind = TOK_ATOM;
		t->p = cursor_ptr(c);
		if (ew > 0) {
			(void)cursor_skip(c, ew);
			t->encoded = true;
		}
		(void)cursor_skip_while(c, rfc5322_is_atext);
		t->len = (size_t)(cursor_ptr(c) - t->p);
		if (t->encoded && t->len != ew)
			t->encoded = false;	/* "=?..?=x": a plain atom */
		t->end = cursor_ptr(c);
		return;
	}
	if (strchr("<>:;@,.", ch) != NULL) {
		(void)cursor_get(c);
		t->kind = TOK_SPECIAL;
		t->c = (char)ch;
		t->p = t->start;
		t->len = 1;
		t->end = cursor_ptr(c);
		return;
	}
	/* ')' ']' '\\' stray, or a control character. */
	lx->why = ch == ')' ? "unbalanced ')'" : ch == ']' ? "unbalanced ']'" :
	    ch == '\\' ? "stray backslash" : "control character";
	t->kind = TOK_ERROR;
}

static const struct rfc5322_tok *
rfc5322_peek(struct rfc5322_lexer *lx)
{
	if (!lx->have) {
		rfc5322_lex(lx);
		lx->have = true;
	}
	return &lx->tok;
}

static void
rfc5322_next(struct rfc5322_lexer *lx)
{
	(void)rfc5322_peek(lx);
	lx->have = false;
}

static bool
rfc5322_is_special(const struct rfc5322_tok *t, char c)
{
	return t->kind == TOK_SPECIAL && t->c == c;
}

/* --- the parser ----------------------------------------------------------- */

/* What the parser reports for each mailbox. */
struct rfc5322_mbox {
	const char *display, *display_end;	/* raw phrase, or NULL */
	const char *local, *local_end;		/* raw local part */
	char domain[RFC5322_DOMAIN_TEXT_MAX];	/* atoms joined by '.' */
	bool has_domain;
	bool literal;
	bool empty;		/* "<>" */
	bool in_group;
};

typedef int rfc5322_mbox_fn(const struct rfc5322_mbox *m, void *arg);

struct rfc5322_parser {
	struct rfc5322_lexer lx;
	rfc5322_mbox_fn *fn;
	void *arg;
	size_t count;
	const char *why;
};

static int
rfc5322_fail(struct rfc5322_parser *ps, const char *why)
{
	if (ps->why == NULL)
		ps->why = ps->lx.why != NULL ? ps->lx.why : why;
	return SPFDMARC_ESYNTAX;
}

/* domain = dot-atom / domain-literal / obs-domain (CFWS around dots). */
static int
rfc5322_domain(struct rfc5322_parser *ps, struct rfc5322_mbox *m)
{
	const struct rfc5322_tok *t = rfc5322_peek(&ps->lx);
	size_t o = 0;

	if (t->kind == TOK_DLIT) {
		if (t->len >= sizeof(m->domain))
			return rfc5322_fail(ps, "domain literal too long");
		memcpy(m->domain, t->p, t->len);
		m->domain[t->len] = '\0';
		m->literal = true;
		m->has_domain = true;
		rfc5322_next(&ps->lx);
		return 0;
	}
	for (;;) {
		t = rfc5322_peek(&ps->lx);
		if (t->kind != TOK_ATOM)
			return rfc5322_fail(ps, o == 0 ? "domain expected" :
			    "domain ends with '.'");
		if (o + t->len + 1 >= sizeof(m->domain))
			return rfc5322_fail(ps, "domain too long");
		memcpy(m->domain + o, t->p, t->len);
		o += t->len;
		rfc5322_next(&ps->lx);
		if (!rfc5322_is_special(rfc5322_peek(&ps->lx), '.'))
			break;
		rfc5322_next(&ps->lx);
		t = rfc5322_peek(&ps->lx);
		if (t->kind == TOK_EOF || rfc5322_is_special(t, '>') ||
		    rfc5322_is_special(t, ',') || rfc5322_is_special(t, ';'))
			break;	/* "example.com." names the same domain */
		m->domain[o++] = '.';
	}
	m->domain[o] = '\0';
	m->has_domain = true;
	return 0;
}

/*
 * Words of a phrase or local part: word *(["."] word) collected up to the
 * next special other than '.'. *dots tells whether any '.' was seen;
 * *sep_ok whether the sequence is a valid local part (word *("." word)).
 */
static int
rfc5322_words(struct rfc5322_parser *ps, const char **start,
    const char **end, size_t *nwords, bool *local_ok)
{
	bool want_word = true;

	*start = *end = NULL;
	*nwords = 0;
	*local_ok = true;
	for (;;) {
		const struct rfc5322_tok *t = rfc5322_peek(&ps->lx);

		if (t->kind == TOK_ERROR)
			return rfc5322_fail(ps, "syntax error");
		if (t->kind == TOK_ATOM || t->kind == TOK_QSTRING) {
			if (!want_word)
				*local_ok = false;	/* "a b" */
			want_word = false;
			(*nwords)++;
		} else if (rfc5322_is_special(t, '.')) {
			if (want_word)
				*local_ok = false;	/* "a..b", ".a" */
			want_word = true;
		} else {
			break;
		}
		if (*start == NULL)
			*start = t->start;
		*end = t->end;
		rfc5322_next(&ps->lx);
	}
	if (want_word && *start != NULL)
		*local_ok = false;			/* "a." */
	return 0;
}

/* addr-spec inside angle brackets (after an optional obs-route). */
static int
rfc5322_angle_addr(struct rfc5322_parser *ps, struct rfc5322_mbox *m)
{
	const struct rfc5322_tok *t;
	size_t nwords;
	bool local_ok;
	int rc;

	rfc5322_next(&ps->lx);		/* '<' */
	t = rfc5322_peek(&ps->lx);
	if (rfc5322_is_special(t, '>')) {
		rfc5322_next(&ps->lx);
		m->empty = true;	/* "<>": no address at all */
		return 0;
	}
	if (rfc5322_is_special(t, '@')) {
		/* obs-route = obs-domain-list ":" — skipped. */
		struct rfc5322_mbox scratch;

		for (;;) {
			t = rfc5322_peek(&ps->lx);
			if (rfc5322_is_special(t, '@')) {
				rfc5322_next(&ps->lx);
				memset(&scratch, 0, sizeof(scratch));
				rc = rfc5322_domain(ps, &scratch);
				if (rc != 0)
					return rc;
				continue;
			}
			if (rfc5322_is_special(t, ',')) {
				rfc5322_next(&ps->lx);
				continue;
			}
			if (rfc5322_is_special(t, ':')) {
				rfc5322_next(&ps->lx);
				break;
			}
			return rfc5322_fail(ps, "bad source route");
		}
	}
	rc = rfc5322_words(ps, &m->local, &m->local_end, &nwords, &local_ok);
	if (rc != 0)
		return rc;
	if (nwords == 0 || !local_ok)
		return rfc5322_fail(ps, "bad local part");
	if (!rfc5322_is_special(rfc5322_peek(&ps->lx), '@'))
		return rfc5322_fail(ps, "'@' expected in angle address");
	rfc5322_next(&ps->lx);
	rc = rfc5322_domain(ps, m);
	if (rc != 0)
		return rc;
	if (!rfc5322_is_special(rfc5322_peek(&ps->lx), '>'))
		return rfc5322_fail(ps, "'>' expected");
	rfc5322_next(&ps->lx);
	return 0;
}

static int
rfc5322_emit(struct rfc5322_parser *ps, const struct rfc5322_mbox *m)
{
	if (++ps->count > SPFDMARC_RFC5322_MAILBOXES_MAX) {
		ps->why = "too many mailboxes";
		return SPFDMARC_ERANGE;
	}
	return ps->fn(m, ps->arg);
}

static int rfc5322_address(struct rfc5322_parser *ps, bool in_group);

/* group = display-name ":" [group-list] ";" — after the ':'. */
static int
rfc5322_group(struct rfc5322_parser *ps)
{
	for (;;) {
		const struct rfc5322_tok *t = rfc5322_peek(&ps->lx);
		int rc;

		if (rfc5322_is_special(t, ';')) {
			rfc5322_next(&ps->lx);
			return 0;
		}
		if (t->kind == TOK_EOF)
			return 0;	/* a missing ';' cannot mislead */
		if (rfc5322_is_special(t, ',')) {
			rfc5322_next(&ps->lx);
			continue;
		}
		rc = rfc5322_address(ps, true);
		if (rc != 0)
			return rc;
		t = rfc5322_peek(&ps->lx);
		if (!rfc5322_is_special(t, ',') &&
		    !rfc5322_is_special(t, ';') && t->kind != TOK_EOF)
			return rfc5322_fail(ps, "junk after an address");
	}
}

/* address = mailbox / group; mailbox = name-addr / addr-spec. */
static int
rfc5322_address(struct rfc5322_parser *ps, bool in_group)
{
	struct rfc5322_mbox m;
	const struct rfc5322_tok *t;
	const char *ws, *we;
	size_t nwords;
	bool local_ok;
	int rc;

	memset(&m, 0, sizeof(m));
	m.in_group = in_group;
	rc = rfc5322_words(ps, &ws, &we, &nwords, &local_ok);
	if (rc != 0)
		return rc;
	t = rfc5322_peek(&ps->lx);
	if (rfc5322_is_special(t, '<')) {
		/* name-addr: the words are the display name (obs-phrase
		 * allows '.'), which must start with a word. */
		if (ws != NULL && (nwords == 0 || *ws == '.'))
			return rfc5322_fail(ps, "bad display name");
		m.display = ws;
		m.display_end = we;
		rc = rfc5322_angle_addr(ps, &m);
		if (rc != 0)
			return rc;
		return rfc5322_emit(ps, &m);
	}
	if (rfc5322_is_special(t, ':')) {
		if (in_group)
			return rfc5322_fail(ps, "group inside a group");
		if (nwords == 0)
			return rfc5322_fail(ps, "group without a name");
		rfc5322_next(&ps->lx);
		return rfc5322_group(ps);
	}
	if (rfc5322_is_special(t, '@')) {
		/* addr-spec: the words were the local part. */
		if (nwords == 0 || !local_ok)
			return rfc5322_fail(ps, nwords == 0 ?
			    "missing local part" : "bad local part");
		m.local = ws;
		m.local_end = we;
		rfc5322_next(&ps->lx);
		rc = rfc5322_domain(ps, &m);
		if (rc != 0)
			return rc;
		return rfc5322_emit(ps, &m);
	}
	if (t->kind == TOK_ERROR)
		return rfc5322_fail(ps, "syntax error");
	if (nwords == 0)
		return rfc5322_fail(ps, t->kind == TOK_EOF ?
		    "address expected" : "unexpected character");
	return rfc5322_fail(ps, "address without '@'");
}

/* mailbox-list / obs-mbox-list (groups tolerated). */
static int
rfc5322_parse(struct rfc5322_parser *ps, const char *text, size_t len)
{
	cursor_init(&ps->lx.c, text, len);
	ps->lx.have = false;
	for (;;) {
		const struct rfc5322_tok *t = rfc5322_peek(&ps->lx);
		int rc;

		if (t->kind == TOK_EOF)
			return 0;
		if (rfc5322_is_special(t, ',')) {
			rfc5322_next(&ps->lx);	/* obs: empty element */
			continue;
		}
		rc = rfc5322_address(ps, false);
		if (rc != 0)
			return rc;
		t = rfc5322_peek(&ps->lx);
		if (t->kind == TOK_EOF)
			return 0;
		if (!rfc5322_is_special(t, ','))
			return rfc5322_fail(ps, t->kind == TOK_ERROR ?
			    "syntax error" : "junk after an address");
		rfc5322_next(&ps->lx);
	}
}

/* --- RFC 2047 display names ----------------------------------------------- */

static int
rfc5322_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
rfc5322_b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Append byte b in the charset (latin1: convert to UTF-8). */
static void
rfc5322_put_char(struct spfdmarc_buf *b, unsigned char ch, bool latin1)
{
	if (latin1 && ch >= 0x80) {
		(void)spfdmarc_buf_putc(b, (char)(0xc0 | (ch >> 6)));
		(void)spfdmarc_buf_putc(b, (char)(0x80 | (ch & 0x3f)));
	} else {
		(void)spfdmarc_buf_putc(b, (char)ch);
	}
}

/*
 * Decode one encoded word p[0..len) into b. Charsets other than UTF-8,
 * US-ASCII and ISO-8859-1 are left encoded (no iconv in the library).
 */
static bool
rfc5322_decode_word(struct spfdmarc_buf *b, const char *p, size_t len)
{
	const char *cs = p + 2, *q1, *enc, *text;
	size_t cslen, tlen;
	bool latin1;

	q1 = memchr(cs, '?', len - 2);
	if (q1 == NULL)
		return false;
	cslen = (size_t)(q1 - cs);
	{	/* RFC 2231 language suffix: "utf-8*en" */
		const char *star = memchr(cs, '*', cslen);

		if (star != NULL)
			cslen = (size_t)(star - cs);
	}
	if ((cslen == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
	    (cslen == 8 && strncasecmp(cs, "us-ascii", 8) == 0))
		latin1 = false;
	else if ((cslen == 10 && strncasecmp(cs, "iso-8859-1", 10) == 0) ||
	    (cslen == 6 && strncasecmp(cs, "latin1", 6) == 0))
		latin1 = true;
	else
		return false;
	enc = q1 + 1;
	if (enc[1] != '?')	/* a one-letter encoding */
		return false;
	text = enc + 2;
	tlen = len - (size_t)(text - p) - 2;
	if (*enc == 'q' || *enc == 'Q') {
		for (size_t i = 0; i < tlen; i++) {
			int hi, lo;

			if (text[i] == '_') {
				(void)spfdmarc_buf_putc(b, ' ');
			} else if (text[i] == '=' && i + 2 < tlen &&
			    (hi = rfc5322_hexval(text[i + 1])) >= 0 &&
			    (lo = rfc5322_hexval(text[i + 2])) >= 0) {
				rfc5322_put_char(b, (unsigned char)(hi << 4 |
				    lo), latin1);
				i += 2;
			} else {
				rfc5322_put_char(b, (unsigned char)text[i],
				    latin1);
			}
		}
		return true;
	}
	if (*enc == 'b' || *enc == 'B') {
		unsigned acc = 0, bits = 0;

		for (size_t i = 0; i < tlen; i++) {
			int v = rfc5322_b64val(text[i]);

			if (text[i] == '=')
				break;
			if (v < 0)
				return false;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				rfc5322_put_char(b, (unsigned char)(acc >>
				    bits), latin1);
				acc &= (1u << bits) - 1;
			}
		}
		return true;
	}
	return false;
}

/* Decode a raw display-name phrase (text between start and end). */
static const char *
rfc5322_display(struct spfdmarc_arena *arena, const char *start,
    const char *end)
{
	struct rfc5322_lexer lx;
	struct spfdmarc_buf b;
	bool prev_encoded = false, first = true;

	memset(&lx, 0, sizeof(lx));
	cursor_init(&lx.c, start, (size_t)(end - start));
	spfdmarc_buf_init(&b, arena, SPFDMARC_RFC5322_FIELD_MAX);
	for (;;) {
		const struct rfc5322_tok *t = rfc5322_peek(&lx);

		if (t->kind == TOK_EOF || t->kind == TOK_ERROR)
			break;
		if (rfc5322_is_special(t, '.')) {
			(void)spfdmarc_buf_putc(&b, '.');
			prev_encoded = false;
			rfc5322_next(&lx);
			continue;
		}
		/* RFC 2047 §6.2: white space between adjacent encoded words
		 * is not displayed. */
		if (!first && !(prev_encoded && t->encoded))
			(void)spfdmarc_buf_putc(&b, ' ');
		first = false;
		if (t->kind == TOK_QSTRING) {
			for (size_t i = 0; i < t->len; i++) {
				if (t->p[i] == '\\' && i + 1 < t->len)
					i++;
				(void)spfdmarc_buf_putc(&b, t->p[i]);
			}
			prev_encoded = false;
		} else if (t->encoded) {
			size_t mark = b.len;

			if (!rfc5322_decode_word(&b, t->p, t->len)) {
				spfdmarc_buf_truncate(&b, mark);
				(void)spfdmarc_buf_append(&b, t->p, t->len);
			}
			prev_encoded = true;
		} else {
			(void)spfdmarc_buf_append(&b, t->p, t->len);
			prev_encoded = false;
		}
		rfc5322_next(&lx);
	}
	if (b.nomem)
		return NULL;
	return spfdmarc_arena_strndup(arena, b.data, b.len);
}

/* --- public: mailboxes ---------------------------------------------------- */

struct rfc5322_collect {
	struct spfdmarc_arena *arena;
	struct spfdmarc_rfc5322_mailbox *mb;
	size_t n;
};

static int
rfc5322_collect_fn(const struct rfc5322_mbox *m, void *arg)
{
	struct rfc5322_collect *col = arg;
	struct spfdmarc_rfc5322_mailbox *out;

	if (col->n >= SPFDMARC_RFC5322_MAILBOXES_MAX)
		return SPFDMARC_ERANGE;
	out = &col->mb[col->n++];
	memset(out, 0, sizeof(*out));
	out->literal = m->literal;
	out->in_group = m->in_group;
	if (m->display != NULL) {
		out->display = rfc5322_display(col->arena, m->display,
		    m->display_end);
		if (out->display == NULL)
			return SPFDMARC_ENOMEM;
	}
	out->local = m->local != NULL ? spfdmarc_arena_strndup(col->arena,
	    m->local, (size_t)(m->local_end - m->local)) :
	    spfdmarc_arena_strdup(col->arena, "");
	if (out->local == NULL)
		return SPFDMARC_ENOMEM;
	if (m->has_domain) {
		out->domain = spfdmarc_arena_strdup(col->arena, m->domain);
		if (out->domain == NULL)
			return SPFDMARC_ENOMEM;
	}
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_rfc5322_parse_mailboxes(struct spfdmarc_arena *arena,
    const char *value, size_t len, struct spfdmarc_rfc5322_mailbox **out,
    size_t *n, char *why, size_t whysize)
{
	struct rfc5322_parser ps;
	struct rfc5322_collect col;
	const char *w = NULL;
	char *text;
	size_t tlen;
	int rc;

	if (why != NULL && whysize > 0)
		why[0] = '\0';
	if (arena == NULL || value == NULL || out == NULL || n == NULL)
		return SPFDMARC_EINVAL;
	*out = NULL;
	*n = 0;
	text = spfdmarc_arena_alloc(arena, (len > SPFDMARC_RFC5322_FIELD_MAX ?
	    0 : len) + 1);
	col.mb = spfdmarc_arena_calloc(arena, SPFDMARC_RFC5322_MAILBOXES_MAX,
	    sizeof(*col.mb));
	if (text == NULL || col.mb == NULL)
		return SPFDMARC_ENOMEM;
	rc = rfc5322_unfold(value, len, text, &tlen, &w);
	if (rc != 0)
		goto fail;
	col.arena = arena;
	col.n = 0;
	memset(&ps, 0, sizeof(ps));
	ps.fn = rfc5322_collect_fn;
	ps.arg = &col;
	rc = rfc5322_parse(&ps, text, tlen);
	w = ps.why;
	if (rc != 0)
		goto fail;
	*out = col.mb;
	*n = col.n;
	return 0;
fail:
	if (why != NULL && whysize > 0)
		(void)snprintf(why, whysize, "%s", w != NULL ? w :
		    spfdmarc_strerror(rc));
	return rc;
}

/* --- public: the Author Domain -------------------------------------------- */

struct rfc5322_from_state {
	struct spfdmarc_rfc5322_from *out;
	bool unusable;		/* a mailbox without a usable domain */
	char unusable_why[96];
};

static int
rfc5322_from_fn(const struct rfc5322_mbox *m, void *arg)
{
	struct rfc5322_from_state *st = arg;
	struct spfdmarc_rfc5322_from *out = st->out;
	char dom[SPFDMARC_DNAME_BUFSIZE];
	const char *why = NULL;

	out->nmailboxes++;
	if (m->empty)
		why = "empty address <>";
	else if (m->literal)
		why = "domain literal";
	else if (!m->has_domain)
		why = "no domain";
	else if (spfdmarc_rfc5322_domain_normalize(m->domain,
	    strlen(m->domain), dom, sizeof(dom), SPFDMARC_DNAME_LDH |
	    SPFDMARC_DNAME_MULTILABEL | SPFDMARC_DNAME_ALPHA_TLD) != 0)
		why = "not a valid mail domain";
	if (why != NULL) {
		if (!st->unusable)
			(void)snprintf(st->unusable_why,
			    sizeof(st->unusable_why), "%s", why);
		st->unusable = true;
		return 0;
	}
	/* only the kept ones: ndomains may count past the array */
	for (size_t i = 0; i < out->ndomains &&
	    i < SPFDMARC_RFC5322_DOMAINS_MAX; i++) {
		if (strcmp(out->domains[i], dom) == 0)
			return 0;
	}
	if (out->ndomains < SPFDMARC_RFC5322_DOMAINS_MAX)
		(void)strlcpy(out->domains[out->ndomains], dom,
		    sizeof(out->domains[0]));
	out->ndomains++;	/* may exceed what is kept */
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_rfc5322_from_domain_n(const char *const *values, const size_t *lens,
    size_t n, struct spfdmarc_rfc5322_from *out)
{
	struct rfc5322_from_state st;
	char text[SPFDMARC_RFC5322_FIELD_MAX + 1];
	size_t kept;

	if (out == NULL || (n > 0 && (values == NULL || lens == NULL)))
		return SPFDMARC_EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.out = out;
	out->nfields = n;
	out->status = SPFDMARC_RFC5322_FROM_NONE;
	if (n == 0) {
		(void)strlcpy(out->reason, "no From field", sizeof(out->reason));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct rfc5322_parser ps;
		const char *why = NULL;
		size_t tlen;
		int rc;

		if (values[i] == NULL)
			return SPFDMARC_EINVAL;
		rc = rfc5322_unfold(values[i], lens[i], text, &tlen, &why);
		if (rc == 0) {
			memset(&ps, 0, sizeof(ps));
			ps.fn = rfc5322_from_fn;
			ps.arg = &st;
			rc = rfc5322_parse(&ps, text, tlen);
			why = ps.why;
		}
		if (rc != 0 && n == 1) {
			(void)snprintf(out->reason, sizeof(out->reason),
			    "From: %s", why != NULL ? why : "syntax error");
			out->ndomains = 0;
			return 0;
		}
	}
	kept = out->ndomains < SPFDMARC_RFC5322_DOMAINS_MAX ? out->ndomains :
	    SPFDMARC_RFC5322_DOMAINS_MAX;
	if (n > 1) {
		out->status = SPFDMARC_RFC5322_FROM_SEVERAL;
		(void)snprintf(out->reason, sizeof(out->reason),
		    "%zu From fields", n);
	} else if (out->ndomains > 1 || (out->ndomains == 1 && st.unusable)) {
		out->status = SPFDMARC_RFC5322_FROM_SEVERAL;
		(void)snprintf(out->reason, sizeof(out->reason),
		    "From: %zu mailboxes of %s", out->nmailboxes,
		    out->ndomains > 1 ? "different domains" :
		    "which one has no usable domain");
	} else if (out->ndomains == 1) {
		out->status = SPFDMARC_RFC5322_FROM_ONE;
		(void)strlcpy(out->domain, out->domains[0],
		    sizeof(out->domain));
	} else {
		(void)snprintf(out->reason, sizeof(out->reason), "From: %s",
		    out->nmailboxes == 0 ? "no mailbox" : st.unusable_why);
	}
	out->ndomains = kept;
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_rfc5322_from_domain(const char *const *values, size_t n,
    struct spfdmarc_rfc5322_from *out)
{
	size_t lens[16];

	if (values == NULL && n > 0)
		return SPFDMARC_EINVAL;
	if (n > sizeof(lens) / sizeof(lens[0])) {
		/* More From fields than anyone sends: the count is all that
		 * matters then. */
		if (out == NULL)
			return SPFDMARC_EINVAL;
		memset(out, 0, sizeof(*out));
		out->nfields = n;
		out->status = SPFDMARC_RFC5322_FROM_SEVERAL;
		(void)snprintf(out->reason, sizeof(out->reason),
		    "%zu From fields", n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (values[i] == NULL)
			return SPFDMARC_EINVAL;
		lens[i] = strnlen(values[i], SPFDMARC_RFC5322_FIELD_MAX + 1);
	}
	return spfdmarc_rfc5322_from_domain_n(values, lens, n, out);
}
