# audit: `spfdmarc check` — the library's audit over the zone
# tests/audit/audit.zone (every check triggered and not), the command over
# the same zone (plain and JSON output, exit codes, usage errors), and the
# command over libunbound against the signed DNS world (skips without
# nsd/ldnsutils).
check_PROGRAMS += tests/unit/test_audit
TESTS += tests/unit/test_audit tests/audit/check_cli.sh \
	tests/audit/check_world.sh
tests_unit_test_audit_CPPFLAGS = $(AM_CPPFLAGS) \
	-DAUDIT_ZONE='"$(abs_top_srcdir)/tests/audit/audit.zone"'
tests_unit_test_audit_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/audit/audit.zone tests/audit/check_cli.sh \
	tests/audit/check_world.sh
