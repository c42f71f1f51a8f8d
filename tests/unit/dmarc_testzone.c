/* dmarc_testzone.c: see dmarc_testzone.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_testzone.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

#define TESTZONE_FILE_MAX	(1024 * 1024)

static void
testzone_append(char *buf, size_t size, size_t *len, const char *type,
    const char *name)
{
	int n;

	if (*len >= size)
		return;
	n = snprintf(buf + *len, size - *len, "%s %s\n", type, name);
	if (n > 0 && (size_t)n < size - *len)
		*len += (size_t)n;
}

struct spfdmarc_dns *
testzone_open(const char *file, struct spfdmarc_dns_zone **zonep)
{
	const char *dir = getenv("top_srcdir");
	struct spfdmarc_dns *dns;
	struct spfdmarc_dns_zone *zone;
	char path[4096], err[256];
	char *text;
	size_t len;
	FILE *f;
	int rc;

	if (dir == NULL || dir[0] == '\0')
		dir = TESTZONE_TOP_SRCDIR;
	if (snprintf(path, sizeof(path), "%s/tests/dmarc/%s", dir, file) >=
	    (int)sizeof(path)) {
		printf("Bail out! zone path too long\n");
		exit(1);
	}
	f = fopen(path, "rb");
	text = malloc(TESTZONE_FILE_MAX);
	if (f == NULL || text == NULL) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	len = fread(text, 1, TESTZONE_FILE_MAX, f);
	if (ferror(f) || len == TESTZONE_FILE_MAX) {
		printf("Bail out! %s: read error or too large\n", path);
		exit(1);
	}
	fclose(f);
	err[0] = '\0';
	rc = spfdmarc_dns_zone_new(&dns, &zone);
	if (rc != 0)
		(void)snprintf(err, sizeof(err), "%s", spfdmarc_strerror(rc));
	else
		rc = spfdmarc_dns_zone_load(zone, text, len, err, sizeof(err));
	free(text);
	if (rc != 0) {
		printf("Bail out! %s: %s\n", path, err);
		exit(1);
	}
	if (zonep != NULL)
		*zonep = zone;
	return dns;
}

void
testzone_log(struct spfdmarc_dns_zone *zone, char *out, size_t size)
{
	char name[SPFDMARC_DNAME_BUFSIZE];
	enum spfdmarc_dns_type type;
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; spfdmarc_dns_zone_query_at(zone, i, name,
	    sizeof(name), &type); i++)
		testzone_append(out, size, &len, spfdmarc_dns_type_name(type),
		    name);
}

void
testzone_trace_fn(const struct spfdmarc_dns_answer *a, void *arg)
{
	struct testzone_trace *tr = arg;

	testzone_append(tr->text, sizeof(tr->text), &tr->len,
	    spfdmarc_dns_type_name(a->qtype), a->qname);
}
