# audit: `spfdmarc check`, an audit of a domain's SPF and DMARC set-up
# (lib/spfdmarc/audit.h).
lib_libspfdmarc_core_la_SOURCES += \
	lib/audit_int.h \
	lib/audit.c \
	lib/audit_spf.c \
	lib/audit_dmarc.c
pkginclude_HEADERS += lib/spfdmarc/audit.h
