#!/bin/sh
# run-suite.sh: the RFC 7208 test suite through the in-memory zone backend,
# as TAP (make check). RFC7208_SUITE names rfc7208-tests.yml or its .gz
# (configure --with-rfc7208-suite; Debian's python3-spf ships it).
# Extra arguments go to the runner: --only TEXT, -v.
set -u
suite=${RFC7208_SUITE:-/usr/share/doc/python3-spf/rfc7208-tests.yml.gz}
prog=${top_builddir:-.}/tests/spf-suite/spf-suite

if [ ! -r "$suite" ]; then
	echo "Bail out! RFC 7208 suite not found: $suite (install python3-spf)"
	exit 1
fi
case $suite in
*.gz)	gzip -dc "$suite" | "$prog" "$@" ;;
*)	"$prog" --suite "$suite" "$@" ;;
esac
