/*
 * mcload.c: many concurrent milter connections against spfdmarc-milter,
 * every message's verdict checked and counted (the fault and load tests
 * in tests/milter/milter_faults.sh, and latency figures over unix and
 * inet sockets).
 *
 * usage: mcload -s SOCKETSPEC -w WORKLOAD [-c CONNECTIONS] [-m MESSAGES]
 *               [-o OFFSET] [-t TIMEOUT_MS] [-P PID] [-q QID-PREFIX]
 *               [-D mail|header|eoh] [-i INTERVAL_MS]
 *
 * CONNECTIONS threads each open one filter connection (connect, option
 * negotiation, connect and helo steps) and wait until all are open, so the
 * filter holds them all at once; then each sends MESSAGES messages (mail,
 * rcpt, From and Subject headers, end of headers, end of message) and
 * waits again, all connections still open, before it quits. Connection i
 * sends workload line (OFFSET + i) mod lines, MESSAGES times (a line's
 * client address and HELO belong to the connection).
 *
 * Workload: one message a line, blank lines and '#' lines skipped:
 *   CLIENT-IP HELO MAIL-FROM FROM-ADDRESS ACTION [DMARC]
 * FROM-ADDRESS goes into "From: <FROM-ADDRESS>" ("-": no From field).
 * In MAIL-FROM and FROM-ADDRESS, "%n" stands for the message's number,
 * OFFSET + i * MESSAGES + k (so each message can name a domain of its
 * own that no cache holds yet).
 * ACTION: accept quarantine reject tempfail, or '*' for any; DMARC: the
 * dmarc= result expected in an added Authentication-Results (checked for
 * accepted and quarantined messages), or '*' / absent for any.
 * A message's verdict is the first final one: a 5xx reply (or
 * SMFIR_REJECT) is reject, a 4xx (or SMFIR_TEMPFAIL) tempfail, an accept
 * or continue at end of message with a quarantine request quarantine,
 * else accept. An I/O, timeout or protocol failure is an error.
 *
 * -D STEP: the last message of each connection stops after STEP (mail:
 * after the MAIL FROM step; header: after the last header; eoh: after the
 * end of headers) and the connection is closed without QUIT, as an MTA
 * that crashed or lost its client; those messages count as "dropped".
 *
 * -i INTERVAL_MS: each connection pauses that long between messages (a
 * run that spans a fault injected meanwhile).
 *
 * Latency: per message, from its first command (connect for the first
 * message of a connection, mail for the others) to the reply at the end
 * of the message.
 *
 * With -P, the filter's /proc/PID/status is sampled every 20 ms: VmRSS
 * and Threads before any connection, once all are open, the peak, and
 * VmHWM at the end.
 *
 * Output: "key=value" lines on standard output (messages, verdict and
 * dmarc= counts, wrong, errors, latency percentiles, elapsed time, the
 * samples); wrong answers and errors, the first few, on standard error.
 * Exit status 0 when every message got the expected verdict, 1 otherwise,
 * 2 on a usage or workload error.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
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

#define ML_LINE_MAX	1024	/* workload line */
#define ML_LINES_MAX	100000	/* workload lines */
#define ML_CONNS_MAX	4000	/* connections */
#define ML_MSGS_MAX	100000	/* messages per connection */
#define ML_SHOWN_MAX	10	/* wrong answers and errors shown */
#define ML_STACK	(256u * 1024)	/* a connection thread's stack */
#define ML_SAMPLE_MS	20

enum ml_act {
	ACT_ACCEPT, ACT_QUARANTINE, ACT_REJECT, ACT_TEMPFAIL, ACT_ERROR,
	ACT_DROPPED, ACT_ANY, ACT_COUNT
};
static const char *const act_names[ACT_COUNT] = {
	"accept", "quarantine", "reject", "tempfail", "error", "dropped", "*",
};

