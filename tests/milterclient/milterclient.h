/*
 * milterclient.h: the MTA side of the Sendmail milter protocol, version 6
 * (Sendmail 8.14+, Postfix 2.6+), for tests and the load generator.
 *
 * A small blocking client: one struct mc_conn per filter socket. It offers
 * what a Sendmail 8.14 MTA offers, records what the filter asks for in
 * SMFIC_OPTNEG, and from then on behaves as the MTA must: it sends only
 * the steps the filter wants, waits for a reply only where the filter did
 * not negotiate SMFIP_NR_* for the step, stops sending message steps after
 * a final verdict, and obeys SMFIR_SKIP.
 *
 * Every function that can fail returns 0 or a negative enum mc_err; the
 * filter's answer (a verdict) is returned through struct mc_reply, never
 * as an error. After an I/O or protocol error the connection is closed
 * and every later call returns MC_E_CLOSED; mc_why() says what happened.
 * Nothing here trusts a length or a string from the filter: packets are
 * bounded by MC_PACKET_MAX and parsed through a bounded reader.
 *
 * A typical conversation:
 *	mc_connect(&c, "unix:/run/f.sock", 5000);
 *	mc_negotiate(c, MC_OFFER_VERSION, MC_OFFER_ACTIONS, MC_OFFER_PROTOCOL);
 *	mc_macro_set(c, MC_STAGE_CONNECT, "j", "mx.example.net");
 *	mc_conninfo(c, "mail.example.org", MC_FAMILY_INET, 25, "192.0.2.1", &r);
 *	mc_helo(c, ...); mc_mail(c, ...); mc_rcpt(c, ...); mc_data(c, &r);
 *	mc_header(c, "From", " a@example.org", &r); ... mc_eoh(c, &r);
 *	mc_body(c, ...); mc_eom(c, &r, &eom); ... mc_eom_free(eom);
 *	mc_quit(c); mc_free(c);
 */
#ifndef MILTERCLIENT_H
#define MILTERCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits. */
#define MC_PACKET_MAX	(1024u * 1024u + 4096u)	/* largest packet read */
#define MC_CMD_DATA_MAX	65535u	/* largest command payload sent (libmilter's
				 * MILTER_MAX_DATA_SIZE; it drops the
				 * connection on anything longer) */
#define MC_CHUNK_MAX	65535u	/* body chunk (MILTER_CHUNK_SIZE) */
#define MC_MACROS_MAX	64	/* macros kept per stage */
#define MC_TEXT_MAX	8192	/* SMFIR_REPLYCODE text kept, with its NUL */
#define MC_MODS_MAX	10000	/* modifications accepted in one eom */
#define MC_MODS_BYTES_MAX (64u * 1024u * 1024u)	/* their total payload */
#define MC_PROGRESS_MAX	100000	/* SMFIR_PROGRESS packets in one wait */
#define MC_HEADERS_MAX	10000	/* headers in a struct mc_headers */
#define MC_WHY_MAX	256	/* mc_why() text */
#define MC_TIMEOUT_DEFAULT 30000	/* ms, when mc_connect() gets <= 0 */

/* Option negotiation: what this client offers by default (all of it). */
#define MC_OFFER_VERSION	6u
#define MC_OFFER_ACTIONS	0x000001ffu	/* SMFI_CURR_ACTS */
#define MC_OFFER_PROTOCOL	0x001fffffu	/* SMFI_CURR_PROT */

/* Actions a filter may ask for (SMFIF_*, libmilter/mfapi.h). */
#define MC_SMFIF_ADDHDRS	0x00000001u
#define MC_SMFIF_CHGBODY	0x00000002u
#define MC_SMFIF_ADDRCPT	0x00000004u
#define MC_SMFIF_DELRCPT	0x00000008u
#define MC_SMFIF_CHGHDRS	0x00000010u
#define MC_SMFIF_QUARANTINE	0x00000020u
#define MC_SMFIF_CHGFROM	0x00000040u
#define MC_SMFIF_ADDRCPT_PAR	0x00000080u
#define MC_SMFIF_SETSYMLIST	0x00000100u

