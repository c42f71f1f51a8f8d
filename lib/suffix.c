/*
 * suffix.c: the Public Suffix List (suffix.h). One list per process,
 * loaded once and never changed afterwards (but by suffix_load() before
 * threads), so readers take no lock once it is there: the DNS layer asks
 * it for every query it starts.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <libpsl.h>

#include "log.h"
#include "spfdmarc/dmarc.h"
#include "spfdmarc/err.h"
#include "suffix.h"

static pthread_mutex_t suffix_lock = PTHREAD_MUTEX_INITIALIZER;
static psl_ctx_t *suffix_loaded;		/* from a file, ours to free */
static _Atomic(const psl_ctx_t *) suffix_list;	/* the one in use */
static bool suffix_tried;

/* Under suffix_lock. */
static int
suffix_load_locked(const char *path)
{
	const char *what = path;
	psl_ctx_t *p;

	if (path != NULL) {
		p = psl_load_file(path);
	} else {
		p = psl_load_file(SPFDMARC_PSL_DAFSA);
		if (p == NULL)
			p = psl_load_file(SPFDMARC_PSL_FILE);
		what = SPFDMARC_PSL_DAFSA " or " SPFDMARC_PSL_FILE;
	}
	suffix_tried = true;
	if (p != NULL) {
		if (suffix_loaded != NULL)
			psl_free(suffix_loaded);	/* only before threads */
		suffix_loaded = p;
		atomic_store(&suffix_list, p);
		return 0;
	}
	log_warn("cannot load the Public Suffix List from %s; using the "
	    "built-in list", what);
	if (atomic_load(&suffix_list) == NULL)
		atomic_store(&suffix_list, psl_builtin());
	return atomic_load(&suffix_list) != NULL ? SPFDMARC_EIO :
	    SPFDMARC_ENOTFOUND;
}

int
suffix_load(const char *path)
{
	int rc;

	pthread_mutex_lock(&suffix_lock);
	rc = suffix_load_locked(path);
	pthread_mutex_unlock(&suffix_lock);
	return rc;
}

static const psl_ctx_t *
suffix_get(void)
{
	const psl_ctx_t *p = atomic_load(&suffix_list);

	if (p != NULL)
		return p;
	pthread_mutex_lock(&suffix_lock);
	if (!suffix_tried)
		(void)suffix_load_locked(NULL);
	p = atomic_load(&suffix_list);
	pthread_mutex_unlock(&suffix_lock);
	return p;
}

int
suffix_org_domain(const char *name, char *out, size_t size)
{
	const psl_ctx_t *psl = suffix_get();
	const char *reg;

	if (psl == NULL)
		return SPFDMARC_ENOTFOUND;
	reg = psl_registrable_domain(psl, name);
	if (reg == NULL)
		reg = name;
	if (strlcpy(out, reg, size) >= size)
		return SPFDMARC_ETRUNC;
	return 0;
}
