# Regression tests for the attack classes of issue 7 (tests/regress/):
# TAP programs over the library API with the zone backend.
noinst_HEADERS += tests/regress/regress.h
REGRESS_TESTS = \
	tests/regress/regress_spf \
	tests/regress/regress_mail \
	tests/regress/regress_dns

check_PROGRAMS += $(REGRESS_TESTS)
TESTS += $(REGRESS_TESTS)

tests_regress_regress_spf_LDADD = $(TEST_LIBS)
tests_regress_regress_mail_LDADD = $(TEST_LIBS)
tests_regress_regress_dns_LDADD = $(TEST_LIBS)

# Over libunbound and the NSD world (tests/integration/world): hostile
# answers, a foreign trust anchor, faults. Skips without nsd/ldnsutils.
check_PROGRAMS += tests/regress/regress_dns_world
tests_regress_regress_dns_world_LDADD = $(TEST_LIBS) $(PTHREAD_LIBS)
TESTS += tests/regress/dns_world.sh
EXTRA_DIST += tests/regress/dns_world.sh
