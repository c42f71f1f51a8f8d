# Milter area tests: header builders (library), configuration parser,
# and the milter-protocol / Postfix tests that drive the real binary.
check_PROGRAMS += tests/unit/test_hdr
TESTS += tests/unit/test_hdr
tests_unit_test_hdr_LDADD = $(TEST_LIBS)

# The configuration parser, compiled from the milter's own source.
check_PROGRAMS += tests/milter/test_conf
TESTS += tests/milter/test_conf
tests_milter_test_conf_SOURCES = tests/milter/test_conf.c \
	milter/conf.c milter/conf.h
tests_milter_test_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/milter \
	-I$(top_srcdir)/tests/unit -DSYSCONFDIR='"$(sysconfdir)"'
tests_milter_test_conf_LDADD = lib/libspfdmarc.la $(LIBBSD_LIBS) $(PTHREAD_LIBS)

# The real spfdmarc-milter driven by mcdrive against the signed DNS world
# (skips while the program is not built or nsd/ldnsutils are missing).
TESTS += tests/milter/milter_proto.sh
EXTRA_DIST += tests/milter/milter_proto.sh tests/milter/milter.zone

# Every configuration key documented and in the example file.
TESTS += tests/milter/man_keys.sh
EXTRA_DIST += tests/milter/man_keys.sh

# End to end: a private Postfix instance, swaks from 127.0.0.x, the milter,
# the DNS world (skips unless root with postfix and swaks installed).
TESTS += tests/milter/postfix_e2e.sh
EXTRA_DIST += tests/milter/postfix_e2e.sh

# Verdicts: results and local policy to the MTA's answer.
check_PROGRAMS += tests/milter/test_verdict
TESTS += tests/milter/test_verdict
tests_milter_test_verdict_SOURCES = tests/milter/test_verdict.c \
	milter/verdict.c milter/verdict.h milter/conf.c milter/conf.h
tests_milter_test_verdict_CPPFLAGS = $(AM_CPPFLAGS) $(MILTER_CFLAGS) \
	-I$(top_srcdir)/milter -I$(top_srcdir)/tests/unit \
	-DSYSCONFDIR='"$(sysconfdir)"'
tests_milter_test_verdict_LDADD = lib/libspfdmarc.la $(LIBBSD_LIBS) $(PTHREAD_LIBS)

# mcload: many concurrent milter connections, every verdict checked
# (the fault and load tests; latency over unix and inet sockets).
check_PROGRAMS += tests/milter/mcload
tests_milter_mcload_SOURCES = tests/milter/mcload.c \
	tests/milterclient/milterclient.c tests/milterclient/milterclient.h
tests_milter_mcload_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/milterclient
tests_milter_mcload_LDADD = $(PTHREAD_LIBS)
AM_TESTS_ENVIRONMENT += \
	MCLOAD='$(abs_top_builddir)/tests/milter/mcload'; export MCLOAD;
EXTRA_DIST += tests/milter/mlib.sh

# Operations: UserID, SocketMode, PidFile, background mode, inet and inet6
# sockets with TCP_NODELAY, MultipleFrom strictest, a UTF-8 From domain.
TESTS += tests/milter/milter_ops.sh
EXTRA_DIST += tests/milter/milter_ops.sh

# Fault injection (issue 7): the DNS server stopped and started again
# while mail flows; a DNS server answering slowly or not at all.
TESTS += tests/milter/milter_dnsfault.sh tests/milter/milter_slowdns.sh
EXTRA_DIST += tests/milter/milter_dnsfault.sh tests/milter/milter_slowdns.sh

# The MTA drops connections mid-message (under valgrind or LeakSanitizer);
# 500 concurrent connections with mixed outcomes, counts reconciled.
TESTS += tests/milter/milter_drop.sh tests/milter/milter_load.sh
EXTRA_DIST += tests/milter/milter_drop.sh tests/milter/milter_load.sh
