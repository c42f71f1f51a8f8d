/*
 * spfdmarc/err.h: the library's error codes.
 *
 * Functions that can fail return 0 or one of these negative codes.
 * Verdicts (an SPF temperror, a DMARC fail) are not errors: they are
 * results returned through out-parameters.
 */
#ifndef SPFDMARC_ERR_H
#define SPFDMARC_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

enum spfdmarc_err {
	SPFDMARC_OK = 0,
	SPFDMARC_ENOMEM = -1,	/* out of memory, or an arena's limit reached */
	SPFDMARC_EINVAL = -2,	/* invalid argument (a caller's mistake) */
	SPFDMARC_ESYNTAX = -3,	/* malformed input */
	SPFDMARC_ERANGE = -4,	/* input exceeds a limit */
	SPFDMARC_ETRUNC = -5,	/* output did not fit and was truncated */
	SPFDMARC_ENOTFOUND = -6,	/* no such item */
	SPFDMARC_EDNS = -7,	/* the DNS subsystem failed */
	SPFDMARC_ETIMEOUT = -8,	/* a deadline passed */
	SPFDMARC_ECONFIG = -9,	/* bad configuration */
	SPFDMARC_EIO = -10,	/* an I/O error; errno says more */
	SPFDMARC_ESTATE = -11,	/* call not valid in this state */
};

/* A static, human-readable text for an error code; never NULL. */
const char *spfdmarc_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
