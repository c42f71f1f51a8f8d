# tap.sh: the TAP helpers of the shell tests (POSIX sh; source it).
#
#   ok STATUS DESCRIPTION    a test point, passed when STATUS is 0; a failure
#                            is counted in $failed and shows the non-empty
#                            files named in $TAP_SHOW (space-separated; the
#                            first 60 lines of each) as comments
#   skip REASON              a skipped test point
#   patterns PATTERN.. -- ..  keep the words before "--" (grep -E patterns)
#                            in $tap_pats, a line each; $tap_used is how
#                            many words to shift, the "--" included
#   has_patterns FILE        every pattern of $tap_pats is in FILE; prints
#                            "#   missing: P" for each one that is not
#   tap_end                  the plan line; true when no test point failed:
#                            end a script with it
n=0
failed=0
TAP_SHOW=${TAP_SHOW:-}

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
		return 0
	fi
	echo "not ok $n - $2"
	failed=$((failed + 1))
	for tap_f in $TAP_SHOW; do
		[ ! -s "$tap_f" ] || head -n 60 "$tap_f" | sed "s|^|#   ${tap_f##*/}: |"
	done
	return 0
}

skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $*"
}

patterns() {
	tap_pats=
	tap_used=1
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		tap_pats="$tap_pats$1
"
		tap_used=$((tap_used + 1))
		shift
	done
}

has_patterns() {
	printf '%s' "$tap_pats" | while IFS= read -r tap_p; do
		grep -Eq -- "$tap_p" "$1" || { echo "#   missing: $tap_p"; exit 1; }
	done
}

tap_end() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