/* Protocol flags (SMFIP_*, libmilter/mfdef.h). */
#define MC_SMFIP_NOCONNECT	0x00000001u	/* don't send connect */
#define MC_SMFIP_NOHELO		0x00000002u
#define MC_SMFIP_NOMAIL		0x00000004u
#define MC_SMFIP_NORCPT		0x00000008u
#define MC_SMFIP_NOBODY		0x00000010u
#define MC_SMFIP_NOHDRS		0x00000020u
#define MC_SMFIP_NOEOH		0x00000040u
#define MC_SMFIP_NR_HDR		0x00000080u	/* no reply per header */
#define MC_SMFIP_NOUNKNOWN	0x00000100u
#define MC_SMFIP_NODATA		0x00000200u
#define MC_SMFIP_SKIP		0x00000400u	/* MTA understands SMFIR_SKIP */
#define MC_SMFIP_RCPT_REJ	0x00000800u	/* MTA sends rejected RCPTs */
#define MC_SMFIP_NR_CONN	0x00001000u
#define MC_SMFIP_NR_HELO	0x00002000u
#define MC_SMFIP_NR_MAIL	0x00004000u
#define MC_SMFIP_NR_RCPT	0x00008000u
#define MC_SMFIP_NR_DATA	0x00010000u
#define MC_SMFIP_NR_UNKN	0x00020000u
#define MC_SMFIP_NR_EOH		0x00040000u
#define MC_SMFIP_NR_BODY	0x00080000u
#define MC_SMFIP_HDR_LEADSPC	0x00100000u	/* header values keep the
						 * space after the colon */

enum mc_err {
	MC_OK = 0,
	MC_E_ARG = -1,		/* invalid argument (a caller's mistake) */
	MC_E_SPEC = -2,		/* unusable socket specification */
	MC_E_CONNECT = -3,	/* could not connect to the filter */
	MC_E_IO = -4,		/* read or write failed */
	MC_E_EOF = -5,		/* the filter closed the connection */
	MC_E_TIMEOUT = -6,	/* the filter did not answer in time */
	MC_E_PROTO = -7,	/* malformed or unexpected packet */
	MC_E_TOOBIG = -8,	/* a packet or a result exceeds a limit */
	MC_E_NOMEM = -9,	/* out of memory */
	MC_E_STATE = -10,	/* command not valid in this protocol state */
	MC_E_NEGOTIATE = -11,	/* the filter asked for more than offered */
	MC_E_CLOSED = -12,	/* the connection is closed or has failed */
};

/* A static text for an error code; never NULL. */
const char *mc_strerror(int err);

/* What became of a command. */
enum mc_verdict {
	MC_CONTINUE,	/* SMFIR_CONTINUE */
	MC_ACCEPT,	/* SMFIR_ACCEPT */
	MC_REJECT,	/* SMFIR_REJECT (no text) */
	MC_DISCARD,	/* SMFIR_DISCARD */
	MC_TEMPFAIL,	/* SMFIR_TEMPFAIL (no text) */
	MC_REPLYCODE,	/* SMFIR_REPLYCODE: text holds "550 5.7.1 why" */
	MC_SKIP,	/* SMFIR_SKIP: send no more body chunks */
	MC_SHUTDOWN,	/* SMFIR_SHUTDOWN: 421, connection is over */
	MC_CONNFAIL,	/* SMFIR_CONN_FAIL: connection is over */
	MC_NOREPLY,	/* sent; the filter negotiated no reply (SMFIP_NR_*,
			 * or a step without reply: abort, quit) */
	MC_NOTSENT,	/* not sent: the filter asked not to get this step
			 * (SMFIP_NO*), or an earlier verdict ended the message
			 * or the connection, or SMFIR_SKIP stopped the body */
};

/* "continue", "accept", ...: a static name; never NULL. */
const char *mc_verdict_name(enum mc_verdict v);

struct mc_reply {
	enum mc_verdict verdict;
	char text[MC_TEXT_MAX];	/* MC_REPLYCODE text, else "" */
	bool truncated;		/* text was longer than MC_TEXT_MAX - 1 */
};

/* Macro stages: the values are libmilter's SMFIM_* numbers. */
enum mc_stage {
	MC_STAGE_CONNECT = 0,
	MC_STAGE_HELO = 1,
	MC_STAGE_MAIL = 2,
	MC_STAGE_RCPT = 3,
	MC_STAGE_DATA = 4,
	MC_STAGE_EOM = 5,
	MC_STAGE_EOH = 6,
	MC_STAGE_COUNT = 7,
};

