/*
 * spf_suite.c: the RFC 7208 test suite (rfc7208-tests.yml from Debian's
 * python3-spf) against spfdmarc's SPF engine, as TAP.
 *
 *   spf-suite [--suite FILE] [--only TEXT] [-v]
 *	Every test case through spfdmarc_spf_check() over an in-memory
 *	zone built from its scenario's zonedata (run-suite.sh).
 *   spf-suite --emit-zones DIR [--suite FILE]
 *	For each scenario N (01, 02...): DIR/N/root.zone for NSD and
 *	DIR/N/unbound.conf.in (see suite_zone_emit()).
 *   spf-suite --cli PROGRAM --emitted DIR [--timeout S] [--suite FILE]
 *	Every test case through `PROGRAM spf --resolver 127.0.0.1@PORT`,
 *	PORT read from DIR/N/nsd.port (run-suite-dns.sh starts the NSDs).
 *   spf-suite --blackhole PORTFILE
 *	Bind UDP and TCP on a free 127.0.0.1 port, write it to PORTFILE,
 *	never answer: where the suite's TIMEOUT names are sent.
 *   spf-suite --free-port
 *	Print a 127.0.0.1 port free for UDP and TCP.
 *
 * The YAML comes from FILE or standard input (run-suite.sh decompresses
 * the .gz). Each case is checked as pyspf's driver checks it:
 * spf.query(i=host, s=mailfrom, h=helo).check() with the default
 * explanation "DEFAULT": the identity is MAIL FROM, and an empty
 * mailfrom is the null sender, checked as postmaster@helo (RFC 7208
 * §2.4). The result must be one of the acceptable ones, and the
 * explanation, when the case gives one, must match exactly, with one
 * documented exception: letter case. pyspf writes the IPv6 nibbles of
 * %{i} in upper case (its test v-macro-ip6 expects that); RFC 7208 §7.4
 * writes them in lower case, as RFC 5952 recommends for IPv6 text, and
 * spfdmarc follows the RFC (test_spf_macro asserts it). An explanation
 * that differs only in ASCII case is reported as such on a '#' line and
 * counted in the summary, never silently. (Mail::SPF's harness compares
 * explanations ignoring case altogether.) The `strict` key is pyspf's
 * own knob and does not apply.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spfdmarc/addr.h"
#include "spfdmarc/buf.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/err.h"
#include "spfdmarc/spf.h"
#include "suite.h"

#define TRACE_MAX	(64 * 1024)

struct run {
	const char *only;
	bool verbose;
	const char *cli_program;	/* --cli */
	const char *emitted;		/* --emitted */
	double timeout_s;
	unsigned n, passed, failed;
	unsigned case_only;	/* explanations equal but for letter case */
};

/* --- one case -------------------------------------------------------------- */

static void
trace_spf(unsigned depth, const char *line, void *arg)
{
	struct spfdmarc_buf *b = arg;

	(void)spfdmarc_buf_printf(b, "%*s%s\n", (int)(depth * 2), "", line);
}

static void
trace_dns(const struct spfdmarc_dns_answer *a, void *arg)
{
	struct spfdmarc_buf *b = arg;

	(void)spfdmarc_buf_printf(b, "dns: %s %s -> %s, %zu record(s)%s%s\n",
	    a->qname, spfdmarc_dns_type_name(a->qtype),
	    spfdmarc_dns_status_name(a->status), a->count,
	    a->why != NULL ? ": " : "", a->why != NULL ? a->why : "");
}

/* Print text as '#' diagnostic lines. */
static void
diag_lines(const char *prefix, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		printf("#   %s%.*s\n", prefix, (int)len, p);
		p += len + (eol != NULL ? 1 : 0);
	}
}

static bool
result_ok(const struct suite_test *t, const char *got)
{
	for (size_t i = 0; i < t->nresults; i++) {
		if (strcmp(t->results[i], got) == 0)
			return true;
	}
	return false;
}

static void
diag_expected(const struct suite_test *t)
{
	printf("#   spec: %s\n#   expected: %s", t->spec, t->results[0]);
	for (size_t i = 1; i < t->nresults; i++)
		printf(" or %s", t->results[i]);
	putchar('\n');
}

