/*
 * dname.c: domain-name syntax checks and comparisons (spfdmarc/dname.h).
 * RFC 1034 §3.1 (lengths), RFC 1123 §2.1 (LDH labels may start with a
 * digit), RFC 5890 §2.3.2.1 (A-labels start with "xn--").
 */
#include "config.h"

#include <string.h>

#include "export.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

static inline char
dname_lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static inline bool
dname_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Length without one trailing dot (but "." stays as it is). */
static size_t
dname_strip_dot(const char *name, size_t len)
{
	if (len > 1 && name[len - 1] == '.')
		return len - 1;
	return len;
}

SPFDMARC_PUBLIC bool
spfdmarc_dname_label_is_ldh(const char *label, size_t len)
{
	if (len == 0 || len > SPFDMARC_LABEL_MAX)
		return false;
	if (label[0] == '-' || label[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!dname_is_alnum(label[i]) && label[i] != '-')
			return false;
	}
	return true;
}

SPFDMARC_PUBLIC bool
spfdmarc_dname_label_is_alabel(const char *label, size_t len)
{
	if (len < 5 || len > SPFDMARC_LABEL_MAX)
		return false;
	if (dname_lc(label[0]) != 'x' || dname_lc(label[1]) != 'n' ||
	    label[2] != '-' || label[3] != '-')
		return false;
	return spfdmarc_dname_label_is_ldh(label, len);
}

static bool
dname_all_digits(const char *label, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (label[i] < '0' || label[i] > '9')
			return false;
	}
	return true;
}

/* Check one label under the flags; 0 or an error code. */
static int
dname_check_label(const char *label, size_t len, unsigned flags)
{
	if (len == 0)
		return SPFDMARC_ESYNTAX;
	if (len > SPFDMARC_LABEL_MAX)
		return SPFDMARC_ERANGE;
	if (memchr(label, '\0', len) != NULL)
		return SPFDMARC_ESYNTAX;
	if (!(flags & SPFDMARC_DNAME_LDH))
		return 0;
	if ((flags & SPFDMARC_DNAME_UNDERSCORE) && label[0] == '_') {
		label++;
		len--;
		if (len == 0)
			return 0;	/* "_" alone */
	}
	if (!spfdmarc_dname_label_is_ldh(label, len))
		return SPFDMARC_ESYNTAX;
	/* "ab--" in positions 3-4 is reserved for A-labels (RFC 5891 §4.2.3.1). */
	if (len >= 4 && label[2] == '-' && label[3] == '-' &&
	    !spfdmarc_dname_label_is_alabel(label, len))
		return SPFDMARC_ESYNTAX;
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_dname_check(const char *name, size_t len, unsigned flags)
{
	size_t start = 0, nlabels = 0, last_start = 0, last_len = 0;
	int rc;

	if (name == NULL || len == 0)
		return SPFDMARC_ESYNTAX;
	len = dname_strip_dot(name, len);
	if (len == 1 && name[0] == '.')
		return SPFDMARC_ESYNTAX;	/* the root is not a mail domain */
	if (len > SPFDMARC_DNAME_MAX)
		return SPFDMARC_ERANGE;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		rc = dname_check_label(name + start, i - start, flags);
		if (rc != 0)
			return rc;
		last_start = start;
		last_len = i - start;
		nlabels++;
		start = i + 1;
	}
	if ((flags & SPFDMARC_DNAME_MULTILABEL) && nlabels < 2)
		return SPFDMARC_ESYNTAX;
	if ((flags & SPFDMARC_DNAME_LDH) && (flags & SPFDMARC_DNAME_ALPHA_TLD) &&
	    dname_all_digits(name + last_start, last_len))
		return SPFDMARC_ESYNTAX;
	return 0;
}

SPFDMARC_PUBLIC size_t
spfdmarc_dname_count_labels(const char *name, size_t len)
{
	size_t n = 0;

	len = dname_strip_dot(name, len);
	if (len == 0 || (len == 1 && name[0] == '.'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.')
			n++;
	}
	return n + 1;
}

SPFDMARC_PUBLIC void
spfdmarc_dname_lower(char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		name[i] = dname_lc(name[i]);
}

SPFDMARC_PUBLIC bool
spfdmarc_dname_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	alen = dname_strip_dot(a, alen);
	blen = dname_strip_dot(b, blen);
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		if (dname_lc(a[i]) != dname_lc(b[i]))
			return false;
	}
	return true;
}

SPFDMARC_PUBLIC bool
spfdmarc_dname_is_under(const char *child, size_t clen, const char *parent,
    size_t plen)
{
	size_t off;

	clen = dname_strip_dot(child, clen);
	plen = dname_strip_dot(parent, plen);
	if (plen == 0 || clen == 0)
		return false;
	if (plen == 1 && parent[0] == '.')
		return true;		/* every name is under the root */
	if (clen < plen)
		return false;
	off = clen - plen;
	if (off != 0 && child[off - 1] != '.')
		return false;
	return spfdmarc_dname_equal(child + off, plen, parent, plen);
}

SPFDMARC_PUBLIC bool
spfdmarc_dname_last_labels(const char *name, size_t len, size_t n,
    size_t *offset)
{
	size_t seen = 0;

	len = dname_strip_dot(name, len);
	if (n == 0 || len == 0 || (len == 1 && name[0] == '.'))
		return false;	/* no labels at all (the root has none) */
	for (size_t i = len; i > 0; i--) {
		if (name[i - 1] == '.') {
			if (++seen == n) {
				*offset = i;
				return true;
			}
		}
	}
	if (seen + 1 == n) {
		*offset = 0;
		return true;
	}
	return false;
}
