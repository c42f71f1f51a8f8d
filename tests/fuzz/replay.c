/*
 * replay.c: main() for the fuzz targets when no fuzzer is built. It runs
 * every file of the target's seed corpus through LLVMFuzzerTestOneInput()
 * once and prints TAP, one line per file, so the corpus is a `make check`
 * test (as Knot DNS's tests-fuzz do).
 *
 *	fuzz_NAME                 the corpus $top_srcdir/tests/fuzz/corpus/NAME
 *	fuzz_NAME FILE|DIR...     those files (a crash reproducer, say)
 *
 * NAME comes from the program's own name ("fuzz_" and a libtool "lt-"
 * prefix dropped). Each input is handed over in a buffer of exactly its
 * size, so a sanitizer or valgrind sees any read past its end.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_FILE_MAX	(4 * 1024 * 1024)

static int ntests, nfailed;

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
replay_file(const char *path, const char *shown)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t size = 0;
	long len;

	ntests++;
	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 ||
	    (len = ftell(fp)) < 0 || len > REPLAY_FILE_MAX ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		printf("not ok %d - %s: cannot read (%s)\n", ntests, shown,
		    strerror(errno));
		nfailed++;
		if (fp != NULL)
			(void)fclose(fp);
		return;
	}
	size = (size_t)len;
	/* malloc(0) may return NULL: keep one byte, hand over size 0 */
	data = malloc(size > 0 ? size : 1);
	if (data == NULL || (size > 0 && fread(data, 1, size, fp) != size)) {
		printf("not ok %d - %s: cannot read\n", ntests, shown);
		nfailed++;
		free(data);
		(void)fclose(fp);
		return;
	}
	(void)fclose(fp);
	/* A crash names the input on stderr before TAP loses its line. */
	fprintf(stderr, "# replaying %s\n", shown);
	fflush(stderr);
	(void)LLVMFuzzerTestOneInput(data, size);
	free(data);
	printf("ok %d - %s (%zu bytes)\n", ntests, shown, size);
	fflush(stdout);
}

static void
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		printf("not ok %d - corpus %s: %s\n", ++ntests, dir,
		    strerror(errno));
		nfailed++;
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap == 0 ? 64 : cap * 2;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
		}
		names[n] = strdup(e->d_name);
		if (names[n] != NULL)
			n++;
	}
	(void)closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_file(path, names[i]);
		free(names[i]);
	}
	free(names);
}

static void
replay_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		replay_dir(path);
	else
		replay_file(path, path);
}

int
main(int argc, char **argv)
{
	const char *base, *srcdir;
	char corpus[4096];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay_path(argv[i]);
	} else {
		base = strrchr(argv[0], '/');
		base = base != NULL ? base + 1 : argv[0];
		if (strncmp(base, "lt-", 3) == 0)
			base += 3;
		if (strncmp(base, "fuzz_", 5) == 0)
			base += 5;
		srcdir = getenv("top_srcdir");
		if (srcdir == NULL || srcdir[0] == '\0')
			srcdir = ".";
		(void)snprintf(corpus, sizeof(corpus),
		    "%s/tests/fuzz/corpus/%s", srcdir, base);
		replay_dir(corpus);
	}
	if (ntests == 0) {
		printf("1..0 # SKIP empty corpus\n");
		return 0;
	}
	printf("1..%d\n", ntests);
	return nfailed == 0 ? 0 : 1;
}
