/*
 * arena.c: a region allocator of chained blocks.
 *
 * Small requests are carved from the current block; a request larger than
 * a quarter of the block size gets a block of its own, so a single big
 * allocation does not waste the rest of a half-used block.
 *
 * arena_new_small() (arena_int.h) starts with a smaller block and doubles
 * up to the standard size: for the many short-lived arenas that hold a
 * few hundred bytes (one DNS answer each), where a 4 KB block per arena
 * was most of the memory of a message in flight.
 */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "arena_int.h"
#include "spfdmarc/arena.h"

#define ARENA_BLOCK_SIZE	4096
#define ARENA_ALIGN		alignof(max_align_t)

struct arena_block {
	struct arena_block *next;
	size_t size;		/* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct spfdmarc_arena {
	struct arena_block *head;	/* current block, newest first */
	size_t max;			/* 0: unlimited */
	size_t block;			/* size of the next standard block */
	size_t used;			/* bytes handed out */
};

static struct arena_block *
arena_block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

SPFDMARC_PUBLIC struct spfdmarc_arena *
spfdmarc_arena_new(size_t max_bytes)
{
	struct spfdmarc_arena *a;

	a = malloc(sizeof(*a));
	if (a == NULL)
		return NULL;
	a->head = NULL;
	a->max = max_bytes;
	a->block = ARENA_BLOCK_SIZE;
	a->used = 0;
	return a;
}

struct spfdmarc_arena *
arena_new_small(size_t max_bytes, size_t first_block)
{
	struct spfdmarc_arena *a = spfdmarc_arena_new(max_bytes);

	if (a != NULL && first_block >= ARENA_ALIGN &&
	    first_block < ARENA_BLOCK_SIZE)
		a->block = first_block;
	return a;
}

static void
arena_free_blocks(struct arena_block *b, const struct arena_block *keep)
{
	while (b != NULL) {
		struct arena_block *next = b->next;

		if (b != keep)
			free(b);
		b = next;
	}
}

SPFDMARC_PUBLIC void
spfdmarc_arena_free(struct spfdmarc_arena *a)
{
	if (a == NULL)
		return;
	arena_free_blocks(a->head, NULL);
	free(a);
}

SPFDMARC_PUBLIC void
spfdmarc_arena_reset(struct spfdmarc_arena *a)
{
	struct arena_block *keep = NULL;

	/* Keep one standard-size block for reuse: the common case of a
	 * connection with many small messages then does no malloc at all. */
	for (struct arena_block *b = a->head; b != NULL; b = b->next) {
		if (b->size <= ARENA_BLOCK_SIZE) {
			keep = b;
			break;
		}
	}
	arena_free_blocks(a->head, keep);
	if (keep != NULL) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->used = 0;
}

SPFDMARC_PUBLIC void *
spfdmarc_arena_alloc(struct spfdmarc_arena *a, size_t size)
{
	struct arena_block *b;
	size_t need;

	/* Round up to the alignment; 0 becomes one aligned unit. */
	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
	if (need == 0)
		need = ARENA_ALIGN;
	if (a->max != 0 && (need > a->max || a->used > a->max - need))
		return NULL;

	b = a->head;
	if (b == NULL || b->size - b->used < need) {
		if (need > ARENA_BLOCK_SIZE / 4) {
			/* A block of its own, chained behind the current
			 * one so the current one keeps serving. */
			b = arena_block_new(need);
			if (b == NULL)
				return NULL;
			if (a->head != NULL) {
				b->next = a->head->next;
				a->head->next = b;
			} else {
				a->head = b;
			}
		} else {
			b = arena_block_new(need > a->block ? need : a->block);
			if (b == NULL)
				return NULL;
			b->next = a->head;
			a->head = b;
			if (a->block < ARENA_BLOCK_SIZE)
				a->block = a->block * 2 < ARENA_BLOCK_SIZE ?
				    a->block * 2 : ARENA_BLOCK_SIZE;
		}
	}
	b->used += need;
	a->used += need;
	return b->data + b->used - need;
}

SPFDMARC_PUBLIC void *
spfdmarc_arena_zalloc(struct spfdmarc_arena *a, size_t size)
{
	void *p = spfdmarc_arena_alloc(a, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

SPFDMARC_PUBLIC void *
spfdmarc_arena_calloc(struct spfdmarc_arena *a, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	return spfdmarc_arena_zalloc(a, nmemb * size);
}

SPFDMARC_PUBLIC char *
spfdmarc_arena_strndup(struct spfdmarc_arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = spfdmarc_arena_alloc(a, len + 1);
	if (p == NULL)
		return NULL;
	if (len != 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

SPFDMARC_PUBLIC char *
spfdmarc_arena_strdup(struct spfdmarc_arena *a, const char *s)
{
	return spfdmarc_arena_strndup(a, s, strlen(s));
}

SPFDMARC_PUBLIC size_t
spfdmarc_arena_used(const struct spfdmarc_arena *a)
{
	return a->used;
}
