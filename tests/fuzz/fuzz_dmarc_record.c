/*
 * fuzz_dmarc_record.c: the DMARC record parser (RFC 9989 §4.7, §4.8; RFC
 * 7489 §6.3 in its mode) on arbitrary bytes, in both modes.
 *
 * Input: the record text (NUL bytes included).
 */
#include "config.h"

#include "fuzz.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/err.h"

static void
one(enum spfdmarc_dmarc_mode mode, const uint8_t *data, size_t size)
{
	struct spfdmarc_arena *arena = spfdmarc_arena_new(256 * 1024);
	struct spfdmarc_dmarc_record rec;
	bool is_dmarc = false;
	int rc;

	if (arena == NULL)
		return;
	memset(&rec, 0, sizeof(rec));
	rc = spfdmarc_dmarc_record_parse(arena, mode, (const char *)data, size,
	    &rec, &is_dmarc);
	FUZZ_ASSERT(rc == 0 || rc == SPFDMARC_ENOMEM, "parse returns 0");
	if (rc == 0 && is_dmarc) {
		FUZZ_ASSERT(size <= SPFDMARC_DMARC_RECORD_MAX, "length limit");
		FUZZ_ASSERT(rec.ntags <= SPFDMARC_DMARC_TAGS_MAX, "tag limit");
		FUZZ_ASSERT(rec.pct <= 100, "pct range");
		FUZZ_ASSERT(rec.p <= SPFDMARC_DMARC_POLICY_REJECT &&
		    rec.sp <= SPFDMARC_DMARC_POLICY_REJECT &&
		    rec.np <= SPFDMARC_DMARC_POLICY_REJECT, "policies");
		for (unsigned i = 0; i < rec.nissues &&
		    i < SPFDMARC_DMARC_ISSUES_MAX; i++) {
			const struct spfdmarc_dmarc_issue *is = &rec.issues[i];

			FUZZ_ASSERT(strnlen(is->tag, sizeof(is->tag)) <
			    sizeof(is->tag), "issue tag ends");
			FUZZ_ASSERT(fuzz_field_clean(is->reason,
			    sizeof(is->reason)), "issue reason is clean");
		}
		if (rec.rua != NULL)
			(void)strlen(rec.rua);
		if (rec.ruf != NULL)
			(void)strlen(rec.ruf);
		(void)spfdmarc_dmarc_policy_name(rec.p);
	}
	spfdmarc_arena_free(arena);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(SPFDMARC_DMARC_RFC9989, data, size);
	one(SPFDMARC_DMARC_RFC7489, data, size);
	return 0;
}
