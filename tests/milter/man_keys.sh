#!/bin/sh
# man_keys.sh: every key the configuration parser knows (milter/conf.c's
# table) is documented in spfdmarc.conf(5) and listed in the example
# configuration, and the example parses (spfdmarc-milter -n, when built).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
conf_c=$top_srcdir/milter/conf.c
man5=$top_srcdir/man/spfdmarc.conf.5
example=$top_srcdir/contrib/spfdmarc.conf.example
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tap.sh"
keys=$(sed -n 's/^[[:space:]]*{ "\([A-Za-z]*\)", key_.*/\1/p' "$conf_c")
[ -n "$keys" ]
ok $? "keys found in milter/conf.c"
for k in $keys; do
	grep -q "^\.BI $k " "$man5"
	ok $? "$k documented in spfdmarc.conf(5)"
	grep -Eq "^#?$k[[:space:]]" "$example"
	ok $? "$k in contrib/spfdmarc.conf.example"
done
milter=$top_builddir/milter/spfdmarc-milter
if [ -x "$milter" ]; then
	sed 's/^UserID.*//' "$example" >"${TMPDIR:-/tmp}/spfdmarc-example.$$"
	"$milter" -n -c "${TMPDIR:-/tmp}/spfdmarc-example.$$" >/dev/null 2>&1
	ok $? "the example parses (UserID removed: the user may not exist)"
	rm -f "${TMPDIR:-/tmp}/spfdmarc-example.$$"
	"$milter" -n -c /nonexistent/spfdmarc.conf >/dev/null 2>&1
	[ $? = 1 ]
	ok $? "a missing -c file fails"
else
	skip "spfdmarc-milter not built"
fi
tap_end
