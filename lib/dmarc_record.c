/*
 * dmarc_record.c: the DMARC policy record parser.
 *
 * RFC 9989 §4.7 (tags) and §4.8 (ABNF); RFC 7489 §6.3 for the tags that
 * mode adds (pct, rf, ri). A record is a DMARC record only when it starts
 * with "v=DMARC1" (§4.7: otherwise it MUST be ignored). After that, every
 * problem is recorded as an issue and "discarded in favour of default
 * values (if any) or ignored outright" (§4.8): a bad adkim= means relaxed,
 * a bad p= is left to the §4.10.1 rua rule (policy_invalid).
 *
 * Interpretations (not spelled out by the RFC):
 *  - Leading white space before "v" is tolerated (some zone tools add it).
 *  - Tag names and the keyword values are matched ignoring ASCII case
 *    (RFC 5234 strings are case-insensitive; only "DMARC1" is %s).
 *  - A known tag given twice is ambiguous: it counts as invalid (p/sp/np:
 *    policy_invalid; others: the default), as RFC 6376 §3.2, whose
 *    tag-value syntax DMARC borrows, forbids duplicates.
 *  - "p" need not follow "v" (RFC 7489's ABNF put it second; RFC 9989
 *    allows any order). OpenDMARC does not insist either.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "dmarc_int.h"
#include "export.h"
#include "spfdmarc/err.h"

#define DMARC_RI_DEFAULT	86400UL

enum dmarc_tag {
	TAG_P, TAG_SP, TAG_NP, TAG_PSD, TAG_T, TAG_ADKIM, TAG_ASPF,
	TAG_RUA, TAG_RUF, TAG_FO, TAG_PCT, TAG_RF, TAG_RI, TAG_V,
	TAG_UNKNOWN,
};

static const struct {
	const char *name;
	enum dmarc_tag tag;
	bool rfc9989;		/* a tag of RFC 9989 */
	bool rfc7489;		/* a tag of RFC 7489 */
} dmarc_tags[] = {
	{ "p", TAG_P, true, true },
	{ "sp", TAG_SP, true, true },
	{ "np", TAG_NP, true, false },
	{ "psd", TAG_PSD, true, false },
	{ "t", TAG_T, true, false },
	{ "adkim", TAG_ADKIM, true, true },
	{ "aspf", TAG_ASPF, true, true },
	{ "rua", TAG_RUA, true, true },
	{ "ruf", TAG_RUF, true, true },
	{ "fo", TAG_FO, true, true },
	{ "pct", TAG_PCT, false, true },
	{ "rf", TAG_RF, false, true },
	{ "ri", TAG_RI, false, true },
	{ "v", TAG_V, true, true },
};

static bool
dmarc_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static bool
dmarc_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
dmarc_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
dmarc_ieq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

