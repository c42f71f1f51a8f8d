/*
 * milterclient.c: the MTA side of the milter protocol (see milterclient.h).
 *
 * Wire format, as Sendmail's libmilter (mfdef.h, engine.c) and Postfix
 * (src/milter/milter8.c) speak it: every packet is a 32-bit network-order
 * length, one command or reply byte, and length - 1 bytes of data.
 * Strings are NUL-terminated; numbers are network order.
 *
 * Things that matter for talking to a real libmilter:
 *  - libmilter drops the connection on a command payload over 65535
 *    bytes, and silently ignores a command that is not a valid next
 *    state (engine.c trans_ok()); it then sends no reply and a naive
 *    client waits forever. Hence the order checks in run().
 *  - A callback's reply is suppressed by libmilter when its SMFIP_NR_*
 *    bit is negotiated, even a reject: the client must not wait for it.
 *  - Macros go in a separate SMFIC_MACRO packet whose first data byte is
 *    the command they belong to; libmilter only keeps them for C, H, M,
 *    R, T, N and E, so none are sent with headers or body chunks.
 *
 * Header modifications are applied as Postfix's cleanup_milter.c does.
 * Sendmail (milter.c) differs in two corners: a deleted header still
 * counts for a later change index of the same filter, and an added header
 * whose name matches an MTA default header replaces that default.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "milterclient.h"

/* Commands, MTA to filter (SMFIC_*). */
#define C_ABORT		'A'
#define C_BODY		'B'
#define C_CONNECT	'C'
#define C_MACRO		'D'
#define C_BODYEOB	'E'
#define C_HELO		'H'
#define C_QUIT_NC	'K'
#define C_HEADER	'L'
#define C_MAIL		'M'
#define C_EOH		'N'
#define C_OPTNEG	'O'
#define C_QUIT		'Q'
#define C_RCPT		'R'
#define C_DATA		'T'
#define C_UNKNOWN	'U'

/* Replies, filter to MTA (SMFIR_*). */
#define R_ADDRCPT	'+'
#define R_DELRCPT	'-'
#define R_ADDRCPT_PAR	'2'
#define R_SHUTDOWN	'4'
#define R_ACCEPT	'a'
#define R_REPLBODY	'b'
#define R_CONTINUE	'c'
#define R_DISCARD	'd'
#define R_CHGFROM	'e'
#define R_CONN_FAIL	'f'
#define R_ADDHEADER	'h'
#define R_INSHEADER	'i'
#define R_CHGHEADER	'm'
#define R_PROGRESS	'p'
#define R_QUARANTINE	'q'
#define R_REJECT	'r'
#define R_SKIP		's'
#define R_TEMPFAIL	't'
#define R_REPLYCODE	'y'

#define HDR_LEN		5	/* length word and command byte */
#define RBUF_MIN	256

/* Connection states. */
enum cstate {
	CS_OPEN,	/* socket connected, options not negotiated */
	CS_READY,	/* negotiated, waiting for connect info */
	CS_SESSION,	/* connect info sent: an SMTP session */
	CS_CLOSED,	/* quit sent */
	CS_FAILED,	/* connect, I/O or protocol error */
};

/* Where the current message stands, in MTA order. */
enum phase {
	PH_NONE, PH_MAIL, PH_RCPT, PH_DATA, PH_HDRS, PH_EOH, PH_BODY,
};

enum step_id {
	S_CONNECT, S_HELO, S_MAIL, S_RCPT, S_DATA, S_HEADER, S_EOH, S_BODY,
	S_EOM, S_UNKNOWN, S_ABORT,
};

struct step {
	const char *name;	/* for mc_why() */
	unsigned char cmd;
	int stage;		/* macro stage, or -1 */
	uint32_t no;		/* SMFIP_NO* bit; 0: always sent */
	uint32_t nr;		/* SMFIP_NR_* bit; 0: reply expected */
	bool reply;		/* the protocol has a reply at all */
};

static const struct step steps[] = {
	[S_CONNECT] = { "SMFIC_CONNECT", C_CONNECT, MC_STAGE_CONNECT,
	    MC_SMFIP_NOCONNECT, MC_SMFIP_NR_CONN, true },
	[S_HELO] = { "SMFIC_HELO", C_HELO, MC_STAGE_HELO,
	    MC_SMFIP_NOHELO, MC_SMFIP_NR_HELO, true },
	[S_MAIL] = { "SMFIC_MAIL", C_MAIL, MC_STAGE_MAIL,
	    MC_SMFIP_NOMAIL, MC_SMFIP_NR_MAIL, true },
	[S_RCPT] = { "SMFIC_RCPT", C_RCPT, MC_STAGE_RCPT,
	    MC_SMFIP_NORCPT, MC_SMFIP_NR_RCPT, true },
	[S_DATA] = { "SMFIC_DATA", C_DATA, MC_STAGE_DATA,
	    MC_SMFIP_NODATA, MC_SMFIP_NR_DATA, true },
	[S_HEADER] = { "SMFIC_HEADER", C_HEADER, -1,
	    MC_SMFIP_NOHDRS, MC_SMFIP_NR_HDR, true },
	[S_EOH] = { "SMFIC_EOH", C_EOH, MC_STAGE_EOH,
	    MC_SMFIP_NOEOH, MC_SMFIP_NR_EOH, true },
	[S_BODY] = { "SMFIC_BODY", C_BODY, -1,
	    MC_SMFIP_NOBODY, MC_SMFIP_NR_BODY, true },
	[S_EOM] = { "SMFIC_BODYEOB", C_BODYEOB, MC_STAGE_EOM, 0, 0, true },
	[S_UNKNOWN] = { "SMFIC_UNKNOWN", C_UNKNOWN, -1,
	    MC_SMFIP_NOUNKNOWN, MC_SMFIP_NR_UNKN, true },
	[S_ABORT] = { "SMFIC_ABORT", C_ABORT, -1, 0, 0, false },
};

/* A packet under construction, with room for the 5-byte header. */
struct obuf {
	unsigned char *p;	/* HDR_LEN + MC_CMD_DATA_MAX bytes */
	size_t len;		/* data bytes after the header */
	bool over;		/* sticky: data would exceed MC_CMD_DATA_MAX */
};

/* A bounded reader over a received packet's data. */
struct rd {
	const unsigned char *p;
	size_t len;
	size_t pos;
	bool err;
};

struct mc_macro {
	char *name;
	char *value;
};

struct mc_conn {
	int fd;
	int timeout_ms;
	enum cstate state;
	enum phase phase;
	bool conn_done;		/* a connection-level verdict: send nothing */
	bool msg_done;		/* a message-level verdict: skip to the end */
	bool body_skip;		/* SMFIR_SKIP: no more body chunks */
	bool qnc_ok;		/* libmilter would take SMFIC_QUIT_NC now */
	uint32_t off_version;	/* what we offered */
	uint32_t off_actions;
	uint32_t off_protocol;
	uint32_t version;	/* what the filter answered */
	uint32_t actions;
	uint32_t protocol;
	uint32_t np;		/* SMFIP_NO* bits implied by the version */
	char *symlist[MC_STAGE_COUNT];
	struct mc_macro macros[MC_STAGE_COUNT][MC_MACROS_MAX];
	size_t nmacros[MC_STAGE_COUNT];
	struct obuf cmd;	/* command being built */
	struct obuf mac;	/* macro packet being built */
	unsigned char *rbuf;	/* last packet received */
	size_t rcap;
	char why[MC_WHY_MAX];
};

