# DMARC area tests: record parser, discovery and evaluation over the
# shared in-memory zone backend (zone files in tests/dmarc/), From
# parsing, Authentication-Results.
DMARC_UNIT_TESTS = \
	tests/unit/test_dmarc_record \
	tests/unit/test_dmarc_discover \
	tests/unit/test_dmarc_eval \
	tests/unit/test_rfc5322 \
	tests/unit/test_authres

check_PROGRAMS += $(DMARC_UNIT_TESTS)
TESTS += $(DMARC_UNIT_TESTS)
noinst_HEADERS += tests/unit/dmarc_testzone.h
DMARC_ZONE_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTZONE_TOP_SRCDIR='"$(abs_top_srcdir)"'
EXTRA_DIST += tests/dmarc/eval.zone tests/dmarc/discover.zone

tests_unit_test_dmarc_record_LDADD = $(TEST_LIBS)
tests_unit_test_dmarc_discover_SOURCES = \
	tests/unit/test_dmarc_discover.c tests/unit/dmarc_testzone.c
tests_unit_test_dmarc_discover_CPPFLAGS = $(DMARC_ZONE_CPPFLAGS)
tests_unit_test_dmarc_discover_LDADD = $(TEST_LIBS)
tests_unit_test_dmarc_eval_SOURCES = \
	tests/unit/test_dmarc_eval.c tests/unit/dmarc_testzone.c
tests_unit_test_dmarc_eval_CPPFLAGS = $(DMARC_ZONE_CPPFLAGS)
tests_unit_test_dmarc_eval_LDADD = $(TEST_LIBS)
tests_unit_test_rfc5322_LDADD = $(TEST_LIBS)
tests_unit_test_authres_LDADD = $(TEST_LIBS)

# `spfdmarc dmarc` over a zone file (output fields, JSON, usage errors),
# and over libunbound against the signed DNS world (secure, insecure,
# bogus, a deep tree walk, t=y; skips without nsd/ldnsutils).
DMARC_SCRIPT_TESTS = tests/dmarc/cli.sh tests/dmarc/world.sh
TESTS += $(DMARC_SCRIPT_TESTS)
EXTRA_DIST += $(DMARC_SCRIPT_TESTS) tests/dmarc/cli.zone \
	tests/dmarc/world-walk.zone tests/dmarc/VECTORS.md
