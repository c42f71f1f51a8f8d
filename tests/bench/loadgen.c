/*
 * loadgen.c: milter-protocol load generator for `make bench`.
 *
 * usage: loadgen -s SOCKETSPEC -w WORKLOAD [-c CONCURRENCY] [-n MESSAGES]
 *                [-d SECONDS] [-o OFFSET] [-p spfdmarc|opendmarc|none]
 *                [-t TIMEOUT_MS] [-T MAX_SECONDS] [-l LABEL] [-r] [-q]
 *
 * CONCURRENCY threads, each its own filter connection, share one message
 * counter and take workload lines in turn (line (OFFSET + i) mod lines for
 * the i-th message), until MESSAGES were sent (default: the workload's
 * line count) or, with -d, SECONDS passed. Every message is a whole SMTP
 * transaction as an MTA shows it to a milter: connect, helo, mail, rcpt,
 * data, From/To/Subject/Date/Message-ID, end of headers, end of message.
 * By default each message has its own filter connection, as Postfix opens
 * one per SMTP session (and most inbound sessions carry one message); -r
 * keeps the connection and starts the next message with SMFIC_QUIT_NC
 * where libmilter allows it (after an end of message answered with
 * continue), reconnecting otherwise.
 *
 * Latency is per message, from the first command of the transaction
 * (SMFIC_CONNECT) to the end-of-message reply; connection set-up and
 * option negotiation count in the throughput, not in the latency.
 *
 * Verdicts. The workload names, per message, the expected SPF result,
 * DMARC result and action (accept, quarantine, reject; see genworld.sh).
 * What the filter did is reduced to one abstract action:
 *   reject      SMFIR_REJECT, or a SMFIR_REPLYCODE starting with 5, at any
 *               step;
 *   tempfail    SMFIR_TEMPFAIL, a 4xx reply code, shutdown, connfail;
 *   discard     SMFIR_DISCARD;
 *   quarantine  accept/continue with an SMFIR_QUARANTINE modification;
 *   accept      accept/continue otherwise;
 *   error       an I/O, timeout or protocol failure.
 * Profiles (-p) say what else the filter must show:
 *   spfdmarc   an accepted or quarantined message gets an
 *              Authentication-Results header with spf= and dmarc= equal to
 *              the expected results; a reject is "550 5.7.1".
 *   opendmarc  OpenDMARC (SPFSelfValidate): its A-R carries dmarc= (checked)
 *              and spf= (checked when present; its softfail reads "fail":
 *              libopendmarc's SPF outcome has no softfail); a reject is
 *              "550 5.7.1" (its text: "rejected by DMARC policy").
 *   none       nothing is checked (the do-nothing ceiling filter).
 * Anything else, or an error, is a wrong answer: a fast wrong answer is a
 * failure, so the exit status is 1 when any message was wrong or failed.
 *
 * Output: a human summary on standard error and one JSON object on
 * standard output (messages/s, p50/p90/p99/max latency, verdict counts,
 * wrong-answer counts).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "milterclient.h"

#define LG_LINE_MAX	1024		/* workload line */
#define LG_FIELD_MAX	256		/* one workload field */
#define LG_LINES_MAX	1000000		/* workload lines */
#define LG_MESSAGES_MAX	10000000	/* messages in one run */
#define LG_THREADS_MAX	2000		/* concurrency */
#define LG_EXAMPLES	10		/* wrong answers shown */
#define LG_AR_MAX	4096		/* A-R text examined */

enum lg_action {
	ACT_ACCEPT, ACT_QUARANTINE, ACT_REJECT, ACT_TEMPFAIL, ACT_DISCARD,
	ACT_ERROR, ACT_COUNT
};
static const char *const act_names[ACT_COUNT] = {
	"accept", "quarantine", "reject", "tempfail", "discard", "error"
};

enum lg_profile { PROF_SPFDMARC, PROF_OPENDMARC, PROF_NONE };

/* Kinds of wrong answer. */
enum lg_wrong {
	WR_ACTION, WR_DMARC, WR_SPF, WR_NOAR, WR_TEXT, WR_COUNT
};
static const char *const wr_names[WR_COUNT] = {
	"action", "dmarc", "spf", "no_authres", "reply_text"
};

struct lg_msg {
	char ip[64];
	char helo[LG_FIELD_MAX];
	char mailfrom[LG_FIELD_MAX];
	char fromdom[LG_FIELD_MAX];
	char spf[16];
	char dmarc[16];
	enum lg_action action;
};