/* "connect", "helo", ...; NULL for an unknown stage. */
const char *mc_stage_name(int stage);

/* Client address families for mc_conninfo() (SMFIA_*). */
enum mc_family {
	MC_FAMILY_UNKNOWN = 'U',	/* only the host name is sent */
	MC_FAMILY_UNIX = 'L',
	MC_FAMILY_INET = '4',
	MC_FAMILY_INET6 = '6',
};

/* What a filter asked for during one end-of-message exchange. */
enum mc_mod_type {
	MC_MOD_ADDHEADER,	/* name, value */
	MC_MOD_INSHEADER,	/* index (0 = top), name, value */
	MC_MOD_CHGHEADER,	/* index (nth of that name, 1-based), name,
				 * value ("" = delete) */
	MC_MOD_QUARANTINE,	/* name = reason */
	MC_MOD_ADDRCPT,		/* name = recipient */
	MC_MOD_ADDRCPT_PAR,	/* name = recipient, value = ESMTP args or NULL */
	MC_MOD_DELRCPT,		/* name = recipient */
	MC_MOD_CHGFROM,		/* name = sender, value = ESMTP args or NULL */
	MC_MOD_REPLBODY,	/* data, len: one replacement body chunk */
};

struct mc_mod {
	enum mc_mod_type type;
	unsigned char code;	/* the SMFIR_* byte on the wire */
	uint32_t index;
	char *name;
	char *value;
	unsigned char *data;
	size_t len;
	bool unnegotiated;	/* the filter did not negotiate this action;
				 * Sendmail honours it anyway, so do we */
};

struct mc_eom {
	struct mc_mod *mods;	/* in the order the filter sent them */
	size_t nmods;
	size_t nprogress;	/* SMFIR_PROGRESS packets seen */
	bool leadspc;		/* SMFIP_HDR_LEADSPC was negotiated */
	size_t cap_;		/* internal */
	size_t bytes_;		/* internal */
};

void mc_eom_free(struct mc_eom *e);

struct mc_conn;

/*
 * Connect to a filter. spec is "unix:/path" (or "local:/path" or a bare
 * absolute path), "inet:PORT@HOST" or "inet6:PORT@HOST" (Sendmail), or
 * "inet:HOST:PORT" and "inet:[ADDR]:PORT" (Postfix). TCP sockets get
 * TCP_NODELAY. timeout_ms bounds the connect and, later, every packet
 * read or written; <= 0 means MC_TIMEOUT_DEFAULT.
 * *connp is set in every case but out of memory; the caller reads
 * mc_why() after a failure and always calls mc_free().
 */
int mc_connect(struct mc_conn **connp, const char *spec, int timeout_ms);

/*
 * SMFIC_OPTNEG. Offer version, actions and protocol flags (normally the
 * MC_OFFER_* values) and record the filter's answer, including macro
 * lists it requests with smfi_setsymlist(). Fails with MC_E_NEGOTIATE
 * when the filter asks for a later version or anything not offered.
 */
int mc_negotiate(struct mc_conn *c, uint32_t version, uint32_t actions,
    uint32_t protocol);

/* The filter's answer to mc_negotiate(). */
uint32_t mc_version(const struct mc_conn *c);
uint32_t mc_actions(const struct mc_conn *c);
uint32_t mc_protocol(const struct mc_conn *c);
/* The macro names the filter asked for at stage, or NULL (send all). */
const char *mc_symlist(const struct mc_conn *c, enum mc_stage stage);

/* Text about the last failure; "" if none. */
const char *mc_why(const struct mc_conn *c);

/*
 * Macros sent (SMFIC_MACRO) before each command of that stage, until
 * changed or cleared. Names are as the MTA sends them: "j", "i", "_",
 * "{daemon_name}", "{auth_authen}". When the filter set a macro list for
 * the stage, only macros on that list are sent (as Postfix does).
 * Macros are sent even when the filter does not want the step itself,
 * as Sendmail and Postfix do. Header and body commands carry none.
 */
int mc_macro_set(struct mc_conn *c, enum mc_stage stage, const char *name,
    const char *value);
