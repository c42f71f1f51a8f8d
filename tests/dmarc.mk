# DMARC area tests: record parser, discovery and evaluation over a small
# in-memory DNS backend (dmarc_testdns), From parsing, Authentication-Results.
DMARC_UNIT_TESTS = \
	tests/unit/test_dmarc_record \
	tests/unit/test_dmarc_discover \
	tests/unit/test_dmarc_eval \
	tests/unit/test_rfc5322 \
	tests/unit/test_authres

check_PROGRAMS += $(DMARC_UNIT_TESTS)
TESTS += $(DMARC_UNIT_TESTS)
noinst_HEADERS += tests/unit/dmarc_testdns.h

tests_unit_test_dmarc_record_LDADD = $(TEST_LIBS)
tests_unit_test_dmarc_discover_SOURCES = \
	tests/unit/test_dmarc_discover.c tests/unit/dmarc_testdns.c
tests_unit_test_dmarc_discover_LDADD = $(TEST_LIBS)
tests_unit_test_dmarc_eval_SOURCES = \
	tests/unit/test_dmarc_eval.c tests/unit/dmarc_testdns.c
tests_unit_test_dmarc_eval_LDADD = $(TEST_LIBS)
tests_unit_test_rfc5322_LDADD = $(TEST_LIBS)
tests_unit_test_authres_LDADD = $(TEST_LIBS)
