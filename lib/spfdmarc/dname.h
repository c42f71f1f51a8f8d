/*
 * spfdmarc/dname.h: domain-name syntax (RFC 1034 §3.1, RFC 1123 §2.1,
 * RFC 5890 §2.3.2.1 for A-labels), in presentation (text) form.
 *
 * Names are checked as given, with or without one trailing dot; the
 * trailing dot never counts toward the limits. Comparisons ignore ASCII
 * case and the trailing dot. No function here trusts a NUL: every one
 * takes a length.
 */
#ifndef SPFDMARC_DNAME_H
#define SPFDMARC_DNAME_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPFDMARC_DNAME_MAX	253	/* text, without the trailing dot */
#define SPFDMARC_LABEL_MAX	63
#define SPFDMARC_DNAME_BUFSIZE	(SPFDMARC_DNAME_MAX + 2)	/* dot + NUL */

/* Flags for spfdmarc_dname_check(). */
enum spfdmarc_dname_flags {
	/* Every label must be LDH (letters, digits, hyphen, not starting
	 * or ending with a hyphen); "xn--" labels must be A-label shaped. */
	SPFDMARC_DNAME_LDH = 1 << 0,
	/* With LDH: labels may also start with '_' (_dmarc, _spf). */
	SPFDMARC_DNAME_UNDERSCORE = 1 << 1,
	/* Require at least two labels (a "fully qualified" mail domain). */
	SPFDMARC_DNAME_MULTILABEL = 1 << 2,
	/* With LDH: the last label must not be all-numeric (RFC 3696 §2). */
	SPFDMARC_DNAME_ALPHA_TLD = 1 << 3,
};

/*
 * Check name[0..len) against the flags. Always enforced: 1..253 bytes
 * (a trailing dot allowed and not counted), no empty label, labels of at
 * most 63 bytes, no NUL byte. Without SPFDMARC_DNAME_LDH any other byte
 * is accepted (DNS allows it; SPF's domain-spec does too).
 * Returns 0, SPFDMARC_ESYNTAX (bad character, empty label), or
 * SPFDMARC_ERANGE (a label or the name too long).
 */
int spfdmarc_dname_check(const char *name, size_t len, unsigned flags);

/* One label: LDH rule (RFC 1123), 1..63 bytes. */
bool spfdmarc_dname_label_is_ldh(const char *label, size_t len);

/* One label: "xn--" prefix (any case) followed by LDH, not ending with '-'.
 * Syntax only: the Punycode itself is not decoded. */
bool spfdmarc_dname_label_is_alabel(const char *label, size_t len);

/* Number of labels in a syntactically valid name ("." and "" have 0). */
size_t spfdmarc_dname_count_labels(const char *name, size_t len);

/* Lower-case ASCII letters in place. */
void spfdmarc_dname_lower(char *name, size_t len);

/* Equal ignoring ASCII case and one trailing dot on either side. */
bool spfdmarc_dname_equal(const char *a, size_t alen, const char *b,
    size_t blen);

/* child equals parent or lies under it (label boundary respected):
 * "a.example.com" is under "example.com", "badexample.com" is not.
 * Every non-empty name is under the root "."; nothing is under "". */
bool spfdmarc_dname_is_under(const char *child, size_t clen,
    const char *parent, size_t plen);

/*
 * The suffix of name made of its last n labels (n >= 1), as an offset
 * into name: name + offset, length len - offset (a trailing dot stays in
 * the suffix). Returns false when the name has fewer than n labels ("" and
 * "." have none).
 */
bool spfdmarc_dname_last_labels(const char *name, size_t len, size_t n,
    size_t *offset);

#ifdef __cplusplus
}
#endif

#endif
