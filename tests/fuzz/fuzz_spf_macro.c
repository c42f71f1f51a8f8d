/*
 * fuzz_spf_macro.c: the SPF macro checker and expander (RFC 7208 §7) with
 * fuzzed macro strings and fuzzed variables; then the domain-spec to
 * target name step (§4.8, the 253-byte cut).
 *
 * Input: one flags byte (bit 0 explain-string, bit 1 domain-spec, bit 2
 * IPv6 client), then NUL-separated: the macro string, the sender
 * (local@domain), the HELO name, the client address (text; else
 * 192.0.2.3 / 2001:db8::cb01), the receiver, the %{p} name.
 */
#include "config.h"

#include "fuzz.h"
#include "spf_macro.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

#define NFIELDS	6

static const char *
fuzz_ptr(void *arg)
{
	return arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[NFIELDS], *block;
	size_t lens[NFIELDS], n;
	struct spfdmarc_addr ip;
	struct spf_macro_vars v;
	struct spfdmarc_arena *arena;
	struct spfdmarc_buf b;
	char target[SPFDMARC_DNAME_BUFSIZE];
	const char *why, *at;
	char *local;
	size_t errpos;
	unsigned flags;
	int rc;

	if (size < 1)
		return 0;
	flags = data[0] & 3;
	n = fuzz_split(data + 1, size - 1, '\0', f, lens, NFIELDS, &block);
	if (n == 0) {
		free(block);
		return 0;
	}
	for (size_t i = n; i < NFIELDS; i++) {
		f[i] = NULL;
		lens[i] = 0;
	}
	if (f[3] == NULL || spfdmarc_addr_parse(&ip, f[3], lens[3]) != 0) {
		const char *dflt = data[0] & 4 ? "2001:db8::cb01" :
		    "192.0.2.3";

		(void)spfdmarc_addr_parse(&ip, dflt, strlen(dflt));
	}
	spfdmarc_addr_unmap(&ip);

	memset(&v, 0, sizeof(v));
	v.sender = f[1] != NULL ? f[1] : "strong-bad@email.example.com";
	/* local and domain as check_host() derives them: the last '@' */
	at = strrchr(v.sender, '@');
	local = NULL;
	if (at != NULL) {
		local = strndup(v.sender, (size_t)(at - v.sender));
		v.local = local;
		v.sender_domain = at + 1;
	} else {
		v.local = "postmaster";
		v.sender_domain = v.sender;
	}
	v.domain = v.sender_domain;
	v.ip = &ip;
	v.helo = f[2];
	v.receiver = f[4];
	v.now = 1234567890;
	v.ptr_name = fuzz_ptr;
	v.ptr_arg = f[5];

	rc = spf_macro_check(f[0], lens[0], flags, &errpos, &why);
	if (rc != 0) {
		FUZZ_ASSERT(rc == SPFDMARC_ESYNTAX, "check error code");
		FUZZ_ASSERT(errpos <= lens[0] && why != NULL, "error position");
		goto out;
	}
	(void)spf_macro_uses_ptr(f[0], lens[0]);

	/* Into a small bounded buffer: truncation, never an overflow. */
	spfdmarc_buf_init(&b, NULL, 512);
	rc = spf_macro_expand(&v, f[0], lens[0], flags, &b);
	FUZZ_ASSERT(rc == 0 || rc == SPFDMARC_ETRUNC || rc == SPFDMARC_ENOMEM,
	    "expand of a checked string");
	FUZZ_ASSERT(b.len <= 512 && strlen(spfdmarc_buf_str(&b)) <= b.len,
	    "bounded expansion");
	spfdmarc_buf_release(&b);

	arena = spfdmarc_arena_new(256 * 1024);
	if (arena == NULL)
		goto out;
	rc = spf_macro_domain(&v, arena, f[0], lens[0], target,
	    sizeof(target));
	if (rc == 0) {
		size_t tlen = strlen(target);

		FUZZ_ASSERT(tlen >= 1 && tlen <= SPFDMARC_DNAME_MAX,
		    "target length");
		FUZZ_ASSERT(spfdmarc_dname_check(target, tlen, 0) == 0,
		    "target is a DNS name");
	} else {
		FUZZ_ASSERT(rc == SPFDMARC_ESYNTAX || rc == SPFDMARC_ERANGE ||
		    rc == SPFDMARC_ENOMEM, "domain error code");
	}
	spfdmarc_arena_free(arena);
out:
	free(local);
	free(block);
	return 0;
}