static int fail(struct mc_conn *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Error texts and names ---- */

const char *
mc_strerror(int err)
{
	switch (err) {
	case MC_OK:		return "success";
	case MC_E_ARG:		return "invalid argument";
	case MC_E_SPEC:		return "bad socket specification";
	case MC_E_CONNECT:	return "cannot connect to the filter";
	case MC_E_IO:		return "I/O error";
	case MC_E_EOF:		return "the filter closed the connection";
	case MC_E_TIMEOUT:	return "timed out waiting for the filter";
	case MC_E_PROTO:	return "protocol error";
	case MC_E_TOOBIG:	return "size limit exceeded";
	case MC_E_NOMEM:	return "out of memory";
	case MC_E_STATE:	return "command not valid in this protocol state";
	case MC_E_NEGOTIATE:	return "option negotiation failed";
	case MC_E_CLOSED:	return "connection closed";
	default:		return "unknown error";
	}
}

const char *
mc_verdict_name(enum mc_verdict v)
{
	switch (v) {
	case MC_CONTINUE:	return "continue";
	case MC_ACCEPT:		return "accept";
	case MC_REJECT:		return "reject";
	case MC_DISCARD:	return "discard";
	case MC_TEMPFAIL:	return "tempfail";
	case MC_REPLYCODE:	return "replycode";
	case MC_SKIP:		return "skip";
	case MC_SHUTDOWN:	return "shutdown";
	case MC_CONNFAIL:	return "connfail";
	case MC_NOREPLY:	return "noreply";
	case MC_NOTSENT:	return "notsent";
	default:		return "unknown";
	}
}

const char *
mc_stage_name(int stage)
{
	static const char *const names[MC_STAGE_COUNT] = {
		"connect", "helo", "mail", "rcpt", "data", "eom", "eoh",
	};

	if (stage < 0 || stage >= MC_STAGE_COUNT)
		return NULL;
	return names[stage];
}

/* ---- Failure bookkeeping ---- */

static bool
fatal_err(int err)
{
	return err != MC_E_ARG && err != MC_E_STATE && err != MC_E_CLOSED;
}

static void
close_fd(struct mc_conn *c)
{
	if (c->fd >= 0) {
		(void)close(c->fd);
		c->fd = -1;
	}
}

/*
 * Record why, and after an error that leaves the byte stream in an
 * unknown position, close it: no later command may be misread as a reply.
 */
static int
fail(struct mc_conn *c, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	if (n < 0)
		(void)snprintf(c->why, sizeof(c->why), "%s", mc_strerror(err));
	if (fatal_err(err)) {
		close_fd(c);
		c->state = CS_FAILED;
	}
	return err;
}

/* A printable form of a reply or command byte, for messages. */
static void
code_text(unsigned char code, char *buf, size_t size)
{
	int n;

	if (code > 0x20 && code < 0x7f)
		n = snprintf(buf, size, "'%c'", code);
	else
		n = snprintf(buf, size, "0x%02x", code);
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
}

/* ---- Time ---- */

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
left_ms(long long deadline)
{
	long long d = deadline - now_ms();

	if (d <= 0)
		return 0;
	return d > 1000000000 ? 1000000000 : (int)d;
}

/* ---- Socket I/O ---- */

/* Wait for events on fd until deadline: 1 ready, 0 timeout, -1 error. */
static int
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int ms = left_ms(deadline);
		int n = poll(&pfd, 1, ms);

		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int
write_all(struct mc_conn *c, const unsigned char *p, size_t len,
    const char *what)
{
	long long deadline = now_ms() + c->timeout_ms;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int w = wait_fd(c->fd, POLLOUT, deadline);

			if (w == 0)
				return fail(c, MC_E_TIMEOUT,
				    "timeout after %d ms writing %s",
				    c->timeout_ms, what);
			if (w < 0)
				return fail(c, MC_E_IO, "poll: %s",
				    strerror(errno));
			continue;
		}
		return fail(c, MC_E_IO, "writing %s: %s", what,
		    n < 0 ? strerror(errno) : "short write");
	}
	return 0;
}

static int
read_all(struct mc_conn *c, unsigned char *p, size_t len, long long deadline,
    const char *what)
{
	while (len > 0) {
		ssize_t n = read(c->fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return fail(c, MC_E_EOF,
			    "the filter closed the connection while we "
			    "waited for the reply to %s", what);
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(c->fd, POLLIN, deadline);

			if (w == 0)
				return fail(c, MC_E_TIMEOUT,
				    "no reply to %s within %d ms", what,
				    c->timeout_ms);
			if (w < 0)
				return fail(c, MC_E_IO, "poll: %s",
				    strerror(errno));
			continue;
		}
		return fail(c, MC_E_IO, "reading the reply to %s: %s", what,
		    strerror(errno));
	}
	return 0;
}

/* Finish the header of ob and send the packet. */
static int
send_packet(struct mc_conn *c, struct obuf *ob, unsigned char cmd,
    const char *what)
{
	uint32_t n = htonl((uint32_t)(ob->len + 1));

	memcpy(ob->p, &n, 4);
	ob->p[4] = cmd;
	return write_all(c, ob->p, HDR_LEN + ob->len, what);
}

/*
 * Receive one packet. The whole packet must arrive within the timeout;
 * its length is checked before anything is allocated.
 */
static int
recv_packet(struct mc_conn *c, const char *what, unsigned char *code,
    const unsigned char **data, size_t *len)
{
	long long deadline = now_ms() + c->timeout_ms;
	unsigned char hdr[4];
	uint32_t n;
	int err;

	if ((err = read_all(c, hdr, sizeof(hdr), deadline, what)) != 0)
		return err;
	memcpy(&n, hdr, 4);
	n = ntohl(n);
	if (n < 1)
		return fail(c, MC_E_PROTO, "zero-length packet in reply to %s",
		    what);
	if (n > MC_PACKET_MAX)
		return fail(c, MC_E_TOOBIG,
		    "reply packet of %lu bytes to %s exceeds %u",
		    (unsigned long)n, what, MC_PACKET_MAX);
	if (n > c->rcap) {
		size_t cap = c->rcap < RBUF_MIN ? RBUF_MIN : c->rcap;
		unsigned char *p;

		while (cap < n)
			cap *= 2;
		if (cap > MC_PACKET_MAX)
			cap = MC_PACKET_MAX;
		if ((p = realloc(c->rbuf, cap)) == NULL)
			return fail(c, MC_E_NOMEM, "out of memory");
		c->rbuf = p;
		c->rcap = cap;
	}
	if ((err = read_all(c, c->rbuf, n, deadline, what)) != 0)
		return err;
	*code = c->rbuf[0];
	*data = c->rbuf + 1;
	*len = n - 1;
	return 0;
}

