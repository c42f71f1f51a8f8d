/*
 * main.c: spfdmarc-milter start-up, signals and shut-down.
 *
 * Start-up order (everything that needs root first, then the drop):
 * configuration, log, fork into the background, socket (listener.c:
 * smfi_opensocket, then its mode and owner, or TCP_NODELAY), resolver
 * and trust anchor, PID file, drop to UserID, install the configuration,
 * start libmilter's loop in its own thread. fatal() is allowed up to that
 * point and never after.
 *
 * Signals: the main thread is the only one with SIGHUP, SIGTERM, SIGINT
 * and SIGUSR2 unblocked (every other thread is created with them
 * blocked), so Linux delivers those process-directed signals to it and
 * never to libmilter's own signal thread, which would stop the filter on
 * SIGHUP. A handler writes the signal number to a pipe; the main thread
 * reads it: SIGHUP reloads the configuration (a bad file is logged and
 * the old configuration kept; connections in flight keep theirs),
 * SIGTERM/SIGINT stop libmilter, SIGUSR2 means libmilter's loop ended.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callbacks.h"
#include "conf.h"
#include "listener.h"
#include "mfapi.h"
#include "mlog.h"
#include "privdrop.h"
#include "spfdmarc/dns_unbound.h"
#include "spfdmarc/err.h"

/* Signal plumbing: written once before any thread exists, then only
 * read. */
static int sigpipe_fd[2] = { -1, -1 };

struct options {
	const char *config;
	bool config_given;
	const char *socket;
	bool foreground;
	bool check;
	bool verbose;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: spfdmarc-milter [-fnvhV] [-c FILE] [-p SOCKET]\n"
	    "  -c FILE    configuration file (default %s)\n"
	    "  -f         stay in the foreground, log to stderr too\n"
	    "  -n         check the configuration and exit\n"
	    "  -v         with -n: print the effective configuration\n"
	    "  -p SOCKET  listen here (overrides Socket)\n"
	    "  -V         print the version and exit\n",
	    CONF_DEFAULT_FILE);
}

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	(void)write(sigpipe_fd[1], &c, 1);
	errno = saved;
}

static void
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGUSR2);
	if (pthread_sigmask(SIG_BLOCK, set, NULL) != 0)
		fatalx("pthread_sigmask failed");
}

static void
install_handlers(const sigset_t *set)
{
	struct sigaction sa;
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR2 };

	if (pipe2(sigpipe_fd, O_CLOEXEC) != 0)
		fatal("pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			fatal("sigaction");
	/* SIGPIPE: a peer gone is an error return, not a death. */
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)set;
}

static struct spfdmarc_dns *
open_resolver(const struct conf *cfg)
{
	struct spfdmarc_dns_unbound_options o;
	struct spfdmarc_dns *dns = NULL;
	char err[512];
	int rc;

	memset(&o, 0, sizeof(o));
	o.forwarders = cfg->forwarders;
	o.nforwarders = cfg->nforwarders;
	o.dnssec_off = !cfg->dnssec;
	o.trust_anchor_file = cfg->dnssec ? cfg->trust_anchor_file : NULL;
	o.unbound_conf = cfg->unbound_config;
	o.resolver_threads = cfg->dns_threads;
	err[0] = '\0';
	rc = spfdmarc_dns_unbound_new(&dns, &o, err, sizeof(err));
	if (rc != 0)
		fatalx("resolver: %s", err[0] != '\0' ? err :
		    spfdmarc_strerror(rc));
	return dns;
}

static void
write_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fatal("PidFile %s", path);
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (n < 0 || write(fd, buf, (size_t)n) != n || close(fd) != 0)
		fatal("PidFile %s", path);
}

/* Fork into the background. The parent waits until the child says it
 * is ready (one byte on a pipe) or dies, so an init script sees start-up
 * errors in the exit status. Returns the child's end of the pipe. */
static int
daemonize(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) != 0)
		fatal("pipe");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		(void)close(p[1]);
		if (read(p[0], &c, 1) == 1)
			_exit(0);
		fprintf(stderr, "spfdmarc-milter: start-up failed "
		    "(see the log)\n");
		_exit(1);
	}
	(void)close(p[0]);
	if (setsid() < 0)
		fatal("setsid");
	if (chdir("/") != 0)
		fatal("chdir /");
	return p[1];
}

static void
detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void)close(fd);
}

