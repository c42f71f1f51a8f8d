/*
 * suite_zone.c: a scenario's zonedata as DNS data. The expected results
 * of rfc7208-tests.yml assume the DNS that pyspf's test driver
 * (testspf.py: getrdata() and DNSLookup()) makes of the zonedata, so
 * suite_view_of() reproduces those rules; the view then fills the
 * in-memory zone (suite_zone_fill) or an NSD zone file (suite_zone_emit).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "suite.h"

static const char *const suite_types[SUITE_NTYPES] = {
	"A", "NS", "CNAME", "PTR", "MX", "TXT", "AAAA", "SPF",
};
static const enum spfdmarc_dns_type suite_dns_types[SUITE_NTYPES] = {
	SPFDMARC_DNS_A, SPFDMARC_DNS_NS, SPFDMARC_DNS_CNAME, SPFDMARC_DNS_PTR,
	SPFDMARC_DNS_MX, SPFDMARC_DNS_TXT, SPFDMARC_DNS_AAAA, SPFDMARC_DNS_SPF,
};

int
suite_type_index(const char *type)
{
	for (int i = 0; i < SUITE_NTYPES; i++) {
		if (strcmp(type, suite_types[i]) == 0)
			return i;
	}
	return -1;
}

const char *
suite_type_name(int index)
{
	return index >= 0 && index < SUITE_NTYPES ? suite_types[index] : "?";
}

static bool
suite_is_text_type(const char *type)
{
	return strcmp(type, "TXT") == 0 || strcmp(type, "SPF") == 0;
}

/* pyspf's driver drops a TXT/SPF value that is exactly ('NONE',). */
static bool
suite_is_none(const struct suite_entry *e)
{
	return suite_is_text_type(e->type) && e->nvalues == 1 &&
	    e->values[0].len == 4 && memcmp(e->values[0].s, "NONE", 4) == 0;
}

/* `A: TIMEOUT`: for the types whose value pyspf compares as a string. */
static bool
suite_is_timeout_value(const struct suite_entry *e)
{
	return !suite_is_text_type(e->type) && !e->is_list &&
	    e->nvalues == 1 && e->values[0].len == 7 &&
	    memcmp(e->values[0].s, "TIMEOUT", 7) == 0;
}

static void
suite_view_add(struct suite_view *v, const struct suite_entry *e,
    bool as_txt)
{
	if (v->nrdata == sizeof(v->rdata) / sizeof(v->rdata[0])) {
		v->truncated = true;
		return;
	}
	v->rdata[v->nrdata].entry = e;
	v->rdata[v->nrdata].as_txt = as_txt;
	v->nrdata++;
}

void
suite_view_of(const struct suite_name *nm, struct suite_view *v)
{
	bool has_txt = false, seen[SUITE_NTYPES] = { false };
	bool stopped = false, any_timeout = false, all = true;
	size_t i;

	memset(v, 0, sizeof(*v));
	/* getrdata(): SPF entries are copied as TXT, after all the others,
	 * when the name has no TXT entry at all (TXT "NONE" included). */
	for (i = 0; i < nm->nentries; i++) {
		if (!nm->entries[i].timeout &&
		    strcmp(nm->entries[i].type, "TXT") == 0)
			has_txt = true;
	}
	/* DNSLookup(): records are served in order up to a bare TIMEOUT;
	 * there, a type none of whose records came before times out, and
	 * nothing after it is ever seen. */
	for (i = 0; i < nm->nentries && !stopped; i++) {
		const struct suite_entry *e = &nm->entries[i];
		int idx;

		if (e->timeout) {
			for (int t = 0; t < SUITE_NTYPES; t++) {
				if (!seen[t])
					v->timeout[t] = true;
			}
			stopped = true;
			break;
		}
		idx = suite_type_index(e->type);
		if (suite_is_timeout_value(e)) {
			v->timeout[idx] = true;
			continue;
		}
		if (suite_is_none(e))
			continue;
		seen[idx] = true;
		suite_view_add(v, e, false);
	}
	if (!has_txt) {
		int txt = suite_type_index("TXT");

		/* Generated TXT records come last: after a bare TIMEOUT they
		 * are out of reach, and TXT has already timed out. */
		for (i = 0; i < nm->nentries && !stopped; i++) {
			const struct suite_entry *e = &nm->entries[i];

			if (!e->timeout && strcmp(e->type, "SPF") == 0 &&
			    !v->timeout[txt])
				suite_view_add(v, e, true);
		}
	}
	for (int t = 0; t < SUITE_NTYPES; t++) {
		if (v->timeout[t])
			any_timeout = true;
		else
			all = false;
	}
	v->timeout_all = all;
	v->partial_timeout = any_timeout && !all;
}