/* ---- Packet building and parsing ---- */

static void
ob_reset(struct obuf *ob)
{
	ob->len = 0;
	ob->over = false;
}

static void
ob_put(struct obuf *ob, const void *p, size_t n)
{
	if (ob->over || n > MC_CMD_DATA_MAX - ob->len) {
		ob->over = true;
		return;
	}
	if (n > 0)
		memcpy(ob->p + HDR_LEN + ob->len, p, n);
	ob->len += n;
}

static void
ob_u8(struct obuf *ob, unsigned char v)
{
	ob_put(ob, &v, 1);
}

static void
ob_u16(struct obuf *ob, uint16_t v)
{
	uint16_t n = htons(v);

	ob_put(ob, &n, 2);
}

static void
ob_u32(struct obuf *ob, uint32_t v)
{
	uint32_t n = htonl(v);

	ob_put(ob, &n, 4);
}

/* A string and its NUL. */
static void
ob_str(struct obuf *ob, const char *s)
{
	ob_put(ob, s, strlen(s) + 1);
}

static void
rd_init(struct rd *r, const unsigned char *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->err = false;
}

static size_t
rd_left(const struct rd *r)
{
	return r->err ? 0 : r->len - r->pos;
}

static uint32_t
rd_u32(struct rd *r)
{
	uint32_t v;

	if (rd_left(r) < 4) {
		r->err = true;
		return 0;
	}
	memcpy(&v, r->p + r->pos, 4);
	r->pos += 4;
	return ntohl(v);
}

/* A NUL-terminated string inside the packet; *len excludes the NUL. */
static const char *
rd_str(struct rd *r, size_t *len)
{
	const unsigned char *s, *nul;

	*len = 0;
	if (rd_left(r) == 0) {
		r->err = true;
		return "";
	}
	s = r->p + r->pos;
	if ((nul = memchr(s, '\0', rd_left(r))) == NULL) {
		r->err = true;
		return "";
	}
	*len = (size_t)(nul - s);
	r->pos += *len + 1;
	return (const char *)s;
}

static bool
rd_done(const struct rd *r)
{
	return !r->err && r->pos == r->len;
}

/* ---- Connection setup ---- */

static void
conn_reset_session(struct mc_conn *c)
{
	c->phase = PH_NONE;
	c->conn_done = false;
	c->msg_done = false;
	c->body_skip = false;
	c->qnc_ok = false;
}

static struct mc_conn *
conn_new(int timeout_ms)
{
	struct mc_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = -1;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : MC_TIMEOUT_DEFAULT;
	c->state = CS_FAILED;
	c->cmd.p = malloc(HDR_LEN + MC_CMD_DATA_MAX);
	c->mac.p = malloc(HDR_LEN + MC_CMD_DATA_MAX);
	if (c->cmd.p == NULL || c->mac.p == NULL) {
		free(c->cmd.p);
		free(c->mac.p);
		free(c);
		return NULL;
	}
	conn_reset_session(c);
	return c;
}

/* Copy s[0..len) into buf; false if it does not fit. */
static bool
copy_part(char *buf, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

/*
 * Split an inet endpoint into host and port: "PORT@HOST" (Sendmail),
 * "HOST:PORT", "[ADDR]:PORT" (Postfix), or "PORT" (loopback).
 */
static bool
split_inet(const char *ep, char *host, size_t hsize, char *port, size_t psize)
{
	const char *at = strchr(ep, '@');
	const char *colon;

	if (at != NULL) {
		const char *h = at + 1;
		size_t hl = strlen(h);

		if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
			h++;
			hl -= 2;
		}
		return copy_part(port, psize, ep, (size_t)(at - ep)) &&
		    copy_part(host, hsize, h, hl) && port[0] != '\0' &&
		    host[0] != '\0';
	}
	if (ep[0] == '[') {
		const char *rb = strchr(ep, ']');

		if (rb == NULL || rb[1] != ':')
			return false;
		return copy_part(host, hsize, ep + 1, (size_t)(rb - ep - 1)) &&
		    copy_part(port, psize, rb + 2, strlen(rb + 2)) &&
		    port[0] != '\0' && host[0] != '\0';
	}
	if ((colon = strrchr(ep, ':')) != NULL)
		return copy_part(host, hsize, ep, (size_t)(colon - ep)) &&
		    copy_part(port, psize, colon + 1, strlen(colon + 1)) &&
		    port[0] != '\0' && host[0] != '\0';
	if (!copy_part(port, psize, ep, strlen(ep)) || port[0] == '\0')
		return false;
	return copy_part(host, hsize, "localhost", strlen("localhost"));
}

/* Connect fd to sa, waiting until deadline. 0 or errno. */
static int
connect_wait(int fd, const struct sockaddr *sa, socklen_t salen,
    long long deadline)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	for (;;) {
		if (connect(fd, sa, salen) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		/* A full AF_UNIX backlog: try again until the deadline. */
		if (errno == EAGAIN && sa->sa_family == AF_UNIX) {
			if (left_ms(deadline) == 0)
				return ETIMEDOUT;
			(void)poll(NULL, 0, 10);
			continue;
		}
		break;
	}
	if (errno != EINPROGRESS)
		return errno;
	switch (wait_fd(fd, POLLOUT, deadline)) {
	case 0:
		return ETIMEDOUT;
	case -1:
		return errno;
	default:
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		return errno;
	return soerr;
}

static int
open_unix(struct mc_conn *c, const char *path, long long deadline)
{
	struct sockaddr_un sa;
	int e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (path[0] == '\0' || !copy_part(sa.sun_path, sizeof(sa.sun_path),
	    path, strlen(path)))
		return fail(c, MC_E_SPEC, "bad unix socket path \"%s\"", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(c, MC_E_CONNECT, "socket: %s", strerror(errno));
	if ((e = connect_wait(c->fd, (struct sockaddr *)&sa, sizeof(sa),
	    deadline)) != 0)
		return fail(c, MC_E_CONNECT, "connect to unix:%s: %s", path,
		    strerror(e));
	return 0;
}

static int
open_inet(struct mc_conn *c, int family, const char *ep, long long deadline)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], port[32];
	int gai, e = 0, one = 1;

	if (!split_inet(ep, host, sizeof(host), port, sizeof(port)))
		return fail(c, MC_E_SPEC, "bad inet endpoint \"%s\"", ep);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0)
		return fail(c, MC_E_CONNECT, "%s port %s: %s", host, port,
		    gai_strerror(gai));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (c->fd < 0) {
			e = errno;
			continue;
		}
		if ((e = connect_wait(c->fd, ai->ai_addr, ai->ai_addrlen,
		    deadline)) == 0)
			break;
		close_fd(c);
	}
	freeaddrinfo(res);
	if (c->fd < 0)
		return fail(c, MC_E_CONNECT, "connect to %s port %s: %s", host,
		    port, strerror(e != 0 ? e : EHOSTUNREACH));
	/* Small request/reply packets: don't let Nagle hold them back. */
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) != 0)
		return fail(c, MC_E_CONNECT, "TCP_NODELAY: %s",
		    strerror(errno));
	return 0;
}

