/*
 * spf_record.c: SPF record parser, RFC 7208 §4.5 (version), §4.6.1 (term
 * syntax), §5 (mechanisms), §6 (modifiers), §12 (ABNF).
 *
 * The record is read through a cursor, term by term (terms are separated
 * by one or more SP and nothing else, §4.6.1); each term through its own
 * cursor. A syntax error anywhere fails the whole record (§4.6), with a
 * reason naming the term and its offset.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "cursor.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "spfdmarc/buf.h"
#include "spfdmarc/err.h"

static const struct {
	const char *name;
	enum spf_mech mech;
} record_mechs[] = {
	{ "all", SPF_MECH_ALL },
	{ "include", SPF_MECH_INCLUDE },
	{ "a", SPF_MECH_A },
	{ "mx", SPF_MECH_MX },
	{ "ptr", SPF_MECH_PTR },
	{ "ip4", SPF_MECH_IP4 },
	{ "ip6", SPF_MECH_IP6 },
	{ "exists", SPF_MECH_EXISTS },
};

const char *
spf_mech_name(enum spf_mech mech)
{
	for (size_t i = 0; i < sizeof(record_mechs) / sizeof(record_mechs[0]);
	    i++) {
		if (record_mechs[i].mech == mech)
			return record_mechs[i].name;
	}
	return "?";
}

bool
spf_mech_queries_dns(enum spf_mech mech)
{
	switch (mech) {
	case SPF_MECH_INCLUDE:
	case SPF_MECH_A:
	case SPF_MECH_MX:
	case SPF_MECH_PTR:
	case SPF_MECH_EXISTS:
		return true;
	case SPF_MECH_ALL:
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		break;
	}
	return false;
}

bool
spf_record_is_v1(const char *text, size_t len)
{
	struct cursor c;

	cursor_init(&c, text, len);
	if (!cursor_accept_istr(&c, "v=spf1"))
		return false;
	return cursor_eof(&c) || cursor_peek(&c) == ' ';
}

/* The state of one parse: where reasons go. */
struct record_parser {
	struct spfdmarc_arena *arena;
	struct spf_record *rec;
	char *why;
	size_t whysize;
	size_t index;		/* 1-based term number */
	const char *term;	/* the term being parsed */
	size_t term_len;
	size_t term_pos;
};

/* Write "term N 'text' at offset P: reason" (non-printables escaped). */
static int record_fail(struct record_parser *p, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
record_fail(struct record_parser *p, int rc, const char *fmt, ...)
{
	struct spfdmarc_buf b;
	va_list ap;

	if (p->whysize == 0)
		return rc;
	spfdmarc_buf_init_fixed(&b, p->why, p->whysize);
	if (p->term != NULL) {
		(void)spfdmarc_buf_printf(&b, "term %zu '", p->index);
		for (size_t i = 0; i < p->term_len && i < 64; i++) {
			unsigned char ch = (unsigned char)p->term[i];

			if (ch >= 0x20 && ch < 0x7f && ch != '\\')
				(void)spfdmarc_buf_putc(&b, (char)ch);
			else
				(void)spfdmarc_buf_printf(&b, "\\x%02x", ch);
		}
		(void)spfdmarc_buf_printf(&b, "%s' at offset %zu: ",
		    p->term_len > 64 ? "..." : "", p->term_pos);
	}
	va_start(ap, fmt);
	(void)spfdmarc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT)  ; 0-32
 * ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT)  ; 0-128
 * s[0..n) is the part after the "/".
 */
static int
record_cidr_len(struct record_parser *p, const char *s, size_t n,
    unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (n == 0)
		return record_fail(p, SPFDMARC_ESYNTAX, "empty CIDR length");
	if (n > 3)
		return record_fail(p, SPFDMARC_ESYNTAX, "CIDR length too long");
	if (n > 1 && s[0] == '0')
		return record_fail(p, SPFDMARC_ESYNTAX,
		    "leading zero in CIDR length");
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return record_fail(p, SPFDMARC_ESYNTAX,
			    "invalid CIDR length");
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return record_fail(p, SPFDMARC_ESYNTAX,
		    "CIDR length %u above %u", v, max);
	*out = v;
	return 0;
}

