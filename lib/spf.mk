# SPF (RFC 7208).
pkginclude_HEADERS += lib/spfdmarc/spf.h