int
mc_connect(struct mc_conn **connp, const char *spec, int timeout_ms)
{
	struct mc_conn *c;
	long long deadline;
	int err;

	if (connp == NULL)
		return MC_E_ARG;
	if ((*connp = c = conn_new(timeout_ms)) == NULL)
		return MC_E_NOMEM;
	if (spec == NULL)
		return fail(c, MC_E_SPEC, "no socket specification");
	deadline = now_ms() + c->timeout_ms;
	if (strncmp(spec, "unix:", 5) == 0)
		err = open_unix(c, spec + 5, deadline);
	else if (strncmp(spec, "local:", 6) == 0)
		err = open_unix(c, spec + 6, deadline);
	else if (spec[0] == '/')
		err = open_unix(c, spec, deadline);
	else if (strncmp(spec, "inet:", 5) == 0)
		err = open_inet(c, AF_INET, spec + 5, deadline);
	else if (strncmp(spec, "inet6:", 6) == 0)
		err = open_inet(c, AF_INET6, spec + 6, deadline);
	else
		err = fail(c, MC_E_SPEC, "unknown socket type in \"%s\"", spec);
	if (err != 0)
		return err;
	c->state = CS_OPEN;
	return 0;
}

void
mc_free(struct mc_conn *c)
{
	if (c == NULL)
		return;
	close_fd(c);
	for (int s = 0; s < MC_STAGE_COUNT; s++) {
		mc_macro_clear(c, (enum mc_stage)s);
		free(c->symlist[s]);
	}
	free(c->cmd.p);
	free(c->mac.p);
	free(c->rbuf);
	free(c);
}

const char *
mc_why(const struct mc_conn *c)
{
	return c == NULL ? "out of memory" : c->why;
}

uint32_t
mc_version(const struct mc_conn *c)
{
	return c->version;
}

uint32_t
mc_actions(const struct mc_conn *c)
{
	return c->actions;
}

uint32_t
mc_protocol(const struct mc_conn *c)
{
	return c->protocol;
}

const char *
mc_symlist(const struct mc_conn *c, enum mc_stage stage)
{
	if ((int)stage < 0 || stage >= MC_STAGE_COUNT)
		return NULL;
	return c->symlist[stage];
}

/* ---- Option negotiation ---- */

static int
parse_symlists(struct mc_conn *c, struct rd *r)
{
	while (rd_left(r) > 0) {
		uint32_t stage = rd_u32(r);
		size_t len;
		const char *list = rd_str(r, &len);
		char *copy;

		if (r->err)
			return fail(c, MC_E_PROTO,
			    "malformed macro list in SMFIC_OPTNEG reply");
		/* Postfix ignores a stage it does not know; so do we. */
		if (stage >= MC_STAGE_COUNT)
			continue;
		if ((copy = malloc(len + 1)) == NULL)
			return fail(c, MC_E_NOMEM, "out of memory");
		memcpy(copy, list, len);
		copy[len] = '\0';
		free(c->symlist[stage]);
		c->symlist[stage] = copy;
	}
	return 0;
}

int
mc_negotiate(struct mc_conn *c, uint32_t version, uint32_t actions,
    uint32_t protocol)
{
	const unsigned char *d;
	unsigned char code;
	char ct[8];
	size_t n;
	struct rd r;
	uint32_t eff;
	int err;

	if (c == NULL)
		return MC_E_ARG;
	if (c->state != CS_OPEN)
		return fail(c, c->state == CS_FAILED || c->state == CS_CLOSED ?
		    MC_E_CLOSED : MC_E_STATE, "negotiation needs a new "
		    "connection");
	if (version < 2 || version > MC_OFFER_VERSION)
		return fail(c, MC_E_ARG, "cannot offer protocol version %lu",
		    (unsigned long)version);
	c->off_version = version;
	c->off_actions = actions;
	c->off_protocol = protocol;
	ob_reset(&c->cmd);
	ob_u32(&c->cmd, version);
	ob_u32(&c->cmd, actions);
	ob_u32(&c->cmd, protocol);
	if ((err = send_packet(c, &c->cmd, C_OPTNEG, "SMFIC_OPTNEG")) != 0)
		return err;
	if ((err = recv_packet(c, "SMFIC_OPTNEG", &code, &d, &n)) != 0)
		return err;
	if (code != C_OPTNEG) {
		code_text(code, ct, sizeof(ct));
		return fail(c, MC_E_PROTO, "reply %s to SMFIC_OPTNEG", ct);
	}
	rd_init(&r, d, n);
	c->version = rd_u32(&r);
	c->actions = rd_u32(&r);
	c->protocol = rd_u32(&r);
	if (r.err)
		return fail(c, MC_E_PROTO, "SMFIC_OPTNEG reply of %zu bytes, "
		    "need 12", n);
	if (c->version < 2 || c->version > version)
		return fail(c, MC_E_NEGOTIATE, "filter speaks protocol version "
		    "%lu, we offered %lu", (unsigned long)c->version,
		    (unsigned long)version);
	if ((c->actions & ~actions) != 0)
		return fail(c, MC_E_NEGOTIATE, "filter wants actions 0x%lx, "
		    "we offered 0x%lx", (unsigned long)c->actions,
		    (unsigned long)actions);
	if ((c->protocol & ~protocol) != 0)
		return fail(c, MC_E_NEGOTIATE, "filter wants protocol flags "
		    "0x%lx, we offered 0x%lx", (unsigned long)c->protocol,
		    (unsigned long)protocol);
	if ((err = parse_symlists(c, &r)) != 0)
		return err;
	/*
	 * Don't send steps the agreed version lacks (as Postfix does):
	 * libmilter before version 3 dies on SMFIC_UNKNOWN, before 4 on
	 * SMFIC_DATA.
	 */
	eff = c->version;
	c->np = 0;
	if (eff < 3)
		c->np |= MC_SMFIP_NOUNKNOWN;
	if (eff < 4)
		c->np |= MC_SMFIP_NODATA;
	c->state = CS_READY;
	conn_reset_session(c);
	return 0;
}

/* ---- Macros ---- */

static char *
dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

