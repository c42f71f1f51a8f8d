/* test_err.c: every error code has its own text. */
#include "config.h"

#include <string.h>

#include "spfdmarc/err.h"
#include "tap.h"

int
main(void)
{
	static const int codes[] = {
		SPFDMARC_OK, SPFDMARC_ENOMEM, SPFDMARC_EINVAL,
		SPFDMARC_ESYNTAX, SPFDMARC_ERANGE, SPFDMARC_ETRUNC,
		SPFDMARC_ENOTFOUND, SPFDMARC_EDNS, SPFDMARC_ETIMEOUT,
		SPFDMARC_ECONFIG, SPFDMARC_EIO, SPFDMARC_ESTATE,
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	is_str(spfdmarc_strerror(SPFDMARC_OK), "success", "OK is success");
	is_str(spfdmarc_strerror(12345), "unknown error", "unknown code");
	for (size_t i = 0; i < n; i++) {
		const char *t = spfdmarc_strerror(codes[i]);
		int unique = 1;

		for (size_t j = 0; j < n; j++) {
			if (j != i && strcmp(t, spfdmarc_strerror(codes[j])) == 0)
				unique = 0;
		}
		ok(unique && strcmp(t, "unknown error") != 0,
		    "code %d has its own text: %s", codes[i], t);
	}
	return done_testing();
}