/* Report one case: ok, or not ok with what differed. */
static void
report(struct run *run, const char *scenario, const struct suite_test *t,
    const char *got, const char *got_exp, const char *reason,
    const char *mechanism, const char *trace, const char *failure)
{
	char want_exp[SPFDMARC_SPF_TEXT_MAX * 4];
	bool pass = failure == NULL && result_ok(t, got);
	bool exp_ok = true;

	if (t->has_explanation) {
		suite_escape(t->explanation.s, t->explanation.len, want_exp,
		    sizeof(want_exp));
		exp_ok = strcmp(want_exp, got_exp) == 0;
		if (!exp_ok && strcasecmp(want_exp, got_exp) == 0) {
			exp_ok = true;
			run->case_only++;
			printf("# note: %s/%s: the explanation differs from "
			    "pyspf's only in letter case: got '%s', pyspf "
			    "'%s' (RFC 7208 §7.4 uses lower case)\n",
			    scenario, t->name, got_exp, want_exp);
		}
		pass = pass && exp_ok;
	}
	run->n++;
	if (pass)
		run->passed++;
	else
		run->failed++;
	printf("%sok %u - %s/%s\n", pass ? "" : "not ", run->n, scenario,
	    t->name);
	if (pass && !run->verbose)
		return;
	if (failure != NULL)
		printf("#   could not run: %s\n", failure);
	diag_expected(t);
	printf("#   got: %s\n", got);
	if (t->has_explanation)
		printf("#   explanation: got '%s', want '%s'%s\n", got_exp,
		    want_exp, exp_ok ? "" : " (differs)");
	if (reason[0] != '\0')
		printf("#   reason: %s\n", reason);
	if (mechanism[0] != '\0')
		printf("#   mechanism: %s\n", mechanism);
	printf("#   host %s, mailfrom '%s', helo '%s'\n", t->host,
	    t->mailfrom.s, t->helo.s);
	if (trace != NULL && trace[0] != '\0')
		diag_lines("| ", trace);
}

static void
run_case_lib(struct run *run, const char *scenario, const struct suite_test *t,
    struct spfdmarc_dns *dns)
{
	struct spfdmarc_spf_request req;
	struct spfdmarc_spf_response resp;
	struct spfdmarc_dns_ctx *ctx;
	struct spfdmarc_buf trace;
	char exp[SPFDMARC_SPF_TEXT_MAX * 4];
	const char *failure = NULL;
	int rc;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	spfdmarc_buf_init(&trace, NULL, TRACE_MAX);
	if (spfdmarc_addr_parse(&req.ip, t->host, strlen(t->host)) != 0) {
		report(run, scenario, t, "", "", "", "", NULL,
		    "the host is not an IP address");
		spfdmarc_buf_release(&trace);
		return;
	}
	req.identity = SPFDMARC_SPF_MAILFROM;
	req.sender = t->mailfrom.s;
	req.helo = t->helo.s;
	req.receiver = NULL;
	req.default_explanation = "DEFAULT";
	req.trace = trace_spf;
	req.trace_arg = &trace;

	ctx = spfdmarc_dns_ctx_new(dns, NULL);
	if (ctx == NULL) {
		report(run, scenario, t, "", "", "", "", NULL,
		    "out of memory");
		spfdmarc_buf_release(&trace);
		return;
	}
	spfdmarc_dns_ctx_set_trace(ctx, trace_dns, &trace);
	rc = spfdmarc_spf_check(ctx, &req, &resp);
	if (rc != 0)
		failure = spfdmarc_strerror(rc);
	suite_escape(resp.explanation, strlen(resp.explanation), exp,
	    sizeof(exp));
	report(run, scenario, t, spfdmarc_spf_result_name(resp.result), exp,
	    resp.reason, resp.mechanism, spfdmarc_buf_str(&trace), failure);
	spfdmarc_dns_ctx_free(ctx);
	spfdmarc_buf_release(&trace);
}

static void
run_case_cli(struct run *run, const char *scenario, const struct suite_test *t,
    const struct suite_cli *cli)
{
	struct suite_cli_result *r;
	const char *failure = NULL;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		report(run, scenario, t, "", "", "", "", NULL,
		    "out of memory");
		return;
	}
	if (suite_cli_run(cli, t, r) != 0)
		failure = "the command failed (output below)";
	report(run, scenario, t, r->result, r->explanation, r->reason,
	    r->mechanism, r->output, failure);
	free(r);
}

static bool
selected(const struct run *run, const char *scenario,
    const struct suite_test *t)
{
	return run->only == NULL || strstr(t->name, run->only) != NULL ||
	    strstr(scenario, run->only) != NULL;
}

/* --- modes ---------------------------------------------------------------- */

