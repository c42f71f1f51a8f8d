/*
 * dns_unbound.c: the libunbound backend (spfdmarc/dns_unbound.h).
 * Placeholder until the DNS issue lands: creation fails cleanly.
 */
#include "config.h"

#include <stdio.h>

#include "export.h"
#include "spfdmarc/dns_unbound.h"
#include "spfdmarc/err.h"

SPFDMARC_PUBLIC int
spfdmarc_dns_unbound_new(struct spfdmarc_dns **out,
    const struct spfdmarc_dns_unbound_options *opts, char *errbuf,
    size_t errsize)
{
	(void)opts;
	*out = NULL;
	if (errsize > 0)
		(void)snprintf(errbuf, errsize, "libunbound backend not built yet");
	return SPFDMARC_EDNS;
}
