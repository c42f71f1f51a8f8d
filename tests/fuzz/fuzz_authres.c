/*
 * fuzz_authres.c: Authentication-Results parsing (RFC 8601) and the
 * trusted-DKIM filter DMARC uses (CVE-2020-12272 class), plus the value
 * writers.
 *
 * Input: field values separated by NUL bytes; the whole input (NUL bytes
 * included) is also parsed as one value.
 *
 * Checked: a dkim pass is only ever taken from a field whose authserv-id
 * is exactly a trusted one (ignoring case), with a domain; values written
 * by the builders never carry CR, LF or NUL, and never an unquoted ';'.
 */
#include "config.h"

#include <strings.h>

#include "fuzz.h"
#include "spfdmarc/authres.h"
#include "spfdmarc/err.h"

#define NFIELDS	8

static const char *const trusted[] = { "mx.example.net", "Relay.Example" };

static void
check_written(const char *s, size_t len, bool pvalue)
{
	struct spfdmarc_buf b;
	bool quoted = false;
	int rc;

	spfdmarc_buf_init(&b, NULL, 0);
	rc = pvalue ? spfdmarc_authres_append_pvalue(&b, s, len) :
	    spfdmarc_authres_append_value(&b, s, len);
	if (rc == 0) {
		const char *o = spfdmarc_buf_str(&b);

		FUZZ_ASSERT(!fuzz_has_crlfnul(o, b.len) &&
		    strlen(o) == b.len, "written value has no CR/LF/NUL");
		for (size_t i = 0; i < b.len; i++) {
			if (o[i] == '\\' && quoted) {
				i++;
				continue;
			}
			if (o[i] == '"')
				quoted = !quoted;
			FUZZ_ASSERT(quoted || (o[i] != ';' && o[i] != ' ' &&
			    o[i] != '(' && o[i] != '\t'), "';' only quoted");
		}
		FUZZ_ASSERT(!quoted, "quotes balanced");
	}
	spfdmarc_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spfdmarc_arena *arena;
	struct spfdmarc_authres ar;
	struct spfdmarc_authres_dkim *dk = NULL;
	char *f[NFIELDS], *block;
	const char *values[NFIELDS];
	size_t lens[NFIELDS], n, ndk = 0, nskipped = 0;
	char why[256];
	int rc;

	arena = spfdmarc_arena_new(4 * 1024 * 1024);
	if (arena == NULL)
		return 0;
	rc = spfdmarc_authres_parse(arena, (const char *)data, size, &ar, why,
	    sizeof(why));
	if (rc == 0) {
		FUZZ_ASSERT(ar.authserv_id != NULL, "authserv-id");
		FUZZ_ASSERT(ar.nresults <= SPFDMARC_AUTHRES_RESULTS_MAX,
		    "results limit");
		for (size_t i = 0; i < ar.nresults; i++) {
			const struct spfdmarc_authres_result *r =
			    &ar.results[i];

			FUZZ_ASSERT(r->method != NULL && r->result != NULL,
			    "method and result");
			FUZZ_ASSERT(r->nprops <= SPFDMARC_AUTHRES_PROPS_MAX,
			    "props limit");
			for (size_t j = 0; j < r->nprops; j++)
				FUZZ_ASSERT(r->props[j].ptype != NULL &&
				    r->props[j].property != NULL &&
				    r->props[j].value != NULL, "a property");
			(void)spfdmarc_authres_prop(r, "header", "d");
		}
	} else {
		FUZZ_ASSERT(rc == SPFDMARC_ESYNTAX || rc == SPFDMARC_ERANGE ||
		    rc == SPFDMARC_ENOMEM, "parse error code");
		FUZZ_ASSERT(strnlen(why, sizeof(why)) < sizeof(why), "why");
	}

	n = fuzz_split(data, size, '\0', f, lens, NFIELDS, &block);
	for (size_t i = 0; i < n; i++)
		values[i] = f[i];
	rc = spfdmarc_authres_dkim_passes(arena, values, lens, n, trusted, 2,
	    &dk, &ndk, &nskipped);
	FUZZ_ASSERT(rc == 0 || rc == SPFDMARC_ENOMEM, "dkim_passes returns 0");
	if (rc == 0) {
		FUZZ_ASSERT(nskipped <= n, "skipped fields");
		for (size_t i = 0; i < ndk; i++) {
			FUZZ_ASSERT(dk[i].domain != NULL &&
			    dk[i].domain[0] != '\0', "a pass has a domain");
			FUZZ_ASSERT(dk[i].authserv_id != NULL &&
			    (strcasecmp(dk[i].authserv_id, trusted[0]) == 0 ||
			    strcasecmp(dk[i].authserv_id, trusted[1]) == 0),
			    "a pass comes from a trusted authserv-id");
		}
	}
	spfdmarc_arena_free(arena);

	if (n > 0) {
		check_written(f[0], lens[0], false);
		check_written(f[0], lens[0], true);
		(void)spfdmarc_authres_is_token(f[0], lens[0]);
	}
	free(block);
	return 0;
}