/* --- the in-memory zone --------------------------------------------------- */

static int
suite_zone_add(struct spfdmarc_dns_zone *zone, const char *name,
    const struct suite_rdata *rd)
{
	const struct suite_entry *e = rd->entry;
	const char *strs[SUITE_STRINGS_MAX];
	size_t lens[SUITE_STRINGS_MAX];
	char *end;
	unsigned long pref;

	if (rd->as_txt || suite_is_text_type(e->type)) {
		for (size_t i = 0; i < e->nvalues; i++) {
			strs[i] = e->values[i].s;
			lens[i] = e->values[i].len;
		}
		if (rd->as_txt || strcmp(e->type, "TXT") == 0)
			return spfdmarc_dns_zone_add_txt(zone, name, strs, lens,
			    e->nvalues);
		return spfdmarc_dns_zone_add_spf(zone, name, strs, lens,
		    e->nvalues);
	}
	if (strcmp(e->type, "A") == 0)
		return spfdmarc_dns_zone_add_a(zone, name, e->values[0].s);
	if (strcmp(e->type, "AAAA") == 0)
		return spfdmarc_dns_zone_add_aaaa(zone, name, e->values[0].s);
	if (strcmp(e->type, "MX") == 0) {
		errno = 0;
		pref = strtoul(e->values[0].s, &end, 10);
		if (errno != 0 || *end != '\0' || end == e->values[0].s)
			return SPFDMARC_EINVAL;
		return spfdmarc_dns_zone_add_mx(zone, name, (unsigned)pref,
		    e->values[1].s);
	}
	if (strcmp(e->type, "PTR") == 0)
		return spfdmarc_dns_zone_add_ptr(zone, name, e->values[0].s);
	if (strcmp(e->type, "CNAME") == 0)
		return spfdmarc_dns_zone_add_cname(zone, name, e->values[0].s);
	if (strcmp(e->type, "NS") == 0)
		return spfdmarc_dns_zone_add_ns(zone, name, e->values[0].s);
	return SPFDMARC_EINVAL;
}

int
suite_zone_fill(struct spfdmarc_dns_zone *zone,
    const struct suite_scenario *sc, char *err, size_t errsize)
{
	struct suite_view *v;
	int rc = 0;

	v = malloc(sizeof(*v));
	if (v == NULL) {
		(void)snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sc->nnames && rc == 0; i++) {
		const struct suite_name *nm = &sc->names[i];

		suite_view_of(nm, v);
		if (v->truncated) {
			(void)snprintf(err, errsize, "%s: too many records",
			    nm->name.s);
			rc = -1;
			break;
		}
		for (size_t j = 0; j < v->nrdata; j++) {
			int r = suite_zone_add(zone, nm->name.s, &v->rdata[j]);

			if (r != 0) {
				(void)snprintf(err, errsize, "%s %s: %s",
				    nm->name.s, v->rdata[j].as_txt ? "TXT" :
				    v->rdata[j].entry->type,
				    spfdmarc_strerror(r));
				rc = -1;
				break;
			}
		}
		if (rc != 0)
			break;
		if (v->timeout_all) {
			rc = spfdmarc_dns_zone_set_failure(zone, nm->name.s,
			    SPFDMARC_DNS_ZONE_ALL_TYPES, SPFDMARC_DNS_TIMEOUT);
		} else {
			for (int t = 0; t < SUITE_NTYPES && rc == 0; t++) {
				if (!v->timeout[t])
					continue;
				rc = spfdmarc_dns_zone_set_failure(zone,
				    nm->name.s, suite_dns_types[t],
				    SPFDMARC_DNS_TIMEOUT);
			}
		}
		if (rc != 0)
			(void)snprintf(err, errsize, "%s TIMEOUT: %s",
			    nm->name.s, spfdmarc_strerror(rc));
	}
	free(v);
	return rc == 0 ? 0 : -1;
}

