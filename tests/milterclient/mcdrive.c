/*
 * mcdrive.c: drive a milter through a line-based script, for shell tests.
 *
 * usage: mcdrive -s SOCKETSPEC [-t timeout_ms] [-H] [-A actions]
 *                [-P protocol] [SCRIPT]
 *
 * Connects, negotiates (offering everything, or -A/-P masks), runs the
 * script (a file, or standard input) and prints every reply and every
 * modification on its own line in a stable, greppable form. Exit status:
 * 0 when the conversation completed per protocol, whatever the verdicts;
 * 1 on an I/O or protocol error; 2 on a usage or script error.
 *
 * Script: one command per line; blank lines and lines starting with '#'
 * are ignored. TEXT is everything after the command word and one space;
 * in it \n \r \t \\ and \xHH are escapes.
 *   macro NAME [VALUE]        macro for the next connect/helo/mail/rcpt/
 *                             data/eoh/eom ("daemon_name" is sent as
 *                             "{daemon_name}"); VALUE is the rest, verbatim
 *   connect HOST FAMILY [ADDRESS [PORT]]   FAMILY: 4 6 U L
 *   helo NAME
 *   mail ADDRESS [ESMTP-ARG...]
 *   rcpt ADDRESS [ESMTP-ARG...]
 *   data
 *   header NAME:TEXT          TEXT raw after the colon, so "header
 *                             Subject: hi" sends " hi" minus one space
 *   mtaheader NAME:TEXT       a header the MTA added and does not show to
 *                             the filter (Postfix's own Received:); only
 *                             in the -H list
 *   eoh
 *   body [TEXT]               append TEXT and CRLF to the body
 *   bodyraw TEXT              append TEXT alone
 *   bodyrepeat N TEXT         append TEXT and CRLF N times
 *   bodyflush                 send what the body buffer holds as a chunk
 *   eom
 *   abort
 *   unknown TEXT              an unrecognised SMTP command
 *   quit
 *   quitnc                    SMFIC_QUIT_NC; a new connect may follow
 * Body text is sent in chunks of up to 65535 bytes as the buffer fills,
 * at bodyflush and at eom. Like an MTA, mcdrive sends data before the
 * first header, eoh or body of a message and eoh before its body or eom
 * when the script does not; those steps print as if written out.
 *
 * Output, one line each:
 *   negotiate: version N
 *   negotiate: actions NAME,NAME... | none
 *   negotiate: protocol NAME,NAME... | none
 *   symlist: STAGE LIST
 *   CMD: VERDICT              CMD: connect helo mail rcpt data header eoh
 *                             body eom unknown abort quit quitnc
 *                             VERDICT: continue accept reject discard
 *                             tempfail skip shutdown connfail noreply
 *                             notsent, or "reject TEXT" / "tempfail TEXT"
 *                             for an SMFIR_REPLYCODE (by its first digit)
 *   addheader: NAME: VALUE
 *   insheader: INDEX NAME: VALUE
 *   chgheader: NAME INDEX 'VALUE'          ('' deletes)
 *   quarantine: REASON
 *   addrcpt: RCPT | addrcpt_par: RCPT 'ARGS' | delrcpt: RCPT
 *   chgfrom: SENDER 'ARGS' | replbody: DATA
 *   progress: N               SMFIR_PROGRESS count, if any
 * Modifications print in wire order before their "eom:" line; with -H
 * the message's header list follows as "hdr: NAME:VALUE" lines after the
 * modifications were applied. Values show newline, CR and tab as \n \r
 * \t, a backslash as \\, other control bytes as \xHH, and in quotes a
 * quote as \'.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milterclient.h"

#define LINE_MAX_LEN	(MC_CMD_DATA_MAX + 4096)	/* script line */
#define ARGS_MAX	64
#define REPEAT_MAX	100000000ul

#define EXIT_PROTO	1
#define EXIT_USAGE	2

