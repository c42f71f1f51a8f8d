# Trace header builders: Authentication-Results and Received-SPF.
lib_libspfdmarc_core_la_SOURCES += lib/hdr_build.c
pkginclude_HEADERS += lib/spfdmarc/hdr.h
