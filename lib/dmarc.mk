# dmarc area: DMARC records, discovery and evaluation; the From field
# (rfc5322) and Authentication-Results (authres) it needs.
lib_libspfdmarc_core_la_SOURCES += \
	lib/dmarc_int.h \
	lib/dmarc_record.c \
	lib/dmarc_discover.c \
	lib/dmarc_eval.c \
	lib/rfc5322.c \
	lib/authres.c
pkginclude_HEADERS += \
	lib/spfdmarc/dmarc.h \
	lib/spfdmarc/rfc5322.h \
	lib/spfdmarc/authres.h
