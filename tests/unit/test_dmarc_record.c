/*
 * test_dmarc_record.c: the DMARC record parser, vectors from RFC 9989
 * §4.7/§4.8 (and RFC 7489 §6.3 for the tags of the 7489 mode).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "spfdmarc/dmarc.h"
#include "tap.h"

static struct spfdmarc_arena *arena;

static bool
parse(enum spfdmarc_dmarc_mode mode, const char *text,
    struct spfdmarc_dmarc_record *rec)
{
	bool is_dmarc = false;
	int rc = spfdmarc_dmarc_record_parse(arena, mode, text, strlen(text),
	    rec, &is_dmarc);

	if (rc != 0)
		diag("parse returned %d", rc);
	return is_dmarc;
}

/* Is there an issue for tag? */
static bool
has_issue(const struct spfdmarc_dmarc_record *rec, const char *tag)
{
	for (unsigned i = 0; i < rec->nissues && i < SPFDMARC_DMARC_ISSUES_MAX;
	    i++) {
		if (strcmp(rec->issues[i].tag, tag) == 0)
			return true;
	}
	return false;
}

static void
test_version(void)
{
	static const char *not_dmarc[] = {
		"", "v=DMARC2; p=none", "v=dmarc1; p=none",
		"p=none; v=DMARC1", "v=DMARC1p=none", "v=DMARC10; p=none",
		"v=DMARC1 p=none", "v=spf1 -all", "x v=DMARC1; p=none",
		"v:DMARC1; p=none", "v=", "vv=DMARC1",
	};
	struct spfdmarc_dmarc_record rec;

	for (size_t i = 0; i < sizeof(not_dmarc) / sizeof(not_dmarc[0]); i++)
		ok(!parse(SPFDMARC_DMARC_RFC9989, not_dmarc[i], &rec),
		    "version: '%s' is not a DMARC record", not_dmarc[i]);
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none", &rec),
	    "version: v=DMARC1 first");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v = DMARC1 ; p = none", &rec) &&
	    rec.p == SPFDMARC_DMARC_POLICY_NONE,
	    "version: equals = *WSP \"=\" *WSP, sep = *WSP \";\" *WSP");
	ok(parse(SPFDMARC_DMARC_RFC9989, "\t v=DMARC1;p=none", &rec),
	    "version: leading white space tolerated");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1", &rec),
	    "version: v=DMARC1 alone is a record");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1;", &rec),
	    "version: trailing separator");
}

static void
test_policy(void)
{
	struct spfdmarc_dmarc_record rec;

	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; p=reject; sp=quarantine; np=none", &rec) &&
	    rec.p == SPFDMARC_DMARC_POLICY_REJECT &&
	    rec.sp == SPFDMARC_DMARC_POLICY_QUARANTINE &&
	    rec.np == SPFDMARC_DMARC_POLICY_NONE && !rec.policy_invalid &&
	    rec.nissues == 0, "p, sp, np");
	ok(parse(SPFDMARC_DMARC_RFC9989, "V=DMARC1; P=Reject", &rec) &&
	    rec.p == SPFDMARC_DMARC_POLICY_REJECT,
	    "tag names and keywords ignore case (only DMARC1 is %%s)");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1", &rec) &&
	    rec.policy_invalid && rec.p == SPFDMARC_DMARC_POLICY_UNSET &&
	    rec.rua_valid == 0 && has_issue(&rec, "p"),
	    "missing p, no rua: policy invalid (§4.10.1: no DMARC)");
	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; rua=mailto:dmarc@example.com", &rec) &&
	    rec.policy_invalid && rec.rua_valid == 1,
	    "missing p with a valid rua (§4.10.1: p=none)");
	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; p=rejected; rua=mailto:d@example.com", &rec) &&
	    rec.policy_invalid && rec.p == SPFDMARC_DMARC_POLICY_UNSET &&
	    has_issue(&rec, "p"), "invalid p is reported with its tag");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none; sp=block", &rec) &&
	    rec.policy_invalid && rec.p == SPFDMARC_DMARC_POLICY_NONE &&
	    has_issue(&rec, "sp"), "invalid sp makes the policy invalid");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none; np=x", &rec) &&
	    rec.policy_invalid && has_issue(&rec, "np"),
	    "invalid np makes the policy invalid");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none; p=reject", &rec) &&
	    rec.policy_invalid && rec.p == SPFDMARC_DMARC_POLICY_UNSET,
	    "p given twice is ambiguous: invalid");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=", &rec) &&
	    rec.policy_invalid, "empty p is invalid");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=re\001ject", &rec) &&
	    rec.policy_invalid, "control character in p: invalid");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none ; ", &rec) &&
	    rec.p == SPFDMARC_DMARC_POLICY_NONE && rec.nissues == 0,
	    "trailing white space is not part of a value");
}

