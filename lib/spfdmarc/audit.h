/*
 * spfdmarc/audit.h: an audit of a domain's SPF (RFC 7208) and DMARC
 * (RFC 9989) set-up, the engine of `spfdmarc check`.
 *
 * spfdmarc_audit_run() reads what a receiver would read, through the same
 * DNS interface (spfdmarc/dns.h) and the same record parsers, and reports
 * findings: each has a stable id ("spf-too-many-lookups"), a severity, a
 * one-line message and a concrete fix. It also returns what it saw: the
 * SPF include tree with the DNS-querying terms of each branch, the DMARC
 * record that applies and the Organizational Domain, and the DNSSEC state
 * of every answer used.
 *
 * The SPF part is static: no client address is assumed, so every term up
 * to the first "all" is counted (the worst case a receiver meets, for a
 * client no earlier term matches). Void lookups are counted as an IPv4
 * client meets them (a, exists: A; mx: MX). Terms whose domain-spec needs
 * the message (%{s}, %{i}, ... anything but %{d}) are counted but cannot
 * be followed.
 *
 * The catalogue of checks (spfdmarc_audit_checks()) lists every id with
 * its severity; ids never change meaning once published.
 *
 * Everything returned lives in the caller's arena.
 */
#ifndef SPFDMARC_AUDIT_H
#define SPFDMARC_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/arena.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/spf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of one audit (named so callers and tests can see them). */
#define SPFDMARC_AUDIT_FINDINGS_MAX	128	/* findings kept */
#define SPFDMARC_AUDIT_SPF_NODES_MAX	64	/* SPF records followed */
#define SPFDMARC_AUDIT_SPF_DEPTH_MAX	12	/* include levels */
#define SPFDMARC_AUDIT_ANSWERS_MAX	256	/* DNS answers listed */
#define SPFDMARC_AUDIT_URIS_MAX		16	/* rua/ruf URIs kept */
/* RFC 7208 §4.6.4: the lookup limits a receiver enforces, and the count
 * from which the audit warns. */
#define SPFDMARC_AUDIT_SPF_LOOKUPS_MAX	10
#define SPFDMARC_AUDIT_SPF_LOOKUPS_WARN	8
#define SPFDMARC_AUDIT_SPF_VOID_MAX	2
/* A DNS character-string (RFC 1035 §3.3) and a classic UDP answer
 * (RFC 1035 §4.2.1; RFC 7208 §3.4). */
#define SPFDMARC_AUDIT_STRING_MAX	255
#define SPFDMARC_AUDIT_ANSWER_MAX	512
/* A DNS context for an audit should allow this many queries. */
#define SPFDMARC_AUDIT_QUERIES		2000

/* Ordered: the worst finding decides the grade. */
enum spfdmarc_audit_severity {
	SPFDMARC_AUDIT_INFO = 0,
	SPFDMARC_AUDIT_WARNING,
	SPFDMARC_AUDIT_ERROR,
};

/* The overall grade; its value is the exit code of `spfdmarc check`. */
enum spfdmarc_audit_grade {
	SPFDMARC_AUDIT_PASS = 0,	/* no warning, no error */
	SPFDMARC_AUDIT_WARN = 1,	/* warnings only */
	SPFDMARC_AUDIT_FAIL = 2,	/* at least one error */
};

/* "info", "warning", "error". */
const char *spfdmarc_audit_severity_name(enum spfdmarc_audit_severity s);
/* "pass", "warn", "fail". */
const char *spfdmarc_audit_grade_name(enum spfdmarc_audit_grade g);

/* One entry of the catalogue. */
struct spfdmarc_audit_check {
	const char *id;			/* "spf-ptr" */
	enum spfdmarc_audit_severity severity;	/* its usual severity */
	const char *summary;		/* when it is reported */
};

/* Every check the audit can report, in a fixed order. */
const struct spfdmarc_audit_check *spfdmarc_audit_checks(size_t *count);

struct spfdmarc_audit_finding {
	const char *id;
	enum spfdmarc_audit_severity severity;
	const char *message;	/* one line, printable ASCII */
	const char *fix;	/* one line, printable ASCII */
	/* Where: the DNS name concerned, as queried ("example.com",
	 * "_dmarc.example.com"); the SPF term or DMARC tag as written; the
	 * offset of the fault in the record. NULL / -1 when not known. */
	const char *name;
	const char *term;
	long offset;
};

/* What became of one SPF record of the tree. */
enum spfdmarc_audit_spf_state {
	SPFDMARC_AUDIT_SPF_OK = 0,	/* parsed and followed */
	SPFDMARC_AUDIT_SPF_NONE,	/* no SPF record there */
	SPFDMARC_AUDIT_SPF_MULTIPLE,	/* several: a permerror */
	SPFDMARC_AUDIT_SPF_SYNTAX,	/* a syntax error: a permerror */
	SPFDMARC_AUDIT_SPF_DNS_ERROR,	/* temperror: timeout, bogus... */
	SPFDMARC_AUDIT_SPF_LOOP,	/* already on the include path */
	SPFDMARC_AUDIT_SPF_MACRO,	/* target depends on the message */
	SPFDMARC_AUDIT_SPF_BAD_NAME,	/* target is no usable domain */
	SPFDMARC_AUDIT_SPF_LIMIT,	/* not followed: audit limits */
};