int
mc_macro_set(struct mc_conn *c, enum mc_stage stage, const char *name,
    const char *value)
{
	struct mc_macro *m;
	char *nv;
	size_t i;

	if (c == NULL || (int)stage < 0 || stage >= MC_STAGE_COUNT ||
	    name == NULL || name[0] == '\0' || value == NULL)
		return MC_E_ARG;
	for (i = 0; i < c->nmacros[stage]; i++) {
		m = &c->macros[stage][i];
		if (strcmp(m->name, name) == 0) {
			if ((nv = dup_str(value)) == NULL)
				return MC_E_NOMEM;
			free(m->value);
			m->value = nv;
			return 0;
		}
	}
	if (c->nmacros[stage] >= MC_MACROS_MAX)
		return fail(c, MC_E_ARG, "more than %d macros at stage %s",
		    MC_MACROS_MAX, mc_stage_name(stage));
	m = &c->macros[stage][c->nmacros[stage]];
	m->name = dup_str(name);
	m->value = dup_str(value);
	if (m->name == NULL || m->value == NULL) {
		free(m->name);
		free(m->value);
		m->name = m->value = NULL;
		return MC_E_NOMEM;
	}
	c->nmacros[stage]++;
	return 0;
}

void
mc_macro_clear(struct mc_conn *c, enum mc_stage stage)
{
	if (c == NULL || (int)stage < 0 || stage >= MC_STAGE_COUNT)
		return;
	for (size_t i = 0; i < c->nmacros[stage]; i++) {
		free(c->macros[stage][i].name);
		free(c->macros[stage][i].value);
		c->macros[stage][i].name = c->macros[stage][i].value = NULL;
	}
	c->nmacros[stage] = 0;
}

/* name without the braces of "{name}". */
static void
bare_name(const char *s, size_t len, const char **out, size_t *outlen)
{
	if (len >= 2 && s[0] == '{' && s[len - 1] == '}') {
		s++;
		len -= 2;
	}
	*out = s;
	*outlen = len;
}

/* Whether a symlist ("{daemon_name} j", space or comma separated) has name. */
static bool
symlist_has(const char *list, const char *name)
{
	const char *want;
	size_t wlen;

	bare_name(name, strlen(name), &want, &wlen);
	while (*list != '\0') {
		size_t n = strcspn(list, " \t,");

		if (n > 0) {
			const char *b;
			size_t bl;

			bare_name(list, n, &b, &bl);
			if (bl == wlen && memcmp(b, want, wlen) == 0)
				return true;
		}
		list += n;
		list += strspn(list, " \t,");
	}
	return false;
}

static int
send_macros(struct mc_conn *c, const struct step *st)
{
	int stage = st->stage;
	size_t sent = 0;

	if (stage < 0 || c->nmacros[stage] == 0)
		return 0;
	ob_reset(&c->mac);
	ob_u8(&c->mac, st->cmd);
	for (size_t i = 0; i < c->nmacros[stage]; i++) {
		const struct mc_macro *m = &c->macros[stage][i];

		if (c->symlist[stage] != NULL &&
		    !symlist_has(c->symlist[stage], m->name))
			continue;
		ob_str(&c->mac, m->name);
		ob_str(&c->mac, m->value);
		sent++;
	}
	if (c->mac.over)
		return fail(c, MC_E_ARG, "macros for %s exceed %u bytes",
		    st->name, MC_CMD_DATA_MAX);
	if (sent == 0)
		return 0;
	return send_packet(c, &c->mac, C_MACRO, "SMFIC_MACRO");
}

/* ---- Replies ---- */

static void
reply_init(struct mc_reply *r, enum mc_verdict v)
{
	r->verdict = v;
	r->text[0] = '\0';
	r->truncated = false;
}

/* SMFIR_REPLYCODE: "4xx" or "5xx", then ' ', '-' or the end; NUL last. */
static int
parse_replycode(struct mc_conn *c, const struct step *st,
    const unsigned char *d, size_t n, struct mc_reply *r)
{
	size_t len, keep;

	if (n < 4 || d[n - 1] != '\0' || memchr(d, '\0', n - 1) != NULL)
		return fail(c, MC_E_PROTO, "malformed SMFIR_REPLYCODE to %s",
		    st->name);
	len = n - 1;
	if ((d[0] != '4' && d[0] != '5') || d[1] < '0' || d[1] > '9' ||
	    d[2] < '0' || d[2] > '9' ||
	    (len > 3 && d[3] != ' ' && d[3] != '-'))
		return fail(c, MC_E_PROTO, "SMFIR_REPLYCODE to %s is not a "
		    "4xx or 5xx reply", st->name);
	keep = len < sizeof(r->text) ? len : sizeof(r->text) - 1;
	memcpy(r->text, d, keep);
	r->text[keep] = '\0';
	r->truncated = keep < len;
	r->verdict = MC_REPLYCODE;
	return 0;
}