void mc_macro_clear(struct mc_conn *c, enum mc_stage stage);

/*
 * The commands. Each fills *r; a step the filter did not want, or one
 * after a final verdict, is MC_NOTSENT. Order is enforced as an MTA
 * keeps it (MC_E_STATE otherwise): conninfo, helo*, then per message
 * mail, rcpt+, data, header*, eoh, body*, eom, or abort at any point.
 * A new mail is allowed directly after a verdict that ended the message.
 */
int mc_conninfo(struct mc_conn *c, const char *hostname, enum mc_family family,
    uint16_t port, const char *address, struct mc_reply *r);
int mc_helo(struct mc_conn *c, const char *helo, struct mc_reply *r);
/* argv: NULL-terminated; argv[0] the address ("<a@b>"), then ESMTP args. */
int mc_mail(struct mc_conn *c, const char *const *argv, struct mc_reply *r);
int mc_rcpt(struct mc_conn *c, const char *const *argv, struct mc_reply *r);
int mc_data(struct mc_conn *c, struct mc_reply *r);
/*
 * value is the raw text after the colon, as in the message (" Alice");
 * one leading space is removed unless SMFIP_HDR_LEADSPC was negotiated,
 * as Sendmail and Postfix do. Continuation lines are separated by "\n".
 */
int mc_header(struct mc_conn *c, const char *name, const char *value,
    struct mc_reply *r);
int mc_eoh(struct mc_conn *c, struct mc_reply *r);
/* One chunk, at most MC_CHUNK_MAX bytes, lines ending in CRLF. */
int mc_body(struct mc_conn *c, const void *chunk, size_t len,
    struct mc_reply *r);
/*
 * SMFIC_BODYEOB. Collects modifications until the final verdict. On
 * success *result is a new object the caller frees with mc_eom_free()
 * (empty when nothing was sent); on failure it is NULL.
 */
int mc_eom(struct mc_conn *c, struct mc_reply *r, struct mc_eom **result);
/* SMFIC_UNKNOWN: an SMTP command the MTA did not recognise; not between
 * data and end of message, where SMTP has no commands. */
int mc_unknown(struct mc_conn *c, const char *command, struct mc_reply *r);
/* SMFIC_ABORT: end the message; the filter never replies. */
int mc_abort(struct mc_conn *c, struct mc_reply *r);
/* SMFIC_QUIT, then close the socket (mc_free() is still needed). */
int mc_quit(struct mc_conn *c);
/*
 * SMFIC_QUIT_NC: end this SMTP session but keep the filter connection
 * and its negotiated options for a new mc_conninfo(). libmilter only
 * accepts it right after an end of message it answered with continue, or
 * after an unknown command; anywhere else it silently ignores it and then
 * the next connect, so this returns MC_E_STATE there.
 */
int mc_quit_nc(struct mc_conn *c);

/* Close without QUIT if still open, and free everything. NULL is fine. */
void mc_free(struct mc_conn *c);

/*
 * A message's header list, to show the message as delivered after the
 * filter's header modifications.
 */
struct mc_header {
	char *name;
	char *value;	/* raw text after the colon */
	bool mta_own;	/* added by the MTA and not shown to the filter, like
			 * the Received: header Postfix puts on top */
};

struct mc_headers {
	struct mc_header *v;
	size_t n;
	size_t cap;
};

void mc_headers_init(struct mc_headers *h);
int mc_headers_add(struct mc_headers *h, const char *name, const char *value,
    bool mta_own);
void mc_headers_free(struct mc_headers *h);

/*
 * Apply e's header modifications in order, as Postfix's cleanup does
 * (Sendmail agrees except where noted in milterclient.c):
 *  - add: append;
 *  - insert at index i: before the i-th header counting from 0 over ALL
 *    headers, the MTA's own included; past the end = append;
 *  - change index n of name: the n-th header of that name (1-based, 0
 *    taken as 1, case-insensitive) among those the filter saw; an empty
 *    value deletes it; not found: append when the value is not empty.
 * Values the filter sends get a leading space unless e->leadspc.
 */
int mc_headers_apply(struct mc_headers *h, const struct mc_eom *e);

#endif /* MILTERCLIENT_H */
