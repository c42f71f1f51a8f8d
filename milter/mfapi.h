/*
 * mfapi.h: <libmilter/mfapi.h> for this build. The header tests _FFR_*
 * macros it does not define, which -Wundef (an error here) rejects.
 */
#ifndef MILTER_MFAPI_H
#define MILTER_MFAPI_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <libmilter/mfapi.h>
#pragma GCC diagnostic pop

/* libmilter takes "char *" for strings it only reads (names, reply
 * texts); this passes a const string without a cast that hides real
 * mistakes elsewhere. */
static inline char *
mfapi_str(const char *s)
{
	union {
		const char *c;
		char *m;
	} u = { .c = s };

	return u.m;
}

#endif