struct pmacro {
	char *name;
	char *value;
};

struct drv {
	struct mc_conn *c;
	const char *script;
	unsigned long line;
	bool show_headers;
	bool quit;		/* quit sent */
	bool in_msg;		/* mail sent, no eom or abort yet */
	bool data_done;
	bool eoh_done;
	struct pmacro pend[MC_MACROS_MAX];
	size_t npend;
	struct mc_headers hdrs;
	unsigned char body[MC_CHUNK_MAX];
	size_t blen;
};

struct flagname {
	uint32_t bit;
	const char *name;
};

static const struct flagname action_names[] = {
	{ MC_SMFIF_ADDHDRS, "ADDHDRS" },
	{ MC_SMFIF_CHGBODY, "CHGBODY" },
	{ MC_SMFIF_ADDRCPT, "ADDRCPT" },
	{ MC_SMFIF_DELRCPT, "DELRCPT" },
	{ MC_SMFIF_CHGHDRS, "CHGHDRS" },
	{ MC_SMFIF_QUARANTINE, "QUARANTINE" },
	{ MC_SMFIF_CHGFROM, "CHGFROM" },
	{ MC_SMFIF_ADDRCPT_PAR, "ADDRCPT_PAR" },
	{ MC_SMFIF_SETSYMLIST, "SETSYMLIST" },
};

static const struct flagname protocol_names[] = {
	{ MC_SMFIP_NOCONNECT, "NOCONNECT" },
	{ MC_SMFIP_NOHELO, "NOHELO" },
	{ MC_SMFIP_NOMAIL, "NOMAIL" },
	{ MC_SMFIP_NORCPT, "NORCPT" },
	{ MC_SMFIP_NOBODY, "NOBODY" },
	{ MC_SMFIP_NOHDRS, "NOHDRS" },
	{ MC_SMFIP_NOEOH, "NOEOH" },
	{ MC_SMFIP_NR_HDR, "NR_HDR" },
	{ MC_SMFIP_NOUNKNOWN, "NOUNKNOWN" },
	{ MC_SMFIP_NODATA, "NODATA" },
	{ MC_SMFIP_SKIP, "SKIP" },
	{ MC_SMFIP_RCPT_REJ, "RCPT_REJ" },
	{ MC_SMFIP_NR_CONN, "NR_CONN" },
	{ MC_SMFIP_NR_HELO, "NR_HELO" },
	{ MC_SMFIP_NR_MAIL, "NR_MAIL" },
	{ MC_SMFIP_NR_RCPT, "NR_RCPT" },
	{ MC_SMFIP_NR_DATA, "NR_DATA" },
	{ MC_SMFIP_NR_UNKN, "NR_UNKN" },
	{ MC_SMFIP_NR_EOH, "NR_EOH" },
	{ MC_SMFIP_NR_BODY, "NR_BODY" },
	{ MC_SMFIP_HDR_LEADSPC, "HDR_LEADSPC" },
};

static int script_error(struct drv *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
usage(void)
{
	fprintf(stderr, "usage: mcdrive -s SOCKETSPEC [-t timeout_ms] [-H] "
	    "[-A actions] [-P protocol] [SCRIPT]\n");
}

static int
script_error(struct drv *d, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "mcdrive: %s:%lu: ", d->script, d->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Report a library error; a caller mistake is a script error. */
static int
lib_error(struct drv *d, const char *cmd, int err)
{
	fflush(stdout);
	fprintf(stderr, "mcdrive: %s:%lu: %s: %s: %s\n", d->script, d->line,
	    cmd, mc_strerror(err), mc_why(d->c));
	return err == MC_E_ARG || err == MC_E_STATE ? EXIT_USAGE : EXIT_PROTO;
}

/* ---- Output ---- */

static void
put_esc(const char *s, size_t n, bool quoted)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		switch (ch) {
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\'':
			fputs(quoted ? "\\'" : "'", stdout);
			break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				printf("\\x%02x", ch);
			else
				putchar(ch);
			break;
		}
	}
}

