/*
 * authres.c: Authentication-Results parsing and value quoting
 * (spfdmarc/authres.h).
 *
 * RFC 8601 §2.2 (the grammar), §5 (only fields from trusted authserv-ids
 * are believed); RFC 2045 §5.1 (token, tspecials); RFC 5322 §3.2 (CFWS,
 * quoted-string). The property value reader is lenient: RFC 8601's pvalue
 * is a value or an address, but real verifiers write things like
 * "header.b=AbC+/dE" unquoted, so a pvalue is read up to white space, a
 * comment or ';'. Everything else follows the grammar, and a field that
 * does not parse is ignored as a whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "export.h"
#include "spfdmarc/authres.h"
#include "spfdmarc/err.h"

struct authres_parser {
	struct cursor c;
	struct spfdmarc_arena *arena;
	const char *why;
	int err;
};

static bool
authres_fail(struct authres_parser *ps, const char *why)
{
	if (ps->why == NULL)
		ps->why = why;
	if (ps->err == 0)
		ps->err = SPFDMARC_ESYNTAX;
	cursor_fail(&ps->c);
	return false;
}

/* RFC 2045 §5.1: token characters. */
static bool
authres_is_tchar(int c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static bool
authres_is_ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool
authres_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* White space: a fold's CR and LF count as white space here. */
static bool
authres_is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* CFWS: white space and nested comments with quoted-pairs. */
static bool
authres_cfws(struct authres_parser *ps)
{
	struct cursor *c = &ps->c;

	for (;;) {
		int depth = 0;

		(void)cursor_skip_while(c, authres_is_ws);
		if (cursor_peek(c) != '(')
			return cursor_ok(c);
		do {
			int ch = cursor_get(c);

			if (ch < 0)
				return authres_fail(ps, "unterminated comment");
			if (ch == '\\') {
				if (cursor_get(c) < 0)
					return authres_fail(ps,
					    "unterminated comment");
			} else if (ch == '(') {
				depth++;
			} else if (ch == ')') {
				depth--;
			} else if (ch == '\0') {
				return authres_fail(ps, "NUL byte");
			}
		} while (depth > 0);
	}
}

static char *
authres_lower_dup(struct authres_parser *ps, const char *s, size_t len)
{
	char *d = spfdmarc_arena_strndup(ps->arena, s, len);

	if (d == NULL) {
		ps->err = SPFDMARC_ENOMEM;
		ps->why = "out of memory";
		cursor_fail(&ps->c);
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	}
	return d;
}

/* A quoted-string at the cursor (the '"' next), unquoted into the arena. */
static const char *
authres_qstring(struct authres_parser *ps)
{
	struct cursor *c = &ps->c;
	char *out;
	size_t n = 0;

	(void)cursor_get(c);	/* '"' */
	out = spfdmarc_arena_alloc(ps->arena, cursor_left(c) + 1);
	if (out == NULL) {
		ps->err = SPFDMARC_ENOMEM;
		ps->why = "out of memory";
		cursor_fail(c);
		return NULL;
	}
	for (;;) {
		int ch = cursor_get(c);

		if (ch < 0) {
			authres_fail(ps, "unterminated quoted string");
			return NULL;
		}
		if (ch == '"')
			break;
		if (ch == '\\') {
			ch = cursor_get(c);
			if (ch < 0) {
				authres_fail(ps, "unterminated quoted string");
				return NULL;
			}
		}
		if (ch == '\0' || ch == '\r' || ch == '\n') {
			if (ch != '\0')
				continue;	/* a fold inside the string */
			authres_fail(ps, "NUL byte");
			return NULL;
		}
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return out;
}

/* value = token / quoted-string */
static const char *
authres_value(struct authres_parser *ps, const char *what)
{
	struct cursor *c = &ps->c;
	const char *start;
	size_t n;

	if (cursor_peek(c) == '"')
		return authres_qstring(ps);
	start = cursor_ptr(c);
	n = cursor_skip_while(c, authres_is_tchar);
	if (n == 0) {
		authres_fail(ps, what);
		return NULL;
	}
	return spfdmarc_arena_strndup(ps->arena, start, n);
}

/* Keyword (ldh-str), lower-cased. */
static const char *
authres_keyword(struct authres_parser *ps, const char *what)
{
	struct cursor *c = &ps->c;
	const char *start = cursor_ptr(c);
	size_t n = cursor_skip_while(c, authres_is_ldh);

	if (n == 0) {
		authres_fail(ps, what);
		return NULL;
	}
	return authres_lower_dup(ps, start, n);
}

static bool
authres_pchar(int c)
{
	return c > 0x20 && c != 0x7f && c != ';' && c != '(' && c != ')' &&
	    c != '"' && c != '\\';
}

/* pvalue, leniently (see the top of the file). */
static const char *
authres_pvalue(struct authres_parser *ps)
{
	struct cursor *c = &ps->c;
	const char *start;
	size_t n;

	if (cursor_peek(c) == '"')
		return authres_qstring(ps);
	start = cursor_ptr(c);
	n = cursor_skip_while(c, authres_pchar);
	/* An empty pvalue ("header.i=") is malformed but harmless. */
	return spfdmarc_arena_strndup(ps->arena, start, n);
}

static int
authres_digits(struct authres_parser *ps)
{
	struct cursor *c = &ps->c;
	int v = 0;
	size_t n = 0;

	while (authres_is_digit(cursor_peek(c))) {
		if (++n > 6) {
			authres_fail(ps, "version number too long");
			return -1;
		}
		v = v * 10 + (cursor_get(c) - '0');
	}
	return n == 0 ? -1 : v;
}

/* resinfo after its ';': methodspec [reasonspec] *propspec */
static bool
authres_resinfo(struct authres_parser *ps, struct spfdmarc_authres_result *r)
{
	struct cursor *c = &ps->c;
	struct spfdmarc_authres_prop *props;

	r->version = -1;
	r->method = authres_keyword(ps, "method expected");
	if (r->method == NULL || !authres_cfws(ps))
		return false;
	if (cursor_accept(c, '/')) {
		if (!authres_cfws(ps))
			return false;
		r->version = authres_digits(ps);
		if (r->version < 0)
			return authres_fail(ps, "method version expected");
		if (!authres_cfws(ps))
			return false;
	}
	if (!cursor_accept(c, '='))
		return authres_fail(ps, "'=' expected after the method");
	if (!authres_cfws(ps))
		return false;
	r->result = authres_keyword(ps, "result expected");
	if (r->result == NULL)
		return false;

	props = spfdmarc_arena_calloc(ps->arena, SPFDMARC_AUTHRES_PROPS_MAX,
	    sizeof(*props));
	if (props == NULL) {
		ps->err = SPFDMARC_ENOMEM;
		return false;
	}
	r->props = props;
	for (;;) {
		const char *kw;
		struct spfdmarc_authres_prop *p;

		if (!authres_cfws(ps))
			return false;
		if (cursor_eof(c) || cursor_peek(c) == ';')
			return true;
		kw = authres_keyword(ps, "property expected");
		if (kw == NULL || !authres_cfws(ps))
			return false;
		if (strcmp(kw, "reason") == 0 && cursor_peek(c) == '=') {
			(void)cursor_get(c);
			if (!authres_cfws(ps))
				return false;
			if (r->reason != NULL)
				return authres_fail(ps, "two reasons");
			r->reason = authres_pvalue(ps);
			if (r->reason == NULL)
				return false;
			continue;
		}
		if (!cursor_accept(c, '.'))
			return authres_fail(ps, "'.' expected in a property");
		if (r->nprops >= SPFDMARC_AUTHRES_PROPS_MAX) {
			ps->err = SPFDMARC_ERANGE;
			return authres_fail(ps, "too many properties");
		}
		p = &props[r->nprops];
		p->ptype = kw;
		if (!authres_cfws(ps))
			return false;
		p->property = authres_keyword(ps, "property name expected");
		if (p->property == NULL || !authres_cfws(ps))
			return false;
		if (!cursor_accept(c, '='))
			return authres_fail(ps, "'=' expected in a property");
		if (!authres_cfws(ps))
			return false;
		p->value = authres_pvalue(ps);
		if (p->value == NULL)
			return false;
		r->nprops++;
	}
}

SPFDMARC_PUBLIC int
spfdmarc_authres_parse(struct spfdmarc_arena *arena, const char *value,
    size_t len, struct spfdmarc_authres *out, char *why, size_t whysize)
{
	struct authres_parser ps;
	struct spfdmarc_authres_result *results;
	struct cursor *c = &ps.c;

	if (why != NULL && whysize > 0)
		why[0] = '\0';
	if (arena == NULL || value == NULL || out == NULL)
		return SPFDMARC_EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.arena = arena;
	out->version = -1;
	if (len > SPFDMARC_AUTHRES_FIELD_MAX) {
		ps.err = SPFDMARC_ERANGE;
		ps.why = "field longer than the limit";
		goto fail;
	}
	if (memchr(value, '\0', len) != NULL) {
		authres_fail(&ps, "NUL byte");
		goto fail;
	}
	cursor_init(c, value, len);
	results = spfdmarc_arena_calloc(arena, SPFDMARC_AUTHRES_RESULTS_MAX,
	    sizeof(*results));
	if (results == NULL)
		return SPFDMARC_ENOMEM;
	out->results = results;

	/* [CFWS] authserv-id [ CFWS authres-version ] */
	if (!authres_cfws(&ps))
		goto fail;
	out->authserv_id = authres_value(&ps, "authserv-id expected");
	if (out->authserv_id == NULL || !authres_cfws(&ps))
		goto fail;
	if (authres_is_digit(cursor_peek(c))) {
		out->version = authres_digits(&ps);
		if (out->version < 0 || !authres_cfws(&ps))
			goto fail;
	}
	if (cursor_eof(c)) {
		authres_fail(&ps, "no result");
		goto fail;
	}
	/* no-result / 1*resinfo */
	while (!cursor_eof(c)) {
		if (!cursor_accept(c, ';')) {
			authres_fail(&ps, "';' expected");
			goto fail;
		}
		if (!authres_cfws(&ps))
			goto fail;
		if (cursor_eof(c))
			break;		/* a trailing ';' */
		if (cursor_peek(c) == ';')
			continue;	/* an empty resinfo */
		if (out->nresults == 0 && !out->none &&
		    cursor_accept_istr(c, "none")) {
			size_t mark = c->pos;

			if (!authres_cfws(&ps))
				goto fail;
			if (cursor_eof(c) || cursor_peek(c) == ';') {
				out->none = true;
				continue;
			}
			c->pos = mark - 4;	/* a method named none... */
		}
		if (out->none) {
			authres_fail(&ps, "results after 'none'");
			goto fail;
		}
		if (out->nresults >= SPFDMARC_AUTHRES_RESULTS_MAX) {
			ps.err = SPFDMARC_ERANGE;
			authres_fail(&ps, "too many results");
			goto fail;
		}
		if (!authres_resinfo(&ps, &results[out->nresults]))
			goto fail;
		out->nresults++;
	}
	if (!out->none && out->nresults == 0) {
		authres_fail(&ps, "no result");
		goto fail;
	}
	return 0;

fail:
	if (ps.err == 0)
		ps.err = SPFDMARC_ESYNTAX;
	if (why != NULL && whysize > 0)
		(void)snprintf(why, whysize, "%s at byte %zu",
		    ps.why != NULL ? ps.why : "syntax error", c->pos);
	memset(out, 0, sizeof(*out));
	out->version = -1;
	return ps.err;
}

SPFDMARC_PUBLIC const char *
spfdmarc_authres_prop(const struct spfdmarc_authres_result *r,
    const char *ptype, const char *property)
{
	if (r == NULL || ptype == NULL || property == NULL)
		return NULL;
	for (size_t i = 0; i < r->nprops; i++) {
		if (strcasecmp(r->props[i].ptype, ptype) == 0 &&
		    strcasecmp(r->props[i].property, property) == 0)
			return r->props[i].value;
	}
	return NULL;
}

static bool
authres_trusted(const char *id, const char *const *trusted, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (trusted[i] != NULL && strcasecmp(id, trusted[i]) == 0)
			return true;
	}
	return false;
}

SPFDMARC_PUBLIC int
spfdmarc_authres_dkim_passes(struct spfdmarc_arena *arena,
    const char *const *values, const size_t *lens, size_t n,
    const char *const *trusted, size_t ntrusted,
    struct spfdmarc_authres_dkim **out, size_t *nout, size_t *nskipped)
{
	struct spfdmarc_authres_dkim *list = NULL;
	size_t count = 0, cap = 0;

	if (arena == NULL || out == NULL || nout == NULL ||
	    (n > 0 && values == NULL) || (ntrusted > 0 && trusted == NULL))
		return SPFDMARC_EINVAL;
	*out = NULL;
	*nout = 0;
	if (nskipped != NULL)
		*nskipped = 0;
	for (size_t i = 0; i < n; i++) {
		struct spfdmarc_authres ar;
		size_t len;
		int rc;

		if (values[i] == NULL)
			return SPFDMARC_EINVAL;
		len = lens != NULL ? lens[i] :
		    strnlen(values[i], SPFDMARC_AUTHRES_FIELD_MAX + 1);
		rc = spfdmarc_authres_parse(arena, values[i], len, &ar, NULL,
		    0);
		if (rc == SPFDMARC_ENOMEM)
			return rc;
		if (rc != 0) {
			if (nskipped != NULL)
				(*nskipped)++;
			continue;
		}
		if (!authres_trusted(ar.authserv_id, trusted, ntrusted))
			continue;
		for (size_t j = 0; j < ar.nresults; j++) {
			const struct spfdmarc_authres_result *r =
			    &ar.results[j];
			const char *d;

			if (strcmp(r->method, "dkim") != 0 ||
			    strcmp(r->result, "pass") != 0)
				continue;
			d = spfdmarc_authres_prop(r, "header", "d");
			if (d == NULL || d[0] == '\0')
				continue;
			if (count == cap) {
				struct spfdmarc_authres_dkim *nl;

				cap = cap == 0 ? 4 : cap * 2;
				nl = spfdmarc_arena_calloc(arena, cap,
				    sizeof(*nl));
				if (nl == NULL)
					return SPFDMARC_ENOMEM;
				if (count > 0)
					memcpy(nl, list, count * sizeof(*nl));
				list = nl;
			}
			{
				char *dom = spfdmarc_arena_strdup(arena, d);

				if (dom == NULL)
					return SPFDMARC_ENOMEM;
				for (char *p = dom; *p != '\0'; p++) {
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p - 'A' + 'a');
				}
				list[count].domain = dom;
			}
			list[count].identity = spfdmarc_authres_prop(r,
			    "header", "i");
			list[count].selector = spfdmarc_authres_prop(r,
			    "header", "s");
			list[count].authserv_id = ar.authserv_id;
			count++;
		}
	}
	*out = list;
	*nout = count;
	return 0;
}
