/*
 * nullfilter.c: a do-nothing libmilter filter, the benchmark's ceiling.
 *
 * usage: nullfilter -p SOCKETSPEC [-T timeout_s] [-P PIDFILE] [-H] [-N]
 *
 * It asks for the same steps a DMARC filter needs (connect, helo, mail,
 * rcpt, headers, end of headers, end of message; no body), answers every
 * one with SMFIS_CONTINUE and keeps no state. What it reaches under the
 * load generator is what libmilter, the socket and the load generator
 * leave for any filter on this machine. SIGTERM ends it (smfi_stop via
 * libmilter's own signal handling).
 *
 * -H adds one header at end of message, as every real filter does.
 * -N sets TCP_NODELAY on libmilter's listening socket (libmilter offers
 *    no hook: the socket is found among the open descriptors after
 *    smfi_opensocket()). Over inet: sockets, a filter that writes several
 *    packets at end of message (header changes, then the verdict) has the
 *    later ones held by Nagle's algorithm until the MTA's delayed ACK
 *    (~40 ms); spfdmarc-milter and OpenDMARC both show it in the bench.
 *    TCP_NODELAY on the filter's accepted sockets removes it.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

static bool nf_addheader;	/* -H; set before smfi_main() */

static sfsistat
nf_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f0;
	(void)f2;
	(void)f3;
	*pf0 = 0;
	*pf1 = (SMFIP_NOBODY | SMFIP_NOUNKNOWN) & f1;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)ctx;
	(void)host;
	(void)sa;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_helo(SMFICTX *ctx, char *helo)
{
	(void)ctx;
	(void)helo;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_envelope(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_ctx(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_eom(SMFICTX *ctx)
{
	static char name[] = "X-Nullfilter";
	static char value[] = "seen";

	if (nf_addheader)
		(void)smfi_addheader(ctx, name, value);
	return SMFIS_CONTINUE;
}

/* TCP_NODELAY on every listening TCP socket this process has. */
static int
nodelay_listeners(void)
{
	int fd, on = 1, acc, n = 0;
	socklen_t len;
	struct sockaddr_storage ss;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(acc);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0 ||
		    !acc)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on)) == 0)
			n++;
	}
	return n;
}

static char nf_name[] = "nullfilter";

static struct smfiDesc nf_desc = {
	.xxfi_name = nf_name,
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS,
	.xxfi_connect = nf_connect,
	.xxfi_helo = nf_helo,
	.xxfi_envfrom = nf_envelope,
	.xxfi_envrcpt = nf_envelope,
	.xxfi_header = nf_header,
	.xxfi_eoh = nf_ctx,
	.xxfi_eom = nf_eom,
	.xxfi_abort = nf_ctx,
	.xxfi_close = nf_ctx,
	.xxfi_data = nf_ctx,
	.xxfi_negotiate = nf_negotiate,
};

int
main(int argc, char **argv)
{
	const char *spec = NULL, *pidfile = NULL;
	char conn[1024];
	int ch, timeout = 30;
	bool nodelay = false;
	FILE *f;

	while ((ch = getopt(argc, argv, "p:T:P:HN")) != -1) {
		switch (ch) {
		case 'p': spec = optarg; break;
		case 'P': pidfile = optarg; break;
		case 'T': timeout = atoi(optarg); break;
		case 'H': nf_addheader = true; break;
		case 'N': nodelay = true; break;
		default: goto usage;
		}
	}
	if (spec == NULL || optind != argc || timeout <= 0)
		goto usage;
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0)
		(void)unlink(strchr(spec, ':') + 1);
	if (strlcpy(conn, spec, sizeof(conn)) >= sizeof(conn) ||
	    smfi_setconn(conn) != MI_SUCCESS ||
	    smfi_settimeout(timeout) != MI_SUCCESS ||
	    smfi_setbacklog(1024) != MI_SUCCESS ||
	    smfi_register(nf_desc) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "nullfilter: cannot set up %s\n", spec);
		return 1;
	}
	if (nodelay && nodelay_listeners() == 0)
		fprintf(stderr, "nullfilter: no TCP listener for -N\n");
	if (pidfile != NULL) {
		if ((f = fopen(pidfile, "w")) == NULL) {
			perror(pidfile);
			return 1;
		}
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
usage:
	fprintf(stderr, "usage: nullfilter -p SOCKETSPEC [-T timeout_s] "
	    "[-P PIDFILE] [-H] [-N]\n");
	return 2;
}
