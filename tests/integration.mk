# Integration tests against the signed DNS world (tests/integration/world/):
# NSD on a free loopback port, libunbound pointed at it with the world's
# trust anchor. Each script starts what it needs and stops it by PID (trap),
# and skips when nsd/ldnsutils are missing. Nothing leaves loopback.

# dnsq: a small dig over the shared CLI resolver options (cli/resolver.c).
check_PROGRAMS += tests/integration/dnsq
tests_integration_dnsq_SOURCES = tests/integration/dnsq.c cli/resolver.c cli/cli.h
tests_integration_dnsq_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
tests_integration_dnsq_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/integration/test_dns_unbound tests/integration/test_dns_prefetch
tests_integration_test_dns_unbound_SOURCES = tests/integration/test_dns_unbound.c tests/integration/itest.h
tests_integration_test_dns_unbound_LDADD = $(TEST_LIBS) $(PTHREAD_LIBS)
tests_integration_test_dns_prefetch_SOURCES = tests/integration/test_dns_prefetch.c tests/integration/itest.h
tests_integration_test_dns_prefetch_LDADD = $(TEST_LIBS) $(PTHREAD_LIBS)

INTEGRATION_DNS_TESTS = \
	tests/integration/dns_unbound.sh \
	tests/integration/dns_cli.sh \
	tests/integration/dns_prefetch.sh
TESTS += $(INTEGRATION_DNS_TESTS)
EXTRA_DIST += $(INTEGRATION_DNS_TESTS) \
	tests/integration/lib.sh \
	tests/integration/prefetch.zone \
	tests/integration/keys.zone
# The DNS world itself (tests/integration/world/dnsworld.sh says how).
EXTRA_DIST += \
	tests/integration/world/dnsworld.sh \
	tests/integration/world/dnsdelay.c \
	tests/integration/world/selftest.sh \
	tests/integration/world/zones/root.zone \
	tests/integration/world/zones/example.zone \
	tests/integration/world/zones/secure.example.zone \
	tests/integration/world/zones/insecure.example.zone \
	tests/integration/world/zones/bogus.example.zone \
	tests/integration/world/zones/bogus2.example.zone