static void
test_tags(void)
{
	struct spfdmarc_dmarc_record rec;

	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none", &rec) &&
	    rec.adkim == SPFDMARC_DMARC_ALIGN_RELAXED &&
	    rec.aspf == SPFDMARC_DMARC_ALIGN_RELAXED &&
	    rec.psd == SPFDMARC_DMARC_PSD_U && !rec.testing &&
	    rec.fo == SPFDMARC_DMARC_FO_0 && rec.rua == NULL &&
	    rec.pct == 100, "defaults: adkim=r aspf=r psd=u t=n fo=0");
	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; p=none; adkim=s; aspf=s; psd=n; t=y", &rec) &&
	    rec.adkim == SPFDMARC_DMARC_ALIGN_STRICT &&
	    rec.aspf == SPFDMARC_DMARC_ALIGN_STRICT &&
	    rec.psd == SPFDMARC_DMARC_PSD_N && rec.testing,
	    "adkim=s aspf=s psd=n t=y");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none; psd=y", &rec) &&
	    rec.psd == SPFDMARC_DMARC_PSD_Y, "psd=y");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none; psd=u", &rec) &&
	    rec.psd == SPFDMARC_DMARC_PSD_U && rec.nissues == 0, "psd=u");
	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; p=none; psd=yes; t=1; adkim=x; aspf=", &rec) &&
	    rec.psd == SPFDMARC_DMARC_PSD_U && !rec.testing &&
	    rec.adkim == SPFDMARC_DMARC_ALIGN_RELAXED &&
	    has_issue(&rec, "psd") && has_issue(&rec, "t") &&
	    has_issue(&rec, "adkim") && has_issue(&rec, "aspf") &&
	    !rec.policy_invalid,
	    "bad psd/t/adkim/aspf: defaults, each reported (§4.8)");
	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; p=none; foo=bar; x=1; zz=a b c", &rec) &&
	    rec.nissues == 0 && rec.ntags == 4,
	    "unknown tags are ignored (§4.7)");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none; =x; rua", &rec) &&
	    rec.p == SPFDMARC_DMARC_POLICY_NONE && rec.nissues == 2 &&
	    has_issue(&rec, "") && has_issue(&rec, "rua"),
	    "malformed tags are skipped and reported");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1;; p=none", &rec) &&
	    rec.p == SPFDMARC_DMARC_POLICY_NONE && rec.nissues == 1,
	    "an empty tag is reported");
	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; p=none; v=DMARC1", &rec) && has_issue(&rec, "v"),
	    "a second v is reported and ignored");
}

static void
test_uris(void)
{
	struct spfdmarc_dmarc_record rec;

	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=none; "
	    "rua=mailto:a@example.com , mailto:b@example.net!10m; "
	    "ruf=mailto:f@example.com", &rec) && rec.rua_valid == 2 &&
	    rec.ruf_valid == 1 && rec.nissues == 0 &&
	    strcmp(rec.rua, "mailto:a@example.com , mailto:b@example.net!10m")
	    == 0, "rua list with obsolete size suffix; ruf");
	ok(parse(SPFDMARC_DMARC_RFC9989,
	    "v=DMARC1; p=none; rua=mailto:a@example.com,nonsense", &rec) &&
	    rec.rua_valid == 1 && has_issue(&rec, "rua"),
	    "an invalid URI is reported, the valid one kept");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; rua=mailto:", &rec) &&
	    rec.rua_valid == 0 && rec.policy_invalid,
	    "\"mailto:\" alone is not a valid URI");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; rua=https://r.example/%zz",
	    &rec) && rec.rua_valid == 0, "bad percent-encoding");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; rua=mailto:a@b.example!x",
	    &rec) && rec.rua_valid == 0, "bad size suffix");
}

