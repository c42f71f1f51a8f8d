/*
 * log.c: the host-installed log handler.
 *
 * The handler, its context and level are one record behind a read-write
 * lock, so a host may replace them while other threads log.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "log.h"
#include "spfdmarc/err.h"

static struct {
	pthread_rwlock_t lock;
	spfdmarc_log_fn *fn;
	void *ctx;
	enum spfdmarc_log_level max;
} handler = { PTHREAD_RWLOCK_INITIALIZER, NULL, NULL, SPFDMARC_LOG_ERROR };

SPFDMARC_PUBLIC void
spfdmarc_log_set_handler(spfdmarc_log_fn *fn, void *ctx,
    enum spfdmarc_log_level max)
{
	pthread_rwlock_wrlock(&handler.lock);
	handler.fn = fn;
	handler.ctx = ctx;
	handler.max = max;
	pthread_rwlock_unlock(&handler.lock);
}

SPFDMARC_PUBLIC const char *
spfdmarc_log_level_name(enum spfdmarc_log_level level)
{
	switch (level) {
	case SPFDMARC_LOG_ERROR:	return "error";
	case SPFDMARC_LOG_WARNING:	return "warning";
	case SPFDMARC_LOG_INFO:		return "info";
	case SPFDMARC_LOG_DEBUG:	return "debug";
	}
	return "unknown";
}

SPFDMARC_PUBLIC int
spfdmarc_log_level_parse(const char *name, enum spfdmarc_log_level *out)
{
	static const enum spfdmarc_log_level all[] = {
		SPFDMARC_LOG_ERROR, SPFDMARC_LOG_WARNING,
		SPFDMARC_LOG_INFO, SPFDMARC_LOG_DEBUG,
	};

	if (name == NULL || out == NULL)
		return SPFDMARC_EINVAL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(name, spfdmarc_log_level_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return SPFDMARC_EINVAL;
}

bool
log_enabled(enum spfdmarc_log_level level)
{
	bool on;

	pthread_rwlock_rdlock(&handler.lock);
	on = handler.fn != NULL && level <= handler.max;
	pthread_rwlock_unlock(&handler.lock);
	return on;
}

void
log_vmsg(enum spfdmarc_log_level level, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX];

	pthread_rwlock_rdlock(&handler.lock);
	if (handler.fn != NULL && level <= handler.max) {
		/* Truncation is acceptable for a log line. */
		(void)vsnprintf(msg, sizeof(msg), fmt, ap);
		handler.fn(level, msg, handler.ctx);
	}
	pthread_rwlock_unlock(&handler.lock);
}

void
log_msg(enum spfdmarc_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void
log_msg_errno(enum spfdmarc_log_level level, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	char ebuf[128];
	const char *etext;
	size_t elen, room;
	int saved = errno;
	va_list ap;

	if (!log_enabled(level))
		goto out;
	/* The GNU strerror_r returns the text it chose. */
	etext = strerror_r(saved, ebuf, sizeof(ebuf));
	elen = strlen(etext) + 2;	/* ": " */
	/* Cut the message, not the error text, when the line is too long. */
	room = elen < sizeof(msg) / 2 ? sizeof(msg) - elen : sizeof(msg) / 2;
	va_start(ap, fmt);
	(void)vsnprintf(msg, room, fmt, ap);	/* a log line may be cut */
	va_end(ap);
	log_msg(level, "%s: %s", msg, etext);
out:
	errno = saved;
}