/* Where -D cuts the last message of a connection. */
enum ml_drop { DROP_NONE, DROP_MAIL, DROP_HEADER, DROP_EOH };

enum ml_dmarc {
	DM_PASS, DM_FAIL, DM_NONE, DM_TEMPERROR, DM_PERMERROR, DM_MISSING,
	DM_ANY, DM_COUNT
};
static const char *const dm_names[DM_COUNT] = {
	"pass", "fail", "none", "temperror", "permerror", "missing", "*",
};

struct ml_line {
	char *ip;
	char *helo;
	char *mailfrom;		/* with <> */
	char *from;		/* " <addr>", or NULL */
	enum ml_act act;
	enum ml_dmarc dmarc;
};

struct ml_thread {
	pthread_t tid;
	unsigned idx;
	uint64_t *lat_us;	/* one per message sent */
	size_t nlat;
	unsigned long acts[ACT_COUNT];
	unsigned long dmarcs[DM_COUNT];
	unsigned long wrong;
	unsigned long errors;
	unsigned long messages;
};

static struct ml_line *lines;
static size_t nlines;
static const char *spec;
static unsigned nconns = 1, nmsgs = 1, offset;
static int timeout_ms = 30000;
static const char *qid_prefix = "L";
static enum ml_drop drop_at = DROP_NONE;
static unsigned interval_ms;
static pthread_barrier_t barrier;
static pthread_mutex_t show_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned shown;
static long filter_pid = -1;
static atomic_bool sampling;
static long rss_peak_kb, threads_peak;

