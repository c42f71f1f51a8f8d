/*
 * testfilter.c: a small libmilter filter that exercises what the milter
 * client must handle, for tests/milterclient/selftest.sh.
 *
 * usage: testfilter -p SOCKETSPEC [-m nr|all|leadspc] [-T timeout_s]
 *
 * Modes (xxfi_negotiate):
 *   nr       (default) no reply for connect, DATA, headers and end of
 *            headers (SMFIP_NR_CONN, _DATA, _HDR, _EOH); no body
 *            (SMFIP_NOBODY) and no unknown commands; asks for macro lists
 *            "j {daemon_name}" at connect and "i {auth_authen}" at MAIL.
 *   all      SMFIS_ALL_OPTS: every step, every reply; the body callback
 *            answers SMFIS_SKIP after its first chunk when the MTA offered
 *            SMFIP_SKIP on this connection.
 *   leadspc  SMFIP_HDR_LEADSPC: header values keep their leading space.
 *
 * Triggers:
 *   HELO reject.example       550 5.7.0 (connection-level reject)
 *   MAIL ...reject-mail...    550 5.7.1 via smfi_setreply
 *   MAIL ...accept-mail...    SMFIS_ACCEPT for the message
 *   RCPT ...reject-rcpt...    plain SMFIS_REJECT
 *   RCPT ...tempfail-rcpt...  451 4.2.0 via smfi_setreply
 *   From: ...reject@...       550 5.7.1 at end of message
 *   Subject: ...tempfail...   451 4.7.1 at end of message
 *   Subject: ...discard...    SMFIS_DISCARD at end of message
 *   Subject: ...quarantine... smfi_quarantine()
 *   X-Change-Me               its 2nd instance (or only one) is changed
 *   X-Drop                    every instance deleted, highest index first
 *                             (the order that works in Sendmail and Postfix)
 * Every accepted message gets, in this order: SMFIR_PROGRESS, an
 * X-Testfilter-Top header inserted at index 0, an X-Testfilter header
 * naming the macros seen, a two-line Authentication-Results header, the
 * header changes, X-Subject-Raw (leadspc) or X-Body (all), quarantine.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

enum mode { MODE_NR, MODE_ALL, MODE_LEADSPC };

/* Steps without reply in MODE_NR. */
#define NR_FLAGS (SMFIP_NR_CONN | SMFIP_NR_DATA | SMFIP_NR_HDR | SMFIP_NR_EOH)
#define TF_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)

/* Set once in main() before smfi_main(); only read by the callbacks. */
static enum mode tf_mode = MODE_NR;

struct priv {
	bool skip_ok;		/* SMFIP_SKIP offered; lost after QUIT_NC,
				 * which does not negotiate again */
	/* Per message. */
	bool from_reject;
	bool quarantine;
	bool tempfail;
	bool discard;
	int nchange;
	int ndrop;
	unsigned long body_chunks;
	unsigned long body_bytes;
	char subject_raw[256];
};

static struct priv *
priv_get(SMFICTX *ctx)
{
	struct priv *p = smfi_getpriv(ctx);

	if (p == NULL && (p = calloc(1, sizeof(*p))) != NULL &&
	    smfi_setpriv(ctx, p) != MI_SUCCESS) {
		free(p);
		p = NULL;
	}
	return p;
}

static void
msg_reset(struct priv *p)
{
	bool skip_ok = p->skip_ok;

	memset(p, 0, sizeof(*p));
	p->skip_ok = skip_ok;
}

/* The reply for a step: none when negotiated away. */
static sfsistat
step_reply(unsigned long nr_bit)
{
	if (tf_mode == MODE_NR && (NR_FLAGS & nr_bit) != 0)
		return SMFIS_NOREPLY;
	return SMFIS_CONTINUE;
}

static sfsistat
tf_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	static char conn_list[] = "j {daemon_name}";
	static char mail_list[] = "i {auth_authen}";
	struct priv *p = priv_get(ctx);

	(void)f2;
	(void)f3;
	if (p == NULL)
		return SMFIS_REJECT;
	p->skip_ok = (f1 & SMFIP_SKIP) != 0;
	*pf2 = 0;
	*pf3 = 0;
	switch (tf_mode) {
	case MODE_ALL:
		return SMFIS_ALL_OPTS;
	case MODE_NR:
		*pf0 = (TF_ACTIONS | SMFIF_SETSYMLIST) & f0;
		*pf1 = NR_FLAGS | SMFIP_NOBODY | SMFIP_NOUNKNOWN;
		if (smfi_setsymlist(ctx, SMFIM_CONNECT, conn_list) !=
		    MI_SUCCESS ||
		    smfi_setsymlist(ctx, SMFIM_ENVFROM, mail_list) !=
		    MI_SUCCESS)
			return SMFIS_REJECT;
		return SMFIS_CONTINUE;
	case MODE_LEADSPC:
	default:
		*pf0 = TF_ACTIONS & f0;
		*pf1 = SMFIP_HDR_LEADSPC | (f1 & SMFIP_SKIP);
		return SMFIS_CONTINUE;
	}
}

