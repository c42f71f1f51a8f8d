/*
 * arena_int.h: arena internals for the library's own use. Not installed.
 */
#ifndef SPFDMARC_ARENA_INT_H
#define SPFDMARC_ARENA_INT_H

#include <stddef.h>

#include "spfdmarc/arena.h"

/*
 * An arena whose first block holds first_block bytes (then 2x, 4x... up
 * to the standard 4 KB): for short-lived arenas that usually hold a few
 * hundred bytes. Otherwise as spfdmarc_arena_new(). NULL on ENOMEM.
 */
struct spfdmarc_arena *arena_new_small(size_t max_bytes, size_t first_block);

#endif
