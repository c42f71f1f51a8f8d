# DMARC area tests: record parser, discovery and evaluation over a small
# in-memory DNS backend (dmarc_testdns), From parsing, Authentication-Results.
DMARC_UNIT_TESTS = \
	tests/unit/test_rfc5322 \
	tests/unit/test_authres

check_PROGRAMS += $(DMARC_UNIT_TESTS)
TESTS += $(DMARC_UNIT_TESTS)

tests_unit_test_rfc5322_LDADD = $(TEST_LIBS)
tests_unit_test_authres_LDADD = $(TEST_LIBS)
