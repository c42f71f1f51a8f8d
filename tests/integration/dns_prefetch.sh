#!/bin/sh
# dns_prefetch.sh: N lookups started at once cost about one round trip
# (test_dns_prefetch.c), measured against the DNS world behind a relay that
# holds every answer SPFDMARC_PREFETCH_DELAY_MS (100) milliseconds.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
itest_init dns-prefetch
DNSWORLD_DELAY_MS=${SPFDMARC_PREFETCH_DELAY_MS:-100}
export DNSWORLD_DELAY_MS
itest_world_start "$top_srcdir/tests/integration/prefetch.zone" \
    "$top_srcdir/tests/integration/keys.zone"
"$top_builddir/tests/integration/test_dns_prefetch"
