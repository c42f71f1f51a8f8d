#!/bin/sh
# corpus.sh: in a libFuzzer build (--enable-fuzzers), run each fuzz target
# once over its seed corpus (no fuzzing: -runs=0). TAP, one line per
# target with the number of inputs. FUZZ_TARGETS names them.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
n=0
failed=0
for t in $FUZZ_TARGETS; do
	n=$((n + 1))
	dir=$top_srcdir/tests/fuzz/corpus/$t
	count=$(find "$dir" -type f | wc -l | tr -d ' ')
	log=$top_builddir/tests/fuzz/corpus-$t.log
	if "$top_builddir/tests/fuzz/fuzz_$t" -runs=0 "$dir" >"$log" 2>&1; then
		echo "ok $n - fuzz_$t: $count corpus inputs"
	else
		echo "not ok $n - fuzz_$t: $count corpus inputs"
		tail -n 30 "$log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
