/*
 * err.c: text for the library's error codes.
 */
#include "config.h"

#include "export.h"
#include "spfdmarc/err.h"

SPFDMARC_PUBLIC const char *
spfdmarc_strerror(int err)
{
	switch ((enum spfdmarc_err)err) {
	case SPFDMARC_OK:		return "success";
	case SPFDMARC_ENOMEM:		return "out of memory";
	case SPFDMARC_EINVAL:		return "invalid argument";
	case SPFDMARC_ESYNTAX:		return "syntax error";
	case SPFDMARC_ERANGE:		return "value out of range or over a limit";
	case SPFDMARC_ETRUNC:		return "output truncated";
	case SPFDMARC_ENOTFOUND:	return "not found";
	case SPFDMARC_EDNS:		return "DNS resolver failure";
	case SPFDMARC_ETIMEOUT:		return "timed out";
	case SPFDMARC_ECONFIG:		return "configuration error";
	case SPFDMARC_EIO:		return "input/output error";
	case SPFDMARC_ESTATE:		return "operation not valid in this state";
	}
	return "unknown error";
}