static void dmarc_issue(struct spfdmarc_dmarc_record *rec, const char *tag,
    size_t taglen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
dmarc_issue(struct spfdmarc_dmarc_record *rec, const char *tag,
    size_t taglen, const char *fmt, ...)
{
	struct spfdmarc_dmarc_issue *is;
	va_list ap;

	if (rec->nissues++ >= SPFDMARC_DMARC_ISSUES_MAX)
		return;
	is = &rec->issues[rec->nissues - 1];
	if (taglen >= sizeof(is->tag))
		taglen = sizeof(is->tag) - 1;
	memcpy(is->tag, tag, taglen);
	is->tag[taglen] = '\0';
	va_start(ap, fmt);
	(void)vsnprintf(is->reason, sizeof(is->reason), fmt, ap);
	va_end(ap);
}

static enum spfdmarc_dmarc_policy
dmarc_parse_request(const char *v, size_t len)
{
	if (dmarc_ieq(v, len, "none"))
		return SPFDMARC_DMARC_POLICY_NONE;
	if (dmarc_ieq(v, len, "quarantine"))
		return SPFDMARC_DMARC_POLICY_QUARANTINE;
	if (dmarc_ieq(v, len, "reject"))
		return SPFDMARC_DMARC_POLICY_REJECT;
	return SPFDMARC_DMARC_POLICY_UNSET;
}

static bool
dmarc_is_hex(int c)
{
	return dmarc_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * One dmarc-uri (RFC 3986 URI, with "," and "!" percent-encoded), with
 * the obsolete "!size" suffix allowed (and ignored). A scheme, a colon,
 * then at least one URI character.
 */
static bool
dmarc_uri_valid(const char *s, size_t len)
{
	size_t i = 0, bang = len;

	for (size_t k = 0; k < len; k++) {
		if (s[k] == '!') {
			bang = k;
			break;
		}
	}
	if (bang < len) {	/* obs-dmarc-report-size */
		size_t k = bang + 1, digits = 0;

		while (k < len && dmarc_is_digit(s[k])) {
			k++;
			digits++;
		}
		if (k < len && strchr("kmgtKMGT", s[k]) != NULL)
			k++;
		if (digits == 0 || k != len)
			return false;
		len = bang;
	}
	if (len == 0 || !dmarc_is_alpha(s[0]))
		return false;
	while (i < len && (dmarc_is_alpha(s[i]) || dmarc_is_digit(s[i]) ||
	    s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i >= len || s[i] != ':' || i + 1 == len)
		return false;
	for (i++; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= len)
				return false;
			if (!dmarc_is_hex(s[i + 1]) || !dmarc_is_hex(s[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (dmarc_is_alpha(c) || dmarc_is_digit(c) ||
		    strchr("-._~:/?#[]@$&'()*+;=", c) != NULL)
			continue;
		return false;	/* "," "!" space, controls, non-ASCII */
	}
	return true;
}

/* A dmarc-urilist: URIs separated by *WSP "," *WSP. Returns how many are
 * valid; *bad counts the others. */
static unsigned
dmarc_urilist(const char *v, size_t len, unsigned *bad)
{
	unsigned good = 0;
	size_t start = 0;

	*bad = 0;
	for (size_t i = 0; i <= len; i++) {
		size_t a, b;

		if (i < len && v[i] != ',')
			continue;
		a = start;
		b = i;
		while (a < b && dmarc_is_wsp(v[a]))
			a++;
		while (b > a && dmarc_is_wsp(v[b - 1]))
			b--;
		if (dmarc_uri_valid(v + a, b - a))
			good++;
		else
			(*bad)++;
		start = i + 1;
	}
	return good;
}

/* dmarc-fo: colon-separated 0, 1, d, s; each at most once; 0 and 1 are
 * mutually exclusive. 0 on success with the bits in *fo. */
static bool
dmarc_parse_fo(const char *v, size_t len, unsigned *fo)
{
	unsigned bits = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		unsigned bit;

		if (i < len && v[i] != ':')
			continue;
		if (i - start != 1)
			return false;
		switch (v[start]) {
		case '0': bit = SPFDMARC_DMARC_FO_0; break;
		case '1': bit = SPFDMARC_DMARC_FO_1; break;
		case 'd': case 'D': bit = SPFDMARC_DMARC_FO_D; break;
		case 's': case 'S': bit = SPFDMARC_DMARC_FO_S; break;
		default: return false;
		}
		if (bits & bit)
			return false;
		bits |= bit;
		start = i + 1;
	}
	if ((bits & SPFDMARC_DMARC_FO_0) && (bits & SPFDMARC_DMARC_FO_1))
		return false;
	*fo = bits;
	return true;
}

/* An unsigned decimal of at most maxdigits digits. */
static bool
dmarc_parse_uint(const char *v, size_t len, size_t maxdigits,
    unsigned long *out)
{
	unsigned long n = 0;

	if (len == 0 || len > maxdigits)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!dmarc_is_digit(v[i]))
			return false;
		n = n * 10 + (unsigned long)(v[i] - '0');
	}
	*out = n;
	return true;
}

static enum dmarc_tag
dmarc_lookup_tag(const char *name, size_t len, enum spfdmarc_dmarc_mode mode)
{
	for (size_t i = 0; i < sizeof(dmarc_tags) / sizeof(dmarc_tags[0]);
	    i++) {
		if (!dmarc_ieq(name, len, dmarc_tags[i].name))
			continue;
		if (mode == SPFDMARC_DMARC_RFC7489 ? dmarc_tags[i].rfc7489 :
		    dmarc_tags[i].rfc9989)
			return dmarc_tags[i].tag;
		return TAG_UNKNOWN;
	}
	return TAG_UNKNOWN;
}

/* Is name a tag of the other mode (worth a note when ignored)? */
static bool
dmarc_other_mode_tag(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(dmarc_tags) / sizeof(dmarc_tags[0]);
	    i++) {
		if (dmarc_ieq(name, len, dmarc_tags[i].name))
			return true;
	}
	return false;
}

/* The policy tags: invalid or duplicated → UNSET and policy_invalid. */
static void
dmarc_set_policy(struct spfdmarc_dmarc_record *rec,
    enum spfdmarc_dmarc_policy *slot, bool dup, const char *tag,
    const char *v, size_t len)
{
	enum spfdmarc_dmarc_policy p = dmarc_parse_request(v, len);

	if (dup) {
		*slot = SPFDMARC_DMARC_POLICY_UNSET;
		rec->policy_invalid = true;
		dmarc_issue(rec, tag, strlen(tag), "tag given twice");
		return;
	}
	if (p == SPFDMARC_DMARC_POLICY_UNSET) {
		rec->policy_invalid = true;
		dmarc_issue(rec, tag, strlen(tag),
		    "invalid value '%.*s' (none, quarantine or reject)",
		    (int)(len > 32 ? 32 : len), v);
	}
	*slot = p;
}

static int
dmarc_apply_tag(struct spfdmarc_arena *arena, struct spfdmarc_dmarc_record *rec,
    enum spfdmarc_dmarc_mode mode, const char *name, size_t nlen,
    const char *v, size_t vlen, unsigned *seen)
{
	enum dmarc_tag tag = dmarc_lookup_tag(name, nlen, mode);
	bool dup;
	unsigned bad;
	unsigned long n;

	if (tag == TAG_UNKNOWN) {
		/* RFC 9989 §4.7: unknown tags MUST be ignored. */
		if (dmarc_other_mode_tag(name, nlen))
			dmarc_issue(rec, name, nlen, "not a tag of %s; ignored",
			    mode == SPFDMARC_DMARC_RFC7489 ? "RFC 7489" :
			    "RFC 9989");
		return 0;
	}
	dup = (*seen & (1u << tag)) != 0;
	*seen |= 1u << tag;

	switch (tag) {
	case TAG_V:
		dmarc_issue(rec, "v", 1, "version tag repeated; ignored");
		return 0;
	case TAG_P:
		dmarc_set_policy(rec, &rec->p, dup, "p", v, vlen);
		return 0;
	case TAG_SP:
		dmarc_set_policy(rec, &rec->sp, dup, "sp", v, vlen);
		return 0;
	case TAG_NP:
		dmarc_set_policy(rec, &rec->np, dup, "np", v, vlen);
		return 0;
	default:
		break;
	}
	if (dup) {
		dmarc_issue(rec, name, nlen, "tag given twice; default used");
		switch (tag) {
		case TAG_PSD: rec->psd = SPFDMARC_DMARC_PSD_U; break;
		case TAG_T: rec->testing = false; break;
		case TAG_ADKIM: rec->adkim = SPFDMARC_DMARC_ALIGN_RELAXED; break;
		case TAG_ASPF: rec->aspf = SPFDMARC_DMARC_ALIGN_RELAXED; break;
		case TAG_RUA: rec->rua = NULL; rec->rua_valid = 0; break;
		case TAG_RUF: rec->ruf = NULL; rec->ruf_valid = 0; break;
		case TAG_FO: rec->fo = SPFDMARC_DMARC_FO_0; break;
		case TAG_PCT: rec->pct = 100; break;
		case TAG_RF: rec->rf_afrf = true; break;
		case TAG_RI: rec->ri = DMARC_RI_DEFAULT; break;
		default: break;
		}
		return 0;
	}

	switch (tag) {
	case TAG_PSD:
		if (dmarc_ieq(v, vlen, "y"))
			rec->psd = SPFDMARC_DMARC_PSD_Y;
		else if (dmarc_ieq(v, vlen, "n"))
			rec->psd = SPFDMARC_DMARC_PSD_N;
		else if (dmarc_ieq(v, vlen, "u"))
			rec->psd = SPFDMARC_DMARC_PSD_U;
		else
			dmarc_issue(rec, "psd", 3,
			    "invalid value (y, n or u); u used");
		break;
	case TAG_T:
		if (dmarc_ieq(v, vlen, "y"))
			rec->testing = true;
		else if (dmarc_ieq(v, vlen, "n"))
			rec->testing = false;
		else
			dmarc_issue(rec, "t", 1,
			    "invalid value (y or n); n used");
		break;
	case TAG_ADKIM:
	case TAG_ASPF: {
		enum spfdmarc_dmarc_align *slot = tag == TAG_ADKIM ?
		    &rec->adkim : &rec->aspf;

		if (dmarc_ieq(v, vlen, "r"))
			*slot = SPFDMARC_DMARC_ALIGN_RELAXED;
		else if (dmarc_ieq(v, vlen, "s"))
			*slot = SPFDMARC_DMARC_ALIGN_STRICT;
		else
			dmarc_issue(rec, name, nlen,
			    "invalid value (r or s); r used");
		break;
	}
	case TAG_RUA:
	case TAG_RUF: {
		unsigned good = dmarc_urilist(v, vlen, &bad);
		char *copy = spfdmarc_arena_strndup(arena, v, vlen);

		if (copy == NULL)
			return SPFDMARC_ENOMEM;
		if (tag == TAG_RUA) {
			rec->rua = copy;
			rec->rua_valid = good;
		} else {
			rec->ruf = copy;
			rec->ruf_valid = good;
		}
		if (bad != 0)
			dmarc_issue(rec, name, nlen,
			    "%u invalid URI%s ignored", bad,
			    bad == 1 ? "" : "s");
		break;
	}
	case TAG_FO:
		if (!dmarc_parse_fo(v, vlen, &rec->fo)) {
			rec->fo = SPFDMARC_DMARC_FO_0;
			dmarc_issue(rec, "fo", 2,
			    "invalid value (0, 1, d, s joined by ':'); 0 used");
		}
		break;
	case TAG_PCT:
		if (dmarc_parse_uint(v, vlen, 3, &n) && n <= 100)
			rec->pct = (unsigned)n;
		else
			dmarc_issue(rec, "pct", 3,
			    "invalid value (0 to 100); 100 used");
		break;
	case TAG_RF: {
		/* RFC 7489 §6.3: a colon-separated list of formats; afrf is
		 * the only one registered. */
		size_t start = 0;
		bool afrf = false, other = false;

		for (size_t i = 0; i <= vlen; i++) {
			if (i < vlen && v[i] != ':')
				continue;
			if (dmarc_ieq(v + start, i - start, "afrf"))
				afrf = true;
			else
				other = true;
			start = i + 1;
		}
		rec->rf_afrf = afrf || !other;
		if (other)
			dmarc_issue(rec, "rf", 2, "unknown report format");
		break;
	}
	case TAG_RI:
		if (dmarc_parse_uint(v, vlen, 10, &n) && n <= 0xffffffffUL)
			rec->ri = n;
		else
			dmarc_issue(rec, "ri", 2,
			    "invalid value (32-bit seconds); 86400 used");
		break;
	default:
		break;
	}
	return 0;
}

/* dmarc-value = %x20-3A / %x3C-7E (the ';' cannot occur here). */
static bool
dmarc_value_printable(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch < 0x20 || ch > 0x7e)
			return false;
	}
	return true;
}

