/*
 * mlog.c: syslog and stderr logging for spfdmarc-milter.
 *
 * The destination is chosen once at start-up, before any thread; only
 * the level may change later (a reload), so it is an atomic.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "mlog.h"

#define MLOG_MSG_MAX	2048

static bool mlog_syslog;
static bool mlog_stderr = true;
static atomic_int mlog_level = SPFDMARC_LOG_INFO;

static int
mlog_priority(enum spfdmarc_log_level level)
{
	switch (level) {
	case SPFDMARC_LOG_ERROR:	return LOG_ERR;
	case SPFDMARC_LOG_WARNING:	return LOG_WARNING;
	case SPFDMARC_LOG_INFO:		return LOG_INFO;
	case SPFDMARC_LOG_DEBUG:	return LOG_DEBUG;
	}
	return LOG_INFO;
}

static void
mlog_write(enum spfdmarc_log_level level, const char *msg)
{
	if (mlog_syslog)
		syslog(mlog_priority(level), "%s", msg);
	if (mlog_stderr)
		fprintf(stderr, "spfdmarc-milter: %s%s\n",
		    level == SPFDMARC_LOG_ERROR ? "error: " :
		    level == SPFDMARC_LOG_WARNING ? "warning: " : "", msg);
}

/* The library's messages. */
static void
mlog_lib(enum spfdmarc_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (mlog_enabled(level))
		mlog_write(level, msg);
}

void
mlog_open(bool use_syslog, int facility, bool use_stderr)
{
	mlog_syslog = use_syslog;
	mlog_stderr = use_stderr;
	if (use_syslog)
		openlog("spfdmarc-milter", LOG_PID | LOG_NDELAY, facility);
	spfdmarc_log_set_handler(mlog_lib, NULL, SPFDMARC_LOG_DEBUG);
}

void
mlog_set_level(enum spfdmarc_log_level level)
{
	atomic_store(&mlog_level, (int)level);
}

bool
mlog_enabled(enum spfdmarc_log_level level)
{
	return (int)level <= atomic_load(&mlog_level);
}

static void mlog_vmsg(enum spfdmarc_log_level level, int err,
    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void
mlog_vmsg(enum spfdmarc_log_level level, int err, const char *fmt,
    va_list ap)
{
	char msg[MLOG_MSG_MAX];
	char ebuf[128];
	size_t n;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0) {
		n = strlen(msg);
		(void)snprintf(msg + n, sizeof(msg) - n, ": %s",
		    strerror_r(err, ebuf, sizeof(ebuf)));
	}
	mlog_write(level, msg);
}

void
mlog_msg(enum spfdmarc_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!mlog_enabled(level))
		return;
	va_start(ap, fmt);
	mlog_vmsg(level, 0, fmt, ap);
	va_end(ap);
}

void
mlog_msg_errno(enum spfdmarc_log_level level, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!mlog_enabled(level))
		return;
	va_start(ap, fmt);
	mlog_vmsg(level, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	mlog_vmsg(SPFDMARC_LOG_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mlog_vmsg(SPFDMARC_LOG_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
