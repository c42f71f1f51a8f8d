/*
 * dnsdelay -- a tiny delaying DNS relay for the dnsworld test harness.
 *
 *   dnsdelay -u UPSTREAM_PORT [-a ADDR] [-l LISTEN_PORT] [-d MS]
 *            [-f DELAY_FILE] [-P PIDFILE] [-o PORTFILE]
 *
 * Listens on ADDR (default 127.0.0.1, IPv4 only) on UDP and TCP, same port: LISTEN_PORT or,
 * when it is 0 (the default), a free port chosen by the kernel that is free for both UDP and
 * TCP; that port is written to PORTFILE. Every query is relayed to ADDR:UPSTREAM_PORT at once,
 * and the answer is held MS milliseconds before it goes back to the client (UDP: per
 * datagram, from an event loop; TCP: per message, one thread per connection). MS < 0 drops
 * every answer (for timeout tests). On SIGHUP the delay is re-read from DELAY_FILE (one
 * integer). SIGTERM/SIGINT end the process.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXPEND 1024          /* UDP queries in flight */
#define UPSTREAM_TIMEOUT 10000 /* ms before an unanswered UDP query is forgotten */

struct pend {
	int fd;                   /* upstream socket while waiting, -1 otherwise */
	int used;
	struct sockaddr_in client;
	unsigned char *buf;       /* the answer, once received */
	size_t len;
	int64_t sent;             /* ms, when relayed upstream */
	int64_t due;              /* ms, when the answer goes out (fd == -1) */
};

static atomic_int g_delay;
static struct sockaddr_in g_up;
static const char *g_delayfile;
static volatile sig_atomic_t g_stop, g_reload;
static struct pend g_pend[MAXPEND];

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		g_reload = 1;
	else
		g_stop = 1;
}

static void reload_delay(void)
{
	FILE *f;
	long v;

	if (!g_delayfile || !(f = fopen(g_delayfile, "r")))
		return;
	if (fscanf(f, "%ld", &v) == 1) {
		atomic_store(&g_delay, (int)v);
		fprintf(stderr, "dnsdelay: delay now %ld ms\n", v);
	}
	fclose(f);
}

static int write_file(const char *path, long value)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -1;
	if (!(f = fopen(tmp, "w")))
		return -1;
	fprintf(f, "%ld\n", value);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

