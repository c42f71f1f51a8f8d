/*
 * fuzz_authres.c: Authentication-Results parsing (RFC 8601) and the
 * trusted-DKIM filter DMARC uses (CVE-2020-12272 class), plus the
 * Authentication-Results builder (spfdmarc/hdr.h) given the same text as a
 * property value.
 *
 * Input: field values separated by NUL bytes; the whole input (NUL bytes
 * included) is also parsed as one value.
 *
 * Checked: a dkim pass is only ever taken from a field whose authserv-id
 * is exactly a trusted one (ignoring case), with a domain; a value written
 * by the builder never carries CR, LF or NUL, and never an unquoted ';'.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "spfdmarc/authres.h"
#include "spfdmarc/err.h"
#include "spfdmarc/hdr.h"

#define NFIELDS	8

static const char *const trusted[] = { "mx.example.net", "Relay.Example" };

static void
check_written(const char *s)
{
	static const char key[] = "smtp.mailfrom=";
	struct spfdmarc_hdr h;
	struct spfdmarc_buf b;
	const char *o, *v;
	bool quoted = false;

	spfdmarc_buf_init(&b, NULL, 0);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "mx.example.net");
	spfdmarc_hdr_ar_method(&h, "spf", "pass");
	spfdmarc_hdr_ar_prop(&h, "smtp", "mailfrom", s);
	if (spfdmarc_hdr_finish(&h) == 0) {
		o = spfdmarc_buf_str(&b);
		FUZZ_ASSERT(!fuzz_has_crlfnul(o, b.len) &&
		    strlen(o) == b.len, "written field has no CR/LF/NUL");
		v = strstr(o, key);
		FUZZ_ASSERT(v != NULL, "the property is written");
		for (v += sizeof(key) - 1; *v != '\0'; v++) {
			if (*v == '\\' && quoted) {
				v++;
				FUZZ_ASSERT(*v != '\0', "no dangling escape");
				continue;
			}
			if (*v == '"')
				quoted = !quoted;
			FUZZ_ASSERT(quoted || (*v != ';' && *v != ' ' &&
			    *v != '(' && *v != '\t'), "';' only quoted");
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

	if (n > 0)
		check_written(f[0]);
	free(block);
	return 0;
}