struct lg_opts {
	const char *socket;
	const char *workload;
	const char *label;
	unsigned concurrency;
	uint64_t messages;
	double duration;	/* s; 0 = by count */
	double max_time;	/* s; hard stop */
	uint64_t offset;
	enum lg_profile profile;
	int timeout_ms;
	bool reuse;
	bool quiet;
};

/* Shared between threads; counters are atomic, the rest set before start. */
struct lg_run {
	const struct lg_opts *o;
	struct lg_msg *msgs;
	size_t nmsgs;
	uint64_t limit;		/* messages to send */
	double *lat;		/* ms per message slot, -1 = not done */
	atomic_uint_fast64_t next;
	atomic_uint_fast64_t done;
	atomic_uint_fast64_t acts[ACT_COUNT];
	atomic_uint_fast64_t wrong[WR_COUNT];
	atomic_uint_fast64_t wrong_msgs;
	atomic_uint_fast64_t connects;
	atomic_int examples;
	double t_start;
	double t_deadline;	/* duration end */
	double t_hardstop;
	pthread_mutex_t out_lock;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_action(const char *s, enum lg_action *a)
{
	int i;

	for (i = 0; i < ACT_COUNT; i++)
		if (strcmp(s, act_names[i]) == 0) {
			*a = (enum lg_action)i;
			return 0;
		}
	return -1;
}

/* Copy with a length check; false when it did not fit. */
static bool
copy(char *dst, size_t size, const char *src)
{
	return strlcpy(dst, src, size) < size;
}

static int
load_workload(const char *path, struct lg_msg **out, size_t *nout)
{
	FILE *f;
	char line[LG_LINE_MAX];
	char ip[LG_FIELD_MAX], helo[LG_FIELD_MAX], mf[LG_FIELD_MAX];
	char fd[LG_FIELD_MAX], spf[LG_FIELD_MAX], dm[LG_FIELD_MAX];
	char act[LG_FIELD_MAX];
	struct lg_msg *v = NULL, *nv;
	size_t n = 0, cap = 0, lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "loadgen: %s:%zu: line too long\n",
			    path, lineno);
			goto fail;
		}
		if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
			continue;
		if (sscanf(line, "%255s %255s %255s %255s %255s %255s %255s",
		    ip, helo, mf, fd, spf, dm, act) != 7) {
			fprintf(stderr, "loadgen: %s:%zu: need 7 fields\n",
			    path, lineno);
			goto fail;
		}
		if (n == LG_LINES_MAX) {
			fprintf(stderr, "loadgen: %s: more than %d lines\n",
			    path, LG_LINES_MAX);
			goto fail;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				fprintf(stderr, "loadgen: out of memory\n");
				goto fail;
			}
			v = nv;
		}
		if (!copy(v[n].ip, sizeof(v[n].ip), ip) ||
		    !copy(v[n].helo, sizeof(v[n].helo), helo) ||
		    !copy(v[n].mailfrom, sizeof(v[n].mailfrom), mf) ||
		    !copy(v[n].fromdom, sizeof(v[n].fromdom), fd) ||
		    !copy(v[n].spf, sizeof(v[n].spf), spf) ||
		    !copy(v[n].dmarc, sizeof(v[n].dmarc), dm) ||
		    parse_action(act, &v[n].action) != 0) {
			fprintf(stderr, "loadgen: %s:%zu: bad field\n",
			    path, lineno);
			goto fail;
		}
		n++;
	}
	if (ferror(f) || n == 0) {
		fprintf(stderr, "loadgen: %s: %s\n", path,
		    n == 0 ? "no messages" : "read error");
		goto fail;
	}
	fclose(f);
	*out = v;
	*nout = n;
	return 0;
fail:
	fclose(f);
	free(v);
	return -1;
}

/*
 * The value of "method=" in an Authentication-Results text: the token
 * after it, lower-cased, up to a space, ';' or '('. Looks for the method
 * name at a token start only ("dmarc=" must not match "xdmarc=").
 */
/* strstr ignoring ASCII case. */
static const char *
find_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