static void
usage(void)
{
	fprintf(stderr, "usage: mcload -s SOCKETSPEC -w WORKLOAD "
	    "[-c CONNECTIONS] [-m MESSAGES] [-o OFFSET] [-t TIMEOUT_MS] "
	    "[-P PID] [-q QID-PREFIX] [-D mail|header|eoh] "
	    "[-i INTERVAL_MS]\n");
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One line about a failure on standard error, the first few only. */
static void
show(const char *what)
{
	pthread_mutex_lock(&show_lock);
	if (shown++ < ML_SHOWN_MAX)
		fprintf(stderr, "mcload: %s\n", what);
	pthread_mutex_unlock(&show_lock);
}

/* ---- Workload ---- */

static int
name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static char *
dup_bracketed(const char *s, const char *pre, const char *post)
{
	size_t n = strlen(pre) + strlen(s) + strlen(post) + 1;
	char *p = malloc(n);

	if (p == NULL)
		return NULL;
	(void)snprintf(p, n, "%s%s%s", pre, s, post);
	return p;
}

static int
parse_line(char *buf, const char *file, unsigned long lineno,
    struct ml_line *l)
{
	char *f[7];
	size_t nf = 0;
	char *save = NULL;
	int a, d = DM_ANY;

	for (char *t = strtok_r(buf, " \t\r\n", &save); t != NULL;
	    t = strtok_r(NULL, " \t\r\n", &save)) {
		if (nf == 7)
			break;
		f[nf++] = t;
	}
	if (nf == 0 || f[0][0] == '#')
		return 1;
	if (nf < 5 || nf > 6)
		goto bad;
	a = name_index(act_names, ACT_COUNT, f[4]);
	if (a < 0 || a == ACT_ERROR || a == ACT_DROPPED)
		goto bad;
	if (nf == 6 && (d = name_index(dm_names, DM_COUNT, f[5])) < 0)
		goto bad;
	l->ip = strdup(f[0]);
	l->helo = strdup(f[1]);
	l->mailfrom = dup_bracketed(f[2], "<", ">");
	l->from = strcmp(f[3], "-") == 0 ? NULL :
	    dup_bracketed(f[3], " <", ">");
	l->act = (enum ml_act)a;
	l->dmarc = (enum ml_dmarc)d;
	if (l->ip == NULL || l->helo == NULL || l->mailfrom == NULL ||
	    (l->from == NULL && strcmp(f[3], "-") != 0)) {
		fprintf(stderr, "mcload: out of memory\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "mcload: %s:%lu: want CLIENT-IP HELO MAIL-FROM "
	    "FROM-ADDRESS ACTION [DMARC]\n", file, lineno);
	return -1;
}

static int
load_workload(const char *file)
{
	FILE *fp = fopen(file, "r");
	char buf[ML_LINE_MAX];
	unsigned long lineno = 0;
	int rc;

	if (fp == NULL) {
		fprintf(stderr, "mcload: %s: %s\n", file, strerror(errno));
		return -1;
	}
	lines = calloc(ML_LINES_MAX, sizeof(*lines));
	if (lines == NULL) {
		fclose(fp);
		return -1;
	}
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		lineno++;
		if (strchr(buf, '\n') == NULL && !feof(fp)) {
			fprintf(stderr, "mcload: %s:%lu: line too long\n",
			    file, lineno);
			fclose(fp);
			return -1;
		}
		if (nlines == ML_LINES_MAX) {
			fprintf(stderr, "mcload: %s: more than %u lines\n",
			    file, ML_LINES_MAX);
			fclose(fp);
			return -1;
		}
		rc = parse_line(buf, file, lineno, &lines[nlines]);
		if (rc < 0) {
			nlines++;	/* what it did allocate is freed */
			fclose(fp);
			return -1;
		}
		if (rc == 0)
			nlines++;
	}
	fclose(fp);
	if (nlines == 0) {
		fprintf(stderr, "mcload: %s: no messages\n", file);
		return -1;
	}
	return 0;
}

static void
free_workload(void)
{
	for (size_t i = 0; i < nlines; i++) {
		free(lines[i].ip);
		free(lines[i].helo);
		free(lines[i].mailfrom);
		free(lines[i].from);
	}
	free(lines);
	lines = NULL;
	nlines = 0;
}

/* ---- The filter's /proc status ---- */

static bool
proc_status(long pid, long *rss_kb, long *hwm_kb, long *threads)
{
	char path[64], buf[256];
	FILE *fp;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return false;
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		if (strncmp(buf, "VmRSS:", 6) == 0 && rss_kb != NULL)
			*rss_kb = strtol(buf + 6, NULL, 10);
		else if (strncmp(buf, "VmHWM:", 6) == 0 && hwm_kb != NULL)
			*hwm_kb = strtol(buf + 6, NULL, 10);
		else if (strncmp(buf, "Threads:", 8) == 0 && threads != NULL)
			*threads = strtol(buf + 8, NULL, 10);
	}
	fclose(fp);
	return true;
}

static void *
sampler(void *arg)
{
	struct timespec ts = { 0, ML_SAMPLE_MS * 1000000L };

	(void)arg;
	while (atomic_load(&sampling)) {
		long rss = 0, thr = 0;

		if (proc_status(filter_pid, &rss, NULL, &thr)) {
			if (rss > rss_peak_kb)
				rss_peak_kb = rss;
			if (thr > threads_peak)
				threads_peak = thr;
		}
		(void)nanosleep(&ts, NULL);
	}
	return NULL;
}

/* ---- One connection ---- */

/* The dmarc= result in an Authentication-Results value. */
static enum ml_dmarc
ar_dmarc(const char *v)
{
	const char *p = v != NULL ? strstr(v, "dmarc=") : NULL;
	char tok[16];
	size_t n = 0;
	int i;

	if (p == NULL)
		return DM_MISSING;
	for (p += 6; *p != '\0' && *p != ' ' && *p != ';' && *p != '(' &&
	    *p != '\t' && *p != '\n' && n + 1 < sizeof(tok); p++)
		tok[n++] = *p;
	tok[n] = '\0';
	i = name_index(dm_names, DM_ANY, tok);
	return i < 0 ? DM_MISSING : (enum ml_dmarc)i;
}

