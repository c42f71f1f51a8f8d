#!/bin/sh
# quickstart.sh: from a fresh clone to spfdmarc-milter running in the
# foreground on its default socket with its default configuration (the
# first line of the README's quick start). Run as root on Debian 12.
#
# Steps: install the Debian dependencies (contrib/install-deps.sh), then
# build in the source tree exactly as README.md "Building from source"
# says (autoreconf -fi; ./configure; make), then exec the milter with -f.
# A tree that is already configured is only rebuilt. Extra arguments are
# passed to the milter.
set -eu

cd "$(dirname "$0")/.."
contrib/install-deps.sh
if [ ! -f Makefile ]; then
	autoreconf -fi
	./configure
fi
make -j"$(nproc 2>/dev/null || echo 2)"

# The default socket is unix:/run/spfdmarc/spfdmarc.sock.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p /run/spfdmarc
fi
echo "quickstart: starting milter/spfdmarc-milter -f $*"
exec ./milter/spfdmarc-milter -f "$@"
