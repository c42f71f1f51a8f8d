/*
 * suite_cli.c: run one suite case through `spfdmarc spf` over real DNS
 * (NSD on loopback, libunbound forwarding to it) and read back what it
 * printed: the result token on the first line, then "explanation: ",
 * "reason: " and "mechanism: " lines.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "suite.h"

#define CLI_ARGS_MAX	32

void
suite_escape(const char *s, size_t len, char *out, size_t outsize)
{
	size_t o = 0;

	if (outsize == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		char tmp[5];
		size_t n;

		if (ch == '\\') {
			tmp[0] = '\\';
			tmp[1] = '\\';
			n = 2;
		} else if (ch >= 0x20 && ch < 0x7f) {
			tmp[0] = (char)ch;
			n = 1;
		} else {
			(void)snprintf(tmp, sizeof(tmp), "\\x%02x", ch);
			n = 4;
		}
		if (o + n >= outsize)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = '\0';
}

/* Copy the value of the line "key: value" of text into out. */
static void
suite_cli_field(const char *text, const char *key, char *out, size_t outsize)
{
	size_t klen = strlen(key);
	const char *p = text;

	out[0] = '\0';
	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		if (len >= klen + 2 && memcmp(p, key, klen) == 0 &&
		    p[klen] == ':' && p[klen + 1] == ' ') {
			size_t n = len - klen - 2;

			if (n >= outsize)
				n = outsize - 1;
			memcpy(out, p + klen + 2, n);
			out[n] = '\0';
			return;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
}

static double
suite_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
suite_cli_run(const struct suite_cli *cli, const struct suite_test *t,
    struct suite_cli_result *out)
{
	char resolver[64], conf[4096], timeout[32];
	const char *argv[CLI_ARGS_MAX];
	char stdout_buf[8192], stderr_buf[4096];
	size_t nout = 0, nerr = 0;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, argc = 0, status;
	double deadline;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->status = -1;
	if (strlen(t->mailfrom.s) != t->mailfrom.len ||
	    strlen(t->helo.s) != t->helo.len) {
		(void)snprintf(out->output, sizeof(out->output),
		    "a NUL byte in mailfrom or helo cannot be passed as an "
		    "argument");
		return -1;
	}
	(void)snprintf(resolver, sizeof(resolver), "127.0.0.1@%u",
	    cli->nsd_port);
	(void)snprintf(conf, sizeof(conf), "%s/unbound.conf", cli->dir);
	(void)snprintf(timeout, sizeof(timeout), "%g", cli->timeout_s);
	argv[argc++] = cli->program;
	argv[argc++] = "spf";
	argv[argc++] = "--resolver";
	argv[argc++] = resolver;
	argv[argc++] = "--unbound-conf";
	argv[argc++] = conf;
	argv[argc++] = "--no-dnssec";
	argv[argc++] = "--timeout";
	argv[argc++] = timeout;
	argv[argc++] = "--ip";
	argv[argc++] = t->host;
	argv[argc++] = "--sender";
	argv[argc++] = t->mailfrom.s;
	argv[argc++] = "--helo";
	argv[argc++] = t->helo.s;
	argv[argc++] = "--default-explanation";
	argv[argc++] = "DEFAULT";
	argv[argc] = NULL;

	if (pipe(po) != 0 || pipe(pe) != 0) {
		(void)snprintf(out->output, sizeof(out->output), "pipe: %s",
		    strerror(errno));
		goto fail;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		(void)snprintf(out->output, sizeof(out->output), "fork: %s",
		    strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		(void)dup2(po[1], STDOUT_FILENO);
		(void)dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		{
			/* execv() does not change the strings. */
			char *av[CLI_ARGS_MAX];

			memcpy(av, argv, sizeof(av));
			execv(cli->program, av);
		}
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;

	/* Read both until they close; a hung CLI is killed. */
	deadline = suite_now() + cli->timeout_s * 4 + 20;
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = po[0], .events = POLLIN },
			{ .fd = pe[0], .events = POLLIN },
		};
		int left = (int)((deadline - suite_now()) * 1000);

		if (po[0] < 0 && pe[0] < 0)
			break;
		if (left <= 0) {
			(void)kill(pid, SIGKILL);
			break;
		}
		if (poll(fds, 2, left) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &po[0] : &pe[0];
			char *buf = i == 0 ? stdout_buf : stderr_buf;
			size_t *n = i == 0 ? &nout : &nerr;
			size_t cap = i == 0 ? sizeof(stdout_buf) :
			    sizeof(stderr_buf);
			char sink[512];
			ssize_t r;

			if (*fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			if (*n + 1 < cap)
				r = read(*fd, buf + *n, cap - 1 - *n);
			else
				r = read(*fd, sink, sizeof(sink));
			if (r <= 0) {
				close(*fd);
				*fd = -1;
			} else if (*n + 1 < cap) {
				*n += (size_t)r;
			}
		}
	}
	stdout_buf[nout] = '\0';
	stderr_buf[nerr] = '\0';
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	if (waitpid(pid, &status, 0) == pid)
		out->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	{
		const char *eol = strchr(stdout_buf, '\n');
		size_t n = eol != NULL ? (size_t)(eol - stdout_buf) :
		    strlen(stdout_buf);

		if (n >= sizeof(out->result))
			n = sizeof(out->result) - 1;
		memcpy(out->result, stdout_buf, n);
		out->result[n] = '\0';
	}
	suite_cli_field(stdout_buf, "explanation", out->explanation,
	    sizeof(out->explanation));
	suite_cli_field(stdout_buf, "reason", out->reason,
	    sizeof(out->reason));
	suite_cli_field(stdout_buf, "mechanism", out->mechanism,
	    sizeof(out->mechanism));
	(void)snprintf(out->output, sizeof(out->output), "%s%s%s",
	    stdout_buf, nerr > 0 ? "stderr: " : "", stderr_buf);
	return out->status == 0 ? 0 : -1;

fail:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return -1;
}