static int
run_lib(struct run *run, const struct suite *s)
{
	for (size_t i = 0; i < s->nscenarios; i++) {
		const struct suite_scenario *sc = &s->scenarios[i];
		struct spfdmarc_dns *dns = NULL;
		struct spfdmarc_dns_zone *zone = NULL;
		char err[512];
		const char *failure = NULL;

		if (spfdmarc_dns_zone_new(&dns, &zone) != 0)
			failure = "cannot create a zone";
		else if (suite_zone_fill(zone, sc, err, sizeof(err)) != 0)
			failure = err;
		for (size_t j = 0; j < sc->ntests; j++) {
			const struct suite_test *t = &sc->tests[j];

			if (!selected(run, sc->description, t))
				continue;
			if (failure != NULL)
				report(run, sc->description, t, "", "", "", "",
				    NULL, failure);
			else
				run_case_lib(run, sc->description, t, dns);
		}
		spfdmarc_dns_free(dns);
	}
	return 0;
}

static int
read_port(const char *path, unsigned *port)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (f == NULL)
		return -1;
	ok = fscanf(f, "%u", port) == 1 && *port > 0 && *port < 65536;
	fclose(f);
	return ok ? 0 : -1;
}

static int
run_cli(struct run *run, const struct suite *s)
{
	unsigned approx_total = 0;

	for (size_t i = 0; i < s->nscenarios; i++) {
		const struct suite_scenario *sc = &s->scenarios[i];
		struct suite_cli cli;
		char dir[4096], path[4200];
		const char *failure = NULL;
		unsigned approx = 0;

		memset(&cli, 0, sizeof(cli));
		(void)snprintf(dir, sizeof(dir), "%s/%02zu", run->emitted,
		    i + 1);
		(void)snprintf(path, sizeof(path), "%s/nsd.port", dir);
		cli.program = run->cli_program;
		cli.dir = dir;
		cli.timeout_s = run->timeout_s;
		if (read_port(path, &cli.nsd_port) != 0)
			failure = "no NSD port for this scenario (nsd.port)";
		for (size_t k = 0; k < sc->nnames; k++) {
			struct suite_view v;
			bool blackhole, approximated;

			suite_view_of(&sc->names[k], &v);
			suite_dns_plan(&v, &blackhole, &approximated);
			if (!approximated)
				continue;
			approx++;
			printf("# scenario %02zu: %s times out for some types "
			    "only in the suite; here %s\n", i + 1,
			    sc->names[k].name.s, blackhole ? "every type times "
			    "out" : "the others are NODATA");
		}
		approx_total += approx;
		for (size_t j = 0; j < sc->ntests; j++) {
			const struct suite_test *t = &sc->tests[j];

			if (!selected(run, sc->description, t))
				continue;
			if (failure != NULL)
				report(run, sc->description, t, "", "", "", "",
				    NULL, failure);
			else
				run_case_cli(run, sc->description, t, &cli);
		}
	}
	if (approx_total > 0)
		printf("# %u name(s) with a per-type TIMEOUT approximated "
		    "(see above)\n", approx_total);
	return 0;
}

static int
emit(const struct suite *s, const char *dir)
{
	unsigned total = 0;

	for (size_t i = 0; i < s->nscenarios; i++) {
		char sub[4096], err[512];
		unsigned approx;

		(void)snprintf(sub, sizeof(sub), "%s/%02zu", dir, i + 1);
		if (mkdir(sub, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "spf-suite: %s: %s\n", sub,
			    strerror(errno));
			return 1;
		}
		if (suite_zone_emit(&s->scenarios[i], sub, &approx, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "spf-suite: scenario %zu: %s\n", i + 1,
			    err);
			return 1;
		}
		total += approx;
	}
	printf("%zu\n", s->nscenarios);
	if (total > 0)
		fprintf(stderr, "spf-suite: %u name(s) with a per-type TIMEOUT "
		    "approximated\n", total);
	return 0;
}

/*
 * Bind a UDP and a TCP socket on one free 127.0.0.1 port (the kernel's
 * pick for UDP, if TCP can have it too). 0, or -1.
 */
