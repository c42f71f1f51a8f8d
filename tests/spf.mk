# SPF: unit tests of the parser, the macro expander and check_host().
SPF_UNIT_TESTS = \
	tests/unit/test_spf_record \
	tests/unit/test_spf_macro \
	tests/unit/test_spf_eval

check_PROGRAMS += $(SPF_UNIT_TESTS)
TESTS += $(SPF_UNIT_TESTS)

tests_unit_test_spf_record_LDADD = $(TEST_LIBS)
tests_unit_test_spf_macro_LDADD = $(TEST_LIBS)
tests_unit_test_spf_eval_LDADD = $(TEST_LIBS)
