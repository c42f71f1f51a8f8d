/*
 * regress_spf.c: SPF attack classes seen in peers, over the library API
 * and the zone backend.
 *
 *  - CVE-2019-20790 (OpenDMARC with pypolicyd-spf): a HELO pass taken as
 *    a MAIL FROM pass. DMARC must only see the MAIL FROM identity's pass.
 *  - libspf2 CVE-2021-20314, CVE-2021-33912/33913, CVE-2023-42118: macro
 *    expansions that outgrow their buffers, %{ir} on IPv6, transformer
 *    digits 0 and 128, URL escaping, reversal of empty parts.
 *  - CR, LF, NUL and ';' in HELO and MAIL FROM: the response fields that
 *    reach headers and logs (sender, domain, reason, explanation,
 *    mechanism, trace) never carry CR, LF or NUL.
 *  - A NUL byte after "%{" (found by fuzz_spf_record).
 */
#include "config.h"

#include "regress.h"
#include "spf_macro.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/authres.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/hdr.h"

static const char helo_zone[] =
    "evil.example         TXT \"v=spf1 -all\"\n"
    "mail.bank.example    TXT \"v=spf1 +all\"\n"
    "mail.bank.example    A   192.0.2.1\n"
    "_dmarc.bank.example  TXT \"v=DMARC1; p=reject\"\n"
    "bank.example         A   192.0.2.2\n";

/* DMARC for From: bank.example with the given SPF pass domain. */
static void
dmarc_with(const char *spf_pass_domain, struct spfdmarc_dmarc_result *res)
{
	struct spfdmarc_dmarc_request req;
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(rg_dns, NULL);
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);

	memset(&req, 0, sizeof(req));
	req.author_domain = "bank.example";
	req.spf_pass_domain = spf_pass_domain;
	req.pct_draw = -1;
	memset(res, 0, sizeof(*res));
	if (ctx == NULL || arena == NULL ||
	    spfdmarc_dmarc_evaluate(ctx, arena, &req, res) != 0)
		res->result = SPFDMARC_DMARC_TEMPERROR;
	/* keep nothing that points into the arena */
	res->author_domain = res->record_domain = res->record = NULL;
	res->org_domain = res->aligned_dkim_domain = res->published_tag =
	    NULL;
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
}

/*
 * CVE-2019-20790. The client says HELO mail.bank.example (whose SPF
 * passes anything) and MAIL FROM x@evil.example (whose SPF fails), with
 * From: bank.example. The MAIL FROM check must fail on evil.example's
 * record, and DMARC fed the way the API asks (spf_pass_domain: the MAIL
 * FROM domain, only on pass) must fail with p=reject. If the library
 * ever let the HELO pass stand in for MAIL FROM, the MAIL FROM result
 * would be pass and DMARC would pass: the test then fails.
 */
