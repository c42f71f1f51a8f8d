/*
 * log.h: the library's internal logging calls (see spfdmarc/log.h).
 * log_error() and friends never add errno; log_*_errno() append
 * ": strerror(errno)" (the message is cut first when the line is too
 * long) and leave errno as it was.
 */
#ifndef SPFDMARC_INTERNAL_LOG_H
#define SPFDMARC_INTERNAL_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "spfdmarc/log.h"

#define LOG_MSG_MAX 1024	/* longer messages are truncated */

bool log_enabled(enum spfdmarc_log_level level);
void log_msg(enum spfdmarc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmsg(enum spfdmarc_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void log_msg_errno(enum spfdmarc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(SPFDMARC_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(SPFDMARC_LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(SPFDMARC_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(SPFDMARC_LOG_DEBUG, __VA_ARGS__)

#define log_error_errno(...)	log_msg_errno(SPFDMARC_LOG_ERROR, __VA_ARGS__)
#define log_warn_errno(...)	log_msg_errno(SPFDMARC_LOG_WARNING, __VA_ARGS__)
#define log_info_errno(...)	log_msg_errno(SPFDMARC_LOG_INFO, __VA_ARGS__)
#define log_debug_errno(...)	log_msg_errno(SPFDMARC_LOG_DEBUG, __VA_ARGS__)

#endif
