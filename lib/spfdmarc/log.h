/*
 * spfdmarc/log.h: how the library reports what it does.
 *
 * The library never writes to syslog or stderr itself. A host program
 * installs a handler once (before it starts threads, or at any time: the
 * handler is swapped atomically) and receives every message at or above
 * the level it asked for. Without a handler the library is silent.
 */
#ifndef SPFDMARC_LOG_H
#define SPFDMARC_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

enum spfdmarc_log_level {
	SPFDMARC_LOG_ERROR = 0,
	SPFDMARC_LOG_WARNING = 1,
	SPFDMARC_LOG_INFO = 2,
	SPFDMARC_LOG_DEBUG = 3,
};

/* Called from any thread; msg has no trailing newline and is cut at 1023
 * bytes. Once spfdmarc_log_set_handler() has returned, the previous
 * handler is not called any more (its ctx may be freed); a handler must
 * therefore not call spfdmarc_log_set_handler() itself. */
typedef void spfdmarc_log_fn(enum spfdmarc_log_level level, const char *msg,
    void *ctx);

/* Install fn (NULL: silence) for messages up to and including max. */
void spfdmarc_log_set_handler(spfdmarc_log_fn *fn, void *ctx,
    enum spfdmarc_log_level max);

/* "error", "warning", "info", "debug". */
const char *spfdmarc_log_level_name(enum spfdmarc_log_level level);

/* Parse a level name; 0 or SPFDMARC_EINVAL. */
int spfdmarc_log_level_parse(const char *name, enum spfdmarc_log_level *out);

#ifdef __cplusplus
}
#endif

#endif
