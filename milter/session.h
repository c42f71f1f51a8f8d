/*
 * session.h: the state of one SMTP connection (struct session) and of the
 * message in progress on it (struct message), and the steps the libmilter
 * callbacks hand over to.
 *
 * A connection owns an arena for what lives as long as it does (client
 * address, HELO name, the HELO SPF result); the message owns another that
 * is reset at the end of each message, so several MAIL transactions on
 * one connection reuse it, and abort or close release everything in one
 * call. Callbacks of one connection run one at a time (libmilter's
 * guarantee), so a session needs no lock.
 */
#ifndef MILTER_SESSION_H
#define MILTER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mfapi.h"

#include "conf.h"
#include "spfdmarc/addr.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/spf.h"

/* Limits on what one message may make us keep. */
#define SESSION_ARENA_MAX	(256u * 1024)	/* connection arena */
#define MESSAGE_ARENA_MAX	(4u * 1024 * 1024)	/* message arena */
#define MESSAGE_FROM_MAX	8	/* From fields kept (more: several) */
#define MESSAGE_AR_MAX		64	/* A-R fields examined */
#define MESSAGE_FIELD_MAX	16384	/* bytes of one kept field value */
#define MESSAGE_DKIM_MAX	SPFDMARC_DMARC_DKIM_MAX

/* The DMARC outcome of a message as the milter reports and acts on it. */
struct message_dmarc {
	bool evaluated;			/* a result below is meaningful */
	struct spfdmarc_dmarc_result res;
	const char *why;		/* a milter-level reason (From), or NULL */
};

struct message {
	struct spfdmarc_arena *arena;	/* reset between messages */
	bool active;			/* between MAIL FROM and eom/abort */
	bool skip;			/* not evaluated (authenticated) */
	bool failed;			/* internal failure: see OnInternalError */
	const char *fail_why;
	struct timespec start;
	struct spfdmarc_dns_ctx *dns;	/* this message's lookups */
	const char *qid;
	const char *mailfrom;		/* without <>; "" for the null sender */
	const char *mailfrom_domain;	/* or NULL */

	bool spf_done;
	struct spfdmarc_spf_response *spf;

	/* From fields, in order. */
	const char *from[MESSAGE_FROM_MAX];
	size_t from_len[MESSAGE_FROM_MAX];
	size_t nfrom;			/* fields seen (may exceed the kept) */
	struct spfdmarc_dmarc *discovery;	/* started at the first From */
	const char *discovery_domain;

	/* Authentication-Results fields. */
	size_t nar;			/* seen, for smfi_chgheader indexes */
	size_t forged[MESSAGE_AR_MAX];	/* indexes (1-based) to delete */
	size_t nforged;
	const char *trusted_ar[MESSAGE_AR_MAX];	/* A-R from trusted ids */
	size_t trusted_ar_len[MESSAGE_AR_MAX];
	size_t ntrusted_ar;
	const char *dkim_pass[MESSAGE_DKIM_MAX];	/* their DKIM passes */
	size_t ndkim_pass;

	struct message_dmarc dmarc;
};

struct session {
	struct conf *cfg;		/* the snapshot this connection uses */
	struct spfdmarc_arena *arena;	/* connection lifetime */
	unsigned long pflags;		/* negotiated SMFIP_* flags */
	bool ignored;			/* IgnoreHosts or no IP client */
	bool have_addr;
	struct spfdmarc_addr addr;
	char addr_text[SPFDMARC_ADDR_STRLEN];
	const char *client_name;
	const char *helo;		/* or NULL before HELO */
	const char *authserv_id;
	bool helo_spf_done;
	struct spfdmarc_spf_response *helo_spf;
	unsigned messages;
	struct message msg;
};

/* The session of ctx, created on first use (NULL when out of memory). */
struct session *session_get(SMFICTX *ctx);

sfsistat session_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long *pf0, unsigned long *pf1);
sfsistat session_connect(SMFICTX *ctx, const char *hostname,
    const struct sockaddr *sa);
sfsistat session_helo(SMFICTX *ctx, const char *helo);
sfsistat session_envfrom(SMFICTX *ctx, char **argv);
/* RCPT and DATA: nothing to do but answer (asked for over TCP only, see
 * session_negotiate). */
sfsistat session_rcpt(SMFICTX *ctx);
sfsistat session_data(SMFICTX *ctx);
sfsistat session_header(SMFICTX *ctx, const char *name, const char *value);
sfsistat session_eom(SMFICTX *ctx);
sfsistat session_abort(SMFICTX *ctx);
sfsistat session_close(SMFICTX *ctx);

/* The reply to use for a callback that has nothing to say: NOREPLY when
 * the MTA agreed to no reply for that step, else CONTINUE. */
sfsistat session_noreply(const struct session *s, unsigned long nr_flag);

/* End the message: free its DNS context, reset its arena. */
void message_end(struct session *s);

#endif