static size_t
record_trailing_digits(const char *s, size_t n)
{
	size_t d = 0;

	while (d < n && s[n - 1 - d] >= '0' && s[n - 1 - d] <= '9')
		d++;
	return d;
}

/* Check a domain-spec and keep a NUL-terminated copy. */
static int
record_domain_spec(struct record_parser *p, const char *s, size_t n,
    const char **out, size_t *outlen)
{
	const char *why;
	size_t pos;

	if (spf_macro_check(s, n, SPF_MACRO_DOMAIN, &pos, &why) != 0)
		return record_fail(p, SPFDMARC_ESYNTAX, "%s", why);
	*out = spfdmarc_arena_strndup(p->arena, s, n);
	if (*out == NULL)
		return SPFDMARC_ENOMEM;
	*outlen = n;
	return 0;
}

/* ip4 / ip6: ":" network [ "/" length ]. rest follows the name. */
static int
record_ip(struct record_parser *p, struct spf_term *t, const char *rest,
    size_t n)
{
	const char *slash;
	size_t alen;
	int rc;
	bool v4 = t->mech == SPF_MECH_IP4;

	if (n == 0 || rest[0] != ':')
		return record_fail(p, SPFDMARC_ESYNTAX, "%s needs ':' and a "
		    "network", v4 ? "ip4" : "ip6");
	rest++;
	n--;
	slash = memchr(rest, '/', n);
	alen = slash == NULL ? n : (size_t)(slash - rest);
	rc = v4 ? spfdmarc_addr_parse4(&t->net, rest, alen) :
	    spfdmarc_addr_parse6(&t->net, rest, alen);
	if (rc != 0)
		return record_fail(p, SPFDMARC_ESYNTAX, "invalid %s address",
		    v4 ? "IPv4" : "IPv6");
	if (slash == NULL)
		return 0;
	return record_cidr_len(p, slash + 1, n - alen - 1, v4 ? 32 : 128,
	    v4 ? &t->cidr4 : &t->cidr6);
}

/* a, mx: [ ":" domain-spec ] [ ip4-cidr-length ] [ "/" ip6-cidr-length ],
 * the lengths taken from the right (a domain-spec may hold '/'). */
static int
record_a_mx(struct record_parser *p, struct spf_term *t, const char *rest,
    size_t n)
{
	size_t d;
	int rc;

	d = record_trailing_digits(rest, n);
	if (d > 0 && n - d >= 2 && rest[n - d - 1] == '/' &&
	    rest[n - d - 2] == '/') {
		rc = record_cidr_len(p, rest + n - d, d, 128, &t->cidr6);
		if (rc != 0)
			return rc;
		n -= d + 2;
	}
	d = record_trailing_digits(rest, n);
	if (d > 0 && n - d >= 1 && rest[n - d - 1] == '/') {
		rc = record_cidr_len(p, rest + n - d, d, 32, &t->cidr4);
		if (rc != 0)
			return rc;
		n -= d + 1;
	}
	if (n == 0)
		return 0;
	if (rest[0] != ':')
		return record_fail(p, SPFDMARC_ESYNTAX,
		    "unexpected text after '%s'", spf_mech_name(t->mech));
	return record_domain_spec(p, rest + 1, n - 1, &t->spec, &t->spec_len);
}

