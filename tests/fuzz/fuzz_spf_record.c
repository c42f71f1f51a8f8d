/*
 * fuzz_spf_record.c: the SPF record parser (RFC 7208 §4.5, §4.6, §5, §6,
 * §12) on arbitrary bytes: version check, terms, CIDR lengths, every
 * domain-spec checked as a macro-string.
 *
 * Input: the record text, as a TXT answer would carry it (NUL bytes
 * included).
 */
#include "config.h"

#include "fuzz.h"
#include "spf_record.h"
#include "spfdmarc/err.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spfdmarc_arena *arena;
	struct spf_record *rec = NULL;
	char why[256];
	int rc;

	arena = spfdmarc_arena_new(1024 * 1024);
	if (arena == NULL)
		return 0;
	(void)spf_record_is_v1((const char *)data, size);
	why[0] = '\0';
	rc = spf_record_parse(arena, (const char *)data, size, &rec, why,
	    sizeof(why));
	FUZZ_ASSERT(strnlen(why, sizeof(why)) < sizeof(why), "why ends");
	if (rc == 0) {
		FUZZ_ASSERT(rec != NULL, "a record on success");
		FUZZ_ASSERT(rec->nterms <= SPF_TERMS_MAX, "term limit");
		FUZZ_ASSERT(size <= SPF_RECORD_MAX, "length limit");
		for (size_t i = 0; i < rec->nterms; i++) {
			const struct spf_term *t = &rec->terms[i];

			FUZZ_ASSERT(t->text != NULL, "term text");
			FUZZ_ASSERT(t->pos < size, "term offset");
			FUZZ_ASSERT(t->cidr4 <= 32 && t->cidr6 <= 128,
			    "CIDR lengths");
			FUZZ_ASSERT(!fuzz_has_crlfnul(t->text,
			    strlen(t->text)), "no CR/LF in a term");
			if (t->spec != NULL)
				FUZZ_ASSERT(strlen(t->spec) == t->spec_len,
				    "spec length");
			(void)spf_mech_name(t->mech);
			(void)spf_mech_queries_dns(t->mech);
		}
		if (rec->redirect != NULL)
			FUZZ_ASSERT(strlen(rec->redirect) == rec->redirect_len,
			    "redirect length");
		if (rec->exp != NULL)
			FUZZ_ASSERT(strlen(rec->exp) == rec->exp_len,
			    "exp length");
	} else {
		FUZZ_ASSERT(rc == SPFDMARC_ESYNTAX || rc == SPFDMARC_ERANGE ||
		    rc == SPFDMARC_ENOMEM, "error codes");
	}
	spfdmarc_arena_free(arena);
	return 0;
}
