/*
 * test_dmarc_discover.c: which names the DNS tree walk asks, in which
 * order, and when it stops (RFC 9989 §4.10, §4.10.2, §5.1.8), and the
 * RFC 7489 two-name lookup. The walk starts every query at once and
 * consumes answers in order: the log of started queries shows the
 * parallel start, the trace (lookup order) the serial walk.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dmarc_testzone.h"
#include "spfdmarc/dmarc.h"
#include "tap.h"

/* The records: tests/dmarc/discover.zone. */

struct run {
	char started[8192];
	char looked[4096];
	unsigned nstarted;
	struct spfdmarc_dmarc_result res;
};

static void
run(enum spfdmarc_dmarc_mode mode, const char *author, struct run *r)
{
	struct spfdmarc_dns_zone *zone;
	struct spfdmarc_dns *dns = testzone_open("discover.zone", &zone);
	struct spfdmarc_dns_ctx *ctx = spfdmarc_dns_ctx_new(dns, NULL);
	struct spfdmarc_arena *arena = spfdmarc_arena_new(0);
	struct spfdmarc_dmarc *d = NULL;
	struct testzone_trace tr;
	struct spfdmarc_dmarc_request req;
	int rc;

	memset(&tr, 0, sizeof(tr));
	memset(&req, 0, sizeof(req));
	req.pct_draw = -1;
	spfdmarc_dns_ctx_set_trace(ctx, testzone_trace_fn, &tr);
	rc = spfdmarc_dmarc_discover(ctx, arena, mode, author, &d);
	if (rc != 0)
		diag("discover: %d", rc);
	testzone_log(zone, r->started, sizeof(r->started));
	r->nstarted = spfdmarc_dns_zone_query_count(zone);
	rc = spfdmarc_dmarc_finish(d, &req, &r->res);
	if (rc != 0)
		diag("finish: %d", rc);
	/* Keep only the TXT lookups of the walk. */
	r->looked[0] = '\0';
	{
		size_t o = 0;
		const char *p = tr.text;

		while (*p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t n = nl != NULL ? (size_t)(nl - p + 1) : strlen(p);

			if (strncmp(p, "TXT ", 4) == 0 &&
			    o + n < sizeof(r->looked)) {
				memcpy(r->looked + o, p, n);
				o += n;
				r->looked[o] = '\0';
			}
			p += n;
		}
	}
	/* The result's strings live in the arena: copy what tests need. */
	spfdmarc_arena_free(arena);
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_dns_free(dns);
}

static void
test_walk(const char *what, enum spfdmarc_dmarc_mode mode, const char *author,
    const char *want_started, const char *want_looked)
{
	struct run r;

	run(mode, author, &r);
	is_str(r.started, want_started, "%s: queries started at once", what);
	is_str(r.looked, want_looked, "%s: TXT lookups in walk order", what);
}

