/*
 * callbacks.c: the libmilter callbacks. Each is one line that hands the
 * step to session.c, which owns the state; nothing is decided here.
 */
#include "config.h"

#include "callbacks.h"
#include "session.h"

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	*pf2 = 0;
	*pf3 = 0;
	return session_negotiate(ctx, f0, f1, pf0, pf1);
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	return session_connect(ctx, hostname, sa);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	return session_helo(ctx, helo);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	return session_envfrom(ctx, argv);
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return session_rcpt(ctx);
}

static sfsistat
cb_data(SMFICTX *ctx)
{
	return session_data(ctx);
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	return session_header(ctx, name, value);
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	return session_eom(ctx);
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	return session_abort(ctx);
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	return session_close(ctx);
}

static char callbacks_name[] = "spfdmarc-milter";

struct smfiDesc callbacks_desc = {
	.xxfi_name = callbacks_name,
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE |
	    SMFIF_SETSYMLIST,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = NULL,
	.xxfi_body = NULL,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_unknown = NULL,
	.xxfi_data = cb_data,
	.xxfi_negotiate = cb_negotiate,
};