static char *
dup_mem(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static uint32_t
mod_action(unsigned char code)
{
	switch (code) {
	case R_ADDHEADER:	return MC_SMFIF_ADDHDRS;
	case R_INSHEADER:	return MC_SMFIF_ADDHDRS;
	case R_CHGHEADER:	return MC_SMFIF_CHGHDRS;
	case R_QUARANTINE:	return MC_SMFIF_QUARANTINE;
	case R_ADDRCPT:		return MC_SMFIF_ADDRCPT;
	case R_ADDRCPT_PAR:	return MC_SMFIF_ADDRCPT_PAR;
	case R_DELRCPT:		return MC_SMFIF_DELRCPT;
	case R_CHGFROM:		return MC_SMFIF_CHGFROM;
	case R_REPLBODY:	return MC_SMFIF_CHGBODY;
	default:		return 0;
	}
}

/* One modification request during end of message. */
static int
parse_mod(struct mc_conn *c, unsigned char code, const unsigned char *d,
    size_t n, struct mc_eom *e)
{
	struct mc_mod m;
	struct rd r;
	const char *s1 = NULL, *s2 = NULL;
	size_t l1 = 0, l2 = 0;
	char ct[8];

	memset(&m, 0, sizeof(m));
	m.code = code;
	rd_init(&r, d, n);
	switch (code) {
	case R_ADDHEADER:
	case R_INSHEADER:
	case R_CHGHEADER:
		m.type = code == R_ADDHEADER ? MC_MOD_ADDHEADER :
		    code == R_INSHEADER ? MC_MOD_INSHEADER : MC_MOD_CHGHEADER;
		if (code != R_ADDHEADER)
			m.index = rd_u32(&r);
		s1 = rd_str(&r, &l1);
		s2 = rd_str(&r, &l2);
		r.err = r.err || l1 == 0;
		break;
	case R_QUARANTINE:
	case R_ADDRCPT:
	case R_DELRCPT:
		m.type = code == R_QUARANTINE ? MC_MOD_QUARANTINE :
		    code == R_ADDRCPT ? MC_MOD_ADDRCPT : MC_MOD_DELRCPT;
		s1 = rd_str(&r, &l1);
		break;
	case R_ADDRCPT_PAR:
	case R_CHGFROM:
		/* Address, then optional ESMTP arguments. */
		m.type = code == R_CHGFROM ? MC_MOD_CHGFROM :
		    MC_MOD_ADDRCPT_PAR;
		s1 = rd_str(&r, &l1);
		if (rd_left(&r) > 0)
			s2 = rd_str(&r, &l2);
		r.err = r.err || l1 == 0;
		break;
	case R_REPLBODY:
		m.type = MC_MOD_REPLBODY;
		r.pos = r.len;
		break;
	default:
		code_text(code, ct, sizeof(ct));
		return fail(c, MC_E_PROTO, "unexpected reply %s to "
		    "SMFIC_BODYEOB", ct);
	}
	if (!rd_done(&r)) {
		code_text(code, ct, sizeof(ct));
		return fail(c, MC_E_PROTO, "malformed reply %s (%zu bytes) to "
		    "SMFIC_BODYEOB", ct, n);
	}
	if (e->nmods >= MC_MODS_MAX)
		return fail(c, MC_E_TOOBIG, "more than %d modifications",
		    MC_MODS_MAX);
	if (n > MC_MODS_BYTES_MAX - e->bytes_)
		return fail(c, MC_E_TOOBIG, "modifications exceed %u bytes",
		    MC_MODS_BYTES_MAX);
	if (e->nmods == e->cap_) {
		size_t cap = e->cap_ == 0 ? 8 : e->cap_ * 2;
		struct mc_mod *v = realloc(e->mods, cap * sizeof(*v));

		if (v == NULL)
			return fail(c, MC_E_NOMEM, "out of memory");
		e->mods = v;
		e->cap_ = cap;
	}
	m.unnegotiated = (c->actions & mod_action(code)) == 0;
	if (s1 != NULL && (m.name = dup_mem(s1, l1)) == NULL)
		goto fail;
	if (s2 != NULL && (m.value = dup_mem(s2, l2)) == NULL)
		goto fail;
	if (code == R_REPLBODY) {
		if ((m.data = malloc(n > 0 ? n : 1)) == NULL)
			goto fail;
		if (n > 0)
			memcpy(m.data, d, n);
		m.len = n;
	}
	e->bytes_ += n;
	e->mods[e->nmods++] = m;
	return 0;
fail:
	free(m.name);
	free(m.value);
	free(m.data);
	return fail(c, MC_E_NOMEM, "out of memory");
}

static int
reply_error(struct mc_conn *c, const struct step *st, unsigned char code,
    size_t extra)
{
	char ct[8];

	code_text(code, ct, sizeof(ct));
	if (extra > 0)
		return fail(c, MC_E_PROTO, "reply %s to %s carries %zu "
		    "unexpected bytes", ct, st->name, extra);
	return fail(c, MC_E_PROTO, "unexpected reply %s to %s", ct, st->name);
}

/*
 * Read replies to st until a verdict. SMFIR_PROGRESS only restarts the
 * wait; modifications are legal only at end of message.
 */
static int
read_reply(struct mc_conn *c, const struct step *st, struct mc_reply *r,
    struct mc_eom *e)
{
	unsigned long progress = 0;

	for (;;) {
		const unsigned char *d;
		unsigned char code;
		size_t n;
		int err;

		if ((err = recv_packet(c, st->name, &code, &d, &n)) != 0)
			return err;
		switch (code) {
		case R_PROGRESS:
			if (n != 0)
				return reply_error(c, st, code, n);
			if (++progress > MC_PROGRESS_MAX)
				return fail(c, MC_E_TOOBIG, "more than %d "
				    "SMFIR_PROGRESS to %s", MC_PROGRESS_MAX,
				    st->name);
			if (e != NULL)
				e->nprogress++;
			continue;
		case R_CONTINUE:
			r->verdict = MC_CONTINUE;
			break;
		case R_ACCEPT:
			r->verdict = MC_ACCEPT;
			break;
		case R_REJECT:
			r->verdict = MC_REJECT;
			break;
		case R_DISCARD:
			r->verdict = MC_DISCARD;
			break;
		case R_TEMPFAIL:
			r->verdict = MC_TEMPFAIL;
			break;
		case R_SHUTDOWN:
			r->verdict = MC_SHUTDOWN;
			break;
		case R_CONN_FAIL:
			r->verdict = MC_CONNFAIL;
			break;
		case R_SKIP:
			/* libmilter allows SMFIS_SKIP only from xxfi_body. */
			if (st->cmd != C_BODY)
				return reply_error(c, st, code, 0);
			r->verdict = MC_SKIP;
			break;
		case R_REPLYCODE:
			return parse_replycode(c, st, d, n, r);
		default:
			if (e == NULL)
				return reply_error(c, st, code, 0);
			if ((err = parse_mod(c, code, d, n, e)) != 0)
				return err;
			continue;
		}
		if (n != 0)
			return reply_error(c, st, code, n);
		return 0;
	}
}

/* ---- Running a step ---- */

/* Whether the MTA order allows step id now; advances the phase if so. */
static int
check_order(struct mc_conn *c, enum step_id id)
{
	enum phase p = c->phase, next = p;
	bool ok;

	if (c->state == CS_FAILED || c->state == CS_CLOSED)
		return fail(c, MC_E_CLOSED, "%s after the connection was "
		    "closed", steps[id].name);
	if (id == S_CONNECT) {
		if (c->state != CS_READY)
			return fail(c, MC_E_STATE, "SMFIC_CONNECT needs a "
			    "negotiated connection without a session");
		return 0;
	}
	if (c->state != CS_SESSION)
		return fail(c, MC_E_STATE, "%s before SMFIC_CONNECT",
		    steps[id].name);
	switch (id) {
	case S_HELO:
	case S_MAIL:
		ok = p == PH_NONE || c->msg_done;
		next = id == S_MAIL ? PH_MAIL : PH_NONE;
		break;
	case S_RCPT:
		ok = p == PH_MAIL || p == PH_RCPT;
		next = PH_RCPT;
		break;
	case S_DATA:
		ok = p == PH_RCPT;
		next = PH_DATA;
		break;
	case S_HEADER:
		ok = p == PH_RCPT || p == PH_DATA || p == PH_HDRS;
		next = PH_HDRS;
		break;
	case S_EOH:
		ok = p == PH_RCPT || p == PH_DATA || p == PH_HDRS;
		next = PH_EOH;
		break;
	case S_BODY:
		ok = p == PH_EOH || p == PH_BODY;
		next = PH_BODY;
		break;
	case S_EOM:
		ok = p >= PH_RCPT;
		next = PH_NONE;
		break;
	case S_UNKNOWN:
		/*
		 * No SMTP command arrives during DATA; libmilter would take
		 * one there as a broken transition and abort the message.
		 */
		ok = p <= PH_RCPT || c->msg_done;
		break;
	case S_ABORT:
	default:
		ok = true;
		break;
	}
	if (!ok)
		return fail(c, MC_E_STATE, "%s out of order (after %s)",
		    steps[id].name, p == PH_NONE ? "no message" :
		    p == PH_MAIL ? "SMFIC_MAIL" : p == PH_RCPT ? "SMFIC_RCPT" :
		    p == PH_DATA ? "SMFIC_DATA" : p == PH_HDRS ?
		    "SMFIC_HEADER" : p == PH_EOH ? "SMFIC_EOH" : "SMFIC_BODY");
	if (id == S_HELO || id == S_MAIL) {
		c->msg_done = false;
		c->body_skip = false;
	}
	c->phase = next;
	return 0;
}

/* What a verdict does to the rest of the session (Postfix milter8.c). */
static void
after_verdict(struct mc_conn *c, enum step_id id, enum mc_verdict v)
{
	bool final = v == MC_ACCEPT || v == MC_REJECT || v == MC_TEMPFAIL ||
	    v == MC_REPLYCODE || v == MC_DISCARD;

	if (v == MC_SHUTDOWN || v == MC_CONNFAIL) {
		c->conn_done = true;
		return;
	}
	switch (id) {
	case S_CONNECT:
	case S_HELO:
		/* Discard is meaningless before a message; Postfix ignores it. */
		if (final && v != MC_DISCARD)
			c->conn_done = true;
		break;
	case S_RCPT:
		/* A rejected recipient is just that one recipient. */
		if (v == MC_ACCEPT || v == MC_DISCARD)
			c->msg_done = true;
		break;
	case S_MAIL:
	case S_DATA:
	case S_HEADER:
	case S_EOH:
	case S_BODY:
		if (final)
			c->msg_done = true;
		else if (v == MC_SKIP)
			c->body_skip = true;
		break;
	default:
		break;
	}
}

/*
 * Send the command built in c->cmd as step id, with its macros, and read
 * the reply when the protocol has one. e is non-NULL at end of message.
 */
static int
run(struct mc_conn *c, enum step_id id, struct mc_reply *r, struct mc_eom *e)
{
	const struct step *st = &steps[id];
	bool skip_msg;
	int err;

	if (r == NULL)
		return MC_E_ARG;
	reply_init(r, MC_NOTSENT);
	if (c->cmd.over)
		return fail(c, MC_E_ARG, "%s payload exceeds %u bytes",
		    st->name, MC_CMD_DATA_MAX);
	skip_msg = c->msg_done && id != S_MAIL && id != S_HELO;
	if ((err = check_order(c, id)) != 0)
		return err;
	if (id == S_CONNECT) {
		conn_reset_session(c);
		c->state = CS_SESSION;
	}
	/* After a final verdict the MTA stops talking about it. */
	if (c->conn_done)
		return 0;
	if (skip_msg && id != S_ABORT && id != S_UNKNOWN)
		return 0;
	if (id == S_BODY && c->body_skip)
		return 0;
	if ((err = send_macros(c, st)) != 0)
		return err;
	if ((c->protocol & st->no) != 0 || (c->np & st->no) != 0)
		return 0;
	if ((err = send_packet(c, &c->cmd, st->cmd, st->name)) != 0)
		return err;
	/*
	 * libmilter's state table (engine.c) has QUIT_NC only after an end
	 * of message it answered with continue, or after an unknown command;
	 * any reject, tempfail, discard or accept drops it back to HELO.
	 */
	c->qnc_ok = id == S_UNKNOWN;
	if (!st->reply || (c->protocol & st->nr) != 0) {
		r->verdict = MC_NOREPLY;
		return 0;
	}
	if ((err = read_reply(c, st, r, e)) != 0)
		return err;
	if (id == S_EOM && r->verdict == MC_CONTINUE)
		c->qnc_ok = true;
	after_verdict(c, id, r->verdict);
	return 0;
}

/* ---- Commands ---- */

int
mc_conninfo(struct mc_conn *c, const char *hostname, enum mc_family family,
    uint16_t port, const char *address, struct mc_reply *r)
{
	if (c == NULL || hostname == NULL)
		return MC_E_ARG;
	ob_reset(&c->cmd);
	ob_str(&c->cmd, hostname);
	switch (family) {
	case MC_FAMILY_UNKNOWN:
		ob_u8(&c->cmd, (unsigned char)family);
		break;
	case MC_FAMILY_UNIX:
		port = 0;
		__attribute__((fallthrough));
	case MC_FAMILY_INET:
	case MC_FAMILY_INET6:
		if (address == NULL)
			return fail(c, MC_E_ARG, "connect info needs an "
			    "address");
		ob_u8(&c->cmd, (unsigned char)family);
		ob_u16(&c->cmd, port);
		ob_str(&c->cmd, address);
		break;
	default:
		return fail(c, MC_E_ARG, "unknown address family %d",
		    (int)family);
	}
	return run(c, S_CONNECT, r, NULL);
}

int
mc_helo(struct mc_conn *c, const char *helo, struct mc_reply *r)
{
	if (c == NULL || helo == NULL)
		return MC_E_ARG;
	ob_reset(&c->cmd);
	ob_str(&c->cmd, helo);
	return run(c, S_HELO, r, NULL);
}

static int
envelope(struct mc_conn *c, enum step_id id, const char *const *argv,
    struct mc_reply *r)
{
	if (c == NULL || argv == NULL || argv[0] == NULL)
		return MC_E_ARG;
	ob_reset(&c->cmd);
	for (size_t i = 0; argv[i] != NULL; i++)
		ob_str(&c->cmd, argv[i]);
	return run(c, id, r, NULL);
}

int
mc_mail(struct mc_conn *c, const char *const *argv, struct mc_reply *r)
{
	return envelope(c, S_MAIL, argv, r);
}

int
mc_rcpt(struct mc_conn *c, const char *const *argv, struct mc_reply *r)
{
	return envelope(c, S_RCPT, argv, r);
}

int
mc_data(struct mc_conn *c, struct mc_reply *r)
{
	if (c == NULL)
		return MC_E_ARG;
	ob_reset(&c->cmd);
	return run(c, S_DATA, r, NULL);
}

int
mc_header(struct mc_conn *c, const char *name, const char *value,
    struct mc_reply *r)
{
	if (c == NULL || name == NULL || name[0] == '\0' || value == NULL)
		return MC_E_ARG;
	/* Sendmail and Postfix eat one space (not a tab) after the colon. */
	if ((c->protocol & MC_SMFIP_HDR_LEADSPC) == 0 && value[0] == ' ')
		value++;
	ob_reset(&c->cmd);
	ob_str(&c->cmd, name);
	ob_str(&c->cmd, value);
	return run(c, S_HEADER, r, NULL);
}

int
mc_eoh(struct mc_conn *c, struct mc_reply *r)
{
	if (c == NULL)
		return MC_E_ARG;
	ob_reset(&c->cmd);
	return run(c, S_EOH, r, NULL);
}

int
mc_body(struct mc_conn *c, const void *chunk, size_t len, struct mc_reply *r)
{
	if (c == NULL || (chunk == NULL && len > 0))
		return MC_E_ARG;
	if (len > MC_CHUNK_MAX)
		return fail(c, MC_E_ARG, "body chunk of %zu bytes exceeds %u",
		    len, MC_CHUNK_MAX);
	ob_reset(&c->cmd);
	ob_put(&c->cmd, chunk, len);
	return run(c, S_BODY, r, NULL);
}

void
mc_eom_free(struct mc_eom *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nmods; i++) {
		free(e->mods[i].name);
		free(e->mods[i].value);
		free(e->mods[i].data);
	}
	free(e->mods);
	free(e);
}