static void
test_helo_pass_is_not_mailfrom_pass(void)
{
	struct spfdmarc_spf_response mf, helo;
	struct spfdmarc_dmarc_result res;
	static const char *const senders[] = {
		"x@evil.example",
		"x@mail.bank.example@evil.example",	/* last '@' wins */
		"\"x@mail.bank.example\"@evil.example",
	};

	rg_load(helo_zone, sizeof(helo_zone) - 1);
	is_int(rg_spf("198.51.100.7", "x@evil.example", "mail.bank.example",
	    SPFDMARC_SPF_HELO, NULL, &helo), 0, "HELO check runs");
	is_str(RG_R(helo.result), "pass", "HELO mail.bank.example: pass");
	is_str(helo.domain, "mail.bank.example", "  for the HELO domain");

	for (size_t i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		is_int(rg_spf("198.51.100.7", senders[i], "mail.bank.example",
		    SPFDMARC_SPF_MAILFROM, NULL, &mf), 0,
		    "MAIL FROM %s: check runs", senders[i]);
		is_str(RG_R(mf.result), "fail",
		    "MAIL FROM %s with a passing HELO: fail", senders[i]);
		is_str(mf.domain, "evil.example",
		    "  the MAIL FROM domain was checked, not the HELO");
		is_str(mf.mechanism_domain, "evil.example",
		    "  on evil.example's record");
		dmarc_with(mf.result == SPFDMARC_SPF_PASS ? mf.domain : NULL,
		    &res);
		is_str(spfdmarc_dmarc_result_name(res.result), "fail",
		    "  DMARC for From: bank.example fails");
		ok(!res.spf_aligned, "  SPF not aligned");
		is_str(spfdmarc_dmarc_policy_name(res.disposition), "reject",
		    "  disposition reject");
	}

	/* The control: a HELO pass taken as MAIL FROM would pass DMARC,
	 * so the checks above do test something. */
	dmarc_with(helo.domain, &res);
	is_str(spfdmarc_dmarc_result_name(res.result), "pass",
	    "control: the HELO domain fed as an SPF pass would align");

	/* A null sender is checked as postmaster@HELO (RFC 7208 §2.4): the
	 * response says so, so a caller can tell. */
	is_int(rg_spf("198.51.100.7", "", "mail.bank.example",
	    SPFDMARC_SPF_MAILFROM, NULL, &mf), 0, "null sender: check runs");
	is_str(mf.sender, "postmaster@mail.bank.example",
	    "null sender: checked as postmaster@helo");
}

/* --- macros ------------------------------------------------------------ */

static void
expect_macro_domain(const char *spec, const char *sender, const char *ip,
    int want_rc, const char *want)
{
	struct spfdmarc_addr a;
	struct spf_macro_vars v;
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	char out[SPFDMARC_DNAME_BUFSIZE];
	const char *at = strrchr(sender, '@');
	char local[400];
	int rc;

	(void)spfdmarc_addr_parse(&a, ip, strlen(ip));
	(void)snprintf(local, sizeof(local), "%.*s",
	    at != NULL ? (int)(at - sender) : 0, sender);
	memset(&v, 0, sizeof(v));
	v.sender = sender;
	v.local = local;
	v.sender_domain = at != NULL ? at + 1 : sender;
	v.domain = v.sender_domain;
	v.ip = &a;
	v.helo = "mx.example.org";
	rc = spf_macro_domain(&v, arena, spec, strlen(spec), out, sizeof(out));
	if (!is_int(rc, want_rc, "macro domain %.60s%s", spec,
	    strlen(spec) > 60 ? "..." : ""))
		diag("got %s", out);
	if (want != NULL)
		is_str(out, want, "  -> %.60s", want);
	if (rc == 0)
		ok(strlen(out) <= SPFDMARC_DNAME_MAX,
		    "  target within 253 bytes (%zu)", strlen(out));
	spfdmarc_arena_free(arena);
}

