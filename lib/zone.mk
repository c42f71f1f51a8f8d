# The in-memory zone backend of the DNS interface (tests and fuzzing).
lib_libspfdmarc_core_la_SOURCES += lib/dns_zone.c
pkginclude_HEADERS += lib/spfdmarc/dns_zone.h