static int
bind_pair(int *up, int *tp, unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	int one = 1;

	for (int attempt = 0; attempt < 50; attempt++) {
		int u, t;

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		u = socket(AF_INET, SOCK_DGRAM, 0);
		if (u < 0)
			return -1;
		if (bind(u, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    getsockname(u, (struct sockaddr *)&sa, &salen) != 0) {
			close(u);
			return -1;
		}
		t = socket(AF_INET, SOCK_STREAM, 0);
		if (t < 0) {
			close(u);
			return -1;
		}
		(void)setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(t, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(t, 128) == 0) {
			*up = u;
			*tp = t;
			*port = ntohs(sa.sin_port);
			return 0;
		}
		close(u);
		close(t);
	}
	return -1;
}

/* Print a port free for UDP and TCP (for NSD, which wants a number). */
static int
free_port(void)
{
	unsigned port;
	int u, t;

	if (bind_pair(&u, &t, &port) != 0) {
		fprintf(stderr, "spf-suite: no free port\n");
		return 1;
	}
	close(u);
	close(t);
	printf("%u\n", port);
	return 0;
}

/* Hold a UDP and a TCP socket on one free port and never answer. */
static int
blackhole(const char *portfile)
{
	char tmp[4096];
	unsigned port;
	int u, t;
	FILE *f;

	if (bind_pair(&u, &t, &port) != 0) {
		fprintf(stderr, "spf-suite: blackhole: no free port\n");
		return 1;
	}
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, portfile) != 0) {
		perror("spf-suite: blackhole: port file");
		return 1;
	}
	for (;;)
		pause();	/* until SIGTERM; u and t stay open */
}

static char *
read_all(FILE *f, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);

	while (buf != NULL) {
		size_t r;

		if (n == cap) {
			char *nb;

			if (cap >= SUITE_FILE_MAX) {
				fprintf(stderr, "spf-suite: the suite is over "
				    "%d bytes\n", SUITE_FILE_MAX);
				free(buf);
				return NULL;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				perror("spf-suite: read");
				break;
			}
			*len = n;
			return buf;
		}
	}
	free(buf);
	return NULL;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: spf-suite [--suite FILE] [--only TEXT] [-v]\n"
	    "       spf-suite --emit-zones DIR [--suite FILE]\n"
	    "       spf-suite --cli PROGRAM --emitted DIR [--timeout S] "
	    "[--suite FILE] [--only TEXT] [-v]\n"
	    "       spf-suite --blackhole PORTFILE\n"
	    "       spf-suite --free-port\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "emit-zones", required_argument, NULL, 'e' },
		{ "cli", required_argument, NULL, 'c' },
		{ "emitted", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "blackhole", required_argument, NULL, 'b' },
		{ "free-port", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run run = { .timeout_s = 2 };
	const char *suite_file = NULL, *emit_dir = NULL;
	struct suite suite;
	char err[512], *text;
	size_t len = 0;
	FILE *in = stdin;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': suite_file = optarg; break;
		case 'o': run.only = optarg; break;
		case 'v': run.verbose = true; break;
		case 'e': emit_dir = optarg; break;
		case 'c': run.cli_program = optarg; break;
		case 'd': run.emitted = optarg; break;
		case 't':
			run.timeout_s = strtod(optarg, NULL);
			if (run.timeout_s <= 0 || run.timeout_s > 60) {
				fprintf(stderr, "spf-suite: bad --timeout\n");
				return 64;
			}
			break;
		case 'b': return blackhole(optarg);
		case 'f': return free_port();
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (optind != argc || (run.cli_program != NULL) !=
	    (run.emitted != NULL)) {
		usage(stderr);
		return 64;
	}
	if (suite_file != NULL && (in = fopen(suite_file, "rb")) == NULL) {
		fprintf(stderr, "spf-suite: %s: %s\n", suite_file,
		    strerror(errno));
		return 1;
	}
	text = read_all(in, &len);
	if (in != stdin)
		fclose(in);
	if (text == NULL)
		return 1;
	rc = suite_load(&suite, text, len, err, sizeof(err));
	free(text);
	if (rc != 0) {
		printf("Bail out! cannot load the suite: %s\n", err);
		suite_free(&suite);
		return 1;
	}

	if (emit_dir != NULL) {
		rc = emit(&suite, emit_dir);
		suite_free(&suite);
		return rc;
	}
	if (run.cli_program != NULL)
		(void)run_cli(&run, &suite);
	else
		(void)run_lib(&run, &suite);
	printf("1..%u\n", run.n);
	printf("# RFC 7208 suite%s: %u/%u passed\n", run.cli_program != NULL ?
	    " over real DNS (NSD, libunbound, spfdmarc spf)" : "",
	    run.passed, run.n);
	if (run.case_only != 0)
		printf("# of them, %u with an explanation equal to pyspf's "
		    "but for letter case (see the notes above)\n",
		    run.case_only);
	suite_free(&suite);
	return run.failed == 0 && run.n > 0 ? 0 : 1;
}
