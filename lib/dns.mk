# DNS: the core (contexts, futures) and its backends.
lib_libspfdmarc_core_la_SOURCES += \
	lib/dns.c lib/dns_backend.h
pkginclude_HEADERS += lib/spfdmarc/dns.h
