/*
 * spf_record.h: SPF record selection and parsing (RFC 7208 §4.5, §4.6,
 * §5, §6, §12). Internal to the library.
 *
 * spf_record_parse() checks a whole record before anything of it is
 * evaluated (§4.6: syntax errors anywhere are a permerror) and returns its
 * mechanisms in order and its redirect=/exp= modifiers. Every domain-spec
 * and modifier value is checked as a macro-string (spf_macro.h).
 */
#ifndef SPFDMARC_SPF_RECORD_H
#define SPFDMARC_SPF_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/addr.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/spf.h"

/* Longest record parsed. RFC 7208 §3.4 asks publishers to stay within a
 * 512-byte answer; real records with many strings run to a few KB. */
#define SPF_RECORD_MAX		4096
/* Most terms (mechanisms and modifiers) in one record. */
#define SPF_TERMS_MAX		256

enum spf_mech {
	SPF_MECH_ALL = 0,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
};

struct spf_term {
	enum spf_mech mech;
	/* PASS "+", FAIL "-", SOFTFAIL "~", NEUTRAL "?" (§4.6.2) */
	enum spfdmarc_spf_result qualifier;
	const char *text;	/* the term as written, NUL-terminated */
	size_t pos;		/* its offset in the record */
	/* include, a, mx, ptr, exists: the domain-spec (NUL-terminated),
	 * or NULL when none was given (a, mx, ptr: then <domain>). */
	const char *spec;
	size_t spec_len;
	unsigned cidr4;		/* a, mx, ip4: 0..32 (default 32) */
	unsigned cidr6;		/* a, mx, ip6: 0..128 (default 128) */
	struct spfdmarc_addr net;	/* ip4, ip6 */
};

struct spf_record {
	struct spf_term *terms;	/* the mechanisms, left to right */
	size_t nterms;
	/* redirect= and exp= domain-specs (NUL-terminated) and the terms as
	 * written, or NULL. */
	const char *redirect, *redirect_text;
	size_t redirect_len;
	const char *exp, *exp_text;
	size_t exp_len;
};

/* Does text[0..len) start with the version "v=spf1" (any case) followed
 * by a space or the end (§4.5)? */
bool spf_record_is_v1(const char *text, size_t len);

/*
 * Parse the record text[0..len) into *out (memory from arena). Returns 0;
 * SPFDMARC_ESYNTAX or SPFDMARC_ERANGE (over SPF_RECORD_MAX or
 * SPF_TERMS_MAX) with a reason naming the term and its offset in
 * why[whysize]; or SPFDMARC_ENOMEM.
 */
int spf_record_parse(struct spfdmarc_arena *arena, const char *text,
    size_t len, struct spf_record **out, char *why, size_t whysize);

/* "all", "include", ... */
const char *spf_mech_name(enum spf_mech mech);

/* Is the mechanism one of the DNS-querying terms of §4.6.4? */
bool spf_mech_queries_dns(enum spf_mech mech);

#endif
