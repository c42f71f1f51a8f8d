# The milter-protocol client (MTA side) used by the milter tests and the
# benchmark load generator, and its self-test against a real libmilter
# filter.
noinst_HEADERS += tests/milterclient/milterclient.h
check_PROGRAMS += tests/milterclient/mcdrive tests/milterclient/testfilter
tests_milterclient_mcdrive_SOURCES = \
	tests/milterclient/mcdrive.c tests/milterclient/milterclient.c
tests_milterclient_testfilter_SOURCES = tests/milterclient/testfilter.c
tests_milterclient_testfilter_CFLAGS = $(AM_CFLAGS) $(MILTER_CFLAGS)
tests_milterclient_testfilter_LDADD = $(MILTER_LIBS) $(PTHREAD_LIBS)

TESTS += tests/milterclient/selftest.sh
EXTRA_DIST += tests/milterclient/selftest.sh
AM_TESTS_ENVIRONMENT += \
	MCDRIVE='$(abs_top_builddir)/tests/milterclient/mcdrive'; export MCDRIVE; \
	TESTFILTER='$(abs_top_builddir)/tests/milterclient/testfilter'; export TESTFILTER;
