/*
 * export.h: marks the definitions of public functions. The library is
 * compiled with -fvisibility=hidden; only functions defined with
 * SPFDMARC_PUBLIC (and named spfdmarc_*, see lib/Makefile.inc) leave it.
 */
#ifndef SPFDMARC_EXPORT_H
#define SPFDMARC_EXPORT_H

#define SPFDMARC_PUBLIC __attribute__((visibility("default")))

#endif