static bool
ar_result(const char *ar, const char *method, char *out, size_t outsz)
{
	size_t ml = strlen(method), i;
	const char *p = ar;

	while ((p = find_nocase(p, method)) != NULL) {
		if ((p == ar || !(isalnum((unsigned char)p[-1]) ||
		    p[-1] == '.' || p[-1] == '-' || p[-1] == '_')) &&
		    p[ml] == '=') {
			p += ml + 1;
			for (i = 0; i + 1 < outsz && p[i] != '\0' &&
			    !isspace((unsigned char)p[i]) && p[i] != ';' &&
			    p[i] != '('; i++)
				out[i] = (char)tolower((unsigned char)p[i]);
			out[i] = '\0';
			return true;
		}
		p += ml;
	}
	return false;
}

struct lg_outcome {
	enum lg_action action;
	char text[MC_TEXT_MAX + MC_WHY_MAX];		/* reply text or error */
	char spf[32];		/* from A-R, "" if absent */
	char dmarc[32];
	bool have_ar;
};

static void
note_wrong(struct lg_run *run, const struct lg_msg *m,
    const struct lg_outcome *oc, enum lg_wrong kind, bool *any)
{
	atomic_fetch_add(&run->wrong[kind], 1);
	if (!*any)
		atomic_fetch_add(&run->wrong_msgs, 1);
	*any = true;
	if (atomic_fetch_add(&run->examples, 1) < LG_EXAMPLES) {
		pthread_mutex_lock(&run->out_lock);
		fprintf(stderr, "loadgen: wrong (%s): %s %s from=%s expected "
		    "spf=%s dmarc=%s %s; got %s spf=%s dmarc=%s%s%s\n",
		    wr_names[kind], m->ip, m->mailfrom, m->fromdom, m->spf,
		    m->dmarc, act_names[m->action], act_names[oc->action],
		    oc->spf[0] ? oc->spf : "-", oc->dmarc[0] ? oc->dmarc : "-",
		    oc->text[0] ? " text=" : "", oc->text);
		pthread_mutex_unlock(&run->out_lock);
	}
}

static void
check(struct lg_run *run, const struct lg_msg *m, const struct lg_outcome *oc)
{
	enum lg_profile p = run->o->profile;
	bool any = false;

	if (p == PROF_NONE) {
		if (oc->action == ACT_ERROR)
			note_wrong(run, m, oc, WR_ACTION, &any);
		return;
	}
	if (oc->action != m->action) {
		note_wrong(run, m, oc, WR_ACTION, &any);
		return;
	}
	if (oc->action == ACT_REJECT) {
		if (strncmp(oc->text, "550 5.7.1", 9) != 0)
			note_wrong(run, m, oc, WR_TEXT, &any);
		return;
	}
	if (!oc->have_ar) {
		note_wrong(run, m, oc, WR_NOAR, &any);
		return;
	}
	if (strcmp(oc->dmarc, m->dmarc) != 0)
		note_wrong(run, m, oc, WR_DMARC, &any);
	/*
	 * OpenDMARC writes spf= from libopendmarc's SPF outcome, which
	 * has pass, fail, none and temperror only: its softfail is "fail".
	 */
	if (p == PROF_OPENDMARC && strcmp(m->spf, "softfail") == 0 &&
	    strcmp(oc->spf, "fail") == 0)
		return;
	if ((p == PROF_SPFDMARC || oc->spf[0] != '\0') &&
	    strcmp(oc->spf, m->spf) != 0)
		note_wrong(run, m, oc, WR_SPF, &any);
}

/* A step's reply ends the message (or the connection)? Sets the action. */
static bool
final_reply(const struct mc_reply *r, struct lg_outcome *oc)
{
	switch (r->verdict) {
	case MC_CONTINUE:
	case MC_NOREPLY:
	case MC_NOTSENT:
	case MC_SKIP:
		return false;
	case MC_ACCEPT:
		oc->action = ACT_ACCEPT;
		return true;
	case MC_REJECT:
		oc->action = ACT_REJECT;
		return true;
	case MC_DISCARD:
		oc->action = ACT_DISCARD;
		return true;
	case MC_REPLYCODE:
		oc->action = r->text[0] == '5' ? ACT_REJECT :
		    r->text[0] == '4' ? ACT_TEMPFAIL : ACT_ERROR;
		(void)copy(oc->text, sizeof(oc->text), r->text);
		return true;
	case MC_TEMPFAIL:
	case MC_SHUTDOWN:
	case MC_CONNFAIL:
	default:
		oc->action = ACT_TEMPFAIL;
		return true;
	}
}