/* read or write exactly n bytes; 0 on success */
static int io_full(int fd, unsigned char *p, size_t n, int writing)
{
	while (n > 0) {
		ssize_t r = writing ? write(fd, p, n) : read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* one DNS-over-TCP message (2-byte length prefix included) into buf; returns total or -1 */
static ssize_t read_msg(int fd, unsigned char *buf)
{
	size_t len;

	if (io_full(fd, buf, 2, 0) != 0)
		return -1;
	len = ((size_t)buf[0] << 8) | buf[1];
	if (io_full(fd, buf + 2, len, 0) != 0)
		return -1;
	return (ssize_t)len + 2;
}

static void *tcp_conn(void *arg)
{
	int cfd = (int)(intptr_t)arg, ufd;
	unsigned char *buf = malloc(65537);
	ssize_t n;

	ufd = socket(AF_INET, SOCK_STREAM, 0);
	if (!buf || ufd < 0 || connect(ufd, (struct sockaddr *)&g_up, sizeof g_up) != 0)
		goto out;
	for (;;) {
		int d;
		if ((n = read_msg(cfd, buf)) < 0)
			break;
		if (io_full(ufd, buf, (size_t)n, 1) != 0)
			break;
		if ((n = read_msg(ufd, buf)) < 0)
			break;
		d = atomic_load(&g_delay);
		if (d < 0)
			continue; /* drop the answer */
		sleep_ms(d);
		if (io_full(cfd, buf, (size_t)n, 1) != 0)
			break;
	}
out:
	if (ufd >= 0)
		close(ufd);
	close(cfd);
	free(buf);
	return NULL;
}

static void free_pend(struct pend *p)
{
	if (p->fd >= 0)
		close(p->fd);
	free(p->buf);
	memset(p, 0, sizeof *p);
	p->fd = -1;
}

static void udp_query(int lfd)
{
	unsigned char buf[65536];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n;
	int i, fd;

	n = recvfrom(lfd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return;
	for (i = 0; i < MAXPEND && g_pend[i].used; i++)
		;
	if (i == MAXPEND)
		return; /* overloaded: drop */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&g_up, sizeof g_up) != 0 || send(fd, buf, (size_t)n, 0) != n) {
		close(fd);
		return;
	}
	g_pend[i].used = 1;
	g_pend[i].fd = fd;
	g_pend[i].client = from;
	g_pend[i].sent = now_ms();
}

static void udp_answer(struct pend *p)
{
	unsigned char buf[65536];
	ssize_t n = recv(p->fd, buf, sizeof buf, 0);
	int d = atomic_load(&g_delay);

	if (n <= 0 || d < 0 || !(p->buf = malloc((size_t)n))) {
		free_pend(p);
		return;
	}
	memcpy(p->buf, buf, (size_t)n);
	p->len = (size_t)n;
	close(p->fd);
	p->fd = -1;
	p->due = now_ms() + d;
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1", *pidfile = NULL, *portfile = NULL;
	int upport = 0, lport = 0, c, i, ufd = -1, tfd = -1, one = 1, attempt;
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	struct sigaction sig;
	sigset_t block, old;
	static struct pollfd pfd[MAXPEND + 2];
	static int pidx[MAXPEND + 2];

	while ((c = getopt(argc, argv, "a:u:l:d:f:P:o:")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'u': upport = atoi(optarg); break;
		case 'l': lport = atoi(optarg); break;
		case 'd': atomic_store(&g_delay, atoi(optarg)); break;
		case 'f': g_delayfile = optarg; break;
		case 'P': pidfile = optarg; break;
		case 'o': portfile = optarg; break;
		default:
			fprintf(stderr, "usage: dnsdelay -u UPSTREAM_PORT [-a ADDR] [-l PORT] [-d MS] "
			                "[-f DELAYFILE] [-P PIDFILE] [-o PORTFILE]\n");
			return 2;
		}
	}
	memset(&g_up, 0, sizeof g_up);
	g_up.sin_family = AF_INET;
	g_up.sin_port = htons((uint16_t)upport);
	if (upport <= 0 || upport > 65535 || inet_pton(AF_INET, addr, &g_up.sin_addr) != 1) {
		fprintf(stderr, "dnsdelay: bad -a/-u\n");
		return 2;
	}
	for (i = 0; i < MAXPEND; i++)
		g_pend[i].fd = -1;

	/* UDP and TCP on the same port: let the kernel pick the UDP one, retry if TCP clashes */
	for (attempt = 0; attempt < 100; attempt++) {
		sa = g_up;
		sl = sizeof sa;
		sa.sin_port = htons((uint16_t)lport);
		ufd = socket(AF_INET, SOCK_DGRAM, 0);
		if (ufd < 0 || bind(ufd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
		    getsockname(ufd, (struct sockaddr *)&sa, &sl) != 0) {
			perror("dnsdelay: udp bind");
			return 1;
		}
		tfd = socket(AF_INET, SOCK_STREAM, 0);
		if (tfd >= 0 && setsockopt(tfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
		    bind(tfd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(tfd, 64) == 0)
			break;
		if (tfd >= 0)
			close(tfd);
		close(ufd);
		tfd = ufd = -1;
		if (lport != 0)
			break;
	}
	if (tfd < 0) {
		perror("dnsdelay: tcp bind");
		return 1;
	}

	memset(&sig, 0, sizeof sig);
	sig.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGHUP, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);

	if ((pidfile && write_file(pidfile, (long)getpid()) != 0) ||
	    (portfile && write_file(portfile, (long)ntohs(sa.sin_port)) != 0)) {
		perror("dnsdelay: writing pid/port file");
		return 1;
	}
	fprintf(stderr, "dnsdelay: %s@%d -> %s@%d, delay %d ms\n", addr, ntohs(sa.sin_port), addr,
	        upport, atomic_load(&g_delay));

	while (!g_stop) {
		int n = 0, timeout = 1000;
		int64_t now = now_ms();

		if (g_reload) {
			g_reload = 0;
			reload_delay();
		}
		/* send what is due, expire what upstream never answered */
		for (i = 0; i < MAXPEND; i++) {
			struct pend *p = &g_pend[i];
			if (!p->used)
				continue;
			if (p->fd < 0 && p->due <= now) {
				sendto(ufd, p->buf, p->len, 0, (struct sockaddr *)&p->client, sizeof p->client);
				free_pend(p);
			} else if (p->fd >= 0 && now - p->sent > UPSTREAM_TIMEOUT) {
				free_pend(p);
			} else if (p->fd < 0 && p->due - now < timeout) {
				timeout = (int)(p->due - now);
			}
		}
		pfd[n].fd = ufd; pfd[n].events = POLLIN; pidx[n++] = -1;
		pfd[n].fd = tfd; pfd[n].events = POLLIN; pidx[n++] = -2;
		for (i = 0; i < MAXPEND; i++) {
			if (g_pend[i].used && g_pend[i].fd >= 0) {
				pfd[n].fd = g_pend[i].fd; pfd[n].events = POLLIN; pidx[n++] = i;
			}
		}
		if (poll(pfd, (nfds_t)n, timeout) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			if (pidx[i] == -1) {
				udp_query(ufd);
			} else if (pidx[i] == -2) {
				int cfd = accept(tfd, NULL, NULL);
				pthread_t t;
				if (cfd < 0)
					continue;
				/* signals go to this thread only (threads inherit the blocked mask) */
				pthread_sigmask(SIG_BLOCK, &block, &old);
				if (pthread_create(&t, NULL, tcp_conn, (void *)(intptr_t)cfd) != 0)
					close(cfd);
				else
					pthread_detach(t);
				pthread_sigmask(SIG_SETMASK, &old, NULL);
			} else {
				udp_answer(&g_pend[pidx[i]]);
			}
		}
	}
	if (pidfile)
		unlink(pidfile);
	return 0;
}