static void
put_str(const char *s, bool quoted)
{
	put_esc(s, strlen(s), quoted);
}

static void
print_reply(const char *cmd, const struct mc_reply *r)
{
	printf("%s: ", cmd);
	if (r->verdict == MC_REPLYCODE) {
		fputs(r->text[0] == '5' ? "reject " : "tempfail ", stdout);
		put_str(r->text, false);
	} else {
		fputs(mc_verdict_name(r->verdict), stdout);
	}
	putchar('\n');
}

static void
print_flags(const char *what, uint32_t mask, const struct flagname *t,
    size_t n)
{
	bool first = true;

	printf("negotiate: %s ", what);
	for (size_t i = 0; i < n; i++) {
		if ((mask & t[i].bit) == 0)
			continue;
		printf("%s%s", first ? "" : ",", t[i].name);
		first = false;
		mask &= ~t[i].bit;
	}
	if (mask != 0)
		printf("%s0x%08lx", first ? "" : ",", (unsigned long)mask);
	else if (first)
		fputs("none", stdout);
	putchar('\n');
}

static void
print_negotiation(const struct mc_conn *c)
{
	printf("negotiate: version %lu\n", (unsigned long)mc_version(c));
	print_flags("actions", mc_actions(c), action_names,
	    sizeof(action_names) / sizeof(action_names[0]));
	print_flags("protocol", mc_protocol(c), protocol_names,
	    sizeof(protocol_names) / sizeof(protocol_names[0]));
	for (int s = 0; s < MC_STAGE_COUNT; s++) {
		const char *l = mc_symlist(c, (enum mc_stage)s);

		if (l != NULL) {
			printf("symlist: %s ", mc_stage_name(s));
			put_str(l, false);
			putchar('\n');
		}
	}
}

static const char *
mod_label(enum mc_mod_type t)
{
	switch (t) {
	case MC_MOD_ADDHEADER:		return "addheader";
	case MC_MOD_INSHEADER:		return "insheader";
	case MC_MOD_CHGHEADER:		return "chgheader";
	case MC_MOD_QUARANTINE:		return "quarantine";
	case MC_MOD_ADDRCPT:		return "addrcpt";
	case MC_MOD_ADDRCPT_PAR:	return "addrcpt_par";
	case MC_MOD_DELRCPT:		return "delrcpt";
	case MC_MOD_CHGFROM:		return "chgfrom";
	case MC_MOD_REPLBODY:		return "replbody";
	default:			return "unknown";
	}
}

static void
print_mod(const struct mc_mod *m)
{
	const char *v = m->value != NULL ? m->value : "";

	if (m->unnegotiated)
		fprintf(stderr, "mcdrive: warning: the filter sent %s without "
		    "negotiating it\n", mod_label(m->type));
	printf("%s: ", mod_label(m->type));
	switch (m->type) {
	case MC_MOD_ADDHEADER:
		put_str(m->name, false);
		fputs(": ", stdout);
		put_str(v, false);
		break;
	case MC_MOD_INSHEADER:
		printf("%lu ", (unsigned long)m->index);
		put_str(m->name, false);
		fputs(": ", stdout);
		put_str(v, false);
		break;
	case MC_MOD_CHGHEADER:
		put_str(m->name, false);
		printf(" %lu '", (unsigned long)m->index);
		put_str(v, true);
		putchar('\'');
		break;
	case MC_MOD_ADDRCPT_PAR:
	case MC_MOD_CHGFROM:
		put_str(m->name, false);
		fputs(" '", stdout);
		put_str(v, true);
		putchar('\'');
		break;
	case MC_MOD_REPLBODY:
		put_esc((const char *)m->data, m->len, false);
		break;
	default:
		put_str(m->name != NULL ? m->name : "", false);
		break;
	}
	putchar('\n');
}