static void
read_mods(const struct mc_eom *e, struct lg_outcome *oc)
{
	size_t i;
	const struct mc_mod *md;
	char tmp[32];

	for (i = 0; e != NULL && i < e->nmods; i++) {
		md = &e->mods[i];
		if (md->type == MC_MOD_QUARANTINE && oc->action == ACT_ACCEPT)
			oc->action = ACT_QUARANTINE;
		if ((md->type == MC_MOD_ADDHEADER ||
		    md->type == MC_MOD_INSHEADER) && md->name != NULL &&
		    md->value != NULL &&
		    strcasecmp(md->name, "Authentication-Results") == 0 &&
		    strnlen(md->value, LG_AR_MAX) < LG_AR_MAX) {
			if (ar_result(md->value, "dmarc", tmp, sizeof(tmp))) {
				oc->have_ar = true;
				(void)copy(oc->dmarc, sizeof(oc->dmarc), tmp);
			}
			if (ar_result(md->value, "spf", tmp, sizeof(tmp))) {
				oc->have_ar = true;
				(void)copy(oc->spf, sizeof(oc->spf), tmp);
			}
		}
	}
}

/*
 * One SMTP transaction on *cp (connected and negotiated, or NULL: then
 * connect first). Returns the latency in ms; fills *oc. On return *cp is
 * either ready for the next message (QUIT_NC done) or NULL.
 */
static double
one_message(struct lg_run *run, struct mc_conn **cp, const struct lg_msg *m,
    uint64_t seq, struct lg_outcome *oc)
{
	const struct lg_opts *o = run->o;
	struct mc_conn *c = *cp;
	struct mc_reply r;
	struct mc_eom *eom = NULL;
	char from[LG_FIELD_MAX + 32], mailarg[LG_FIELD_MAX + 2];
	char rcptarg[] = "<postmaster@mx.bench.example>";
	char msgid[LG_FIELD_MAX + 48], qid[32], host[80];
	const char *mailv[2], *rcptv[2];
	double t0 = 0, lat = -1;
	int rc;

	memset(oc, 0, sizeof(*oc));
	oc->action = ACT_ERROR;
	if (c == NULL) {
		rc = mc_connect(&c, o->socket, o->timeout_ms);
		if (rc == 0)
			rc = mc_negotiate(c, MC_OFFER_VERSION,
			    MC_OFFER_ACTIONS, MC_OFFER_PROTOCOL);
		atomic_fetch_add(&run->connects, 1);
		if (rc != 0)
			goto fail;
		(void)mc_macro_set(c, MC_STAGE_CONNECT, "j", "mx.bench.example");
		(void)mc_macro_set(c, MC_STAGE_CONNECT, "{daemon_name}", "bench");
	}
	(void)snprintf(qid, sizeof(qid), "B%" PRIx64, seq);
	(void)snprintf(host, sizeof(host), "[%s]", m->ip);
	(void)snprintf(mailarg, sizeof(mailarg), "<%s>", m->mailfrom);
	(void)snprintf(from, sizeof(from), " Sender <%s>", m->mailfrom);
	(void)snprintf(msgid, sizeof(msgid), " <%" PRIu64 ".bench@%s>", seq,
	    m->fromdom);
	mailv[0] = mailarg;
	mailv[1] = NULL;
	rcptv[0] = rcptarg;
	rcptv[1] = NULL;
	(void)mc_macro_set(c, MC_STAGE_MAIL, "i", qid);
	(void)mc_macro_set(c, MC_STAGE_EOM, "i", qid);

	t0 = now_s();
#define STEP(call) do { \
		if ((rc = (call)) != 0) goto fail; \
		if (final_reply(&r, oc)) goto done; \
	} while (0)
	STEP(mc_conninfo(c, host, MC_FAMILY_INET, 40000, m->ip, &r));
	STEP(mc_helo(c, m->helo, &r));
	STEP(mc_mail(c, mailv, &r));
	STEP(mc_rcpt(c, rcptv, &r));
	STEP(mc_data(c, &r));
	STEP(mc_header(c, "From", from, &r));
	STEP(mc_header(c, "To", " <postmaster@mx.bench.example>", &r));
	STEP(mc_header(c, "Subject", " benchmark message", &r));
	STEP(mc_header(c, "Date", " Mon, 6 Jan 2025 10:00:00 +0000", &r));
	STEP(mc_header(c, "Message-ID", msgid, &r));
	STEP(mc_eoh(c, &r));
	if ((rc = mc_eom(c, &r, &eom)) != 0)
		goto fail;
	if (!final_reply(&r, oc))
		oc->action = ACT_ACCEPT;	/* continue at eom */
	if (oc->action == ACT_ACCEPT)
		read_mods(eom, oc);
