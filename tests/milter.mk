# Milter area tests: header builders (library), configuration parser,
# and the milter-protocol / Postfix tests that drive the real binary.
check_PROGRAMS += tests/unit/test_hdr
TESTS += tests/unit/test_hdr
tests_unit_test_hdr_LDADD = $(TEST_LIBS)
