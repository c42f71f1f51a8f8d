# The RFC 7208 test suite (tests/spf-suite/), and the CLI that runs SPF.
# The suite: every case through the in-memory zone backend
# (run-suite.sh), and every case again over real DNS, NSD on loopback and
# `spfdmarc spf` through libunbound (run-suite-dns.sh, which skips itself
# without nsd or libunbound).
check_PROGRAMS += tests/spf-suite/spf-suite
tests_spf_suite_spf_suite_SOURCES = \
	tests/spf-suite/suite.h \
	tests/spf-suite/spf_suite.c \
	tests/spf-suite/suite_yaml.c \
	tests/spf-suite/suite_zone.c \
	tests/spf-suite/suite_cli.c
tests_spf_suite_spf_suite_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS)
tests_spf_suite_spf_suite_LDADD = $(TEST_LIBS) $(YAML_LIBS)

SPF_SUITE_TESTS = \
	tests/spf-suite/run-suite.sh \
	tests/spf-suite/run-suite-dns.sh
TESTS += $(SPF_SUITE_TESTS)
EXTRA_DIST += $(SPF_SUITE_TESTS)

# 'spfdmarc spf' over a zone file: output, exit codes, usage errors.
TESTS += tests/cli/spf_cli.sh
EXTRA_DIST += tests/cli/spf_cli.sh