static int
record_mechanism(struct record_parser *p, enum spfdmarc_spf_result q,
    const char *name, size_t nlen, const char *rest, size_t n)
{
	struct spf_term *t;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(record_mechs) / sizeof(record_mechs[0]); i++) {
		struct cursor c;

		cursor_init(&c, name, nlen);
		if (cursor_accept_istr(&c, record_mechs[i].name) &&
		    cursor_eof(&c))
			break;
	}
	if (i == sizeof(record_mechs) / sizeof(record_mechs[0]))
		return record_fail(p, SPFDMARC_ESYNTAX, "unknown mechanism");

	t = &p->rec->terms[p->rec->nterms];
	memset(t, 0, sizeof(*t));
	t->mech = record_mechs[i].mech;
	t->qualifier = q;
	t->pos = p->term_pos;
	t->cidr4 = 32;
	t->cidr6 = 128;
	t->text = spfdmarc_arena_strndup(p->arena, p->term, p->term_len);
	if (t->text == NULL)
		return SPFDMARC_ENOMEM;

	switch (t->mech) {
	case SPF_MECH_ALL:
		/* all = "all" */
		if (n != 0)
			return record_fail(p, SPFDMARC_ESYNTAX,
			    "'all' takes no argument");
		break;
	case SPF_MECH_INCLUDE:
	case SPF_MECH_EXISTS:
		/* include = "include" ":" domain-spec, exists likewise */
		if (n == 0 || rest[0] != ':')
			return record_fail(p, SPFDMARC_ESYNTAX,
			    "'%s' needs ':' and a domain-spec",
			    spf_mech_name(t->mech));
		rc = record_domain_spec(p, rest + 1, n - 1, &t->spec,
		    &t->spec_len);
		if (rc != 0)
			return rc;
		break;
	case SPF_MECH_PTR:
		/* PTR = "ptr" [ ":" domain-spec ] */
		if (n == 0)
			break;
		if (rest[0] != ':')
			return record_fail(p, SPFDMARC_ESYNTAX,
			    "unexpected text after 'ptr'");
		rc = record_domain_spec(p, rest + 1, n - 1, &t->spec,
		    &t->spec_len);
		if (rc != 0)
			return rc;
		break;
	case SPF_MECH_A:
	case SPF_MECH_MX:
		rc = record_a_mx(p, t, rest, n);
		if (rc != 0)
			return rc;
		break;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		rc = record_ip(p, t, rest, n);
		if (rc != 0)
			return rc;
		break;
	}
	p->rec->nterms++;
	return 0;
}

static bool
record_name_is(const char *name, size_t nlen, const char *want)
{
	struct cursor c;

	cursor_init(&c, name, nlen);
	return cursor_accept_istr(&c, want) && cursor_eof(&c);
}

/* modifier = redirect / explanation / unknown-modifier (§4.6.1, §6) */
static int
record_modifier(struct record_parser *p, const char *name, size_t nlen,
    const char *value, size_t n)
{
	struct spf_record *rec = p->rec;
	const char *why, *text;
	size_t pos;
	int rc;

	if (record_name_is(name, nlen, "redirect") ||
	    record_name_is(name, nlen, "exp")) {
		bool redirect = nlen == strlen("redirect");
		const char **spec = redirect ? &rec->redirect : &rec->exp;
		size_t *spec_len = redirect ? &rec->redirect_len :
		    &rec->exp_len;

		/* §6: each at most once. */
		if (*spec != NULL)
			return record_fail(p, SPFDMARC_ESYNTAX,
			    "'%s' appears twice", redirect ? "redirect" :
			    "exp");
		rc = record_domain_spec(p, value, n, spec, spec_len);
		if (rc != 0)
			return rc;
		text = spfdmarc_arena_strndup(p->arena, p->term, p->term_len);
		if (text == NULL)
			return SPFDMARC_ENOMEM;
		if (redirect)
			rec->redirect_text = text;
		else
			rec->exp_text = text;
		return 0;
	}
	/* unknown-modifier = name "=" macro-string: checked, then ignored. */
	if (spf_macro_check(value, n, 0, &pos, &why) != 0)
		return record_fail(p, SPFDMARC_ESYNTAX, "%s", why);
	return 0;
}

static bool
record_is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool
record_is_name_char(int ch)
{
	/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	return record_is_alpha(ch) || (ch >= '0' && ch <= '9') ||
	    ch == '-' || ch == '_' || ch == '.';
}

