/*
 * suffix.h: the process's Public Suffix List (libpsl), shared by DMARC's
 * RFC 7489 Organizational Domain and the DNS layer's zone guess. Not
 * installed.
 */
#ifndef SPFDMARC_SUFFIX_H
#define SPFDMARC_SUFFIX_H
#include <stddef.h>

/*
 * Load the list from path (NULL: the Debian publicsuffix package's file).
 * On failure the built-in list of libpsl is kept or taken. Returns 0,
 * SPFDMARC_EIO (built-in list in use) or SPFDMARC_ENOTFOUND (no list).
 * Meant to be called before threads; later calls only replace the list
 * while no reader can hold it.
 */
int suffix_load(const char *path);

/*
 * The Organizational Domain of name (lower case, no trailing dot) by the
 * list (RFC 7489 §3.2): its longest public suffix plus one label; a name
 * that is itself a public suffix is its own. Returns 0 and fills out,
 * SPFDMARC_ENOTFOUND when no list can be had, SPFDMARC_ETRUNC when out is
 * too small. The first call loads the default list if suffix_load() was
 * never called.
 */
int suffix_org_domain(const char *name, char *out, size_t size);
#endif