/* Skip to the next ';' (or the end) after a malformed tag. */
static void
dmarc_skip_tag(struct cursor *c)
{
	while (!cursor_eof(c) && cursor_peek(c) != ';')
		(void)cursor_get(c);
}

int
dmarc_record_parse(struct spfdmarc_arena *arena, enum spfdmarc_dmarc_mode mode,
    const char *text, size_t len, struct spfdmarc_dmarc_record *rec,
    bool *is_dmarc)
{
	struct cursor c;
	unsigned seen = 0;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->adkim = SPFDMARC_DMARC_ALIGN_RELAXED;
	rec->aspf = SPFDMARC_DMARC_ALIGN_RELAXED;
	rec->psd = SPFDMARC_DMARC_PSD_U;
	rec->fo = SPFDMARC_DMARC_FO_0;
	rec->pct = 100;
	rec->rf_afrf = true;
	rec->ri = DMARC_RI_DEFAULT;
	*is_dmarc = false;

	cursor_init(&c, text, len);
	(void)cursor_skip_while(&c, dmarc_is_wsp);
	/* dmarc-version = "v" equals %s"DMARC1" */
	if (!cursor_accept(&c, 'v') && !cursor_accept(&c, 'V'))
		return 0;
	(void)cursor_skip_while(&c, dmarc_is_wsp);
	if (!cursor_accept(&c, '='))
		return 0;
	(void)cursor_skip_while(&c, dmarc_is_wsp);
	if (!cursor_accept_str(&c, "DMARC1"))
		return 0;
	(void)cursor_skip_while(&c, dmarc_is_wsp);
	if (!cursor_eof(&c) && cursor_peek(&c) != ';')
		return 0;	/* "v=DMARC10", "v=DMARC1 p=none" */
	if (len > SPFDMARC_DMARC_RECORD_MAX) {
		dmarc_issue(rec, "", 0, "record longer than %u bytes",
		    SPFDMARC_DMARC_RECORD_MAX);
		return 0;
	}

	/* *(dmarc-sep dmarc-tag) [dmarc-sep] */
	while (!cursor_eof(&c)) {
		const char *name, *value;
		size_t nlen, vlen;

		if (!cursor_accept(&c, ';')) {
			dmarc_issue(rec, "", 0, "junk after a tag value");
			dmarc_skip_tag(&c);
			continue;
		}
		(void)cursor_skip_while(&c, dmarc_is_wsp);
		if (cursor_eof(&c))
			break;		/* a trailing separator */
		if (cursor_peek(&c) == ';') {
			dmarc_issue(rec, "", 0, "empty tag");
			continue;
		}
		if (++rec->ntags > SPFDMARC_DMARC_TAGS_MAX) {
			dmarc_issue(rec, "", 0, "more than %u tags",
			    SPFDMARC_DMARC_TAGS_MAX);
			return 0;
		}
		name = cursor_ptr(&c);
		nlen = cursor_skip_while(&c, dmarc_is_alpha);
		if (nlen == 0) {
			dmarc_issue(rec, "", 0, "tag name expected");
			dmarc_skip_tag(&c);
			continue;
		}
		(void)cursor_skip_while(&c, dmarc_is_wsp);
		if (!cursor_accept(&c, '=')) {
			dmarc_issue(rec, name, nlen, "'=' expected after tag");
			dmarc_skip_tag(&c);
			continue;
		}
		(void)cursor_skip_while(&c, dmarc_is_wsp);
		value = cursor_ptr(&c);
		vlen = 0;
		while (!cursor_eof(&c) && cursor_peek(&c) != ';') {
			(void)cursor_get(&c);
			vlen++;
		}
		while (vlen > 0 && dmarc_is_wsp(value[vlen - 1]))
			vlen--;
		if (vlen == 0 || !dmarc_value_printable(value, vlen)) {
			enum dmarc_tag t = dmarc_lookup_tag(name, nlen, mode);

			if (t == TAG_P || t == TAG_SP || t == TAG_NP) {
				/* An unusable p= is an invalid p=. */
				rc = dmarc_apply_tag(arena, rec, mode, name,
				    nlen, "", 0, &seen);
				if (rc != 0)
					return rc;
			} else if (t != TAG_UNKNOWN) {
				dmarc_issue(rec, name, nlen, vlen == 0 ?
				    "empty value" :
				    "non-printable character in value");
			}
			continue;
		}
		rc = dmarc_apply_tag(arena, rec, mode, name, nlen, value, vlen,
		    &seen);
		if (rc != 0)
			return rc;
	}

	if (!(seen & (1u << TAG_P))) {
		/* RFC 9989 §4.7 / §4.10.1: no valid p= — the rua= rule. */
		rec->policy_invalid = true;
		dmarc_issue(rec, "p", 1, "missing");
	}
	*is_dmarc = true;
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_dmarc_record_parse(struct spfdmarc_arena *arena,
    enum spfdmarc_dmarc_mode mode, const char *text, size_t len,
    struct spfdmarc_dmarc_record *rec, bool *is_dmarc)
{
	if (arena == NULL || text == NULL || rec == NULL || is_dmarc == NULL)
		return SPFDMARC_EINVAL;
	return dmarc_record_parse(arena, mode, text, len, rec, is_dmarc);
}
