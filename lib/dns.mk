# DNS: the core (contexts, futures) and its backends.
lib_libspfdmarc_core_la_SOURCES += \
	lib/dns.c lib/dns_backend.h \
	lib/suffix.c lib/suffix.h \
	lib/dns_unbound.c
pkginclude_HEADERS += lib/spfdmarc/dns.h lib/spfdmarc/dns_unbound.h
