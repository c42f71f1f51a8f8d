/*
 * spfdmarc/arena.h: a region allocator. Everything a message (or a
 * connection, or one DNS answer) needs is allocated from one arena and
 * released in one call; nothing in it is freed one by one.
 *
 * An arena is used by one thread at a time. It may be given a limit on
 * the bytes it hands out, so hostile input cannot make it grow without
 * bound: past the limit, allocation fails like an out-of-memory. The
 * limit counts what requests really take: each is rounded up to the
 * alignment (alignof(max_align_t)), and a 0-byte request takes one unit.
 */
#ifndef SPFDMARC_ARENA_H
#define SPFDMARC_ARENA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct spfdmarc_arena;

/* A new arena; max_bytes == 0 means no limit. NULL when out of memory. */
struct spfdmarc_arena *spfdmarc_arena_new(size_t max_bytes);

/* Release the arena and everything allocated from it. NULL is allowed. */
void spfdmarc_arena_free(struct spfdmarc_arena *arena);

/* Release everything allocated, keep the arena (and its first block). */
void spfdmarc_arena_reset(struct spfdmarc_arena *arena);

/* size bytes aligned for any type; NULL on ENOMEM or over the limit.
 * A request of 0 bytes returns a valid unique pointer. */
void *spfdmarc_arena_alloc(struct spfdmarc_arena *arena, size_t size);

/* As spfdmarc_arena_alloc, zero-filled. */
void *spfdmarc_arena_zalloc(struct spfdmarc_arena *arena, size_t size);

/* nmemb * size bytes, zero-filled; NULL on overflow as on ENOMEM. */
void *spfdmarc_arena_calloc(struct spfdmarc_arena *arena, size_t nmemb,
    size_t size);

/* A NUL-terminated copy of the first len bytes of s (s need not be
 * NUL-terminated). */
char *spfdmarc_arena_strndup(struct spfdmarc_arena *arena, const char *s,
    size_t len);

/* A copy of the NUL-terminated string s. */
char *spfdmarc_arena_strdup(struct spfdmarc_arena *arena, const char *s);

/* Bytes handed out since creation or the last reset, each request
 * rounded up to the alignment as the limit counts it. */
size_t spfdmarc_arena_used(const struct spfdmarc_arena *arena);

#ifdef __cplusplus
}
#endif

#endif
