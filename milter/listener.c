/*
 * listener.c: the socket the MTA connects to.
 *
 * libmilter creates, binds and listens on it (smfi_opensocket) while the
 * process still has the privileges a low port or a socket directory may
 * need; then a unix socket gets its owner (UserID) and mode (SocketMode).
 *
 * TCP sockets get TCP_NODELAY. The milter protocol is a dialogue of small
 * packets, and at end of message the filter writes several in a row
 * (header changes, then the verdict). With Nagle's algorithm each write
 * after the first waits for the MTA's ACK of the one before, and the MTA
 * delays that ACK (Linux: 40 ms) since it has nothing to send until the
 * verdict comes: ~44 ms lost per message over inet: sockets. libmilter
 * never sets the option and does not expose its listening descriptor, so
 * it is found here: the only listening TCP socket of the process at this
 * point, checked against the configured port with getsockname(). Linux
 * copies TCP_NODELAY from a listening socket to each accepted one
 * (tcp(7): accepted sockets inherit the listener's options).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listener.h"
#include "mfapi.h"
#include "mlog.h"

#define LISTENER_FD_SCAN_MAX	1024	/* without /proc: descriptors tried */

const char *
listener_unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

int
listener_inet_port(const char *spec)
{
	const char *p;
	char *end;
	long port;

	if (strncmp(spec, "inet:", 5) == 0)
		p = spec + 5;
	else if (strncmp(spec, "inet6:", 6) == 0)
		p = spec + 6;
	else
		return -1;
	errno = 0;
	port = strtol(p, &end, 10);
	if (errno != 0 || end == p || (*end != '@' && *end != '\0') ||
	    port < 0 || port > 65535)
		return 0;	/* a service name: any port will do */
	return (int)port;
}

/* Is fd a listening TCP socket on port (0: any port)? */
static bool
listener_is_ours(int fd, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct stat st;
	int v;
	socklen_t vlen = sizeof(v);
	int bound;

	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen) != 0 ||
	    v == 0)
		return false;
	vlen = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &vlen) != 0 ||
	    v != SOCK_STREAM)
		return false;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return false;
	if (ss.ss_family == AF_INET)
		bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return false;
	return port == 0 || bound == port;
}

static int
listener_set_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
		mlog_warn("TCP_NODELAY on the listening socket");
		return -1;
	}
	mlog_debug("TCP_NODELAY set on the listening socket (fd %d)", fd);
	return 0;
}

int
listener_nodelay(const char *spec)
{
	int port = listener_inet_port(spec);
	int found = 0;
	DIR *d;
	struct dirent *de;

	if (port < 0)
		return 0;	/* not TCP */
	d = opendir("/proc/self/fd");
	if (d != NULL) {
		int dfd = dirfd(d);

		while ((de = readdir(d)) != NULL) {
			char *end;
			long fd = strtol(de->d_name, &end, 10);

			if (end == de->d_name || *end != '\0' || fd < 0 ||
			    fd == dfd || fd > INT_MAX)
				continue;
			if (listener_is_ours((int)fd, port) &&
			    listener_set_nodelay((int)fd) == 0)
				found++;
		}
		(void)closedir(d);
	} else {
		for (int fd = 0; fd < LISTENER_FD_SCAN_MAX; fd++)
			if (listener_is_ours(fd, port) &&
			    listener_set_nodelay(fd) == 0)
				found++;
	}
	if (found == 0) {
		mlog_warnx("%s: listening socket not found: TCP_NODELAY not "
		    "set (expect ~40 ms more per message)", spec);
		return -1;
	}
	return 0;
}

void
listener_open(const struct conf *cfg, const struct privdrop_ids *ids)
{
	const char *path = listener_unix_path(cfg->socket);

	if (smfi_setconn(mfapi_str(cfg->socket)) != MI_SUCCESS)
		fatalx("Socket %s: not usable", cfg->socket);
	if (smfi_opensocket(true) != MI_SUCCESS)
		fatalx("cannot open socket %s", cfg->socket);
	if (path == NULL) {
		(void)listener_nodelay(cfg->socket);
		return;
	}
	if (ids != NULL && chown(path, ids->uid, ids->gid) != 0)
		fatal("chown %s", path);
	if (chmod(path, cfg->socket_mode) != 0)
		fatal("chmod %s", path);
}