int
main(void)
{
	/* 3 labels: the name, its parent, the TLD (§4.10 step 7: down to
	 * the last label; the RFC's example queries "_dmarc.com"). */
	test_walk("3 labels, no record", SPFDMARC_DMARC_RFC9989,
	    "a.example.net",
	    "TXT _dmarc.a.example.net\nTXT _dmarc.example.net\n"
	    "TXT _dmarc.net\n",
	    "TXT _dmarc.a.example.net\nTXT _dmarc.example.net\n"
	    "TXT _dmarc.net\n");

	/* 8 labels: x >= 8 shortens to 7, which is dropping one label. */
	test_walk("8 labels", SPFDMARC_DMARC_RFC9989,
	    "a.b.c.d.e.f.example.net",
	    "TXT _dmarc.a.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.c.d.e.f.example.net\nTXT _dmarc.d.e.f.example.net\n"
	    "TXT _dmarc.e.f.example.net\nTXT _dmarc.f.example.net\n"
	    "TXT _dmarc.example.net\nTXT _dmarc.net\n",
	    "TXT _dmarc.a.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.c.d.e.f.example.net\nTXT _dmarc.d.e.f.example.net\n"
	    "TXT _dmarc.e.f.example.net\nTXT _dmarc.f.example.net\n"
	    "TXT _dmarc.example.net\nTXT _dmarc.net\n");

	/* 10 labels: the name, then its last 7 labels, then one by one. */
	test_walk("10 labels", SPFDMARC_DMARC_RFC9989,
	    "x.y.a.b.c.d.e.f.example.net",
	    "TXT _dmarc.x.y.a.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.c.d.e.f.example.net\nTXT _dmarc.d.e.f.example.net\n"
	    "TXT _dmarc.e.f.example.net\nTXT _dmarc.f.example.net\n"
	    "TXT _dmarc.example.net\nTXT _dmarc.net\n",
	    "TXT _dmarc.x.y.a.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.b.c.d.e.f.example.net\n"
	    "TXT _dmarc.c.d.e.f.example.net\nTXT _dmarc.d.e.f.example.net\n"
	    "TXT _dmarc.e.f.example.net\nTXT _dmarc.f.example.net\n"
	    "TXT _dmarc.example.net\nTXT _dmarc.net\n");

	/* RFC 9989 §4.10's own example: 13 labels, exactly these 8. */
	{
		struct run r;

		run(SPFDMARC_DMARC_RFC9989,
		    "a.b.c.d.e.f.g.h.i.j.mail.example.com", &r);
		is_str(r.looked,
		    "TXT _dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com\n"
		    "TXT _dmarc.g.h.i.j.mail.example.com\n"
		    "TXT _dmarc.h.i.j.mail.example.com\n"
		    "TXT _dmarc.i.j.mail.example.com\n"
		    "TXT _dmarc.j.mail.example.com\n"
		    "TXT _dmarc.mail.example.com\n",
		    "§4.10 example: walk stops at the psd=n record");
		is_str(r.res.org_domain == NULL ? "(null)" : "set", "set",
		    "§4.10 example: org domain known");
		is_int(r.res.source, SPFDMARC_DMARC_SOURCE_ORG,
		    "§4.10 example: policy of the org domain");
	}

	/* §5.1.8: the psd=n record at b.c.d.e.f.g.example.com is never
	 * discovered from a 10-label Author Domain. */
	{
		struct run r;

		run(SPFDMARC_DMARC_RFC9989,
		    "mail.a.b.c.d.e.f.g.example.com", &r);
		is_str(r.looked,
		    "TXT _dmarc.mail.a.b.c.d.e.f.g.example.com\n"
		    "TXT _dmarc.c.d.e.f.g.example.com\n"
		    "TXT _dmarc.d.e.f.g.example.com\n"
		    "TXT _dmarc.e.f.g.example.com\n"
		    "TXT _dmarc.f.g.example.com\n"
		    "TXT _dmarc.g.example.com\n"
		    "TXT _dmarc.example.com\nTXT _dmarc.com\n",
		    "§5.1.8: the 8 names of the example");
		is_int(r.res.result, SPFDMARC_DMARC_FAIL,
		    "§5.1.8: example.com's policy applies");
		is_int(r.res.published_policy, SPFDMARC_DMARC_POLICY_REJECT,
		    "§5.1.8: p=reject (sp absent)");
	}

	/* At most 8 queries, however many labels. */
	{
		struct run r;
		char name[200];
		size_t o = 0;
		unsigned txt = 0;

		for (int i = 0; i < 60; i++)
			o += (size_t)snprintf(name + o, sizeof(name) - o, "l.");
		(void)snprintf(name + o, sizeof(name) - o, "example.net");
		run(SPFDMARC_DMARC_RFC9989, name, &r);
		for (const char *p = r.started; (p = strstr(p, "TXT ")) != NULL;
		    p++)
			txt++;
		is_int(txt, SPFDMARC_DMARC_WALK_MAX,
		    "62 labels: %d TXT queries", SPFDMARC_DMARC_WALK_MAX);
	}

	/* "_dmarc." + a 250-byte name is no DNS name: that step is skipped
	 * (no record can be there), the walk goes on. */
	{
		struct run r;
		char name[256];
		size_t o = 0;

		while (o + 10 < 240)
			o += (size_t)snprintf(name + o, sizeof(name) - o,
			    "abcdefghi.");
		(void)snprintf(name + o, sizeof(name) - o, "example.com");
		run(SPFDMARC_DMARC_RFC9989, name, &r);
		ok(strncmp(r.looked, "TXT _dmarc.", 11) == 0 &&
		    strstr(r.looked, "TXT _dmarc.example.com\n") != NULL,
		    "an Author Domain too long for _dmarc. is walked above it");
		is_int(r.res.result, SPFDMARC_DMARC_FAIL,
		    "long name: example.com's policy applies");
	}

	/* RFC 7489 §6.6.3: the name, then the PSL Organizational Domain. */
	test_walk("7489: co.uk suffix", SPFDMARC_DMARC_RFC7489,
	    "a.b.example.co.uk",
	    "TXT _dmarc.a.b.example.co.uk\nTXT _dmarc.example.co.uk\n",
	    "TXT _dmarc.a.b.example.co.uk\nTXT _dmarc.example.co.uk\n");
	test_walk("7489: an Organizational Domain", SPFDMARC_DMARC_RFC7489,
	    "example.co.uk",
	    "TXT _dmarc.example.co.uk\n",
	    "TXT _dmarc.example.co.uk\n");
	return done_testing();
}