static void
print_headers(const struct mc_headers *h)
{
	for (size_t i = 0; i < h->n; i++) {
		fputs("hdr: ", stdout);
		put_str(h->v[i].name, false);
		putchar(':');
		put_str(h->v[i].value, false);
		putchar('\n');
	}
}

/* ---- Script parsing ---- */

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Decode escapes from in into out (at least strlen(in) + 1 bytes).
 * false on a bad escape, or on \x00 unless allow_nul.
 */
static bool
unescape(const char *in, char *out, size_t *outlen, bool allow_nul)
{
	size_t o = 0;

	while (*in != '\0') {
		int hi, lo;

		if (*in != '\\') {
			out[o++] = *in++;
			continue;
		}
		switch (in[1]) {
		case '\\':
			out[o++] = '\\';
			in += 2;
			break;
		case 'n':
			out[o++] = '\n';
			in += 2;
			break;
		case 'r':
			out[o++] = '\r';
			in += 2;
			break;
		case 't':
			out[o++] = '\t';
			in += 2;
			break;
		case 'x':
			if ((hi = hexval((unsigned char)in[2])) < 0 ||
			    (lo = hexval((unsigned char)in[3])) < 0)
				return false;
			if (hi == 0 && lo == 0 && !allow_nul)
				return false;
			out[o++] = (char)(hi * 16 + lo);
			in += 4;
			break;
		default:
			return false;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return true;
}

/* Split s in place on blanks; returns the count, or max + 1 if too many. */
static size_t
split(char *s, char **argv, size_t max)
{
	size_t n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		if (n == max)
			return max + 1;
		argv[n++] = s;
		s += strcspn(s, " \t");
		if (*s != '\0')
			*s++ = '\0';
	}
	argv[n] = NULL;
	return n;
}

static bool
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* ---- Macros ---- */

static void
pending_clear(struct drv *d)
{
	for (size_t i = 0; i < d->npend; i++) {
		free(d->pend[i].name);
		free(d->pend[i].value);
	}
	d->npend = 0;
}

static int
cmd_macro(struct drv *d, char *rest)
{
	char name[256];
	size_t nl, vl;
	const char *value;
	char *nv;
	int n;

	rest += strspn(rest, " \t");
	nl = strcspn(rest, " \t");
	if (nl == 0)
		return script_error(d, "macro: missing name");
	value = rest + nl;
	if (*value != '\0')
		value++;
	/* Multi-character names travel in braces: {daemon_name}. */
	if (nl > 1 && rest[0] != '{')
		n = snprintf(name, sizeof(name), "{%.*s}", (int)nl, rest);
	else
		n = snprintf(name, sizeof(name), "%.*s", (int)nl, rest);
	if (n < 0 || (size_t)n >= sizeof(name))
		return script_error(d, "macro: name too long");
	vl = strlen(value);
	if ((nv = malloc(vl + 1)) == NULL)
		return script_error(d, "out of memory");
	memcpy(nv, value, vl + 1);
	for (size_t i = 0; i < d->npend; i++) {
		if (strcmp(d->pend[i].name, name) == 0) {
			free(d->pend[i].value);
			d->pend[i].value = nv;
			return 0;
		}
	}
	if (d->npend >= MC_MACROS_MAX) {
		free(nv);
		return script_error(d, "macro: more than %d pending",
		    MC_MACROS_MAX);
	}
	if ((d->pend[d->npend].name = malloc((size_t)n + 1)) == NULL) {
		free(nv);
		return script_error(d, "out of memory");
	}
	memcpy(d->pend[d->npend].name, name, (size_t)n + 1);
	d->pend[d->npend].value = nv;
	d->npend++;
	return 0;
}

/* Pending macros become exactly the stage's macros for this command. */
static int
use_macros(struct drv *d, enum mc_stage stage, const char *cmd)
{
	int err;

	mc_macro_clear(d->c, stage);
	for (size_t i = 0; i < d->npend; i++) {
		err = mc_macro_set(d->c, stage, d->pend[i].name,
		    d->pend[i].value);
		if (err != 0)
			return lib_error(d, cmd, err);
	}
	pending_clear(d);
	return 0;
}

/* ---- Message steps ---- */

static void
msg_reset(struct drv *d)
{
	d->in_msg = false;
	d->data_done = false;
	d->eoh_done = false;
	d->blen = 0;
	mc_headers_free(&d->hdrs);
}

static int
do_data(struct drv *d)
{
	struct mc_reply r;
	int err;

	if ((err = use_macros(d, MC_STAGE_DATA, "data")) != 0)
		return err;
	if ((err = mc_data(d->c, &r)) != 0)
		return lib_error(d, "data", err);
	d->data_done = true;
	print_reply("data", &r);
	return 0;
}

static int
do_eoh(struct drv *d)
{
	struct mc_reply r;
	int err;

	if ((err = use_macros(d, MC_STAGE_EOH, "eoh")) != 0)
		return err;
	if ((err = mc_eoh(d->c, &r)) != 0)
		return lib_error(d, "eoh", err);
	d->eoh_done = true;
	print_reply("eoh", &r);
	return 0;
}

/* The steps an MTA never leaves out, when the script did. */
static int
ensure_data(struct drv *d)
{
	if (d->in_msg && !d->data_done)
		return do_data(d);
	return 0;
}

static int
ensure_eoh(struct drv *d)
{
	int err;

	if ((err = ensure_data(d)) != 0)
		return err;
	if (d->in_msg && !d->eoh_done)
		return do_eoh(d);
	return 0;
}

static int
body_flush(struct drv *d)
{
	struct mc_reply r;
	int err;

	if (d->blen == 0)
		return 0;
	if ((err = mc_body(d->c, d->body, d->blen, &r)) != 0)
		return lib_error(d, "body", err);
	d->blen = 0;
	print_reply("body", &r);
	return 0;
}

static int
body_append(struct drv *d, const char *p, size_t n)
{
	int err;

	while (n > 0) {
		size_t k = sizeof(d->body) - d->blen;

		if (k > n)
			k = n;
		memcpy(d->body + d->blen, p, k);
		d->blen += k;
		p += k;
		n -= k;
		if (d->blen == sizeof(d->body) &&
		    (err = body_flush(d)) != 0)
			return err;
	}
	return 0;
}

/* "Name:value" into name and the unescaped raw value (heap). */
static int
parse_header(struct drv *d, const char *rest, char **name, char **value)
{
	const char *colon = strchr(rest, ':');
	const char *why = "out of memory";
	size_t nl, vl;

	*name = *value = NULL;
	if (colon == NULL || colon == rest)
		return script_error(d, "header: expected NAME:VALUE");
	nl = (size_t)(colon - rest);
	if (strcspn(rest, " \t") < nl)
		return script_error(d, "header: blank in header name");
	*name = malloc(nl + 1);
	*value = malloc(strlen(colon + 1) + 1);
	if (*name == NULL || *value == NULL)
		goto fail;
	memcpy(*name, rest, nl);
	(*name)[nl] = '\0';
	if (!unescape(colon + 1, *value, &vl, false)) {
		why = "header: bad escape in value";
		goto fail;
	}
	return 0;
fail:
	free(*name);
	free(*value);
	*name = *value = NULL;
	return script_error(d, "%s", why);
}

static int
cmd_header(struct drv *d, char *rest, bool mta_own)
{
	struct mc_reply r;
	char *name, *value;
	int err;

	if ((err = parse_header(d, rest, &name, &value)) != 0)
		return err;
	if (!mta_own) {
		if ((err = ensure_data(d)) != 0)
			goto fail;
		if ((err = mc_header(d->c, name, value, &r)) != 0) {
			err = lib_error(d, "header", err);
			goto fail;
		}
		print_reply("header", &r);
	}
	if ((err = mc_headers_add(&d->hdrs, name, value, mta_own)) != 0)
		err = lib_error(d, mta_own ? "mtaheader" : "header", err);
fail:
	free(name);
	free(value);
	return err;
}

static int
cmd_body(struct drv *d, const char *text, unsigned long repeat, bool crlf)
{
	size_t n;
	char *buf;
	int err;

	if ((err = ensure_eoh(d)) != 0)
		return err;
	if ((buf = malloc(strlen(text) + 3)) == NULL)
		return script_error(d, "out of memory");
	if (!unescape(text, buf, &n, true)) {
		free(buf);
		return script_error(d, "body: bad escape");
	}
	if (crlf) {
		buf[n++] = '\r';
		buf[n++] = '\n';
	}
	for (unsigned long i = 0; i < repeat && err == 0; i++)
		err = body_append(d, buf, n);
	free(buf);
	return err;
}

static int
cmd_eom(struct drv *d)
{
	struct mc_eom *e = NULL;
	struct mc_reply r;
	int err;

	if ((err = ensure_eoh(d)) != 0)
		return err;
	if ((err = body_flush(d)) != 0)
		return err;
	if ((err = use_macros(d, MC_STAGE_EOM, "eom")) != 0)
		return err;
	if ((err = mc_eom(d->c, &r, &e)) != 0)
		return lib_error(d, "eom", err);
	for (size_t i = 0; i < e->nmods; i++)
		print_mod(&e->mods[i]);
	if (e->nprogress > 0)
		printf("progress: %zu\n", e->nprogress);
	print_reply("eom", &r);
	if (d->show_headers) {
		if ((err = mc_headers_apply(&d->hdrs, e)) != 0) {
			mc_eom_free(e);
			return lib_error(d, "eom", err);
		}
		print_headers(&d->hdrs);
	}
	mc_eom_free(e);
	msg_reset(d);
	return 0;
}

/* ---- Session steps ---- */

static int
cmd_connect(struct drv *d, char **argv, size_t argc)
{
	struct mc_reply r;
	unsigned long port = 0;
	enum mc_family fam;
	int err;

	if (argc < 2 || argc > 4 || argv[1][1] != '\0')
		return script_error(d, "connect: HOST FAMILY [ADDRESS [PORT]]");
	switch (argv[1][0]) {
	case '4':
		fam = MC_FAMILY_INET;
		break;
	case '6':
		fam = MC_FAMILY_INET6;
		break;
	case 'U':
		fam = MC_FAMILY_UNKNOWN;
		break;
	case 'L':
		fam = MC_FAMILY_UNIX;
		break;
	default:
		return script_error(d, "connect: FAMILY is 4, 6, U or L");
	}
	if (fam != MC_FAMILY_UNKNOWN && argc < 3)
		return script_error(d, "connect: ADDRESS missing");
	if (argc == 4 && !parse_ulong(argv[3], 65535, &port))
		return script_error(d, "connect: bad PORT");
	if ((err = use_macros(d, MC_STAGE_CONNECT, "connect")) != 0)
		return err;
	err = mc_conninfo(d->c, argv[0], fam, (uint16_t)port,
	    argc >= 3 ? argv[2] : NULL, &r);
	if (err != 0)
		return lib_error(d, "connect", err);
	print_reply("connect", &r);
	return 0;
}

static int
cmd_envelope(struct drv *d, const char *cmd, char **argv, size_t argc)
{
	struct mc_reply r;
	bool mail = strcmp(cmd, "mail") == 0;
	int err;

	if (argc < 1)
		return script_error(d, "%s: ADDRESS missing", cmd);
	if ((err = use_macros(d, mail ? MC_STAGE_MAIL : MC_STAGE_RCPT,
	    cmd)) != 0)
		return err;
	if (mail) {
		msg_reset(d);
		err = mc_mail(d->c, (const char *const *)argv, &r);
		d->in_msg = true;
	} else {
		err = mc_rcpt(d->c, (const char *const *)argv, &r);
	}
	if (err != 0)
		return lib_error(d, cmd, err);
	print_reply(cmd, &r);
	return 0;
}

static int
cmd_simple(struct drv *d, const char *cmd, const char *rest)
{
	struct mc_reply r = { .verdict = MC_NOREPLY };
	int err;

	if (strcmp(cmd, "helo") == 0) {
		if ((err = use_macros(d, MC_STAGE_HELO, cmd)) != 0)
			return err;
		err = mc_helo(d->c, rest, &r);
	} else if (strcmp(cmd, "unknown") == 0) {
		err = mc_unknown(d->c, rest, &r);
	} else if (strcmp(cmd, "abort") == 0) {
		err = mc_abort(d->c, &r);
		if (err == 0)
			msg_reset(d);
	} else if (strcmp(cmd, "quit") == 0) {
		err = mc_quit(d->c);
		d->quit = true;
	} else {
		err = mc_quit_nc(d->c);
		msg_reset(d);
	}
	if (err != 0)
		return lib_error(d, cmd, err);
	print_reply(cmd, &r);
	return 0;
}

/* ---- The script ---- */

static int
run_line(struct drv *d, char *line)
{
	char *argv[ARGS_MAX + 1];
	char *cmd, *rest;
	size_t argc, cl;
	unsigned long n;

	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 0;
	cmd = line;
	cl = strcspn(line, " \t");
	rest = line + cl;
	if (*rest != '\0')
		*rest++ = '\0';		/* one blank separates TEXT */
	if (d->quit)
		return script_error(d, "%s after quit", cmd);

	if (strcmp(cmd, "macro") == 0)
		return cmd_macro(d, rest);
	if (strcmp(cmd, "header") == 0)
		return cmd_header(d, rest, false);
	if (strcmp(cmd, "mtaheader") == 0)
		return cmd_header(d, rest, true);
	if (strcmp(cmd, "body") == 0)
		return cmd_body(d, rest, 1, true);
	if (strcmp(cmd, "bodyraw") == 0)
		return cmd_body(d, rest, 1, false);
	if (strcmp(cmd, "unknown") == 0)
		return cmd_simple(d, cmd, rest);
	if (strcmp(cmd, "bodyrepeat") == 0) {
		char *text = rest + strcspn(rest, " \t");

		if (*text != '\0')
			*text++ = '\0';
		if (!parse_ulong(rest, REPEAT_MAX, &n))
			return script_error(d, "bodyrepeat: bad count");
		return cmd_body(d, text, n, true);
	}

	if ((argc = split(rest, argv, ARGS_MAX)) > ARGS_MAX)
		return script_error(d, "%s: more than %d arguments", cmd,
		    ARGS_MAX);
	if (strcmp(cmd, "connect") == 0)
		return cmd_connect(d, argv, argc);
	if (strcmp(cmd, "mail") == 0 || strcmp(cmd, "rcpt") == 0)
		return cmd_envelope(d, cmd, argv, argc);
	if (strcmp(cmd, "helo") == 0) {
		if (argc != 1)
			return script_error(d, "helo: NAME");
		return cmd_simple(d, cmd, argv[0]);
	}
	if (argc != 0)
		return script_error(d, "%s: unexpected argument", cmd);
	if (strcmp(cmd, "data") == 0)
		return do_data(d);
	if (strcmp(cmd, "eoh") == 0) {
		int err = ensure_data(d);

		return err != 0 ? err : do_eoh(d);
	}
	if (strcmp(cmd, "bodyflush") == 0)
		return body_flush(d);
	if (strcmp(cmd, "eom") == 0)
		return cmd_eom(d);
	if (strcmp(cmd, "abort") == 0 || strcmp(cmd, "quit") == 0)
		return cmd_simple(d, cmd, "");
	if (strcmp(cmd, "quitnc") == 0)
		return cmd_simple(d, cmd, "");
	return script_error(d, "unknown command \"%s\"", cmd);
}

static int
run_script(struct drv *d, FILE *fp)
{
	char *buf;
	int ret = 0;

	if ((buf = malloc(LINE_MAX_LEN)) == NULL)
		return script_error(d, "out of memory");
	while (ret == 0 && fgets(buf, LINE_MAX_LEN, fp) != NULL) {
		size_t n = strlen(buf);

		d->line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		else if (!feof(fp)) {
			ret = script_error(d, "line longer than %d bytes",
			    LINE_MAX_LEN - 2);
			break;
		}
		if (n > 0 && buf[n - 1] == '\r')
			buf[--n] = '\0';
		ret = run_line(d, buf);
	}
	if (ret == 0 && ferror(fp))
		ret = script_error(d, "read error: %s", strerror(errno));
	free(buf);
	return ret;
}

int
main(int argc, char **argv)
{
	const char *spec = NULL;
	unsigned long timeout = 10000, actions = MC_OFFER_ACTIONS;
	unsigned long protocol = MC_OFFER_PROTOCOL;
	struct drv *d = NULL;
	FILE *fp = stdin;
	bool show_headers = false;
	int opt, err, ret = EXIT_USAGE;

	while ((opt = getopt(argc, argv, "s:t:HA:P:")) != -1) {
		switch (opt) {
		case 's':
			spec = optarg;
			break;
		case 't':
			if (!parse_ulong(optarg, INT_MAX, &timeout) ||
			    timeout == 0) {
				fprintf(stderr, "mcdrive: bad timeout\n");
				return EXIT_USAGE;
			}
			break;
		case 'A':
			if (!parse_ulong(optarg, 0xffffffffu, &actions)) {
				fprintf(stderr, "mcdrive: bad actions mask\n");
				return EXIT_USAGE;
			}
			break;
		case 'P':
			if (!parse_ulong(optarg, 0xffffffffu, &protocol)) {
				fprintf(stderr, "mcdrive: bad protocol mask\n");
				return EXIT_USAGE;
			}
			break;
		case 'H':
			show_headers = true;
			break;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (spec == NULL || argc - optind > 1) {
		usage();
		return EXIT_USAGE;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		fprintf(stderr, "mcdrive: out of memory\n");
		return EXIT_PROTO;
	}
	mc_headers_init(&d->hdrs);
	d->show_headers = show_headers;
	d->script = "stdin";
	if (argc - optind == 1 && strcmp(argv[optind], "-") != 0) {
		d->script = argv[optind];
		if ((fp = fopen(d->script, "r")) == NULL) {
			fprintf(stderr, "mcdrive: %s: %s\n", d->script,
			    strerror(errno));
			goto fail;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if ((err = mc_connect(&d->c, spec, (int)timeout)) != 0) {
		fprintf(stderr, "mcdrive: %s: %s: %s\n", spec,
		    mc_strerror(err), mc_why(d->c));
		ret = EXIT_PROTO;
		goto fail;
	}
	if ((err = mc_negotiate(d->c, MC_OFFER_VERSION, (uint32_t)actions,
	    (uint32_t)protocol)) != 0) {
		ret = lib_error(d, "negotiate", err);
		goto fail;
	}
	print_negotiation(d->c);
	if ((ret = run_script(d, fp)) != 0)
		goto fail;
	/* The script may end without quit, like a dropped SMTP session. */
	if (!d->quit)
		(void)mc_quit(d->c);
	ret = 0;
fail:
	if (fp != stdin && fp != NULL)
		(void)fclose(fp);
	if (d != NULL) {
		pending_clear(d);
		mc_headers_free(&d->hdrs);
		mc_free(d->c);
		free(d);
	}
	if (fflush(stdout) != 0 && ret == 0)
		ret = EXIT_PROTO;
	return ret;
}
