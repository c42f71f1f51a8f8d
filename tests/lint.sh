#!/bin/sh
# lint.sh: fail when a banned call appears in the C sources (STYLE.md,
# "Memory and strings"): strcpy, strcat, sprintf, vsprintf, strncpy,
# strtok, gets, res_query, gethostbyname.
#
# Every .c and .h file under lib/ cli/ milter/ tests/ of $top_srcdir (set
# by make check; else the tree this script lives in) is read with its
# comments and string literals blanked out, then searched for a banned
# name followed by "(" that is not part of a longer identifier: snprintf,
# strlcpy, vsnprintf, strtok_r, fgets are fine. Output is TAP: one "ok"
# per banned name, or one "not ok" per hit naming file:line. A self-test
# on planted files runs first, so a broken matcher cannot pass silently.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
BANNED="strcpy strcat sprintf vsprintf strncpy strtok gets res_query gethostbyname"
DIRS="lib cli milter tests"

n=0
failed=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# Print a C file with comments, string and character literals replaced by
# blanks, keeping the line structure (so grep -n gives true line numbers).
strip_c() {
	awk '
	BEGIN { state = 0 }	# 0 code, 1 block comment, 2 "string", 3 '\''char'\''
	{
		line = $0; out = ""; len = length(line); i = 1
		while (i <= len) {
			c = substr(line, i, 1); d = substr(line, i, 2)
			if (state == 1) {
				if (d == "*/") { state = 0; out = out "  "; i += 2 }
				else { out = out " "; i++ }
			} else if (state == 2 || state == 3) {
				q = state == 2 ? "\"" : "'\''"
				if (c == "\\") { out = out "  "; i += 2 }
				else if (c == q) { out = out c; state = 0; i++ }
				else { out = out " "; i++ }
			} else if (d == "/*") { state = 1; out = out "  "; i += 2 }
			else if (d == "//") { break }
			else if (c == "\"") { state = 2; out = out c; i++ }
			else if (c == "'\''") { state = 3; out = out c; i++ }
			else { out = out c; i++ }
		}
		# A string or char literal never spans lines without a
		# backslash-newline; keep block comments open.
		if (state >= 2 && substr(line, len, 1) != "\\") state = 0
		print out
	}' "$1"
}

# scan ROOT: print "path:line: name" for every banned call under ROOT.
scan() {
	root=$1
	pattern=$(echo "$BANNED" | tr ' ' '|')
	(cd "$root" && for d in $DIRS; do
		[ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' \)
	done) | LC_ALL=C sort | while IFS= read -r f; do
		strip_c "$root/$f" |
		    grep -n -E "(^|[^A-Za-z0-9_.>])($pattern)[[:space:]]*\(" |
		    while IFS= read -r hit; do
			line=${hit%%:*}
			text=${hit#*:}
			for name in $BANNED; do
				if echo "$text" | grep -q -E \
				    "(^|[^A-Za-z0-9_.>])${name}[[:space:]]*\("; then
					echo "$f:$line: $name"
				fi
			done
		    done
	done
}

count_files() {
	(cd "$1" && for d in $DIRS; do
		[ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' \)
	done) | wc -l | tr -d ' '
}

# --- self-test on planted files ------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lint.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT PIPE TERM
mkdir -p "$tmp/lib" "$tmp/tests/unit"
cat > "$tmp/lib/planted.c" <<'EOF'
/* strcpy(a, b) in a comment is fine,
 * and so is sprintf(x) on a second comment line. */
static const char *s = "gets(buf) in a string";	// strcat(x) too
static char q = '(';	/* a char literal */ int strcpy_count;
void f(void) {
	snprintf(buf, sizeof(buf), "%d", 1); vsnprintf(buf, 1, fmt, ap);
	strlcpy(a, b, sizeof(a)); strlcat(a, b, sizeof(a)); strtok_r(a, b, &c);
	fgets(buf, 1, fp); my_strcpy(a, b); o.strcpy(a); p->gets(b);
	strcpy(a, b);
	n = sprintf (buf, "%s", "strncpy(x)");
}
EOF
cat > "$tmp/tests/unit/planted.h" <<'EOF'
#define X "\" strcat(a, b) \""
	x = gets(buf); y = res_query(a); z = gethostbyname("h");
EOF
want="lib/planted.c:9: strcpy
lib/planted.c:10: sprintf
tests/unit/planted.h:2: gets
tests/unit/planted.h:2: res_query
tests/unit/planted.h:2: gethostbyname"
got=$(scan "$tmp")
if [ "$got" = "$want" ]; then
	pass "self-test: planted calls found at file:line, allowed names ignored"
else
	fail "self-test: planted calls found at file:line, allowed names ignored"
	echo "$got" | sed 's/^/#   got: /'
	echo "$want" | sed 's/^/#  want: /'
fi

# --- the sources ------------------------------------------------------------
files=$(count_files "$srcdir")
if [ "$files" -gt 0 ]; then
	pass "$files C files under $srcdir ($DIRS)"
else
	fail "no C files under $srcdir ($DIRS): is top_srcdir right?"
fi

hits=$(scan "$srcdir")
for name in $BANNED; do
	mine=$(echo "$hits" | grep -E ": $name\$" || true)
	if [ -z "$mine" ]; then
		pass "no $name() calls"
		continue
	fi
	echo "$mine" | while IFS= read -r h; do
		echo "banned call: $h" >&2
	done
	for h in $(echo "$mine" | sed 's/: .*//'); do
		fail "banned call $name() at $h"
	done
done

echo "1..$n"
[ "$failed" -eq 0 ]
