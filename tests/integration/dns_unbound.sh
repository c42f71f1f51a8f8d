#!/bin/sh
# dns_unbound.sh: the libunbound backend against the signed DNS world, also
# through a forwarding unbound (test_dns_unbound.c says what is covered).
# SPFDMARC_VALGRIND=1 runs the test program under valgrind's leak check.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init dns-unbound
itest_world_start
itest_forwarder_start
SPFDMARC_TEST_FORWARDER=$ITEST_FORWARDER
export SPFDMARC_TEST_FORWARDER
prog=$top_builddir/tests/integration/test_dns_unbound
if [ -n "${SPFDMARC_VALGRIND:-}" ]; then
	valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=definite,indirect,possible \
		--log-file="$ITEST_DIR/valgrind.log" "$prog"
	rc=$?
	sed 's/^/# valgrind: /' "$ITEST_DIR/valgrind.log" | grep -E 'ERROR SUMMARY|definitely|indirectly|possibly|still reachable|in use at exit|total heap'
	exit $rc
fi
"$prog"
