# SPF (RFC 7208).
lib_libspfdmarc_core_la_SOURCES += \
	lib/spf_record.c lib/spf_record.h \
	lib/spf_macro.c lib/spf_macro.h \
	lib/spf_eval.c
pkginclude_HEADERS += lib/spfdmarc/spf.h
