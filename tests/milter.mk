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