static sfsistat
tf_connect(SMFICTX *ctx, char *host, struct sockaddr *sa)
{
	struct priv *p = priv_get(ctx);

	(void)host;
	(void)sa;
	if (p == NULL)
		return SMFIS_TEMPFAIL;
	msg_reset(p);
	return step_reply(SMFIP_NR_CONN);
}

static sfsistat
tf_helo(SMFICTX *ctx, char *helo)
{
	static char code[] = "550", xcode[] = "5.7.0";
	static char text[] = "HELO rejected by testfilter";

	if (strcasecmp(helo, "reject.example") == 0) {
		if (smfi_setreply(ctx, code, xcode, text) != MI_SUCCESS)
			return SMFIS_TEMPFAIL;
		return SMFIS_REJECT;
	}
	return step_reply(SMFIP_NR_HELO);
}

static sfsistat
tf_envfrom(SMFICTX *ctx, char **argv)
{
	static char code[] = "550", xcode[] = "5.7.1";
	static char text[] = "sender rejected by testfilter";
	struct priv *p = priv_get(ctx);

	if (p == NULL)
		return SMFIS_TEMPFAIL;
	msg_reset(p);
	if (strstr(argv[0], "reject-mail") != NULL) {
		if (smfi_setreply(ctx, code, xcode, text) != MI_SUCCESS)
			return SMFIS_TEMPFAIL;
		return SMFIS_REJECT;
	}
	if (strstr(argv[0], "accept-mail") != NULL)
		return SMFIS_ACCEPT;
	return step_reply(SMFIP_NR_MAIL);
}

static sfsistat
tf_envrcpt(SMFICTX *ctx, char **argv)
{
	static char code[] = "451", xcode[] = "4.2.0";
	static char text[] = "recipient deferred by testfilter";

	if (strstr(argv[0], "reject-rcpt") != NULL)
		return SMFIS_REJECT;
	if (strstr(argv[0], "tempfail-rcpt") != NULL) {
		if (smfi_setreply(ctx, code, xcode, text) != MI_SUCCESS)
			return SMFIS_REJECT;
		return SMFIS_TEMPFAIL;
	}
	return step_reply(SMFIP_NR_RCPT);
}

static sfsistat
tf_data(SMFICTX *ctx)
{
	(void)ctx;
	return step_reply(SMFIP_NR_DATA);
}

static sfsistat
tf_header(SMFICTX *ctx, char *name, char *value)
{
	struct priv *p = priv_get(ctx);

	if (p == NULL)
		return step_reply(SMFIP_NR_HDR);
	if (strcasecmp(name, "From") == 0 && strstr(value, "reject@") != NULL)
		p->from_reject = true;
	if (strcasecmp(name, "Subject") == 0) {
		int n = snprintf(p->subject_raw, sizeof(p->subject_raw), "%s",
		    value);

		if (n < 0 || (size_t)n >= sizeof(p->subject_raw))
			p->subject_raw[0] = '\0';
		p->quarantine = strstr(value, "quarantine") != NULL;
		p->tempfail = strstr(value, "tempfail") != NULL;
		p->discard = strstr(value, "discard") != NULL;
	}
	if (strcasecmp(name, "X-Change-Me") == 0)
		p->nchange++;
	if (strcasecmp(name, "X-Drop") == 0)
		p->ndrop++;
	return step_reply(SMFIP_NR_HDR);
}

static sfsistat
tf_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return step_reply(SMFIP_NR_EOH);
}

static sfsistat
tf_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct priv *p = priv_get(ctx);

	(void)chunk;
	if (p == NULL)
		return SMFIS_TEMPFAIL;
	p->body_chunks++;
	p->body_bytes += len;
	if (tf_mode == MODE_ALL && p->skip_ok)
		return SMFIS_SKIP;
	return step_reply(SMFIP_NR_BODY);
}

static const char *
macro(SMFICTX *ctx, const char *name)
{
	char buf[64];
	const char *v;
	int n = snprintf(buf, sizeof(buf), "%s", name);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return "-";
	v = smfi_getsymval(ctx, buf);
	return v != NULL ? v : "-";
}

