/*
 * spfdmarc/hdr.h: building the bodies of the trace header fields a
 * receiver adds: Authentication-Results (RFC 8601 §2.2) and Received-SPF
 * (RFC 7208 §9.1), and reading the authserv-id of an existing
 * Authentication-Results field (RFC 8601 §5: the ones carrying our own
 * authserv-id are forgeries a receiver deletes).
 *
 * Every text given to a builder may come from a hostile peer (a HELO
 * name, a MAIL FROM address, a From field). Nothing written can start a
 * new header line, end a clause early or unbalance the syntax: property
 * values are written as a token, a local-part@domain or a quoted-string,
 * comments escape their delimiters, and CR, LF, NUL, other controls and
 * invalid UTF-8 are replaced by '?'. Names that the syntax requires to be
 * keywords (method, result, ptype, property, key) are checked, never
 * quoted: a caller passing something else gets SPFDMARC_EINVAL at the end.
 *
 * The builder writes into a caller's struct spfdmarc_buf (so the length
 * is bounded) and records the first failure; the caller checks once with
 * spfdmarc_hdr_finish(). Only the field body is built, not "Name:".
 *
 *	spfdmarc_hdr_init(&h, &buf, "\n\t");
 *	spfdmarc_hdr_ar_begin(&h, "mx.example.net");
 *	spfdmarc_hdr_ar_method(&h, "spf", "pass");
 *	spfdmarc_hdr_comment(&h, "dnssec=secure");
 *	spfdmarc_hdr_ar_prop(&h, "smtp", "mailfrom", "a@example.com");
 *	if (spfdmarc_hdr_finish(&h) != 0) ...
 *
 * gives "mx.example.net;\n\tspf=pass (dnssec=secure) smtp.mailfrom=a@example.com".
 */
#ifndef SPFDMARC_HDR_H
#define SPFDMARC_HDR_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest value the builders accept, and the longest authserv-id
 * spfdmarc_hdr_ar_authserv_id() returns (with the NUL). */
#define SPFDMARC_HDR_VALUE_MAX		1024
#define SPFDMARC_HDR_AUTHSERV_MAX	256

struct spfdmarc_hdr {
	struct spfdmarc_buf *buf;
	const char *fold;	/* whitespace between clauses */
	int err;		/* sticky: the first failure */
	bool first_kv;		/* Received-SPF: no key-value pair yet */
};

/*
 * Start a field body in buf (appended to what it holds). fold is the
 * whitespace written where a clause starts: "\n\t" for a milter (the MTA
 * turns it into CRLF TAB), "\r\n\t" for a message on the wire, NULL for
 * one line (a single space). It must be whitespace with at most one line
 * break, followed by a space or tab.
 */
void spfdmarc_hdr_init(struct spfdmarc_hdr *h, struct spfdmarc_buf *buf,
    const char *fold);

/* The first failure: 0, SPFDMARC_EINVAL (a keyword argument was not a
 * keyword), SPFDMARC_ETRUNC or SPFDMARC_ENOMEM (the buffer). */
int spfdmarc_hdr_finish(const struct spfdmarc_hdr *h);

/* Authentication-Results: the authserv-id (a value: written as a token,
 * else quoted). */
void spfdmarc_hdr_ar_begin(struct spfdmarc_hdr *h, const char *authserv_id);

/* ";" fold "method=result". Both must be keywords. */
void spfdmarc_hdr_ar_method(struct spfdmarc_hdr *h, const char *method,
    const char *result);

/* " ptype.property=value". ptype and property are keywords; value is
 * written as a token, as local-part@domain, or as a quoted-string. An
 * empty value is written as "". */
void spfdmarc_hdr_ar_prop(struct spfdmarc_hdr *h, const char *ptype,
    const char *property, const char *value);

/* ";" fold "none": no method was evaluated (RFC 8601 §2.2). */
void spfdmarc_hdr_ar_none(struct spfdmarc_hdr *h);

/* " (text)", with '(' ')' '\' escaped and unsafe bytes replaced. */
void spfdmarc_hdr_comment(struct spfdmarc_hdr *h, const char *text);

/* Received-SPF: the result keyword (RFC 7208 §9.1: "pass", "fail", ...). */
void spfdmarc_hdr_rspf_begin(struct spfdmarc_hdr *h, const char *result);

/* A key-value pair "key=value;" (value as a dot-atom, else quoted). The
 * first pair is preceded by fold, the others by a space. */
void spfdmarc_hdr_rspf_kv(struct spfdmarc_hdr *h, const char *key,
    const char *value);

/* Single pieces, for other callers. */

/* RFC 2045 token: one or more of CHAR except SPACE, CTLs, tspecials. */
bool spfdmarc_hdr_is_token(const char *s, size_t len);

/* RFC 5322 dot-atom (ASCII atext only). */
bool spfdmarc_hdr_is_dot_atom(const char *s, size_t len);

/* RFC 8601 Keyword (RFC 5321 Let-dig [Ldh-str]): letters, digits and
 * '-', not starting or ending with '-'. Methods, results, ptypes and
 * properties are keywords. */
bool spfdmarc_hdr_is_keyword(const char *s, size_t len);

/* Append s[0..len) as a quoted-string (RFC 5322 §3.2.4). */
bool spfdmarc_hdr_put_quoted(struct spfdmarc_buf *b, const char *s,
    size_t len);

/*
 * The authserv-id of an Authentication-Results field body value[0..len)
 * (leading CFWS skipped, a quoted-string unquoted) into out[size]. 0,
 * SPFDMARC_ESYNTAX when there is none, SPFDMARC_ERANGE when it does not
 * fit. Comparing it with ours is the caller's (case-insensitively, as a
 * domain name).
 */
int spfdmarc_hdr_ar_authserv_id(const char *value, size_t len, char *out,
    size_t size);

#ifdef __cplusplus
}
#endif

#endif