#undef STEP
done:
	lat = (now_s() - t0) * 1000.0;
	mc_eom_free(eom);
	if (o->reuse && r.verdict == MC_CONTINUE && mc_quit_nc(c) == 0) {
		*cp = c;
		return lat;
	}
	(void)mc_quit(c);
	mc_free(c);
	*cp = NULL;
	return lat;
fail:
	mc_eom_free(eom);
	oc->action = ACT_ERROR;
	(void)snprintf(oc->text, sizeof(oc->text), "%s: %s", mc_strerror(rc),
	    c != NULL ? mc_why(c) : "");
	if (t0 > 0)
		lat = (now_s() - t0) * 1000.0;
	mc_free(c);
	*cp = NULL;
	return lat;
}

static void *
worker(void *arg)
{
	struct lg_run *run = arg;
	struct mc_conn *c = NULL;
	struct lg_outcome oc;
	uint64_t i;
	double t, lat;
	const struct lg_msg *m;

	for (;;) {
		t = now_s();
		if (t >= run->t_hardstop ||
		    (run->o->duration > 0 && t >= run->t_deadline))
			break;
		i = atomic_fetch_add(&run->next, 1);
		if (i >= run->limit)
			break;
		m = &run->msgs[(run->o->offset + i) % run->nmsgs];
		lat = one_message(run, &c, m, run->o->offset + i, &oc);
		run->lat[i] = lat < 0 ? 0 : lat;
		atomic_fetch_add(&run->acts[oc.action], 1);
		check(run, m, &oc);
		atomic_fetch_add(&run->done, 1);
	}
	if (c != NULL) {
		(void)mc_quit(c);
		mc_free(c);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[k < n ? k : n - 1];
}

/* JSON string: only what a label or socket spec can hold safely. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen -s SOCKETSPEC -w WORKLOAD [-c CONCURRENCY] "
	    "[-n MESSAGES]\n"
	    "               [-d SECONDS] [-o OFFSET] "
	    "[-p spfdmarc|opendmarc|none]\n"
	    "               [-t TIMEOUT_MS] [-T MAX_SECONDS] [-l LABEL] "
	    "[-r] [-q]\n");
	exit(2);
}

static bool
num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] == '-' || s[0] == '\0')
		return false;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static bool
seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v > 0) || v > 86400)
		return false;
	*out = v;
	return true;
}

int
main(int argc, char **argv)
{
	struct lg_opts o = {
		.concurrency = 1, .profile = PROF_SPFDMARC,
		.timeout_ms = 10000, .max_time = 600, .label = "",
	};
	struct lg_run run;
	pthread_t *th = NULL;
	unsigned long long v;
	double elapsed, *sorted = NULL;
	size_t nlat, i;
	unsigned t, started = 0;
	uint64_t wrong_total;
	int ch, rc = 1;

	memset(&run, 0, sizeof(run));
	while ((ch = getopt(argc, argv, "s:w:c:n:d:o:p:t:T:l:rq")) != -1) {
		switch (ch) {
		case 's': o.socket = optarg; break;
		case 'w': o.workload = optarg; break;
		case 'l': o.label = optarg; break;
		case 'r': o.reuse = true; break;
		case 'q': o.quiet = true; break;
		case 'c':
			if (!num(optarg, LG_THREADS_MAX, &v) || v == 0)
				usage();
			o.concurrency = (unsigned)v;
			break;
		case 'n':
			if (!num(optarg, LG_MESSAGES_MAX, &v) || v == 0)
				usage();
			o.messages = v;
			break;
		case 'o':
			if (!num(optarg, LG_MESSAGES_MAX, &v))
				usage();
			o.offset = v;
			break;
		case 't':
			if (!num(optarg, 600000, &v) || v == 0)
				usage();
			o.timeout_ms = (int)v;
			break;
		case 'd':
			if (!seconds(optarg, &o.duration))
				usage();
			break;
		case 'T':
			if (!seconds(optarg, &o.max_time))
				usage();
			break;
		case 'p':
			if (strcmp(optarg, "spfdmarc") == 0)
				o.profile = PROF_SPFDMARC;
			else if (strcmp(optarg, "opendmarc") == 0)
				o.profile = PROF_OPENDMARC;
			else if (strcmp(optarg, "none") == 0)
				o.profile = PROF_NONE;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (o.socket == NULL || o.workload == NULL || optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (load_workload(o.workload, &run.msgs, &run.nmsgs) != 0)
		return 2;
	run.o = &o;
	run.limit = o.messages ? o.messages :
	    o.duration > 0 ? LG_MESSAGES_MAX : run.nmsgs;
	if (o.duration > 0 && o.messages == 0)
		run.limit = 1000000;	/* bounded even by time */
	if ((run.lat = calloc(run.limit, sizeof(double))) == NULL ||
	    (th = calloc(o.concurrency, sizeof(*th))) == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		goto out;
	}
	pthread_mutex_init(&run.out_lock, NULL);
	run.t_start = now_s();
	run.t_deadline = run.t_start + o.duration;
	run.t_hardstop = run.t_start + o.max_time;
	for (t = 0; t < o.concurrency; t++) {
		if (pthread_create(&th[t], NULL, worker, &run) != 0) {
			fprintf(stderr, "loadgen: pthread_create failed\n");
			break;
		}
		started++;
	}
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	elapsed = now_s() - run.t_start;

	nlat = (size_t)atomic_load(&run.done);
	if (nlat > run.limit)
		nlat = run.limit;
	if ((sorted = malloc((nlat ? nlat : 1) * sizeof(double))) == NULL)
		goto out;
	memcpy(sorted, run.lat, nlat * sizeof(double));
	qsort(sorted, nlat, sizeof(double), cmp_double);
	wrong_total = atomic_load(&run.wrong_msgs);

	if (!o.quiet) {
		fprintf(stderr, "loadgen %s: %zu messages, concurrency %u, "
		    "%.2f s: %.1f msg/s, latency p50 %.2f ms p99 %.2f ms max "
		    "%.2f ms; wrong %" PRIu64 ", errors %" PRIu64 "\n",
		    o.label, nlat, o.concurrency, elapsed,
		    elapsed > 0 ? (double)nlat / elapsed : 0,
		    pct(sorted, nlat, 50), pct(sorted, nlat, 99),
		    nlat ? sorted[nlat - 1] : 0, wrong_total,
		    (uint64_t)atomic_load(&run.acts[ACT_ERROR]));
		fprintf(stderr, "  verdicts:");
		for (i = 0; i < ACT_COUNT; i++)
			fprintf(stderr, " %s %" PRIu64, act_names[i],
			    (uint64_t)atomic_load(&run.acts[i]));
		fprintf(stderr, "\n");
	}
	printf("{\"label\":");
	json_str(stdout, o.label);
	printf(",\"socket\":");
	json_str(stdout, o.socket);
	printf(",\"profile\":\"%s\",\"concurrency\":%u,\"reuse\":%s,"
	    "\"messages\":%zu,\"connects\":%" PRIu64 ",\"elapsed_s\":%.3f,"
	    "\"msgs_per_s\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
	    "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"verdicts\":{",
	    o.profile == PROF_SPFDMARC ? "spfdmarc" :
	    o.profile == PROF_OPENDMARC ? "opendmarc" : "none",
	    o.concurrency, o.reuse ? "true" : "false", nlat,
	    (uint64_t)atomic_load(&run.connects), elapsed,
	    elapsed > 0 ? (double)nlat / elapsed : 0,
	    pct(sorted, nlat, 50), pct(sorted, nlat, 90),
	    pct(sorted, nlat, 99), nlat ? sorted[nlat - 1] : 0);
	for (i = 0; i < ACT_COUNT; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", act_names[i],
		    (uint64_t)atomic_load(&run.acts[i]));
	printf("},\"wrong\":%" PRIu64 ",\"wrong_by\":{", wrong_total);
	for (i = 0; i < WR_COUNT; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", wr_names[i],
		    (uint64_t)atomic_load(&run.wrong[i]));
	printf("}}\n");
	fflush(stdout);
	rc = (wrong_total == 0 && nlat > 0) ? 0 : 1;
out:
	free(sorted);
	free(th);
	free(run.lat);
	free(run.msgs);
	return rc;
}