static void
test_macros(void)
{
	struct spfdmarc_spf_response r;
	char spec[SPF_MACRO_EXPAND_MAX + 256], zone[8192], sender[400];
	const char *why;
	size_t pos, n;

	/* %{ir} on IPv6: 32 reversed nibbles (§7.3, §7.4). */
	expect_macro_domain("%{ir}.%{v}._spf.example.com", "a@example.com",
	    "2001:db8::cb01", 0,
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6._spf.example.com");
	/* mapped IPv6 is expanded by check_host() as IPv4; here, as given */
	expect_macro_domain("%{i}.x.example", "a@example.com", "192.0.2.3", 0,
	    "192.0.2.3.x.example");

	/* transformer digits */
	ok(spf_macro_check("%{d0}.example", 12, SPF_MACRO_DOMAIN, &pos,
	    &why) == SPFDMARC_ESYNTAX, "%%{d0}: transformer 0 refused");
	ok(spf_macro_check("%{d128}.example", 15, SPF_MACRO_DOMAIN, &pos,
	    &why) == 0, "%%{d128}: transformer 128 accepted");
	ok(spf_macro_check("%{d129}.example", 15, SPF_MACRO_DOMAIN, &pos,
	    &why) == SPFDMARC_ESYNTAX, "%%{d129}: refused");
	ok(spf_macro_check("%{d4294967297}.x", 16, SPF_MACRO_DOMAIN, &pos,
	    &why) == SPFDMARC_ESYNTAX, "%%{d4294967297}: no wrap-around");
	expect_macro_domain("%{d128r}.example", "a@x.y.z.example", "192.0.2.1",
	    0, "example.z.y.x.example");
	/* a NUL byte is no macro letter (fuzz_spf_record) */
	ok(spf_macro_check("%{\0}.example", 12, 0, &pos, &why) ==
	    SPFDMARC_ESYNTAX, "%%{<NUL>}: refused at the check");

	/* reversal and cuts of empty parts (CVE-2023-42118 shape) */
	expect_macro_domain("%{lr}.x.example", "....@example.com",
	    "192.0.2.1", SPFDMARC_ESYNTAX, NULL);
	expect_macro_domain("%{l1r-}.x.example", "-@example.com", "192.0.2.1",
	    SPFDMARC_ESYNTAX, NULL);
	expect_macro_domain("%{l128r.-+,/_=}a.x.example", "@example.com",
	    "192.0.2.1", 0, "a.x.example");

	/* growth past every buffer: many %{s} make more than
	 * SPF_MACRO_EXPAND_MAX bytes -> refused, not overflowed */
	n = 0;
	while (n + 4 < sizeof(spec) - 16) {
		memcpy(spec + n, "%{s}", 4);
		n += 4;
	}
	memcpy(spec + n, ".example", 9);
	expect_macro_domain(spec, "aaaaaaaaaaaaaaaaaaaaaaaaa@example.com",
	    "192.0.2.1", SPFDMARC_ERANGE, NULL);
	/* just over 253 -> leftmost labels dropped (§7.3) */
	expect_macro_domain("%{l}.%{l}.%{l}.%{l}.%{l}.example",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "@example.com", "192.0.2.1", 0, NULL);

	/* through check_host: an exists: growing past every buffer, and an
	 * exp= growing past the explanation (URL-escaped %{L}: 3 bytes each,
	 * the libspf2 CVE-2021-20314 shape) */
	memset(sender, 0, sizeof(sender));
	for (size_t i = 0; i < 64; i++)
		sender[i] = "\"<>[]{}|\\^`%:;,"[i % 15];
	(void)snprintf(sender + 64, sizeof(sender) - 64, "@example.com");
	(void)snprintf(zone, sizeof(zone),
	    "example.com TXT \"v=spf1 exists:%%{s}%%{s}%%{s}%%{s}.%%{l}.%%{l}"
	    ".%%{l}.%%{l}.x.example ?exists:%%{ir}.%%{ir}.%%{ir}.%%{ir}.%%{ir}"
	    ".%%{ir}.%%{ir}.%%{ir}.x.example -all exp=e.example.com\"\n"
	    "e.example.com TXT \"%%{L}%%{L}%%{L}%%{L}%%{L}%%{L}%%{L}%%{L}"
	    "%%{L}%%{L}%%{S}%%{S}%%{S}%%{S}%%{S}%%{S}%%{S}%%{S}\"\n");
	rg_load(zone, strlen(zone));
	rg_trace_dirty = false;
	is_int(rg_spf("2001:db8::1", sender, "mx.example.org",
	    SPFDMARC_SPF_MAILFROM, NULL, &r), 0, "huge expansions: check runs");
	is_str(RG_R(r.result), "fail", "  fail (nothing matched)");
	ok(strlen(r.explanation) > 0 &&
	    strlen(r.explanation) < sizeof(r.explanation),
	    "  explanation cut to its buffer (%zu bytes)",
	    strlen(r.explanation));
	ok(rg_spf_clean(&r) && !rg_trace_dirty, "  fields and trace clean");
}

/* --- CR, LF, NUL, ';' in the envelope -------------------------------------- */

static void
test_envelope_injection(void)
{
	static const char zone[] =
	    "example.com TXT \"v=spf1 -all exp=e.example.com\"\n"
	    "e.example.com TXT \"%{s} from %{h} at %{c}\"\n"
	    "mx.example.com TXT \"v=spf1 -all\"\n"
	    "\"\\r\\n.example.com\" TXT \"v=spf1 +all\"\n"
	    "x.example.com TXT \"v=spf1 include:%{l}.example.com -all\"\n";
	static const struct {
		const char *sender, *helo;
		enum spfdmarc_spf_identity id;
	} cases[] = {
		{ "a\r\nX-Injected: yes@example.com", "mx.example.com", 0 },
		{ "a;b=c@example.com", "mx.example.com", 0 },
		{ "a@example.com\r\nX: y", "mx.example.com", 0 },
		{ "a@exa\rmple.com", "mx.example.com", 0 },
		{ "a@example.com", "mx.example.com\r\nX-Injected: yes", 1 },
		{ "a@example.com", "mx;example.com", 1 },
		{ "", "mx.example.com\r\n", 0 },
		{ "a@example.com", "mx.ex\nample.com", 0 },
		{ "\r\n@x.example.com", "mx.example.com", 0 },
	};
	struct spfdmarc_spf_response r;
	struct spfdmarc_buf b;
	struct spfdmarc_hdr h;

	rg_load(zone, sizeof(zone) - 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rg_trace_dirty = false;
		is_int(rg_spf("192.0.2.9", cases[i].sender, cases[i].helo,
		    cases[i].id ? SPFDMARC_SPF_HELO : SPFDMARC_SPF_MAILFROM,
		    "See %{s} and %{h}", &r), 0, "injection case %zu runs", i);
		if (!ok(rg_spf_clean(&r) && !rg_trace_dirty,
		    "  case %zu (%s): no CR/LF in any field or trace line", i,
		    RG_R(r.result)))
			diag("sender '%s' domain '%s' reason '%s' exp '%s'",
			    r.sender, r.domain, r.reason, r.explanation);
	}

	/* A ';' in a sender is quoted when written into a header value, and
	 * CR/LF never reach the field (spfdmarc/hdr.h, what the milter uses). */
	spfdmarc_buf_init(&b, NULL, 0);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "mx.example.net");
	spfdmarc_hdr_ar_method(&h, "spf", "pass");
	spfdmarc_hdr_ar_prop(&h, "smtp", "mailfrom", "a;b@example.com");
	is_int(spfdmarc_hdr_finish(&h), 0, "';' in a local part: written");
	/* RFC 8601 pvalue: a quoted-string local part, then @domain. */
	ok(strstr(spfdmarc_buf_str(&b), "smtp.mailfrom=\"a;b\"@example.com")
	    != NULL, "  quoted: %s", spfdmarc_buf_str(&b));
	spfdmarc_buf_reset(&b);
	spfdmarc_hdr_init(&h, &b, NULL);
	spfdmarc_hdr_ar_begin(&h, "mx.example.net");
	spfdmarc_hdr_ar_method(&h, "spf", "pass");
	spfdmarc_hdr_ar_prop(&h, "smtp", "mailfrom", "a\r\nBcc: x@example.com");
	ok(spfdmarc_hdr_finish(&h) != 0 ||
	    strpbrk(spfdmarc_buf_str(&b), "\r\n") == NULL,
	    "CR/LF in a value never reach the field: %s",
	    spfdmarc_buf_str(&b));
	spfdmarc_buf_release(&b);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_helo_pass_is_not_mailfrom_pass();
	test_macros();
	test_envelope_injection();
	spfdmarc_dns_free(rg_dns);
	return done_testing();
}
