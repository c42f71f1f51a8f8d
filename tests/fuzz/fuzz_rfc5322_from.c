/*
 * fuzz_rfc5322_from.c: the From field parser and the Author Domain
 * (RFC 5322 §3.4, §3.6.2, §4; RFC 6532; RFC 2047; RFC 9989 §5.3.1).
 *
 * Input: From field values separated by NUL bytes (several fields: a
 * message with several From). The whole input, NUL bytes included, is
 * also parsed as one field value.
 *
 * Checked: ONE comes with one valid lower-case LDH domain, which is among
 * the domains seen; NONE and SEVERAL with a reason; the domains kept are
 * valid names; and the mailbox parser agrees on what it returns.
 */
#include "config.h"

#include "fuzz.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "spfdmarc/rfc5322.h"

#define NFIELDS	4

static void
check_domain(const char *d)
{
	size_t len = strnlen(d, SPFDMARC_DNAME_BUFSIZE);

	FUZZ_ASSERT(len > 0 && len < SPFDMARC_DNAME_BUFSIZE, "domain length");
	FUZZ_ASSERT(spfdmarc_dname_check(d, len, SPFDMARC_DNAME_LDH) == 0,
	    "domain is an LDH name");
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(!(d[i] >= 'A' && d[i] <= 'Z'), "lower case");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spfdmarc_rfc5322_from from;
	struct spfdmarc_rfc5322_mailbox *mb = NULL;
	struct spfdmarc_arena *arena;
	char *f[NFIELDS], *block;
	const char *values[NFIELDS];
	size_t lens[NFIELDS], n, nmb = 0;
	char why[256];
	bool found;
	int rc;

	n = fuzz_split(data, size, '\0', f, lens, NFIELDS, &block);
	if (n == 0) {
		free(block);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		values[i] = f[i];
	rc = spfdmarc_rfc5322_from_domain_n(values, lens, n, &from);
	FUZZ_ASSERT(rc == 0, "from_domain returns 0");
	FUZZ_ASSERT(from.nfields == n, "fields counted");
	FUZZ_ASSERT(from.ndomains <= SPFDMARC_RFC5322_DOMAINS_MAX,
	    "domains kept");
	FUZZ_ASSERT(fuzz_field_clean(from.reason, sizeof(from.reason)),
	    "reason is clean");
	for (size_t i = 0; i < from.ndomains; i++)
		check_domain(from.domains[i]);
	switch (from.status) {
	case SPFDMARC_RFC5322_FROM_ONE:
		FUZZ_ASSERT(n == 1, "ONE from one field");
		check_domain(from.domain);
		found = false;
		for (size_t i = 0; i < from.ndomains; i++)
			if (strcmp(from.domains[i], from.domain) == 0)
				found = true;
		FUZZ_ASSERT(found && from.ndomains == 1,
		    "ONE is the only domain seen");
		break;
	case SPFDMARC_RFC5322_FROM_NONE:
	case SPFDMARC_RFC5322_FROM_SEVERAL:
		FUZZ_ASSERT(from.reason[0] != '\0', "a reason");
		break;
	default:
		FUZZ_ASSERT(0, "a status");
	}

	/* The NUL-terminated variant sees the first field up to a NUL. */
	rc = spfdmarc_rfc5322_from_domain(values, 1, &from);
	FUZZ_ASSERT(rc == 0, "from_domain returns 0");

	arena = spfdmarc_arena_new(1024 * 1024);
	if (arena != NULL) {
		rc = spfdmarc_rfc5322_parse_mailboxes(arena,
		    (const char *)data, size, &mb, &nmb, why, sizeof(why));
		if (rc == 0) {
			FUZZ_ASSERT(nmb <= SPFDMARC_RFC5322_MAILBOXES_MAX,
			    "mailbox limit");
			for (size_t i = 0; i < nmb; i++) {
				FUZZ_ASSERT(mb[i].local != NULL, "local");
				if (mb[i].domain != NULL)
					(void)strlen(mb[i].domain);
				if (mb[i].display != NULL)
					(void)strlen(mb[i].display);
			}
		} else {
			FUZZ_ASSERT(rc == SPFDMARC_ESYNTAX ||
			    rc == SPFDMARC_ERANGE || rc == SPFDMARC_ENOMEM,
			    "mailbox error code");
			FUZZ_ASSERT(strnlen(why, sizeof(why)) < sizeof(why),
			    "why ends");
		}
		spfdmarc_arena_free(arena);
	}
	free(block);
	return 0;
}
