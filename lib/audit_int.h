/*
 * audit_int.h: internals shared by audit.c (findings, DNS answers, the
 * public entry), audit_spf.c (the SPF include tree) and audit_dmarc.c
 * (the DMARC record, its tags and report destinations). Not installed.
 */
#ifndef SPFDMARC_AUDIT_INT_H
#define SPFDMARC_AUDIT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "spfdmarc/audit.h"

/* The checks, in catalogue order (audit.c's table follows it). */
enum audit_id {
	AUDIT_SPF_MISSING = 0,
	AUDIT_SPF_MULTIPLE,
	AUDIT_SPF_SYNTAX,
	AUDIT_SPF_PLUS_ALL,
	AUDIT_SPF_NO_ALL,
	AUDIT_SPF_SOFTFAIL_WITHOUT_DMARC,
	AUDIT_SPF_NEUTRAL_ALL,
	AUDIT_SPF_TOO_MANY_LOOKUPS,
	AUDIT_SPF_LOOKUPS_NEAR_LIMIT,
	AUDIT_SPF_VOID_LOOKUPS,
	AUDIT_SPF_PTR,
	AUDIT_SPF_MX_TOO_MANY,
	AUDIT_SPF_INCLUDE_MISSING,
	AUDIT_SPF_INCLUDE_LOOP,
	AUDIT_SPF_BAD_TARGET,
	AUDIT_SPF_LONG_STRING,
	AUDIT_SPF_LARGE_ANSWER,
	AUDIT_SPF_TYPE99,
	AUDIT_SPF_REDIRECT_IGNORED,
	AUDIT_SPF_TERMS_AFTER_ALL,
	AUDIT_SPF_WIDE_RANGE,
	AUDIT_SPF_UNRESOLVED_MACRO,
	AUDIT_SPF_AUDIT_LIMIT,
	AUDIT_DMARC_MISSING,
	AUDIT_DMARC_MULTIPLE,
	AUDIT_DMARC_INVALID_POLICY,
	AUDIT_DMARC_SYNTAX,
	AUDIT_DMARC_P_NONE,
	AUDIT_DMARC_WEAK_SUBDOMAIN,
	AUDIT_DMARC_TEST_MODE,
	AUDIT_DMARC_REMOVED_TAG,
	AUDIT_DMARC_INVALID_URI,
	AUDIT_DMARC_UNAUTHORIZED_EXTERNAL_REPORT,
	AUDIT_DMARC_NO_RUA,
	AUDIT_DMARC_PSD_POLICY,
	AUDIT_DMARC_ORG_DOMAIN,
	AUDIT_DNS_BOGUS,
	AUDIT_DNS_TIMEOUT,
	AUDIT_DNS_ERROR,
	AUDIT_DNS_INSECURE,
	AUDIT_NCHECKS
};

struct dmarc_walk;

/* One audit in progress. */
struct audit {
	struct spfdmarc_dns_ctx *dns;
	struct spfdmarc_arena *arena;
	struct spfdmarc_audit *out;
	const char *domain;		/* normalized */
	struct spfdmarc_audit_finding *findings;	/* FINDINGS_MAX */
	struct spfdmarc_audit_answer *answers;	/* ANSWERS_MAX */
	struct dmarc_walk *walk;	/* the DMARC tree walk */
	bool oom;
};

/* printf into the arena; NULL (and a->oom) when out of memory. */
const char *audit_fmt(struct audit *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Add a finding with the check's own severity. name, term: where (may be
 * NULL; copied); offset or -1. message and fix come from audit_fmt() (a
 * NULL one means out of memory and adds nothing). Non-printable bytes
 * become '?'. A finding with the same id, name and term as an earlier
 * one is not added again.
 */
void audit_add(struct audit *a, enum audit_id id, const char *name,
    const char *term, long offset, const char *message, const char *fix);
/* The same with another severity (a check whose severity depends on a
 * value, documented in the catalogue). */
void audit_add_severity(struct audit *a, enum audit_id id,
    enum spfdmarc_audit_severity sev, const char *name, const char *term,
    long offset, const char *message, const char *fix);

/*
 * Look up (name, type) and list the answer among those used, with role.
 * A failed answer (timeout, bogus, server failure, local error) adds a
 * dns-* finding unless quiet. Never NULL.
 */
const struct spfdmarc_dns_answer *audit_lookup(struct audit *a,
    const char *name, enum spfdmarc_dns_type type, const char *role,
    bool quiet);

/* List an answer somebody else looked up (the DMARC walk's). */
void audit_note_answer(struct audit *a, const struct spfdmarc_dns_answer *ans,
    const char *role, bool quiet);

/* A copy of text[0..len) for display: NUL bytes become '?'. */
char *audit_strndup_shown(struct audit *a, const char *text, size_t len);

/* The SPF part: the tree, its findings, out->spf. */
int audit_spf_run(struct audit *a);
/* The DMARC part: start the tree walk's queries (never blocks), then
 * read the record, its findings, out->dmarc. */
int audit_dmarc_start(struct audit *a);
int audit_dmarc_run(struct audit *a);

/* RFC 9989 policies ordered by strength (UNSET counts as none). */
int audit_policy_strength(enum spfdmarc_dmarc_policy p);

#endif