int
mc_eom(struct mc_conn *c, struct mc_reply *r, struct mc_eom **result)
{
	struct mc_eom *e;
	int err;

	if (result == NULL)
		return MC_E_ARG;
	*result = NULL;
	if (c == NULL)
		return MC_E_ARG;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return fail(c, MC_E_NOMEM, "out of memory");
	e->leadspc = (c->protocol & MC_SMFIP_HDR_LEADSPC) != 0;
	/*
	 * Like Postfix, send the end of the body without data: libmilter
	 * would pass data here to xxfi_body, other implementations drop it.
	 */
	ob_reset(&c->cmd);
	if ((err = run(c, S_EOM, r, e)) != 0)
		goto fail;
	c->msg_done = false;
	c->body_skip = false;
	*result = e;
	return 0;
fail:
	mc_eom_free(e);
	return err;
}

int
mc_unknown(struct mc_conn *c, const char *command, struct mc_reply *r)
{
	if (c == NULL || command == NULL)
		return MC_E_ARG;
	ob_reset(&c->cmd);
	ob_str(&c->cmd, command);
	return run(c, S_UNKNOWN, r, NULL);
}

int
mc_abort(struct mc_conn *c, struct mc_reply *r)
{
	int err;

	if (c == NULL)
		return MC_E_ARG;
	ob_reset(&c->cmd);
	if ((err = run(c, S_ABORT, r, NULL)) != 0)
		return err;
	c->phase = PH_NONE;
	c->msg_done = false;
	c->body_skip = false;
	return 0;
}