/* "ok", "none", "multiple", "syntax", "dns-error", "loop", "macro",
 * "bad-name", "not-followed". */
const char *spfdmarc_audit_spf_state_name(enum spfdmarc_audit_spf_state s);

/* One SPF record of the include tree (the domain's own at the root). */
struct spfdmarc_audit_spf_node {
	const char *domain;	/* the record's domain (target name) */
	const char *via;	/* "include:..." or "redirect=..." as
				 * written in the parent; NULL at the root */
	enum spfdmarc_audit_spf_state state;
	const char *record;	/* its text (NUL bytes shown as '?'); NULL
				 * unless one record was found */
	size_t record_len;
	size_t nstrings;	/* character-strings it was published as */
	size_t longest;		/* its longest character-string */
	size_t answer_size;	/* the TXT answer's bytes, 0 if unknown */
	enum spfdmarc_dnssec dnssec;	/* of the TXT answer */
	/* RFC 7208 §4.6.4 counts. record_lookups: this record's own
	 * DNS-querying terms (include, a, mx, ptr, exists, redirect) up to
	 * its first "all"; lookups: the whole branch, i.e. the term that
	 * leads here (1, not at the root) + record_lookups + the children's
	 * branches below it. void_lookups: the branch's void lookups. */
	unsigned record_lookups;
	unsigned lookups;
	unsigned void_lookups;
	/* The "all" that ends this record, or NONE. */
	bool has_all;
	enum spfdmarc_spf_result all_qualifier;
	struct spfdmarc_audit_spf_node **children;	/* include, then
							 * redirect */
	size_t nchildren;
};

/* One DNS answer the audit used. */
struct spfdmarc_audit_answer {
	const char *name;
	enum spfdmarc_dns_type type;
	enum spfdmarc_dns_status status;
	enum spfdmarc_dnssec dnssec;
	const char *why;	/* for a failure, else NULL */
	const char *role;	/* "spf", "spf-include", "spf-redirect",
				 * "spf-a", "spf-mx", "spf-exists",
				 * "spf-type99", "dmarc", "dmarc-report" */
};

struct spfdmarc_audit_spf {
	const struct spfdmarc_audit_spf_node *tree;	/* never NULL */
	const char *record;	/* the domain's record, or NULL */
	unsigned lookups;	/* tree->lookups */
	unsigned void_lookups;
	/* The "all" the chain of redirects ends in; has_all false when
	 * there is none (the default result is then neutral). */
	bool has_all;
	enum spfdmarc_spf_result all_qualifier;
	bool type99;		/* an obsolete type 99 record exists */
	enum spfdmarc_dnssec dnssec;	/* worst of the tree's answers */
};

struct spfdmarc_audit_dmarc {
	const char *record;	/* the record that applies, or NULL */
	const char *record_domain;	/* where it is (without _dmarc.) */
	const char *org_domain;	/* by the DNS tree walk; NULL if a DNS
				 * failure left it unknown */
	enum spfdmarc_dmarc_source source;
	/* As published; UNSET when absent or invalid. */
	enum spfdmarc_dmarc_policy p, sp, np;
	bool policy_invalid;
	/* What applies to the domain itself (p, or sp for a record found
	 * at the Organizational Domain or a PSD, after the §4.10.1 rua rule)
	 * and after t=y (one level softer). */
	enum spfdmarc_dmarc_policy policy;
	enum spfdmarc_dmarc_policy effective_policy;
	bool testing;
	enum spfdmarc_dmarc_align adkim, aspf;
	const char *const *rua;		/* URIs as published, trimmed */
	size_t nrua;
	const char *const *ruf;
	size_t nruf;
	/* The worst of the answers the policy rests on. */
	enum spfdmarc_dnssec dnssec;
};

struct spfdmarc_audit {
	const char *domain;	/* normalized: A-labels, lower case */
	enum spfdmarc_audit_grade grade;
	unsigned count[3];	/* findings per severity */
	const struct spfdmarc_audit_finding *findings;	/* errors first,
							 * then warnings,
							 * then info */
	size_t nfindings;
	size_t dropped;		/* findings past FINDINGS_MAX */
	struct spfdmarc_audit_spf spf;
	struct spfdmarc_audit_dmarc dmarc;
	const struct spfdmarc_audit_answer *answers;	/* in query order */
	size_t nanswers;
	enum spfdmarc_dnssec dnssec;	/* worst of the answers used */
};

/*
 * Audit domain (U-labels or A-labels, any case, one trailing dot allowed)
 * over dns, a context that should allow SPFDMARC_AUDIT_QUERIES queries
 * (fewer only shortens what can be checked: refused queries become
 * findings). DNS failures and broken records are findings, not errors.
 * Returns 0 with *out set; SPFDMARC_EINVAL (NULL arguments, or domain is
 * not a usable mail domain); SPFDMARC_ENOMEM.
 */
int spfdmarc_audit_run(struct spfdmarc_dns_ctx *dns,
    struct spfdmarc_arena *arena, const char *domain,
    struct spfdmarc_audit **out);

/* The finding with this id, the first if several; NULL if none. */
const struct spfdmarc_audit_finding *spfdmarc_audit_find(
    const struct spfdmarc_audit *audit, const char *id);

#ifdef __cplusplus
}
#endif

#endif
