/*
 * suite.h: the RFC 7208 test suite runner's shared parts. The suite is
 * the openspf.org YAML file shipped by Debian's python3-spf
 * (rfc7208-tests.yml): a stream of documents, each a scenario with
 * `description`, `tests` and `zonedata`.
 *
 * suite_yaml.c  reads the YAML into scenarios (this file's model);
 * suite_zone.c  turns a scenario's zonedata into an in-memory zone, or
 *               into an NSD zone file and an unbound.conf for real DNS;
 * suite_cli.c   runs one test case through the `spfdmarc spf` command;
 * spf_suite.c   main: runs the cases, prints TAP.
 */
#ifndef SPF_SUITE_H
#define SPF_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "spfdmarc/arena.h"
#include "spfdmarc/dns_zone.h"
#include "spfdmarc/spf.h"

#define SUITE_RESULTS_MAX	8	/* acceptable results of one test */
#define SUITE_STRINGS_MAX	64	/* character-strings of one TXT */
#define SUITE_FILE_MAX		(16 * 1024 * 1024)	/* the YAML text */

/* A string that may hold NUL bytes (YAML "\x00"); always NUL-terminated. */
struct suite_str {
	const char *s;
	size_t len;
};

/*
 * One entry of a name's zonedata list, as the suite writes it:
 * `- TIMEOUT`, `- TXT: "text"`, `- TXT: [ "a", "b" ]`, `- MX: [10, name]`,
 * `- A: 192.0.2.1` and so on.
 */
struct suite_entry {
	bool timeout;			/* the bare `TIMEOUT` entry */
	char type[8];			/* "TXT", "SPF", "A", "AAAA", "MX",
					 * "PTR", "CNAME" (upper case) */
	struct suite_str *values;	/* TXT/SPF: the strings; MX: pref,
					 * name; others: one value */
	size_t nvalues;
	bool is_list;			/* the value was a YAML sequence */
};

struct suite_name {
	struct suite_str name;
	struct suite_entry *entries;
	size_t nentries;
};

struct suite_test {
	const char *name;
	const char *spec;
	const char *host;
	struct suite_str mailfrom;
	struct suite_str helo;
	const char *results[SUITE_RESULTS_MAX];
	size_t nresults;
	bool has_explanation;
	struct suite_str explanation;
};

struct suite_scenario {
	const char *description;
	struct suite_test *tests;
	size_t ntests;
	struct suite_name *names;
	size_t nnames;
};

struct suite {
	struct spfdmarc_arena *arena;	/* everything below */
	struct suite_scenario *scenarios;
	size_t nscenarios;
};

/* Load the suite from text[0..len). 0, or -1 with a message in err. */
int suite_load(struct suite *suite, const char *text, size_t len,
    char *err, size_t errsize);
void suite_free(struct suite *suite);

/*
 * What pyspf's test driver (testspf.py) makes of a name's entries, which
 * is what the expected results assume: TXT "NONE" is no record but
 * counts as a TXT entry; SPF records are copied as TXT when the name has
 * no TXT entry; a bare TIMEOUT makes every query type time out except
 * the types of the records listed before it, and hides what follows it;
 * `TYPE: TIMEOUT` makes that type time out.
 */
struct suite_rdata {
	const struct suite_entry *entry;	/* its type and values */
	bool as_txt;		/* an SPF entry served as TXT too */
};

struct suite_view {
	struct suite_rdata rdata[256];	/* the records served, in order */
	size_t nrdata;
	bool timeout_all;	/* every type times out */
	bool timeout[8];	/* per type, indexed by suite_type_index() */
	bool partial_timeout;	/* some types time out, others answer */
	bool truncated;		/* more entries than rdata[] holds */
};

int suite_type_index(const char *type);
const char *suite_type_name(int index);
#define SUITE_NTYPES 8
void suite_view_of(const struct suite_name *name, struct suite_view *view);

/*
 * Real DNS can time out a whole name, not one type of it. blackhole: the
 * name is sent where nothing answers (its TXT lookup times out in the
 * suite); approx: the types an SPF check asks do not all time out or all
 * answer, so one side of them comes out differently from the suite.
 */
void suite_dns_plan(const struct suite_view *v, bool *blackhole,
    bool *approx);

/* Fill zone with the scenario's zonedata. 0, or -1 with err. */
int suite_zone_fill(struct spfdmarc_dns_zone *zone,
    const struct suite_scenario *sc, char *err, size_t errsize);

/*
 * Real DNS: write DIR/root.zone (every name of the scenario in one zone
 * for "." served by NSD) and DIR/unbound.conf.in (names that time out
 * forwarded to @BLACKHOLE_PORT@, the names below them back to @NSD_PORT@,
 * unbound's default local zones that hide test names switched off).
 * *approx counts the names suite_dns_plan() cannot give exactly.
 * 0, or -1 with err.
 */
int suite_zone_emit(const struct suite_scenario *sc, const char *dir,
    unsigned *approx, char *err, size_t errsize);

/* Run one case through the CLI; see suite_cli.c. */
struct suite_cli {
	const char *program;		/* the spfdmarc binary */
	const char *dir;		/* the scenario's emitted directory */
	unsigned nsd_port;
	double timeout_s;
};

struct suite_cli_result {
	char result[32];
	char explanation[SPFDMARC_SPF_TEXT_MAX * 4];
	char reason[SPFDMARC_SPF_REASON_MAX * 4];
	char mechanism[SPFDMARC_SPF_TERM_MAX * 4];
	char output[8192];		/* everything it printed, for diag */
	int status;			/* exit status, or -1 */
};

int suite_cli_run(const struct suite_cli *cli, const struct suite_test *t,
    struct suite_cli_result *out);

/* The escaping `spfdmarc spf` uses for text on its plain output. */
void suite_escape(const char *s, size_t len, char *out, size_t outsize);

#endif