/* A final verdict from a reply, or ACT_ANY while the message goes on. */
static enum ml_act
reply_act(const struct mc_reply *r)
{
	switch (r->verdict) {
	case MC_REJECT:
		return ACT_REJECT;
	case MC_TEMPFAIL:
	case MC_SHUTDOWN:
	case MC_CONNFAIL:
		return ACT_TEMPFAIL;
	case MC_REPLYCODE:
		return r->text[0] == '5' ? ACT_REJECT : ACT_TEMPFAIL;
	case MC_ACCEPT:
	case MC_DISCARD:
		return ACT_ACCEPT;
	default:
		return ACT_ANY;
	}
}

/* s with each "%n" replaced by n, into out. */
static void
subst_n(char *out, size_t size, const char *s, unsigned long n)
{
	size_t o = 0;
	char num[24];
	int k = snprintf(num, sizeof(num), "%lu", n);

	for (; *s != '\0' && o + 1 < size; s++) {
		if (s[0] == '%' && s[1] == 'n') {
			for (int j = 0; j < k && o + 1 < size; j++)
				out[o++] = num[j];
			s++;
		} else
			out[o++] = *s;
	}
	out[o] = '\0';
}

struct ml_msg {
	enum ml_act act;
	enum ml_dmarc dmarc;
	char why[160];
};

static int
send_message(struct mc_conn *c, struct ml_thread *t, const struct ml_line *l,
    unsigned long seq, enum ml_drop drop, struct ml_msg *out)
{
	const char *argv[2] = { NULL, NULL };
	const char *rargv[2] = { "<rcpt@test.example>", NULL };
	struct mc_reply r;
	struct mc_eom *eom = NULL;
	char qid[32], mailfrom[ML_LINE_MAX], from[ML_LINE_MAX];
	unsigned long num = offset + seq;
	int rc;

	out->act = ACT_ANY;
	out->dmarc = DM_MISSING;
	out->why[0] = '\0';
	(void)snprintf(qid, sizeof(qid), "%s%u.%lu", qid_prefix, t->idx, seq);
	(void)mc_macro_set(c, MC_STAGE_MAIL, "i", qid);
	(void)mc_macro_set(c, MC_STAGE_EOM, "i", qid);
	subst_n(mailfrom, sizeof(mailfrom), l->mailfrom, num);
	argv[0] = mailfrom;
	if ((rc = mc_mail(c, argv, &r)) != 0)
		goto fail;
	if ((out->act = reply_act(&r)) != ACT_ANY)
		return 0;
	if (drop == DROP_MAIL)
		goto dropped;
	if ((rc = mc_rcpt(c, rargv, &r)) != 0)
		goto fail;
	if ((out->act = reply_act(&r)) != ACT_ANY)
		return 0;
	if ((rc = mc_data(c, &r)) != 0)
		goto fail;
	if ((out->act = reply_act(&r)) != ACT_ANY)
		return 0;
	if (l->from != NULL) {
		subst_n(from, sizeof(from), l->from, num);
		if ((rc = mc_header(c, "From", from, &r)) != 0)
			goto fail;
		if ((out->act = reply_act(&r)) != ACT_ANY)
			return 0;
	}
	if ((rc = mc_header(c, "Subject", " load", &r)) != 0)
		goto fail;
	if (drop == DROP_HEADER)
		goto dropped;
	if ((rc = mc_eoh(c, &r)) != 0)
		goto fail;
	if ((out->act = reply_act(&r)) != ACT_ANY)
		return 0;
	if (drop == DROP_EOH)
		goto dropped;
	if ((rc = mc_eom(c, &r, &eom)) != 0)
		goto fail;
	out->act = reply_act(&r);
	if (out->act == ACT_ANY) {
		out->act = ACT_ACCEPT;
		for (size_t i = 0; i < eom->nmods; i++) {
			const struct mc_mod *m = &eom->mods[i];

			if (m->type == MC_MOD_QUARANTINE)
				out->act = ACT_QUARANTINE;
			else if ((m->type == MC_MOD_INSHEADER ||
			    m->type == MC_MOD_ADDHEADER) && m->name != NULL &&
			    strcasecmp(m->name, "Authentication-Results") == 0)
				out->dmarc = ar_dmarc(m->value);
		}
	}
	mc_eom_free(eom);
	return 0;
dropped:
	out->act = ACT_DROPPED;
	return 1;
fail:
	out->act = ACT_ERROR;
	(void)snprintf(out->why, sizeof(out->why), "%s: %s",
	    mc_strerror(rc), mc_why(c));
	return -1;
}

