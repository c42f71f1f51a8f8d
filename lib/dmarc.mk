# dmarc area: DMARC records, discovery and evaluation; the From field
# (rfc5322) and Authentication-Results (authres) it needs.
lib_libspfdmarc_core_la_SOURCES += \
	lib/rfc5322.c \
	lib/authres.c
pkginclude_HEADERS += \
	lib/spfdmarc/rfc5322.h \
	lib/spfdmarc/authres.h