static void
test_fo(void)
{
	static const struct {
		const char *fo;
		unsigned bits;	/* 0: invalid */
	} v[] = {
		{ "0", SPFDMARC_DMARC_FO_0 },
		{ "1", SPFDMARC_DMARC_FO_1 },
		{ "0:d", SPFDMARC_DMARC_FO_0 | SPFDMARC_DMARC_FO_D },
		{ "d:s:1", SPFDMARC_DMARC_FO_1 | SPFDMARC_DMARC_FO_D |
		    SPFDMARC_DMARC_FO_S },
		{ "0:1", 0 }, { "d:d", 0 }, { "x", 0 }, { "0:", 0 },
	};
	struct spfdmarc_dmarc_record rec;
	char text[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		(void)snprintf(text, sizeof(text),
		    "v=DMARC1; p=none; ruf=mailto:f@x.example; fo=%s", v[i].fo);
		ok(parse(SPFDMARC_DMARC_RFC9989, text, &rec) &&
		    (v[i].bits != 0 ? rec.fo == v[i].bits && rec.nissues == 0 :
		    rec.fo == SPFDMARC_DMARC_FO_0 && has_issue(&rec, "fo")),
		    "fo=%s %s", v[i].fo, v[i].bits != 0 ? "valid" :
		    "invalid: default 0");
	}
}

/* RFC 7489 mode: pct, rf, ri; RFC 9989 mode ignores them (Appendix A.6:
 * pct was removed; t= replaces pct=0). np/psd/t are not RFC 7489 tags. */
static void
test_modes(void)
{
	struct spfdmarc_dmarc_record rec;

	ok(parse(SPFDMARC_DMARC_RFC7489,
	    "v=DMARC1; p=reject; pct=20; rf=afrf; ri=3600", &rec) &&
	    rec.pct == 20 && rec.rf_afrf && rec.ri == 3600 && rec.nissues == 0,
	    "7489: pct, rf, ri");
	ok(parse(SPFDMARC_DMARC_RFC7489, "v=DMARC1; p=reject; pct=101; ri=x",
	    &rec) && rec.pct == 100 && has_issue(&rec, "pct") &&
	    has_issue(&rec, "ri"), "7489: bad pct and ri: defaults");
	ok(parse(SPFDMARC_DMARC_RFC9989, "v=DMARC1; p=reject; pct=0", &rec) &&
	    rec.pct == 100 && has_issue(&rec, "pct") &&
	    rec.p == SPFDMARC_DMARC_POLICY_REJECT,
	    "9989: pct is ignored (noted)");
	ok(parse(SPFDMARC_DMARC_RFC7489,
	    "v=DMARC1; p=none; np=reject; psd=y; t=y", &rec) &&
	    rec.np == SPFDMARC_DMARC_POLICY_UNSET &&
	    rec.psd == SPFDMARC_DMARC_PSD_U && !rec.testing &&
	    !rec.policy_invalid, "7489: np, psd, t are ignored");
	ok(parse(SPFDMARC_DMARC_RFC7489, "v=DMARC1; p=none; np=bogus", &rec) &&
	    !rec.policy_invalid, "7489: a bad np does not matter");
}

static void
test_limits(void)
{
	struct spfdmarc_dmarc_record rec;
	char big[SPFDMARC_DMARC_RECORD_MAX + 64];
	size_t n;

	n = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none; x=");
	memset(big + n, 'a', sizeof(big) - n - 1);
	big[sizeof(big) - 1] = '\0';
	ok(!parse(SPFDMARC_DMARC_RFC9989, big, &rec) && rec.nissues == 1,
	    "a record over %u bytes is refused", SPFDMARC_DMARC_RECORD_MAX);
	n = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none");
	for (unsigned i = 0; i < SPFDMARC_DMARC_TAGS_MAX; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; x=%u", i);
	ok(!parse(SPFDMARC_DMARC_RFC9989, big, &rec),
	    "more than %u tags are refused", SPFDMARC_DMARC_TAGS_MAX);
	n = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none");
	for (unsigned i = 0; i < 20; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; adkim=q");
	ok(parse(SPFDMARC_DMARC_RFC9989, big, &rec) &&
	    rec.nissues == 20, "issues are counted beyond the %u kept",
	    SPFDMARC_DMARC_ISSUES_MAX);
	ok(spfdmarc_dmarc_record_parse(NULL, SPFDMARC_DMARC_RFC9989, "", 0,
	    &rec, NULL) != 0, "NULL arguments are refused");
}

int
main(void)
{
	arena = spfdmarc_arena_new(0);
	test_version();
	test_policy();
	test_tags();
	test_uris();
	test_fo();
	test_modes();
	test_limits();
	spfdmarc_arena_free(arena);
	return done_testing();
}