static void
account(struct ml_thread *t, const struct ml_line *l, const struct ml_msg *m,
    unsigned long seq)
{
	bool wrong = false;
	char what[400];

	t->messages++;
	t->acts[m->act]++;
	if (m->act == ACT_DROPPED)
		return;
	if (m->act == ACT_ERROR) {
		t->errors++;
		(void)snprintf(what, sizeof(what), "message %lu (%s from %s): "
		    "%s", seq, l->mailfrom, l->ip, m->why);
		show(what);
		return;
	}
	if (m->act == ACT_ACCEPT || m->act == ACT_QUARANTINE)
		t->dmarcs[m->dmarc]++;
	if (l->act != ACT_ANY && l->act != m->act)
		wrong = true;
	if (l->dmarc != DM_ANY && (m->act == ACT_ACCEPT ||
	    m->act == ACT_QUARANTINE) && l->dmarc != m->dmarc)
		wrong = true;
	if (wrong) {
		t->wrong++;
		(void)snprintf(what, sizeof(what), "message %lu (%s from %s): "
		    "got %s dmarc=%s, want %s dmarc=%s", seq, l->mailfrom,
		    l->ip, act_names[m->act], dm_names[m->dmarc],
		    act_names[l->act], dm_names[l->dmarc]);
		show(what);
	}
}

static void *
conn_thread(void *arg)
{
	struct ml_thread *t = arg;
	struct mc_conn *c = NULL;
	const struct ml_line *l = &lines[((size_t)offset + t->idx) % nlines];
	struct mc_reply r;
	enum ml_act conn_act = ACT_ANY;
	bool dead = false;
	uint64_t t0 = now_us();
	int rc;

	rc = mc_connect(&c, spec, timeout_ms);
	if (rc == 0)
		rc = mc_negotiate(c, MC_OFFER_VERSION, MC_OFFER_ACTIONS,
		    MC_OFFER_PROTOCOL);
	if (rc == 0) {
		(void)mc_macro_set(c, MC_STAGE_CONNECT, "j",
		    "mx.test.example");
		rc = mc_conninfo(c, "client.example",
		    strchr(l->ip, ':') != NULL ? MC_FAMILY_INET6 :
		    MC_FAMILY_INET, 25, l->ip, &r);
		if (rc == 0)
			conn_act = reply_act(&r);
	}
	if (rc == 0 && conn_act == ACT_ANY) {
		rc = mc_helo(c, l->helo, &r);
		if (rc == 0)
			conn_act = reply_act(&r);
	}
	if (rc != 0) {
		char what[400];

		dead = true;
		(void)snprintf(what, sizeof(what), "connection %u: %s: %s",
		    t->idx, mc_strerror(rc), c != NULL ? mc_why(c) :
		    "out of memory");
		show(what);
	}
	(void)pthread_barrier_wait(&barrier);	/* all open */
	(void)pthread_barrier_wait(&barrier);	/* go */

	for (unsigned k = 0; k < nmsgs; k++) {
		unsigned long seq = (unsigned long)t->idx * nmsgs + k;
		struct ml_msg m;

		if (k > 0 && interval_ms > 0) {
			struct timespec ts = { interval_ms / 1000,
			    (long)(interval_ms % 1000) * 1000000L };

			(void)nanosleep(&ts, NULL);
		}
		if (k > 0)
			t0 = now_us();
		if (dead) {
			m.act = ACT_ERROR;
			m.dmarc = DM_MISSING;
			(void)snprintf(m.why, sizeof(m.why), "no connection");
		} else if (conn_act != ACT_ANY) {
			m.act = conn_act;
			m.dmarc = DM_MISSING;
		} else if ((rc = send_message(c, t, l, seq, k + 1 == nmsgs ?
		    drop_at : DROP_NONE, &m)) != 0) {
			/* An error, or -D: this connection is over. */
			dead = true;
			if (rc > 0) {
				mc_free(c);
				c = NULL;
			}
		}
		if (m.act != ACT_DROPPED)
			t->lat_us[t->nlat++] = now_us() - t0;
		account(t, l, &m, seq);
	}

	(void)pthread_barrier_wait(&barrier);	/* all done, still open */
	(void)pthread_barrier_wait(&barrier);	/* quit */
	if (!dead)
		(void)mc_quit(c);
	mc_free(c);	/* after -D or an error: closed without QUIT */
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(const uint64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)v[i] / 1000.0;
}