static sfsistat
tf_eom(SMFICTX *ctx)
{
	static char c550[] = "550", x571[] = "5.7.1";
	static char c451[] = "451", x471[] = "4.7.1";
	static char t_from[] = "From: rejected by testfilter";
	static char t_tmp[] = "Subject asked for tempfail";
	static char h_top[] = "X-Testfilter-Top", v_top[] = "inserted at index 0";
	static char h_tf[] = "X-Testfilter";
	static char h_ar[] = "Authentication-Results";
	static char v_ar[] = "mx.example.net;\n\tspf=pass smtp.mailfrom=example.org";
	static char h_chg[] = "X-Change-Me", v_chg[] = "changed by testfilter";
	static char h_drop[] = "X-Drop";
	static char h_raw[] = "X-Subject-Raw", h_body[] = "X-Body";
	static char reason[] = "Subject asked for quarantine";
	struct priv *p = priv_get(ctx);
	char buf[512];
	int n;

	if (p == NULL)
		return SMFIS_TEMPFAIL;
	if (smfi_progress(ctx) != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	if (p->from_reject) {
		msg_reset(p);
		if (smfi_setreply(ctx, c550, x571, t_from) != MI_SUCCESS)
			return SMFIS_TEMPFAIL;
		return SMFIS_REJECT;
	}
	if (p->tempfail) {
		msg_reset(p);
		if (smfi_setreply(ctx, c451, x471, t_tmp) != MI_SUCCESS)
			return SMFIS_TEMPFAIL;
		return SMFIS_TEMPFAIL;
	}
	if (p->discard) {
		msg_reset(p);
		return SMFIS_DISCARD;
	}
	n = snprintf(buf, sizeof(buf), "j=%s; daemon_name=%s; i=%s; "
	    "auth_authen=%s; unwanted=%s", macro(ctx, "j"),
	    macro(ctx, "{daemon_name}"), macro(ctx, "i"),
	    macro(ctx, "{auth_authen}"), macro(ctx, "{unwanted}"));
	if (n < 0 || (size_t)n >= sizeof(buf))
		goto fail;
	if (smfi_insheader(ctx, 0, h_top, v_top) != MI_SUCCESS ||
	    smfi_addheader(ctx, h_tf, buf) != MI_SUCCESS ||
	    smfi_addheader(ctx, h_ar, v_ar) != MI_SUCCESS)
		goto fail;
	if (p->nchange > 0 && smfi_chgheader(ctx, h_chg,
	    p->nchange >= 2 ? 2 : 1, v_chg) != MI_SUCCESS)
		goto fail;
	for (int i = p->ndrop; i >= 1; i--)
		if (smfi_chgheader(ctx, h_drop, i, NULL) != MI_SUCCESS)
			goto fail;
	if (tf_mode == MODE_LEADSPC) {
		n = snprintf(buf, sizeof(buf), "[%s]", p->subject_raw);
		if (n < 0 || (size_t)n >= sizeof(buf) ||
		    smfi_addheader(ctx, h_raw, buf) != MI_SUCCESS)
			goto fail;
	}
	if (tf_mode == MODE_ALL) {
		n = snprintf(buf, sizeof(buf), "chunks=%lu bytes=%lu",
		    p->body_chunks, p->body_bytes);
		if (n < 0 || (size_t)n >= sizeof(buf) ||
		    smfi_addheader(ctx, h_body, buf) != MI_SUCCESS)
			goto fail;
	}
	if (p->quarantine && smfi_quarantine(ctx, reason) != MI_SUCCESS)
		goto fail;
	msg_reset(p);
	return SMFIS_CONTINUE;
fail:
	msg_reset(p);
	return SMFIS_TEMPFAIL;
}

static sfsistat
tf_abort(SMFICTX *ctx)
{
	struct priv *p = smfi_getpriv(ctx);

	if (p != NULL)
		msg_reset(p);
	return SMFIS_CONTINUE;
}

static sfsistat
tf_close(SMFICTX *ctx)
{
	free(smfi_getpriv(ctx));
	(void)smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static sfsistat
tf_unknown(SMFICTX *ctx, const char *cmd)
{
	(void)ctx;
	(void)cmd;
	return step_reply(SMFIP_NR_UNKN);
}

int
main(int argc, char **argv)
{
	static char name[] = "testfilter";
	struct smfiDesc desc = {
		.xxfi_name = name,
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = TF_ACTIONS,
		.xxfi_connect = tf_connect,
		.xxfi_helo = tf_helo,
		.xxfi_envfrom = tf_envfrom,
		.xxfi_envrcpt = tf_envrcpt,
		.xxfi_header = tf_header,
		.xxfi_eoh = tf_eoh,
		.xxfi_body = tf_body,
		.xxfi_eom = tf_eom,
		.xxfi_abort = tf_abort,
		.xxfi_close = tf_close,
		.xxfi_unknown = tf_unknown,
		.xxfi_data = tf_data,
		.xxfi_negotiate = tf_negotiate,
	};
	char *spec = NULL;
	int opt, timeout = 30;

	while ((opt = getopt(argc, argv, "p:m:T:")) != -1) {
		switch (opt) {
		case 'p':
			spec = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "nr") == 0)
				tf_mode = MODE_NR;
			else if (strcmp(optarg, "all") == 0)
				tf_mode = MODE_ALL;
			else if (strcmp(optarg, "leadspc") == 0)
				tf_mode = MODE_LEADSPC;
			else
				goto usage;
			break;
		case 'T':
			timeout = atoi(optarg);
			if (timeout <= 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (spec == NULL || optind != argc)
		goto usage;
	if (smfi_setconn(spec) != MI_SUCCESS ||
	    smfi_settimeout(timeout) != MI_SUCCESS ||
	    smfi_register(desc) != MI_SUCCESS) {
		fprintf(stderr, "testfilter: cannot set up %s\n", spec);
		return 1;
	}
	/* Create the socket now (removing a stale one) so callers can wait. */
	if (smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "testfilter: cannot open %s\n", spec);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
usage:
	fprintf(stderr, "usage: testfilter -p SOCKETSPEC [-m nr|all|leadspc] "
	    "[-T timeout_s]\n");
	return 2;
}