int
mc_quit(struct mc_conn *c)
{
	int err;

	if (c == NULL)
		return MC_E_ARG;
	if (c->fd < 0 || c->state == CS_FAILED || c->state == CS_CLOSED)
		return fail(c, MC_E_CLOSED, "SMFIC_QUIT on a closed "
		    "connection");
	ob_reset(&c->cmd);
	err = send_packet(c, &c->cmd, C_QUIT, "SMFIC_QUIT");
	close_fd(c);
	if (err == 0)
		c->state = CS_CLOSED;
	return err;
}

int
mc_quit_nc(struct mc_conn *c)
{
	int err;

	if (c == NULL)
		return MC_E_ARG;
	if (c->state != CS_SESSION)
		return fail(c, c->state == CS_FAILED || c->state == CS_CLOSED ?
		    MC_E_CLOSED : MC_E_STATE, "SMFIC_QUIT_NC outside a "
		    "session");
	if (!c->qnc_ok)
		return fail(c, MC_E_STATE, "SMFIC_QUIT_NC only after an end of "
		    "message answered with continue, or an unknown command "
		    "(libmilter ignores it elsewhere, then the next connect)");
	ob_reset(&c->cmd);
	if ((err = send_packet(c, &c->cmd, C_QUIT_NC, "SMFIC_QUIT_NC")) != 0)
		return err;
	c->state = CS_READY;
	conn_reset_session(c);
	return 0;
}

/* ---- Header lists ---- */

void
mc_headers_init(struct mc_headers *h)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
}

void
mc_headers_free(struct mc_headers *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].value);
	}
	free(h->v);
	mc_headers_init(h);
}

/* Insert a header, taking ownership of name and value (freed on error). */
static int
headers_insert(struct mc_headers *h, size_t at, char *name, char *value,
    bool mta_own)
{
	int err = MC_E_NOMEM;

	if (name == NULL || value == NULL)
		goto fail;
	if (h->n >= MC_HEADERS_MAX) {
		err = MC_E_TOOBIG;
		goto fail;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap == 0 ? 16 : h->cap * 2;
		struct mc_header *v = realloc(h->v, cap * sizeof(*v));

		if (v == NULL)
			goto fail;
		h->v = v;
		h->cap = cap;
	}
	if (at > h->n)
		at = h->n;
	memmove(&h->v[at + 1], &h->v[at], (h->n - at) * sizeof(h->v[0]));
	h->v[at].name = name;
	h->v[at].value = value;
	h->v[at].mta_own = mta_own;
	h->n++;
	return 0;
fail:
	free(name);
	free(value);
	return err;
}

int
mc_headers_add(struct mc_headers *h, const char *name, const char *value,
    bool mta_own)
{
	if (h == NULL || name == NULL || value == NULL)
		return MC_E_ARG;
	return headers_insert(h, h->n, dup_str(name), dup_str(value), mta_own);
}

/* A value from the filter as stored: MTAs add the space they took away. */
static char *
filter_value(const char *v, bool leadspc)
{
	size_t n = strlen(v);
	char *p;

	if (leadspc)
		return dup_str(v);
	if ((p = malloc(n + 2)) == NULL)
		return NULL;
	p[0] = ' ';
	memcpy(p + 1, v, n + 1);
	return p;
}

static int
apply_chg(struct mc_headers *h, const struct mc_mod *m, bool leadspc)
{
	uint32_t want = m->index == 0 ? 1 : m->index;	/* Sendmail: 0 is 1 */
	uint32_t seen = 0;
	char *v;

	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i].mta_own || strcasecmp(h->v[i].name, m->name) != 0)
			continue;
		if (++seen != want)
			continue;
		if (m->value[0] == '\0') {
			free(h->v[i].name);
			free(h->v[i].value);
			memmove(&h->v[i], &h->v[i + 1],
			    (h->n - i - 1) * sizeof(h->v[0]));
			h->n--;
			return 0;
		}
		if ((v = filter_value(m->value, leadspc)) == NULL)
			return MC_E_NOMEM;
		free(h->v[i].value);
		h->v[i].value = v;
		return 0;
	}
	/* Not found: deleting is a no-op, changing adds (both MTAs). */
	if (m->value[0] == '\0')
		return 0;
	return headers_insert(h, h->n, dup_str(m->name),
	    filter_value(m->value, leadspc), false);
}

int
mc_headers_apply(struct mc_headers *h, const struct mc_eom *e)
{
	int err = 0;

	if (h == NULL || e == NULL)
		return MC_E_ARG;
	for (size_t i = 0; i < e->nmods && err == 0; i++) {
		const struct mc_mod *m = &e->mods[i];

		switch (m->type) {
		case MC_MOD_ADDHEADER:
			err = headers_insert(h, h->n, dup_str(m->name),
			    filter_value(m->value, e->leadspc), false);
			break;
		case MC_MOD_INSHEADER:
			err = headers_insert(h, m->index, dup_str(m->name),
			    filter_value(m->value, e->leadspc), false);
			break;
		case MC_MOD_CHGHEADER:
			err = apply_chg(h, m, e->leadspc);
			break;
		default:
			break;
		}
	}
	return err;
}