static bool
parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

int
main(int argc, char **argv)
{
	const char *workload = NULL;
	struct ml_thread *th;
	pthread_attr_t attr;
	pthread_t samp;
	unsigned long v, acts[ACT_COUNT] = { 0 }, dmarcs[DM_COUNT] = { 0 };
	unsigned long wrong = 0, errors = 0, messages = 0;
	uint64_t *lat, t_start, t_go, t_end;
	size_t nlat = 0;
	long rss_idle = 0, rss_open = 0, thr_idle = 0, thr_open = 0;
	long rss_done = 0, thr_done = 0, hwm = 0;
	unsigned started = 0;
	int ch;

	while ((ch = getopt(argc, argv, "c:D:i:m:o:P:q:s:t:w:")) != -1) {
		switch (ch) {
		case 'D':
			if (strcmp(optarg, "mail") == 0)
				drop_at = DROP_MAIL;
			else if (strcmp(optarg, "header") == 0)
				drop_at = DROP_HEADER;
			else if (strcmp(optarg, "eoh") == 0)
				drop_at = DROP_EOH;
			else
				goto usage;
			break;
		case 'c':
			if (!parse_num(optarg, ML_CONNS_MAX, &v) || v == 0)
				goto usage;
			nconns = (unsigned)v;
			break;
		case 'i':
			if (!parse_num(optarg, 60000, &v))
				goto usage;
			interval_ms = (unsigned)v;
			break;
		case 'm':
			if (!parse_num(optarg, ML_MSGS_MAX, &v) || v == 0)
				goto usage;
			nmsgs = (unsigned)v;
			break;
		case 'o':
			if (!parse_num(optarg, ML_LINES_MAX, &v))
				goto usage;
			offset = (unsigned)v;
			break;
		case 'P':
			if (!parse_num(optarg, LONG_MAX, &v) || v == 0)
				goto usage;
			filter_pid = (long)v;
			break;
		case 'q':
			qid_prefix = optarg;
			break;
		case 's':
			spec = optarg;
			break;
		case 't':
			if (!parse_num(optarg, INT_MAX, &v))
				goto usage;
			timeout_ms = (int)v;
			break;
		case 'w':
			workload = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (spec == NULL || workload == NULL || optind != argc)
		goto usage;
	if (load_workload(workload) != 0) {
		free_workload();
		return 2;
	}

	th = calloc(nconns, sizeof(*th));
	lat = calloc((size_t)nconns * nmsgs, sizeof(*lat));
	if (th == NULL || lat == NULL ||
	    pthread_barrier_init(&barrier, NULL, nconns + 1) != 0) {
		fprintf(stderr, "mcload: out of memory\n");
		return 2;
	}
	if (filter_pid > 0) {
		(void)proc_status(filter_pid, &rss_idle, NULL, &thr_idle);
		atomic_store(&sampling, true);
		if (pthread_create(&samp, NULL, sampler, NULL) != 0)
			atomic_store(&sampling, false);
	}
	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setstacksize(&attr, ML_STACK);
	t_start = now_us();
	for (unsigned i = 0; i < nconns; i++) {
		th[i].idx = i;
		th[i].lat_us = lat + (size_t)i * nmsgs;
		if (pthread_create(&th[i].tid, &attr, conn_thread, &th[i]) !=
		    0) {
			/* Without all threads the barrier never opens. */
			fprintf(stderr, "mcload: cannot start thread %u\n", i);
			_exit(2);
		}
		started++;
	}
	(void)pthread_barrier_wait(&barrier);
	if (filter_pid > 0)
		(void)proc_status(filter_pid, &rss_open, NULL, &thr_open);
	t_go = now_us();
	(void)pthread_barrier_wait(&barrier);
	(void)pthread_barrier_wait(&barrier);
	t_end = now_us();
	if (filter_pid > 0)
		(void)proc_status(filter_pid, &rss_done, &hwm, &thr_done);
	(void)pthread_barrier_wait(&barrier);
	for (unsigned i = 0; i < started; i++)
		(void)pthread_join(th[i].tid, NULL);
	if (filter_pid > 0 && atomic_load(&sampling)) {
		atomic_store(&sampling, false);
		(void)pthread_join(samp, NULL);
	}

	for (unsigned i = 0; i < nconns; i++) {
		for (int a = 0; a < ACT_COUNT; a++)
			acts[a] += th[i].acts[a];
		for (int d = 0; d < DM_COUNT; d++)
			dmarcs[d] += th[i].dmarcs[d];
		wrong += th[i].wrong;
		errors += th[i].errors;
		messages += th[i].messages;
		memmove(lat + nlat, th[i].lat_us, th[i].nlat * sizeof(*lat));
		nlat += th[i].nlat;
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u64);

	printf("connections=%u\nmessages=%lu\n", nconns, messages);
	for (int a = 0; a < ACT_ANY; a++)
		if (a != ACT_ERROR)
			printf("%s=%lu\n", act_names[a], acts[a]);
	for (int d = 0; d < DM_ANY; d++)
		printf("dmarc_%s=%lu\n", dm_names[d], dmarcs[d]);
	printf("wrong=%lu\nerrors=%lu\n", wrong, errors);
	printf("open_ms=%.1f\nrun_ms=%.1f\nmsgs_per_s=%.0f\n",
	    (double)(t_go - t_start) / 1000.0, (double)(t_end - t_go) / 1000.0,
	    t_end > t_go ? (double)messages * 1e6 / (double)(t_end - t_go) :
	    0.0);
	printf("p50_ms=%.3f\np90_ms=%.3f\np99_ms=%.3f\nmax_ms=%.3f\n",
	    pct_ms(lat, nlat, 0.50), pct_ms(lat, nlat, 0.90),
	    pct_ms(lat, nlat, 0.99), pct_ms(lat, nlat, 1.0));
	if (filter_pid > 0) {
		printf("filter_rss_kb_idle=%ld\nfilter_threads_idle=%ld\n",
		    rss_idle, thr_idle);
		printf("filter_rss_kb_open=%ld\nfilter_threads_open=%ld\n",
		    rss_open, thr_open);
		printf("filter_rss_kb_done=%ld\nfilter_threads_done=%ld\n",
		    rss_done, thr_done);
		printf("filter_rss_kb_peak=%ld\nfilter_threads_peak=%ld\n",
		    rss_peak_kb, threads_peak);
		printf("filter_hwm_kb=%ld\n", hwm);
	}
	(void)fflush(stdout);
	(void)pthread_attr_destroy(&attr);
	(void)pthread_barrier_destroy(&barrier);
	free(th);
	free(lat);
	free_workload();
	return wrong == 0 && errors == 0 ? 0 : 1;
usage:
	usage();
	return 2;
}
