/*
 * mlog.h: the milter's logging: syslog (mail facility by default) and,
 * in the foreground, standard error. A printf-checked family with and
 * without errno (mlog_warn adds strerror(errno), mlog_warnx does not), as
 * OpenSMTPD's log.h. The library's messages come through the handler
 * mlog installs (spfdmarc/log.h). fatal() is for start-up only: once
 * smfi_main() runs, nothing exits the process because of one message.
 */
#ifndef MILTER_MLOG_H
#define MILTER_MLOG_H

#include <stdbool.h>

#include "spfdmarc/log.h"

/* Open the log. Call once, before threads start. */
void mlog_open(bool use_syslog, int facility, bool use_stderr);

/* Messages above level are dropped; may change at any time (reload). */
void mlog_set_level(enum spfdmarc_log_level level);
bool mlog_enabled(enum spfdmarc_log_level level);

void mlog_msg(enum spfdmarc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mlog_msg_errno(enum spfdmarc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define mlog_errx(...)	mlog_msg(SPFDMARC_LOG_ERROR, __VA_ARGS__)
#define mlog_err(...)	mlog_msg_errno(SPFDMARC_LOG_ERROR, __VA_ARGS__)
#define mlog_warnx(...)	mlog_msg(SPFDMARC_LOG_WARNING, __VA_ARGS__)
#define mlog_warn(...)	mlog_msg_errno(SPFDMARC_LOG_WARNING, __VA_ARGS__)
#define mlog_info(...)	mlog_msg(SPFDMARC_LOG_INFO, __VA_ARGS__)
#define mlog_debug(...)	mlog_msg(SPFDMARC_LOG_DEBUG, __VA_ARGS__)

/* Log and exit(1) (EX_CONFIG-like failures before the milter loop). */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