static void *
milter_thread(void *arg)
{
	pthread_t main_thread = *(pthread_t *)arg;
	int rc = smfi_main();

	if (rc != MI_SUCCESS)
		mlog_errx("the milter loop failed");
	(void)pthread_kill(main_thread, SIGUSR2);
	return NULL;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* SIGHUP: a new snapshot for new connections. */
static void
reload(const struct options *opt)
{
	struct conf *old = conf_acquire();
	struct conf *cfg;
	char err[CONF_ERR_MAX];

	cfg = conf_load(opt->config, !opt->config_given, err, sizeof(err));
	if (cfg != NULL && opt->socket != NULL &&
	    conf_set(cfg, "Socket", opt->socket, err, sizeof(err)) != 0) {
		conf_release(cfg);
		cfg = NULL;
	}
	if (cfg == NULL) {
		mlog_errx("reload: %s; keeping the current configuration", err);
		conf_release(old);
		return;
	}
	/* These are used at start-up only. */
	if (!same_str(cfg->socket, old->socket) ||
	    !same_str(cfg->user, old->user) ||
	    !same_str(cfg->pidfile, old->pidfile) ||
	    !same_str(cfg->unbound_config, old->unbound_config) ||
	    !same_str(cfg->trust_anchor_file, old->trust_anchor_file) ||
	    cfg->dnssec != old->dnssec || cfg->nforwarders != old->nforwarders)
		mlog_warnx("reload: Socket, UserID, PidFile and resolver "
		    "settings take effect at the next restart");
	cfg->dns = old->dns;
	cfg->hostname = conf_strdup(cfg, old->hostname);
	/* The socket in use, whatever the file says now (the negotiation
	 * depends on its kind). */
	cfg->socket = conf_strdup(cfg, old->socket);
	if (cfg->hostname == NULL || cfg->socket == NULL) {
		mlog_errx("reload: out of memory; keeping the current "
		    "configuration");
		conf_release(cfg);
		conf_release(old);
		return;
	}
	mlog_set_level(cfg->log_level);
	conf_install(cfg);
	mlog_info("configuration reloaded from %s", cfg->file != NULL ?
	    cfg->file : "defaults");
	conf_release(old);
}

int
main(int argc, char **argv)
{
	struct options opt = { .config = CONF_DEFAULT_FILE };
	struct privdrop_ids ids;
	bool have_ids = false;
	struct conf *cfg;
	char err[CONF_ERR_MAX], host[256];
	sigset_t set;
	pthread_t main_tid, tid;
	int ready_fd = -1, ch;
	bool running = true;

	/* Before any thread exists: every thread inherits this mask. */
	block_signals(&set);
	mlog_open(false, 0, true);

	while ((ch = getopt(argc, argv, "c:fhnp:vV")) != -1) {
		switch (ch) {
		case 'c':
			opt.config = optarg;
			opt.config_given = true;
			break;
		case 'f':
			opt.foreground = true;
			break;
		case 'n':
			opt.check = true;
			break;
		case 'p':
			opt.socket = optarg;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'V':
			printf("spfdmarc-milter %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	cfg = conf_load(opt.config, !opt.config_given, err, sizeof(err));
	if (cfg == NULL)
		fatalx("%s", err);
	if (opt.socket != NULL &&
	    conf_set(cfg, "Socket", opt.socket, err, sizeof(err)) != 0)
		fatalx("-p: %s", err);
	if (cfg->user != NULL) {
		if (privdrop_lookup(cfg->user, &ids, err, sizeof(err)) != 0)
			fatalx("%s", err);
		have_ids = true;
	}
	if (opt.check) {
		if (opt.verbose)
			conf_dump(cfg, stdout);
		printf("%s: OK\n", cfg->file != NULL ? cfg->file :
		    "defaults (no configuration file)");
		conf_release(cfg);
		return 0;
	}
	if (gethostname(host, sizeof(host)) != 0)
		(void)strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	cfg->hostname = conf_strdup(cfg, host);
	if (cfg->hostname == NULL)
		fatalx("out of memory");

	mlog_open(cfg->syslog, cfg->syslog_facility, opt.foreground);
	mlog_set_level(cfg->log_level);
	if (!opt.foreground)
		ready_fd = daemonize();

	if (smfi_register(callbacks_desc) != MI_SUCCESS)
		fatalx("smfi_register failed");
	listener_open(cfg, have_ids ? &ids : NULL);
	cfg->dns = open_resolver(cfg);
	if (cfg->pidfile != NULL)
		write_pidfile(cfg->pidfile);
	if (have_ids && privdrop_apply(&ids, err, sizeof(err)) != 0)
		fatalx("UserID %s: %s", cfg->user, err);
	conf_install(cfg);
	install_handlers(&set);

	main_tid = pthread_self();
	if (pthread_create(&tid, NULL, milter_thread, &main_tid) != 0)
		fatalx("cannot start the milter thread");
	/* From here on, signals come to this thread only (see above). */
	if (pthread_sigmask(SIG_UNBLOCK, &set, NULL) != 0)
		mlog_errx("pthread_sigmask: signals stay blocked");
	mlog_info("spfdmarc-milter %s started on %s", PACKAGE_VERSION,
	    cfg->socket);
	if (ready_fd >= 0) {
		char c = 1;

		(void)write(ready_fd, &c, 1);
		(void)close(ready_fd);
		detach_stdio();
	}

	while (running) {
		unsigned char sig;
		ssize_t n = read(sigpipe_fd[0], &sig, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			break;
		switch (sig) {
		case SIGHUP:
			reload(&opt);
			break;
		case SIGTERM:
		case SIGINT:
			mlog_info("stopping");
			(void)smfi_stop();
			break;
		case SIGUSR2:
			running = false;
			break;
		default:
			break;
		}
	}
	(void)pthread_join(tid, NULL);
	cfg = conf_acquire();
	if (cfg != NULL && cfg->pidfile != NULL)
		(void)unlink(cfg->pidfile);
	conf_release(cfg);
	mlog_info("stopped");
	return 0;
}