/* --- files for NSD and unbound -------------------------------------------- */

void
suite_dns_plan(const struct suite_view *v, bool *blackhole, bool *approx)
{
	/* The types an SPF check can ask: never NS, never SPF (99). */
	static const char *const asked[] = {
		"A", "AAAA", "MX", "PTR", "TXT", "CNAME",
	};
	size_t n = sizeof(asked) / sizeof(asked[0]), timed_out = 0;

	for (size_t i = 0; i < n; i++) {
		if (v->timeout[suite_type_index(asked[i])])
			timed_out++;
	}
	/* NSD times out a whole name or nothing of it. TXT decides: it is
	 * the record lookup, the one the suite's TIMEOUT cases are about. */
	*blackhole = v->timeout[suite_type_index("TXT")];
	*approx = timed_out != 0 && timed_out != n;
}

/* A name in presentation format: every byte but letters, digits, '-'
 * and '_' as \DDD (RFC 1035 §5.1), a trailing dot added. */
static void
suite_put_name(FILE *f, const char *name, size_t len)
{
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == '.' || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_')
			putc(ch, f);
		else
			fprintf(f, "\\%03u", ch);
	}
	putc('.', f);
}

static void
suite_put_string(FILE *f, const char *s, size_t len)
{
	putc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			putc(ch, f);
		else
			fprintf(f, "\\%03u", ch);
	}
	putc('"', f);
}

static int
suite_emit_rdata(FILE *f, const struct suite_name *nm,
    const struct suite_rdata *rd)
{
	const struct suite_entry *e = rd->entry;
	const char *type = rd->as_txt ? "TXT" : e->type;

	suite_put_name(f, nm->name.s, nm->name.len);
	fprintf(f, "\tIN\t%s\t", type);
	if (suite_is_text_type(type)) {
		/* A record of no string cannot be written: one empty
		 * string reads the same once the strings are joined. */
		if (e->nvalues == 0)
			suite_put_string(f, "", 0);
		for (size_t i = 0; i < e->nvalues; i++) {
			if (e->values[i].len > 255)
				return -1;
			if (i > 0)
				putc(' ', f);
			suite_put_string(f, e->values[i].s, e->values[i].len);
		}
	} else if (strcmp(type, "MX") == 0) {
		fprintf(f, "%s ", e->values[0].s);
		suite_put_name(f, e->values[1].s, e->values[1].len);
	} else if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
		fputs(e->values[0].s, f);
	} else {
		suite_put_name(f, e->values[0].s, e->values[0].len);
	}
	putc('\n', f);
	return 0;
}

/* Is name (or a name above it) one of the scenario's timed-out names? */
static bool
suite_under_timeout(const struct suite_scenario *sc,
    const bool *timeout_all, size_t self)
{
	const struct suite_str *n = &sc->names[self].name;

	for (size_t i = 0; i < sc->nnames; i++) {
		const struct suite_str *p = &sc->names[i].name;

		if (i == self || !timeout_all[i])
			continue;
		if (spfdmarc_dname_is_under(n->s, n->len, p->s, p->len))
			return true;
	}
	return false;
}

/* Unbound's default local zones (RFC 6303 reverse zones, documentation
 * prefixes) would answer for the suite's reverse names: turn off any of
 * them above a name of the scenario. */
static void
suite_emit_nodefault(FILE *f, const struct suite_scenario *sc)
{
	for (size_t i = 0; i < sc->nnames; i++) {
		const char *s = sc->names[i].name.s;
		size_t len = sc->names[i].name.len, off = 0;

		if (!spfdmarc_dname_is_under(s, len, "in-addr.arpa", 12) &&
		    !spfdmarc_dname_is_under(s, len, "ip6.arpa", 8))
			continue;
		for (;;) {
			const char *dot;

			if (strcasecmp(s + off, "in-addr.arpa") == 0 ||
			    strcasecmp(s + off, "ip6.arpa") == 0)
				break;
			fputs("\tlocal-zone: \"", f);
			suite_put_name(f, s + off, len - off);
			fputs("\" nodefault\n", f);
			dot = memchr(s + off, '.', len - off);
			if (dot == NULL)
				break;
			off = (size_t)(dot - s) + 1;
		}
	}
}

