/*
 * test_log.c: the host-installed log handler (spfdmarc/log.h, lib/log.h):
 * silence without a handler, level filtering, truncation of long lines,
 * errno text appended and errno preserved, level names, swapping the
 * handler while other threads log.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "log.h"
#include "spfdmarc/err.h"
#include "spfdmarc/log.h"
#include "tap.h"

struct capture {
	int calls;
	enum spfdmarc_log_level level;
	char msg[2 * LOG_MSG_MAX];
	size_t len;
};

static void
capture_fn(enum spfdmarc_log_level level, const char *msg, void *ctx)
{
	struct capture *c = ctx;

	c->calls++;
	c->level = level;
	c->len = strlen(msg);
	if (c->len >= sizeof(c->msg))
		c->len = sizeof(c->msg) - 1;
	memcpy(c->msg, msg, c->len);
	c->msg[c->len] = '\0';
}

static void
test_levels(void)
{
	static const struct {
		const char *name;
		enum spfdmarc_log_level level;
	} names[] = {
		{ "error", SPFDMARC_LOG_ERROR },
		{ "warning", SPFDMARC_LOG_WARNING },
		{ "info", SPFDMARC_LOG_INFO },
		{ "debug", SPFDMARC_LOG_DEBUG },
	};
	enum spfdmarc_log_level l = SPFDMARC_LOG_INFO;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		is_str(spfdmarc_log_level_name(names[i].level), names[i].name,
		    "level %d is named %s", names[i].level, names[i].name);
		l = SPFDMARC_LOG_ERROR;
		ok(spfdmarc_log_level_parse(names[i].name, &l) == 0 &&
		    l == names[i].level, "parse %s", names[i].name);
	}
	ok(spfdmarc_log_level_parse("DeBuG", &l) == 0 && l == SPFDMARC_LOG_DEBUG,
	    "parse ignores case");
	is_int(spfdmarc_log_level_parse("", &l), SPFDMARC_EINVAL, "parse \"\"");
	is_int(spfdmarc_log_level_parse("warn", &l), SPFDMARC_EINVAL,
	    "parse a prefix (warn) fails");
	is_int(spfdmarc_log_level_parse("debug ", &l), SPFDMARC_EINVAL,
	    "parse with trailing space fails");
	is_int(spfdmarc_log_level_parse(NULL, &l), SPFDMARC_EINVAL, "parse NULL");
	is_int(spfdmarc_log_level_parse("info", NULL), SPFDMARC_EINVAL,
	    "parse into NULL");
	is_str(spfdmarc_log_level_name((enum spfdmarc_log_level)42), "unknown",
	    "name of an unknown level");
}

static void
test_handler(void)
{
	struct capture c;
	char big[3 * LOG_MSG_MAX];

	memset(&c, 0, sizeof(c));
	spfdmarc_log_set_handler(NULL, NULL, SPFDMARC_LOG_DEBUG);
	ok(!log_enabled(SPFDMARC_LOG_ERROR), "no handler: nothing enabled");
	log_error("dropped %d", 1);
	ok(1, "logging without a handler is silent");

	spfdmarc_log_set_handler(capture_fn, &c, SPFDMARC_LOG_WARNING);
	ok(log_enabled(SPFDMARC_LOG_ERROR), "error enabled at max=warning");
	ok(log_enabled(SPFDMARC_LOG_WARNING), "warning enabled at max=warning");
	ok(!log_enabled(SPFDMARC_LOG_INFO), "info disabled at max=warning");
	log_info("not shown");
	log_debug("not shown");
	is_int(c.calls, 0, "info and debug filtered out");
	log_warn("disk %s at %d%%", "full", 99);
	is_int(c.calls, 1, "warning delivered");
	is_int(c.level, SPFDMARC_LOG_WARNING, "with its level");
	is_str(c.msg, "disk full at 99%", "formatted, no newline");
	log_error("%s", "");
	is_str(c.msg, "", "an empty message is delivered as is");
	is_int(c.calls, 2, "error delivered");

	/* Long messages are cut at LOG_MSG_MAX - 1 bytes. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_error("%s", big);
	is_int((long long)c.len, LOG_MSG_MAX - 1, "long message cut to %d bytes",
	    LOG_MSG_MAX - 1);
	big[LOG_MSG_MAX - 1] = '\0';
	log_error("%s", big);
	is_int((long long)c.len, LOG_MSG_MAX - 1, "a message of exactly %d bytes kept",
	    LOG_MSG_MAX - 1);

	/* errno variant: text appended, errno preserved. */
	errno = ENOENT;
	log_msg_errno(SPFDMARC_LOG_ERROR, "open %s", "/nope");
	is_str(c.msg, "open /nope: No such file or directory",
	    "log_msg_errno appends strerror");
	is_int(errno, ENOENT, "errno preserved");
	errno = EACCES;
	log_msg_errno(SPFDMARC_LOG_DEBUG, "filtered");
	is_int(errno, EACCES, "errno preserved when filtered");
	errno = ENOENT;
	log_msg_errno(SPFDMARC_LOG_ERROR, "%s", big);
	is_int((long long)c.len, LOG_MSG_MAX - 1,
	    "errno message of a long line still bounded");
	ok(c.len > 30 && strcmp(c.msg + c.len - 27, ": No such file or directory") == 0,
	    "... and the message is cut, not the error text");

	spfdmarc_log_set_handler(capture_fn, &c, SPFDMARC_LOG_DEBUG);
	log_debug("dbg");
	is_int(c.level, SPFDMARC_LOG_DEBUG, "max=debug: debug delivered");
	is_str(c.msg, "dbg", "debug text");

	spfdmarc_log_set_handler(NULL, &c, SPFDMARC_LOG_DEBUG);
	c.calls = 0;
	log_error("gone");
	is_int(c.calls, 0, "handler removed: silent again");
}

/* Swap handlers while threads log: every call reaches a live handler. */
static atomic_int count_a, count_b;

static void
count_fn(enum spfdmarc_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	atomic_fetch_add((atomic_int *)ctx, 1);
}

static void *
logger(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++)
		log_info("thread message %d", i);
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[4];
	int started = 0;

	spfdmarc_log_set_handler(count_fn, &count_a, SPFDMARC_LOG_INFO);
	for (int i = 0; i < 4; i++) {
		if (pthread_create(&t[i], NULL, logger, NULL) == 0)
			started++;
	}
	for (int i = 0; i < 200; i++) {
		spfdmarc_log_set_handler(count_fn, i % 2 ? &count_a : &count_b,
		    SPFDMARC_LOG_INFO);
	}
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	is_int(started, 4, "4 logging threads");
	is_int(atomic_load(&count_a) + atomic_load(&count_b), 4 * 20000,
	    "every message reached one handler while handlers were swapped");
	spfdmarc_log_set_handler(NULL, NULL, SPFDMARC_LOG_ERROR);
}

int
main(void)
{
	test_levels();
	test_handler();
	test_threads();
	return done_testing();
}