/* One term: [ qualifier ] mechanism, or name "=" value. */
static int
record_term(struct record_parser *p)
{
	enum spfdmarc_spf_result q = SPFDMARC_SPF_PASS;
	bool has_q = true;
	struct cursor c;
	const char *name, *rest;
	size_t nlen, nrest;

	cursor_init(&c, p->term, p->term_len);
	switch (cursor_peek(&c)) {
	case '+':
		q = SPFDMARC_SPF_PASS;
		break;
	case '-':
		q = SPFDMARC_SPF_FAIL;
		break;
	case '~':
		q = SPFDMARC_SPF_SOFTFAIL;
		break;
	case '?':
		q = SPFDMARC_SPF_NEUTRAL;
		break;
	default:
		has_q = false;
		break;
	}
	if (has_q)
		(void)cursor_get(&c);
	if (!record_is_alpha(cursor_peek(&c)))
		return record_fail(p, SPFDMARC_ESYNTAX, "%s",
		    has_q ? "no mechanism after the qualifier" :
		    "a term starts with a qualifier or a letter");
	name = cursor_ptr(&c);
	nlen = cursor_skip_while(&c, record_is_name_char);
	rest = cursor_ptr(&c);
	nrest = cursor_left(&c);

	/* §4.6.1: a name followed by "=" is a modifier. */
	if (cursor_peek(&c) == '=') {
		if (has_q)
			return record_fail(p, SPFDMARC_ESYNTAX,
			    "a modifier takes no qualifier");
		return record_modifier(p, name, nlen, rest + 1, nrest - 1);
	}
	return record_mechanism(p, q, name, nlen, rest, nrest);
}

/* Terms in the record (space-separated words after the version), at
 * most SPF_TERMS_MAX + 1: the size of the terms array. */
static size_t
record_count_terms(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = strlen("v=spf1"); i < len && n <= SPF_TERMS_MAX; i++) {
		if (text[i] != ' ' && text[i - 1] == ' ')
			n++;
	}
	return n;
}

int
spf_record_parse(struct spfdmarc_arena *arena, const char *text, size_t len,
    struct spf_record **out, char *why, size_t whysize)
{
	struct record_parser p;
	struct cursor c;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.arena = arena;
	p.why = why;
	p.whysize = whysize;
	if (whysize > 0)
		why[0] = '\0';
	if (len > SPF_RECORD_MAX)
		return record_fail(&p, SPFDMARC_ERANGE,
		    "record of %zu bytes is longer than %d", len,
		    SPF_RECORD_MAX);
	if (!spf_record_is_v1(text, len))
		return record_fail(&p, SPFDMARC_ESYNTAX,
		    "not a \"v=spf1\" record");

	p.rec = spfdmarc_arena_zalloc(arena, sizeof(*p.rec));
	if (p.rec == NULL)
		return SPFDMARC_ENOMEM;
	p.rec->terms = spfdmarc_arena_calloc(arena, record_count_terms(text,
	    len), sizeof(*p.rec->terms));
	if (p.rec->terms == NULL)
		return SPFDMARC_ENOMEM;

	cursor_init(&c, text, len);
	(void)cursor_skip(&c, strlen("v=spf1"));
	for (;;) {
		/* terms = *( 1*SP ( directive / modifier ) ), then *SP */
		while (cursor_accept(&c, ' '))
			;
		if (cursor_eof(&c))
			break;
		if (++p.index > SPF_TERMS_MAX) {
			p.term = NULL;
			return record_fail(&p, SPFDMARC_ERANGE,
			    "more than %d terms", SPF_TERMS_MAX);
		}
		p.term = cursor_ptr(&c);
		p.term_pos = c.pos;
		p.term_len = 0;
		while (!cursor_eof(&c) && cursor_peek(&c) != ' ') {
			(void)cursor_get(&c);
			p.term_len++;
		}
		rc = record_term(&p);
		if (rc != 0)
			return rc;
	}
	*out = p.rec;
	return 0;
}