int
suite_zone_emit(const struct suite_scenario *sc, const char *dir,
    unsigned *approx, char *err, size_t errsize)
{
	char path[4096];
	FILE *zf = NULL, *uf = NULL;
	struct suite_view *v = NULL;
	bool *timeout_all = NULL, blackhole, approximated;
	int rc = -1;

	*approx = 0;
	v = malloc(sizeof(*v));
	timeout_all = calloc(sc->nnames + 1, sizeof(*timeout_all));
	if (v == NULL || timeout_all == NULL) {
		(void)snprintf(err, errsize, "out of memory");
		goto out;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/root.zone", dir) >=
	    sizeof(path) || (zf = fopen(path, "w")) == NULL) {
		(void)snprintf(err, errsize, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/unbound.conf.in", dir) >=
	    sizeof(path) || (uf = fopen(path, "w")) == NULL) {
		(void)snprintf(err, errsize, "%s: %s", path, strerror(errno));
		goto out;
	}
	fprintf(zf, "; generated by spf-suite --emit-zones: \"%s\"\n"
	    "$TTL 300\n"
	    ".\tIN\tSOA\tns.spf-suite. hostmaster.spf-suite. "
	    "1 3600 600 86400 300\n"
	    ".\tIN\tNS\tns.spf-suite.\n"
	    "ns.spf-suite.\tIN\tA\t127.0.0.1\n", sc->description);

	for (size_t i = 0; i < sc->nnames; i++) {
		const struct suite_name *nm = &sc->names[i];

		suite_view_of(nm, v);
		if (v->truncated) {
			(void)snprintf(err, errsize, "%s: too many records",
			    nm->name.s);
			goto out;
		}
		suite_dns_plan(v, &blackhole, &approximated);
		timeout_all[i] = blackhole;
		if (approximated)
			(*approx)++;
		if (blackhole)
			continue;	/* not served: forwarded to nowhere */
		if (approximated)
			fputs("; some types of this name time out in the "
			    "suite; here they are NODATA\n", zf);
		for (size_t j = 0; j < v->nrdata; j++) {
			if (suite_emit_rdata(zf, nm, &v->rdata[j]) != 0) {
				(void)snprintf(err, errsize, "%s: a string "
				    "over 255 bytes", nm->name.s);
				goto out;
			}
		}
	}

	fprintf(uf, "# generated by spf-suite --emit-zones: \"%s\"\n"
	    "# @NSD_PORT@ and @BLACKHOLE_PORT@ are filled in by "
	    "run-suite-dns.sh\nserver:\n"
	    "\tdo-not-query-localhost: no\n", sc->description);
	suite_emit_nodefault(uf, sc);
	for (size_t i = 0; i < sc->nnames; i++) {
		const struct suite_str *n = &sc->names[i].name;

		if (timeout_all[i]) {
			fputs("forward-zone:\n\tname: \"", uf);
			suite_put_name(uf, n->s, n->len);
			fputs("\"\n\tforward-addr: 127.0.0.1@@BLACKHOLE_PORT@\n",
			    uf);
		} else if (suite_under_timeout(sc, timeout_all, i)) {
			fputs("forward-zone:\n\tname: \"", uf);
			suite_put_name(uf, n->s, n->len);
			fputs("\"\n\tforward-addr: 127.0.0.1@@NSD_PORT@\n", uf);
		}
	}
	rc = 0;

out:
	if (zf != NULL && fclose(zf) != 0 && rc == 0) {
		(void)snprintf(err, errsize, "root.zone: %s", strerror(errno));
		rc = -1;
	}
	if (uf != NULL && fclose(uf) != 0 && rc == 0) {
		(void)snprintf(err, errsize, "unbound.conf.in: %s",
		    strerror(errno));
		rc = -1;
	}
	free(v);
	free(timeout_all);
	return rc;
}
